// `--format github`: GitHub Actions workflow commands, one annotation per finding and one
// `::error` per run error (an unreadable file, a bad baseline), so a failing job says why.
// Escaping follows the runner: data escapes % CR LF; properties also escape `:` and `,`.
import type { CheckResult } from "../engine/types.js";
import { errorPath, repoPath } from "./index.js";

const COMMAND = { error: "error", warning: "warning", info: "notice" } as const;
/** The words the pretty summary line uses for each kind of run error. */
const ERROR_TITLE = { read: "input error", usage: "usage error", config: "config error", policy: "policy error" } as const;

export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(result: CheckResult): string {
  let out = "";
  for (const f of result.findings) {
    const props = [
      `file=${escapeProperty(repoPath(result, f))}`,
      `line=${f.line}`,
      `col=${f.column}`,
      `endLine=${f.end_line}`,
      `endColumn=${f.end_column}`,
      `title=${escapeProperty(`warden ${f.rule}`)}`,
    ].join(",");
    const body = [f.message, f.help, f.doc].filter(Boolean).join("\n");
    out += `::${COMMAND[f.severity]} ${props}::${escapeData(body)}\n`;
  }
  for (const e of result.errors) {
    const file = errorPath(result, e);
    const props = [
      ...(file !== undefined ? [`file=${escapeProperty(file)}`] : []),
      ...(file !== undefined && e.line !== undefined ? [`line=${e.line}`, `col=${e.column ?? 1}`] : []),
      `title=${escapeProperty(`warden ${ERROR_TITLE[e.kind]}`)}`,
    ].join(",");
    out += `::error ${props}::${escapeData([e.message, e.help].filter(Boolean).join("\n"))}\n`;
  }
  return out;
}
