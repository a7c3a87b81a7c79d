// Builds the shipped built-in bundle (dist/builtin.bundle.tar.gz): the library compiled
// and emitted to wasm. Kept apart from builtin.ts so the CLI does not pull in the back end
// just to list or explain rules. Entry point of scripts/build-builtin.mjs.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { emitWasm } from "../compiler/backend/wasm/emit-wasm.js";
import { writeBundle } from "../compiler/bundle/index.js";
import { compileLibrary, renderDiagnostics } from "./builtin.js";
import type { RuleLibrary } from "./library.js";

export { renderDiagnostics };

/** The gzipped wasm bundle of the built-in library (what dist/builtin.bundle.tar.gz holds). */
export async function buildBuiltinBundle(dir?: string): Promise<{ bytes?: Buffer; diagnostics: Diagnostic[]; library: RuleLibrary }> {
  const { library, result } = compileLibrary(dir);
  if (!result.ir) return { diagnostics: result.diagnostics, library };
  const wasm = emitWasm(result.ir);
  const bytes = await writeBundle({ ir: result.ir, target: "wasm", wasm });
  return { bytes, diagnostics: result.diagnostics, library };
}
