import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { GATE_POLICY, gateProject, gitIn, makeProject, requiredColumnRule } from "../helpers/check-project.js";
import { REPO_ROOT, runWarden } from "../helpers/run.js";

const json = (s: string) => JSON.parse(s) as { findings: Record<string, unknown>[]; summary: Record<string, unknown> };
const brief = (fs: Record<string, unknown>[]) => fs.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column}-${f.end_line}:${f.end_column}`);

describe("warden check on the bundled example", () => {
  it("fires every rule family, passes the safe files, and exits 1", async () => {
    const r = await runWarden(["check", "examples/acme", "--format", "json"]);
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    const got = brief(out.findings);
    for (const want of [
      "adding-required-column error migrations/V3__add_loyalty_tier.sql:3:34-3:46",
      "require-concurrent-index error migrations/V3__add_loyalty_tier.sql:5:14-5:33",
      // severity overridden to info in warden.config.yaml
      "require-lock-timeout info migrations/V3__add_loyalty_tier.sql:3:1-3:60",
      "suppression-without-reason warning migrations/V4__retire_legacy_orders.sql:6:1-6:30",
      "unbounded-write error migrations/V5__backfill_and_cleanup.sql:4:8-4:17",
      "parse-error error migrations/V5__backfill_and_cleanup.sql:10:41-10:47",
      "pii-export error migrations/V6__export_customers.sql:2:18-2:23",
      "pii-unmasked-read error retraining/ltv_training_set.sql:4:5-4:12",
      "unused-suppression warning retraining/ltv_training_set.sql:8:18-8:35",
      "retraining-scope error retraining/raw_snapshot.sql:2:15-2:24",
      "dbt-pii-untagged error dbt/models/marts/customer_contacts.sql:6:5-6:12",
    ]) {
      expect(got).toContain(want);
    }
    const files = new Set(out.findings.map((f) => f.file));
    // safe files, the suppressed DROP, and the excluded scratch directory stay quiet
    for (const quiet of ["migrations/V1__create_customers.sql", "migrations/V2__index_orders_placed_at.sql", "retraining/churn_features.sql", "dbt/models/marts/customer_segments.sql", "scratch/try.sql"]) {
      expect(files.has(quiet)).toBe(false);
    }
    expect(out.findings.some((f) => f.rule === "ban-drop-table" || f.rule === "ban-truncate")).toBe(false);
    expect(out.summary).toMatchObject({ files: 13, suppressed: 2, baselined: 0 });
    const parse = out.findings.find((f) => f.rule === "parse-error")!;
    expect(parse.message).toBe('cannot parse statement: syntax error at or near "DEFALT"');
  });

  it("prints code frames and a summary in the pretty format", async () => {
    const r = await runWarden(["check", "examples/acme"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      [
        "migrations/V5__backfill_and_cleanup.sql:10:41: error[parse-error]: cannot parse statement: syntax error at or near \"DEFALT\"",
        "   |",
        "10 | ALTER TABLE orders ADD COLUMN note text DEFALT '';",
        "   |                                         ^^^^^^",
        // the `=` lines stay under the `|` of a two-digit gutter
        "   = help: fix the statement; nothing else is checked in a statement Warden cannot parse",
        "   = docs: https://warden.dev/rules/parse-error",
      ].join("\n"),
    );
    expect(r.stdout).toMatch(/\nwarden: \d+ findings \(\d+ errors, 2 warnings, \d+ info\) in 13 files, \d+ statements \(2 suppressed\); \d+ at or above error: failing\n$/);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });
});

describe("warden check with a policy of its own", () => {
  it("compiles the policy, caches it by content hash, and reports exact findings", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out.findings).toEqual([
      {
        rule: "no-drop",
        severity: "error",
        message: "DROP TABLE old_orders destroys data",
        file: "migrations/002_drop.sql",
        line: 2,
        column: 12,
        end_line: 2,
        end_column: 22,
        help: "Dropping tables",
        doc: "https://example.test/rules/no-drop",
      },
      {
        rule: "pii-read",
        severity: "info",
        message: "reads PII column customers.email",
        file: "sql/report.sql",
        line: 2,
        column: 8,
        end_line: 2,
        end_column: 13,
        help: "Reading PII",
        doc: "",
      },
      {
        rule: "truncate-blocked",
        severity: "warning",
        message: "TRUNCATE customers empties a blocked table",
        file: "sql/cleanup.sql",
        line: 3,
        column: 10,
        end_line: 3,
        end_column: 19,
        help: "Truncating a table that the team has listed in blocked_tables.",
        doc: "",
      },
    ].sort((a, b) => (a.file < b.file ? -1 : 1)));
    expect(out.summary).toEqual({ files: 4, statements: 5, findings: 3, by_severity: { error: 1, warning: 1, info: 1 }, suppressed: 0, baselined: 0 });
    const cached = readdirSync(path.join(p.env.XDG_CACHE_HOME!, "warden")).filter((f) => f !== "results");
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatch(/^[0-9a-f]{32}\.tar\.gz$/);
    // the second run takes the cached bundle and gives the same answer
    const again = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(again.stdout).toBe(r.stdout);
  });

  it("passes configuration to the policy as data: classifications, constants, severities", async () => {
    const p = gateProject(
      { "sql/phones.sql": "SELECT phone FROM customers;\nTRUNCATE orders;\n" },
      ["policies: [policy/gate.warden]", "classifications:", "  pii: ['*.phone']", "constants:", "  blocked_tables: [orders]", "rules:", "  no-drop: warning", "  pii-read: off"].join("\n"),
    );
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(0);
    expect(brief(json(r.stdout).findings)).toEqual(["no-drop warning migrations/002_drop.sql:2:12-2:22", "truncate-blocked warning sql/phones.sql:2:10-2:16"]);
  });

  it("reports a policy that does not compile with its code frame, exit 2", async () => {
    const p = makeProject({ "bad.warden": "policy x\n\nrule r {\n  title \"t\"\n  on migration\n  when statement.knd == \"x\"\n  deny \"m\"\n}\n", "a.sql": "SELECT 1;\n" });
    const r = await runWarden(["check", "--policy", "bad.warden", "a.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^bad\.warden:6:18: error\[W0301\]: /);
    expect(r.stderr).toContain("6 |   when statement.knd == \"x\"");
  });

  it("uses a prebuilt bundle given with --policy", async () => {
    const p = makeProject({ "migrations/1.sql": "DROP TABLE t;\n" });
    const r = await runWarden(["check", "--policy", path.join(REPO_ROOT, "dist/builtin.bundle.tar.gz"), "--format", "json", "migrations"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
    expect(brief(json(r.stdout).findings)).toContain("ban-drop-table error migrations/1.sql:1:12-1:13");
  });
});

describe("the evaluation worker", () => {
  it("gives byte-identical output to a single-threaded run on the real migration corpus", async () => {
    const corpus = path.join(REPO_ROOT, "../shared/corpus/migrations");
    const two = await runWarden(["check", "--format", "json", "--fail-on", "never", "--no-cache", corpus], { env: { WARDEN_TIMING: "1" } });
    const one = await runWarden(["check", "--format", "json", "--fail-on", "never", "--no-cache", corpus], { env: { WARDEN_THREADS: "1", WARDEN_TIMING: "1" } });
    expect(two.code).toBe(0);
    // the worker took part (and did not fail over to this thread); WARDEN_THREADS=1 kept it out
    expect(two.stderr).toMatch(/^timing: evaluate \(\d+ files on the worker\) /m);
    expect(one.stderr).toMatch(/^timing: evaluate [\d.]+ ms$/m);
    const out = json(two.stdout);
    // enough files for the worker to take part (64 or more)
    expect(out.summary.files).toBeGreaterThan(800);
    expect(out.findings.length).toBeGreaterThan(1000);
    expect(two.stdout).toBe(one.stdout);
    // and to a run answered from the result cache
    const cacheDir = mkdtempSync(path.join(tmpdir(), "warden-results-"));
    const filling = await runWarden(["check", "--format", "json", "--fail-on", "never", "--cache-dir", cacheDir, corpus]);
    const answered = await runWarden(["check", "--format", "json", "--fail-on", "never", "--cache-dir", cacheDir, corpus], { env: { WARDEN_TIMING: "1" } });
    expect(answered.stderr).toMatch(/^timing: cache \((\d+) of \1 files known\)/m);
    expect(filling.stdout).toBe(two.stdout);
    expect(answered.stdout).toBe(two.stdout);
  });
});

describe("output formats", () => {
  it("writes SARIF that validates against the 2.1.0 schema", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--format", "sarif"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, "../shared/schemas/sarif-schema-2.1.0.json"), "utf8"));
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(r.stdout);
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
    const results = log.runs[0].results;
    expect(results.map((x: { ruleId: string; level: string }) => `${x.ruleId}:${x.level}`)).toEqual(["no-drop:error", "truncate-blocked:warning", "pii-read:note"]);
    expect(results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "migrations/002_drop.sql", uriBaseId: "%SRCROOT%" },
      region: { startLine: 2, startColumn: 12, endLine: 2, endColumn: 22 },
    });
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.find((x: { id: string }) => x.id === "no-drop")).toMatchObject({ helpUri: "https://example.test/rules/no-drop", defaultConfiguration: { level: "error" } });
    expect(rules.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining(["parse-error", "unused-suppression", "suppression-without-reason"]));
  });

  it("writes exact GitHub workflow commands", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--format", "github"], { cwd: p.dir, env: p.env });
    expect(r.stdout).toBe(
      [
        "::error file=migrations/002_drop.sql,line=2,col=12,endLine=2,endColumn=22,title=warden no-drop::DROP TABLE old_orders destroys data%0ADropping tables%0Ahttps://example.test/rules/no-drop",
        "::warning file=sql/cleanup.sql,line=3,col=10,endLine=3,endColumn=19,title=warden truncate-blocked::TRUNCATE customers empties a blocked table%0ATruncating a table that the team has listed in blocked_tables.",
        "::notice file=sql/report.sql,line=2,col=8,endLine=2,endColumn=13,title=warden pii-read::reads PII column customers.email%0AReading PII",
        "",
      ].join("\n"),
    );
  });

  it("writes JUnit XML that parses back", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--format", "junit", "--output", "report.xml"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "testsuite" || n === "testcase" }).parse(readFileSync(path.join(p.dir, "report.xml"), "utf8"));
    const suites = doc.testsuites.testsuite as { name: string; failures: string; testcase: { name: string; failure?: { type: string } }[] }[];
    expect(suites.map((s) => [s.name, s.failures])).toEqual([
      ["migrations/002_drop.sql", "1"],
      ["sql/cleanup.sql", "0"],
      ["sql/report.sql", "0"],
      ["files without findings", "0"],
    ]);
    expect(suites[0]!.testcase[0]).toMatchObject({ name: "no-drop (line 2)", failure: { type: "error" } });
  });

  it("writes GitLab Code Quality and Markdown", async () => {
    const p = gateProject();
    const gl = JSON.parse((await runWarden(["check", "--format", "gitlab"], { cwd: p.dir, env: p.env })).stdout);
    expect(gl.map((i: { check_name: string; severity: string; location: { path: string; lines: { begin: number } } }) => [i.check_name, i.severity, i.location.path, i.location.lines.begin])).toEqual([
      ["no-drop", "major", "migrations/002_drop.sql", 2],
      ["truncate-blocked", "minor", "sql/cleanup.sql", 3],
      ["pii-read", "info", "sql/report.sql", 2],
    ]);
    const md = (await runWarden(["check", "--format", "markdown"], { cwd: p.dir, env: p.env })).stdout;
    expect(md).toContain("| 🔴 error | [`no-drop`](https://example.test/rules/no-drop) | `migrations/002_drop.sql:2` | DROP TABLE old_orders destroys data |");
  });

  // `script` gives the command a terminal, as a user at a shell has
  it.skipIf(!existsSync("/usr/bin/script"))("colours pretty output on a terminal, never with NO_COLOR", () => {
    const run = (env: Record<string, string | undefined>) => {
      const { NO_COLOR: _drop, ...rest } = process.env;
      return execFileSync("/usr/bin/script", ["-qec", `${process.execPath} bin/warden.js check examples/acme/migrations/V3__add_loyalty_tier.sql`, "/dev/null"], {
        cwd: REPO_ROOT,
        env: { ...rest, ...env },
        encoding: "utf8",
      });
    };
    let coloured = "";
    try {
      run({});
    } catch (err) {
      coloured = String((err as { stdout?: string }).stdout); // exit 1: failing findings
    }
    expect(coloured).toContain("\x1b[31m");
    expect(coloured).toContain("error[require-concurrent-index]");
    let plain = "";
    try {
      run({ NO_COLOR: "1" });
    } catch (err) {
      plain = String((err as { stdout?: string }).stdout);
    }
    expect(plain).toContain("error[require-concurrent-index]");
    expect(plain).not.toMatch(/\x1b\[/);
  });

  it("--quiet shows only failing findings", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--quiet"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[no-drop]");
    expect(r.stdout).not.toContain("truncate-blocked");
    expect(r.stdout).not.toContain("warden:");
  });
});

describe("configuration errors", () => {
  it("names an unknown key with file, line and column, exit 2", async () => {
    const p = gateProject({}, "policies: [policy/gate.warden]\nfail_onn: warning\n");
    const r = await runWarden(["check"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      ["warden.config.yaml:2:1: error: unknown key `fail_onn`", "  |", "2 | fail_onn: warning", "  | ^^^^^^^^", "  = help: did you mean `fail_on`?", ""].join("\n"),
    );
  });

  it("rejects a wrong type and a rule the policy does not have", async () => {
    const p = gateProject({}, "policies: [policy/gate.warden]\nexclude: legacy\n");
    const r = await runWarden(["check"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^warden\.config\.yaml:2:10: error: `exclude` must be a list\n/);
    const q = gateProject({}, "policies: [policy/gate.warden]\nrules:\n  no-dorp: off\n");
    const s = await runWarden(["check"], { cwd: q.dir, env: q.env });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^warden\.config\.yaml:3:3: error: unknown rule `no-dorp` in `rules`\n/);
    expect(s.stderr).toContain("= help: did you mean `no-drop`?");
  });

  it("rejects a constant the policy does not declare, or of another shape than the policy's", async () => {
    const p = gateProject({}, "policies: [policy/gate.warden]\nconstants:\n  blocked_tabels: [orders]\n");
    const r = await runWarden(["check"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      ["warden.config.yaml:3:3: error: unknown constant `blocked_tabels` in `constants`", "  |", "3 |   blocked_tabels: [orders]", "  |   ^^^^^^^^^^^^^^", "  = help: did you mean `blocked_tables`?", ""].join("\n"),
    );
    const q = gateProject({}, "policies: [policy/gate.warden]\nconstants:\n  blocked_tables: orders\n");
    const s = await runWarden(["check"], { cwd: q.dir, env: q.env });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/^warden\.config\.yaml:3:19: error: constant `blocked_tables` must be a list of strings, not a string\n/);
    expect(s.stderr).toContain('= help: the policy\'s default is `["customers"]`');
    // an empty list is a list of anything
    const e = gateProject({}, "policies: [policy/gate.warden]\nconstants:\n  blocked_tables: []\n");
    expect((await runWarden(["check", "--fail-on", "never"], { cwd: e.dir, env: e.env })).code).toBe(0);
  });

  it("takes --config from anywhere and reports a missing one", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--config", "nope.yaml"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("nope.yaml: error: cannot read config file: no such file or directory\n  = help: check the path (from the working directory), or leave out `--config` to use the nearest `warden.config.yaml`\n");
  });

  it("rejects an unknown format as a usage error", async () => {
    const r = await runWarden(["check", "--format", "xml", "examples/acme"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: invalid value `xml` for `--format`\n  = help: use one of `pretty`, `json`, `sarif`, `github`, `junit`, `gitlab`, `markdown`\n  = help: run `warden check --help` for usage\n",
    );
  });
});

describe("exit codes and --fail-on", () => {
  it("follows --fail-on and the config's fail_on", async () => {
    const p = gateProject();
    const run = async (...args: string[]) => (await runWarden(["check", ...args], { cwd: p.dir, env: p.env })).code;
    expect(await run()).toBe(1);
    expect(await run("--fail-on", "never")).toBe(0);
    const warnOnly = gateProject({ "migrations/002_drop.sql": "SELECT 2;\n" });
    const run2 = async (...args: string[]) => (await runWarden(["check", ...args], { cwd: warnOnly.dir, env: warnOnly.env })).code;
    expect(await run2()).toBe(0);
    expect(await run2("--fail-on", "warning")).toBe(1);
    expect(await run2("--fail-on", "info")).toBe(1);
    const infoOnly = gateProject({ "migrations/002_drop.sql": "SELECT 2;\n", "sql/cleanup.sql": "SELECT 3;\n" }, "policies: [policy/gate.warden]\nfail_on: warning\n");
    const run3 = async (...args: string[]) => (await runWarden(["check", ...args], { cwd: infoOnly.dir, env: infoOnly.env })).code;
    expect(await run3()).toBe(0);
    expect(await run3("--fail-on", "info")).toBe(1);
  });

  it("reports an unreadable file, checks the rest, and exits 2", async () => {
    const p = gateProject();
    symlinkSync(path.join(p.dir, "sql/missing-target.sql"), path.join(p.dir, "sql/broken.sql"));
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("sql/broken.sql: error: cannot read file: no such file or directory\n");
    const out = json(r.stdout);
    expect(out.summary.files).toBe(4);
    expect(out.findings.map((f) => f.rule)).toEqual(["no-drop", "truncate-blocked", "pii-read"]);
  });

  it("reports an --output it cannot write, exit 2", async () => {
    const p = gateProject();
    // missing directories are made (see check-output.test.ts): a file in the way is not
    const r = await runWarden(["check", "--output", "sql/report.sql/report.json"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "error: cannot write the report to `sql/report.sql/report.json`: a part of its path is a file, not a directory\n  = help: pass `--output` a file in a writable directory, or leave it out to print the report\n",
    );
  });

  it("reports a directory named *.sql given as a path", async () => {
    const p = gateProject({ "odd.sql/keep.txt": "" });
    const r = await runWarden(["check", "odd.sql", "sql/cleanup.sql"], { cwd: p.dir, env: p.env });
    // a directory is searched, and holds no SQL: only cleanup.sql is checked, and the
    // directory that selected nothing is an error (a gate that checks nothing passes)
    expect(r.stdout).toContain("in 1 file, 2 statements");
    expect(r.stderr).toBe("error: no SQL files to check under `odd.sql`\n  = help: files are selected by `include` (`**/*.sql`), `exclude` and .gitignore\n");
    expect(r.code).toBe(2);
  });

  it("reports a named directory or glob that selects no file, exit 2", async () => {
    const p = gateProject({ "empty/README.md": "no SQL here\n" }, "policies: [policy/gate.warden]\ninclude: ['migrations/**/*.sql', 'sql/**/*.sql']\n");
    const dir = await runWarden(["check", "empty"], { cwd: p.dir, env: p.env });
    expect(dir.code).toBe(2);
    expect(dir.stdout).toBe("warden: no findings in 0 files, 0 statements; 1 input error: failing\n");
    expect(dir.stderr).toBe("error: no SQL files to check under `empty`\n  = help: files are selected by `include` (`migrations/**/*.sql`, `sql/**/*.sql`), `exclude` and .gitignore\n");
    const glob = await runWarden(["check", "db/**/*.sql"], { cwd: p.dir, env: p.env });
    expect(glob.code).toBe(2);
    expect(glob.stderr).toBe("error: no files match `db/**/*.sql`\n  = help: globs are matched from the working directory; quote them so the shell does not expand them\n");
    // with no path the config's project is checked, and one with nothing to check is the
    // same error: a gate that checks nothing would always pass
    const none = makeProject({ "warden.config.yaml": "include: ['db/**/*.sql']\n" });
    const r = await runWarden(["check"], { cwd: none.dir, env: none.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("warden: no findings in 0 files, 0 statements; 1 input error: failing\n");
    expect(r.stderr).toBe("error: no SQL files to check under `.`\n  = help: name the files or directories to check (e.g. `warden check db/migrations`); files are selected by `include` (`db/**/*.sql`), `exclude` and .gitignore\n");
  });
});

