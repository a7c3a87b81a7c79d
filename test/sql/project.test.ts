// Tool annotations (goose, psql, placeholders), nested PL/pgSQL statements, ALTER TABLE
// actions, catalog replay order and file types.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject } from "../helpers/check-project.js";
import { compareMigrations, extractProject, extractStatementFacts, fileTypeOf, initSqlParser } from "../../src/sql/index.js";
import { isDownMigration, migrationSet, typingPath, typingRoot } from "../../src/sql/files.js";

beforeAll(async () => {
  await initSqlParser();
});

const kinds = (sql: string, placeholders?: Record<string, string>) => {
  const r = extractProject([{ path: "m.sql", text: sql, type: "migration" }], { rootDir: ".", ...(placeholders ? { placeholders } : {}) });
  return { st: r.documents[0]!.statements, notes: r.notes };
};

describe("tool annotations", () => {
  it("checks only the goose Up section", () => {
    const { st, notes } = kinds("-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE a (id int);\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE a;\n");
    expect(st.map((s) => [s.kind, s.location.line])).toEqual([["create_table", 3]]);
    expect(notes).toEqual([{ file: "m.sql", line: 6, column: 1, message: "skipped goose `Down` section: only the `Up` part is checked", kind: "skipped" }]);
  });

  it("alternates goose Up and Down sections, keeps annotation lines and CRLF line ends", () => {
    const text = "-- +goose Up\r\nCREATE TABLE a (id int);\r\n-- +goose Down\r\n-- +goose StatementBegin\r\nDROP TABLE a;\r\n-- +goose StatementEnd\r\n  -- +GOOSE UP\r\nCREATE TABLE b (id int);\r\n--+goose down\r\nDROP TABLE b;";
    const { st, notes } = kinds(text);
    expect(st.map((s) => [s.kind, s.targets[0]!.name, s.location.line])).toEqual([
      ["create_table", "a", 2],
      ["create_table", "b", 8],
    ]);
    expect(notes.map((n) => [n.line, n.column])).toEqual([
      [3, 1],
      [9, 1],
    ]);
  });

  it("leaves colons and backslashes inside strings, comments, quoted names and bodies alone", () => {
    const { st, notes } = kinds("SELECT ':a', E'\\:b', \"x:y\" FROM t; -- :c \\d\n/* :e */ DO $x$ BEGIN PERFORM ':f'; END $x$; SELECT a::int, :g FROM t;");
    expect(st.map((s) => s.kind)).toEqual(["select", "do", "select", "select"]);
    expect(notes.map((n) => [n.line, n.column, n.message])).toEqual([[2, 61, "placeholder `:g` read as `g`; configure `placeholders` to substitute it"]]);
  });

  it("skips psql meta-commands with a note, never a parse error", () => {
    const { st, notes } = kinds("\\set ON_ERROR_STOP on\nSELECT 1;\n\\connect app\nDROP TABLE t;");
    expect(st.map((s) => [s.kind, s.location.line, s.location.column])).toEqual([
      ["select", 2, 1],
      ["drop_table", 4, 1],
    ]);
    expect(notes.map((n) => [n.line, n.message])).toEqual([
      [1, "skipped psql meta-command `\\set`"],
      [3, "skipped psql meta-command `\\connect`"],
    ]);
  });

  it("checks psql `\\copy` as the COPY it runs, and notes meta-commands that run SQL from elsewhere", () => {
    const { st, notes } = kinds("\\copy users (email) TO 'out.csv' csv\nSELECT 1;\n\\COPY (SELECT email FROM users) to pstdout;\n\\i other.sql\n\\gexec\n");
    expect(st.map((s) => [s.kind, s.text, s.location.line, s.location.column, s.location.end_line, s.location.end_column])).toEqual([
      ["copy", "copy users (email) TO 'out.csv' csv", 1, 2, 1, 37],
      ["select", "SELECT 1", 2, 1, 2, 9],
      ["copy", "COPY (SELECT email FROM users) to pstdout", 3, 2, 3, 43],
    ]);
    expect(st[0]!.reads.map((r) => [r.table, r.column])).toEqual([["users", "email"]]);
    expect(notes.map((n) => [n.line, n.column, n.kind, n.message])).toEqual([
      [4, 1, "unchecked", "psql meta-command `\\i` runs SQL that is not in this file; that SQL is not checked here"],
      [5, 1, "unchecked", "psql meta-command `\\gexec` runs SQL that is not in this file; that SQL is not checked here"],
    ]);
  });

  it("skips the rows of COPY … FROM STDIN blocks (pg_dump's format) up to `\\.`, and checks the COPY", () => {
    const { st, notes } = kinds("COPY users (id, email) FROM stdin;\n1\ta@b.c\n2\t\\N\n\\.\nDROP TABLE t;\n\\copy users FROM stdin with csv\r\n3,x\r\n\\.\r\nSELECT 1;\n");
    expect(st.map((s) => [s.kind, s.location.line])).toEqual([
      ["copy", 1],
      ["drop_table", 5],
      ["copy", 6],
      ["select", 9],
    ]);
    expect(notes.map((n) => [n.line, n.column, n.message])).toEqual([
      [2, 1, "skipped 2 rows of COPY data (up to `\\.`)"],
      [7, 1, "skipped 1 row of COPY data (up to `\\.`)"],
    ]);
    // without its end marker a block is not data: the rows stay SQL (and do not parse)
    expect(kinds("COPY users FROM stdin;\n1\tx\n").st.map((s) => s.kind)).toEqual(["copy", "unparsed"]);
    // a COPY in a comment or a function body starts no data block, whatever `\\.` comes later
    const hidden = kinds("/*\ncopy users from stdin;\n*/\nCREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$\ncopy users from stdin;\n$$;\nDROP TABLE t;\nCOPY users FROM stdin;\n5\tz\n\\.\n");
    expect(hidden.st.map((s) => [s.kind, s.location.line])).toEqual([
      ["create_function", 4],
      ["copy", 5],
      ["drop_table", 7],
      ["copy", 8],
    ]);
    expect(hidden.notes.map((n) => [n.line, n.message])).toEqual([[9, "skipped 1 row of COPY data (up to `\\.`)"]]);
  });

  it("reads placeholders as neutral names by default and keeps positions", () => {
    const { st, notes } = kinds("CREATE TABLE :SCHEMA.jobs (id int); SELECT :'v' AS x, a::text FROM :SCHEMA.jobs;");
    expect(st[0]!.targets.map((t) => [t.schema, t.name, t.location])).toEqual([["schema", "jobs", { line: 1, column: 15 }]]);
    expect(st[0]!.text).toBe("CREATE TABLE :SCHEMA.jobs (id int)");
    expect(st[1]!.location).toEqual({ line: 1, column: 37, end_line: 1, end_column: 80 });
    expect(notes.map((n) => [n.column, n.kind, n.message])).toEqual([
      [14, "placeholder", "placeholder `:SCHEMA` read as `SCHEMA`; configure `placeholders` to substitute it"],
      [44, "placeholder", "placeholder `:'v'` read as `'v'`; configure `placeholders` to substitute it"],
      [68, "placeholder", "placeholder `:SCHEMA` read as `SCHEMA`; configure `placeholders` to substitute it"],
    ]);
  });

  it("substitutes configured placeholders and maps positions back", () => {
    const { st } = kinds("CREATE TABLE :S.jobs (id int);\nDROP TABLE :S.x;", { S: "graphile_worker" });
    expect(st.map((s) => [s.kind, s.targets[0]!.schema, s.location])).toEqual([
      ["create_table", "graphile_worker", { line: 1, column: 1, end_line: 1, end_column: 30 }],
      ["drop_table", "graphile_worker", { line: 2, column: 1, end_line: 2, end_column: 16 }],
    ]);
  });

  it("substitutes placeholders inside function and DO bodies too, leaving strings and backslashes there alone", () => {
    const body = "CREATE FUNCTION :S.add_job(t text) RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO :S.jobs (task, note) VALUES (t, ':not_me \\d');\nEND;\n$$;\nDO $d$ BEGIN DELETE FROM :S.jobs; END $d$;";
    const configured = kinds(body, { S: "graphile_worker" });
    expect(configured.st.map((s) => [s.kind, s.nested_in ?? null, s.targets[0]?.schema ?? null, s.location.line, s.location.column])).toEqual([
      ["create_function", null, "graphile_worker", 1, 1],
      ["insert", "function", "graphile_worker", 3, 3],
      ["do", null, null, 6, 1],
      ["delete", "do", "graphile_worker", 6, 14],
    ]);
    expect(configured.notes.map((n) => [n.line, n.column])).toEqual([
      [1, 17],
      [3, 15],
      [6, 26],
    ]);
    // unconfigured: read as the name itself, so the body still parses
    const neutral = kinds(body);
    expect(neutral.st.map((s) => [s.kind, s.targets[0]?.schema ?? null])).toEqual([
      ["create_function", "s"],
      ["insert", "s"],
      ["do", null],
      ["delete", "s"],
    ]);
    expect(neutral.notes.map((n) => n.kind)).toEqual(["placeholder", "placeholder", "placeholder"]);
  });

  it("ends a body at its closing tag even when a string in it is left open", () => {
    const { st } = kinds("DO $$ BEGIN RAISE NOTICE 'open; END $$; SELECT :x FROM t;");
    expect(st.map((s) => s.kind)).toEqual(["do", "select"]);
  });
});

