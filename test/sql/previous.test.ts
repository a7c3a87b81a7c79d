// `actions[].previous`: a column's type and nullability just before ALTER COLUMN … TYPE /
// SET NOT NULL / DROP NOT NULL, from the catalog replayed over earlier files and statements.
import { beforeAll, describe, expect, it } from "vitest";
import { extractProject, extractStatementFacts, initSqlParser, type Action } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

const t = (name: string, args: (number | string)[] = [], array = false) => ({ name, schema: null, args, array });

/** The (kind, column, previous) of every action of the file's last statement. */
function lastActions(sql: string): [string, string | null | undefined, Action["previous"]][] {
  const all = extractStatementFacts(sql);
  return (all[all.length - 1]!.actions ?? []).map((a) => [a.kind, a.column, a.previous]);
}

describe("actions[].previous", () => {
  const cases: [string, string, [string, string | null | undefined, Action["previous"]][]][] = [
    ["the same type again", "CREATE TABLE t (id uuid NOT NULL); ALTER TABLE t ALTER COLUMN id TYPE UUID", [["alter_column_type", "id", { type: t("uuid"), not_null: true }]]],
    ["spellings fold to one name", "CREATE TABLE t (n character varying(20)); ALTER TABLE t ALTER COLUMN n TYPE varchar(40)", [["alter_column_type", "n", { type: t("varchar", [20]), not_null: false }]]],
    ["a table-level primary key makes its columns NOT NULL", "CREATE TABLE t (a int, b text, PRIMARY KEY (a)); ALTER TABLE t ALTER COLUMN a DROP NOT NULL", [["drop_not_null", "a", { type: t("int4"), not_null: true }]]],
    ["serial is NOT NULL", "CREATE TABLE t (id serial); ALTER TABLE t ALTER COLUMN id SET NOT NULL", [["set_not_null", "id", { type: t("int4"), not_null: true }]]],
    ["an unknown table", "ALTER TABLE t ALTER COLUMN a SET NOT NULL", [["set_not_null", "a", null]]],
    ["an unknown column of a known table", "CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN b DROP NOT NULL", [["drop_not_null", "b", null]]],
    [
      "earlier statements of the file change it",
      "CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a TYPE bigint; ALTER TABLE t ALTER COLUMN a SET NOT NULL; ALTER TABLE t ALTER COLUMN a TYPE numeric(10,2), ALTER COLUMN a DROP NOT NULL",
      [
        ["alter_column_type", "a", { type: t("int8"), not_null: true }],
        ["drop_not_null", "a", { type: t("numeric", [10, 2]), not_null: true }],
      ],
    ],
    ["earlier actions of the statement change it", "CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN b varchar(5), ALTER COLUMN b TYPE text", [["add_column", "b", undefined], ["alter_column_type", "b", { type: t("varchar", [5]), not_null: false }]]],
    ["ADD PRIMARY KEY makes its columns NOT NULL", "CREATE TABLE t (a int); ALTER TABLE t ADD PRIMARY KEY (a); ALTER TABLE t ALTER COLUMN a DROP NOT NULL", [["drop_not_null", "a", { type: t("int4"), not_null: true }]]],
    ["a renamed column keeps its definition", "CREATE TABLE t (a int[] NOT NULL); ALTER TABLE t RENAME COLUMN a TO b; ALTER TABLE t ALTER COLUMN b TYPE bigint[]", [["alter_column_type", "b", { type: t("int4", [], true), not_null: true }]]],
    ["a renamed table keeps its columns", "CREATE TABLE t (a text); ALTER TABLE t RENAME TO u; ALTER TABLE u ALTER COLUMN a SET NOT NULL", [["set_not_null", "a", { type: t("text"), not_null: false }]]],
    ["a dropped and re-added column is the new one", "CREATE TABLE t (a int NOT NULL); ALTER TABLE t DROP COLUMN a; ALTER TABLE t ADD COLUMN a text; ALTER TABLE t ALTER COLUMN a SET NOT NULL", [["set_not_null", "a", { type: t("text"), not_null: false }]]],
    ["CREATE TABLE AS columns have no known type", "CREATE TABLE t AS SELECT 1 AS a; ALTER TABLE t ALTER COLUMN a SET NOT NULL", [["set_not_null", "a", null]]],
    ["other actions carry none", "CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a SET DEFAULT 1, DROP COLUMN a", [["set_default", "a", undefined], ["drop_column", "a", undefined]]],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    expect(lastActions(sql)).toEqual(expected);
  });

  it("leaves the earlier statements' facts as they were", () => {
    const all = extractStatementFacts("CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a TYPE bigint, ALTER COLUMN a SET NOT NULL");
    expect(all[0]!.columns!.map((c) => [c.name, c.type, c.not_null])).toEqual([["a", t("int4"), false]]);
  });

  it("follows the catalog across migration files, and the file's catalog excerpt is the state before it", () => {
    const files = [
      { path: "migrations/001_init.sql", text: "CREATE TABLE users (id uuid NOT NULL, name varchar(50));", type: "migration" as const },
      { path: "migrations/002_widen.sql", text: "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\nALTER TABLE users ALTER COLUMN name SET NOT NULL;", type: "migration" as const },
      { path: "migrations/003_again.sql", text: "ALTER TABLE users ALTER COLUMN name TYPE text, ALTER COLUMN id DROP NOT NULL;", type: "migration" as const },
    ];
    const docs = extractProject(files, { rootDir: "." }).documents;
    expect(docs[1]!.statements.map((s) => s.actions![0]!.previous)).toEqual([
      { type: t("varchar", [50]), not_null: false },
      { type: t("varchar", [100]), not_null: false },
    ]);
    expect(docs[2]!.statements[0]!.actions!.map((a) => a.previous)).toEqual([
      { type: t("varchar", [100]), not_null: true },
      { type: t("uuid"), not_null: true },
    ]);
    expect(docs[2]!.catalog!.tables["public.users"]!.columns.map((c) => [c.name, c.type, c.not_null])).toEqual([
      ["id", t("uuid"), true],
      ["name", t("varchar", [100]), true],
    ]);
  });
});
