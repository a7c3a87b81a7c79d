// dbt: project discovery, Jinja rendering with the dbt context, YAML classifications,
// lineage taint across ref(), dialect naming and line mapping back to the model file.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { extractProject, fileTypeOf, initSqlParser, type InputDocument } from "../../src/sql/index.js";

const root = fileURLToPath(new URL("../../fixtures/sql/dbt/", import.meta.url));
const paths = ["models/marts/customer_contacts.sql", "models/staging/stg_customers.sql", "models/marts/snowflake_events.sql"];
let docs: InputDocument[];
let notes: ReturnType<typeof extractProject>["notes"];

beforeAll(async () => {
  await initSqlParser();
  const r = extractProject(
    paths.map((p) => ({ path: p, text: readFileSync(path.join(root, p), "utf8"), type: "dbt_model" as const })),
    { rootDir: root },
  );
  docs = r.documents;
  notes = r.notes;
});

const reads = (d: InputDocument) => d.statements[0]!.reads.map((r) => `${r.schema}.${r.table}.${r.column} ${r.output ?? "-"} ${r.via.join("+")} ${r.masked ? "masked" : "clear"} [${(r.classifications ?? []).join()}] ${r.location?.line}:${r.location?.column}`);
const writes = (d: InputDocument) => d.statements[0]!.writes.map((w) => `${w.table}.${w.column} [${(w.classifications ?? []).join()}]${w.masked ? " masked" : ""}`);

describe("dbt models", () => {
  it("keeps the caller's file order and types the model paths", () => {
    expect(docs.map((d) => d.file?.path)).toEqual(paths);
    expect(fileTypeOf("models/staging/stg_customers.sql", { dbtModelPaths: ["models"] })).toBe("dbt_model");
  });

  it("renders config, source and var, and maps reads to the model's own lines", () => {
    const d = docs[1]!;
    expect(d.dbt).toEqual({
      model: "stg_customers",
      materialized: "table",
      tags: [],
      columns: { customer_id: { tags: [], meta: {}, classifications: [] }, ssn: { tags: [], meta: { pii: true }, classifications: ["pii"] } },
      refs: [],
      sources: ["raw.customers"],
    });
    expect(d.statements.map((s) => [s.kind, s.location.line, s.location.column])).toEqual([["select", 3, 1]]);
    expect(reads(d)).toEqual([
      "raw_data.customers.created_at - where clear [] 9:1",
      "raw_data.customers.id customer_id select clear [] 4:5",
      "raw_data.customers.email email select clear [pii] 5:5",
      "raw_data.customers.phone phone_hash select masked [pii] 6:5",
      "raw_data.customers.ssn ssn select clear [] 7:5",
    ]);
    // YAML meta marks ssn; the source tag makes email PII; md5 stops the taint of phone
    expect(writes(d)).toEqual(["stg_customers.customer_id []", "stg_customers.email [pii]", "stg_customers.phone_hash [] masked", "stg_customers.ssn [pii]"]);
  });

  it("follows ref() so PII taint crosses models, through a CTE and `*`", () => {
    const d = docs[0]!;
    expect(d.dbt?.refs).toEqual(["stg_customers"]);
    expect(d.dbt?.tags).toEqual(["marts"]);
    expect(d.dbt?.materialized).toBe("view");
    expect(reads(d)).toEqual([
      "null.stg_customers.customer_id customer_id select clear [] 5:5",
      "null.stg_customers.email contact select clear [pii] 6:5",
      "null.stg_customers.phone_hash phone_hash select clear [] 7:5",
    ]);
    expect(writes(d)).toEqual(["customer_contacts.customer_id []", "customer_contacts.contact [pii]", "customer_contacts.phone_hash []"]);
  });

  it("turns unavailable macros into placeholders with a note", () => {
    expect(notes.filter((n) => n.kind === "macro").map((n) => [n.file, n.message])).toEqual([
      ["models/marts/customer_contacts.sql", "macro `dbt_utils.generate_surrogate_key` is not available; rendered as the placeholder `warden_macro_dbt_utils_generate_surrogate_key`"],
    ]);
  });

  it("names a warehouse dialect instead of failing", () => {
    const s = docs[2]!.statements;
    expect(s.map((x) => x.kind)).toEqual(["unparsed"]);
    expect(s[0]!.error).toEqual({
      message: 'syntax error at or near ":" (this looks like Snowflake, which the PostgreSQL grammar cannot read)',
      line: 1,
      column: 15,
      dialect: "snowflake",
    });
    expect(notes.filter((n) => n.kind === "dialect").map((n) => [n.file, n.line])).toEqual([["models/marts/snowflake_events.sql", 1]]);
  });

  it("reports a model whose Jinja cannot be rendered as unparsed", () => {
    const r = extractProject([{ path: "models/bad.sql", text: "select {{ 1 + }}", type: "dbt_model" }], { rootDir: root });
    const st = r.documents[0]!.statements;
    expect(st.map((s) => s.kind)).toEqual(["unparsed"]);
    expect(st[0]!.error?.message).toMatch(/^cannot render the model's Jinja: /);
  });

  it("resolves named columns through `select *` of a seed (jaffle_shop, unknown columns)", () => {
    const jaffle = path.resolve(root, "../../../../shared/corpus/dbt/jaffle_shop");
    const models = ["models/staging/stg_customers.sql", "models/staging/stg_orders.sql", "models/staging/stg_payments.sql", "models/customers.sql", "models/orders.sql"];
    const r = extractProject(
      models.map((p) => ({ path: p, text: readFileSync(path.join(jaffle, p), "utf8"), type: "dbt_model" as const })),
      { rootDir: jaffle, classifications: { pii: ["*.first_name", "*.last_name"] } },
    );
    const [stg, , , customers] = r.documents;
    expect(reads(stg!)).toEqual([
      "null.raw_customers.id customer_id select clear [] 22:8",
      "null.raw_customers.first_name first_name select clear [pii] 22:8",
      "null.raw_customers.last_name last_name select clear [pii] 22:8",
    ]);
    expect(writes(stg!)).toEqual(["stg_customers.customer_id []", "stg_customers.first_name [pii]", "stg_customers.last_name [pii]"]);
    // downstream, the staging model's known columns carry the taint on
    expect(writes(customers!)).toEqual([
      "customers.customer_id []",
      "customers.first_name [pii]",
      "customers.last_name [pii]",
      "customers.first_order []",
      "customers.most_recent_order []",
      "customers.number_of_orders []",
      "customers.customer_lifetime_value []",
    ]);
    expect(customers!.statements[0]!.reads.filter((r) => r.output === "customer_lifetime_value").map((r) => `${r.table}.${r.column}`)).toEqual(["stg_payments.amount"]);
  });
});