describe("suppressions", () => {
  it("suppresses with a reason, and reports reasonless and unused ones", async () => {
    const p = gateProject({
      "migrations/002_drop.sql": "-- warden-ignore no-drop: archived in OPS-1\nDROP TABLE old_orders;\n",
      "sql/cleanup.sql": "-- warden-ignore truncate-blocked\nTRUNCATE customers;\n-- warden-ignore no-drop: not needed\nSELECT 1;\n",
    });
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    const out = json(r.stdout);
    expect(out.findings.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
      "suppression-without-reason warning sql/cleanup.sql:1:1 `warden-ignore` without a reason",
      "unused-suppression warning sql/cleanup.sql:3:18 `warden-ignore no-drop` suppresses nothing on the next statement",
      "pii-read info sql/report.sql:2:8 reads PII column customers.email",
    ]);
    expect(out.summary.suppressed).toBe(2);
    expect(r.code).toBe(0);
  });

  it("lets config turn the engine rules off or up", async () => {
    const p = gateProject(
      { "sql/cleanup.sql": "-- warden-ignore truncate-blocked\nTRUNCATE customers;\nSELEC 1;\n" },
      "policies: [policy/gate.warden]\nrules:\n  suppression-without-reason: error\n  parse-error: warning\n",
    );
    const r = await runWarden(["check", "--format", "json", "sql"], { cwd: p.dir, env: p.env });
    expect(brief(json(r.stdout).findings)).toEqual([
      "suppression-without-reason error sql/cleanup.sql:1:1-1:34",
      "parse-error warning sql/cleanup.sql:3:1-3:8",
      "pii-read info sql/report.sql:2:8-2:13",
    ]);
    expect(r.code).toBe(1);
  });
});

