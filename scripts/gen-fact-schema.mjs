// Writes schema/facts.schema.json, the fact model (the input document every policy sees).
// Kept as code so the shared pieces stay consistent; the JSON file is committed and
// test/sql/schema.test.ts checks it equals this script's output. Every field is documented
// in docs/facts.md.
import { writeFileSync } from "node:fs";

const str = { type: "string" };
const nstr = { type: ["string", "null"] };
const bool = { type: "boolean" };
const int = { type: "integer" };
const strs = { type: "array", items: str };

const location = {
  type: "object",
  description: "1-based position in the original file; end is inclusive of the last character's column + 1",
  properties: { line: int, column: int, end_line: int, end_column: int },
  required: ["line", "column"],
  additionalProperties: false,
};

const statementKinds = [
  "create_table", "create_table_as", "select_into", "alter_table", "drop_table",
  "create_index", "drop_index", "alter_index", "reindex",
  "create_view", "create_materialized_view", "refresh_materialized_view", "drop_view", "drop_materialized_view", "alter_view",
  "create_schema", "drop_schema", "alter_schema", "drop_database", "create_database",
  "create_sequence", "alter_sequence", "drop_sequence",
  "create_type", "alter_type", "drop_type", "create_domain", "alter_domain", "drop_domain",
  "create_function", "drop_function", "alter_function", "create_procedure", "drop_procedure", "call",
  "create_trigger", "drop_trigger", "alter_trigger", "create_event_trigger", "drop_event_trigger", "alter_event_trigger",
  "create_rule", "alter_database",
  "create_extension", "drop_extension", "alter_extension",
  "create_policy", "drop_policy", "alter_policy",
  "create_role", "alter_role", "drop_role",
  "insert", "update", "delete", "merge", "truncate", "select", "copy",
  "grant", "revoke", "comment", "do", "set", "reset", "show",
  "begin", "commit", "rollback", "savepoint", "release_savepoint",
  "lock", "vacuum", "analyze", "cluster", "explain", "notify", "listen",
  "alter_owner", "alter_default_privileges", "create_publication", "alter_publication", "create_subscription",
  "other", "unparsed",
];

const actionKinds = [
  "add_column", "drop_column", "rename_column", "alter_column_type",
  "set_not_null", "drop_not_null", "set_default", "drop_default",
  "add_constraint", "drop_constraint", "validate_constraint", "rename_constraint",
  "rename_table", "set_schema", "enable_trigger", "disable_trigger",
  "set_tablespace", "set_logged", "set_unlogged", "attach_partition", "detach_partition",
  "add_identity", "drop_identity", "set_statistics", "set_storage", "owner_to",
  "enable_rls", "disable_rls", "force_rls", "no_force_rls", "cluster_on", "set_options", "rename", "other",
];

const constraintKinds = ["primary_key", "unique", "foreign_key", "check", "not_null", "exclusion", "default", "other"];

const type = {
  type: ["object", "null"],
  description: "a SQL type as written, names lower-cased: {name: 'varchar', args: [255], array: false}",
  properties: { name: str, schema: nstr, args: { type: "array", items: { type: ["integer", "string"] } }, array: bool },
  required: ["name"],
  additionalProperties: false,
};

const constraint = {
  type: ["object", "null"],
  properties: {
    name: nstr,
    kind: { enum: constraintKinds },
    not_valid: bool,
    using_index: nstr,
    columns: strs,
    references: { type: ["object", "null"], properties: { schema: nstr, table: str, columns: strs }, additionalProperties: false },
    deferrable: bool,
  },
  required: ["kind"],
  additionalProperties: false,
};

const column = {
  type: "object",
  description: "a column definition (CREATE TABLE, ADD COLUMN)",
  properties: {
    name: str,
    type,
    not_null: bool,
    has_default: bool,
    default_volatile: bool,
    default_functions: strs,
    primary_key: bool,
    unique: bool,
    identity: bool,
    serial: bool,
    generated: bool,
    constraints: { type: "array", items: constraint },
    classifications: strs,
    location,
  },
  required: ["name"],
  additionalProperties: false,
};

