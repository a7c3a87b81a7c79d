import { describe, expect, it } from "vitest";
import { runCheck } from "../../src/engine/check.js";
import { applySuppressions, parseSuppressions, type StatementSpan } from "../../src/engine/suppressions.js";
import { gateProject } from "../helpers/check-project.js";

const sql = [
  "-- warden-ignore-file select-star: legacy file", // 1
  "CREATE TABLE a (id int);", // 2
  "-- a note first", // 3
  "-- warden-ignore ban-drop-table, require-where: archived in ticket 42", // 4
  "DROP TABLE a;", // 5
  "", // 6
  "-- warden-ignore ban-drop-table", // 7
  "", // 8
  "DROP TABLE b; /* a block comment */", // 9
  "--warden-ignore require-where", // 10
  "DELETE FROM c", // 11
  "  WHERE true;", // 12
].join("\n");

const statements: StatementSpan[] = [
  { index: 0, location: { line: 2, column: 1, end_line: 2, end_column: 25 } },
  { index: 1, location: { line: 5, column: 1, end_line: 5, end_column: 14 } },
  { index: 2, location: { line: 9, column: 1, end_line: 9, end_column: 14 } },
  { index: 3, location: { line: 11, column: 1, end_line: 12, end_column: 14 } },
];

describe("parseSuppressions", () => {
  it("ties each directive to the next statement, with rule positions", () => {
    const s = parseSuppressions(sql, statements);
    expect(s.map((x) => [x.scope, x.line, x.statement, x.reason, x.rules.map((r) => `${r.id}@${r.line}:${r.column}-${r.endColumn}`)])).toEqual([
      ["file", 1, -1, "legacy file", ["select-star@1:23-34"]],
      ["statement", 4, 1, "archived in ticket 42", ["ban-drop-table@4:18-32", "require-where@4:34-47"]],
      // a blank line between it and the DROP does not break the link
      ["statement", 7, 2, "", ["ban-drop-table@7:18-32"]],
      ["statement", 10, 3, "", ["require-where@10:17-30"]],
    ]);
  });

  it("skips blank lines, block comments and other comments between a directive and its statement", () => {
    const text = "SELECT 1;\n-- warden-ignore ban-drop-table: a\n\n/* a note\n   over lines */\n-- another note\n\nDROP TABLE t;\n";
    const s = parseSuppressions(text, [
      { index: 0, location: { line: 1, column: 1, end_line: 1, end_column: 9 } },
      { index: 1, location: { line: 8, column: 1, end_line: 8, end_column: 13 } },
    ]);
    expect(s.map((x) => [x.line, x.statement])).toEqual([[2, 1]]);
  });

  it("reads directives only in real `--` comments, not in strings, quoted names or block comments", () => {
    const text = [
      "INSERT INTO t (id, name) VALUES (1, '", // 1
      "-- warden-ignore-file a: in a string", // 2
      "'), (2, 'it''s", // 3
      "-- warden-ignore-file b: after an escaped quote", // 4
      "'), (3, E'\\'", // 5
      "-- warden-ignore-file c: in an E string after \\'", // 6
      "'), (4, $tag$", // 7
      "-- warden-ignore-file d: in a dollar-quoted string", // 8
      "$tag$);", // 9
      'SELECT 1 AS "', // 10
      "-- warden-ignore-file e: in a quoted name", // 11
      '"; /* outer /* nested */', // 12
      "-- warden-ignore-file f: in a nested block comment", // 13
      "*/", // 14
      "-- warden-ignore-file g: real", // 15
    ].join("\n");
    const s = parseSuppressions(text, [
      { index: 0, location: { line: 1, column: 1, end_line: 9, end_column: 7 } },
      { index: 1, location: { line: 10, column: 1, end_line: 12, end_column: 2 } },
    ]);
    expect(s.map((x) => [x.line, x.rules.map((r) => r.id)])).toEqual([[15, ["g"]]]);
  });

  it("ties a directive after code on its line to that code's statement", () => {
    const text = "DROP TABLE t; -- warden-ignore ban-drop-table: on its line\nCREATE TABLE u (\n  a int, -- warden-ignore prefer-bigint: inside\n  b int\n);\nDROP TABLE v;\n";
    const s = parseSuppressions(text, [
      { index: 0, location: { line: 1, column: 1, end_line: 1, end_column: 13 } },
      { index: 1, location: { line: 2, column: 1, end_line: 5, end_column: 2 } },
      { index: 2, location: { line: 6, column: 1, end_line: 6, end_column: 13 } },
    ]);
    expect(s.map((x) => [x.line, x.statement, x.trailing])).toEqual([
      [1, 0, true],
      [3, 1, true],
    ]);
  });

  it("takes the keyword in any case, and lines ended by CR alone", () => {
    const text = "-- WARDEN-IGNORE ban-drop-table: a\rDROP TABLE t;\r--Warden-Ignore-File select-star: b\r";
    const s = parseSuppressions(text, [{ index: 0, location: { line: 2, column: 1, end_line: 2, end_column: 13 } }]);
    expect(s.map((x) => [x.scope, x.line, x.statement, x.reason])).toEqual([
      ["statement", 1, 0, "a"],
      ["file", 3, -1, "b"],
    ]);
  });

  it("skips Jinja tags: quotes in them open no string, and a tag is no statement", () => {
    const text = "{# don't #}\n-- warden-ignore select-star: ok\n{{ config(materialized='table') }}\nselect * from {{ ref('x') }}\n";
    const s = parseSuppressions(text, [{ index: 0, location: { line: 4, column: 1, end_line: 4, end_column: 29 } }]);
    expect(s.map((x) => [x.line, x.statement])).toEqual([[2, 0]]);
  });

  it("covers a statement whose location starts at its leading comments", () => {
    const text = "-- warden-ignore ban-drop-table: ok\nDROP TABLE t;\n";
    const s = parseSuppressions(text, [{ index: 0, location: { line: 1, column: 1, end_line: 2, end_column: 14 } }]);
    expect(s[0]!.statement).toBe(0);
  });
});

