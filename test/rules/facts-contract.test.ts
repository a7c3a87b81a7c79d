// Rules whose inputs the SQL test cases cannot fully express: configuration
// (retraining-scope), approvals carried by the fact model (approved_classifications on
// a target), and the exact findings of a few rules on real extracted facts.
import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../src/compiler/ir/ir.js";
import { defaultData, evaluateFindings } from "../../src/compiler/ir/interpret.js";
import { compileLibrary } from "../../src/rules/builtin.js";
import { buildCaseInput } from "../../src/rules/harness.js";
import { harnessFor } from "../../src/rules/engines.js";

const ir = compileLibrary().result.ir!;

function data(config: Record<string, JsonValue>): JsonValue {
  const d = defaultData(ir) as { warden: { config: Record<string, JsonValue> } };
  d.warden.config = { ...d.warden.config, ...config };
  return d as unknown as JsonValue;
}

async function findings(scope: string, sql: string, opts: { config?: Record<string, JsonValue>; path?: string } = {}) {
  const input = (await buildCaseInput(ir, { scope, sql, path: opts.path ?? `${scope}/case.sql` })) as unknown as JsonValue;
  return evaluateFindings(ir, input, data(opts.config ?? {}));
}

describe("retraining-scope", () => {
  const config = { retraining: { allowed_schemas: ["features", "curated"] } };

  it("denies each relation outside the allowed schemas, public for unqualified names", async () => {
    const f = (await findings("retraining", "SELECT o.id, c.total FROM raw.orders o JOIN features.c c ON c.id = o.id JOIN events e ON e.id = o.id;", { config })).filter(
      (x) => x.rule === "retraining-scope",
    );
    expect(f.map((x) => [x.action, x.message])).toEqual([
      ["deny", "retraining reads events, which is outside the schemas listed in retraining.allowed_schemas"],
      ["deny", "retraining reads orders, which is outside the schemas listed in retraining.allowed_schemas"],
    ]);
  });

  it("allows public when it is listed, and everything when nothing is configured", async () => {
    const withPublic = { retraining: { allowed_schemas: ["public"] } };
    expect((await findings("retraining", "SELECT id FROM events;", { config: withPublic })).filter((x) => x.rule === "retraining-scope")).toEqual([]);
    expect((await findings("retraining", "SELECT id FROM raw.events;")).filter((x) => x.rule === "retraining-scope")).toEqual([]);
  });

  it("gives the same answer on the wasm bundle", async () => {
    const wasm = await harnessFor("wasm", ir);
    const input = await wasm.buildInput({ scope: "retraining", sql: "SELECT id FROM raw.orders;", path: "retraining/x.sql" });
    const d = await wasm.evaluate(input, data(config));
    expect(d.findings.filter((x) => x.rule === "retraining-scope").map((x) => x.message)).toEqual([
      "retraining reads orders, which is outside the schemas listed in retraining.allowed_schemas",
    ]);
  });
});

describe("approved PII stores (target.approved_classifications)", () => {
  // The fact model's contract: a target whose table a classification pattern names
  // explicitly (or a dbt model whose YAML tags PII) carries approved_classifications.
  async function approvedInput(scope: string, sql: string, table: string) {
    const input = await buildCaseInput(ir, { scope, sql, path: scope === "dbt_model" ? "models/contacts.sql" : `${scope}/x.sql` });
    for (const s of input.statements) for (const t of s.targets) if (t.name === table) t.approved_classifications = ["pii"];
    return input as unknown as JsonValue;
  }

  it("pii-copy-to-unclassified fires for an unapproved destination and not for an approved one", async () => {
    const sql = "CREATE TABLE crm_contacts AS SELECT id, email FROM customers;";
    const plain = await findings("migration", sql);
    expect(plain.filter((f) => f.rule === "pii-copy-to-unclassified").map((f) => f.message)).toEqual([
      "crm_contacts.email receives unmasked PII from customers.email, but crm_contacts is not an approved PII store; mask the value or classify the table explicitly",
    ]);
    const approved = evaluateFindings(ir, await approvedInput("migration", sql, "crm_contacts"), data({}));
    expect(approved.filter((f) => f.rule === "pii-copy-to-unclassified")).toEqual([]);
  });

  it("dbt-pii-untagged fires per output column that its YAML does not tag pii", async () => {
    const sql = "select id, email, phone from customers";
    const untagged = await findings("dbt_model", sql, { path: "models/contacts.sql" });
    expect(untagged.filter((f) => f.rule === "dbt-pii-untagged").map((f) => f.message)).toEqual([
      "model column email carries PII from customers.email but is not tagged pii in the model's YAML",
      "model column phone carries PII from customers.phone but is not tagged pii in the model's YAML",
    ]);
    // The YAML tags one column: only the other one is reported.
    const input = await buildCaseInput(ir, { scope: "dbt_model", sql, path: "models/contacts.sql" });
    for (const s of input.statements) for (const w of s.writes) if (w.column === "email") w.declared_classifications = ["pii"];
    const partly = evaluateFindings(ir, input as unknown as JsonValue, data({}));
    expect(partly.filter((f) => f.rule === "dbt-pii-untagged").map((f) => f.message)).toEqual([
      "model column phone carries PII from customers.phone but is not tagged pii in the model's YAML",
    ]);
    for (const s of input.statements) for (const w of s.writes) w.declared_classifications = ["pii"];
    const tagged = evaluateFindings(ir, input as unknown as JsonValue, data({}));
    expect(tagged.filter((f) => f.rule === "dbt-pii-untagged")).toEqual([]);
  });
});

describe("rule findings on extracted facts", () => {
  it("mask-pii masks each PII output column once, with hash, for a non-reader", async () => {
    const input = (await buildCaseInput(ir, {
      scope: "runtime",
      sql: "SELECT c.email, c.phone, c.email AS again, c.id FROM customers c WHERE c.ssn = '1'",
      identity: { user: "ann", roles: ["analyst"] },
      path: "",
    })) as unknown as JsonValue;
    const wasm = await harnessFor("wasm", ir);
    const d = await wasm.evaluate(input, defaultData(ir));
    expect(d.allow).toBe(true);
    expect(d.masks).toEqual([
      { schema: null, table: "customers", column: "email", method: "hash" },
      { schema: null, table: "customers", column: "phone", method: "hash" },
    ]);
  });

  it("require-lock-timeout reports only the first locking statement of a file", async () => {
    const f = await findings("migration", "ALTER TABLE a ADD COLUMN x text;\nALTER TABLE b ADD COLUMN y text;\n");
    expect(f.filter((x) => x.rule === "require-lock-timeout").map((x) => [x.statement, x.location?.line])).toEqual([[0, 1]]);
  });

  it("transaction-nesting fires on the inner BEGIN only", async () => {
    const f = await findings("migration", "BEGIN;\nBEGIN;\nCOMMIT;\nCOMMIT;\nBEGIN;\nCOMMIT;\n");
    expect(f.filter((x) => x.rule === "transaction-nesting").map((x) => x.statement)).toEqual([1]);
  });

  it("severity overrides in configuration move the action and `off` silences a rule", async () => {
    const sql = "DROP TABLE users;";
    const warned = await findings("migration", sql, { config: { rules: { "ban-drop-table": "warning" } } });
    expect(warned.filter((x) => x.rule === "ban-drop-table").map((x) => [x.severity, x.action])).toEqual([["warning", "warn"]]);
    const off = await findings("migration", sql, { config: { rules: { "ban-drop-table": "off" } } });
    expect(off.filter((x) => x.rule === "ban-drop-table")).toEqual([]);
  });
});
