// `warden check` leaves alone what never runs forward: down migrations (golang-migrate,
// version folders, Flyway undo) are neither checked nor replayed, and dbt models disabled
// by their config are not checked.
import { describe, expect, it } from "vitest";
import { GATE_POLICY, makeProject } from "../helpers/check-project.js";
import { runWarden } from "../helpers/run.js";

interface Report {
  findings: { rule: string; file: string; line: number; column: number; message: string }[];
  summary: { files: number; statements: number; findings: number };
}

const check = async (files: Record<string, string>) => {
  const p = makeProject(files);
  const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
  const report = JSON.parse(r.stdout) as Report;
  return { code: r.code, stderr: r.stderr, findings: report.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`), summary: report.summary };
};

describe("warden check on projects with down migrations", () => {
  it("passes a golang-migrate project whose down files drop what the up files create", async () => {
    const r = await check({
      "warden.config.yaml": "fail_on: error\n",
      "db/migrations/000001_users.up.sql": "SET lock_timeout = '5s';\nCREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
      "db/migrations/000001_users.down.sql": "DROP TABLE users;\n",
      "db/migrations/000002_orders.up.sql": "SET lock_timeout = '5s';\nCREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\n",
      "db/migrations/000002_orders.down.sql": "ALTER TABLE users DROP COLUMN name;\nDROP TABLE orders;\n",
    });
    expect(r.findings).toEqual([]);
    expect(r.summary).toMatchObject({ files: 4, statements: 4, findings: 0 });
    expect(r.code).toBe(0);
  });

  it("checks later files against the up migrations only (version folders and Flyway undo files)", async () => {
    const r = await check({
      "warden.config.yaml": "policies: [policy/gate.warden]\n",
      "policy/gate.warden": GATE_POLICY,
      "migrations/2024-01-01-000000_customers/up.sql": "CREATE TABLE customers (id bigint, email text);\n",
      "migrations/2024-01-01-000000_customers/down.sql": "DROP TABLE customers;\n",
      "db/migration/V1__accounts.sql": "CREATE TABLE accounts (id bigint, email text);\n",
      "db/migration/U1__accounts.sql": "DROP TABLE accounts;\n",
      // `*` expands only while the tables exist, which a replayed down file would undo
      "sql/report.sql": "SELECT * FROM customers;\nSELECT * FROM accounts;\n",
    });
    expect(r.findings).toEqual(["pii-read sql/report.sql:1:8 reads PII column customers.email", "pii-read sql/report.sql:2:8 reads PII column accounts.email"]);
    expect(r.summary).toMatchObject({ files: 5, statements: 4, findings: 2 });
    expect(r.code).toBe(0);
  });
});

describe("warden check on disabled dbt models", () => {
  it("does not check a model disabled directly or through vars, checks the one its vars enable, and a model may ref a disabled one", async () => {
    const r = await check({
      "warden.config.yaml": "fail_on: error\n",
      "dbt_project.yml": "name: shop\nvars:\n  claims_enabled: false\n  orders_enabled: true\n",
      "models/sources.yml": "version: 2\nsources:\n  - name: s\n    tables:\n      - name: orders\n",
      "models/broken_off.sql": "{{ config(materialized='table', enabled=false) }}\nselect from where ((\n",
      "models/by_vars.sql": "{{ config(enabled=(var('claims_enabled', False) | as_bool) or (var('clinical_enabled', False) | as_bool)) }}\nselect id,, total from {{ source('s', 'orders') }}\n",
      "models/enabled.sql": "{{ config(enabled=var('orders_enabled', False) | as_bool) }}\nselect id,, total from {{ source('s', 'orders') }}\n",
      "models/uses_off.sql": "select id from {{ ref('broken_off') }}\n",
    });
    expect(r.findings).toEqual(['parse-error models/enabled.sql:2:1 cannot parse statement: syntax error at or near ","']);
    expect(r.summary).toMatchObject({ files: 4, statements: 2, findings: 1 });
    expect(r.code).toBe(1);
  });
});
