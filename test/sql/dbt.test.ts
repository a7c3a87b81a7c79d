// dbt: project discovery, Jinja rendering with the dbt context, YAML classifications,
// lineage taint across ref(), dialect naming and line mapping back to the model file;
// which manifest SQL is used, unreadable project files, render error positions.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { extractProject, fileTypeOf, initSqlParser, type InputDocument } from "../../src/sql/index.js";
import { makeProject } from "../helpers/check-project.js";
import { Catalog } from "../../src/sql/catalog.js";
import { DbtProject } from "../../src/sql/dbt.js";
import { dbtModelPaths } from "../../src/engine/dbt-paths.js";

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

  it("renders Jinja's trailing commas (calls, lists, dicts), which nunjucks alone rejects", () => {
    const p = makeProject({
      "dbt_project.yml": "name: shop\n",
      "models/a.sql": "select 1 as id\n",
      "models/b.sql": "{{ config(\n    materialized='table',\n    partition_by={'field': 'dt', 'granularity': 'day',},\n    tags=['x,]', 'y',],\n) }}\nselect id from {{ ref('a',) }}\n",
    });
    const files = ["models/a.sql", "models/b.sql"].map((f) => ({ path: f, absPath: path.join(p.dir, f), text: readFileSync(path.join(p.dir, f), "utf8"), type: "dbt_model" as const }));
    const r = extractProject(files, { rootDir: p.dir });
    const b = r.documents[1]!;
    expect(b.statements.map((s) => [s.kind, s.location.line, s.location.column])).toEqual([["select", 6, 1]]);
    // a comma in a string (`'x,]'`) is left as it is
    expect(b.dbt).toMatchObject({ materialized: "table", tags: ["x,]", "y"], refs: ["a"] });
    expect(b.statements[0]!.reads.map((x) => [x.table, x.column, x.location?.line, x.location?.column])).toEqual([["a", "id", 6, 1]]);
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

describe("dbt model paths", () => {
  it("reads dbt_project.yml as the renderer does: a duplicate key's last value wins", async () => {
    const p = makeProject({ "dbt_project.yml": "name: shop\nmodel-paths: [models]\nmodel-paths: [transform]\n", "transform/m.sql": "select 1 as id\n" });
    expect(await dbtModelPaths([{ absPath: path.join(p.dir, "transform/m.sql") }], p.dir)).toEqual(["transform"]);
  });
});

describe("dbt model order", () => {
  it("puts upstream models first by the refs of the text given, not of the files on disk", () => {
    // nothing on disk: the texts are what is being checked (standard input, an editor's buffer)
    const p = makeProject({ "dbt_project.yml": "name: shop\n" });
    const models = [
      { path: "models/a.sql", text: "select * from {{ ref('z') }}" },
      { path: "models/m.sql", text: "select * from {{ ref('a') }}" },
      { path: "models/z.sql", text: "select 1 as id" },
    ];
    const dbt = new DbtProject(p.dir, models, new Catalog(), []);
    expect(dbt.order(models).map((i) => models[i]!.path)).toEqual(["models/z.sql", "models/a.sql", "models/m.sql"]);
  });
});

describe("dbt project files", () => {
  const USERS_YAML = "version: 2\nsources:\n  - name: s\n    tables:\n      - name: users\n        columns:\n          - name: email\n            tags: [pii]\n";
  const MODEL = "select id,\n  email\nfrom {{ source('s', 'users') }}\n";
  const COMPILED = 'select id, email\nfrom "s"."users"';
  const manifest = (node: Record<string, unknown>) =>
    JSON.stringify({ nodes: { "model.shop.m": { resource_type: "model", package_name: "shop", original_file_path: "models/m.sql", compiled_code: COMPILED, ...node } } });
  const extract = (files: Record<string, string>, model = files["models/m.sql"]!) => {
    const { dir } = makeProject({ "dbt_project.yml": "name: shop\n", "models/sources.yml": USERS_YAML, ...files });
    return extractProject([{ path: "models/m.sql", text: model, type: "dbt_model" }], { rootDir: dir });
  };
  const sha256 = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
  const shape = (d: InputDocument) => d.statements.map((s) => [s.kind, s.text, s.location.line, s.location.column, s.reads.map((r) => `${r.column}@${r.location?.line}:${r.location?.column}`).join(" ")]);

  it("uses the manifest's compiled SQL when it was compiled from the model's text", () => {
    // dbt keeps the stripped file as raw_code; the statement maps to the same line numbers, column 1
    for (const node of [{ raw_code: MODEL.trim() }, { raw_sql: MODEL.trim() }, { checksum: { name: "sha256", checksum: sha256(MODEL.trim()) } }, { checksum: { name: "sha256", checksum: sha256("select id, email from {{ source('s', 'users') }}") } }]) {
      const r = extract({ "models/m.sql": MODEL, "target/manifest.json": manifest(node) });
      expect(shape(r.documents[0]!)).toEqual([["select", COMPILED, 1, 1, "id@1:1 email@1:1"]]);
      expect(r.notes).toEqual([]);
    }
  });

  it("renders the model itself when the manifest was compiled from other text, with a note", () => {
    const edited = "select id,\n  email as e2\nfrom {{ source('s', 'users') }}\n";
    for (const node of [{ raw_code: MODEL.trim() }, { checksum: { name: "sha256", checksum: sha256(MODEL.trim()) } }, {}]) {
      // the file on disk is the old one: what counts is the text checked (an editor buffer, stdin)
      const r = extract({ "models/m.sql": MODEL, "target/manifest.json": manifest(node) }, edited);
      const d = r.documents[0]!;
      expect(shape(d)).toEqual([["select", 'select id,\n  email as e2\nfrom "s"."users"', 1, 1, "id@1:8 email@2:3"]]);
      expect(d.statements[0]!.writes.map((w) => `${w.column} [${(w.classifications ?? []).join()}]`)).toEqual(["id []", "e2 [pii]"]);
      expect(r.notes).toEqual([
        { file: "models/m.sql", message: "`target/manifest.json` is stale for this model (dbt compiled other text than the file has now); the model is rendered from its own text", kind: "dbt-manifest" },
      ]);
    }
  });

  it("ignores another package's model of the same path in the manifest", () => {
    const r = extract({ "models/m.sql": MODEL, "target/manifest.json": manifest({ package_name: "dbt_utils", raw_code: "select 1" }) });
    expect(shape(r.documents[0]!)[0]![1]).toBe('select id,\n  email\nfrom "s"."users"');
    expect(r.notes).toEqual([]);
  });

  it("notes a manifest that cannot be read and renders the models", () => {
    const r = extract({ "models/m.sql": MODEL, "target/manifest.json": "{" });
    expect(shape(r.documents[0]!)[0]![1]).toBe('select id,\n  email\nfrom "s"."users"');
    expect(r.notes.map((n) => [n.file, n.kind, n.message.replace(/\(.*\)/, "(…)")])).toEqual([["target/manifest.json", "dbt-manifest", "cannot read this dbt manifest (…); models are rendered from their own text"]]);
  });

  it("reports dbt YAML that cannot be parsed, at the parser's position", () => {
    const r = extract({ "models/m.sql": MODEL, "models/schema.yml": "version: 2\nmodels:\n  - name: m\n    tags: [pii\n" });
    expect(r.notes).toEqual([
      {
        file: "models/schema.yml",
        line: 5,
        column: 1,
        message: "cannot parse this dbt YAML file: flow sequence in block collection must be sufficiently indented and end with a ]; the models, sources, tags and classifications it declares are not known",
        kind: "dbt-yaml",
      },
    ]);
    // the rest of the project is still read
    expect(r.documents[0]!.statements[0]!.reads.map((x) => `${x.column} [${(x.classifications ?? []).join()}]`)).toEqual(["id []", "email [pii]"]);
  });

  it("reports a dbt_project.yml that cannot be parsed and one that is not a mapping", () => {
    const broken = extract({ "dbt_project.yml": "name: shop\nmodel-paths: ['models'\n", "models/m.sql": MODEL });
    expect(broken.notes.map((n) => [n.file, n.line, n.column, n.kind, n.message.replace(/:.*;/, ": …;")])).toEqual([
      ["dbt_project.yml", 3, 1, "dbt-yaml", "cannot parse this dbt YAML file: …; its `model-paths`, `vars` and model config are not known"],
    ]);
    const list = extract({ "dbt_project.yml": "- name\n", "models/m.sql": MODEL });
    expect(list.notes).toEqual([
      { file: "dbt_project.yml", line: 1, column: 1, message: "this dbt YAML file is not a mapping of keys to values; its `model-paths`, `vars` and model config are not known", kind: "dbt-yaml" },
    ]);
  });

  it("reads duplicate YAML keys as dbt does: the last one wins", () => {
    const r = extract({ "models/m.sql": "{{ config(materialized='view') }}select 1 as x\n", "dbt_project.yml": "name: other\nname: shop\nmodels:\n  shop:\n    +materialized: table\n" }, "select 1 as x\n");
    expect(r.notes).toEqual([]);
    expect(r.documents[0]!.dbt?.materialized).toBe("table");
  });

  it("places a Jinja error where the renderer stopped, without the renderer's bracketed position", () => {
    const at = (text: string) => {
      const st = extract({ "models/m.sql": text }).documents[0]!.statements;
      expect(st.map((s) => s.kind)).toEqual(["unparsed"]);
      return [st[0]!.location.line, st[0]!.location.column, st[0]!.error];
    };
    // a syntax error (the parser counts from 1)
    expect(at("select email from {{ ref('x') }} {% if %}")).toEqual([1, 40, { message: "cannot render the model's Jinja: unexpected token: %}", line: 1, column: 40 }]);
    // `{% do %}` is rewritten before rendering: columns after it are the file's own
    expect(at("select 1\n{%do x %} {%- do\n y %}{{ 1 + }}\n")).toEqual([3, 13, { message: "cannot render the model's Jinja: unexpected token: }}", line: 3, column: 13 }]);
    // a failure while rendering (the runtime counts from 0), on the first line too
    expect(at("select {%- do x %} {{ (1)() }}")).toEqual([1, 26, { message: "cannot render the model's Jinja: Unable to call `--expression--`, which is not a function", line: 1, column: 26 }]);
    expect(at("select 1\n  , {{ (1)() }}\n")).toEqual([2, 11, { message: "cannot render the model's Jinja: Unable to call `--expression--`, which is not a function", line: 2, column: 11 }]);
    // an unclosed block: at the end of the file's last line
    expect(at("{% if x %}\nselect 1\n\n")).toEqual([2, 9, { message: "cannot render the model's Jinja: parseIf: expected elif, else, or endif, got end of file", line: 2, column: 9 }]);
  });

  it("notes a model that renders to no SQL", () => {
    const r = extract({ "models/m.sql": "-- off by default\n{% if var('on', false) %}select 1{% endif %}\n" });
    expect(r.documents[0]!.statements).toEqual([]);
    expect(r.notes).toEqual([{ file: "models/m.sql", message: "the model renders to no SQL with the project's vars; nothing in it is checked", kind: "dbt-empty" }]);
    const off = extract({ "models/m.sql": "{{ config(enabled=var('on', False) | as_bool) }}\n{% if var('on', false) %}select 1{% endif %}\n" });
    expect(off.notes).toEqual([{ file: "models/m.sql", message: "disabled in dbt (config enabled=false); not checked", kind: "skipped" }]);
  });
});

describe("disabled dbt models", () => {
  const DISABLED = "disabled in dbt (config enabled=false); not checked";
  const USERS_YAML = "version: 2\nsources:\n  - name: s\n    tables:\n      - name: users\n        columns:\n          - name: email\n            tags: [pii]\n";
  const extractAll = (files: Record<string, string>, vars = "") => {
    const { dir } = makeProject({ "dbt_project.yml": `name: shop\n${vars}`, "models/sources.yml": USERS_YAML, ...files });
    const models = Object.keys(files).filter((f) => f.endsWith(".sql"));
    return extractProject(models.map((p) => ({ path: p, text: files[p]!, type: "dbt_model" as const })), { rootDir: dir });
  };

  it("checks nothing in a model its config disables, directly or through vars that default to false; checks one its vars enable", () => {
    const r = extractAll({
      "models/off.sql": "{{ config(materialized='table', enabled=false) }}\nselect from where ((\n",
      "models/by_vars.sql": "{{ config(\n  enabled = (var('claims_enabled', False) | as_bool) or (var('clinical_enabled', False) | as_bool)\n) }}\nselect email, from {{ source('s', 'users') }}\n",
      "models/on.sql": "{{ config(enabled=var('orders_enabled', False) | as_bool) }}\nselect id from {{ source('s', 'users') }}\n",
    }, "vars:\n  orders_enabled: true\n");
    expect(r.documents.map((d) => [d.file?.path, d.statements.length, d.dbt?.model])).toEqual([
      ["models/off.sql", 0, "off"],
      ["models/by_vars.sql", 0, "by_vars"],
      ["models/on.sql", 1, "on"],
    ]);
    expect(r.notes).toEqual([
      { file: "models/by_vars.sql", message: DISABLED, kind: "skipped" },
      { file: "models/off.sql", message: DISABLED, kind: "skipped" },
    ]);
  });

  it("honours enabled in the model's YAML config and in dbt_project.yml's folder config; the model's own config() wins", () => {
    const files = {
      "models/yaml_off.sql": "select from where ((\n",
      "models/legacy/old.sql": "select from where ((\n",
      "models/legacy/kept.sql": "{{ config(enabled=true) }}\nselect 1 as id\n",
      "models/marts/m.sql": "select 1 as id\n",
      "models/schema.yml": "version: 2\nmodels:\n  - name: yaml_off\n    config:\n      enabled: false\n",
    };
    const { dir } = makeProject({ "dbt_project.yml": "name: shop\nmodels:\n  shop:\n    legacy:\n      +enabled: false\n", "models/sources.yml": USERS_YAML, ...files });
    const models = Object.keys(files).filter((f) => f.endsWith(".sql"));
    const r = extractProject(models.map((p) => ({ path: p, text: files[p as keyof typeof files], type: "dbt_model" as const })), { rootDir: dir });
    expect(r.documents.map((d) => [d.file?.path, d.statements.length])).toEqual([
      ["models/yaml_off.sql", 0],
      ["models/legacy/old.sql", 0],
      ["models/legacy/kept.sql", 1],
      ["models/marts/m.sql", 1],
    ]);
    expect(r.notes.filter((n) => n.message === DISABLED).map((n) => n.file).sort()).toEqual(["models/legacy/old.sql", "models/yaml_off.sql"]);
  });

  it("skips a disabled model even when its Jinja fails after the config call", () => {
    const r = extractAll({ "models/m.sql": "{{ config(enabled=false) }}\nselect {{ (1)() }}\n" });
    expect(r.documents[0]!.statements).toEqual([]);
    expect(r.notes).toEqual([{ file: "models/m.sql", message: DISABLED, kind: "skipped" }]);
  });

  it("adds no relation for a disabled model: a model that refs it still renders and is checked", () => {
    const r = extractAll({
      "models/off.sql": "{{ config(enabled=false) }}\nselect id, email from {{ source('s', 'users') }}\n",
      "models/uses_off.sql": "select * from {{ ref('off') }}\n",
    });
    const st = r.documents[1]!.statements;
    expect(st.map((s) => [s.kind, s.text])).toEqual([["select", 'select * from "off"']]);
    // `*` of an unknown relation: the disabled model's columns are not in the catalog
    expect(st[0]!.reads.map((x) => `${x.table}.${x.column}`)).toEqual(["off.*"]);
    expect(r.documents[1]!.dbt?.refs).toEqual(["off"]);
    expect(r.notes).toEqual([{ file: "models/off.sql", message: DISABLED, kind: "skipped" }]);
  });
});
