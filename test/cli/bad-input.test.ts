// `warden check` and `warden facts` on awkward input files: a byte-order mark, Windows line
// endings, tabs, bytes that are not UTF-8, binary files. Columns must stay right, and a file
// that cannot be read as text is an error naming it and the position, never guessed at.
import { describe, expect, it } from "vitest";
import { makeProject } from "../helpers/check-project.js";
import { runWarden } from "../helpers/run.js";

const brief = (stdout: string) =>
  (JSON.parse(stdout) as { findings: Record<string, unknown>[] }).findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}-${f.end_line}:${f.end_column}`);

describe("text encodings and line endings", () => {
  it("drops a UTF-8 byte-order mark instead of failing to parse the first statement", async () => {
    const p = makeProject({ "migrations/V1.sql": "\uFEFFSET lock_timeout = '5s';\nDROP TABLE legacy;\n" });
    const r = await runWarden(["check", "--format", "json", "migrations"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(brief(r.stdout)).toEqual(["ban-drop-table migrations/V1.sql:2:12-2:18"]);
    const facts = await runWarden(["facts", "--compact", "migrations/V1.sql"], { cwd: p.dir, env: p.env });
    expect(facts.code).toBe(0);
    const doc = JSON.parse(facts.stdout) as { statements: { kind: string; location: { line: number; column: number } }[] };
    expect(doc.statements.map((s) => `${s.kind} ${s.location.line}:${s.location.column}`)).toEqual(["set 1:1", "drop_table 2:1"]);
  });

  it("keeps columns right with CRLF line endings and tabs, and aligns the caret under tabs", async () => {
    const p = makeProject({ "migrations/V1.sql": "SET lock_timeout = '5s';\r\n\tDROP\tTABLE\tfoo;\r\n-- note\r\nCREATE INDEX\tidx ON t (a);\r\n" });
    const r = await runWarden(["check", "--format", "json", "migrations"], { cwd: p.dir, env: p.env });
    expect(brief(r.stdout)).toEqual(["ban-drop-table migrations/V1.sql:2:13-2:16", "require-concurrent-index migrations/V1.sql:4:14-4:17"]);
    const pretty = await runWarden(["check", "migrations"], { cwd: p.dir, env: p.env });
    expect(pretty.stdout).toContain("2 | \tDROP\tTABLE\tfoo;\n  | \t    \t     \t^^^\n");
    expect(pretty.stdout).toContain("4 | CREATE INDEX\tidx ON t (a);\n  |             \t^^^\n");
  });

  it("reports a file that is not UTF-8 with the position of the first bad byte, checks the rest, exit 2", async () => {
    const p = makeProject({ "migrations/V2.sql": "SET lock_timeout = '5s';\nDROP TABLE t;\n" });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/migrations/V1.sql`, Buffer.from("SELECT 1;\nSELECT 'caf\xe9';\n", "latin1"));
    const r = await runWarden(["check", "--format", "json", "migrations"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "migrations/V1.sql:2:12: error: cannot read file: it is not UTF-8 text: byte 0xe9 is not valid UTF-8 here\n" +
        "  = help: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)\n",
    );
    expect(brief(r.stdout)).toEqual(["ban-drop-table migrations/V2.sql:2:12-2:13"]);
    const facts = await runWarden(["facts", "migrations/V1.sql"], { cwd: p.dir, env: p.env });
    expect(facts.code).toBe(2);
    expect(facts.stdout).toBe("");
    expect(facts.stderr).toBe(
      "migrations/V1.sql:2:12: error: cannot read file: it is not UTF-8 text: byte 0xe9 is not valid UTF-8 here\n" +
        "  = help: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)\n",
    );
  });

  it("reports a binary file instead of parsing it as SQL", async () => {
    const p = makeProject({});
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/dump.sql`, Buffer.from([0x50, 0x47, 0x44, 0x4d, 0x50, 0x0a, 0x01, 0x00, 0xff, 0xfe]));
    const r = await runWarden(["check", "dump.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("dump.sql:2:2: error: cannot read file: it is a binary file, not SQL text (it contains NUL bytes)\n");
    expect(r.stdout).not.toContain("parse-error");
  });

  it("checks an empty file as zero statements", async () => {
    const p = makeProject({ "empty.sql": "" });
    const r = await runWarden(["check", "empty.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("warden: no findings in 1 file, 0 statements\n");
    expect(r.stderr).toBe("");
  });
});

describe("the pretty summary line", () => {
  it("says the run fails when input could not be read, even with no failing finding", async () => {
    const p = makeProject({ "ok.sql": "SELECT 1;\n" });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/bad.sql`, Buffer.from("SELECT '\xff';\n", "latin1"));
    const r = await runWarden(["check", "."], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("warden: no findings in 1 file, 1 statement; 1 input error: failing\n");
    expect(r.stderr).toMatch(/^bad\.sql:1:9: error: cannot read file: it is not UTF-8 text/);
    const both = makeProject({ "migrations/V1.sql": "SET lock_timeout = '5s';\nDROP TABLE t;\n", "nope.txt": "" });
    const r2 = await runWarden(["check", "migrations", "missing.sql"], { cwd: both.dir, env: both.env });
    expect(r2.code).toBe(2);
    expect(r2.stdout).toMatch(/\nwarden: 1 finding \(1 error\) in 1 file, 2 statements; 1 at or above error; 1 input error: failing\n$/);
    expect(r2.stderr).toBe("error: cannot read `missing.sql`: no such file or directory\n");
  });
});

