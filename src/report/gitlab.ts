// `--format gitlab`: GitLab Code Quality report (a JSON array of issues) for merge requests.
import type { CheckResult } from "../engine/types.js";
import { hash } from "../engine/fingerprint.js";
import { repoPath } from "./index.js";

const SEVERITY = { error: "major", warning: "minor", info: "info" } as const;

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
  return JSON.stringify(issues, null, 2) + "\n";
}
