// Approved stores and declared classifications: which patterns approve a destination
// table (`targets[].approved_classifications`), what a written column is declared as
// (`writes[].declared_classifications`), from explicit-table patterns and dbt YAML, and
// how the rule library's PII rules read them on the dbt fixture.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { globSync } from "tinyglobby";
import { beforeAll, describe, expect, it } from "vitest";
import type { JsonValue } from "../../src/compiler/ir/ir.js";
import { defaultData, evaluateFindings } from "../../src/compiler/ir/interpret.js";
import { compileLibrary } from "../../src/rules/builtin.js";
import { makeClasses } from "../../src/sql/classify.js";
import { extractProject, extractStatementFacts, initSqlParser, type InputDocument, type Statement } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

describe("explicit-table patterns", () => {
  const classes = makeClasses({
    pii: ["*.email", "vault.customers.email", "crm.*.phone", "contacts.phone", "*.ledger.iban", "archive.*.*", "audit.**"],
    secret: ["vault.tokens.*"],
  });
  // [schema, table, approved, column → declared]
  const cases: [string | null, string, string[], [string, string[]][]][] = [
    ["vault", "customers", ["pii"], [["email", ["pii"]], ["name", []]]],
    [null, "customers", [], [["email", []]]], // vault.customers names schema vault, not public
    [null, "contacts", ["pii"], [["phone", ["pii"]], ["email", []]]], // `*.email` never declares a destination
    ["public", "contacts", ["pii"], [["phone", ["pii"]]]], // two-part patterns mean schema public
    ["crm", "leads", [], [["phone", []]]], // wildcard table part: classifies sources only
    ["eu", "ledger", ["pii"], [["iban", ["pii"]], ["amount", []]]], // explicit table, any schema
    ["vault", "tokens", ["secret"], [["value", ["secret"]]]],
    ["archive", "anything", [], [["email", []]]], // `archive.*.*`: a wildcard table in schema archive
    [null, "audit", ["pii"], [["who", ["pii"]]]], // `audit.**` is table public.audit, any column
  ];
  it.each(cases)("%s.%s", (schema, table, approved, columns) => {
    expect(classes.approved(schema, table)).toEqual(approved);
    for (const [column, declared] of columns) expect([column, classes.declared(schema, table, column)]).toEqual([column, declared]);
  });

  it("still classifies sources with every pattern", () => {
    expect(classes.classify("crm", "leads", "phone")).toEqual(["pii"]);
    expect(classes.classify(null, "anything", "email")).toEqual(["pii"]);
    expect(classes.classify("archive", "x", "y")).toEqual(["pii"]);
  });
});

describe("statement facts", () => {
  const opts = {
    classifications: { pii: ["*.email", "vault.customers.email", "crm_contacts.email"] },
    tables: { customers: { columns: ["id", "email", "score"] }, "vault.customers": { columns: ["id", "email"] } },
  };
  const approvals = (st: Statement) => st.targets.map((t) => `${t.schema ?? "-"}.${t.name} [${(t.approved_classifications ?? []).join()}]`);
  const writes = (st: Statement) => st.writes.map((w) => `${w.table}.${w.column} taint=[${(w.classifications ?? []).join()}] declared=[${(w.declared_classifications ?? []).join()}]`);
  const cases: [string, string, string[], string[]][] = [
    [
      "CREATE TABLE AS into a table named by a pattern",
      "CREATE TABLE crm_contacts AS SELECT id, email FROM customers",
      ["-.crm_contacts [pii]"],
      ["crm_contacts.id taint=[] declared=[]", "crm_contacts.email taint=[pii] declared=[pii]"],
    ],
    [
      "CREATE TABLE AS into a table only a wildcard matches",
      "CREATE TABLE marketing_list AS SELECT id, email FROM customers",
      ["-.marketing_list []"],
      ["marketing_list.id taint=[] declared=[]", "marketing_list.email taint=[pii] declared=[]"],
    ],
    [
      "INSERT into a schema-qualified approved store, another column name",
      "INSERT INTO vault.customers (id, email) SELECT id, lower(email) FROM customers",
      ["vault.customers [pii]"],
      ["customers.id taint=[] declared=[]", "customers.email taint=[pii] declared=[pii]"],
    ],
    [
      "the public table of the same name is not approved",
      "INSERT INTO customers (id, email) SELECT id, email FROM vault.customers",
      ["-.customers []"],
      ["customers.id taint=[] declared=[]", "customers.email taint=[pii] declared=[]"],
    ],
    [
      "SELECT INTO",
      "SELECT id, score AS email INTO crm_contacts FROM customers",
      ["-.crm_contacts [pii]"],
      ["crm_contacts.id taint=[] declared=[]", "crm_contacts.email taint=[pii] declared=[pii]"],
    ],
    [
      "a data-modifying CTE's target",
      "WITH moved AS (INSERT INTO vault.customers (id) SELECT id FROM customers RETURNING id) SELECT id FROM moved",
      ["vault.customers [pii]"],
      ["customers.id taint=[] declared=[]"],
    ],
  ];
  it.each(cases)("%s", (_, sql, targets, w) => {
    const st = extractStatementFacts(sql, opts)[0]!;
    expect(approvals(st)).toEqual(targets);
    expect(writes(st)).toEqual(w);
  });
});

