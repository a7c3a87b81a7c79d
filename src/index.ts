// Warden's library API: what the CLI, the GitHub Action and runtime enforcers import.
export { VERSION } from "./version.js";
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export type { Span, Position } from "./diagnostics/span.js";
export type * from "./compiler/ir/ir.js";
export { runCheck, ENGINE_RULES } from "./engine/check.js";
export type { CheckOptions, CheckResult, CheckFinding, CheckError, RuleInfo, Summary, FailOn } from "./engine/types.js";
export { formatReport, FORMATS, type Format, type ReportOptions } from "./report/index.js";