const objectRef = {
  type: "object",
  description: "an object the statement creates, changes, drops or writes",
  properties: {
    schema: nstr,
    name: str,
    kind: str,
    existed_before: { type: ["boolean", "null"], description: "known to exist before this file (from the replayed catalog); null when unknown" },
    created_in_file: { type: "boolean", description: "created by an earlier statement of the same file" },
    columns: { ...strs, description: "known columns before this statement (catalog)" },
    pii_columns: { ...strs, description: "known columns of the table that carry any classification" },
    approved_classifications: {
      ...strs,
      description: "classifications this table is an approved store for: a pattern names the table explicitly (no wildcard in its table part), or dbt YAML tags a column of the model",
    },
    location,
  },
  required: ["name"],
  additionalProperties: false,
};

const columnRef = {
  type: "object",
  description: "a column read by the statement, resolved to its source table through aliases, CTEs, joins and *",
  properties: {
    schema: nstr,
    table: nstr,
    column: str,
    output: { ...nstr, description: "the output column name this read produces (select list, RETURNING), or null" },
    masked: bool,
    masking_function: nstr,
    via: { type: "array", items: { enum: ["select", "where", "join", "group", "order", "having", "returning", "copy", "insert", "set", "other"] } },
    star: { type: "boolean", description: "came from expanding * or t.*" },
    classifications: strs,
    location,
  },
  required: ["column"],
  additionalProperties: false,
};

const columnWrite = {
  type: "object",
  properties: {
    schema: nstr,
    table: str,
    column: str,
    sources: { type: "array", items: columnRef },
    classifications: { ...strs, description: "taint (classifications of the unmasked sources) plus those of the destination column" },
    declared_classifications: {
      ...strs,
      description: "what the destination column itself is declared as: patterns that name its table explicitly, dbt YAML tags/meta of the model's column",
    },
    masked: bool,
    location,
  },
  required: ["table", "column"],
  additionalProperties: false,
};

const action = {
  type: "object",
  description: "one action of ALTER TABLE",
  properties: {
    kind: { enum: actionKinds },
    column: nstr,
    new_name: nstr,
    type,
    using: bool,
    not_null: bool,
    has_default: bool,
    default_volatile: bool,
    default_functions: strs,
    constraint,
    definition: column,
    if_exists: bool,
    if_not_exists: bool,
    cascade: bool,
    trigger: { ...nstr, description: "ENABLE/DISABLE TRIGGER: the trigger name, `all` or `user`" },
    tablespace: nstr,
    previous: {
      type: ["object", "null"],
      description: "alter_column_type, set_not_null, drop_not_null: the column's type and nullability just before this action (catalog replay, earlier statements of the file included); null when unknown",
      properties: { type, not_null: bool },
      required: ["type", "not_null"],
      additionalProperties: false,
    },
    location,
  },
  required: ["kind"],
  additionalProperties: false,
};

