// Rules that depend on the more precise SQL facts (docs/corpus-findings.md): the column's
// state before ALTER COLUMN (`actions[].previous`), added columns in `statement.columns`,
// locations of actions and names, indexes' tables, CHECK columns and names as written.
// Exact findings — rule, statement, location, message — on both engines, with the tables
// replayed from an earlier migration (the case's `catalog`) so they are not new in the file.
import { beforeAll, describe, expect, it } from "vitest";
import type { Finding, JsonValue } from "../../src/compiler/ir/ir.js";
import { defaultData } from "../../src/compiler/ir/interpret.js";
import { compileLibrary } from "../../src/rules/builtin.js";
import { harnessFor } from "../../src/rules/engines.js";
import type { Harness } from "../../src/rules/test-runner.js";

const ir = compileLibrary().result.ir!;
const engines: Record<string, Harness> = {};

beforeAll(async () => {
  engines.interpreter = await harnessFor("interpreter", ir);
  engines.wasm = await harnessFor("wasm", ir);
});

type Row = [statement: number, line: number | undefined, column: number | undefined, message: string];

/** Columns of earlier tables: `name: "type …"` (the type text is written into a CREATE TABLE). */
type Tables = Record<string, Record<string, string>>;

function catalogOf(tables: Tables): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const [t, cols] of Object.entries(tables)) out[t] = { columns: Object.entries(cols).map(([name, type]) => ({ name, type: { name: type } })) };
  return { tables: out };
}

async function rows(engine: string, rule: string, sql: string, tables: Tables = {}): Promise<Row[]> {
  const h = engines[engine]!;
  const input = await h.buildInput({ scope: "migration", sql, path: "migrations/20240101000000_case.sql", catalog: catalogOf(tables) });
  const d = await h.evaluate(input, defaultData(ir) as unknown as JsonValue);
  return d.findings.filter((f: Finding) => f.rule === rule).map((f: Finding) => [f.statement, f.location?.line, f.location?.column, f.message]);
}

const TYPE = (t: string, c: string, to: string) => `changing the type of ${t}.${c} to ${to} can rewrite the table and its indexes while holding an ACCESS EXCLUSIVE lock`;

