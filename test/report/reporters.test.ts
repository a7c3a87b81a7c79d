import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/engine/types.js";
import { escapeData, escapeProperty } from "../../src/report/github.js";
import { formatReport } from "../../src/report/index.js";
import { REPO_ROOT } from "../helpers/run.js";

const SQL = "CREATE TABLE t (id int);\nDROP TABLE customers;\nSELECT * FROM users\n  WHERE note = 'a,b: 50%';\n";

function result(over: Partial<CheckResult> = {}): CheckResult {
  return {
    findings: [
      {
        rule: "ban-drop-table",
        severity: "error",
        message: "DROP TABLE `customers` destroys data",
        file: "migrations/002_drop.sql",
        line: 2,
        column: 1,
        end_line: 2,
        end_column: 21,
        help: "archive the table first",
        doc: "https://warden.dev/rules/ban-drop-table",
        statement: 1,
        fingerprint: "00112233aabbccdd",
      },
      {
        rule: "select-star",
        severity: "warning",
        message: "select * reads <every> column, 50%: a\nb",
        file: "retraining/x,y.sql",
        line: 3,
        column: 8,
        end_line: 3,
        end_column: 9,
        help: "",
        doc: "https://warden.dev/rules/select-star",
        statement: 2,
        fingerprint: "ffeeddccbbaa9988",
      },
    ],
    summary: { files: 3, statements: 7, findings: 2, by_severity: { error: 1, warning: 1, info: 0 }, suppressed: 1, baselined: 0 },
    rules: [
      { id: "ban-drop-table", title: "Dropping a table destroys its data", severity: "error", help: "archive the table first", doc: "https://warden.dev/rules/ban-drop-table" },
      { id: "select-star", title: "select * in retraining SQL", severity: "warning", help: "name the columns", doc: "https://warden.dev/rules/select-star" },
      { id: "parse-error", title: "SQL that does not parse", severity: "error", help: "fix the syntax", doc: "https://warden.dev/rules/parse-error" },
    ],
    errors: [],
    notes: [],
    failOn: "error",
    exitCode: 1,
    baseDir: "/repo/db",
    repoRoot: "/repo",
    sources: new Map([["migrations/002_drop.sql", SQL]]),
    ...over,
  };
}

describe("json", () => {
  it("prints exactly the documented shape", async () => {
    const out = JSON.parse(await formatReport(result(), "json"));
    expect(Object.keys(out)).toEqual(["findings", "summary"]);
    expect(out.findings[0]).toEqual({
      rule: "ban-drop-table",
      severity: "error",
      message: "DROP TABLE `customers` destroys data",
      file: "migrations/002_drop.sql",
      line: 2,
      column: 1,
      end_line: 2,
      end_column: 21,
      help: "archive the table first",
      doc: "https://warden.dev/rules/ban-drop-table",
    });
    expect(out.summary).toEqual({ files: 3, statements: 7, findings: 2, by_severity: { error: 1, warning: 1, info: 0 }, suppressed: 1, baselined: 0 });
  });

  it("--quiet keeps only failing findings, and the summary counts those", async () => {
    const out = JSON.parse(await formatReport(result(), "json", { quiet: true }));
    expect(out.findings.map((f: { rule: string }) => f.rule)).toEqual(["ban-drop-table"]);
    // files and statements still count what was checked
    expect(out.summary).toEqual({ files: 3, statements: 7, findings: 1, by_severity: { error: 1, warning: 0, info: 0 }, suppressed: 1, baselined: 0 });
  });
});