describe("nested statements", () => {
  it("extracts statements of PL/pgSQL function bodies with their own spans", () => {
    const sql = "CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE counts SET n = n + 1 WHERE id = NEW.id;\n  PERFORM pg_notify('c', 'x');\n  RETURN NEW;\nEND\n$$;";
    const st = extractStatementFacts(sql);
    expect(st.map((s) => [s.kind, s.nested_in ?? null, s.location.line, s.location.column, s.text])).toEqual([
      ["create_function", null, 1, 1, sql.slice(0, -1)],
      ["update", "trigger", 3, 3, "UPDATE counts SET n = n + 1 WHERE id = NEW.id"],
      ["select", "trigger", 4, 11, "pg_notify('c', 'x')"],
    ]);
    expect(st[1]!.has_where).toBe(true);
  });

  it("extracts statements of DO blocks", () => {
    const st = extractStatementFacts("DO $$\nBEGIN\n  IF true THEN\n    DELETE FROM t;\n  END IF;\nEND $$;");
    expect(st.map((s) => [s.kind, s.nested_in ?? null, s.location.line, s.location.column, s.has_where ?? null])).toEqual([
      ["do", null, 1, 1, null],
      ["delete", "do", 4, 5, false],
    ]);
  });
});

describe("repeated bodies", () => {
  // a body is parsed once per project and replayed: each occurrence still gets its own
  // positions, its own catalog (the second file sees the table the first one created) and taint
  const fn = "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO audit (who) SELECT email FROM users WHERE id = NEW.id;\n  PERFORM pg_notify('c', 'x');\n  RETURN NEW;\nEND\n$$;";
  const sqlFn = "CREATE FUNCTION n() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM users';";
  const doBlock = "DO $$ BEGIN DELETE FROM audit; END $$;";
  const files = [
    { path: "m/001.sql", text: `${fn}\n${sqlFn}\n${doBlock}`, type: "migration" as const },
    { path: "m/002.sql", text: `CREATE TABLE users (id int, email text);\n\n  ${fn}\n${doBlock}\n${sqlFn}`, type: "migration" as const },
  ];
  const facts = (i: number, docs: ReturnType<typeof extractProject>["documents"]) =>
    docs[i]!.statements.map((s) => [s.kind, s.nested_in ?? null, `${s.location.line}:${s.location.column}-${s.location.end_line}:${s.location.end_column}`, s.reads.map((r) => `${r.table}.${r.column}[${(r.classifications ?? []).join()}]`).join(" ")]);

  it("gives each occurrence its own place, catalog and classifications", () => {
    const { documents } = extractProject(files, { rootDir: ".", classifications: { pii: ["*.email"] } });
    expect(facts(0, documents)).toEqual([
      ["create_function", null, "1:1-7:3", ""],
      ["insert", "trigger", "3:3-3:68", "users.id[] users.email[pii]"],
      ["select", "trigger", "4:11-4:30", ""],
      ["create_function", null, "8:1-8:80", ""],
      ["select", "function", "8:53-8:79", ""],
      ["do", null, "9:1-9:38", ""],
      ["delete", "do", "9:13-9:30", ""],
    ]);
    expect(facts(1, documents)).toEqual([
      ["create_table", null, "1:1-1:40", ""],
      ["create_function", null, "3:3-9:3", ""],
      ["insert", "trigger", "5:3-5:68", "users.id[] users.email[pii]"],
      ["select", "trigger", "6:11-6:30", ""],
      ["do", null, "10:1-10:38", ""],
      ["delete", "do", "10:13-10:30", ""],
      ["create_function", null, "11:1-11:80", ""],
      ["select", "function", "11:53-11:79", ""],
    ]);
    // another body running the same statement: the query is reused, placed where it is written
    const other = "CREATE FUNCTION other() RETURNS void LANGUAGE plpgsql AS $b$\nDECLARE n int;\nBEGIN\n    IF true THEN INSERT INTO audit (who) SELECT email FROM users WHERE id = NEW.id; END IF;\nEND $b$;";
    const three = extractProject([...files, { path: "m/003.sql", text: other, type: "migration" as const }], { rootDir: ".", classifications: { pii: ["*.email"] } }).documents;
    expect(facts(2, three)).toEqual([
      ["create_function", null, "1:1-5:8", ""],
      ["insert", "function", "4:18-4:83", "users.id[] users.email[pii]"],
    ]);
    // the same files one at a time (no earlier body to reuse) give the same facts
    for (const i of [0, 1]) {
      const alone = extractProject([files[i]!], { rootDir: ".", classifications: { pii: ["*.email"] } }).documents;
      expect(facts(0, alone)).toEqual(facts(i, documents));
    }
  });
});

