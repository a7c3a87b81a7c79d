import { describe, expect, it } from "vitest";
import { applySuppressions, parseSuppressions, type StatementSpan } from "../../src/engine/suppressions.js";

const sql = [
  "-- warden-ignore-file select-star: legacy file", // 1
  "CREATE TABLE a (id int);", // 2
  "-- a note first", // 3
  "-- warden-ignore ban-drop-table, require-where: archived in ticket 42", // 4
  "DROP TABLE a;", // 5
  "", // 6
  "-- warden-ignore ban-drop-table", // 7
  "", // 8
  "DROP TABLE b;", // 9
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
  it("ties each directive to the statement after its comment block, with rule positions", () => {
    const s = parseSuppressions(sql, statements);
    expect(s.map((x) => [x.scope, x.line, x.statement, x.reason, x.rules.map((r) => `${r.id}@${r.line}:${r.column}-${r.endColumn}`)])).toEqual([
      ["file", 1, -1, "legacy file", ["select-star@1:23-34"]],
      ["statement", 4, 1, "archived in ticket 42", ["ban-drop-table@4:18-32", "require-where@4:34-47"]],
      // a blank line separates it from the DROP: it covers nothing
      ["statement", 7, -1, "", ["ban-drop-table@7:18-32"]],
      ["statement", 10, 3, "", ["require-where@10:17-30"]],
    ]);
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
    ];
    const r = applySuppressions(findings, s, ["ban-drop-table", "require-where", "select-star"]);
    expect(r.kept).toEqual([{ rule: "ban-drop-table", statement: 2 }]);
    expect(r.suppressed).toBe(3);
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
        rule: "unused-suppression",
        message: "`warden-ignore ban-drop-table` suppresses nothing (no statement follows it)",
        help: "remove it, or move it onto the comment lines right above the statement it is meant for",
        line: 7,
        column: 18,
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

  it("finds nothing to say about a file without directives", () => {
    const r = applySuppressions([{ rule: "x", statement: 0 }], parseSuppressions("SELECT 1;", []), []);
    expect(r.engine).toEqual([]);
    expect(r.kept).toHaveLength(1);
  });
});