describe("applySuppressions", () => {
  it("drops covered findings and reports reasonless and unused suppressions", () => {
    const s = parseSuppressions(sql, statements);
    const findings = [
      { rule: "select-star", statement: 3 },
      { rule: "ban-drop-table", statement: 1 },
      { rule: "ban-drop-table", statement: 2 },
      { rule: "require-where", statement: 3 },
      { rule: "require-where", statement: 2 },
    ];
    const r = applySuppressions(findings, s, ["ban-drop-table", "require-where", "select-star"]);
    expect(r.kept).toEqual([{ rule: "require-where", statement: 2 }]);
    expect(r.suppressed).toBe(4);
    expect(r.engine).toEqual([
      {
        rule: "unused-suppression",
        message: "`warden-ignore require-where` suppresses nothing on the next statement",
        help: "remove it, or move it onto the comment lines right above the statement it is meant for",
        line: 4,
        column: 34,
        end_line: 4,
        end_column: 47,
      },
      {
        rule: "suppression-without-reason",
        message: "`warden-ignore` without a reason",
        help: "say why after a colon: `-- warden-ignore ban-drop-table: reason`",
        line: 7,
        column: 1,
        end_line: 7,
        end_column: 32,
      },
      {
        rule: "suppression-without-reason",
        message: "`warden-ignore` without a reason",
        help: "say why after a colon: `-- warden-ignore require-where: reason`",
        line: 10,
        column: 1,
        end_line: 10,
        end_column: 30,
      },
    ]);
  });

  it("suggests the known rule for a misspelt id", () => {
    const s = parseSuppressions("-- warden-ignore-file ban-drop-tabel: typo\nDROP TABLE t;", [{ index: 0, location: { line: 2, column: 1 } }]);
    const r = applySuppressions([{ rule: "ban-drop-table", statement: 0 }], s, ["ban-drop-table"]);
    expect(r.kept).toHaveLength(1);
    expect(r.engine.map((e) => [e.rule, e.message, e.help])).toEqual([
      ["unused-suppression", "`warden-ignore-file ban-drop-tabel` suppresses nothing in this file", "did you mean `ban-drop-table`?"],
    ]);
  });

  it("says once that a reason lacks its colon, and still suppresses the rule; rule ids without commas stay rules", () => {
    const text = "-- warden-ignore ban-drop-table archived, see OPS-1\nDROP TABLE t;\n";
    const s = parseSuppressions(text, [{ index: 0, location: { line: 2, column: 1, end_line: 2, end_column: 13 } }]);
    const r = applySuppressions([{ rule: "ban-drop-table", statement: 0 }], s, ["ban-drop-table", "require-where"]);
    expect(r.kept).toEqual([]);
    expect(r.engine).toEqual([
      {
        rule: "suppression-without-reason",
        message: "missing `:` between the rules and the reason of `warden-ignore`",
        help: "write `-- warden-ignore ban-drop-table: archived, see OPS-1`",
        line: 1,
        column: 33,
        end_line: 1,
        end_column: 52,
      },
    ]);
    // known rule ids without their commas are rules, not a reason
    const text2 = "-- warden-ignore ban-drop-table require-where\nDROP TABLE t;\n";
    const s2 = parseSuppressions(text2, [{ index: 0, location: { line: 2, column: 1, end_line: 2, end_column: 13 } }]);
    const r2 = applySuppressions([{ rule: "require-where", statement: 0 }], s2, ["ban-drop-table", "require-where"]);
    expect(r2.kept).toEqual([]);
    expect(r2.engine.map((e) => [e.rule, e.message, e.column])).toEqual([
      ["suppression-without-reason", "`warden-ignore` without a reason", 1],
      ["unused-suppression", "`warden-ignore ban-drop-table` suppresses nothing on the next statement", 18],
    ]);
  });

  it("says where a directive on a statement's line looked", () => {
    const text = "SELECT 1; -- warden-ignore ban-drop-table: wrong line\nDROP TABLE t;\n-- warden-ignore ban-drop-table: nothing after\n";
    const s = parseSuppressions(text, [
      { index: 0, location: { line: 1, column: 1, end_line: 1, end_column: 9 } },
      { index: 1, location: { line: 2, column: 1, end_line: 2, end_column: 13 } },
    ]);
    const r = applySuppressions([{ rule: "ban-drop-table", statement: 1 }], s, ["ban-drop-table"]);
    expect(r.kept).toEqual([{ rule: "ban-drop-table", statement: 1 }]);
    expect(r.engine.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      "1:28 `warden-ignore ban-drop-table` suppresses nothing on the statement on its line",
      "3:18 `warden-ignore ban-drop-table` suppresses nothing (no statement follows it)",
    ]);
  });

  it("finds nothing to say about a file without directives", () => {
    const r = applySuppressions([{ rule: "x", statement: 0 }], parseSuppressions("SELECT 1;", []), []);
    expect(r.engine).toEqual([]);
    expect(r.kept).toHaveLength(1);
  });
});

