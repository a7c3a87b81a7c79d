// Small readers over libpg-query's JSON parse tree: names, types, constraints, column
// definitions and expression walks shared by the statement extractor and the resolver.
import type { PgNode } from "./parser.js";
import type { Column, Constraint, ConstraintKind, SqlType } from "./facts.js";

export function sval(n: PgNode): string {
  if (n == null) return "";
  if (typeof n === "string") return n;
  if (n.String) return n.String.sval ?? "";
  if (n.sval !== undefined) return typeof n.sval === "string" ? n.sval : (n.sval?.sval ?? "");
  if (n.A_Star) return "*";
  return "";
}

export function names(list: PgNode[] | undefined): string[] {
  return list ? list.map(sval) : [];
}

export interface QName {
  schema: string | null;
  name: string;
}

export function rangeVar(rv: PgNode): QName {
  return { schema: rv?.schemaname ?? null, name: rv?.relname ?? "" };
}

/** A dotted name list (`[schema, name]`, `[name]`, `[db, schema, name]`) as schema + name. */
export function qnameOf(list: string[]): QName {
  if (list.length === 0) return { schema: null, name: "" };
  return { schema: list.length > 1 ? list[list.length - 2]! : null, name: list[list.length - 1]! };
}

// pg_catalog names the grammar produces for SQL-standard spellings, mapped to what users write.
const INTERNAL_TYPES: Record<string, string> = {
  bpchar: "char",
  int2: "int2",
  int4: "int4",
  int8: "int8",
  float4: "float4",
  float8: "float8",
  bool: "bool",
  varchar: "varchar",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
  time: "time",
  timetz: "timetz",
  interval: "interval",
  numeric: "numeric",
  bit: "bit",
  varbit: "varbit",
};
const SERIAL: Record<string, string> = { serial: "int4", serial4: "int4", bigserial: "int8", serial8: "int8", smallserial: "int2", serial2: "int2" };
// user spellings folded to the canonical names above, so `int`, `integer` and `int4` compare equal
const ALIASES: Record<string, string> = {
  integer: "int4",
  int: "int4",
  smallint: "int2",
  bigint: "int8",
  real: "float4",
  boolean: "bool",
  "double precision": "float8",
  character: "char",
  "character varying": "varchar",
  decimal: "numeric",
};

export function typeOf(tn: PgNode): { type: SqlType; serial: boolean } {
  const parts = names(tn?.names);
  let schema: string | null = null;
  let name = parts[parts.length - 1] ?? "";
  if (parts.length > 1) schema = parts[parts.length - 2]!;
  let serial = false;
  if (schema === "pg_catalog" && INTERNAL_TYPES[name]) {
    name = INTERNAL_TYPES[name]!;
    schema = null;
  } else if (!schema && SERIAL[name]) {
    name = SERIAL[name]!;
    serial = true;
  } else if (!schema && ALIASES[name]) name = ALIASES[name]!;
  const type: SqlType = { name, schema, args: [], array: Array.isArray(tn?.arrayBounds) && tn.arrayBounds.length > 0 };
  if (tn?.pct_type) type.name += "%type";
  for (const m of tn?.typmods ?? []) {
    const c = m.A_Const;
    if (c?.ival !== undefined) type.args!.push(c.ival.ival ?? 0);
    else if (c?.sval) type.args!.push(c.sval.sval ?? "");
    else if (m.ColumnRef) type.args!.push(names(m.ColumnRef.fields).join("."));
  }
  // interval field restrictions come as a bitmask typmod: keep them out of args
  if (name === "interval") type.args = [];
  return { type, serial };
}

// Functions whose result changes per call: a default using one must rewrite every row.
export const VOLATILE_FUNCTIONS = new Set([
  "random", "random_normal", "gen_random_uuid", "gen_random_bytes", "uuid_generate_v1", "uuid_generate_v1mc",
  "uuid_generate_v4", "uuidv4", "uuidv7", "clock_timestamp", "timeofday", "nextval", "setval", "currval", "lastval",
  "txid_current", "pg_current_xact_id", "txid_current_if_assigned", "pg_current_xact_id_if_assigned", "now_random",
]);

const SQL_VALUE_FUNCTIONS: Record<string, string> = {
  SVFOP_CURRENT_DATE: "current_date",
  SVFOP_CURRENT_TIME: "current_time",
  SVFOP_CURRENT_TIME_N: "current_time",
  SVFOP_CURRENT_TIMESTAMP: "current_timestamp",
  SVFOP_CURRENT_TIMESTAMP_N: "current_timestamp",
  SVFOP_LOCALTIME: "localtime",
  SVFOP_LOCALTIME_N: "localtime",
  SVFOP_LOCALTIMESTAMP: "localtimestamp",
  SVFOP_LOCALTIMESTAMP_N: "localtimestamp",
  SVFOP_CURRENT_ROLE: "current_role",
  SVFOP_CURRENT_USER: "current_user",
  SVFOP_USER: "user",
  SVFOP_SESSION_USER: "session_user",
  SVFOP_CURRENT_CATALOG: "current_catalog",
  SVFOP_CURRENT_SCHEMA: "current_schema",
};

/** Every function called in a subtree (schema-qualified when written so), in order, deduplicated. */
// subtrees that never hold a function call: skipping them saves most of the walk
const NO_CALLS = new Set(["relation", "typeName", "TypeName", "fields", "names", "funcname", "String", "A_Const", "ColumnRef", "RangeVar", "location", "stmt_location", "stmt_len"]);

