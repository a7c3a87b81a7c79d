// Real-world shapes from the migrations corpus that the built-in rules used to get wrong
// (docs/corpus-findings.md), reduced to a few lines: the exact findings — rule, statement,
// location, message — on both engines, so a false positive coming back or a finding moving
// to another place fails here.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Finding, JsonValue } from "../../src/compiler/ir/ir.js";
import { defaultData } from "../../src/compiler/ir/interpret.js";
import { compileLibrary } from "../../src/rules/builtin.js";
import { harnessFor } from "../../src/rules/engines.js";
import type { Harness } from "../../src/rules/test-runner.js";
import { runWarden } from "../helpers/run.js";

const ir = compileLibrary().result.ir!;
const engines: Record<string, Harness> = {};
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpus = path.resolve(root, "../shared/corpus/migrations");

beforeAll(async () => {
  engines.interpreter = await harnessFor("interpreter", ir);
  engines.wasm = await harnessFor("wasm", ir);
});

type Row = [rule: string, statement: number, line: number | undefined, column: number | undefined, message: string];

async function rows(engine: string, rule: string, sql: string): Promise<Row[]> {
  const h = engines[engine]!;
  const input = await h.buildInput({ scope: "migration", sql, path: "migrations/20240101000000_case.sql" });
  const d = await h.evaluate(input, defaultData(ir) as unknown as JsonValue);
  return d.findings.filter((f: Finding) => f.rule === rule).map((f: Finding) => [f.rule, f.statement, f.location?.line, f.location?.column, f.message]);
}

const LOCK =
  "this migration takes locks without a lock_timeout: if this statement waits behind a long-running transaction, every later query on its table queues behind it; start with SET lock_timeout = '5s'";

for (const engine of ["interpreter", "wasm"]) {
  describe(`corpus shapes (${engine})`, () => {
    it("require-lock-timeout skips an index on a table created in the file and reports the first lock on an existing one", async () => {
      const sql = "CREATE TABLE t (id bigint, a int);\nCREATE INDEX t_a_idx ON t (a);\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN note text;\n";
      expect(await rows(engine, "require-lock-timeout", sql)).toEqual([["require-lock-timeout", 3, 4, 1, LOCK]]);
      expect(await rows(engine, "require-lock-timeout", "ALTER TYPE status ADD VALUE 'archived';\nALTER TYPE status ADD VALUE 'gone';\n")).toEqual([]);
    });

    it("unbounded-write reports the UPDATE's own table, not the INSERT target of its CTE", async () => {
      const sql = "WITH x AS (\nINSERT INTO person (name) SELECT name FROM site RETURNING id)\nUPDATE\n    local_site\nSET system_account = x.id\nFROM x;\n";
      expect(await rows(engine, "unbounded-write", sql)).toEqual([
        ["unbounded-write", 0, 4, 5, "this update has no WHERE clause, so it changes every row of local_site"],
      ]);
    });

    it("prefer-bigint-primary-key reports a single-column key at the column, not the members of a composite key", async () => {
      const sql =
        "CREATE TABLE namespaces (\n  partition_id INTEGER NOT NULL,\n  id BYTEA NOT NULL,\n  PRIMARY KEY (partition_id, id)\n);\nCREATE TABLE robot (\n id SERIAL PRIMARY KEY NOT NULL,\n name varchar(255)\n);\n";
      expect(await rows(engine, "prefer-bigint-primary-key", sql)).toEqual([
        ["prefer-bigint-primary-key", 1, 7, 2, "primary key id is a 32-bit or smaller integer (int4); it runs out after about 2 billion rows and widening it later rewrites the table"],
      ]);
    });

    it("adding-required-column is silent after the table is emptied in the same file and reports the column otherwise", async () => {
      expect(await rows(engine, "adding-required-column", 'TRUNCATE TABLE "Alert";\nALTER TABLE "Alert"\n    ADD COLUMN IF NOT EXISTS "resource" text NOT NULL;\n')).toEqual([]);
      expect(await rows(engine, "adding-required-column", 'ALTER TABLE "Alert"\n    ADD COLUMN IF NOT EXISTS "resource" text NOT NULL;\n')).toEqual([
        ["adding-required-column", 0, 2, 30, "adding NOT NULL column resource to Alert without a DEFAULT fails as soon as the table has rows"],
      ]);
    });

    it("ban-drop-table is silent for a table renamed aside and copied in the same file", async () => {
      const rebuild =
        "ALTER TABLE river_migration RENAME TO river_migration_old;\nCREATE TABLE river_migration (line text, version bigint);\nINSERT INTO river_migration (line, version) SELECT 'main', version FROM river_migration_old;\nDROP TABLE river_migration_old;\n";
      expect(await rows(engine, "ban-drop-table", rebuild)).toEqual([]);
      const lost = "ALTER TABLE job_queues RENAME TO job_queues_legacy;\nDROP TABLE job_queues_legacy;\n";
      expect((await rows(engine, "ban-drop-table", lost)).map((r) => [r[1], r[2], r[3]])).toEqual([[1, 2, 12]]);
    });

    it("setting-not-null is silent after a validated CHECK constraint on the table", async () => {
      const recipe =
        "ALTER TABLE v1_payload\n  ADD CONSTRAINT v1_payload_external_id_not_null CHECK (external_id IS NOT NULL) NOT VALID;\nALTER TABLE v1_payload VALIDATE CONSTRAINT v1_payload_external_id_not_null;\nALTER TABLE v1_payload ALTER COLUMN external_id SET NOT NULL;\n";
      expect(await rows(engine, "setting-not-null", recipe)).toEqual([]);
    });
  });
}

describe("warden check on corpus files", () => {
  it("hatchet's truncate-then-add-required-column file: the TRUNCATE is reported, the ADD COLUMN is not", async () => {
    const file = path.join(corpus, "hatchet/cmd/hatchet-migrate/migrate/migrations/20260129222535_v1_0_73.sql");
    const r = await runWarden(["check", file, "--format", "json"]);
    expect(r.code).toBe(1);
    const found = (JSON.parse(r.stdout) as { findings: { rule: string; line: number; column: number }[] }).findings.map((f) => [f.rule, f.line, f.column]);
    expect(found).toEqual([
      ["require-lock-timeout", 5, 1],
      ["ban-truncate", 5, 16],
    ]);
  });
});
