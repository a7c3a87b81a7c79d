// `--format json`: the stable machine-readable shape documented in docs/output-formats.md.
import type { CheckResult } from "../engine/types.js";

export function formatJson(result: CheckResult): string {
  const findings = result.findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    end_line: f.end_line,
    end_column: f.end_column,
    help: f.help,
    doc: f.doc,
  }));
  const s = result.summary;
  const summary = {
    files: s.files,
    statements: s.statements,
    findings: s.findings,
    by_severity: { error: s.by_severity.error, warning: s.by_severity.warning, info: s.by_severity.info },
    suppressed: s.suppressed,
    baselined: s.baselined,
  };
  return JSON.stringify({ findings, summary }, null, 2) + "\n";
}
