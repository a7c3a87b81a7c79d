// DROP INDEX: the index's table from the replayed catalog (`relations`), and whether an
// earlier statement of the file created the index (`targets[].created_in_file`).
import { beforeAll, describe, expect, it } from "vitest";
import { extractProject, extractStatementFacts, initSqlParser, type Statement } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

const last = (sql: string): Statement => {
  const all = extractStatementFacts(sql);
  return all[all.length - 1]!;
};
const refs = (s: Statement) => ({
  targets: s.targets.map((t) => [t.kind, t.schema, t.name, t.created_in_file]),
  relations: s.relations.map((r) => [r.kind, r.schema, r.name, r.created_in_file, r.existed_before]),
});

describe("drop_index", () => {
  const cases: [string, string, ReturnType<typeof refs>][] = [
    [
      "an index built in the file on a table created in the file",
      "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); DROP INDEX t_a",
      { targets: [["index", null, "t_a", true]], relations: [["table", null, "t", true, false]] },
    ],
    ["an index unknown to the catalog", "DROP INDEX IF EXISTS t_a", { targets: [["index", null, "t_a", false]], relations: [] }],
    [
      "each index of the list, its table once",
      "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b); DROP INDEX t_a, t_b, other",
      { targets: [["index", null, "t_a", true], ["index", null, "t_b", true], ["index", null, "other", false]], relations: [["table", null, "t", true, false]] },
    ],
    [
      "a schema-qualified index is in its table's schema",
      "CREATE TABLE s.t (a int); CREATE INDEX t_a ON s.t (a); DROP INDEX s.t_a",
      { targets: [["index", "s", "t_a", true]], relations: [["table", "s", "t", true, false]] },
    ],
    [
      "the index follows ALTER INDEX RENAME and its table ALTER TABLE RENAME",
      "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); ALTER INDEX t_a RENAME TO u_a; ALTER TABLE t RENAME TO u; DROP INDEX u_a",
      { targets: [["index", null, "u_a", true]], relations: [["table", null, "u", true, false]] },
    ],
    [
      "an index dropped with its table is gone",
      "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); DROP TABLE t; DROP INDEX t_a",
      { targets: [["index", null, "t_a", true]], relations: [] },
    ],
    [
      "an index dropped once is gone",
      "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); DROP INDEX t_a; DROP INDEX IF EXISTS t_a",
      { targets: [["index", null, "t_a", true]], relations: [] },
    ],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    expect(refs(last(sql))).toEqual(expected);
  });

  it("knows indexes and tables of earlier migrations", () => {
    const files = [
      { path: "migrations/001.sql", text: "CREATE TABLE users (email text);\nCREATE INDEX users_email ON users (email);", type: "migration" as const },
      { path: "migrations/002.sql", text: "DROP INDEX users_email;", type: "migration" as const },
    ];
    const doc = extractProject(files, { rootDir: "." }).documents[1]!;
    expect(refs(doc.statements[0]!)).toEqual({ targets: [["index", null, "users_email", false]], relations: [["table", null, "users", false, true]] });
    expect(Object.keys(doc.catalog?.tables ?? {})).toEqual(["public.users"]);
  });
});
