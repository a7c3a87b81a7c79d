// Locations of names the parse tree gives no position for: ALTER TABLE actions, RENAME,
// DROP targets, index / trigger / type / sequence names, and CREATE TABLE AS writes.
import { beforeAll, describe, expect, it } from "vitest";
import { extractStatementFacts, initSqlParser, type Location, type Statement } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

/** The text a location spans (1-based lines and columns, end exclusive). */
function spanned(sql: string, l: Location | undefined): string | undefined {
  if (!l) return undefined;
  const lines = sql.split("\n");
  const off = (line: number, col: number) => lines.slice(0, line - 1).reduce((n, x) => n + x.length + 1, 0) + col - 1;
  if (l.end_line === undefined || l.end_column === undefined) return `@${l.line}:${l.column}`;
  return sql.slice(off(l.line, l.column), off(l.end_line, l.end_column));
}

const last = (sql: string): Statement => {
  const all = extractStatementFacts(sql);
  return all[all.length - 1]!;
};

describe("action locations", () => {
  const cases: [string, string, (string | undefined)[]][] = [
    [
      "each action of a multi-action ALTER TABLE at its column",
      'ALTER TABLE ONLY public."Users"\n  ALTER COLUMN "Email" TYPE varchar(10) USING lower("Email"),\n  ALTER COLUMN name DROP NOT NULL,\n  ALTER name SET NOT NULL,\n  DROP COLUMN IF EXISTS old_col CASCADE,\n  ADD COLUMN tags text[] DEFAULT ARRAY[\'a\', \'b\'],\n  ALTER COLUMN n SET DEFAULT coalesce(1, 2)',
      ['"Email"', "name", "name", "old_col", "@6:14", "n"],
    ],
    [
      "constraints by name, other actions as written",
      "ALTER TABLE t VALIDATE CONSTRAINT t_fk, DROP CONSTRAINT IF EXISTS t_chk, OWNER TO admin, SET LOGGED",
      ["t_fk", "t_chk", "OWNER TO admin", "SET LOGGED"],
    ],
    ["ADD CONSTRAINT keeps the constraint's own position", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", ["@1:19"]],
    ["RENAME COLUMN at the old name", "ALTER TABLE t RENAME COLUMN a TO b", ["a"]],
    ["RENAME CONSTRAINT at the old name", "ALTER TABLE t RENAME CONSTRAINT c1 TO c2", ["c1"]],
    ["RENAME TO at the new name", "ALTER TABLE IF EXISTS s.t RENAME TO t_old", ["t_old"]],
    ["ALTER INDEX RENAME at the new name", "ALTER INDEX i RENAME TO j", ["j"]],
    ["a column named like a keyword", "ALTER TABLE t ALTER COLUMN type TYPE text", ["type"]],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    const s = last(sql);
    expect(s.actions!.map((a) => spanned(sql, a.location))).toEqual(expected);
  });

  it("gives exact line and column spans", () => {
    const s = last("ALTER TABLE users\n    ALTER COLUMN email DROP NOT NULL;");
    expect(s.actions![0]!.location).toEqual({ line: 2, column: 18, end_line: 2, end_column: 23 });
  });
});

describe("target locations", () => {
  const cases: [string, string, (string | undefined)[], (string | undefined)[]][] = [
    ["each table of DROP TABLE", "DROP TABLE IF EXISTS a, s.b,\n  \"C\" CASCADE", ["a", "s.b", '"C"'], []],
    ["DROP INDEX", "DROP INDEX CONCURRENTLY IF EXISTS public.idx_a, idx_b", ["public.idx_a", "idx_b"], []],
    ["DROP TRIGGER: the trigger and its table", "DROP TRIGGER IF EXISTS trg ON s.t", ["trg"], ["s.t"]],
    ["DROP FUNCTION with arguments", "DROP FUNCTION f(int, text), g()", ["f", "g"], []],
    ["DROP TYPE", "DROP TYPE mood, s.pair", ["mood", "s.pair"], []],
    ["CREATE INDEX: the index name, not the table", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t ON t (a)", ["t"], ["@1:53"]],
    ["CREATE INDEX without a name", "CREATE INDEX ON t (a)", [undefined], ["@1:17"]],
    ["CREATE TRIGGER", 'CREATE TRIGGER "Touch" BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()', ['"Touch"'], ["@1:41"]],
    ["ALTER TYPE ADD VALUE", "ALTER TYPE public.mood ADD VALUE 'happy'", ["public.mood"], []],
    ["ALTER TYPE RENAME VALUE", "ALTER TYPE mood RENAME VALUE 'a' TO 'b'", ["mood"], []],
    ["CREATE TYPE AS ENUM", "CREATE TYPE mood AS ENUM ('a')", ["mood"], []],
    ["CREATE TYPE (base)", "CREATE TYPE type", ["type"], []],
    ["CREATE TYPE AS (composite)", "CREATE TYPE pair AS (a int, b text)", ["@1:13"], []],
    ["CREATE SEQUENCE", "CREATE SEQUENCE s.seq", ["@1:17"], []],
  ];
  it.each(cases)("%s", (_name, sql, targets, relations) => {
    const s = last(sql);
    expect(s.targets.map((t) => spanned(sql, t.location))).toEqual(targets);
    expect(s.relations.map((t) => spanned(sql, t.location))).toEqual(relations);
  });

  it("locates composite type attributes", () => {
    const sql = "CREATE TYPE pair AS (a int, b text)";
    expect(last(sql).columns!.map((c) => c.location)).toEqual([{ line: 1, column: 22 }, { line: 1, column: 29 }]);
  });

  it("finds names in nested function bodies at their own place", () => {
    const sql = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  DROP TABLE tmp_a;\n  ALTER TABLE t DROP COLUMN c;\nEND $$;";
    const all = extractStatementFacts(sql);
    expect(all.map((s) => [s.kind, s.targets[0]?.location?.line, s.targets[0]?.location?.column, s.actions?.[0]?.location])).toEqual([
      ["create_function", undefined, undefined, undefined],
      ["drop_table", 3, 14, undefined],
      ["alter_table", 4, 15, { line: 4, column: 29, end_line: 4, end_column: 30 }],
    ]);
  });
});

describe("CREATE TABLE AS writes", () => {
  it("places each written column at its select-list item, `*` columns at the `*`", () => {
    const sql = "CREATE TABLE users (id int, email text);\nCREATE TABLE copy AS SELECT u.*, md5(email) AS h FROM users u;";
    const s = last(sql);
    expect(s.writes.map((w) => [w.column, w.location])).toEqual([
      ["id", { line: 2, column: 29 }],
      ["email", { line: 2, column: 29 }],
      ["h", { line: 2, column: 34 }],
    ]);
  });
});
