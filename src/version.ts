// The package version, shown by `warden --version` and written into bundle manifests.
export const VERSION = "0.1.0";

declare const __WARDEN_BUILD__: string | undefined;

/**
 * Identity of this build (a hash of the sources and the lockfile, set by `npm run build`),
 * part of every result-cache key; undefined when running from the TypeScript sources.
 */
export const BUILD_ID: string | undefined = typeof __WARDEN_BUILD__ === "string" ? __WARDEN_BUILD__ : undefined;