describe("catalog replay", () => {
  const files = [
    { path: "db/migrations/V10__add_col.sql", text: "ALTER TABLE users ADD COLUMN phone text;", type: "migration" as const },
    { path: "db/migrations/V2__users.sql", text: "CREATE TABLE users (id int, email text);", type: "migration" as const },
    { path: "db/migrations/V11__drop.sql", text: "DROP TABLE users; CREATE TABLE users (x int); ALTER TABLE users ADD COLUMN y int;", type: "migration" as const },
    { path: "jobs/read.sql", text: "SELECT * FROM users;", type: "sql" as const },
  ];
  it("replays migrations in version order, whatever the input order", () => {
    const { documents } = extractProject(files, { rootDir: "." });
    const t = (i: number, k = 0) => documents[i]!.statements[k]!.targets[0]!;
    expect(t(1)).toMatchObject({ name: "users", existed_before: null, created_in_file: false });
    expect(t(0)).toMatchObject({ name: "users", existed_before: true, created_in_file: false, columns: ["id", "email"] });
    expect(documents[0]!.catalog).toEqual({ tables: { "public.users": { columns: [{ name: "id", type: { name: "int4", schema: null, args: [], array: false }, not_null: false, has_default: false }, { name: "email", type: { name: "text", schema: null, args: [], array: false }, not_null: false, has_default: false }] } } });
    // dropped and re-created in the same file: the ALTER sees the new table, created here
    expect(t(2, 0)).toMatchObject({ existed_before: true, created_in_file: false, columns: ["id", "email", "phone"] });
    expect(t(2, 2)).toMatchObject({ existed_before: false, created_in_file: true, columns: ["x"] });
    // plain SQL runs after the migrations: `*` expands with the final columns
    expect(documents[3]!.statements[0]!.reads.map((r) => r.column)).toEqual(["x", "y"]);
  });

  it("neither replays nor checks down migrations: later files see the tables they would drop", () => {
    const NOTE = "skipped down migration: only up migrations are checked";
    const layouts: [string, string, string][] = [
      // golang-migrate, diesel/sqlx-style version folders, `_down`/`-down` suffixes, Flyway undo
      ["db/migrations/000001_users.up.sql", "db/migrations/000001_users.down.sql", "db/migrations/000002_orders.up.sql"],
      ["migrations/2024-01-01-000000_users/up.sql", "migrations/2024-01-01-000000_users/down.sql", "migrations/2024-02-01-000000_orders/up.sql"],
      ["migrations/001_users_up.sql", "migrations/001_users_down.sql", "migrations/002_orders-up.sql"],
      ["migrations/001-users.sql", "migrations/001-users-down.sql", "migrations/002-orders.sql"],
      ["db/migration/V1__users.sql", "db/migration/U1__users.sql", "db/migration/V2__orders.sql"],
      ["db/migration/V1_1__users.sql", "db/migration/U1_1__users.sql", "db/migration/V2__orders.sql"],
    ];
    for (const [up, down, next] of layouts) {
      const { documents, notes } = extractProject(
        [
          { path: down, text: "DROP TABLE users;\nDROP TABLE orders;\n", type: "migration" },
          { path: next, text: "CREATE TABLE orders (id int, user_id int);", type: "migration" },
          { path: up, text: "CREATE TABLE users (id int, email text);", type: "migration" },
          { path: "jobs/read.sql", text: "SELECT * FROM users;", type: "sql" },
        ],
        { rootDir: "." },
      );
      expect(documents[0], down).toEqual({ context: "ci", file: { path: down, type: "migration" }, statements: [] });
      expect(notes, down).toEqual([{ file: down, message: NOTE, kind: "skipped" }]);
      expect(documents[3]!.statements[0]!.reads.map((r) => `${r.table}.${r.column}`), down).toEqual(["users.id", "users.email"]);
    }
  });

  it("takes only down-migration names as down migrations", () => {
    expect(["a.down.sql", "x/down.sql", "1_down.sql", "1-DOWN.sql", "U2__x.sql", "sub/U1.2__x.sql"].filter((p) => !isDownMigration(p))).toEqual([]);
    expect(["teardown.sql", "countdown/1.sql", "down/1.sql", "V1__down_payment.sql", "U__x.sql", "Users__x.sql", "xU1__x.sql", "u1__x.sql"].filter(isDownMigration)).toEqual([]);
  });

  it("orders migration names naturally, down migrations last", () => {
    const names = ["V10__b.sql", "U2__a.sql", "V2__a.sql", "R__views.sql", "V1_1__x.sql", "000002_x.down.sql", "000002_x.up.sql", "000001_y.up.sql"];
    expect([...names].sort(compareMigrations)).toEqual(["000001_y.up.sql", "000002_x.up.sql", "V1_1__x.sql", "V2__a.sql", "V10__b.sql", "R__views.sql", "000002_x.down.sql", "U2__a.sql"]);
  });
});

