// `warden rules`, `warden explain` and `warden test` as a user runs them (built CLI).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runWarden } from "../helpers/run.js";

describe("warden rules", () => {
  it("prints one line per rule: id, severity, scopes, title", async () => {
    const r = await runWarden(["rules"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.length).toBe(43);
    expect(lines.find((l) => l.startsWith("ban-drop-table "))).toMatch(/^ban-drop-table\s+error\s+migration,runtime\s+Dropping a table destroys its data$/);
    expect(lines.find((l) => l.startsWith("unbounded-write "))).toMatch(/^unbounded-write\s+error\s+all\s+UPDATE and DELETE need a WHERE clause$/);
    expect(lines.find((l) => l.startsWith("mask-pii "))).toMatch(/^mask-pii\s+info\s+runtime\s+Mask PII in query results/);
  });

  it("prints the catalogue as JSON", async () => {
    const r = await runWarden(["rules", "--format", "json"]);
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as { id: string; area: string; severity: string; on: string[]; source: string; line: number; summary: string }[];
    expect(entries.length).toBe(43);
    expect(entries.find((e) => e.id === "pii-unmasked-read")).toEqual({
      id: "pii-unmasked-read",
      severity: "error",
      action: "deny",
      on: ["retraining"],
      title: "Retraining jobs must not output PII unmasked",
      doc: "https://warden.dev/rules/pii-unmasked-read",
      area: "governance",
      source: "rules/governance/pii-unmasked-read/rule.warden",
      line: 3,
      summary: "Retraining jobs must not output PII unmasked.",
    });
  });

  it("rejects an unknown format with exit 2", async () => {
    const r = await runWarden(["rules", "--format", "yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown format `yaml`\n  = help: use `text` or `json`\n");
  });
});

describe("warden explain", () => {
  it("prints the README and the rule's metadata", async () => {
    const r = await runWarden(["explain", "ban-drop-table"]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("# ban-drop-table\n\nDropping a table destroys its data.\n")).toBe(true);
    expect(r.stdout).toContain("## Incorrect\n\n```sql\nDROP TABLE users;\n```");
    expect(r.stdout.endsWith("---\nseverity: error\nscopes: migration, runtime\nrule: rules/migrations/ban-drop-table/rule.warden:3\ndoc: https://warden.dev/rules/ban-drop-table\n")).toBe(true);
  });

  it("rejects an unknown id with a suggestion and exit 2", async () => {
    const r = await runWarden(["explain", "ban-drop-tabel"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: unknown rule `ban-drop-tabel`\n  = help: did you mean `ban-drop-table`?\n");
    const far = await runWarden(["explain", "zzz"]);
    expect(far.code).toBe(2);
    expect(far.stderr).toBe("error: unknown rule `zzz`\n  = help: run `warden rules` to list the rule ids\n");
  });
});

describe("warden test", () => {
  it("passes the built-in library with full coverage", async () => {
    const r = await runWarden(["test", "--require-coverage", "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cases: (\d+) passed, 0 failed, \1 total$/m);
    expect(r.stdout).toContain("coverage: 43 of 43 rules have test cases\n");
  });

  it("prints every case with its position when not quiet", async () => {
    const r = await runWarden(["test", "--engine", "interpreter"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok   rules/migrations/ban-drop-table/rule.warden:19:3  migration "DROP TABLE users;" => deny ban-drop-table\n');
  });

  function policyDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "warden-test-"));
    writeFileSync(
      path.join(dir, "team.warden"),
      [
        "policy team",
        "",
        "rule no-delete {",
        '  title "No deletes"',
        "  on migration",
        '  when statement.kind == "delete"',
        '  deny "no deletes on {statement.targets[0].name}"',
        "}",
        "",
        "rule untested {",
        '  title "Has no test"',
        "  on migration",
        '  when statement.kind == "vacuum"',
        '  warn "vacuum"',
        "}",
        "",
        "test no-delete {",
        '  migration "DELETE FROM t WHERE id = 1;" => deny no-delete',
        '  migration "DELETE FROM t WHERE id = 2;" => allow',
        "}",
        "",
      ].join("\n"),
    );
    return dir;
  }

  it("reports a failing case with file:line, expected and got, and exits 1", async () => {
    const dir = policyDir();
    const r = await runWarden(["test", "team.warden"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'ok   team.warden:18:3  migration "DELETE FROM t WHERE id = 1;" => deny no-delete',
        'FAIL team.warden:19:3  migration "DELETE FROM t WHERE id = 2;" => allow',
        "       expected: allow",
        "       got:      deny no-delete: no deletes on t",
        "",
        "cases: 1 passed, 1 failed, 2 total",
        "coverage: 1 of 2 rules have test cases",
        "team.warden:10:1: warning: rule `untested` has no test case",
        "",
      ].join("\n"),
    );
  });

  it("fails an uncovered rule under --require-coverage", async () => {
    const dir = policyDir();
    // fix the failing case, so only coverage decides the exit code
    const file = path.join(dir, "team.warden");
    writeFileSync(file, readFileSync(file, "utf8").replace("=> allow", "=> deny no-delete"));
    const r = await runWarden(["test", "team.warden", "--require-coverage", "--quiet"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("team.warden:10:1: error: rule `untested` has no test case\n");
    const lax = await runWarden(["test", "team.warden", "--quiet"], { cwd: dir });
    expect(lax.code).toBe(0);
  });

  it("prints JSON results", async () => {
    const dir = policyDir();
    const r = await runWarden(["test", "team.warden", "--format", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toEqual({ passed: 1, failed: 1, rules: 2, uncovered: ["untested"] });
    expect(out.cases[1]).toEqual({
      rule: "no-delete",
      file: "team.warden",
      line: 19,
      column: 3,
      scope: "migration",
      sql: "DELETE FROM t WHERE id = 2;",
      expected: "allow",
      passed: false,
      got: "deny no-delete: no deletes on t",
    });
  });

  it("shows a failing case's catalog, in text and JSON", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "warden-test-"));
    writeFileSync(
      path.join(dir, "cat.warden"),
      [
        "policy p",
        "rule retype {",
        '  title "t"',
        "  on migration",
        '  for a in statement.actions where a.kind == "alter_column_type"',
        "  unless a.previous.type == a.type",
        '  deny "{a.column} retyped"',
        "}",
        "test retype {",
        '  migration "ALTER TABLE t ALTER COLUMN c TYPE int" catalog "CREATE TABLE t (c int)" => allow',
        '  migration "ALTER TABLE t ALTER COLUMN c TYPE int" catalog "CREATE TABLE t (c   bigint)" => allow',
        "}",
        "",
      ].join("\n"),
    );
    const r = await runWarden(["test", "cat.warden"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'ok   cat.warden:10:3  migration "ALTER TABLE t ALTER COLUMN c TYPE int" => allow',
        'FAIL cat.warden:11:3  migration "ALTER TABLE t ALTER COLUMN c TYPE int" => allow',
        '       catalog:  "CREATE TABLE t (c bigint)"',
        "       expected: allow",
        "       got:      deny retype: c retyped",
        "",
        "cases: 1 passed, 1 failed, 2 total",
        "coverage: 1 of 1 rules have test cases",
        "cat.warden:2:1: note: no case expects rule `retype` to fire",
        "",
      ].join("\n"),
    );
    const j = JSON.parse((await runWarden(["test", "cat.warden", "--format", "json"], { cwd: dir })).stdout);
    expect(j.cases.map((c: { catalog?: string; passed: boolean }) => [c.catalog, c.passed])).toEqual([
      ["CREATE TABLE t (c int)", true],
      ["CREATE TABLE t (c   bigint)", false],
    ]);
  });

  it("exits 2 on an unknown engine or an unreadable path, 1 on a compile error", async () => {
    const bad = await runWarden(["test", "--engine", "rego"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("error: unknown engine `rego`\n  = help: use `wasm` or `interpreter`\n");
    const dir = mkdtempSync(path.join(os.tmpdir(), "warden-test-"));
    const missing = await runWarden(["test", "nope.warden"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error\[W1001\]: cannot read `nope\.warden`/);
    writeFileSync(path.join(dir, "broken.warden"), "policy p\nrule r {\n  title \"t\"\n  on migration\n  when statement.kynd == \"x\"\n  deny \"x\"\n}\n");
    const broken = await runWarden(["test", "broken.warden"], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^broken\.warden:5:18: error\[W0301\]/);
  });
});

describe("warden test on a policy without test blocks", () => {
  it("prints the summary first, with no leading blank line, and names the uncovered rule by position", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "warden-notests-"));
    writeFileSync(
      path.join(dir, "p.warden"),
      'policy p\n\nrule lonely {\n  title "Lonely"\n  on migration\n  when statement.kind == "drop_table"\n  deny "no"\n}\n',
    );
    const r = await runWarden(["test", "p.warden"], { cwd: dir });
    expect(r.stdout).toBe("cases: 0 passed, 0 failed, 0 total\ncoverage: 0 of 1 rules have test cases\np.warden:3:1: warning: rule `lonely` has no test case\n");
    expect(r.code).toBe(0);
  });
});
