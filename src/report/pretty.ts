// `--format pretty` (the default): findings grouped by file, each with a code frame and a
// caret under its span, help and docs lines, then one summary line.
import pc from "picocolors";
import { codeFrame, plain, type Paint } from "../diagnostics/render.js";
import { LineIndex } from "../diagnostics/span.js";
import { fails, type CheckFinding, type CheckResult } from "../engine/types.js";
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
        const span = {
          file,
          start: { line: f.line, column: f.column, offset: 0 },
          end: { line: f.end_line, column: f.end_column, offset: 0 },
        };
        out.push(codeFrame(index, span, paint));
      }
      // `=` lines up under the frame's `|`, whose column grows with the line numbers shown
      const pad = index ? " ".repeat(String(Math.min(Math.max(f.end_line, f.line), f.line + 2)).length + 1) : "  ";
      if (f.help) out.push(`${pad}${paint.cyan("= help:")} ${f.help}`);
      if (f.doc) out.push(`${pad}${paint.cyan("= docs:")} ${f.doc}`);
      out.push("");
    }
  }
  if (!opts.quiet) out.push(summaryLine(result, paint));
  return out.length ? out.join("\n") + "\n" : "";
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
  const failing = result.findings.filter((f) => fails(f.severity, result.failOn)).length;
  let verdict = result.failOn === "never" ? "fail-on never" : failing ? `${failing} at or above ${result.failOn}: failing` : `none at or above ${result.failOn}: passing`;
  if (problems) verdict = `${result.failOn === "never" ? "fail-on never" : failing ? `${failing} at or above ${result.failOn}` : `none at or above ${result.failOn}`}; ${paint.red(problems)}: failing`;
  return `${paint.bold("warden:")} ${plural(s.findings, "finding")} (${parts.join(", ")}) in ${checked}${tail}; ${verdict}`;
}
