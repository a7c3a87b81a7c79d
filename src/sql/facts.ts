// The fact model as TypeScript types: the input document every policy sees.
// Written by hand to match schema/facts.schema.json (scripts/gen-fact-schema.mjs);
// test/sql/schema.test.ts validates extracted documents against that schema.

export type FileType = "migration" | "dbt_model" | "retraining" | "sql";

export interface Location {
  line: number;
  column: number;
  end_line?: number;
  end_column?: number;
}

export interface SqlType {
  name: string;
  schema?: string | null;
  args?: (number | string)[];
  array?: boolean;
}

export type ConstraintKind = "primary_key" | "unique" | "foreign_key" | "check" | "not_null" | "exclusion" | "default" | "other";

export interface Constraint {
  name?: string | null;
  kind: ConstraintKind;
  not_valid?: boolean;
  using_index?: string | null;
  columns?: string[];
  references?: { schema: string | null; table: string; columns: string[] } | null;
  deferrable?: boolean;
}

export interface Column {
  name: string;
  type?: SqlType | null;
  not_null?: boolean;
  has_default?: boolean;
  default_volatile?: boolean;
  default_functions?: string[];
  primary_key?: boolean;
  unique?: boolean;
  identity?: boolean;
  serial?: boolean;
  generated?: boolean;
  constraints?: Constraint[];
  classifications?: string[];
  location?: Location;
}

export interface ObjectRef {
  schema: string | null;
  name: string;
  kind?: string;
  existed_before?: boolean | null;
  created_in_file?: boolean;
  columns?: string[];
  pii_columns?: string[];
  approved_classifications?: string[];
  location?: Location;
}

export type Via = "select" | "where" | "join" | "group" | "order" | "having" | "returning" | "copy" | "insert" | "set" | "other";

export interface ColumnRead {
  schema: string | null;
  table: string | null;
  column: string;
  output?: string | null;
  masked: boolean;
  masking_function?: string | null;
  via: Via[];
  star?: boolean;
  classifications?: string[];
  location?: Location;
}

export interface ColumnWrite {
  schema: string | null;
  table: string;
  column: string;
  sources: ColumnRead[];
  classifications?: string[];
  /** what the destination column itself is declared as (explicit-table patterns, dbt YAML) */
  declared_classifications?: string[];
  masked?: boolean;
  location?: Location;
}

export type ActionKind =
  | "add_column" | "drop_column" | "rename_column" | "alter_column_type"
  | "set_not_null" | "drop_not_null" | "set_default" | "drop_default"
  | "add_constraint" | "drop_constraint" | "validate_constraint" | "rename_constraint"
  | "rename_table" | "set_schema" | "enable_trigger" | "disable_trigger"
  | "set_tablespace" | "set_logged" | "set_unlogged" | "attach_partition" | "detach_partition"
  | "add_identity" | "drop_identity" | "set_statistics" | "set_storage" | "owner_to"
  | "enable_rls" | "disable_rls" | "force_rls" | "no_force_rls" | "cluster_on" | "set_options" | "rename" | "other";

/** A column's type and nullability at one point of the catalog replay. */
export interface ColumnState {
  type: SqlType | null;
  not_null: boolean;
}

export interface Action {
  kind: ActionKind;
  column?: string | null;
  new_name?: string | null;
  type?: SqlType | null;
  using?: boolean;
  not_null?: boolean;
  has_default?: boolean;
  default_volatile?: boolean;
  default_functions?: string[];
  constraint?: Constraint | null;
  definition?: Column;
  if_exists?: boolean;
  if_not_exists?: boolean;
  cascade?: boolean;
  trigger?: string | null;
  tablespace?: string | null;
  /** alter_column_type, set_not_null, drop_not_null: the column just before this action (catalog replay), null when unknown */
  previous?: ColumnState | null;
  location?: Location;
}

export type StatementKind = string;

export interface Statement {
  index: number;
  kind: StatementKind;
  text: string;
  location: Location;
  in_transaction?: boolean;
  nested_in?: "function" | "do" | "trigger" | null;
  targets: ObjectRef[];
  reads: ColumnRead[];
  writes: ColumnWrite[];
  relations: ObjectRef[];
  functions: string[];
  actions?: Action[];
  columns?: Column[];
  constraints?: Constraint[];
  has_where?: boolean;
  limit?: number | null;
  returning?: boolean;
  concurrently?: boolean;
  if_exists?: boolean;
  if_not_exists?: boolean;
  cascade?: boolean;
  unique?: boolean;
  or_replace?: boolean;
  temporary?: boolean;
  object_kind?: string | null;
  privileges?: string[];
  grantees?: string[];
  copy?: { direction: "to" | "from"; target: "file" | "program" | "stdout" | "stdin"; query?: boolean; path?: string | null } | null;
  setting?: { name: string; value: string | null; local?: boolean } | null;
  enum_change?: { op: "add_value" | "rename_value"; value: string; before?: string | null; after?: string | null } | null;
  vacuum?: { full: boolean } | null;
  transaction?: { op: "begin" | "commit" | "rollback" | "savepoint" | "release_savepoint" | "prepare" | "commit_prepared" | "rollback_prepared" | "rollback_to" } | null;
  error?: { message: string; line?: number; column?: number; dialect?: string | null } | null;
  /** identifiers written longer than 63 bytes: as written, and the name PostgreSQL truncates them to */
  truncated_identifiers?: TruncatedIdentifier[];
}

export interface TruncatedIdentifier {
  written: string;
  name: string;
  location: Location;
}

export interface DbtColumnInfo {
  tags?: string[];
  meta?: Record<string, unknown>;
  classifications?: string[];
}

export interface DbtInfo {
  model: string;
  materialized?: string | null;
  tags?: string[];
  schema?: string | null;
  columns?: Record<string, DbtColumnInfo>;
  refs?: string[];
  sources?: string[];
}

export interface CatalogTable {
  columns: Column[];
}

export interface InputDocument {
  context: "ci" | "runtime";
  file?: { path: string; type: FileType } | null;
  statements: Statement[];
  identity?: { user?: string; roles?: string[]; groups?: string[] } | null;
  session?: Record<string, string> | null;
  intent?: string | null;
  dbt?: DbtInfo | null;
  catalog?: { tables: Record<string, CatalogTable> } | null;
}

export interface Note {
  file: string;
  line?: number;
  column?: number;
  message: string;
  /**
   * `skipped`: text that is not checked (a goose `Down` section, a psql meta-command, COPY
   * data, a down migration file, a dbt model disabled by its config); `unchecked`: a psql
   * command that runs SQL from elsewhere (`\i`, `\gexec`); `dbt-yaml`: a dbt YAML file that
   * cannot be read (`file` is the YAML); `dbt-manifest`: a manifest that is stale for a model
   * or unreadable; `dbt-empty`: a model that renders to no SQL
   */
  kind: "skipped" | "placeholder" | "dialect" | "macro" | "unchecked" | "dbt-yaml" | "dbt-manifest" | "dbt-empty";
}