describe("baseline", () => {
  it("keeps a moved statement baselined and reports only new findings", async () => {
    const p = gateProject();
    const w = await runWarden(["check", "--write-baseline", "baseline.json", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(w.code).toBe(1);
    const written = JSON.parse(readFileSync(path.join(p.dir, "baseline.json"), "utf8"));
    expect(written.findings.map((f: { rule: string; file: string }) => `${f.rule} ${f.file}`)).toEqual(["no-drop migrations/002_drop.sql", "pii-read sql/report.sql", "truncate-blocked sql/cleanup.sql"]);
    // move the DROP down three lines and re-indent it: still the same statement
    writeFileSync(path.join(p.dir, "migrations/002_drop.sql"), "-- retire the old table\n\n\n\n  DROP   TABLE old_orders;\n");
    const a = await runWarden(["check", "--baseline", "baseline.json", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(a.code).toBe(0);
    expect(json(a.stdout).findings).toEqual([]);
    expect(json(a.stdout).summary).toMatchObject({ findings: 0, baselined: 3 });
    // a new DROP is not in the baseline
    writeFileSync(path.join(p.dir, "migrations/003_drop.sql"), "DROP TABLE invoices;\n");
    const b = await runWarden(["check", "--baseline", "baseline.json", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(b.code).toBe(1);
    expect(brief(json(b.stdout).findings)).toEqual(["no-drop error migrations/003_drop.sql:1:12-1:20"]);
  });
});

describe("file selection", () => {
  it("--changed-since checks only changed and untracked files", async () => {
    const p = gateProject();
    const git = gitIn(p.dir);
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "base");
    writeFileSync(path.join(p.dir, "sql/cleanup.sql"), "TRUNCATE customers;\n");
    writeFileSync(path.join(p.dir, "migrations/003_new.sql"), "DROP TABLE t3;\n");
    // `*` expands from the unchanged migration that created customers: context still counts
    writeFileSync(path.join(p.dir, "sql/star.sql"), "SELECT * FROM customers;\n");
    const r = await runWarden(["check", "--changed-since", "HEAD", "--format", "json"], { cwd: p.dir, env: p.env });
    const out = json(r.stdout);
    expect(out.summary.files).toBe(3);
    expect(brief(out.findings)).toEqual([
      "no-drop error migrations/003_new.sql:1:12-1:14",
      "truncate-blocked warning sql/cleanup.sql:1:10-1:19",
      "pii-read info sql/star.sql:1:8-1:9",
    ]);
    // a branch is compared where it left the ref: what the ref changed since is not its change
    git("add", ".");
    git("commit", "-qm", "feature work");
    git("checkout", "-q", "-b", "feature");
    git("checkout", "-q", "HEAD~1");
    git("checkout", "-q", "-b", "trunk");
    writeFileSync(path.join(p.dir, "migrations/002_drop.sql"), "DROP TABLE on_trunk;\n");
    git("commit", "-qam", "trunk moves on");
    git("checkout", "-q", "feature");
    const branch = await runWarden(["check", "--changed-since", "trunk", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(json(branch.stdout).findings.map((f) => f.file)).toEqual(["migrations/003_new.sql", "sql/cleanup.sql", "sql/star.sql"]);
    const bad = await runWarden(["check", "--changed-since", "no-such-ref"], { cwd: p.dir, env: p.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: cannot list files changed since `no-such-ref`/);
  });

  it("honours .gitignore and exclude, and takes files, directories and globs", async () => {
    const p = gateProject({ ".gitignore": "generated/\n", "generated/drop.sql": "DROP TABLE g;\n", "legacy/drop.sql": "DROP TABLE l;\n" }, "policies: [policy/gate.warden]\nexclude: ['legacy/**']\n");
    const all = json((await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env })).stdout);
    expect(all.summary.files).toBe(4);
    const glob = json((await runWarden(["check", "--format", "json", "migrations/*.sql", "sql/report.sql"], { cwd: p.dir, env: p.env })).stdout);
    expect(glob.summary.files).toBe(3);
    expect(glob.findings.map((f) => f.file)).toEqual(["migrations/002_drop.sql", "sql/report.sql"]);
  });

  it("checks named files in the context of the config's project", async () => {
    const p = gateProject({ "sql/star.sql": "SELECT * FROM customers;\n" });
    const r = await runWarden(["check", "--format", "json", "sql/star.sql"], { cwd: p.dir, env: p.env });
    const out = json(r.stdout);
    // `*` expands to the columns migrations/001_init.sql created, as in a full run
    expect(brief(out.findings)).toEqual(["pii-read info sql/star.sql:1:8-1:9"]);
    expect(out.summary.files).toBe(1);
  });

  it("finds the config of the checked directory from elsewhere, paths relative to it", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--format", "json", path.join(p.dir, "migrations")], { env: p.env });
    expect(brief(json(r.stdout).findings)).toEqual(["no-drop error migrations/002_drop.sql:2:12-2:22"]);
  });
});

describe("warnings that do not fail the run", () => {
  it("says so when a named file is excluded, or a context file cannot be read", async () => {
    const p = gateProject({ "migrations/000_bad.sql": Buffer.from([0x43, 0x00, 0x52]).toString("latin1") }, "policies: [policy/gate.warden]\nexclude: ['sql/cleanup.sql']\n");
    const r = await runWarden(["check", "sql/cleanup.sql", "sql/report.sql", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(0);
    expect(json(r.stdout).summary.files).toBe(1);
    expect(r.stderr).toBe(
      [
        "warning: `sql/cleanup.sql` is excluded by `sql/cleanup.sql` in `exclude`, so it is not checked",
        "  = help: remove the glob from `exclude` in the config to check the file",
        "",
        "warning: `migrations/000_bad.sql` is read only as context and cannot be read: it is a binary file, not SQL text (it contains NUL bytes); what it would add to the catalog is missing",
        "  = help: make the file readable, or list it in `exclude`",
        "",
      ].join("\n"),
    );
  });
});

describe("named paths in several projects", () => {
  it("checks each with its own config, whatever the order, naming files from the working directory", async () => {
    const p = makeProject({
      "a/warden.config.yaml": "policies: [../policy.warden]\nrules:\n  no-drop: off\n",
      "b/warden.config.yaml": "policies: [../policy.warden]\nfail_on: never\n",
      "c/warden.config.yaml": "policies: [../policy.warden]\n",
      "policy.warden": GATE_POLICY,
      "a/migrations/V1.sql": "DROP TABLE t;\n",
      "b/migrations/V1.sql": "DROP TABLE t;\n",
      "c/migrations/V1.sql": "DROP TABLE t;\n",
    });
    const run = (...paths: string[]) => runWarden(["check", "--format", "json", "--no-cache", ...paths], { cwd: p.dir, env: p.env });
    const one = await run("a/migrations/V1.sql", "b/migrations/V1.sql");
    const other = await run("b/migrations/V1.sql", "a/migrations/V1.sql");
    // a turns the rule off; b reports it but does not fail on it
    expect(json(one.stdout).findings.map((f) => [f.rule, f.file])).toEqual([["no-drop", "b/migrations/V1.sql"]]);
    expect(one.stdout).toBe(other.stdout);
    expect([one.code, other.code]).toEqual([0, 0]);
    // c fails on it; a baseline written over several projects names files the same way
    const three = await run("c/migrations/V1.sql", "b/migrations/V1.sql", "a/migrations/V1.sql", "--write-baseline", "base.json");
    expect(json(three.stdout).findings.map((f) => f.file)).toEqual(["b/migrations/V1.sql", "c/migrations/V1.sql"]);
    expect(json(three.stdout).summary).toMatchObject({ files: 3, statements: 3, findings: 2 });
    expect(three.code).toBe(1);
    const known = await run("a/migrations/V1.sql", "c/migrations/V1.sql", "b/migrations/V1.sql", "--baseline", "base.json");
    expect(json(known.stdout).findings).toEqual([]);
    expect(json(known.stdout).summary).toMatchObject({ findings: 0, baselined: 2 });
    expect(known.code).toBe(0);
  });
});

describe("projects inside a checked directory", () => {
  it("checks each file with its nearest config, whatever the run names and in what order", async () => {
    const p = makeProject({
      "svc-a/warden.config.yaml": "policies: [../policy.warden]\nrules:\n  no-drop: off\n",
      "svc-b/warden.config.yaml": "policies: [../policy.warden]\nfail_on: never\n",
      "policy.warden": GATE_POLICY,
      "svc-a/migrations/V1.sql": "DROP TABLE a;\n",
      "svc-b/migrations/V1.sql": "DROP TABLE b;\n",
      "other/migrations/V1.sql": "DROP TABLE o;\n",
    });
    const run = (...args: string[]) => runWarden(["check", "--format", "json", "--no-cache", "--policy", "policy.warden", ...args], { cwd: p.dir, env: p.env });
    // no config at the top: svc-a and svc-b are projects of their own, other/ has none
    const all = await run();
    expect(json(all.stdout).findings.map((f) => [f.rule, f.file])).toEqual([
      ["no-drop", "other/migrations/V1.sql"],
      ["no-drop", "svc-b/migrations/V1.sql"],
    ]);
    expect(json(all.stdout).summary.files).toBe(3);
    expect(all.code).toBe(1);
    // a config at the top covers other/, and still not the projects below it
    writeFileSync(path.join(p.dir, "warden.config.yaml"), "policies: [policy.warden]\nfail_on: never\n");
    const top = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(json(top.stdout).findings.map((f) => [f.rule, f.file])).toEqual([
      ["no-drop", "other/migrations/V1.sql"],
      ["no-drop", "svc-b/migrations/V1.sql"],
    ]);
    expect(top.code).toBe(0);
    // a file with no config above it next to one with: each as it is, in either order
    rmSync(path.join(p.dir, "warden.config.yaml"));
    const loose = await runWarden(["check", "--format", "json", "--no-cache", "--policy", "policy.warden", "other/migrations/V1.sql", "svc-a/migrations/V1.sql"], { cwd: p.dir, env: p.env });
    const swapped = await runWarden(["check", "--format", "json", "--no-cache", "--policy", "policy.warden", "svc-a/migrations/V1.sql", "other/migrations/V1.sql"], { cwd: p.dir, env: p.env });
    expect(loose.stdout).toBe(swapped.stdout);
    expect(json(loose.stdout).findings.map((f) => [f.rule, f.file])).toEqual([["no-drop", "other/migrations/V1.sql"]]);
    // a file without a config of its own next to one with: the order does not matter
    const one = await runWarden(["check", "--format", "json", "--no-cache", "svc-a/migrations/V1.sql", "svc-b/migrations/V1.sql"], { cwd: p.dir, env: p.env });
    const other = await runWarden(["check", "--format", "json", "--no-cache", "svc-b/migrations/V1.sql", "svc-a/migrations/V1.sql"], { cwd: p.dir, env: p.env });
    expect(one.stdout).toBe(other.stdout);
    expect(json(one.stdout).findings.map((f) => [f.rule, f.file])).toEqual([["no-drop", "svc-b/migrations/V1.sql"]]);
  });
});

describe("named paths in projects with different fail_on", () => {
  it("reports what fails by each file's project, as the exit code does", async () => {
    const p = makeProject({
      "p1/warden.config.yaml": "policies: [../policy.warden]\nfail_on: warning\n",
      "p2/warden.config.yaml": "policies: [../policy.warden]\nfail_on: error\n",
      "policy.warden": GATE_POLICY,
      "p1/migrations/V1.sql": "TRUNCATE customers;\n",
      "p2/migrations/V1.sql": "TRUNCATE customers;\n",
    });
    const run = (...args: string[]) => runWarden(["check", "--no-cache", "p2/migrations/V1.sql", "p1/migrations/V1.sql", ...args], { cwd: p.dir, env: p.env });
    const pretty = await run();
    expect(pretty.code).toBe(1);
    expect(pretty.stdout).toContain("warden: 2 findings (2 warnings) in 2 files, 2 statements; 1 at or above their project's fail_on: failing");
    const quiet = await run("-q", "--format", "json");
    expect(json(quiet.stdout).findings.map((f) => f.file)).toEqual(["p1/migrations/V1.sql"]);
    const junit = await run("--format", "junit");
    expect(junit.stdout).toMatch(/<testsuites [^>]*failures="1"/);
    // a baseline of the changed files only is refused, over several projects too
    const partial = await run("--changed-since", "HEAD", "--write-baseline", "b.json");
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain("error: `--write-baseline` with `--changed-since` would write a baseline of the changed files only");
    expect(existsSync(path.join(p.dir, "b.json"))).toBe(false);
  });
});

describe("file types from folder names", () => {
  it("types files under a migrations folder as migrations even when the run starts inside it", async () => {
    const p = makeProject({
      "policy.warden": 'policy test.types\nrule mig {\n  title "Migration seen"\n  on migration\n  when statement.kind == "drop_table"\n  deny "migration drops a table"\n}\n',
      "db/migrations/V1__t.sql": "CREATE TABLE t (id int);\n",
      "db/migrations/V2__t.sql": "DROP TABLE t;\n",
    });
    const fromRoot = await runWarden(["check", "--policy", "policy.warden", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    const inside = await runWarden(["check", "--policy", "../../policy.warden", "--format", "json", "--no-cache"], { cwd: path.join(p.dir, "db/migrations"), env: p.env });
    expect(json(fromRoot.stdout).findings.map((f) => [f.rule, f.file])).toEqual([["mig", "db/migrations/V2__t.sql"]]);
    expect(json(inside.stdout).findings.map((f) => [f.rule, f.file])).toEqual([["mig", "V2__t.sql"]]);
    expect(inside.code).toBe(1);
  });
});

describe("file types: project roots", () => {
  it("counts folders from the config's directory (a project inside a `training` folder is not retraining SQL)", async () => {
    const p = makeProject({
      "training/proj/warden.config.yaml": "policies: [policy.warden]\n",
      "training/proj/policy.warden": ["sql", "retraining"].map((t) => `rule seen-${t} {\n  title "Type"\n  on ${t}\n  when statement.kind == "select"\n  info "${t}"\n}\n`).join("\n").replace(/^/, "policy test.roots\n\n"),
      "training/proj/queries/q.sql": "SELECT 1;\n",
    });
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: path.join(p.dir, "training/proj"), env: p.env });
    expect(json(r.stdout).findings.map((f) => [f.file, f.message])).toEqual([["queries/q.sql", "sql"]]);
  });

  it("types dbt models when the run starts inside models/", async () => {
    const p = makeProject({
      "dbt_project.yml": "name: shop\nmodel-paths: [models]\n",
      "models/stg.sql": "select id from {{ source('app', 'users') }}\n",
      "models/marts/m.sql": "select id from {{ ref('stg') }}\n",
    });
    const r = await runWarden(["check", "--format", "json", "--no-cache", "--fail-on", "never"], { cwd: path.join(p.dir, "models"), env: p.env });
    const out = json(r.stdout);
    expect(out.findings.filter((f) => f.rule === "parse-error")).toEqual([]);
    expect(out.summary.files).toBe(2);
    const facts = await runWarden(["facts", "stg.sql", "--compact"], { cwd: path.join(p.dir, "models"), env: p.env });
    expect(JSON.parse(facts.stdout).file.type).toBe("dbt_model");
  });
});

describe("psql scripts", () => {
  it("checks `\\copy` as COPY, skips COPY data rows, and reports SQL run from elsewhere", async () => {
    const p = makeProject({
      "migrations/V1__users.sql": "CREATE TABLE users (id int, email text);\nCOPY users (id, email) FROM stdin;\n1\ta@b.c\n\\.\n",
      "migrations/V2__export.sql": "\\set ON_ERROR_STOP on\n\\copy users (email) TO 'emails.csv' csv\n\\i seed.sql\n",
    });
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    const out = json(r.stdout);
    expect(out.findings.map((f) => [f.rule, f.severity, `${f.file}:${f.line}:${f.column}-${f.end_line}:${f.end_column}`, f.message])).toEqual([
      ["pii-export", "error", "migrations/V2__export.sql:2:7-2:12", "COPY ... TO exports PII column users.email in the clear; export a query that masks it"],
      ["unchecked-sql", "warning", "migrations/V2__export.sql:3:1-3:12", "psql meta-command `\\i` runs SQL that is not in this file; that SQL is not checked here"],
    ]);
    expect(out.summary.statements).toBe(3);
    expect(r.code).toBe(1);
    // a team that knows what the include runs can say so, or turn the rule off
    writeFileSync(path.join(p.dir, "warden.config.yaml"), "rules:\n  unchecked-sql: off\n");
    const off = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(json(off.stdout).findings.map((f) => f.rule)).toEqual(["pii-export"]);
  });
});

describe("psql scripts: suppressions and sent queries", () => {
  it("reads directives past COPY data with quotes, lets one above `\\i` cover it, and ends a query at `\\gexec`", async () => {
    const p = makeProject({
      "migrations/V1__dump.sql": "COPY people (id, name) FROM stdin;\n1\tO'Brien\n\\.\n-- warden-ignore ban-drop-table: retired with the dump\nDROP TABLE accounts;\n",
      "migrations/V2__include.sql": "-- warden-ignore unchecked-sql: the file is vetted in its own run\n\\i other.sql\nCREATE TABLE q (id bigint primary key);\n",
      "migrations/V3__gexec.sql": "SELECT format('ANALYZE %I', tablename) FROM pg_tables\n\\gexec\nCREATE TABLE z (id bigint primary key);\n",
    });
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    const out = json(r.stdout);
    expect(out.findings.filter((f) => f.rule !== "require-lock-timeout").map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(["unchecked-sql migrations/V3__gexec.sql:2"]);
    expect(out.summary).toMatchObject({ statements: 5, suppressed: 2 });
  });
});

describe("migration sets", () => {
  it("replays each migrations folder into its own catalog, as `warden facts` does", async () => {
    // one database per service: service b's `users` is not service a's
    const p = makeProject({
      "warden.config.yaml": "policies: [policy.warden]\n",
      "policy.warden": `policy test.sets\n${requiredColumnRule("required-column", "adds required column {a.column}")}`,
      "services/a/migrations/001_users.sql": "CREATE TABLE users (id int);\n",
      "services/a/migrations/002_tier.sql": "ALTER TABLE users ADD COLUMN tier text NOT NULL;\n",
      "services/b/migrations/001_tier.sql": "ALTER TABLE users ADD COLUMN tier text NOT NULL;\n",
    });
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(json(r.stdout).findings.map((f) => [f.rule, f.file, f.line])).toEqual([["required-column", "services/a/migrations/002_tier.sql", 1]]);
    const facts = async (file: string) => JSON.parse((await runWarden(["facts", file, "--compact"], { cwd: p.dir, env: p.env })).stdout).statements[0].targets[0];
    expect(await facts("services/a/migrations/002_tier.sql")).toMatchObject({ name: "users", existed_before: true });
    expect(await facts("services/b/migrations/001_tier.sql")).toMatchObject({ name: "users", existed_before: null });
  });
});

describe("standard input", () => {
  it("checks SQL from `-` as the file --stdin-filename names, in its project's context", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "-", "--stdin-filename", "sql/new.sql", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env, input: "SELECT 1;\nTRUNCATE customers;\n" });
    expect(r.code).toBe(0); // a warning does not fail at the default --fail-on error
    const out = json(r.stdout);
    expect(out.findings.map((f) => [f.rule, f.file, f.line, f.column])).toEqual([["truncate-blocked", "sql/new.sql", 2, 10]]);
    expect(out.summary.files).toBe(1);
  });

  it("stands in for the file on disk (an editor's unsaved buffer), and its config is found from that path", async () => {
    const p = gateProject();
    const onDisk = await runWarden(["check", "migrations/002_drop.sql", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(json(onDisk.stdout).findings.map((f) => f.rule)).toEqual(["no-drop"]);
    // from another directory: the config above the named file still applies
    const fixed = await runWarden(["check", "-", "--stdin-filename", path.join(p.dir, "migrations/002_drop.sql"), "--format", "json", "--no-cache"], { env: p.env, input: "-- retire the old table\nSELECT 1;\n" });
    expect(fixed.code).toBe(0);
    expect(json(fixed.stdout).findings).toEqual([]);
    const still = await runWarden(["check", "-", "--stdin-filename", path.join(p.dir, "migrations/002_drop.sql"), "--format", "json", "--no-cache"], { env: p.env, input: "DROP TABLE customers;\n" });
    expect(json(still.stdout).findings.map((f) => [f.rule, f.file, f.message])).toEqual([["no-drop", "migrations/002_drop.sql", "DROP TABLE customers destroys data"]]);
  });

  it("reports bad input and misuse with exit code 2", async () => {
    const p = gateProject();
    const latin1 = Buffer.from("SELECT 'caf\xe9';\n", "latin1");
    const bad = await runWarden(["check", "-", "--stdin-filename", "sql/latin1.sql", "--no-cache"], { cwd: p.dir, env: p.env, input: latin1 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("sql/latin1.sql:1:12: error: cannot read standard input: it is not UTF-8 text: byte 0xe9 is not valid UTF-8 here");
    const mixed = await runWarden(["check", "-", "sql/cleanup.sql"], { cwd: p.dir, env: p.env, input: "SELECT 1;" });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("error: `-` (standard input) cannot be combined with other paths");
    const orphan = await runWarden(["check", "--stdin-filename", "x.sql"], { cwd: p.dir, env: p.env });
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain("but no path is `-`");
    const empty = await runWarden(["check", "-", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env, input: "" });
    expect(empty.code).toBe(0);
    expect(json(empty.stdout).summary.files).toBe(1);
    const since = await runWarden(["check", "-", "--changed-since", "HEAD"], { cwd: p.dir, env: p.env, input: "SELECT 1;" });
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("`--changed-since` selects files from git; standard input is one given text");
    for (const name of ["", "migrations"]) {
      const dir = await runWarden(["check", "-", "--stdin-filename", name], { cwd: p.dir, env: p.env, input: "SELECT 1;" });
      expect(dir.code).toBe(2);
      expect(dir.stderr).toContain(`the file standard input stands for must be a file, but \`${name || "."}\` is a directory`);
    }
    expect((await runWarden(["facts", "-", "--stdin-filename", "migrations"], { cwd: p.dir, env: p.env, input: "SELECT 1;" })).code).toBe(2);
    const twice = await runWarden(["facts", "-", "stdin.sql"], { cwd: p.dir, env: p.env, input: "SELECT 1;" });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("`stdin.sql` is named as a file and as what standard input stands for");
  });

  it("is selected like a named file: `exclude` applies, and the nearest config is found even under `[brackets]`", async () => {
    const p = makeProject({
      "warden.config.yaml": "policies: [policy/gate.warden]\nexclude: ['**/legacy/**']\n",
      "policy/gate.warden": GATE_POLICY,
      "[team]/warden.config.yaml": "policies: [../policy/gate.warden]\nrules:\n  no-drop: off\n",
    });
    const excluded = await runWarden(["check", "-", "--stdin-filename", "migrations/legacy/V0.sql", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env, input: "DROP TABLE t;\n" });
    expect(excluded.code).toBe(0);
    expect(json(excluded.stdout).summary.files).toBe(0);
    const team = await runWarden(["check", "-", "--stdin-filename", "migrations/V1.sql", "--format", "json", "--no-cache"], { cwd: path.join(p.dir, "[team]"), env: p.env, input: "DROP TABLE t;\n" });
    expect(team.code).toBe(0);
    expect(json(team.stdout).findings).toEqual([]); // the nearest config turned no-drop off
  });
});
