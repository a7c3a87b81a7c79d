// The package version, shown by `warden --version` and written into bundle manifests.
export const VERSION = "0.1.0";
