// Shared helpers for front-end tests: span-free AST views and compact diagnostic lines.
import type { Diagnostic } from "../../../src/diagnostics/diagnostic.js";

/** A deep copy without `span` keys, for comparing ASTs modulo positions. */
export function stripSpans<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === "span" ? undefined : x)));
}

/** `CODE line:col-line:col message [help]`, one per diagnostic. */
export function diagLines(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => {
    const s = d.span;
    const at = s ? `${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}` : "-";
    return `${d.code} ${at} ${d.message}${d.help ? ` [${d.help}]` : ""}`;
  });
}