describe("--quiet without failing findings", () => {
  const warningsOnly = () => {
    const r = result();
    r.findings = r.findings.filter((f) => f.severity === "warning");
    r.summary = { ...r.summary, findings: 1, by_severity: { error: 0, warning: 1, info: 0 } };
    return r;
  };

  it("counts nothing in the json summary", async () => {
    const out = JSON.parse(await formatReport(warningsOnly(), "json", { quiet: true }));
    expect(out).toEqual({ findings: [], summary: { files: 3, statements: 7, findings: 0, by_severity: { error: 0, warning: 0, info: 0 }, suppressed: 1, baselined: 0 } });
  });

  it("says there are no failing findings in markdown and junit", async () => {
    expect(await formatReport(warningsOnly(), "markdown", { quiet: true })).toBe(
      "<!-- warden-check -->\n### Warden check\n\n✅ No failing findings in 3 files (7 statements).\n\nNot shown: 1 suppressed.\n",
    );
    const xml = await formatReport(warningsOnly(), "junit", { quiet: true });
    expect(xml).toContain('<testsuite name="files without failing findings" tests="1" failures="0" errors="0">\n    <testcase name="3 files without failing findings" classname="warden"/>');
    expect(xml).not.toContain("files without findings");
    // without --quiet the warning is reported and counted
    expect(await formatReport(warningsOnly(), "markdown")).toContain("**1 finding** (0 errors, 1 warning, 0 info) in 3 files checked (7 statements).");
  });

  it("counts only the failing findings in markdown", async () => {
    expect(await formatReport(result(), "markdown", { quiet: true })).toContain("**1 failing finding** (1 error, 0 warnings, 0 info) in 3 files checked (7 statements).");
  });
});

describe("sarif", () => {
  it("validates against the SARIF 2.1.0 schema, with rules, regions and fingerprints", async () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, "../shared/schemas/sarif-schema-2.1.0.json"), "utf8"));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(await formatReport(result(), "sarif"));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(["ban-drop-table", "parse-error", "select-star"]);
    expect(run.tool.driver.rules[0]).toMatchObject({
      helpUri: "https://warden.dev/rules/ban-drop-table",
      shortDescription: { text: "Dropping a table destroys its data" },
      defaultConfiguration: { level: "error" },
    });
    expect(run.results[0]).toMatchObject({
      ruleId: "ban-drop-table",
      ruleIndex: 0,
      level: "error",
      locations: [{ physicalLocation: { artifactLocation: { uri: "db/migrations/002_drop.sql", uriBaseId: "%SRCROOT%" }, region: { startLine: 2, startColumn: 1, endLine: 2, endColumn: 21 } } }],
    });
    expect(run.results[1]).toMatchObject({ ruleId: "select-star", ruleIndex: 2, level: "warning" });
    expect(run.results[0].partialFingerprints["wardenFinding/v1"]).toMatch(/^[0-9a-f]{16}$/);
    expect(run.results[0].partialFingerprints["wardenFinding/v1"]).not.toBe(run.results[1].partialFingerprints["wardenFinding/v1"]);
    // a finding that moves keeps its fingerprint
    const moved = result();
    moved.findings[0] = { ...moved.findings[0]!, line: 40, end_line: 40 };
    const again = JSON.parse(await formatReport(moved, "sarif"));
    expect(again.runs[0].results[0].partialFingerprints).toEqual(run.results[0].partialFingerprints);
  });

  it("percent-encodes artifact URIs, from the repository root, and still validates", async () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, "../shared/schemas/sarif-schema-2.1.0.json"), "utf8"));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const r = result({
      errors: [
        { kind: "read", message: "cannot read file: permission denied", file: "migrations/my dir/V2 100%.sql", rendered: "" },
        { kind: "read", message: "cannot read file: permission denied", file: "../../elsewhere/x#1.sql", rendered: "" },
      ],
    });
    r.findings[0] = { ...r.findings[0]!, file: "migrations/my dir/V1 #1 100% café.sql" };
    const log = JSON.parse(await formatReport(r, "sarif"));
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: "db/migrations/my%20dir/V1%20%231%20100%25%20caf%C3%A9.sql", uriBaseId: "%SRCROOT%" });
    expect(log.runs[0].invocations[0].toolExecutionNotifications.map((n: { locations: { physicalLocation: { artifactLocation: unknown } }[] }) => n.locations[0]!.physicalLocation.artifactLocation)).toEqual([
      // relative to the repository root, like the results
      { uri: "db/migrations/my%20dir/V2%20100%25.sql", uriBaseId: "%SRCROOT%" },
      // outside the repository: an absolute file URI
      { uri: "file:///elsewhere/x%231.sql" },
    ]);
  });

  it("reports input errors as tool notifications and still validates", async () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, "../shared/schemas/sarif-schema-2.1.0.json"), "utf8"));
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    const r = result({ errors: [{ kind: "read", message: "cannot read `x.sql`: is a directory", file: "x.sql", rendered: "" }] });
    const log = JSON.parse(await formatReport(r, "sarif"));
    expect(ajv.validate(schema, log)).toBe(true);
    expect(log.runs[0].invocations[0]).toMatchObject({ executionSuccessful: false, toolExecutionNotifications: [{ level: "error", message: { text: "cannot read `x.sql`: is a directory" } }] });
  });
});

