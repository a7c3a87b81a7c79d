// `statement.truncated_identifiers`: names written longer than PostgreSQL's 63 bytes, which
// the parser (like PostgreSQL) silently truncates; a name of exactly 63 bytes is not one.
import { beforeAll, describe, expect, it } from "vitest";
import { extractStatementFacts, initSqlParser } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

const n63 = "WorkflowTriggerScheduledRef_parentId_parentStepRunId_childK_key"; // hatchet: exactly 63
const n64 = "idx_comment_aggregates_controversy_hot_rank_most_comments_publis"; // 64

describe("truncated_identifiers", () => {
  it("names of 63 bytes or fewer are kept", () => {
    expect([n63.length, n64.length]).toEqual([63, 64]);
    const all = extractStatementFacts(`CREATE UNIQUE INDEX "${n63}" ON t (a);`);
    expect(all[0]!.truncated_identifiers).toBeUndefined();
    expect(all[0]!.targets[0]!.name).toBe(n63);
  });

  const cases: [string, string, { written: string; name: string; location: { line: number; column: number; end_line: number; end_column: number } }[]][] = [
    [
      "an unquoted name: written as is, folded and cut",
      `CREATE INDEX ${n64.toUpperCase()} ON t (a)`,
      [{ written: n64.toUpperCase(), name: n64.slice(0, 63), location: { line: 1, column: 14, end_line: 1, end_column: 78 } }],
    ],
    [
      "a quoted name: written without its quotes, case kept",
      `ALTER TABLE t\n  ADD COLUMN "${"A".repeat(70)}" int`,
      [{ written: "A".repeat(70), name: "A".repeat(63), location: { line: 2, column: 14, end_line: 2, end_column: 86 } }],
    ],
    [
      "multi-byte names are cut at a character boundary by bytes",
      `CREATE TABLE "${"é".repeat(40)}" (id int)`,
      [{ written: "é".repeat(40), name: "é".repeat(31), location: { line: 1, column: 14, end_line: 1, end_column: 56 } }],
    ],
    [
      "each name once, in order; strings and comments are not names",
      `-- ${"c".repeat(80)}\nSELECT '${"s".repeat(80)}', ${"x".repeat(64)}.${"y".repeat(65)} FROM ${"x".repeat(64)}`,
      [
        { written: "x".repeat(64), name: "x".repeat(63), location: { line: 2, column: 92, end_line: 2, end_column: 156 } },
        { written: "y".repeat(65), name: "y".repeat(63), location: { line: 2, column: 157, end_line: 2, end_column: 222 } },
      ],
    ],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    expect(extractStatementFacts(sql)[0]!.truncated_identifiers).toEqual(expected);
  });

  it("reports names in function bodies on their nested statement, not on the CREATE FUNCTION", () => {
    const sql = `CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM ${"t".repeat(64)};\nEND $$;`;
    const all = extractStatementFacts(sql);
    expect(all.map((s) => [s.kind, s.truncated_identifiers?.map((t) => [t.name.length, t.location.line, t.location.column])])).toEqual([
      ["create_function", undefined],
      ["delete", [[63, 3, 15]]],
    ]);
  });

  it("the truncated name is the one the parse tree holds", () => {
    const s = extractStatementFacts(`CREATE TABLE ${"t".repeat(70)} (id int)`)[0]!;
    expect(s.targets[0]!.name).toBe(s.truncated_identifiers![0]!.name);
  });
});