// ---- the dbt fixture -------------------------------------------------------------------------

const root = fileURLToPath(new URL("../../fixtures/sql/dbt/", import.meta.url));
const lib = compileLibrary().result.ir!;
let docs: Map<string, InputDocument>;

beforeAll(() => {
  const files = globSync("models/**/*.sql", { cwd: root })
    .sort()
    .map((p) => ({ path: p, text: readFileSync(path.join(root, p), "utf8"), type: "dbt_model" as const }));
  const { documents } = extractProject(files, { rootDir: root, classifications: lib.data.classifications });
  docs = new Map(documents.map((d) => [d.dbt!.model, d]));
});

const model = (name: string) => docs.get(name)!.statements.find((s) => s.kind === "select")!;

describe("dbt models: YAML tags approve the model and declare its columns", () => {
  const cases: [string, string[], string[]][] = [
    ["contacts_tagged", ["pii"], ["customer_id taint=[] declared=[]", "email taint=[pii] declared=[pii]", "ssn taint=[pii] declared=[pii]"]],
    ["contacts_untagged", [], ["customer_id taint=[] declared=[]", "contact taint=[pii] declared=[]"]],
    ["contacts_mixed", ["pii"], ["customer_id taint=[] declared=[]", "email taint=[pii] declared=[pii]", "national_number taint=[pii] declared=[]"]],
  ];
  it.each(cases)("%s", (name, approved, writes) => {
    const st = model(name);
    const target = st.targets.find((t) => t.name === name)!;
    expect(target.approved_classifications ?? []).toEqual(approved);
    expect(st.writes.map((w) => `${w.column} taint=[${(w.classifications ?? []).join()}] declared=[${(w.declared_classifications ?? []).join()}]`)).toEqual(writes);
  });
});

describe("rules on the dbt fixture", () => {
  const findings = (ir: typeof lib, name: string, rule: string) =>
    evaluateFindings(ir, docs.get(name) as unknown as JsonValue, defaultData(ir) as JsonValue)
      .filter((f) => f.rule === rule)
      .map((f) => f.message);

  it("dbt-pii-untagged: none for a model whose YAML tags its PII columns, one per untagged PII column otherwise", () => {
    expect(findings(lib, "contacts_tagged", "dbt-pii-untagged")).toEqual([]);
    expect(findings(lib, "contacts_untagged", "dbt-pii-untagged")).toEqual(["model column contact carries PII from stg_customers.email but is not tagged pii in the model's YAML"]);
  });

  it("pii-copy-to-unclassified: a YAML-tagged model is an approved store, an untagged one is not", () => {
    expect(findings(lib, "contacts_tagged", "pii-copy-to-unclassified")).toEqual([]);
    expect(findings(lib, "contacts_untagged", "pii-copy-to-unclassified")).toEqual([
      "contacts_untagged.contact receives unmasked PII from stg_customers.email, but contacts_untagged is not an approved PII store; mask the value or classify the table explicitly",
    ]);
  });

  it("the library's dbt-pii-untagged judges each column by its own declaration", () => {
    expect(findings(lib, "contacts_mixed", "dbt-pii-untagged")).toEqual(["model column national_number carries PII from stg_customers.ssn but is not tagged pii in the model's YAML"]);
    expect(findings(lib, "contacts_tagged", "dbt-pii-untagged")).toEqual([]);
    expect(findings(lib, "contacts_untagged", "dbt-pii-untagged")).toEqual(["model column contact carries PII from stg_customers.email but is not tagged pii in the model's YAML"]);
  });
});