describe("github", () => {
  it("escapes data and properties as the runner expects", () => {
    expect(escapeData("50% a\r\nb")).toBe("50%25 a%0D%0Ab");
    expect(escapeProperty("a,b: c%")).toBe("a%2Cb%3A c%25");
  });

  it("prints one exact workflow command per finding, paths from the repo root", async () => {
    const out = await formatReport(result(), "github");
    expect(out).toBe(
      "::error file=db/migrations/002_drop.sql,line=2,col=1,endLine=2,endColumn=21,title=warden ban-drop-table::DROP TABLE `customers` destroys data%0Aarchive the table first%0Ahttps://warden.dev/rules/ban-drop-table\n" +
        "::warning file=db/retraining/x%2Cy.sql,line=3,col=8,endLine=3,endColumn=9,title=warden select-star::select * reads <every> column, 50%25: a%0Ab%0Ahttps://warden.dev/rules/select-star\n",
    );
  });
});

describe("junit", () => {
  it("parses back: one testsuite per file (from the repo root), a testcase per rule and statement, failures per fail-on", async () => {
    const xml = await formatReport(result(), "junit");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase"].includes(name) }).parse(xml);
    const suites = doc.testsuites.testsuite;
    expect(doc.testsuites).toMatchObject({ name: "warden", tests: "3", failures: "1" });
    expect(suites.map((s: { name: string }) => s.name)).toEqual(["db/migrations/002_drop.sql", "db/retraining/x,y.sql", "files without findings"]);
    const drop = suites[0].testcase[0];
    expect(drop).toMatchObject({ name: "ban-drop-table (line 2)", classname: "db/migrations/002_drop.sql", file: "db/migrations/002_drop.sql" });
    expect(drop.failure["#text"]).toMatch(/^db\/migrations\/002_drop\.sql:2:1: error: /);
    // without a repository, the paths as reported
    expect(await formatReport(result({ repoRoot: undefined }), "junit")).toContain('<testcase name="ban-drop-table (line 2)" classname="migrations/002_drop.sql" file="migrations/002_drop.sql" line="2">');
    expect(drop.failure).toMatchObject({ type: "error", message: "DROP TABLE `customers` destroys data" });
    // a warning under fail-on error passes, its text kept (escaped <every> comes back intact)
    const star = suites[1].testcase[0];
    expect(star.failure).toBeUndefined();
    expect(star["system-out"]).toContain("select * reads <every> column, 50%: a\nb");
  });

  it("names an unreadable file from the repo root in its error test case", async () => {
    const errors = [{ kind: "read" as const, message: "cannot read file: permission denied", file: "migrations/003.sql", rendered: "migrations/003.sql: error: cannot read file: permission denied" }];
    const xml = await formatReport(result({ errors }), "junit");
    expect(xml).toContain('<testcase name="db/migrations/003.sql" classname="warden">\n      <error message="cannot read file: permission denied" type="read">');
  });

  it("fails warnings too under fail-on warning", async () => {
    const xml = await formatReport(result({ failOn: "warning" }), "junit");
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml);
    expect(doc.testsuites.failures).toBe("2");
  });
});

