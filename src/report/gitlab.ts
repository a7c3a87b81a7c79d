// `--format gitlab`: GitLab Code Quality report (a JSON array of issues) for merge requests.
// A run error that names a file (an unreadable input) is a `blocker` issue on that file, so
// the merge request shows why the job failed; Code Quality issues need a path, so errors
// without one are only on stderr.
import type { CheckResult } from "../engine/types.js";
import { hash } from "../engine/fingerprint.js";
import { errorPath, repoPath } from "./index.js";

const SEVERITY: Record<"error" | "warning" | "info", string> = { error: "major", warning: "minor", info: "info" };

export function formatGitlab(result: CheckResult): string {
  // GitLab needs a unique fingerprint per issue: number repeats of the same key
  const seen = new Map<string, number>();
  const issues = result.findings.map((f) => {
    const p = repoPath(result, f);
    const base = `${f.rule}\0${p}\0${f.fingerprint}\0${f.message}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return {
      type: "issue",
      check_name: f.rule,
      description: f.message,
      content: { body: [f.help, f.doc].filter(Boolean).join("\n\n") },
      categories: ["Bug Risk"],
      fingerprint: hash(`${base}\0${n}`),
      severity: SEVERITY[f.severity],
      location: { path: p, lines: { begin: f.line, end: f.end_line } },
    };
  });
  for (const e of result.errors) {
    const p = errorPath(result, e);
    if (p === undefined) continue;
    const base = `${e.kind}-error\0${p}\0${e.message}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const line = e.line ?? 1;
    issues.push({
      type: "issue",
      check_name: `${e.kind === "read" ? "input" : e.kind}-error`,
      description: e.message,
      content: { body: e.help ?? "" },
      categories: ["Bug Risk"],
      fingerprint: hash(`${base}\0${n}`),
      severity: "blocker",
      location: { path: p, lines: { begin: line, end: line } },
    });
  }
  return JSON.stringify(issues, null, 2) + "\n";
}
