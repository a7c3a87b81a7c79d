// `--format pretty` (the default): findings grouped by file, each with a code frame and a
// caret under its span, help and docs lines, then one summary line.
import pc from "picocolors";
import { codeFrame, noteIndent, plain, type Paint } from "../diagnostics/render.js";
import { LineIndex } from "../diagnostics/span.js";
import { findingFails, type CheckFinding, type CheckResult } from "../engine/types.js";
import { plural, type ReportOptions } from "./index.js";

export function formatPretty(result: CheckResult, opts: ReportOptions = {}): string {
  const paint: Paint = opts.color ? pc.createColors(true) : plain;
  const out: string[] = [];
  const byFile = new Map<string, CheckFinding[]>();
  for (const f of result.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, findings] of byFile) {
    out.push(paint.bold(paint.cyan(file)) + paint.dim(` (${plural(findings.length, "finding")})`));
    const text = result.sources.get(file);
    const index = text === undefined ? undefined : new LineIndex(text);
    for (const f of findings) {
      const colour = f.severity === "error" ? paint.red : f.severity === "warning" ? paint.yellow : paint.cyan;
      out.push(`${file}:${f.line}:${f.column}: ${colour(paint.bold(`${f.severity}[${f.rule}]`))}: ${paint.bold(f.message)}`);
      if (index) {
        const frame = windowed(index, f);
        out.push(codeFrame(frame.index, { file, start: { line: f.line, column: frame.column, offset: 0 }, end: { line: f.end_line, column: frame.endColumn, offset: 0 } }, paint));
      }
      const pad = index ? noteIndent(f.line, f.end_line) : "  ";
      if (f.help) out.push(`${pad}${paint.cyan("= help:")} ${f.help}`);
      if (f.doc) out.push(`${pad}${paint.cyan("= docs:")} ${f.doc}`);
      out.push("");
    }
  }
  if (!opts.quiet) out.push(summaryLine(result, paint));
  return out.length ? out.join("\n") + "\n" : "";
}

/** Characters of a long line shown around a finding (minified SQL can be one 1 MB line). */
const FRAME_WIDTH = 160;
const FRAME_LEAD = 40;

/**
 * The frame's source for a finding: its own lines, except that a line longer than
 * FRAME_WIDTH is cut to a window around the span, marked with `…` at the cut ends.
 */
function windowed(index: LineIndex, f: CheckFinding): { index: LineIndex; column: number; endColumn: number } {
  const text = index.lineText(f.line);
  if (text.length <= FRAME_WIDTH) return { index, column: f.column, endColumn: f.end_column };
  const from = Math.max(0, f.column - 1 - FRAME_LEAD);
  const to = Math.min(text.length, from + FRAME_WIDTH);
  const cut = (from > 0 ? "…" : "") + text.slice(from, to) + (to < text.length ? "…" : "");
  const shift = (from > 0 ? 1 : 0) - from;
  const endColumn = f.end_line === f.line ? Math.min(f.end_column + shift, cut.length + 1) : f.end_column;
  // lines other than the finding's keep their place; only the finding's line is replaced
  const lines: string[] = [];
  for (let l = 1; l < f.line; l++) lines.push("");
  lines.push(cut);
  for (let l = f.line + 1; l <= Math.min(f.end_line, f.line + 2); l++) {
    const t = index.lineText(l);
    lines.push(t.length > FRAME_WIDTH ? `${t.slice(0, FRAME_WIDTH)}…` : t);
  }
  return { index: new LineIndex(lines.join("\n")), column: f.column + shift, endColumn };
}

export function summaryLine(result: CheckResult, paint: Paint = plain): string {
  const s = result.summary;
  const checked = `${plural(s.files, "file")}, ${plural(s.statements, "statement")}`;
  const extra = [s.suppressed ? `${s.suppressed} suppressed` : "", s.baselined ? `${s.baselined} baselined` : ""].filter(Boolean).join(", ");
  const tail = extra ? ` (${extra})` : "";
  // input errors (printed on stderr) fail the run with exit 2 whatever the findings
  const unreadable = result.errors.filter((e) => e.kind === "read").length;
  const other = result.errors.length - unreadable;
  const problems = [unreadable ? plural(unreadable, "input error") : "", other ? plural(other, "usage error") : ""].filter(Boolean).join(", ");
  if (s.findings === 0) return `${paint.bold("warden:")} no findings in ${checked}${tail}${problems ? `; ${paint.red(problems)}: failing` : ""}`;
  const parts = [
    s.by_severity.error ? paint.red(plural(s.by_severity.error, "error")) : "",
    s.by_severity.warning ? paint.yellow(plural(s.by_severity.warning, "warning")) : "",
    s.by_severity.info ? paint.cyan(`${s.by_severity.info} info`) : "",
  ].filter(Boolean);
  const failing = result.findings.filter((f) => findingFails(result, f)).length;
  // projects with their own fail_on: the count is by each file's project
  const threshold = result.failOnByFile ? "their project's fail_on" : result.failOn;
  const never = result.failOn === "never" && !result.failOnByFile;
  let verdict = never ? "fail-on never" : failing ? `${failing} at or above ${threshold}: failing` : `none at or above ${threshold}: passing`;
  if (problems) verdict = `${never ? "fail-on never" : failing ? `${failing} at or above ${threshold}` : `none at or above ${threshold}`}; ${paint.red(problems)}: failing`;
  return `${paint.bold("warden:")} ${plural(s.findings, "finding")} (${parts.join(", ")}) in ${checked}${tail}; ${verdict}`;
}
