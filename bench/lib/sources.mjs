// Shared by the benchmarks: bundles the exports they need straight from the TypeScript
// sources, so a benchmark measures the current tree, not a stale dist/.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

/** `exportLines`: `export { a } from "./src/x.js";` lines, resolved from the repository root. */
export async function importSources(name, exportLines) {
  const outDir = path.join(root, "node_modules", ".cache", "warden-bench");
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, `${name}.mjs`);
  await build({
    stdin: { contents: exportLines.join("\n"), resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  return import(pathToFileURL(outfile).href);
}