describe("migration sets", () => {
  // two services, one database each: the same table name means two different tables
  const service = (name: string, n: string, sql: string) => ({ path: `services/${name}/db/migrations/${n}.sql`, absPath: `/repo/services/${name}/db/migrations/${n}.sql`, text: sql, type: "migration" as const, set: `/repo/services/${name}/db/migrations` });
  const files = [
    service("a", "001", "CREATE TABLE users (id int, email text);"),
    service("a", "002", "ALTER TABLE users ADD COLUMN tier text NOT NULL;"),
    service("b", "001", "ALTER TABLE users ADD COLUMN tier text NOT NULL;"),
    service("b", "002", "CREATE TABLE users (id int, handle text);"),
    { path: "services/a/jobs/q.sql", absPath: "/repo/services/a/jobs/q.sql", text: "SELECT * FROM users;", type: "sql" as const },
    { path: "services/b/jobs/q.sql", absPath: "/repo/services/b/jobs/q.sql", text: "SELECT * FROM users;", type: "sql" as const },
    { path: "reports/q.sql", absPath: "/repo/reports/q.sql", text: "SELECT * FROM users;", type: "sql" as const },
  ];

  it("names a migration's set by its nearest migrations folder, counted as file types count folders", () => {
    expect(migrationSet("/repo/services/a/db/migrations/001.sql", "services/a/db/migrations/001.sql")).toBe("/repo/services/a/db/migrations");
    // prisma keeps one folder per migration; kratos nests a folder in migrations/
    expect(migrationSet("/p/prisma/migrations/01_init/migration.sql", "prisma/migrations/01_init/migration.sql")).toBe("/p/prisma/migrations");
    expect(migrationSet("/p/persistence/sql/Migrations/sql/1.sql", "persistence/sql/Migrations/sql/1.sql")).toBe("/p/persistence/sql/Migrations");
    expect(migrationSet("/r/app/db/migrate/1.sql", "app/db/migrate/1.sql")).toBe("/r/app/db/migrate");
    // folders above the typing root do not count; a migration typed by a glob alone has no folder
    expect(migrationSet("/x/migrations/proj/schema/1.sql", "schema/1.sql")).toBe("");
  });

  it("replays each set into its own catalog; other files see the nearest set, or all equally near ones", () => {
    const { documents } = extractProject(files, { rootDir: "/repo" });
    const t = (i: number) => documents[i]!.statements[0]!.targets[0]!;
    expect(t(1)).toMatchObject({ name: "users", existed_before: true, columns: ["id", "email"] });
    // service b's first migration knows nothing of service a's users
    expect(t(2)).toMatchObject({ name: "users", existed_before: null });
    expect(t(3)).toMatchObject({ name: "users", existed_before: null });
    const star = (i: number) => documents[i]!.statements[0]!.reads.map((r) => r.column);
    expect(star(4)).toEqual(["id", "email", "tier"]);
    expect(star(5)).toEqual(["id", "handle"]);
    // equally near to both: their catalogs merged, the later set over the earlier
    expect(star(6)).toEqual(["id", "handle"]);
  });

  it("checks each dbt project's models against the set nearest to that project", () => {
    const p = makeProject({
      "svc/a/migrations/V1__u.sql": "CREATE TABLE users (id bigint, email text);\n",
      "svc/b/migrations/V1__u.sql": "CREATE TABLE users (id bigint, score int);\n",
      "svc/a/dbt/dbt_project.yml": "name: a\n",
      "svc/a/dbt/models/ma.sql": "select * from users\n",
      "svc/b/dbt/dbt_project.yml": "name: b\n",
      "svc/b/dbt/models/mb.sql": "select * from users\n",
    });
    const at = (rel: string, type: "migration" | "dbt_model") => ({ path: rel, absPath: path.join(p.dir, rel), text: readFileSync(path.join(p.dir, rel), "utf8"), type, ...(type === "migration" ? { set: path.join(p.dir, path.dirname(rel)) } : {}) });
    const files = [at("svc/a/migrations/V1__u.sql", "migration"), at("svc/b/migrations/V1__u.sql", "migration"), at("svc/a/dbt/models/ma.sql", "dbt_model"), at("svc/b/dbt/models/mb.sql", "dbt_model")];
    const { documents } = extractProject(files, { rootDir: p.dir });
    const star = (i: number) => documents[i]!.statements[0]!.reads.map((r) => r.column);
    expect(star(2)).toEqual(["id", "email"]);
    expect(star(3)).toEqual(["id", "score"]);
  });

  it("replays migrations without a set as one catalog, as before sets existed", () => {
    const unset = files.slice(0, 4).map((f) => ({ path: f.path, text: f.text, type: f.type }));
    const { documents } = extractProject(unset, { rootDir: "/repo" });
    expect(documents[2]!.statements[0]!.targets[0]).toMatchObject({ name: "users", existed_before: true });
  });
});

