// `--format markdown`: a summary and a findings table for pull-request comments. Starts with
// a stable marker so a bot can update its one comment, and stays under GitHub's comment limit.
import type { CheckResult } from "../engine/types.js";
import { errorPath, plural, repoPath, type ReportOptions } from "./index.js";

export const MARKDOWN_MARKER = "<!-- warden-check -->";
/** GitHub rejects comments over 65,536 characters; leave room for the fallback line. */
const LIMIT = 60_000;
const ICON = { error: "🔴 error", warning: "🟡 warning", info: "🔵 info" } as const;

function cell(s: string): string {
  // escape HTML first so the <br> line breaks survive
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

export function formatMarkdown(result: CheckResult, opts: ReportOptions = {}): string {
  const s = result.summary;
  // --quiet leaves out the findings that do not fail the run: say which ones are counted
  const finding = opts.quiet ? "failing finding" : "finding";
  const lines = [MARKDOWN_MARKER, "### Warden check", ""];
  const counts = `${plural(s.by_severity.error, "error")}, ${plural(s.by_severity.warning, "warning")}, ${s.by_severity.info} info`;
  lines.push(
    s.findings === 0
      ? // no tick when input errors (listed below) fail the run anyway
        `${result.errors.length ? "" : "✅ "}No ${finding}s in ${plural(s.files, "file")} (${plural(s.statements, "statement")}).`
      : `**${plural(s.findings, finding)}** (${counts}) in ${plural(s.files, "file")} checked (${plural(s.statements, "statement")}).`,
  );
  const extra = [s.suppressed ? `${s.suppressed} suppressed` : "", s.baselined ? `${s.baselined} in the baseline` : ""].filter(Boolean);
  if (extra.length) lines.push("", `Not shown: ${extra.join(", ")}.`);
  if (result.errors.length) {
    lines.push("", `⚠️ ${plural(result.errors.length, "input error")}:`, "");
    for (const e of result.errors) {
      const file = errorPath(result, e);
      lines.push(`- ${cell(file ? `${file}${e.line ? `:${e.line}` : ""}: ${e.message}` : e.message)}`);
    }
  }
  if (result.findings.length === 0) return lines.join("\n") + "\n";
  lines.push("", "| Severity | Rule | Location | Message |", "|---|---|---|---|");
  let size = lines.join("\n").length;
  let shown = 0;
  for (const f of result.findings) {
    const rule = f.doc ? `[\`${f.rule}\`](${f.doc})` : `\`${f.rule}\``;
    const row = `| ${ICON[f.severity]} | ${rule} | \`${cell(repoPath(result, f))}:${f.line}\` | ${cell(f.message)} |`;
    if (size + row.length + 1 > LIMIT) break;
    lines.push(row);
    size += row.length + 1;
    shown++;
  }
  if (shown < result.findings.length) lines.push("", `…and ${plural(result.findings.length - shown, "more finding")} not shown (comment size limit); run \`warden check\` for the full list.`);
  return lines.join("\n") + "\n";
}