for (const engine of ["interpreter", "wasm"]) {
  describe(`changing-column-type with the type before the change (${engine})`, () => {
    const cases: [string, Tables, string, Row[]][] = [
      // kratos 20200830172221000002_recovery_token_expires: the type restated on a uuid column
      ["the same type again", { "public.tokens": { id: "uuid NOT NULL" } }, "ALTER TABLE tokens ALTER COLUMN id TYPE UUID, ALTER COLUMN id DROP NOT NULL;", []],
      ["the same type with USING", { "public.tokens": { id: "uuid" } }, "ALTER TABLE tokens ALTER COLUMN id TYPE uuid USING gen_random_uuid();", [[0, 1, 33, TYPE("tokens", "id", "uuid")]]],
      ["varchar widened", { "public.users": { bio: "varchar(100)" } }, "ALTER TABLE users ALTER COLUMN bio TYPE varchar(500);", []],
      ["varchar to unlimited varchar", { "public.users": { bio: "varchar(100)" } }, "ALTER TABLE users ALTER COLUMN bio TYPE character varying;", []],
      ["varchar shortened", { "public.users": { bio: "varchar(100)" } }, "ALTER TABLE users ALTER COLUMN bio TYPE varchar(50);", [[0, 1, 32, TYPE("users", "bio", "varchar")]]],
      ["unlimited varchar limited", { "public.users": { bio: "varchar" } }, "ALTER TABLE users ALTER COLUMN bio TYPE varchar(50);", [[0, 1, 32, TYPE("users", "bio", "varchar")]]],
      ["varchar to text", { "public.users": { bio: "character varying(100)" } }, "ALTER TABLE users ALTER COLUMN bio TYPE text;", []],
      ["varchar[] to text", { "public.users": { bio: "varchar(100)[]" } }, "ALTER TABLE users ALTER COLUMN bio TYPE text;", [[0, 1, 32, TYPE("users", "bio", "text")]]],
      ["text to unlimited varchar", { "public.users": { bio: "text" } }, "ALTER TABLE users ALTER COLUMN bio TYPE varchar;", []],
      ["text to varchar(n)", { "public.users": { bio: "text" } }, "ALTER TABLE users ALTER COLUMN bio TYPE varchar(100);", [[0, 1, 32, TYPE("users", "bio", "varchar")]]],
      ["numeric precision raised", { "public.prices": { amount: "numeric(10,2)" } }, "ALTER TABLE prices ALTER COLUMN amount TYPE numeric(12,2);", []],
      ["numeric scale changed", { "public.prices": { amount: "numeric(10,2)" } }, "ALTER TABLE prices ALTER COLUMN amount TYPE numeric(12,4);", [[0, 1, 33, TYPE("prices", "amount", "numeric")]]],
      ["int to bigint", { "public.users": { id: "int" } }, "ALTER TABLE users ALTER COLUMN id TYPE bigint;", [[0, 1, 32, TYPE("users", "id", "int8")]]],
      ["timestamp precision raised", { "public.events": { at: "timestamp(3)" } }, "ALTER TABLE events ALTER COLUMN at TYPE timestamp;", []],
      ["timestamp to timestamptz", { "public.events": { at: "timestamp" } }, "ALTER TABLE events ALTER COLUMN at TYPE timestamptz;", [[0, 1, 33, TYPE("events", "at", "timestamptz")]]],
      ["a type unknown to the catalog", {}, "ALTER TABLE users ALTER COLUMN id TYPE bigint;", [[0, 1, 32, TYPE("users", "id", "int8")]]],
      [
        "the type an earlier statement of the file set",
        { "public.users": { bio: "text" } },
        "ALTER TABLE users ALTER COLUMN bio TYPE varchar(20);\nALTER TABLE users ALTER COLUMN bio TYPE varchar(40);",
        [[0, 1, 32, TYPE("users", "bio", "varchar")]],
      ],
    ];
    it.each(cases)("%s", async (_name, tables, sql, expected) => {
      expect(await rows(engine, "changing-column-type", sql, tables)).toEqual(expected);
    });
  });

  describe(`NOT NULL rules with the nullability before the change (${engine})`, () => {
    const DROP = "dropping NOT NULL on tokens.id lets NULLs into a column that existing code assumes is always set";
    const SET = "SET NOT NULL on tokens.id scans every row while holding an ACCESS EXCLUSIVE lock; add a NOT VALID check constraint and validate it first";
    it("ban-drop-not-null is silent for a column that is already nullable", async () => {
      expect(await rows(engine, "ban-drop-not-null", "ALTER TABLE tokens ALTER COLUMN id TYPE UUID, ALTER COLUMN id DROP NOT NULL;", { "public.tokens": { id: "uuid" } })).toEqual([]);
      expect(await rows(engine, "ban-drop-not-null", "ALTER TABLE tokens ALTER COLUMN id DROP NOT NULL;", { "public.tokens": { id: "uuid NOT NULL" } })).toEqual([[0, 1, 33, DROP]]);
      expect(await rows(engine, "ban-drop-not-null", "ALTER TABLE tokens ALTER COLUMN id DROP NOT NULL;")).toEqual([[0, 1, 33, DROP]]);
    });
    it("setting-not-null is silent for a column that is already NOT NULL", async () => {
      expect(await rows(engine, "setting-not-null", "ALTER TABLE tokens ALTER COLUMN id SET NOT NULL;", { "public.tokens": { id: "uuid NOT NULL" } })).toEqual([]);
      expect(await rows(engine, "setting-not-null", "ALTER TABLE tokens ALTER COLUMN id SET NOT NULL;", { "public.tokens": { id: "uuid" } })).toEqual([[0, 1, 33, SET]]);
      expect(await rows(engine, "setting-not-null", "ALTER TABLE tokens ALTER COLUMN id SET NOT NULL;\nALTER TABLE tokens ALTER COLUMN id SET NOT NULL;", { "public.tokens": { id: "uuid" } })).toEqual([[0, 1, 33, SET]]);
    });
  });

  describe(`findings at the offending name (${engine})`, () => {
    type Case = [rule: string, sql: string, expected: [number, number, number][]];
    const cases: Case[] = [
      ["ban-drop-column", "ALTER TABLE users\n  DROP COLUMN a,\n  DROP COLUMN IF EXISTS b;", [[0, 2, 15], [0, 3, 25]]],
      ["ban-drop-not-null", "ALTER TABLE users ALTER COLUMN a TYPE text,\n  ALTER COLUMN email DROP NOT NULL;", [[0, 2, 16]]],
      ["setting-not-null", "ALTER TABLE users\n  ALTER email SET NOT NULL;", [[0, 2, 9]]],
      ["renaming-column", "ALTER TABLE users RENAME COLUMN nick TO handle;", [[0, 1, 33]]],
      ["renaming-table", "ALTER TABLE users RENAME TO accounts;", [[0, 1, 29]]],
      // lemmy drops many tables in one statement: one finding per table, each at its name
      ["ban-drop-table", "DROP TABLE\n  user_ban,\n  user_mention CASCADE;", [[0, 2, 3], [0, 3, 3]]],
      ["require-concurrent-index", "DROP INDEX idx_a, idx_b;\nCREATE INDEX idx_c ON users (c);", [[0, 1, 12], [0, 1, 19], [1, 2, 14]]],
    ];
    it.each(cases)("%s", async (rule, sql, expected) => {
      expect((await rows(engine, rule, sql)).map((r) => [r[0], r[1], r[2]])).toEqual(expected);
    });

    it("pii-copy-to-unclassified points at the `*` that copies the column", async () => {
      const sql = "CREATE MATERIALIZED VIEW user_mview AS\nSELECT\n    *\nFROM\n    users;";
      expect(await rows(engine, "pii-copy-to-unclassified", sql, { "public.users": { id: "int", email: "text" } })).toEqual([
        [0, 3, 5, "user_mview.email receives unmasked PII from users.email, but user_mview is not an approved PII store; mask the value or classify the table explicitly"],
      ]);
    });
  });
}
