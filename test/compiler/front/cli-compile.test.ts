// `warden compile` through the built CLI (run `npm run build` first).
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runWarden } from "../../helpers/run.js";

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-compile-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const GOOD = 'policy p\nrule no-drop {\n  title "No drop"\n  on migration\n  when statement.kind == "drop_table"\n  deny "no"\n}\n';

describe("warden compile", () => {
  it("prints the IR of every *.warden under a directory", async () => {
    const dir = tree({ "a/one.warden": GOOD, "b/deeper/two.warden": GOOD.replace(/no-drop/g, "no-drop-2").replace("policy p", "policy q"), "skip.txt": "x" });
    const r = await runWarden(["compile", "--emit", "ir", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const ir = JSON.parse(r.stdout);
    expect(ir.policies).toEqual(["p", "q"]);
    expect(ir.rules.map((x: { id: string }) => x.id)).toEqual(["no-drop", "no-drop-2"]);
    expect(ir.rules[0].body).toEqual([{ kind: "filter", cond: { op: "==", left: { op: "ref", root: "local", name: "statement", path: ["kind"] }, right: { op: "const", value: "drop_table" } }, span: expect.any(Object) }]);
  });

  it("prints the checked AST with spans", async () => {
    const dir = tree({ "p.warden": GOOD });
    const r = await runWarden(["compile", "--emit", "ast", path.join(dir, "p.warden")]);
    expect(r.code).toBe(0);
    const files = JSON.parse(r.stdout);
    expect(files[0].decls[1].id).toEqual({ name: "no-drop", span: { file: path.join(dir, "p.warden"), start: { line: 2, column: 6, offset: 14 }, end: { line: 2, column: 13, offset: 21 } } });
  });

  it("dumps a stage's output with --dump-after", async () => {
    const dir = tree({ "p.warden": GOOD + 'test no-drop {\n  migration "DROP TABLE t" => deny no-drop\n}\n' });
    const r = await runWarden(["compile", "--dump-after", "collect-tests", dir]);
    expect(r.code).toBe(0);
    const tests = JSON.parse(r.stdout);
    expect(tests).toHaveLength(1);
    expect(tests[0].cases[0]).toMatchObject({ scope: "migration", sql: "DROP TABLE t", expect: { kind: "deny", rule: "no-drop" } });
  });

  it("exits 1 with a code frame and emits nothing on a compile error", async () => {
    const dir = tree({ "bad.warden": GOOD.replace('"drop_table"', '"drop_tabel"') });
    const file = path.join(dir, "bad.warden");
    const r = await runWarden(["compile", "--emit", "ir", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      [
        `${file}:5:26: error[W0303]: \`statement.kind\` is never \`drop_tabel\``,
        "  |",
        '5 |   when statement.kind == "drop_tabel"',
        "  |                          ^^^^^^^^^^^^",
        "  = help: did you mean `drop_table`?",
        "",
        "1 error",
        "",
      ].join("\n"),
    );
  });

  it("prints diagnostics as JSON on request", async () => {
    const dir = tree({ "bad.warden": "policy p\nrule r {" });
    const r = await runWarden(["compile", "--diagnostic-format", "json", dir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toEqual([
      { code: "W0102", severity: "error", message: "unexpected end of file", file: path.join(dir, "bad.warden"), line: 2, column: 9, end_line: 2, end_column: 9, help: "expected `}`" },
    ]);
  });

  it("reports every syntax error of a file, each at its position, and suggests a misspelt clause word", async () => {
    const text = 'policy p\n\nrule a {\n  title "A"\n  on migration\n  when statement.kind ==\n  deny "x"\n}\n\nrule b {\n  titel "B"\n  on migration\n  when statement.kind == "drop_table"\n  deny "y"\n}\n\nrule c {\n  title "C\n  on migration\n  when statement.kind == "x"\n  deny "z"\n}\n';
    const file = path.join(tree({ "multi.warden": text }), "multi.warden");
    const r = await runWarden(["compile", "--diagnostic-format", "json", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const diags = JSON.parse(r.stderr) as { code: string; line: number; column: number; message: string; help: string | null }[];
    expect(diags.map((d) => `${d.line}:${d.column} ${d.code} ${d.message} | ${d.help}`)).toEqual([
      "7:3 W0102 unexpected `deny` | expected one of a string, a number, `true`, `false`, `null`, `[`, `count`, `(` or a name",
      "11:3 W0102 unexpected `titel` | did you mean `title`?",
      "18:9 W0103 unterminated string | close it with `\"` on the same line",
    ]);
  });

  it("exits 2 on unreadable input and on a directory without policies", async () => {
    const missing = await runWarden(["compile", "no/such/dir"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error[W1001]: cannot read `no/such/dir`: no such file or directory");
    const empty = tree({ "x.txt": "" });
    const none = await runWarden(["compile", empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`error[W1002]: no policy files in \`${empty}\``);
  });

  it("rejects an unknown emit kind as a usage error", async () => {
    const r = await runWarden(["compile", "--emit", "bogus", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid emit kind `bogus`: use `ast`, `ir`/);
  });
});
