// One exact fact per statement kind: kind, targets and the kind's own fields.
import { beforeAll, describe, expect, it } from "vitest";
import { extractStatementFacts, initSqlParser, type Statement } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

const one = (sql: string): Statement => {
  const all = extractStatementFacts(sql);
  expect(all.length).toBeGreaterThan(0);
  return all[0]!;
};
const targets = (s: Statement) => s.targets.map((t) => `${t.kind}:${t.schema ? t.schema + "." : ""}${t.name}`);
const pick = (s: Statement, keys: (keyof Statement)[]) => Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));

describe("statement kinds", () => {
  const cases: [string, string, string[], Partial<Statement>?][] = [
    ["CREATE TABLE IF NOT EXISTS s.t (id int)", "create_table", ["table:s.t"], { if_not_exists: true }],
    ["CREATE TEMP TABLE t (id int)", "create_table", ["table:t"], { temporary: true }],
    ["DROP TABLE IF EXISTS a, b CASCADE", "drop_table", ["table:a", "table:b"], { if_exists: true, cascade: true, object_kind: "table" }],
    ["CREATE UNIQUE INDEX CONCURRENTLY i ON t (a, b)", "create_index", ["index:i"], { unique: true, concurrently: true }],
    ["DROP INDEX CONCURRENTLY IF EXISTS i", "drop_index", ["index:i"], { concurrently: true, if_exists: true }],
    ["CREATE OR REPLACE VIEW v AS SELECT 1 AS one", "create_view", ["view:v"], { or_replace: true }],
    ["CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one", "create_materialized_view", ["materialized_view:mv"]],
    ["DROP MATERIALIZED VIEW mv", "drop_materialized_view", ["materialized_view:mv"]],
    ["DROP VIEW v", "drop_view", ["view:v"]],
    ["CREATE SCHEMA IF NOT EXISTS app", "create_schema", ["schema:app"], { if_not_exists: true }],
    ["DROP SCHEMA app CASCADE", "drop_schema", ["schema:app"], { cascade: true }],
    ["CREATE SEQUENCE s.seq START 10", "create_sequence", ["sequence:s.seq"]],
    ["ALTER SEQUENCE seq RESTART WITH 5", "alter_sequence", ["sequence:seq"]],
    ["DROP SEQUENCE seq", "drop_sequence", ["sequence:seq"]],
    ["CREATE TYPE mood AS ENUM ('sad', 'ok')", "create_type", ["type:mood"]],
    ["CREATE TYPE pair AS (a int, b text)", "create_type", ["type:pair"]],
    ["DROP TYPE mood", "drop_type", ["type:mood"]],
    ["ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'ok'", "alter_type", ["type:mood"], { enum_change: { op: "add_value", value: "happy", before: null, after: "ok" }, if_not_exists: true }],
    ["ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'", "alter_type", ["type:mood"], { enum_change: { op: "rename_value", value: "blue", before: "sad" } }],
    ["CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a'", "create_function", ["function:f"]],
    ["DROP FUNCTION IF EXISTS f(int)", "drop_function", ["function:f"], { if_exists: true }],
    ["CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$", "create_procedure", ["procedure:p"]],
    ["CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()", "create_trigger", ["trigger:trg"]],
    ["DROP TRIGGER IF EXISTS trg ON t", "drop_trigger", ["trigger:trg"], { if_exists: true }],
    ['CREATE EXTENSION IF NOT EXISTS "uuid-ossp"', "create_extension", ["extension:uuid-ossp"], { if_not_exists: true }],
    ["DROP EXTENSION pgcrypto", "drop_extension", ["extension:pgcrypto"]],
    ["TRUNCATE a, b CASCADE", "truncate", ["table:a", "table:b"], { cascade: true }],
    ["TRUNCATE a", "truncate", ["table:a"], { cascade: false }],
    ["UPDATE t SET a = 1", "update", ["table:t"], { has_where: false, returning: false }],
    ["DELETE FROM t WHERE id = 1 RETURNING id", "delete", ["table:t"], { has_where: true, returning: true }],
    ["INSERT INTO t (a) VALUES (1)", "insert", ["table:t"], { returning: false }],
    ["SELECT * FROM t LIMIT 10", "select", [], { limit: 10 }],
    ["SELECT * FROM t", "select", [], { limit: null }],
    ["CREATE TABLE t2 AS SELECT 1 AS x", "create_table_as", ["table:t2"]],
    ["SELECT 1 AS x INTO t3", "select_into", ["table:t3"]],
    ["COPY t TO '/tmp/t.csv'", "copy", ["table:t"], { copy: { direction: "to", target: "file", query: false, path: "/tmp/t.csv" } }],
    ["COPY t FROM STDIN", "copy", ["table:t"], { copy: { direction: "from", target: "stdin", query: false, path: null } }],
    ["COPY (SELECT 1) TO PROGRAM 'gzip > x'", "copy", [], { copy: { direction: "to", target: "program", query: true, path: "gzip > x" } }],
    ["COPY t TO STDOUT", "copy", ["table:t"], { copy: { direction: "to", target: "stdout", query: false, path: null } }],
    ["GRANT SELECT, INSERT ON TABLE a, s.b TO analyst, PUBLIC", "grant", ["table:a", "table:s.b"], { privileges: ["select", "insert"], grantees: ["analyst", "public"], object_kind: "table" }],
    ["REVOKE ALL ON SCHEMA app FROM PUBLIC", "revoke", ["schema:app"], { privileges: ["all"], grantees: ["public"], object_kind: "schema" }],
    ["GRANT USAGE ON SCHEMA app TO reader", "grant", ["schema:app"], { privileges: ["usage"], grantees: ["reader"] }],
    ["COMMENT ON TABLE t IS 'x'", "comment", ["table:t"], { object_kind: "table" }],
    ["DO $$ BEGIN NULL; END $$", "do", []],
    ["SET lock_timeout = '5s'", "set", [], { setting: { name: "lock_timeout", value: "5s", local: false } }],
    ["SET LOCAL statement_timeout TO 1000", "set", [], { setting: { name: "statement_timeout", value: "1000", local: true } }],
    ["RESET lock_timeout", "reset", [], { setting: { name: "lock_timeout", value: null, local: false } }],
    ["BEGIN", "begin", [], { transaction: { op: "begin" } }],
    ["COMMIT", "commit", [], { transaction: { op: "commit" } }],
    ["ROLLBACK", "rollback", [], { transaction: { op: "rollback" } }],
    ["VACUUM FULL t", "vacuum", ["table:t"], { vacuum: { full: true } }],
    ["VACUUM t", "vacuum", ["table:t"], { vacuum: { full: false } }],
    ["CLUSTER t USING i", "cluster", ["table:t"]],
    ["REINDEX INDEX CONCURRENTLY i", "reindex", ["index:i"], { concurrently: true }],
    ["REFRESH MATERIALIZED VIEW CONCURRENTLY mv", "refresh_materialized_view", ["materialized_view:mv"], { concurrently: true }],
    ["LOCK TABLE t IN ACCESS EXCLUSIVE MODE", "lock", ["table:t"]],
    ["CREATE POLICY p ON t USING (true)", "create_policy", ["policy:p"]],
    ["CREATE ROLE app LOGIN", "create_role", ["role:app"]],
    ["ALTER TABLE t OWNER TO admin", "alter_table", ["table:t"]],
    ["ALTER VIEW v RENAME TO w", "alter_view", ["view:v"], { actions: [{ kind: "rename", new_name: "w", location: { line: 1, column: 24, end_line: 1, end_column: 25 } }] }],
    ["ALTER INDEX i RENAME TO j", "alter_index", ["index:i"], { actions: [{ kind: "rename", new_name: "j", location: { line: 1, column: 25, end_line: 1, end_column: 26 } }] }],
    ["ALTER TABLE t RENAME TO u", "alter_table", ["table:t"], { actions: [{ kind: "rename_table", new_name: "u", location: { line: 1, column: 25, end_line: 1, end_column: 26 } }] }],
    ["ALTER TABLE t RENAME COLUMN a TO b", "alter_table", ["table:t"], { actions: [{ kind: "rename_column", column: "a", new_name: "b", location: { line: 1, column: 29, end_line: 1, end_column: 30 } }] }],
    ["ALTER TABLE t SET SCHEMA archive", "alter_table", ["table:t"], { actions: [{ kind: "set_schema", new_name: "archive" }] }],
    ["CREATE DOMAIN email AS text", "create_domain", ["domain:email"]],
    ["CALL p(1)", "call", ["procedure:p"]],
    ["GRANT SELECT ON ALL TABLES IN SCHEMA app TO r", "grant", ["schema:app"], { object_kind: "all_tables_in_schema", privileges: ["select"], grantees: ["r"] }],
    ["GRANT EXECUTE ON FUNCTION f(int) TO x", "grant", ["function:f"], { object_kind: "function", privileges: ["execute"] }],
    ["ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO r", "alter_default_privileges", ["schema:app"], { object_kind: "table", privileges: ["select"], grantees: ["r"] }],
    ["GRANT admin TO bob", "grant", ["role:admin"], { object_kind: "role", privileges: ["admin"], grantees: ["bob"] }],
  ];
  it.each(cases)("%s", (sql, kind, tgts, fields) => {
    const s = one(sql);
    expect(s.kind).toBe(kind);
    expect(targets(s)).toEqual(tgts);
    if (fields) expect(pick(s, Object.keys(fields) as (keyof Statement)[])).toEqual(fields);
  });

  it("folds identifiers as PostgreSQL does", () => {
    expect(targets(one('CREATE TABLE Foo."BarBaz" (Id int)'))).toEqual(["table:foo.BarBaz"]);
    expect(one('CREATE TABLE Foo."BarBaz" (Id int)').columns?.[0]?.name).toBe("id");
  });

  it("marks statements between BEGIN and COMMIT", () => {
    const all = extractStatementFacts("SELECT 0; BEGIN; CREATE TABLE t (a int); DROP TABLE u; COMMIT; SELECT 1;");
    expect(all.map((s) => [s.kind, s.in_transaction ?? false])).toEqual([
      ["select", false],
      ["begin", false],
      ["create_table", true],
      ["drop_table", true],
      ["commit", false],
      ["select", false],
    ]);
  });
});

