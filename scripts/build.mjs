// Builds everything the `warden` command needs at run time, in order:
// the wasm runtime library (AssemblyScript, only when its sources changed),
// the bundled CLI (esbuild), then the precompiled built-in rule bundle.
import { build } from "esbuild";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { globSync } from "tinyglobby";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Identity of this build: the sources and the lockfile (result caches are keyed by it). */
function buildId() {
  const h = createHash("sha1");
  for (const f of globSync(["src/**/*", "package-lock.json"], { cwd: root }).sort()) h.update(f).update("\0").update(readFileSync(path.join(root, f))).update("\0");
  return h.digest("hex");
}

const steps = [
  {
    name: "wasm-runtime",
    // Built by its own script so tests can check the committed artifact against its sources.
    run() {
      const script = path.join(root, "scripts/build-runtime.mjs");
      if (!existsSync(script)) return;
      const r = spawnSync(process.execPath, [script], { stdio: "inherit", cwd: root });
      if (r.status !== 0) throw new Error("wasm runtime build failed");
    },
  },
  {
    name: "cli",
    async run() {
      // Stale chunks from earlier builds would pile up: start from an empty dist/.
      rmSync(path.join(root, "dist"), { recursive: true, force: true });
      await build({
        entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts" },
        outdir: path.join(root, "dist"),
        bundle: true,
        splitting: true,
        platform: "node",
        format: "esm",
        target: "node20",
        // Dependencies are bundled in (tree-shaken): loading hundreds of small ESM files
        // (chevrotain's lodash-es) cost more start-up time than the whole check run.
        // Kept external: packages that load files next to themselves (wasm, data) or
        // are large and loaded only for one flag.
        external: ["libpg-query", "wabt", "nunjucks", "ajv", "ajv-formats", "assemblyscript", "esbuild", "fsevents"],
        banner: { js: 'import { createRequire as __wardenCreateRequire } from "node:module"; const require = __wardenCreateRequire(import.meta.url);' },
        sourcemap: true,
        define: { __WARDEN_BUILD__: JSON.stringify(buildId()) },
        logLevel: "warning",
        absWorkingDir: root,
      });
    },
  },
  {
    name: "types",
    // Declarations for library users (package.json "types"); type errors fail `npm run typecheck`, not the build.
    run() {
      const tsc = path.join(root, "node_modules/typescript/bin/tsc");
      if (!existsSync(tsc)) return;
      const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit", cwd: root });
      if (r.error) throw r.error;
    },
  },
  {
    name: "builtin-bundle",
    // Precompiles rules/ so `warden check` without a policy needs no compile step.
    run() {
      const script = path.join(root, "scripts/build-builtin.mjs");
      if (!existsSync(script)) return;
      const r = spawnSync(process.execPath, [script], { stdio: "inherit", cwd: root });
      if (r.status !== 0) throw new Error("built-in rule bundle build failed");
    },
  },
];

for (const step of steps) {
  try {
    await step.run();
  } catch (err) {
    console.error(`build: ${step.name}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
