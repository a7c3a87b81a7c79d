// Column definitions in `statement.columns`: CREATE TABLE and ALTER TABLE ADD COLUMN alike,
// `primary_key` only for the column's own inline constraint, CHECK constraint columns.
import { beforeAll, describe, expect, it } from "vitest";
import { extractStatementFacts, initSqlParser, type Statement } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

const last = (sql: string): Statement => {
  const all = extractStatementFacts(sql);
  return all[all.length - 1]!;
};

describe("ALTER TABLE ADD COLUMN in statement.columns", () => {
  it("lists each added column with its definition and location, as the action does", () => {
    const s = last("ALTER TABLE users\n  ADD COLUMN bio varchar(10) NOT NULL DEFAULT '',\n  ALTER COLUMN x SET NOT NULL,\n  ADD COLUMN IF NOT EXISTS seen_at timestamp;");
    expect(s.columns).toEqual([
      { name: "bio", type: { name: "varchar", schema: null, args: [10], array: false }, not_null: true, has_default: true, default_volatile: false, default_functions: [], location: { line: 2, column: 14 } },
      { name: "seen_at", type: { name: "timestamp", schema: null, args: [], array: false }, not_null: false, has_default: false, location: { line: 4, column: 28 } },
    ]);
    expect(s.actions!.filter((a) => a.kind === "add_column").map((a) => [a.definition, a.location])).toEqual(s.columns!.map((c) => [c, c.location]));
  });

  const cases: [string, string, [string, string | undefined, boolean][] | undefined][] = [
    ["serial", "ALTER TABLE t ADD COLUMN id serial", [["id", "int4", true]]],
    ["json", "ALTER TABLE t ADD json_col json", [["json_col", "json", false]]],
    ["no ADD COLUMN: no columns", "ALTER TABLE t ALTER COLUMN a TYPE text, DROP COLUMN b", undefined],
    ["ALTER TYPE ADD ATTRIBUTE", "ALTER TYPE pair ADD ATTRIBUTE c char(2)", [["c", "char", false]]],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    const s = last(sql);
    expect(s.columns?.map((c) => [c.name, c.type?.name, c.serial ?? false])).toEqual(expected);
  });
});

describe("column.primary_key", () => {
  const cases: [string, string, [string, boolean, boolean][]][] = [
    ["an inline PRIMARY KEY", "CREATE TABLE t (id int PRIMARY KEY, a int)", [["id", true, true], ["a", false, false]]],
    ["a table-level key: NOT NULL, not primary_key", "CREATE TABLE t (id int, a int, PRIMARY KEY (id))", [["id", false, true], ["a", false, false]]],
    ["a composite key's members", "CREATE TABLE t (a int, b int, CONSTRAINT t_pkey PRIMARY KEY (a, b))", [["a", false, true], ["b", false, true]]],
    ["a key written before its columns", "CREATE TABLE t (PRIMARY KEY (b), a int, b int)", [["a", false, false], ["b", false, true]]],
    ["ADD COLUMN … PRIMARY KEY", "ALTER TABLE t ADD COLUMN id bigint PRIMARY KEY", [["id", true, true]]],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    expect(last(sql).columns!.map((c) => [c.name, c.primary_key ?? false, c.not_null ?? false])).toEqual(expected);
  });
});

describe("CHECK constraint columns", () => {
  const cases: [string, string, string[][]][] = [
    ["a table-level CHECK: the columns it references, in order", "CREATE TABLE t (a int, b int, CONSTRAINT c CHECK (b > a AND a >= 0 AND t.b < 100))", [["b", "a"]]],
    ["an inline CHECK on another column", "CREATE TABLE t (a int, b int CHECK (b > a))", [["b", "a"]]],
    ["an inline CHECK that references nothing: its column", "CREATE TABLE t (a int CHECK (true))", [["a"]]],
    ["functions and casts inside", "CREATE TABLE t (name text, CHECK (char_length(name::text) <= 100 AND name IS NOT NULL))", [["name"]]],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    const s = last(sql);
    const checks = [...(s.constraints ?? []), ...(s.columns ?? []).flatMap((c) => c.constraints ?? [])].filter((k) => k.kind === "check");
    expect(checks.map((k) => k.columns)).toEqual(expected);
  });

  it("ALTER TABLE ADD CONSTRAINT … CHECK", () => {
    const s = last("ALTER TABLE v1_payload ADD CONSTRAINT v1_payload_external_id_not_null CHECK (external_id IS NOT NULL) NOT VALID");
    expect(s.actions![0]!.constraint).toEqual({ name: "v1_payload_external_id_not_null", kind: "check", not_valid: true, columns: ["external_id"] });
  });
});