describe("column types and definitions", () => {
  it("normalises type names and keeps arguments", () => {
    const s = one("CREATE TABLE t (a varchar(255), b char(2), c timestamp, d timestamp with time zone, e serial, f bigserial, g numeric(10,2), h int[], i integer, j text NOT NULL DEFAULT 'x')");
    expect(s.columns!.map((c) => [c.name, c.type?.name, c.type?.args, c.type?.array, c.serial ?? false, c.not_null, c.has_default])).toEqual([
      ["a", "varchar", [255], false, false, false, false],
      ["b", "char", [2], false, false, false, false],
      ["c", "timestamp", [], false, false, false, false],
      ["d", "timestamptz", [], false, false, false, false],
      ["e", "int4", [], false, true, true, true],
      ["f", "int8", [], false, true, true, true],
      ["g", "numeric", [10, 2], false, false, false, false],
      ["h", "int4", [], true, false, false, false],
      ["i", "int4", [], false, false, false, false],
      ["j", "text", [], false, false, true, true],
    ]);
  });

  it("reads table constraints", () => {
    const s = one("CREATE TABLE t (id int, u int, PRIMARY KEY (id), CONSTRAINT fk FOREIGN KEY (u) REFERENCES s.users (id) DEFERRABLE, UNIQUE (u))");
    expect(s.constraints).toEqual([
      { name: null, kind: "primary_key", columns: ["id"] },
      { name: "fk", kind: "foreign_key", columns: ["u"], references: { schema: "s", table: "users", columns: ["id"] }, deferrable: true },
      { name: null, kind: "unique", columns: ["u"] },
    ]);
    expect(s.columns!.map((c) => [c.name, c.not_null, c.primary_key ?? false])).toEqual([
      ["id", true, false],
      ["u", false, false],
    ]);
  });
});