const statement = {
  type: "object",
  properties: {
    index: int,
    kind: { enum: statementKinds },
    text: str,
    location,
    in_transaction: { type: "boolean", description: "inside an explicit BEGIN ... COMMIT of the same file" },
    nested_in: { enum: ["function", "do", "trigger", null], description: "statement found inside a function or DO body" },
    targets: { type: "array", items: objectRef },
    reads: { type: "array", items: columnRef },
    writes: { type: "array", items: columnWrite },
    relations: { type: "array", items: objectRef, description: "tables and views read (FROM, JOIN, subqueries)" },
    actions: { type: "array", items: action },
    columns: { type: "array", items: column },
    constraints: { type: "array", items: constraint },
    has_where: bool,
    limit: { type: ["integer", "null"] },
    returning: bool,
    concurrently: bool,
    if_exists: bool,
    if_not_exists: bool,
    cascade: bool,
    unique: bool,
    or_replace: bool,
    temporary: bool,
    object_kind: { ...nstr, description: "the kind of object for DROP, COMMENT, GRANT, ALTER OWNER (table, function, schema, ...)" },
    privileges: strs,
    grantees: { ...strs, description: "role names; PUBLIC as `public`" },
    functions: { ...strs, description: "functions called anywhere in the statement, schema-qualified when written so" },
    copy: {
      type: ["object", "null"],
      properties: { direction: { enum: ["to", "from"] }, target: { enum: ["file", "program", "stdout", "stdin"] }, query: bool, path: nstr },
      required: ["direction", "target"],
      additionalProperties: false,
    },
    setting: {
      type: ["object", "null"],
      properties: { name: str, value: nstr, local: bool },
      required: ["name"],
      additionalProperties: false,
    },
    enum_change: {
      type: ["object", "null"],
      properties: { op: { enum: ["add_value", "rename_value"] }, value: str, before: nstr, after: nstr },
      additionalProperties: false,
    },
    vacuum: { type: ["object", "null"], properties: { full: bool }, additionalProperties: false },
    transaction: {
      type: ["object", "null"],
      properties: { op: { enum: ["begin", "commit", "rollback", "savepoint", "release_savepoint", "rollback_to", "prepare", "commit_prepared", "rollback_prepared"] } },
      required: ["op"],
      additionalProperties: false,
    },
    truncated_identifiers: {
      type: "array",
      description: "identifiers written longer than 63 bytes, which PostgreSQL truncates: `written` as written (unquoted, case kept), `name` the truncated name PostgreSQL uses",
      items: {
        type: "object",
        properties: { written: str, name: str, location },
        required: ["written", "name", "location"],
        additionalProperties: false,
      },
    },
    error: {
      type: ["object", "null"],
      description: "for kind `unparsed`: the parser's message and where it stopped",
      properties: { message: str, line: int, column: int, dialect: nstr },
      required: ["message"],
      additionalProperties: false,
    },
  },
  required: ["index", "kind", "text", "location"],
  additionalProperties: false,
};

const schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://warden.dev/schema/facts.schema.json",
  title: "Warden input document",
  description: "What every Warden rule sees: one SQL file (ci) or one query (runtime), as facts.",
  type: "object",
  properties: {
    context: { enum: ["ci", "runtime"] },
    file: {
      type: ["object", "null"],
      properties: { path: str, type: { enum: ["migration", "dbt_model", "retraining", "sql"] } },
      required: ["path", "type"],
      additionalProperties: false,
    },
    statements: { type: "array", items: { $ref: "#/$defs/statement" } },
    identity: {
      type: ["object", "null"],
      properties: { user: str, roles: strs, groups: strs },
      additionalProperties: false,
    },
    session: {
      type: ["object", "null"],
      properties: { environment: str, application: str, client_addr: str, time: str, database: str },
      additionalProperties: false,
    },
    intent: nstr,
    dbt: {
      type: ["object", "null"],
      properties: {
        model: str,
        materialized: nstr,
        tags: strs,
        schema: nstr,
        columns: {
          type: "object",
          additionalProperties: { type: "object", properties: { tags: strs, meta: { type: "object" }, classifications: strs }, additionalProperties: false },
        },
        refs: strs,
        sources: strs,
      },
      additionalProperties: false,
    },
    catalog: {
      type: ["object", "null"],
      description: "tables known before this file: {\"schema.table\": {columns: [...]}}",
      properties: {
        tables: {
          type: "object",
          additionalProperties: { type: "object", properties: { columns: { type: "array", items: column } }, additionalProperties: false },
        },
      },
      additionalProperties: false,
    },
  },
  required: ["statements"],
  additionalProperties: false,
  $defs: { statement, location, type, constraint, column, objectRef, columnRef, columnWrite, action },
};

const text = JSON.stringify(schema, null, 2) + "\n";
// `--stdout` prints instead of writing: test/sql/schema.test.ts compares it with the committed file
if (process.argv.includes("--stdout")) process.stdout.write(text);
else writeFileSync(new URL("../schema/facts.schema.json", import.meta.url), text);