describe("github run errors", () => {
  it("adds an ::error per run error, with its file and position when it has them, escaped", async () => {
    const errors = [
      { kind: "read" as const, message: "cannot read file: invalid UTF-8 (byte 0xe9)", file: "migrations/x,1.sql", line: 3, column: 7, help: "save it as UTF-8: 100% of\nit", rendered: "" },
      { kind: "read" as const, message: "cannot read file: permission denied", file: "migrations/004.sql", rendered: "" },
      { kind: "usage" as const, message: "cannot read baseline `b.json`: no such file or directory", help: "write one with `warden check --write-baseline b.json`", rendered: "" },
    ];
    const out = await formatReport(result({ findings: [], errors }), "github");
    expect(out).toBe(
      "::error file=db/migrations/x%2C1.sql,line=3,col=7,title=warden input error::cannot read file: invalid UTF-8 (byte 0xe9)%0Asave it as UTF-8: 100%25 of%0Ait\n" +
        "::error file=db/migrations/004.sql,title=warden input error::cannot read file: permission denied\n" +
        "::error title=warden usage error::cannot read baseline `b.json`: no such file or directory%0Awrite one with `warden check --write-baseline b.json`\n",
    );
  });
});

describe("gitlab", () => {
  it("prints Code Quality issues with unique fingerprints and repo paths", async () => {
    const issues = JSON.parse(await formatReport(result(), "gitlab"));
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({
      description: "DROP TABLE `customers` destroys data",
      check_name: "ban-drop-table",
      severity: "major",
      location: { path: "db/migrations/002_drop.sql", lines: { begin: 2 } },
    });
    expect(issues[1]).toMatchObject({ severity: "minor", location: { path: "db/retraining/x,y.sql", lines: { begin: 3 } } });
    expect(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(2);
  });

  it("reports an unreadable file as a blocker issue on it; an error without a file is left to stderr", async () => {
    const errors = [
      { kind: "read" as const, message: "cannot read file: invalid UTF-8", file: "migrations/005.sql", line: 4, column: 2, help: "save it as UTF-8", rendered: "" },
      { kind: "usage" as const, message: "cannot read baseline `b.json`: no such file or directory", rendered: "" },
    ];
    const issues = JSON.parse(await formatReport(result({ errors }), "gitlab"));
    expect(issues).toHaveLength(3);
    expect(issues[2]).toEqual({
      type: "issue",
      check_name: "input-error",
      description: "cannot read file: invalid UTF-8",
      content: { body: "save it as UTF-8" },
      categories: ["Bug Risk"],
      fingerprint: expect.stringMatching(/^[0-9a-f]+$/),
      severity: "blocker",
      location: { path: "db/migrations/005.sql", lines: { begin: 4, end: 4 } },
    });
    expect(new Set(issues.map((i: { fingerprint: string }) => i.fingerprint)).size).toBe(3);
  });
});

describe("markdown", () => {
  it("prints a marker, a summary and an escaped table", async () => {
    const md = await formatReport(result(), "markdown");
    const lines = md.split("\n");
    expect(lines[0]).toBe("<!-- warden-check -->");
    expect(md).toContain("**2 findings** (1 error, 1 warning, 0 info) in 3 files checked (7 statements).");
    expect(md).toContain("| 🔴 error | [`ban-drop-table`](https://warden.dev/rules/ban-drop-table) | `db/migrations/002_drop.sql:2` | DROP TABLE `customers` destroys data |");
    expect(md).toContain("| 🟡 warning | [`select-star`](https://warden.dev/rules/select-star) | `db/retraining/x,y.sql:3` | select * reads &lt;every&gt; column, 50%: a<br>b |");
  });

  it("stops the table under GitHub's comment limit and says how many it left out", async () => {
    const many = result();
    const f = many.findings[0]!;
    many.findings = Array.from({ length: 2000 }, (_, i) => ({ ...f, line: i + 1, message: `${f.message} ${"x".repeat(40)}` }));
    const md = await formatReport(many, "markdown");
    expect(md.length).toBeLessThan(65_536);
    const rows = md.split("\n").filter((l) => l.startsWith("| 🔴")).length;
    expect(rows).toBeGreaterThan(100);
    expect(rows).toBeLessThan(2000);
    expect(md).toContain(`…and ${2000 - rows} more findings not shown (comment size limit); run \`warden check\` for the full list.`);
  });

  it("says so when there is nothing to report", async () => {
    const md = await formatReport(result({ findings: [], summary: { files: 2, statements: 4, findings: 0, by_severity: { error: 0, warning: 0, info: 0 }, suppressed: 0, baselined: 0 } }), "markdown");
    expect(md).toBe("<!-- warden-check -->\n### Warden check\n\n✅ No findings in 2 files (4 statements).\n");
  });

  it("gives no tick when input errors fail a run without findings, and lists them", async () => {
    // named from the base directory (/repo/db), as findings are; listed from the repository root
    const errors = [{ kind: "read" as const, message: "cannot read file: permission denied", file: "a.sql", rendered: "a.sql: error: cannot read file: permission denied" }];
    const md = await formatReport(result({ findings: [], errors, summary: { files: 1, statements: 2, findings: 0, by_severity: { error: 0, warning: 0, info: 0 }, suppressed: 0, baselined: 0 } }), "markdown");
    expect(md).toBe("<!-- warden-check -->\n### Warden check\n\nNo findings in 1 file (2 statements).\n\n⚠️ 1 input error:\n\n- db/a.sql: cannot read file: permission denied\n");
  });
});

describe("junit without findings", () => {
  it("counts the clean files in words that agree with the number", async () => {
    const summary = (files: number) => ({ files, statements: 4, findings: 0, by_severity: { error: 0, warning: 0, info: 0 }, suppressed: 0, baselined: 0 });
    expect(await formatReport(result({ findings: [], summary: summary(1) }), "junit")).toContain('<testcase name="1 file without findings" classname="warden"/>');
    expect(await formatReport(result({ findings: [], summary: summary(3) }), "junit")).toContain('<testcase name="3 files without findings" classname="warden"/>');
  });
});

describe("pretty", () => {
  it("groups by file, draws a caret under the span, and ends with a summary", async () => {
    const out = await formatReport(result(), "pretty");
    expect(out).toBe(
      [
        "migrations/002_drop.sql (1 finding)",
        "migrations/002_drop.sql:2:1: error[ban-drop-table]: DROP TABLE `customers` destroys data",
        "  |",
        "2 | DROP TABLE customers;",
        "  | ^^^^^^^^^^^^^^^^^^^^",
        "  = help: archive the table first",
        "  = docs: https://warden.dev/rules/ban-drop-table",
        "",
        "retraining/x,y.sql (1 finding)",
        "retraining/x,y.sql:3:8: warning[select-star]: select * reads <every> column, 50%: a\nb",
        "  = docs: https://warden.dev/rules/select-star",
        "",
        "warden: 2 findings (1 error, 1 warning) in 3 files, 7 statements (1 suppressed); 1 at or above error: failing",
        "",
      ].join("\n"),
    );
  });

  it("uses colour only when asked", async () => {
    expect(await formatReport(result(), "pretty")).not.toMatch(/\x1b\[/);
    expect(await formatReport(result(), "pretty", { color: true })).toMatch(/\x1b\[31m/);
  });
});
