// `warden check` as a CI job sees it: what --quiet reports and counts, SARIF URIs for file
// names that need encoding, --output into missing or unwritable places, and suppression
// comments in the places reviewers found them misread.
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { gateProject } from "../helpers/check-project.js";
import { REPO_ROOT, runWarden } from "../helpers/run.js";

/** The gate project with its DROP gone: one warning and one info finding, nothing failing. */
const warningsOnly = () => gateProject({ "migrations/002_drop.sql": "SELECT 2;\n" });

describe("--quiet", () => {
  it("counts only the reported findings in the json summary", async () => {
    const p = warningsOnly();
    const r = await runWarden(["check", "-q", "-f", "json"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      findings: [],
      summary: { files: 4, statements: 5, findings: 0, by_severity: { error: 0, warning: 0, info: 0 }, suppressed: 0, baselined: 0 },
    });
    const all = JSON.parse((await runWarden(["check", "-f", "json"], { cwd: p.dir, env: p.env })).stdout);
    expect(all.summary).toMatchObject({ findings: 2, by_severity: { error: 0, warning: 1, info: 1 } });
  });

  it("says no failing findings in markdown and junit", async () => {
    const p = warningsOnly();
    const md = await runWarden(["check", "-q", "-f", "markdown"], { cwd: p.dir, env: p.env });
    expect(md.stdout).toBe("<!-- warden-check -->\n### Warden check\n\n✅ No failing findings in 4 files (5 statements).\n");
    const junit = await runWarden(["check", "-q", "-f", "junit"], { cwd: p.dir, env: p.env });
    expect(junit.stdout).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="warden" tests="1" failures="0" errors="0">',
        '  <testsuite name="files without failing findings" tests="1" failures="0" errors="0">',
        '    <testcase name="4 files without failing findings" classname="warden"/>',
        "  </testsuite>",
        "</testsuites>",
        "",
      ].join("\n"),
    );
  });

  it("counts the failing findings it reports", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "-q", "-f", "markdown"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("**1 failing finding** (1 error, 0 warnings, 0 info) in 4 files checked (5 statements).");
  });
});

describe("sarif artifact URIs", () => {
  it("percent-encodes file names and validates against the 2.1.0 schema", async () => {
    const name = "migrations/my dir/V3 #1 100% café.sql";
    const p = gateProject({ [name]: "DROP TABLE t;\n" });
    symlinkSync(path.join(p.dir, "sql/missing target.sql"), path.join(p.dir, "sql/broken #2.sql"));
    const r = await runWarden(["check", "-f", "sarif"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    const log = JSON.parse(r.stdout);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(REPO_ROOT, "../shared/schemas/sarif-schema-2.1.0.json"), "utf8")));
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
    const run = log.runs[0];
    expect(run.results.map((x: { locations: { physicalLocation: { artifactLocation: unknown } }[] }) => x.locations[0]!.physicalLocation.artifactLocation)).toEqual([
      { uri: "migrations/002_drop.sql", uriBaseId: "%SRCROOT%" },
      { uri: "migrations/my%20dir/V3%20%231%20100%25%20caf%C3%A9.sql", uriBaseId: "%SRCROOT%" },
      { uri: "sql/cleanup.sql", uriBaseId: "%SRCROOT%" },
      { uri: "sql/report.sql", uriBaseId: "%SRCROOT%" },
    ]);
    // the URI resolves against %SRCROOT% to the file
    const base = run.originalUriBaseIds["%SRCROOT%"].uri;
    expect(decodeURIComponent(new URL(run.results[1].locations[0].physicalLocation.artifactLocation.uri, base).pathname)).toBe(path.join(p.dir, name));
    expect(run.invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "sql/broken%20%232.sql", uriBaseId: "%SRCROOT%" });
  });
});

describe("--output", () => {
  it("creates the missing directories of the report file", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "-f", "sarif", "-o", "reports/ci/warden.sarif"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(JSON.parse(readFileSync(path.join(p.dir, "reports/ci/warden.sarif"), "utf8")).runs[0].results).toHaveLength(3);
  });

  it("still prints the run's errors when the report cannot be written, with a help line, exit 2", async () => {
    const p = gateProject();
    symlinkSync(path.join(p.dir, "sql/missing-target.sql"), path.join(p.dir, "sql/broken.sql"));
    // a file stands where a directory of the path should be
    const r = await runWarden(["check", "-o", "sql/cleanup.sql/report.txt"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      [
        "sql/broken.sql: error: cannot read file: no such file or directory",
        "error: cannot write the report to `sql/cleanup.sql/report.txt`: a part of its path is a file, not a directory",
        "  = help: pass `--output` a file in a writable directory, or leave it out to print the report",
        "",
      ].join("\n"),
    );
    expect(existsSync(path.join(p.dir, "sql/cleanup.sql/report.txt"))).toBe(false);
  });
});

describe("suppression comments", () => {
  const check = async (sql: string) => {
    const p = gateProject({ "migrations/003.sql": sql });
    const r = await runWarden(["check", "-f", "json", "migrations/003.sql"], { cwd: p.dir, env: p.env });
    const out = JSON.parse(r.stdout) as { findings: { rule: string; line: number; column: number; end_column: number; message: string; help: string }[]; summary: { suppressed: number } };
    return { code: r.code, findings: out.findings.map((f) => `${f.line}:${f.column}-${f.end_column} ${f.rule}: ${f.message} (${f.help})`), suppressed: out.summary.suppressed };
  };

  it("does not take text in a multi-line string or a dollar-quoted string for a comment", async () => {
    const r = await check("INSERT INTO t (id, name) VALUES (1, '\n-- warden-ignore-file no-drop: not really a comment\n'), (2, $$\n-- warden-ignore-file no-drop: nor this\n$$);\nDROP TABLE t;\n");
    expect(r).toEqual({ code: 1, findings: ["6:12-13 no-drop: DROP TABLE t destroys data (Dropping tables)"], suppressed: 0 });
  });

  it("covers the next statement across blank lines and comments, and the statement on its own line", async () => {
    const r = await check(
      "-- warden-ignore no-drop: archived in OPS-1\n\nDROP TABLE a;\n-- warden-ignore no-drop: archived in OPS-2\n/* note */\nDROP TABLE b;\nDROP TABLE c; -- warden-ignore no-drop: archived in OPS-3\n-- WARDEN-IGNORE no-drop: archived in OPS-4\nDROP TABLE d;\n",
    );
    expect(r).toEqual({ code: 0, findings: [], suppressed: 4 });
  });

  it("reports a reason without its colon once, and a directive in a block comment not at all", async () => {
    const r = await check("-- warden-ignore no-drop archived in OPS-5\nDROP TABLE a;\n/* -- warden-ignore no-drop: commented out */\nDROP TABLE b;\n");
    expect(r).toEqual({
      code: 1,
      findings: [
        "1:26-43 suppression-without-reason: missing `:` between the rules and the reason of `warden-ignore` (write `-- warden-ignore no-drop: archived in OPS-5`)",
        "4:12-13 no-drop: DROP TABLE b destroys data (Dropping tables)",
      ],
      suppressed: 1,
    });
  });
});
