// Statement splitting and spans: exact 1-based lines/columns, comments excluded, multi-byte text,
// dollar-quoted bodies, error recovery statement by statement.
import { beforeAll, describe, expect, it } from "vitest";
import { extractStatementFacts, initSqlParser } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

const spans = (sql: string) => extractStatementFacts(sql).map((s) => [s.kind, s.location.line, s.location.column, s.location.end_line, s.location.end_column, s.text]);

describe("statement spans", () => {
  it("excludes leading comments and the terminating semicolon", () => {
    expect(spans("-- lead\n/* block */ SELECT 1 -- trail\n;\n\n  DROP TABLE t;")).toEqual([
      ["select", 2, 13, 2, 21, "SELECT 1"],
      ["drop_table", 5, 3, 5, 15, "DROP TABLE t"],
    ]);
  });

  it("counts columns in UTF-16 units after multi-byte UTF-8 text", () => {
    // 'é' is 2 bytes, '✓' 3 bytes and '😀' 4 bytes (2 UTF-16 units): byte offsets must not leak
    expect(spans("SELECT 'é✓😀' AS x; SELECT 2;\n-- ünïcödé\nDELETE FROM t;")).toEqual([
      ["select", 1, 1, 1, 19, "SELECT 'é✓😀' AS x"],
      ["select", 1, 21, 1, 29, "SELECT 2"],
      ["delete", 3, 1, 3, 14, "DELETE FROM t"],
    ]);
  });

  it("keeps dollar-quoted bodies with semicolons in one statement", () => {
    const sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;\nSELECT 3";
    expect(spans(sql)).toEqual([
      ["create_function", 1, 1, 1, 72, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$"],
      ["select", 1, 56, 1, 64, "SELECT 1"],
      ["select", 2, 1, 2, 9, "SELECT 3"],
    ]);
  });

  it("recovers after a syntax error and locates it", () => {
    const facts = extractStatementFacts("CREATE TABLE a (id int);\nSELEC 1;\nDROP TABLE b;");
    expect(facts.map((s) => s.kind)).toEqual(["create_table", "unparsed", "drop_table"]);
    expect(facts[1]!.error).toEqual({ message: 'syntax error at or near "SELEC"', line: 2, column: 1 });
    expect(facts[1]!.location).toEqual({ line: 2, column: 1, end_line: 2, end_column: 8 });
    expect(facts[2]!.location).toEqual({ line: 3, column: 1, end_line: 3, end_column: 13 });
  });

  it("locates an error inside a statement after multi-byte text", () => {
    const facts = extractStatementFacts("SELECT 'é'; SELECT 'ü' FRM t;");
    expect(facts[1]!.kind).toBe("unparsed");
    expect(facts[1]!.error).toEqual({ message: 'syntax error at or near "t"', line: 1, column: 28 });
  });
});

describe("line breaks", () => {
  it("counts CRLF and lone CR line breaks like LineIndex", () => {
    expect(spans("SELECT 1;\r\n-- c\r\nDROP TABLE t;\rSELECT 2;")).toEqual([
      ["select", 1, 1, 1, 9, "SELECT 1"],
      ["drop_table", 3, 1, 3, 13, "DROP TABLE t"],
      ["select", 4, 1, 4, 9, "SELECT 2"],
    ]);
  });
});
