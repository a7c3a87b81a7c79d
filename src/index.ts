// Warden's library API: what the CLI, the GitHub Action and runtime enforcers import.
export { VERSION } from "./version.js";
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export type { Span, Position } from "./diagnostics/span.js";
export type * from "./compiler/ir/ir.js";