export function collectFunctions(node: PgNode, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const x = node[i];
      if (x !== null && typeof x === "object") collectFunctions(x, out);
    }
    return;
  }
  for (const key in node) {
    const v = node[key];
    if (v === null || typeof v !== "object") continue;
    if (key === "FuncCall") out.add(names(v.funcname).filter((p) => p !== "pg_catalog").join("."));
    else if (key === "SQLValueFunction") {
      const f = SQL_VALUE_FUNCTIONS[v.op];
      if (f) out.add(f);
      continue;
    } else if (NO_CALLS.has(key)) continue;
    collectFunctions(v, out);
  }
}

export function defaultInfo(expr: PgNode): { has_default: boolean; default_volatile: boolean; default_functions: string[] } {
  const fns = new Set<string>();
  collectFunctions(expr, fns);
  const list = [...fns];
  return {
    has_default: true,
    default_volatile: list.some((f) => VOLATILE_FUNCTIONS.has(f.slice(f.lastIndexOf(".") + 1))),
    default_functions: list,
  };
}

const CONSTRAINT_KINDS: Record<string, ConstraintKind> = {
  CONSTR_PRIMARY: "primary_key",
  CONSTR_UNIQUE: "unique",
  CONSTR_FOREIGN: "foreign_key",
  CONSTR_CHECK: "check",
  CONSTR_NOTNULL: "not_null",
  CONSTR_EXCLUSION: "exclusion",
  CONSTR_DEFAULT: "default",
};

export function constraintOf(c: PgNode, column?: string): Constraint {
  const kind = CONSTRAINT_KINDS[c.contype] ?? "other";
  const out: Constraint = { name: c.conname ?? null, kind };
  if (c.skip_validation) out.not_valid = true;
  if (c.indexname) out.using_index = c.indexname;
  let cols = kind === "foreign_key" ? names(c.fk_attrs) : kind === "check" ? exprColumns(c.raw_expr) : names(c.keys);
  if (cols.length === 0 && column) cols = [column];
  if (kind === "exclusion" && Array.isArray(c.exclusions)) {
    cols = [];
    for (const ex of c.exclusions) {
      const elem = ex?.List?.items?.[0]?.IndexElem;
      if (elem?.name) cols.push(elem.name);
    }
  }
  out.columns = cols;
  if (kind === "foreign_key") {
    const ref = rangeVar(c.pktable);
    out.references = { schema: ref.schema, table: ref.name, columns: names(c.pk_attrs) };
  }
  if (c.deferrable) out.deferrable = true;
  return out;
}

/** Columns an expression references, in order of first use (the last name of each reference). */
export function exprColumns(expr: PgNode): string[] {
  const out: string[] = [];
  const walk = (node: PgNode): void => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const x of node) walk(x);
      return;
    }
    for (const key in node) {
      const v = node[key];
      if (key === "ColumnRef") {
        const f = names(v?.fields);
        const last = f[f.length - 1];
        if (last && last !== "*" && !out.includes(last)) out.push(last);
      } else if (v !== null && typeof v === "object") walk(v);
    }
  };
  walk(expr);
  return out;
}

/** A column definition (CREATE TABLE element, ADD COLUMN). */
export function columnOf(cd: PgNode): Column {
  const { type, serial } = typeOf(cd.typeName);
  const col: Column = { name: cd.colname ?? "", type, not_null: false, has_default: false };
  if (serial) {
    col.serial = true;
    col.not_null = true;
    col.has_default = true;
    col.default_functions = ["nextval"];
    col.default_volatile = true;
  }
  if (cd.raw_default) Object.assign(col, defaultInfo(cd.raw_default));
  const constraints: Constraint[] = [];
  for (const w of cd.constraints ?? []) {
    const c = w.Constraint;
    if (!c) continue;
    switch (c.contype) {
      case "CONSTR_NOTNULL":
        col.not_null = true;
        break;
      case "CONSTR_NULL":
        break;
      case "CONSTR_DEFAULT":
        Object.assign(col, defaultInfo(c.raw_expr));
        break;
      case "CONSTR_IDENTITY":
        col.identity = true;
        col.not_null = true;
        break;
      case "CONSTR_GENERATED":
        col.generated = true;
        break;
      case "CONSTR_PRIMARY":
        col.primary_key = true;
        col.not_null = true;
        constraints.push(constraintOf(c, col.name));
        break;
      case "CONSTR_UNIQUE":
        col.unique = true;
        constraints.push(constraintOf(c, col.name));
        break;
      case "CONSTR_FOREIGN": {
        const k = constraintOf(c);
        k.columns = [col.name];
        constraints.push(k);
        break;
      }
      case "CONSTR_CHECK":
        constraints.push(constraintOf(c, col.name));
        break;
      default:
        break;
    }
  }
  if (constraints.length) col.constraints = constraints;
  return col;
}

/** Object names of a DROP/COMMENT/GRANT object node (List of String, TypeName, ObjectWithArgs, String). */
export function objectName(o: PgNode): QName {
  if (!o) return { schema: null, name: "" };
  if (o.List) return qnameOf(names(o.List.items));
  if (o.String) return { schema: null, name: o.String.sval ?? "" };
  if (o.TypeName) {
    const p = names(o.TypeName.names);
    return qnameOf(p);
  }
  if (o.ObjectWithArgs) return qnameOf(names(o.ObjectWithArgs.objname));
  if (o.RangeVar) return rangeVar(o.RangeVar);
  return { schema: null, name: "" };
}

export function defElemValue(d: PgNode): string | null {
  const a = d?.arg;
  if (a == null) return null;
  if (a.String) return a.String.sval ?? "";
  if (a.Integer) return String(a.Integer.ival ?? 0);
  if (a.Float) return a.Float.fval ?? "";
  if (a.Boolean) return String(a.Boolean.boolval ?? false);
  if (a.TypeName) return names(a.TypeName.names).join(".");
  if (a.List) return names(a.List.items).join(",");
  return null;
}
