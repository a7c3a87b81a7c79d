// Warden's library API: what the CLI, the GitHub Action and runtime enforcers import.
export { VERSION } from "./version.js";
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export type { Span, Position } from "./diagnostics/span.js";
export type * from "./compiler/ir/ir.js";
export { runCheck, ENGINE_RULES } from "./engine/check.js";
export type { CheckOptions, CheckResult, CheckFinding, CheckError, CheckNote, RuleInfo, Summary, FailOn } from "./engine/types.js";
export { formatReport, FORMATS, type Format, type ReportOptions } from "./report/index.js";
export { compileSources, loadPolicySources } from "./compiler/pipeline.js";
export type { CompileResult, PolicyTest, TestCase } from "./compiler/pipeline.js";
export { evaluateFindings, evaluateDecision, defaultData } from "./compiler/ir/interpret.js";
export { emitWasm } from "./compiler/backend/wasm/emit-wasm.js";
export { emitRego } from "./compiler/backend/rego/emit-rego.js";
export { writeBundle, readBundle, BundleError } from "./compiler/bundle/index.js";
export { loadBundleEvaluator } from "./engine/bundle-evaluator.js";
export { extractProject, extractStatementFacts, fileTypeOf, initSqlParser } from "./sql/index.js";