describe("suppressions in a checked file", () => {
  const check = async (text: string) => {
    const p = gateProject();
    const prev = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = p.env.XDG_CACHE_HOME;
    try {
      const r = await runCheck({ cwd: p.dir, cache: false, stdin: { content: text, path: "migrations/009.sql" } });
      return { findings: r.findings.map((f) => `${f.rule} ${f.line}:${f.column} ${f.message}`), suppressed: r.summary.suppressed };
    } finally {
      if (prev === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = prev;
    }
  };

  it("ignores a directive inside a multi-line string", async () => {
    const r = await check("INSERT INTO t (id, name) VALUES (1, '\n-- warden-ignore-file no-drop: not really a comment\n');\nDROP TABLE t;\n");
    expect(r).toEqual({ findings: ["no-drop 4:12 DROP TABLE t destroys data"], suppressed: 0 });
  });

  it("ignores a directive in a dollar-quoted string, but reads function and DO bodies as code", async () => {
    const r = await check(
      [
        "INSERT INTO notes VALUES ($$", // 1
        "-- warden-ignore-file no-drop: data", // 2
        "$$);", // 3
        "-- warden-ignore no-drop: covers the DO block and its statements", // 4
        "DO $$ BEGIN DROP TABLE u; END $$;", // 5
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$", // 6
        "BEGIN", // 7
        "  -- warden-ignore no-drop: a comment of the body", // 8
        "  DROP TABLE t;", // 9
        "  PERFORM $q$ -- warden-ignore no-drop: a string in the body $q$;", // 10
        "  DROP TABLE w;", // 11
        "END", // 12
        "$body$;", // 13
        "DROP TABLE v;", // 14
      ].join("\n"),
    );
    expect(r).toEqual({ findings: ["no-drop 11:14 DROP TABLE w destroys data", "no-drop 14:12 DROP TABLE v destroys data"], suppressed: 2 });
  });

  it("covers the statement after a blank line or a block comment", async () => {
    const r = await check("-- warden-ignore no-drop: a\n\nDROP TABLE t;\n-- warden-ignore no-drop: b\n/* note */\nDROP TABLE u;\nDROP TABLE v; -- warden-ignore no-drop: c\n");
    expect(r).toEqual({ findings: [], suppressed: 3 });
  });
});