describe("file types", () => {
  it.each([
    ["db/migrations/V1__x.sql", "migration"],
    ["migration/001.sql", "migration"],
    ["app/db/migrate/2020_x.sql", "migration"],
    ["ml/retraining/features.sql", "retraining"],
    ["training/q.sql", "retraining"],
    ["reports/q.sql", "sql"],
  ])("%s → %s", (p, type) => {
    expect(fileTypeOf(p)).toBe(type);
  });
  it("lets configured globs win", () => {
    expect(fileTypeOf("db/migrations/V1__x.sql", { globs: { sql: ["db/**"] } })).toBe("sql");
    expect(fileTypeOf("models/a.sql", { dbtModelPaths: ["models"] })).toBe("dbt_model");
  });
  it("reads folder names from the project root, not from where the run started", () => {
    // `cd db/migrations && warden check` in a repository: the relative path has no folders left
    const inRepo = typingRoot({ repoRoot: "/repo", cwd: "/repo/db/migrations" });
    expect(inRepo).toBe("/repo");
    const folderPath = typingPath("/repo/db/migrations/V1__x.sql", inRepo)!;
    expect(folderPath).toBe("db/migrations/V1__x.sql");
    expect(fileTypeOf("V1__x.sql", { folderPath })).toBe("migration");
    expect(fileTypeOf("V1__x.sql")).toBe("sql");
    // a config defines the project: folders above it do not count (apps/training/ is no training folder)
    const cfg = typingRoot({ configDir: "/repo/apps/training", repoRoot: "/repo", cwd: "/repo/apps/training" });
    expect(fileTypeOf("sql/report.sql", { folderPath: typingPath("/repo/apps/training/sql/report.sql", cfg)! })).toBe("sql");
    // neither: the working directory's own name counts, nothing above it
    const loose = typingRoot({ cwd: "/srv/training/proj" });
    expect(fileTypeOf("queries/q.sql", { folderPath: typingPath("/srv/training/proj/queries/q.sql", loose)! })).toBe("sql");
    expect(fileTypeOf("V1.sql", { folderPath: typingPath("/tmp/x/migrations/V1.sql", typingRoot({ cwd: "/tmp/x/migrations" }))! })).toBe("migration");
    // outside the root: the relative path is read; globs always match the relative path
    expect(typingPath("/elsewhere/migrations/a.sql", "/repo")).toBeUndefined();
    expect(fileTypeOf("q.sql", { folderPath: "training/q.sql", globs: { sql: ["q.sql"] } })).toBe("sql");
  });
  it("matches dbt model paths that are the base directory or above it", () => {
    // run from inside models/: dbt_project.yml's model path is "" or ".." from there
    expect(fileTypeOf("m.sql", { dbtModelPaths: [""] })).toBe("dbt_model");
    expect(fileTypeOf("marts/n.sql", { dbtModelPaths: [".."] })).toBe("dbt_model");
    expect(fileTypeOf("../other/x.sql", { dbtModelPaths: [""] })).toBe("sql");
    expect(fileTypeOf("seeds/x.sql", { dbtModelPaths: ["models"] })).toBe("sql");
  });
  it("types Jinja under a models/ folder as a dbt model, unless dbt_model globs are configured", () => {
    expect(fileTypeOf("models/a.sql", { text: "select * from {{ ref('b') }}" })).toBe("dbt_model");
    expect(fileTypeOf("models/a.sql", { text: "select 1" })).toBe("sql");
    expect(fileTypeOf("models/a.sql", { text: "select {{ x }}", globs: { dbt_model: ["dbt/**"] } })).toBe("sql");
  });
});

describe("onDocument", () => {
  it("hands over each document once, as soon as it is final, in extraction order", () => {
    const files = [
      { path: "q.sql", text: "SELECT id FROM a;", type: "sql" as const },
      { path: "migrations/V10__b.sql", text: "ALTER TABLE a ADD COLUMN b int;", type: "migration" as const },
      { path: "migrations/V2__a.sql", text: "CREATE TABLE a (id int);", type: "migration" as const },
    ];
    const seen: [number, number][] = [];
    const { documents } = extractProject(files, {
      rootDir: "/p",
      // the statements of a document do not change after it is handed over
      onDocument: (i, doc) => seen.push([i, JSON.stringify(doc).length]),
    });
    expect(seen.map(([i]) => i)).toEqual([2, 1, 0]);
    expect(seen.map(([i, n]) => [i, JSON.stringify(documents[i]).length])).toEqual(seen);
    expect(documents[0]!.catalog?.tables["public.a"]?.columns.map((c) => c.name)).toEqual(["id", "b"]);
  });
});