describe("policy inputs that are not policies", () => {
  const tarGz = async (entries: Record<string, string>) => {
    const { pack } = await import("tar-stream");
    const { gzipSync } = await import("node:zlib");
    const p = pack();
    for (const [name, text] of Object.entries(entries)) p.entry({ name }, text);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    return gzipSync(Buffer.concat(chunks));
  };

  it("says a tar.gz with no manifest, policy or data is not a bundle (check and inspect), exit 2", async () => {
    const p = makeProject({ "a.sql": "SELECT 1;\n" });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/backup.tar.gz`, await tarGz({ "notes/x.txt": "hi\n", "a.csv": "1\n", "b.csv": "2\n", "c.csv": "3\n" }));
    const r = await runWarden(["check", "--policy", "backup.tar.gz", "a.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "error: cannot load the policy bundle (backup.tar.gz): not a policy bundle: no `.manifest`, `policy.wasm`, `.rego` or `data.json` in it (it holds `a.csv`, `b.csv`, `c.csv` and 1 more)\n",
    );
    const i = await runWarden(["inspect", "backup.tar.gz"], { cwd: p.dir, env: p.env });
    expect(i.code).toBe(2);
    expect(i.stdout).toBe("");
    expect(i.stderr).toBe("error: invalid bundle `backup.tar.gz`: not a policy bundle: no `.manifest`, `policy.wasm`, `.rego` or `data.json` in it (it holds `a.csv`, `b.csv`, `c.csv` and 1 more)\n");
    writeFileSync(`${p.dir}/empty.tar.gz`, await tarGz({}));
    const e = await runWarden(["inspect", "empty.tar.gz"], { cwd: p.dir, env: p.env });
    expect(e.stderr).toBe("error: invalid bundle `empty.tar.gz`: not a policy bundle: no `.manifest`, `policy.wasm`, `.rego` or `data.json` in it (it is empty)\n");
  });

  it("reports a corrupt or truncated gzip, and a directory given to inspect", async () => {
    const p = makeProject({ "a.sql": "SELECT 1;\n", "junk.tar.gz": "not gzip at all\n" });
    const r = await runWarden(["check", "--policy", "junk.tar.gz", "a.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: cannot load the policy bundle (junk.tar.gz): not a gzipped tar bundle: incorrect header check\n");
    const d = await runWarden(["inspect", "."], { cwd: p.dir, env: p.env });
    expect(d.code).toBe(2);
    expect(d.stderr).toBe("error: cannot read `.`: is a directory\n");
  });

  it("refuses a SQL file given as --policy instead of parsing SQL as policy source", async () => {
    const p = makeProject({ "a.sql": "SELECT 1;\n" });
    const r = await runWarden(["check", "--policy", "a.sql", "a.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("error: `a.sql` is not a policy\n  = help: `--policy` takes `.warden` files, directories of them, or one bundle `.tar.gz`\n");
  });

  it("reports a .warden file that is not UTF-8 (check --policy, compile, fmt)", async () => {
    const p = makeProject({ "a.sql": "SELECT 1;\n" });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/p.warden`, Buffer.from('policy x\nclassify pii: "*.caf\xe9"\n', "latin1"));
    const r = await runWarden(["check", "--policy", "p.warden", "a.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("p.warden:2:21: error: cannot read policy file: it is not UTF-8 text: byte 0xe9 is not valid UTF-8 here\n  = help: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)\n");
    for (const cmd of ["compile", "fmt"]) {
      const c = await runWarden([cmd, "p.warden"], { cwd: p.dir, env: p.env });
      expect(c.code).toBe(2);
      expect(c.stderr).toBe("error[W1001]: cannot read `p.warden`: it is not UTF-8 text\n  = help: save the file as UTF-8\n\n1 error\n");
    }
  });
});

