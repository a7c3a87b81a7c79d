// Precompiles the built-in rule library (rules/**/*.warden) into
// dist/builtin.bundle.tar.gz, so `warden check` without --policy needs no compile step.
// The compiler is TypeScript: esbuild bundles a tiny entry next to dist/ (so its
// dependencies resolve from node_modules), which is run and removed.
import { build } from "esbuild";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, "dist", `.build-builtin-${process.pid}.mjs`);
mkdirSync(path.dirname(out), { recursive: true });
// While the wasm back end is still being written the bundle cannot exist yet; every
// other build step must keep working, so say so and stop here.
if (!existsSync(path.join(root, "src/compiler/backend/wasm/emit-wasm.ts"))) {
  console.error("build: builtin-bundle: skipped, the wasm back end (src/compiler/backend/wasm/emit-wasm.ts) is not there yet");
  process.exit(0);
}
try {
  await build({
    entryPoints: [path.join(root, "src/rules/bundle-builtin.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    absWorkingDir: root,
  });
  const { buildBuiltinBundle, renderDiagnostics } = await import(pathToFileURL(out).href);
  const { bytes, diagnostics, library } = await buildBuiltinBundle(path.join(root, "rules"));
  if (!bytes) {
    console.error(renderDiagnostics(diagnostics, library.sources));
    process.exitCode = 1;
  } else {
    writeFileSync(path.join(root, "dist", "builtin.bundle.tar.gz"), bytes);
  }
} finally {
  rmSync(out, { force: true });
}
