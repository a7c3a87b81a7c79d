// Renders diagnostics (and SQL findings) as a code frame with a caret under the span,
// or as JSON. Colour is the caller's choice: pass a `paint` that wraps text or returns it.
import type { Diagnostic } from "./diagnostic.js";
import { LineIndex, type Span } from "./span.js";

export interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export const plain: Paint = {
  red: (s) => s,
  yellow: (s) => s,
  blue: (s) => s,
  cyan: (s) => s,
  dim: (s) => s,
  bold: (s) => s,
};

/** How many source lines a code frame shows at most. */
export const FRAME_LINES = 3;

function lastFrameLine(startLine: number, endLine: number, maxLines: number): number {
  return Math.min(Math.max(endLine, startLine), startLine + maxLines - 1);
}

/**
 * The indent that puts a note (`= help: ...`) under the `|` of the code frame drawn for
 * lines `startLine`..`endLine`: the gutter grows with the widest line number shown.
 */
export function noteIndent(startLine: number, endLine: number, maxLines = FRAME_LINES): string {
  return " ".repeat(String(lastFrameLine(startLine, endLine, maxLines)).length + 1);
}

/**
 * The lines of `text` covered by `span` (at most `maxLines`), each with a gutter,
 * and a caret line under the first one. Tabs are kept so carets line up.
 */
export function codeFrame(index: LineIndex, span: Span, paint: Paint = plain, maxLines = FRAME_LINES): string {
  const first = span.start.line;
  const last = lastFrameLine(first, span.end.line, maxLines);
  const width = String(last).length;
  const out: string[] = [];
  out.push(`${" ".repeat(width)} ${paint.blue("|")}`);
  for (let line = first; line <= last; line++) {
    const text = index.lineText(line);
    out.push(`${paint.blue(String(line).padStart(width))} ${paint.blue("|")} ${text}`);
    if (line === first) {
      const startCol = span.start.column;
      const endCol = span.end.line === first ? Math.max(span.end.column, startCol + 1) : text.length + 1;
      const lead = text.slice(0, startCol - 1).replace(/[^\t]/g, " ");
      const carets = "^".repeat(Math.max(1, Math.min(endCol, text.length + 1) - startCol));
      out.push(`${" ".repeat(width)} ${paint.blue("|")} ${lead}${paint.red(carets)}`);
    }
  }
  if (span.end.line > last) out.push(`${" ".repeat(width)} ${paint.blue("|")} ${paint.dim("...")}`);
  return out.join("\n");
}

/** `file:line:col: error[W0301]: message`, the frame, then `= help: ...`. */
export function renderDiagnostic(d: Diagnostic, sources: Map<string, LineIndex>, paint: Paint = plain): string {
  const colour = d.severity === "error" ? paint.red : d.severity === "warning" ? paint.yellow : paint.cyan;
  const where = d.span ? `${d.span.file}:${d.span.start.line}:${d.span.start.column}: ` : "";
  const lines = [`${where}${colour(paint.bold(`${d.severity}[${d.code}]`))}: ${paint.bold(d.message)}`];
  const index = d.span ? sources.get(d.span.file) : undefined;
  if (d.span && index) lines.push(codeFrame(index, d.span, paint));
  const pad = d.span && index ? noteIndent(d.span.start.line, d.span.end.line) : "  ";
  if (d.help) lines.push(`${pad}${paint.cyan("= help:")} ${d.help}`);
  return lines.join("\n");
}

export function diagnosticsToJson(ds: readonly Diagnostic[]): string {
  return JSON.stringify(
    ds.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      file: d.span?.file ?? null,
      line: d.span?.start.line ?? null,
      column: d.span?.start.column ?? null,
      end_line: d.span?.end.line ?? null,
      end_column: d.span?.end.column ?? null,
      help: d.help ?? null,
    })),
    null,
    2,
  );
}