describe("a malformed --baseline", () => {
  it("points at the JSON syntax error with a code frame, exit 2", async () => {
    const p = makeProject({ "a.sql": "SELECT 1;\n", "bl.json": '{"version": 1, "findings": [\n  {"rule": "x" "file": "a.sql"}]}\n', "empty.json": "" });
    const r = await runWarden(["check", "--quiet", "--baseline", "bl.json", "a.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        "bl.json:2:16: error: baseline is not valid JSON: expected ',' or '}' after property value",
        "  |",
        '2 |   {"rule": "x" "file": "a.sql"}]}',
        "  |                ^",
        "  = help: write one with `warden check --write-baseline FILE`",
        "",
      ].join("\n"),
    );
    const e = await runWarden(["check", "--quiet", "--baseline", "empty.json", "a.sql"], { cwd: p.dir, env: p.env });
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^empty\.json:1:1: error: baseline is not valid JSON: unexpected end of file\n/);
  });
});

describe("configuration errors past line 9", () => {
  it("keep the `= help:` line under the code frame's `|`", async () => {
    const config = ["# padding", ...Array.from({ length: 9 }, (_, i) => `# line ${i + 2}`), "rules:", "  ban-drop-tabel: off", ""].join("\n");
    const p = makeProject({ "warden.config.yaml": config, "a.sql": "SELECT 1;\n" });
    const r = await runWarden(["check", "a.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      ["warden.config.yaml:12:3: error: unknown rule `ban-drop-tabel` in `rules`", "   |", "12 |   ban-drop-tabel: off", "   |   ^^^^^^^^^^^^^^", "   = help: did you mean `ban-drop-table`?", ""].join("\n"),
    );
  });
});

describe("a very long line", () => {
  it("shows a window of the line around the finding, not the whole line", async () => {
    const sql = "SELECT 1; ".repeat(10_000) + "UPDATE t SET a = 1;\n";
    const p = makeProject({ "min.sql": sql });
    const r = await runWarden(["check", "min.sql"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        "min.sql (1 finding)",
        "min.sql:1:100008: error[unbounded-write]: this update has no WHERE clause, so it changes every row of t",
        "  |",
        "1 | …1; SELECT 1; SELECT 1; SELECT 1; UPDATE t SET a = 1;",
        "  |                                          ^",
        "  = help: UPDATE and DELETE need a WHERE clause",
        "  = docs: https://warden.dev/rules/unbounded-write",
        "",
        "warden: 1 finding (1 error) in 1 file, 10001 statements; 1 at or above error: failing",
        "",
      ].join("\n"),
    );
  });
});

describe("a config outside the working directory", () => {
  it("is named by its absolute path in errors", async () => {
    const p = makeProject({ "cfg/warden.config.yaml": "fail_on: warn\n" });
    const work = makeProject({ "a.sql": "SELECT 1;\n" });
    const r = await runWarden(["check", "-c", `${p.dir}/cfg/warden.config.yaml`, "a.sql"], { cwd: work.dir, env: work.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [`${p.dir}/cfg/warden.config.yaml:1:10: error: \`fail_on\` must be one of \`error\`, \`warning\`, \`info\`, \`never\``, "  |", "1 | fail_on: warn", "  |          ^^^^", "  = help: did you mean `warning`?", ""].join("\n"),
    );
  });
});
