// Picks a reporter for `--format` and loads only that one (dynamic import keeps start-up lean).
import type { CheckError, CheckFinding, CheckResult } from "../engine/types.js";
import { findingFails, fromRepoRoot } from "../engine/types.js";

export const FORMATS = ["pretty", "json", "sarif", "github", "junit", "gitlab", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

export interface ReportOptions {
  /** Colour the pretty format (the CLI decides: TTY and no NO_COLOR). */
  color?: boolean;
  /** Only findings that fail the run (per fail-on). */
  quiet?: boolean;
}

export async function formatReport(result: CheckResult, format: Format, opts: ReportOptions = {}): Promise<string> {
  const view = opts.quiet ? onlyFailing(result) : result;
  switch (format) {
    case "pretty":
      return (await import("./pretty.js")).formatPretty(view, opts);
    case "json":
      return (await import("./json.js")).formatJson(view);
    case "sarif":
      return (await import("./sarif.js")).formatSarif(view);
    case "github":
      return (await import("./github.js")).formatGithub(view);
    case "junit":
      return (await import("./junit.js")).formatJunit(view, opts);
    case "gitlab":
      return (await import("./gitlab.js")).formatGitlab(view);
    case "markdown":
      return (await import("./markdown.js")).formatMarkdown(view, opts);
  }
}

/**
 * The result as `--quiet` reports it: only the failing findings, and a summary that counts
 * those (files and statements still count what was checked).
 */
function onlyFailing(result: CheckResult): CheckResult {
  const findings = result.findings.filter((f) => findingFails(result, f));
  const by_severity = { error: 0, warning: 0, info: 0 };
  for (const f of findings) by_severity[f.severity]++;
  return { ...result, findings, summary: { ...result.summary, findings: findings.length, by_severity } };
}

/**
 * A finding's path as CI systems want it: relative to the git work tree when there is one
 * (GitHub and GitLab resolve paths from the repository root), else as reported.
 */
export function repoPath(result: CheckResult, f: Pick<CheckFinding, "file">): string {
  return fromRepoRoot(f.file, result);
}

/**
 * The file of a run error as CI systems want it: an unreadable input and a config error are
 * named relative to the base directory, as findings are, so they get the same repository
 * path; policy errors keep the path they print.
 */
export function errorPath(result: CheckResult, e: CheckError): string | undefined {
  if (e.file === undefined) return undefined;
  return e.kind === "read" || e.kind === "config" ? repoPath(result, { file: e.file }) : e.file;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
