// The built-in rule library as a compiled policy: the sources under rules/, compiled
// with the ordinary pipeline, and (for the shipped bundle) emitted to wasm.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { renderDiagnostic } from "../diagnostics/render.js";
import { LineIndex } from "../diagnostics/span.js";
import { compileSources, type CompileResult } from "../compiler/pipeline.js";
import { builtinRulesDir, loadRuleLibrary, packageRoot, type PolicySource, type RuleLibrary } from "./library.js";

export interface CompiledLibrary {
  library: RuleLibrary;
  result: CompileResult;
}

/** Compiles a rule library directory (default: the built-in one), paths shown relative to the package. */
export function compileLibrary(dir: string = builtinRulesDir(), base: string = packageRoot()): CompiledLibrary {
  const library = loadRuleLibrary(dir, base);
  return { library, result: compileSources(library.sources) };
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: readonly PolicySource[]): string {
  const index = new Map(sources.map((s) => [s.path, new LineIndex(s.text)]));
  return diagnostics.map((d) => renderDiagnostic(d, index)).join("\n\n");
}
