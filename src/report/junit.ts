// `--format junit`: JUnit XML for CI test reports. One testsuite per file, one testcase per
// rule and statement; findings that fail the run (per fail-on) are <failure> elements.
// Files are named from the repository root when there is one, as the other CI formats do.
import { findingFails, type CheckFinding, type CheckResult } from "../engine/types.js";
import { errorPath, plural, repoPath, type ReportOptions } from "./index.js";

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
}

export function formatJunit(result: CheckResult, opts: ReportOptions = {}): string {
  const byFile = new Map<string, CheckFinding[]>();
  for (const f of result.findings) {
    const file = repoPath(result, f);
    const list = byFile.get(file) ?? [];
    list.push(f);
    byFile.set(file, list);
  }
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const [file, findings] of byFile) {
    const cases = new Map<string, CheckFinding[]>();
    for (const f of findings) {
      const k = `${f.rule}\0${f.statement}`;
      const list = cases.get(k) ?? [];
      list.push(f);
      cases.set(k, list);
    }
    let suiteFailures = 0;
    const body: string[] = [];
    for (const group of cases.values()) {
      const first = group[0]!;
      const name = `${first.rule} (line ${first.line})`;
      const details = group.map((f) => `${file}:${f.line}:${f.column}: ${f.severity}: ${f.message}${f.help ? `\nhelp: ${f.help}` : ""}${f.doc ? `\ndocs: ${f.doc}` : ""}`).join("\n\n");
      const failing = group.some((f) => findingFails(result, f));
      const open = `    <testcase name="${xmlEscape(name)}" classname="${xmlEscape(file)}" file="${xmlEscape(file)}" line="${first.line}">`;
      if (failing) {
        suiteFailures++;
        const worst = group.find((f) => findingFails(result, f))!;
        body.push(`${open}\n      <failure message="${xmlEscape(worst.message)}" type="${worst.severity}">${xmlEscape(details)}</failure>\n    </testcase>`);
      } else {
        body.push(`${open}\n      <system-out>${xmlEscape(details)}</system-out>\n    </testcase>`);
      }
    }
    tests += cases.size;
    failures += suiteFailures;
    suites.push(`  <testsuite name="${xmlEscape(file)}" tests="${cases.size}" failures="${suiteFailures}" errors="0">\n${body.join("\n")}\n  </testsuite>`);
  }
  // files without findings still show up as one passed test (--quiet reports only failing ones)
  const clean = result.summary.files - byFile.size;
  if (clean > 0) {
    tests += 1;
    const without = opts.quiet ? "without failing findings" : "without findings";
    suites.push(`  <testsuite name="files ${without}" tests="1" failures="0" errors="0">\n    <testcase name="${plural(clean, "file")} ${without}" classname="warden"/>\n  </testsuite>`);
  }
  // unreadable input and config problems are test errors, not failures
  if (result.errors.length > 0) {
    tests += result.errors.length;
    const cases = result.errors.map(
      (e) => `    <testcase name="${xmlEscape(errorPath(result, e) ?? e.kind)}" classname="warden">\n      <error message="${xmlEscape(e.message)}" type="${e.kind}">${xmlEscape(e.rendered)}</error>\n    </testcase>`,
    );
    suites.push(`  <testsuite name="warden errors" tests="${cases.length}" failures="0" errors="${cases.length}">\n${cases.join("\n")}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="warden" tests="${tests}" failures="${failures}" errors="${result.errors.length}">\n${suites.join("\n")}\n</testsuites>\n`;
}
