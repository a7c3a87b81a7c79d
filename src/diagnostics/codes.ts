// The one table of diagnostic codes. Codes are stable: tools and tests match on them.
// Add a row here before emitting a new code; test/diagnostics/codes.test.ts checks
// that every code has a unit test that produces it.
import type { Severity } from "./diagnostic.js";

export interface CodeInfo {
  severity: Severity;
  summary: string;
}

export const CODES = {
  // syntax (W01xx)
  W0101: { severity: "error", summary: "unexpected character" },
  W0102: { severity: "error", summary: "syntax error" },
  W0103: { severity: "error", summary: "unterminated string" },
  // declarations (W02xx)
  W0201: { severity: "error", summary: "duplicate rule id" },
  W0202: { severity: "error", summary: "duplicate constant" },
  W0203: { severity: "error", summary: "duplicate classification" },
  W0204: { severity: "error", summary: "missing or repeated rule clause" },
  W0205: { severity: "error", summary: "invalid rule id" },
  W0206: { severity: "error", summary: "conflicting policy declaration" },
  // names and types (W03xx)
  W0301: { severity: "error", summary: "unknown field" },
  W0302: { severity: "error", summary: "unknown name" },
  W0303: { severity: "error", summary: "unknown enum value" },
  W0304: { severity: "error", summary: "incompatible types" },
  W0305: { severity: "error", summary: "unknown classification" },
  W0306: { severity: "error", summary: "unknown rule" },
  W0307: { severity: "error", summary: "variable out of scope" },
  W0308: { severity: "error", summary: "invalid file type or scope" },
  W0309: { severity: "error", summary: "invalid pattern" },
  W0310: { severity: "error", summary: "invalid interpolation" },
  W0311: { severity: "error", summary: "invalid mask method" },
  W0312: { severity: "error", summary: "invalid test case" },
  W0313: { severity: "error", summary: "invalid severity" },
  W0314: { severity: "error", summary: "name hides another name" },
  // warnings (W09xx)
  W0901: { severity: "warning", summary: "unused constant" },
  // files and usage (W10xx)
  W1001: { severity: "error", summary: "cannot read file" },
  W1002: { severity: "error", summary: "no policy files" },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;
