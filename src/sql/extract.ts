// SQL text → statement facts: splits a file with exact spans, recovers from syntax errors
// statement by statement, and turns each parse tree into a Statement (kinds, targets,
// ALTER TABLE actions, nested PL/pgSQL statements, catalog effects, reads and writes).
import type { Action, ActionKind, Column, ColumnState, Constraint, Location, ObjectRef, Statement } from "./facts.js";
import { ByteMap, codePointToUtf16, parsePlpgsql, parseSql, type PgNode } from "./parser.js";
import { isIdentChar, isSpace, skipToken, splitStatements, trimRange, type Tok } from "./lexer.js";
import { OffsetMap } from "./preprocess.js";
import { collectFunctions, columnOf, constraintOf, defaultInfo, defElemValue, names, objectName, qnameOf, rangeVar, sval, typeOf, type QName } from "./ast.js";
import { Catalog, relKey, type CatalogColumn } from "./catalog.js";
import { resolveStatement, type Classifier } from "./resolve.js";
import type { Approver } from "./classify.js";

/** Offset → 1-based line/column of the original text (LineIndex, or a faster equivalent). */
export interface Positions {
  position(offset: number): { line: number; column: number };
}

/** Where a parse input sits: its text, its byte map, and its offset in the preprocessed file text. */
interface Src {
  text: string;
  bytes: ByteMap;
  base: number;
}

export interface FileContext {
  path: string;
  original: string;
  lines: Positions;
  pre: string;
  map: OffsetMap;
  catalog: Catalog;
  classify: Classifier;
  /** explicit-table patterns: the classifications a destination column is declared as */
  declared: Classifier;
  /** explicit-table patterns: the classifications a table is an approved store for */
  approved: Approver;
  masking: Set<string>;
  statements: Statement[];
  inTransaction: boolean;
  /** relation keys created by earlier statements of this file */
  createdHere: Set<string>;
  /** relations known before this file: snapshot for `existed_before` */
  before: (schema: string | null, name: string) => boolean | null;
  /** relation keys this file touched (for the document's catalog excerpt) */
  touch: (key: string) => void;
  /** parsed function/DO bodies by statement text, shared by the files of one project */
  bodies?: BodyCache;
  /** parsed queries of those bodies by text, shared likewise */
  queries?: QueryCache;
  /** dbt: line mapping from rendered text to original lines, when rendered */
  lineMap?: (renderedOffset: number) => Location;
}

export function locationAt(ctx: FileContext, preOffset: number): Location {
  if (ctx.lineMap) return ctx.lineMap(preOffset);
  const p = ctx.lines.position(ctx.map.toOriginal(preOffset));
  return { line: p.line, column: p.column };
}

function rangeLocation(ctx: FileContext, start: number, end: number): Location {
  const a = locationAt(ctx, start);
  const b = locationAt(ctx, end);
  return { line: a.line, column: a.column, end_line: b.line, end_column: b.column };
}

export function nodeLocation(ctx: FileContext, src: Src, byteLoc: number | undefined): Location | undefined {
  if (byteLoc === undefined || byteLoc < 0) return undefined;
  return locationAt(ctx, src.base + src.bytes.toUtf16(byteLoc));
}

/** Splits and extracts one (preprocessed) file text into ctx.statements. */
export function extractText(ctx: FileContext): void {
  const pre = ctx.pre;
  const whole = parseSql(pre);
  if (whole.ok) {
    const src: Src = { text: pre, bytes: new ByteMap(pre), base: 0 };
    handleRawStmts(ctx, src, whole.stmts, null);
    return;
  }
  // the grammar stops at the first error: split lexically and parse piece by piece
  for (const piece of splitStatements(pre)) {
    const text = pre.slice(piece.start, piece.end);
    const r = parseSql(text);
    if (r.ok) {
      handleRawStmts(ctx, { text, bytes: new ByteMap(text), base: piece.start }, r.stmts, null);
    } else {
      const at = piece.start + codePointToUtf16(text, r.cursor);
      const errLoc = locationAt(ctx, at);
      pushStatement(ctx, {
        kind: "unparsed",
        start: piece.start,
        end: piece.end,
        error: { message: r.message, line: errLoc.line, column: errLoc.column },
      });
    }
  }
}

interface NewStatement {
  kind: string;
  start: number;
  end: number;
  error?: Statement["error"];
  nested_in?: Statement["nested_in"];
}

function pushStatement(ctx: FileContext, n: NewStatement): Statement {
  const o0 = ctx.map.toOriginal(n.start);
  const o1 = ctx.map.toOriginal(n.end);
  const st: Statement = {
    index: ctx.statements.length,
    kind: n.kind,
    text: ctx.lineMap ? ctx.pre.slice(n.start, n.end) : ctx.original.slice(o0, o1),
    location: rangeLocation(ctx, n.start, n.end),
    targets: [],
    reads: [],
    writes: [],
    relations: [],
    functions: [],
  };
  if (ctx.inTransaction) st.in_transaction = true;
  if (n.nested_in) st.nested_in = n.nested_in;
  if (n.error) st.error = n.error;
  ctx.statements.push(st);
  return st;
}

function handleRawStmts(ctx: FileContext, src: Src, stmts: { stmt: PgNode; stmt_location?: number; stmt_len?: number }[], nested: Statement["nested_in"]): void {
  for (const raw of stmts) {
    const b0 = raw.stmt_location ?? 0;
    const s = src.bytes.toUtf16(b0);
    const e = raw.stmt_len ? src.bytes.toUtf16(b0 + raw.stmt_len) : src.text.length;
    const [a, b] = trimRange(src.text, s, e);
    handleStmt(ctx, src, raw.stmt, src.base + a, src.base + b, nested);
  }
}

const STMT_KIND: Record<string, string> = {
  CreateStmt: "create_table",
  IndexStmt: "create_index",
  ViewStmt: "create_view",
  CreateSchemaStmt: "create_schema",
  CreateSeqStmt: "create_sequence",
  AlterSeqStmt: "alter_sequence",
  CompositeTypeStmt: "create_type",
  CreateEnumStmt: "create_type",
  CreateRangeStmt: "create_type",
  AlterEnumStmt: "alter_type",
  CreateDomainStmt: "create_domain",
  AlterDomainStmt: "alter_domain",
  AlterFunctionStmt: "alter_function",
  CreateTrigStmt: "create_trigger",
  CreateEventTrigStmt: "create_event_trigger",
  AlterEventTrigStmt: "alter_event_trigger",
  CreateExtensionStmt: "create_extension",
  AlterExtensionStmt: "alter_extension",
  AlterExtensionContentsStmt: "alter_extension",
  CreatePolicyStmt: "create_policy",
  AlterPolicyStmt: "alter_policy",
  CreateRoleStmt: "create_role",
  AlterRoleStmt: "alter_role",
  AlterRoleSetStmt: "alter_role",
  DropRoleStmt: "drop_role",
  InsertStmt: "insert",
  UpdateStmt: "update",
  DeleteStmt: "delete",
  MergeStmt: "merge",
  TruncateStmt: "truncate",
  CopyStmt: "copy",
  CommentStmt: "comment",
  DoStmt: "do",
  VariableShowStmt: "show",
  LockStmt: "lock",
  ClusterStmt: "cluster",
  ExplainStmt: "explain",
  NotifyStmt: "notify",
  ListenStmt: "listen",
  UnlistenStmt: "listen",
  ReindexStmt: "reindex",
  RefreshMatViewStmt: "refresh_materialized_view",
  AlterOwnerStmt: "alter_owner",
  AlterDefaultPrivilegesStmt: "alter_default_privileges",
  CreatePublicationStmt: "create_publication",
  AlterPublicationStmt: "alter_publication",
  CreateSubscriptionStmt: "create_subscription",
  CreatedbStmt: "create_database",
  DropdbStmt: "drop_database",
  CallStmt: "call",
  GrantRoleStmt: "grant_role",
  CreateCastStmt: "other",
  RuleStmt: "create_rule",
  CheckPointStmt: "other",
  DiscardStmt: "other",
  PrepareStmt: "other",
  ExecuteStmt: "other",
  DeallocateStmt: "other",
  DeclareCursorStmt: "other",
  FetchStmt: "other",
  ClosePortalStmt: "other",
  SecLabelStmt: "other",
  CreateForeignTableStmt: "create_table",
  CreateFdwStmt: "other",
  CreateForeignServerStmt: "other",
  CreateUserMappingStmt: "other",
  ImportForeignSchemaStmt: "other",
  CreateTableSpaceStmt: "other",
  CreateStatsStmt: "other",
  CreateConversionStmt: "other",
  CreateOpClassStmt: "other",
  CreateAmStmt: "other",
  CreatePLangStmt: "other",
  CreateTransformStmt: "other",
  AlterTSConfigurationStmt: "other",
  AlterTSDictionaryStmt: "other",
  AlterSystemStmt: "set",
  LoadStmt: "other",
  AlterCollationStmt: "other",
  AlterDatabaseStmt: "alter_database",
  AlterDatabaseSetStmt: "alter_database",
  AlterStatsStmt: "other",
  AlterOperatorStmt: "other",
  AlterTypeStmt: "alter_type",
  ReassignOwnedStmt: "alter_owner",
  DropOwnedStmt: "other",
  CreateOpFamilyStmt: "other",
  AlterOpFamilyStmt: "other",
};

const OBJECT_KIND: Record<string, string> = {
  OBJECT_TABLE: "table",
  OBJECT_INDEX: "index",
  OBJECT_VIEW: "view",
  OBJECT_MATVIEW: "materialized_view",
  OBJECT_SCHEMA: "schema",
  OBJECT_SEQUENCE: "sequence",
  OBJECT_TYPE: "type",
  OBJECT_DOMAIN: "domain",
  OBJECT_FUNCTION: "function",
  OBJECT_PROCEDURE: "procedure",
  OBJECT_ROUTINE: "routine",
  OBJECT_AGGREGATE: "aggregate",
  OBJECT_TRIGGER: "trigger",
  OBJECT_EVENT_TRIGGER: "event_trigger",
  OBJECT_EXTENSION: "extension",
  OBJECT_POLICY: "policy",
  OBJECT_COLUMN: "column",
  OBJECT_TABCONSTRAINT: "constraint",
  OBJECT_DATABASE: "database",
  OBJECT_ROLE: "role",
  OBJECT_FOREIGN_TABLE: "foreign_table",
  OBJECT_RULE: "rule",
  OBJECT_PUBLICATION: "publication",
  OBJECT_SUBSCRIPTION: "subscription",
  OBJECT_TABLESPACE: "tablespace",
  OBJECT_COLLATION: "collation",
  OBJECT_CAST: "cast",
  OBJECT_OPERATOR: "operator",
  OBJECT_LARGEOBJECT: "large_object",
  OBJECT_LANGUAGE: "language",
  OBJECT_FDW: "foreign_data_wrapper",
  OBJECT_FOREIGN_SERVER: "server",
  OBJECT_ATTRIBUTE: "attribute",
  OBJECT_STATISTIC_EXT: "statistics",
  OBJECT_TSCONFIGURATION: "text_search_configuration",
  OBJECT_TSDICTIONARY: "text_search_dictionary",
};

// object kinds whose DROP / ALTER has a statement kind of its own
const DROP_KINDS = new Set(["table", "index", "view", "materialized_view", "schema", "sequence", "type", "domain", "function", "procedure", "trigger", "event_trigger", "extension", "policy"]);
const ALTER_KINDS: Record<string, string> = {
  table: "alter_table",
  foreign_table: "alter_table",
  index: "alter_index",
  view: "alter_view",
  materialized_view: "alter_view",
  sequence: "alter_sequence",
  type: "alter_type",
  attribute: "alter_type",
  domain: "alter_domain",
  schema: "alter_schema",
  function: "alter_function",
  procedure: "alter_function",
  routine: "alter_function",
  extension: "alter_extension",
  policy: "alter_policy",
  role: "alter_role",
  column: "alter_table",
  constraint: "alter_table",
  trigger: "alter_trigger",
  database: "alter_database",
};

function objectKind(objtype: string | undefined): string {
  return (objtype && OBJECT_KIND[objtype]) || (objtype ? objtype.replace(/^OBJECT_/, "").toLowerCase() : "other");
}

function target(ctx: FileContext, q: QName, kind: string, loc?: Location): ObjectRef {
  const ref: ObjectRef = { schema: q.schema, name: q.name, kind };
  if (kind === "table" || kind === "view" || kind === "materialized_view" || kind === "foreign_table") {
    const key = relKey(q.schema, q.name);
    ctx.touch(key);
    ref.created_in_file = ctx.createdHere.has(key);
    ref.existed_before = ref.created_in_file ? false : ctx.before(q.schema, q.name);
    const rel = ctx.catalog.relations.get(key);
    if (rel && rel.columnsKnown) {
      ref.columns = [...rel.columns.keys()];
      let pii: string[] | undefined;
      for (const c of rel.columns.values()) {
        if (c.classifications.size > 0 || ctx.classify(rel.schema, rel.name, c.name).length > 0) (pii ??= []).push(c.name);
      }
      if (pii) ref.pii_columns = pii;
    }
    const approved = ctx.approved(q.schema, q.name);
    if (approved.length) ref.approved_classifications = approved;
  }
  if (loc) ref.location = loc;
  return ref;
}

function handleStmt(ctx: FileContext, src: Src, node: PgNode, start: number, end: number, nested: Statement["nested_in"]): void {
  const type = Object.keys(node)[0] ?? "";
  const n = node[type] ?? {};
  const st = pushStatement(ctx, { kind: STMT_KIND[type] ?? "other", start, end, nested_in: nested });
  const loc = (b: number | undefined) => nodeLocation(ctx, src, b);
  // offset of a parse-tree location in the preprocessed file text
  const at = (b: number) => src.base + src.bytes.toUtf16(b);
  const nm = new StmtNames(ctx, start, end);
  const fns = new Set<string>();
  collectFunctions(node, fns);
  st.functions = [...fns];
  const nestedJobs: (() => void)[] = [];

  switch (type) {
    case "CreateStmt":
    case "CreateForeignTableStmt": {
      const c = type === "CreateStmt" ? n : n.base;
      const q = rangeVar(c.relation);
      st.targets.push(target(ctx, q, type === "CreateStmt" ? "table" : "foreign_table", loc(c.relation?.location)));
      if (c.if_not_exists) st.if_not_exists = true;
      if (c.relation?.relpersistence === "t") st.temporary = true;
      const columns: Column[] = [];
      const constraints: Constraint[] = [];
      for (const el of c.tableElts ?? []) {
        if (el.ColumnDef) {
          const col = columnOf(el.ColumnDef);
          const l = loc(el.ColumnDef.location);
          if (l) col.location = l;
          columns.push(col);
        } else if (el.Constraint) {
          constraints.push(constraintOf(el.Constraint));
        }
      }
      // a table-level PRIMARY KEY makes its columns NOT NULL; `primary_key` stays the
      // column's own inline constraint (a composite key's members are not each a key)
      for (const k of constraints) if (k.kind === "primary_key") for (const col of columns) if (k.columns?.includes(col.name)) col.not_null = true;
      st.columns = columns;
      st.constraints = constraints;
      if (c.partbound || c.inhRelations?.length) {
        for (const p of c.inhRelations ?? []) st.relations.push(target(ctx, rangeVar(p.RangeVar), "table", loc(p.RangeVar?.location)));
      }
      if (!c.if_not_exists || ctx.catalog.exists(q.schema, q.name) !== true) {
        ctx.catalog.create(q.schema, q.name, "table", ctx.path, columns);
        ctx.createdHere.add(relKey(q.schema, q.name));
      }
      break;
    }
    case "CreateTableAsStmt": {
      const into = n.into;
      const q = rangeVar(into?.rel);
      const mat = n.objtype === "OBJECT_MATVIEW";
      st.kind = mat ? "create_materialized_view" : "create_table_as";
      st.targets.push(target(ctx, q, mat ? "materialized_view" : "table", loc(into?.rel?.location)));
      if (n.if_not_exists) st.if_not_exists = true;
      if (into?.rel?.relpersistence === "t") st.temporary = true;
      resolveStatement(ctx, src, st, n.query, { kind: "create_as", target: q, columnNames: names(into?.colNames), relKind: mat ? "materialized_view" : "table" });
      ctx.createdHere.add(relKey(q.schema, q.name));
      break;
    }
    case "ViewStmt": {
      const q = rangeVar(n.view);
      st.targets.push(target(ctx, q, "view", loc(n.view?.location)));
      if (n.replace) st.or_replace = true;
      if (n.view?.relpersistence === "t") st.temporary = true;
      resolveStatement(ctx, src, st, n.query, { kind: "create_as", target: q, columnNames: names(n.aliases), relKind: "view" });
      ctx.createdHere.add(relKey(q.schema, q.name));
      break;
    }
    case "SelectStmt": {
      if (n.intoClause) {
        st.kind = "select_into";
        const q = rangeVar(n.intoClause.rel);
        st.targets.push(target(ctx, q, "table", loc(n.intoClause.rel?.location)));
        resolveStatement(ctx, src, st, node, { kind: "create_as", target: q, columnNames: names(n.intoClause.colNames), relKind: "table" });
        ctx.createdHere.add(relKey(q.schema, q.name));
      } else {
        st.kind = "select";
        st.limit = limitOf(n);
        resolveStatement(ctx, src, st, node, { kind: "select" });
      }
      break;
    }
    case "InsertStmt":
    case "UpdateStmt":
    case "DeleteStmt":
    case "MergeStmt": {
      const q = rangeVar(n.relation);
      st.targets.push(target(ctx, q, "table", loc(n.relation?.location)));
      if (type !== "InsertStmt" && type !== "MergeStmt") st.has_where = !!n.whereClause;
      st.returning = Array.isArray((n.returningClause?.exprs ?? n.returningList)) && (n.returningClause?.exprs ?? n.returningList).length > 0;
      resolveStatement(ctx, src, st, node, { kind: "dml" });
      break;
    }
    case "TruncateStmt": {
      for (const r of n.relations ?? []) st.targets.push(target(ctx, rangeVar(r.RangeVar), "table", loc(r.RangeVar?.location)));
      st.cascade = n.behavior === "DROP_CASCADE";
      break;
    }
    case "CopyStmt": {
      const direction = n.is_from ? "from" : "to";
      const targetKind = n.is_program ? "program" : n.filename ? "file" : n.is_from ? "stdin" : "stdout";
      st.copy = { direction, target: targetKind, query: !!n.query, path: n.filename ?? null };
      if (n.relation) st.targets.push(target(ctx, rangeVar(n.relation), "table", loc(n.relation.location)));
      resolveStatement(ctx, src, st, node, { kind: "copy" });
      break;
    }
    case "IndexStmt": {
      const q = { schema: n.relation?.schemaname ?? null, name: n.idxname ?? "" };
      const idx: ObjectRef = { schema: q.schema, name: q.name, kind: "index" };
      // the index name is written between INDEX and ON
      const l = n.idxname && n.relation?.location !== undefined ? nameBefore(ctx, start, at(n.relation.location), "index", n.idxname) : undefined;
      if (l) idx.location = l;
      st.targets.push(idx);
      if (n.idxname) {
        ctx.catalog.addIndex(q.schema, n.idxname, rangeVar(n.relation));
        ctx.createdHere.add(relKey(q.schema, n.idxname));
      }
      st.relations.push(target(ctx, rangeVar(n.relation), "table", loc(n.relation?.location)));
      st.unique = !!n.unique;
      st.concurrently = !!n.concurrent;
      if (n.if_not_exists) st.if_not_exists = true;
      st.columns = (n.indexParams ?? []).map((p: PgNode) => ({ name: p.IndexElem?.name ?? "" })).filter((c: Column) => c.name);
      break;
    }
    case "AlterTableStmt": {
      const kind = objectKind(n.objtype);
      st.kind = ALTER_KINDS[kind] ?? "other";
      st.object_kind = kind;
      const q = rangeVar(n.relation);
      st.targets.push(target(ctx, q, kind, loc(n.relation?.location)));
      if (n.missing_ok) st.if_exists = true;
      // each action is applied to the catalog before the next one is read, so `previous`
      // sees earlier statements of the file and earlier actions of this statement
      const actions: Action[] = [];
      for (const c of n.cmds ?? []) {
        const a = alterAction(ctx, src, c.AlterTableCmd ?? {});
        if (a.kind === "alter_column_type" || a.kind === "set_not_null" || a.kind === "drop_not_null") a.previous = previousOf(ctx, q, a.column);
        actions.push(a);
        applyAlter(ctx, q, [a]);
      }
      st.actions = actions;
      // ADD COLUMN and ADD CONSTRAINT have parse-tree positions: scan only for the others
      if (n.relation?.location !== undefined && actions.some((a) => !a.location)) locateActions(nm, at(n.relation.location), actions);
      // columns added by ADD COLUMN are column definitions like CREATE TABLE's
      const added = actions.filter((a) => a.kind === "add_column" && a.definition).map((a) => a.definition!);
      if (added.length) st.columns = added;
      break;
    }
    case "RenameStmt": {
      const kind = objectKind(n.renameType);
      const relKind = n.relationType ? objectKind(n.relationType) : kind;
      st.kind = ALTER_KINDS[kind === "column" || kind === "constraint" ? relKind : kind] ?? "other";
      st.object_kind = kind;
      const q = n.relation ? rangeVar(n.relation) : objectName(n.object);
      st.targets.push(target(ctx, q, kind === "column" || kind === "constraint" ? relKind : kind, loc(n.relation?.location)));
      if (n.missing_ok) st.if_exists = true;
      const action: Action =
        kind === "column"
          ? { kind: "rename_column", column: n.subname ?? null, new_name: n.newname ?? null }
          : kind === "constraint"
            ? { kind: "rename_constraint", constraint: { name: n.subname ?? null, kind: "other" }, new_name: n.newname ?? null }
            : { kind: kind === "table" ? "rename_table" : "rename", new_name: n.newname ?? null };
      st.actions = [action];
      locateRename(nm, action);
      applyAlter(ctx, q, st.actions);
      if (kind === "index" && n.newname) {
        ctx.catalog.renameIndex(q.schema, q.name, n.newname);
        if (ctx.createdHere.has(relKey(q.schema, q.name))) ctx.createdHere.add(relKey(q.schema, n.newname));
      }
      break;
    }
    case "AlterObjectSchemaStmt": {
      const kind = objectKind(n.objectType);
      st.kind = ALTER_KINDS[kind] ?? "other";
      st.object_kind = kind;
      const q = n.relation ? rangeVar(n.relation) : objectName(n.object);
      st.targets.push(target(ctx, q, kind, loc(n.relation?.location)));
      st.actions = [{ kind: "set_schema", new_name: n.newschema ?? null }];
      break;
    }
    case "DropStmt": {
      const kind = objectKind(n.removeType);
      st.kind = DROP_KINDS.has(kind) ? `drop_${kind}` : "other";
      st.object_kind = kind;
      st.if_exists = !!n.missing_ok;
      st.cascade = n.behavior === "DROP_CASCADE";
      st.concurrently = !!n.concurrent;
      // the names are found in the text in list order, each after the one before
      let cursor = 1;
      for (const o of n.objects ?? []) {
        let q = objectName(o);
        const parts = objectParts(o);
        if (kind === "trigger" || kind === "policy" || kind === "rule") {
          // DROP TRIGGER name ON table: the list is [schema?, table, name]
          q = { schema: parts.length > 2 ? parts[0]! : null, name: parts[parts.length - 1] ?? "" };
          const r = nm.find([q.name], cursor);
          if (r) cursor = r[1] + 1;
          const on = parts.slice(0, -1);
          const tr = on.length ? nm.find(on, cursor) : null;
          if (tr) cursor = tr[1] + 1;
          if (parts.length > 1) st.relations.push(target(ctx, qnameOf(on), "table", tr ? nm.span(tr[0], tr[1]) : undefined));
          st.targets.push(target(ctx, q, kind, r ? nm.span(r[0], r[1]) : undefined));
        } else {
          const r = nm.find(parts, cursor);
          if (r) cursor = r[1] + 1;
          const ref = target(ctx, q, kind, r ? nm.span(r[0], r[1]) : undefined);
          st.targets.push(ref);
          if (kind === "index") {
            // the table a replayed CREATE INDEX put it on is the one DROP INDEX locks
            ref.created_in_file = ctx.createdHere.has(relKey(q.schema, q.name));
            const on = ctx.catalog.indexTable(q.schema, q.name);
            if (on && !st.relations.some((x) => x.schema === on.schema && x.name === on.name)) st.relations.push(target(ctx, on, "table"));
            ctx.catalog.dropIndex(q.schema, q.name);
          }
        }
        if (kind === "table" || kind === "view" || kind === "materialized_view") ctx.catalog.drop(q.schema, q.name);
        if (kind === "schema") for (const rel of [...ctx.catalog.relations.values()]) if (rel.schema === q.name) ctx.catalog.drop(rel.schema, rel.name);
      }
      break;
    }
    case "CreateSchemaStmt": {
      st.targets.push({ schema: null, name: n.schemaname ?? n.authrole?.RoleSpec?.rolename ?? "", kind: "schema" });
      if (n.if_not_exists) st.if_not_exists = true;
      break;
    }
    case "CreateSeqStmt":
    case "AlterSeqStmt": {
      st.targets.push(withLocation({ ...rangeVar(n.sequence), kind: "sequence" }, loc(n.sequence?.location)));
      if (n.if_not_exists) st.if_not_exists = true;
      if (n.missing_ok) st.if_exists = true;
      break;
    }
    case "CompositeTypeStmt": {
      st.targets.push(withLocation({ ...rangeVar(n.typevar), kind: "type" }, loc(n.typevar?.location)));
      st.columns = (n.coldeflist ?? []).filter((c: PgNode) => c.ColumnDef).map((c: PgNode) => withLocation(columnOf(c.ColumnDef), loc(c.ColumnDef.location)));
      break;
    }
    case "CreateEnumStmt":
    case "CreateRangeStmt":
    case "AlterTypeStmt": {
      st.targets.push(withLocation({ ...qnameOf(names(n.typeName)), kind: "type" }, nm.locate(names(n.typeName), nm.word("type") + 1)));
      break;
    }
    case "DefineStmt": {
      const kind = objectKind(n.kind);
      st.kind = kind === "type" ? "create_type" : "other";
      st.object_kind = kind;
      st.targets.push(withLocation({ ...qnameOf(names(n.defnames)), kind }, kind === "type" ? nm.locate(names(n.defnames), nm.word("type") + 1) : undefined));
      if (n.replace) st.or_replace = true;
      break;
    }
    case "AlterEnumStmt": {
      st.targets.push(withLocation({ ...qnameOf(names(n.typeName)), kind: "type" }, nm.locate(names(n.typeName), nm.word("type") + 1)));
      st.object_kind = "type";
      if (n.oldVal) st.enum_change = { op: "rename_value", value: n.newVal ?? "", before: n.oldVal };
      else {
        st.enum_change = { op: "add_value", value: n.newVal ?? "", before: null, after: null };
        if (n.newValNeighbor) st.enum_change[n.newValIsAfter ? "after" : "before"] = n.newValNeighbor;
        if (n.skipIfNewValExists) st.if_not_exists = true;
      }
      break;
    }
    case "CreateDomainStmt":
    case "AlterDomainStmt": {
      st.targets.push({ ...qnameOf(names(n.domainname ?? n.typeName)), kind: "domain" });
      break;
    }
    case "CreateFunctionStmt": {
      st.kind = n.is_procedure ? "create_procedure" : "create_function";
      st.object_kind = n.is_procedure ? "procedure" : "function";
      st.targets.push({ ...qnameOf(names(n.funcname)), kind: st.object_kind });
      if (n.replace) st.or_replace = true;
      const lang = (n.options ?? []).find((o: PgNode) => o.DefElem?.defname === "language");
      const language = lang ? defElemValue(lang.DefElem) : null;
      const returnsTrigger = names(n.returnType?.names).pop() === "trigger";
      if (language === "plpgsql") nestedJobs.push(() => nestedPlpgsql(ctx, start, end, returnsTrigger ? "trigger" : "function", null));
      else if (language === "sql" || n.sql_body) nestedJobs.push(() => nestedSqlBody(ctx, src, start, end, n));
      break;
    }
    case "AlterFunctionStmt": {
      st.targets.push({ ...qnameOf(names(n.func?.objname)), kind: "function" });
      break;
    }
    case "CreateTrigStmt": {
      const trg: ObjectRef = { schema: null, name: n.trigname ?? "", kind: "trigger" };
      const l = n.trigname && n.relation?.location !== undefined ? nameBefore(ctx, start, at(n.relation.location), "trigger", n.trigname) : undefined;
      st.targets.push(withLocation(trg, l));
      st.relations.push(target(ctx, rangeVar(n.relation), "table", loc(n.relation?.location)));
      if (n.replace) st.or_replace = true;
      st.functions = [...new Set([...st.functions, names(n.funcname).join(".")])];
      break;
    }
    case "CreateEventTrigStmt":
      st.targets.push({ schema: null, name: n.trigname ?? "", kind: "event_trigger" });
      st.functions = [...new Set([...st.functions, names(n.funcname).join(".")])];
      break;
    case "CreateExtensionStmt":
    case "AlterExtensionStmt":
    case "AlterExtensionContentsStmt":
      st.targets.push({ schema: null, name: n.extname ?? "", kind: "extension" });
      if (n.if_not_exists) st.if_not_exists = true;
      break;
    case "CreatePolicyStmt":
    case "AlterPolicyStmt":
      st.targets.push({ schema: null, name: n.policy_name ?? "", kind: "policy" });
      st.relations.push(target(ctx, rangeVar(n.table), "table", loc(n.table?.location)));
      break;
    case "CreateRoleStmt":
      st.targets.push({ schema: null, name: n.role ?? "", kind: "role" });
      break;
    case "AlterRoleStmt":
    case "AlterRoleSetStmt":
      st.targets.push({ schema: null, name: roleName(n.role), kind: "role" });
      break;
    case "DropRoleStmt":
      for (const r of n.roles ?? []) st.targets.push({ schema: null, name: roleName(r), kind: "role" });
      st.if_exists = !!n.missing_ok;
      break;
    case "GrantStmt": {
      st.kind = n.is_grant ? "grant" : "revoke";
      const kind = objectKind(n.objtype);
      st.object_kind = n.targtype === "ACL_TARGET_ALL_IN_SCHEMA" ? `all_${kind}s_in_schema` : kind;
      const privs: string[] = (n.privileges ?? []).map((p: PgNode) => (p.AccessPriv?.priv_name ?? "").toLowerCase());
      st.privileges = privs.length ? privs : ["all"];
      st.grantees = (n.grantees ?? []).map(roleName);
      for (const o of n.objects ?? []) {
        // GRANT ... ON ALL TABLES IN SCHEMA s: the target is the schema
        const all = n.targtype === "ACL_TARGET_ALL_IN_SCHEMA";
        const q = o.RangeVar ? rangeVar(o.RangeVar) : all ? { schema: null, name: sval(o) } : objectName(o);
        st.targets.push(target(ctx, q, all ? "schema" : kind, loc(o.RangeVar?.location)));
      }
      if (n.behavior === "DROP_CASCADE") st.cascade = true;
      break;
    }
    case "GrantRoleStmt": {
      st.kind = n.is_grant ? "grant" : "revoke";
      st.object_kind = "role";
      const roles: string[] = (n.granted_roles ?? []).map((p: PgNode) => p.AccessPriv?.priv_name ?? "");
      st.privileges = roles;
      st.grantees = (n.grantee_roles ?? []).map(roleName);
      for (const r of roles) st.targets.push({ schema: null, name: r, kind: "role" });
      break;
    }
    case "AlterDefaultPrivilegesStmt": {
      const a = n.action?.GrantStmt ?? n.action;
      if (a) {
        st.object_kind = objectKind(a.objtype);
        const privs: string[] = (a.privileges ?? []).map((p: PgNode) => (p.AccessPriv?.priv_name ?? "").toLowerCase());
        st.privileges = privs.length ? privs : ["all"];
        st.grantees = (a.grantees ?? []).map(roleName);
      }
      for (const o of n.options ?? []) {
        const d = o.DefElem;
        if (d?.defname === "schemas") for (const x of d.arg?.List?.items ?? []) st.targets.push({ schema: null, name: sval(x), kind: "schema" });
      }
      break;
    }
    case "CommentStmt": {
      const kind = objectKind(n.objtype);
      st.object_kind = kind;
      const q = objectName(n.object);
      if (kind === "column") {
        const parts = n.object?.List ? names(n.object.List.items) : [];
        st.targets.push(target(ctx, qnameOf(parts.slice(0, -1)), "table"));
        st.columns = [{ name: parts[parts.length - 1] ?? "" }];
      } else st.targets.push(target(ctx, q, kind));
      break;
    }
    case "DoStmt": {
      const lang = (n.args ?? []).find((a: PgNode) => a.DefElem?.defname === "language");
      const language = lang ? defElemValue(lang.DefElem) : "plpgsql";
      const body = (n.args ?? []).find((a: PgNode) => a.DefElem?.defname === "as");
      if (language === "plpgsql" && body) nestedJobs.push(() => nestedPlpgsql(ctx, start, end, "do", defElemValue(body.DefElem) ?? ""));
      break;
    }
    case "VariableSetStmt": {
      st.kind = n.kind === "VAR_RESET" || n.kind === "VAR_RESET_ALL" ? "reset" : "set";
      const value = (n.args ?? []).map((a: PgNode) => constText(a)).join(", ");
      st.setting = { name: n.name ?? "all", value: st.kind === "reset" || n.kind === "VAR_SET_DEFAULT" ? null : value, local: !!n.is_local };
      break;
    }
    case "AlterSystemStmt": {
      const s = n.setstmt ?? {};
      st.setting = { name: s.name ?? "", value: (s.args ?? []).map((a: PgNode) => constText(a)).join(", ") || null, local: false };
      st.object_kind = "system";
      break;
    }
    case "TransactionStmt": {
      const op = TX_OPS[n.kind as string] ?? "other";
      st.kind = op === "begin" ? "begin" : op === "commit" ? "commit" : op === "rollback" || op === "rollback_to" ? "rollback" : op === "savepoint" ? "savepoint" : op === "release_savepoint" ? "release_savepoint" : "other";
      st.transaction = { op: op as NonNullable<Statement["transaction"]>["op"] };
      if (op === "begin") ctx.inTransaction = true;
      else if (op === "commit" || op === "rollback") ctx.inTransaction = false;
      delete st.in_transaction;
      if (op !== "begin" && op !== "commit" && op !== "rollback" && ctx.inTransaction) st.in_transaction = true;
      break;
    }
    case "VacuumStmt": {
      st.kind = n.is_vacuumcmd ? "vacuum" : "analyze";
      const opts = (n.options ?? []).map((o: PgNode) => o.DefElem?.defname);
      if (n.is_vacuumcmd) st.vacuum = { full: opts.includes("full") };
      for (const r of n.rels ?? []) {
        const rel = r.VacuumRelation?.relation;
        if (rel) st.targets.push(target(ctx, rangeVar(rel), "table", loc(rel.location)));
      }
      break;
    }
    case "ClusterStmt":
      if (n.relation) st.targets.push(target(ctx, rangeVar(n.relation), "table", loc(n.relation.location)));
      break;
    case "ReindexStmt":
      st.object_kind = objectKind(n.kind?.replace("REINDEX_OBJECT_", "OBJECT_"));
      if (n.relation) st.targets.push(target(ctx, rangeVar(n.relation), st.object_kind, loc(n.relation.location)));
      else if (n.name) st.targets.push({ schema: null, name: n.name, kind: st.object_kind });
      st.concurrently = (n.params ?? []).some((p: PgNode) => p.DefElem?.defname === "concurrently");
      break;
    case "RefreshMatViewStmt":
      st.targets.push(target(ctx, rangeVar(n.relation), "materialized_view", loc(n.relation?.location)));
      st.concurrently = !!n.concurrent;
      break;
    case "LockStmt":
      for (const r of n.relations ?? []) st.targets.push(target(ctx, rangeVar(r.RangeVar), "table", loc(r.RangeVar?.location)));
      break;
    case "AlterOwnerStmt": {
      const kind = objectKind(n.objectType);
      st.object_kind = kind;
      st.targets.push(target(ctx, n.relation ? rangeVar(n.relation) : objectName(n.object), kind));
      st.grantees = [roleName(n.newowner)];
      break;
    }
    case "ExplainStmt": {
      // EXPLAIN ANALYZE runs its query: its facts are the query's
      const analyze = (n.options ?? []).some((o: PgNode) => o.DefElem?.defname === "analyze");
      if (analyze && n.query) resolveStatement(ctx, src, st, n.query, { kind: "select" });
      break;
    }
    case "CallStmt":
      st.targets.push({ ...qnameOf(names(n.funccall?.funcname)), kind: "procedure" });
      break;
    case "CreatedbStmt":
    case "DropdbStmt":
      st.targets.push({ schema: null, name: n.dbname ?? "", kind: "database" });
      if (n.missing_ok) st.if_exists = true;
      break;
    case "RuleStmt":
      st.targets.push({ schema: null, name: n.rulename ?? "", kind: "rule" });
      st.relations.push(target(ctx, rangeVar(n.relation), "table", loc(n.relation?.location)));
      if (n.replace) st.or_replace = true;
      break;
    default:
      break;
  }
  if (mayBeTruncated(ctx, st)) truncatedIdentifiers(ctx, st, nm);
  for (const job of nestedJobs) job();
}

/**
 * Whether a name of the statement's facts may be a truncated one (60 to 63 bytes: the parser
 * cuts longer names to 63 bytes at a character boundary). Only then is the statement's text
 * scanned for the names as written: a pass over the whole text of every file would cost more
 * than all the other token scans together, and a long name that matters (a table, column,
 * index, constraint, type or function created, changed, dropped or used) is in the facts.
 */
function mayBeTruncated(ctx: FileContext, st: Statement): boolean {
  // in ASCII text a truncated name is 63 characters long; otherwise 60 bytes need 20 or more
  const min = asciiText(ctx) ? 63 : 20;
  const near = (name: string | null | undefined): boolean => !!name && name.length >= min && name.length <= MAX_IDENTIFIER_BYTES && (min === 63 || Buffer.byteLength(name, "utf8") >= 60);
  for (const t of st.targets) if (near(t.name) || near(t.schema)) return true;
  for (const t of st.relations) if (near(t.name) || near(t.schema)) return true;
  for (const c of st.columns ?? []) if (near(c.name) || near(c.type?.name)) return true;
  for (const k of st.constraints ?? []) if (near(k.name)) return true;
  for (const a of st.actions ?? []) if (near(a.column) || near(a.new_name) || near(a.constraint?.name) || near(a.type?.name) || near(a.trigger)) return true;
  for (const r of st.reads) if (near(r.column) || near(r.table) || near(r.output)) return true;
  for (const w of st.writes) if (near(w.column) || near(w.table)) return true;
  for (const f of st.functions) if (f.length >= min && f.split(".").some(near)) return true;
  return false;
}

const ascii = new WeakMap<FileContext, boolean>();
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

function asciiText(ctx: FileContext): boolean {
  let a = ascii.get(ctx);
  if (a === undefined) ascii.set(ctx, (a = !NON_ASCII.test(ctx.pre)));
  return a;
}

/** The name written after `keyword` and before `limit` (CREATE INDEX name ON, CREATE TRIGGER name … ON). */
function nameBefore(ctx: FileContext, start: number, limit: number, keyword: string, name: string): Location | undefined {
  const nm = new StmtNames(ctx, start, limit);
  return nm.locate([name], nm.word(keyword) + 1);
}

/** Identifiers of the statement written longer than PostgreSQL keeps (its own text; bodies are their statements'). */
function truncatedIdentifiers(ctx: FileContext, st: Statement, nm: StmtNames): void {
  let out: Statement["truncated_identifiers"];
  for (let i = 0; i < nm.length; i++) {
    if (!nm.long(i)) continue;
    const written = nm.written(i);
    if (out?.some((x) => x.written === written)) continue;
    (out ??= []).push({ written, name: truncateIdentifier(nm.value(i)), location: nm.spanOf(i) });
  }
  if (out) st.truncated_identifiers = out;
}

const TX_OPS: Record<string, string> = {
  TRANS_STMT_BEGIN: "begin",
  TRANS_STMT_START: "begin",
  TRANS_STMT_COMMIT: "commit",
  TRANS_STMT_ROLLBACK: "rollback",
  TRANS_STMT_SAVEPOINT: "savepoint",
  TRANS_STMT_RELEASE: "release_savepoint",
  TRANS_STMT_ROLLBACK_TO: "rollback_to",
  TRANS_STMT_PREPARE: "prepare",
  TRANS_STMT_COMMIT_PREPARED: "commit_prepared",
  TRANS_STMT_ROLLBACK_PREPARED: "rollback_prepared",
};

function roleName(r: PgNode): string {
  const s = r?.RoleSpec ?? r;
  switch (s?.roletype) {
    case "ROLESPEC_PUBLIC":
      return "public";
    case "ROLESPEC_CURRENT_USER":
      return "current_user";
    case "ROLESPEC_SESSION_USER":
      return "session_user";
    case "ROLESPEC_CURRENT_ROLE":
      return "current_role";
    default:
      return s?.rolename ?? "";
  }
}

function constText(a: PgNode): string {
  const c = a?.A_Const;
  if (!c) return sval(a);
  if (c.sval) return c.sval.sval ?? "";
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.ival !== undefined) return "0";
  if (c.fval) return c.fval.fval ?? "";
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return "";
}

function limitOf(n: PgNode): number | null {
  const c = n.limitCount?.A_Const;
  if (!c) return null;
  if (c.ival !== undefined) return c.ival.ival ?? 0;
  return null;
}

const AT_KINDS: Record<string, ActionKind> = {
  AT_AddColumn: "add_column",
  AT_DropColumn: "drop_column",
  AT_AlterColumnType: "alter_column_type",
  AT_SetNotNull: "set_not_null",
  AT_DropNotNull: "drop_not_null",
  AT_AddConstraint: "add_constraint",
  AT_DropConstraint: "drop_constraint",
  AT_ValidateConstraint: "validate_constraint",
  AT_AddIndexConstraint: "add_constraint",
  AT_EnableTrig: "enable_trigger",
  AT_EnableAlwaysTrig: "enable_trigger",
  AT_EnableReplicaTrig: "enable_trigger",
  AT_EnableTrigAll: "enable_trigger",
  AT_EnableTrigUser: "enable_trigger",
  AT_DisableTrig: "disable_trigger",
  AT_DisableTrigAll: "disable_trigger",
  AT_DisableTrigUser: "disable_trigger",
  AT_SetTableSpace: "set_tablespace",
  AT_SetLogged: "set_logged",
  AT_SetUnLogged: "set_unlogged",
  AT_AttachPartition: "attach_partition",
  AT_DetachPartition: "detach_partition",
  AT_DetachPartitionFinalize: "detach_partition",
  AT_AddIdentity: "add_identity",
  AT_DropIdentity: "drop_identity",
  AT_SetStatistics: "set_statistics",
  AT_SetStorage: "set_storage",
  AT_ChangeOwner: "owner_to",
  AT_EnableRowSecurity: "enable_rls",
  AT_DisableRowSecurity: "disable_rls",
  AT_ForceRowSecurity: "force_rls",
  AT_NoForceRowSecurity: "no_force_rls",
  AT_ClusterOn: "cluster_on",
  AT_SetRelOptions: "set_options",
  AT_ResetRelOptions: "set_options",
};

function alterAction(ctx: FileContext, src: Src, c: PgNode): Action {
  const sub: string = c.subtype ?? "";
  let kind: ActionKind = AT_KINDS[sub] ?? "other";
  const a: Action = { kind };
  const def = c.def;
  switch (sub) {
    case "AT_AddColumn": {
      const col = columnOf(def?.ColumnDef ?? {});
      a.column = col.name;
      a.type = col.type ?? null;
      a.not_null = !!col.not_null;
      a.has_default = !!col.has_default;
      a.default_volatile = !!col.default_volatile;
      a.default_functions = col.default_functions ?? [];
      if (col.constraints?.length) a.constraint = col.constraints[0]!;
      a.definition = col;
      if (c.missing_ok) a.if_not_exists = true;
      const l = nodeLocation(ctx, src, def?.ColumnDef?.location);
      if (l) {
        a.location = l;
        col.location = l;
      }
      break;
    }
    case "AT_DropColumn":
      a.column = c.name ?? null;
      break;
    case "AT_AlterColumnType": {
      a.column = c.name ?? null;
      a.type = typeOf(def?.ColumnDef?.typeName).type;
      a.using = !!def?.ColumnDef?.raw_default;
      break;
    }
    case "AT_SetNotNull":
    case "AT_DropNotNull":
    case "AT_SetStatistics":
    case "AT_SetStorage":
    case "AT_AddIdentity":
    case "AT_DropIdentity":
      a.column = c.name ?? null;
      break;
    case "AT_ColumnDefault":
      a.column = c.name ?? null;
      if (def) {
        kind = a.kind = "set_default";
        Object.assign(a, defaultInfo(def));
      } else {
        kind = a.kind = "drop_default";
        a.has_default = false;
      }
      break;
    case "AT_AddConstraint":
      a.constraint = def?.Constraint ? constraintOf(def.Constraint) : { kind: "other" };
      if (def?.Constraint?.location !== undefined) a.location = nodeLocation(ctx, src, def.Constraint.location);
      break;
    case "AT_AddIndexConstraint":
      a.constraint = def?.IndexStmt ? { name: def.IndexStmt.idxname ?? null, kind: def.IndexStmt.primary ? "primary_key" : "unique", using_index: def.IndexStmt.idxname ?? null } : { kind: "other" };
      break;
    case "AT_DropConstraint":
    case "AT_ValidateConstraint":
      a.constraint = { name: c.name ?? null, kind: "other" };
      break;
    case "AT_EnableTrig":
    case "AT_EnableAlwaysTrig":
    case "AT_EnableReplicaTrig":
    case "AT_DisableTrig":
      a.trigger = c.name ?? null;
      break;
    case "AT_EnableTrigAll":
    case "AT_DisableTrigAll":
      a.trigger = "all";
      break;
    case "AT_EnableTrigUser":
    case "AT_DisableTrigUser":
      a.trigger = "user";
      break;
    case "AT_SetTableSpace":
      a.tablespace = c.name ?? null;
      break;
    case "AT_ChangeOwner":
      a.new_name = roleName(c.newowner);
      break;
    case "AT_AttachPartition":
    case "AT_DetachPartition":
      a.new_name = def?.PartitionCmd?.name ? rangeVar(def.PartitionCmd.name).name : null;
      break;
    default:
      break;
  }
  if (c.missing_ok && sub !== "AT_AddColumn") a.if_exists = true;
  if (c.behavior === "DROP_CASCADE") a.cascade = true;
  return a;
}

/** Keeps the catalog in step with ALTER TABLE: columns added, dropped, renamed; tables renamed. */
function applyAlter(ctx: FileContext, q: QName, actions: Action[]): void {
  const rel = ctx.catalog.get(q.schema, q.name);
  for (const a of actions) {
    if (a.kind === "rename_table" && a.new_name) {
      ctx.catalog.rename(q.schema, q.name, a.new_name);
      if (ctx.createdHere.has(relKey(q.schema, q.name))) ctx.createdHere.add(relKey(q.schema, a.new_name));
      continue;
    }
    if (!rel) continue;
    if (a.kind === "alter_column_type" || a.kind === "set_not_null" || a.kind === "drop_not_null") {
      const c = a.column ? rel.columns.get(a.column) : undefined;
      // a new definition object: the old one is also an earlier statement's fact
      if (c?.def) setDef(c, a.kind === "alter_column_type" ? { ...c.def, type: a.type ?? null } : { ...c.def, not_null: a.kind === "set_not_null" });
    } else if (a.kind === "add_constraint" && a.constraint?.kind === "primary_key") {
      // a primary key makes its columns NOT NULL
      for (const name of a.constraint.columns ?? []) {
        const c = rel.columns.get(name);
        if (c?.def && !c.def.not_null) setDef(c, { ...c.def, not_null: true });
      }
    } else if (a.kind === "add_column" && a.definition) rel.columns.set(a.definition.name, { name: a.definition.name, def: a.definition, classifications: new Set() });
    else if (a.kind === "drop_column" && a.column) rel.columns.delete(a.column);
    else if (a.kind === "rename_column" && a.column && a.new_name) {
      const c = rel.columns.get(a.column);
      if (c) {
        rel.columns.delete(a.column);
        c.name = a.new_name;
        rel.columns.set(a.new_name, c);
      }
    }
  }
}

function withLocation<T extends ObjectRef | Column>(x: T, l: Location | undefined): T {
  if (l) x.location = l;
  return x;
}

function setDef(c: CatalogColumn, def: Column): void {
  c.def = def;
  c.snapshot = undefined;
}

/** A column's type and nullability in the catalog now; null when the catalog does not know its definition. */
function previousOf(ctx: FileContext, q: QName, column: string | null | undefined): ColumnState | null {
  const def = column ? ctx.catalog.get(q.schema, q.name)?.columns.get(column)?.def : undefined;
  if (!def?.type) return null;
  return { type: def.type, not_null: !!def.not_null };
}

// ---- names as written (token scan) -------------------------------------------------------
// The parse tree gives start offsets for relations, columns and expressions only; action,
// DROP target, index, trigger and type names have none, and long names come back truncated.
// A small scan of the statement's text finds them.

const UPPER = /[A-Z]/;

/** An unquoted identifier as PostgreSQL folds it: ASCII letters lower-cased, others kept. */
function foldIdentifier(raw: string): string {
  if (!UPPER.test(raw)) return raw;
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(raw) ? raw.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : raw.toLowerCase();
}

/** PostgreSQL's identifier limit: NAMEDATALEN - 1 bytes, cut at a character boundary. */
export const MAX_IDENTIFIER_BYTES = 63;

export function truncateIdentifier(name: string): string {
  if (name.length * 3 <= MAX_IDENTIFIER_BYTES || Buffer.byteLength(name, "utf8") <= MAX_IDENTIFIER_BYTES) return name;
  let bytes = 0;
  let i = 0;
  for (const ch of name) {
    const b = Buffer.byteLength(ch, "utf8");
    if (bytes + b > MAX_IDENTIFIER_BYTES) break;
    bytes += b;
    i += ch.length;
  }
  return name.slice(0, i);
}

const scanTok: Tok = { end: 0, comment: false };

// token kinds of a statement scan
const IDENT = 0;
const QUOTED = 1;
const PUNCT = 2;
const OTHER = 3;

/**
 * Tokens of one statement (or a prefix of it), scanned on first use: parallel arrays of
 * start and end offsets in the preprocessed file text and kinds; identifier values are
 * computed only for the tokens compared.
 */
class StmtNames {
  // one scratch buffer for every scan (statements are scanned one at a time); an instance
  // whose tokens were overwritten by another scan scans again
  private static owner: StmtNames | null = null;
  private static s = new Int32Array(256);
  private static e = new Int32Array(256);
  private static k = new Uint8Array(256);
  private n = -1;
  private s = StmtNames.s;
  private e = StmtNames.e;
  private k = StmtNames.k;

  constructor(
    private readonly ctx: FileContext,
    private readonly start: number,
    private readonly end: number,
  ) {}

  private scan(): void {
    StmtNames.owner = this;
    const text = this.ctx.pre;
    const to = this.end;
    let n = 0;
    let i = this.start;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      skipToken(text, i, scanTok);
      const e = Math.min(scanTok.end, to);
      if (!scanTok.comment) {
        if (n === StmtNames.k.length) StmtNames.grow();
        StmtNames.s[n] = i;
        StmtNames.e[n] = e;
        StmtNames.k[n] = c === 34 ? QUOTED : isIdentChar(c) && c !== 36 && !(c >= 48 && c <= 57) ? IDENT : e === i + 1 && c !== 39 && c !== 36 ? PUNCT : OTHER;
        n++;
      }
      i = scanTok.end;
    }
    this.n = n;
    this.s = StmtNames.s;
    this.e = StmtNames.e;
    this.k = StmtNames.k;
  }

  private static grow(): void {
    const size = StmtNames.k.length * 2;
    const s = new Int32Array(size);
    const e = new Int32Array(size);
    const k = new Uint8Array(size);
    s.set(StmtNames.s);
    e.set(StmtNames.e);
    k.set(StmtNames.k);
    StmtNames.s = s;
    StmtNames.e = e;
    StmtNames.k = k;
  }

  get length(): number {
    this.ensure();
    return this.n;
  }

  private ensure(): void {
    if (this.n < 0 || StmtNames.owner !== this) this.scan();
  }

  isName(i: number): boolean {
    this.ensure();
    const k = this.k[i];
    return k === IDENT || k === QUOTED;
  }

  /** The one-character punctuation token `i` is, or "". */
  punct(i: number): string {
    this.ensure();
    return this.k[i] === PUNCT ? this.ctx.pre[this.s[i]!]! : "";
  }

  /** A name token's value: unquoted ones folded as PostgreSQL folds them, quoted ones as written. */
  value(i: number): string {
    this.ensure();
    const raw = this.ctx.pre.slice(this.s[i]!, this.e[i]!);
    if (this.k[i] === QUOTED) return raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined).replace(/""/g, '"');
    return foldIdentifier(raw);
  }

  /** A name token as written (quotes removed). */
  written(i: number): string {
    return this.k[i] === QUOTED ? this.value(i) : this.ctx.pre.slice(this.s[i]!, this.e[i]!);
  }

  /** Whether name token `i` is `name` as the parser gives it (folded, truncated to 63 bytes). */
  private is(i: number, name: string): boolean {
    const k = this.k[i];
    if (k !== IDENT && k !== QUOTED) return false;
    const len = this.e[i]! - this.s[i]! - (k === QUOTED ? 2 : 0);
    // a shorter token is never the name; a longer one only when the name is a truncation
    if (len < name.length && k === IDENT) return false;
    if (len > name.length && k === IDENT && name.length < 15) return false;
    return truncateIdentifier(this.value(i)) === name;
  }

  /** Index of the first token at or after a preprocessed-text offset. */
  at(offset: number): number {
    const n = this.length;
    let i = 0;
    while (i < n && this.s[i]! < offset) i++;
    return i;
  }

  /** Index of the first unquoted word `w` (lower-case) in [from, to), -1 when none. */
  word(w: string, from = 0, to = this.length): number {
    for (let i = from; i < to; i++) {
      if (this.k[i] === IDENT && this.e[i]! - this.s[i]! === w.length && this.value(i) === w) return i;
    }
    return -1;
  }

  /** The dotted name `parts` (as the parser folded and truncated it) from token `from`: [first, last] token indexes. */
  find(parts: string[], from = 0, to = this.length): [number, number] | null {
    if (parts.length === 0 || parts.some((p) => p === "")) return null;
    outer: for (let i = from; i < to; i++) {
      let j = i;
      for (let p = 0; p < parts.length; p++) {
        if (p > 0) {
          if (j + 2 >= to || this.punct(j + 1) !== ".") continue outer;
          j += 2;
        }
        if (!this.is(j, parts[p]!)) continue outer;
      }
      return [i, j];
    }
    return null;
  }

  /** The span of tokens [a, b]. */
  span(a: number, b: number): Location {
    this.ensure();
    return rangeLocation(this.ctx, this.s[a]!, this.e[b]!);
  }

  /** The span of the dotted name `parts` found from token `from`, or undefined. */
  locate(parts: string[], from = 0, to = this.length): Location | undefined {
    const r = this.find(parts, from, to);
    return r ? this.span(r[0], r[1]) : undefined;
  }

  /** Whether token `i` is longer than PostgreSQL keeps a name (its text, so bytes are at least its UTF-16 length). */
  long(i: number): boolean {
    return this.isName(i) && this.e[i]! - this.s[i]! > MAX_IDENTIFIER_BYTES / 3 && Buffer.byteLength(this.value(i), "utf8") > MAX_IDENTIFIER_BYTES;
  }

  /** The span of token `i`. */
  spanOf(i: number): Location {
    return this.span(i, i);
  }

  /**
   * Token ranges of the comma-separated items from token `from` to the end (commas inside
   * parentheses or brackets do not separate): the actions of ALTER TABLE, the names of DROP.
   */
  items(from: number): [number, number][] {
    const n = this.length;
    const out: [number, number][] = [];
    let depth = 0;
    let first = from;
    for (let i = from; i < n; i++) {
      const v = this.punct(i);
      if (v === "") continue;
      if (v === "(" || v === "[") depth++;
      else if (v === ")" || v === "]") depth--;
      else if (v === "," && depth === 0) {
        out.push([first, i - 1]);
        first = i + 1;
      } else if (v === ";" && depth === 0) break;
    }
    if (first < n) out.push([first, n - 1]);
    return out;
  }
}

/** Where each ALTER TABLE action is written: its column or constraint name, else the whole action. */
function locateActions(names: StmtNames, relStart: number, actions: Action[]): void {
  let i = names.at(relStart);
  // the relation's dotted name
  while (i < names.length && names.isName(i) && names.punct(i + 1) === ".") i += 2;
  const items = names.items(i + 1);
  if (items.length !== actions.length) return;
  actions.forEach((a, k) => {
    const [a0, a1] = items[k]!;
    if (a1 < a0 || a.location) return;
    const name = a.column ?? (a.kind === "add_constraint" ? null : a.constraint?.name) ?? null;
    // the name follows the action's first keyword (ALTER, DROP, VALIDATE, …)
    const r = name && a.kind !== "add_constraint" ? names.find([name], a0 + 1, a1 + 1) : null;
    a.location = r ? names.span(r[0], r[1]) : names.span(a0, a1);
  });
}

/** RENAME: the old column or constraint name, or the new name of a renamed object. */
function locateRename(names: StmtNames, a: Action): void {
  const r = names.word("rename");
  if (r < 0) return;
  if (a.kind === "rename_column" || a.kind === "rename_constraint") {
    const old = a.kind === "rename_column" ? a.column : a.constraint?.name;
    const l = old ? names.locate([old], r + 1) : undefined;
    if (l) a.location = l;
    return;
  }
  const to = names.word("to", r + 1);
  const l = to >= 0 && a.new_name ? names.locate([a.new_name], to + 1) : undefined;
  if (l) a.location = l;
}

/** The dotted name of a DROP / COMMENT object as written (List of String, TypeName, ObjectWithArgs, String). */
function objectParts(o: PgNode): string[] {
  if (!o) return [];
  if (o.List) return names(o.List.items);
  if (o.String) return [o.String.sval ?? ""];
  if (o.TypeName) return names(o.TypeName.names);
  if (o.ObjectWithArgs) return names(o.ObjectWithArgs.objname);
  return [];
}

// ---- statements nested in function and DO bodies ----------------------------------------

const PLPGSQL_QUERY_KEYS: Record<string, string> = {
  PLpgSQL_stmt_execsql: "sqlstmt",
  PLpgSQL_stmt_perform: "expr",
  PLpgSQL_stmt_return_query: "query",
  PLpgSQL_stmt_fors: "query",
  PLpgSQL_stmt_forc: "query",
  PLpgSQL_stmt_open: "query",
};

/** Collects (query text, body line) of the SQL statements inside a PL/pgSQL tree, in order. */
function plpgsqlQueries(node: PgNode, out: { query: string; line: number; perform: boolean }[]): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const x = node[i];
      if (x !== null && typeof x === "object") plpgsqlQueries(x, out);
    }
    return;
  }
  for (const key in node) {
    const v = node[key];
    if (v === null || typeof v !== "object") continue;
    const qk = PLPGSQL_QUERY_KEYS[key];
    if (qk) {
      const q = v[qk]?.PLpgSQL_expr?.query;
      if (typeof q === "string") out.push({ query: q, line: v.lineno ?? 1, perform: key === "PLpgSQL_stmt_perform" });
    }
    // variables and expressions hold no statements: skip their (large) subtrees
    if (key === "datums" || key === "PLpgSQL_expr") continue;
    plpgsqlQueries(v, out);
  }
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * Parsed statements of a function or DO body, placed relative to the parent statement's
 * start: a plan depends only on the statement's text, so a body that repeats (the same
 * function re-created by later migrations) is parsed once per project and replayed.
 */
interface NestedUnit {
  text: string;
  bytes: ByteMap;
  /** offset (relative to the parent's start) that node offsets of `text` are shifted by */
  base: number;
  raws: { stmt: PgNode; stmt_location?: number; stmt_len?: number }[];
  /** the text is not verbatim in the body: the statements span this range (relative) instead */
  range?: [number, number];
}

/** Cache of body plans by statement text (per project, bounded). */
export type BodyCache = Map<string, NestedUnit[]>;
const BODY_CACHE_MAX = 512;

function withBodyCache(ctx: FileContext, key: string, plan: () => NestedUnit[]): NestedUnit[] {
  const cache = ctx.bodies;
  if (!cache) return plan();
  let units = cache.get(key);
  if (!units) {
    units = plan();
    // insertion order is age: drop the oldest plan when full
    if (cache.size >= BODY_CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, units);
  }
  return units;
}

function replayUnits(ctx: FileContext, units: NestedUnit[], start: number, nestedIn: Statement["nested_in"]): void {
  for (const u of units) {
    const src: Src = { text: u.text, bytes: u.bytes, base: start + u.base };
    if (u.range) for (const raw of u.raws) handleStmt(ctx, src, raw.stmt, start + u.range[0], start + u.range[1], nestedIn);
    else handleRawStmts(ctx, src, u.raws, nestedIn);
  }
}

function nestedPlpgsql(ctx: FileContext, start: number, end: number, nestedIn: "function" | "trigger" | "do", doBody: string | null): void {
  const stmtText = ctx.pre.slice(start, end);
  const units = withBodyCache(ctx, (doBody === null ? "F" : "D") + stmtText, () => planPlpgsql(stmtText, doBody, ctx.queries ?? new Map()));
  replayUnits(ctx, units, start, nestedIn);
}

/** The nested statements of a PL/pgSQL function (doBody null) or DO block, relative to the statement. */
function planPlpgsql(stmtText: string, doBody: string | null, cache: QueryCache): NestedUnit[] {
  let funcs: PgNode[] | null;
  let bodyText: string;
  let bodyOffset: number;
  if (doBody !== null) {
    const tag = "$warden_do$";
    funcs = doBody.includes(tag) ? null : parsePlpgsql(`CREATE FUNCTION warden_do() RETURNS void LANGUAGE plpgsql AS ${tag}${doBody}${tag}`);
    bodyText = doBody;
    bodyOffset = stmtText.indexOf(doBody);
  } else {
    funcs = parsePlpgsql(stmtText);
    // the dollar-quoted body: first $tag$ in the statement
    const m = DOLLAR_TAG.exec(stmtText);
    bodyOffset = m ? m.index + m[0].length : -1;
    const close = m ? stmtText.indexOf(m[0], bodyOffset) : -1;
    bodyText = m && close >= 0 ? stmtText.slice(bodyOffset, close) : "";
  }
  const units: NestedUnit[] = [];
  if (!funcs) return units;
  const queries: { query: string; line: number; perform: boolean }[] = [];
  plpgsqlQueries(funcs, queries);
  if (queries.length === 0) return units;
  // line starts of the body, to search each query from its reported line
  const lineStarts = [0];
  for (let i = bodyText.indexOf("\n"); i >= 0; i = bodyText.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  let cursor = 0;
  // queries found verbatim in the body are parsed in one batch; the others one by one
  const batch: { query: string; base: number }[] = [];
  for (const q of queries) {
    let text = q.query;
    // PERFORM's expression comes back as `SELECT expr`; the body says `PERFORM expr`
    let inBody = -1;
    if (bodyOffset >= 0) {
      const from = Math.max(cursor, lineStarts[Math.max(0, q.line - 1)] ?? 0);
      const probe = q.perform ? text.replace(/^\s*select\s+/i, "") : text;
      inBody = bodyText.indexOf(probe, from);
      if (inBody < 0) inBody = bodyText.indexOf(probe);
      if (inBody >= 0 && q.perform) {
        text = probe;
        cursor = inBody + probe.length;
      } else if (inBody >= 0) cursor = inBody + text.length;
    }
    const base = inBody >= 0 ? bodyOffset + inBody : 0;
    if (inBody >= 0 && !q.perform) {
      batch.push({ query: q.query, base });
      continue;
    }
    planBatch(batch, units, cache);
    const parsed = parseQuery(cache, q.query);
    if (!parsed) continue;
    // the text is not verbatim in the body: place the facts on the PERFORM (or the parent)
    const [, b] = trimRange(q.query, 0, q.query.length);
    const rangeEnd = inBody >= 0 ? base + text.length : stmtText.length;
    units.push({ text: parsed.text, bytes: parsed.bytes, base: base - parsed.off, raws: parsed.raws, range: [base, Math.min(rangeEnd, base + b)] });
  }
  planBatch(batch, units, cache);
  return units;
}

const BATCH_SEP = "\n;\n";

/** A parsed nested query: its statements, in the text it was parsed in (at UTF-16 offset `off`). */
interface ParsedQuery {
  text: string;
  bytes: ByteMap;
  off: number;
  raws: NestedUnit["raws"];
}

/**
 * Parsed nested queries by text, shared by the bodies of one project: different functions
 * often run the same statements (an audit insert, a notify). `null` when the query does not parse.
 */
export type QueryCache = Map<string, ParsedQuery | null>;
const QUERY_CACHE_MAX = 4096;

function remember(cache: QueryCache, query: string, parsed: ParsedQuery | null): void {
  if (cache.size >= QUERY_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(query, parsed);
}

/** The parse of one query, from the cache or the parser. */
function parseQuery(cache: QueryCache, query: string): ParsedQuery | null {
  const hit = cache.get(query);
  if (hit !== undefined) return hit;
  const r = parseSql(query);
  const parsed = r.ok ? { text: query, bytes: new ByteMap(query), off: 0, raws: r.stmts } : null;
  remember(cache, query, parsed);
  return parsed;
}

/** Parses the queued nested queries not parsed before, in one parser call; each keeps its own place. */
function planBatch(batch: { query: string; base: number }[], units: NestedUnit[], cache: QueryCache): void {
  if (batch.length === 0) return;
  const items = batch.splice(0);
  const misses = [...new Set(items.filter((it) => !cache.has(it.query)).map((it) => it.query))];
  if (misses.length > 1) parseMisses(misses, cache);
  for (const it of items) {
    const p = parseQuery(cache, it.query);
    // node offsets are offsets of p.text: shift the base so they land in this query's place
    if (p && p.raws.length) units.push({ text: p.text, bytes: p.bytes, base: it.base - p.off, raws: p.raws });
  }
}

/** Several queries in one parser call; when one of them does not parse, each is parsed alone later. */
function parseMisses(queries: string[], cache: QueryCache): void {
  const text = queries.join(BATCH_SEP);
  const parsed = parseSql(text);
  if (!parsed.ok) return;
  const bytes = new ByteMap(text);
  // UTF-16 and byte starts of each query in the batch text
  const u16: number[] = [];
  const b8: number[] = [];
  let u = 0;
  let b = 0;
  for (const q of queries) {
    u16.push(u);
    b8.push(b);
    u += q.length + BATCH_SEP.length;
    b += Buffer.byteLength(q, "utf8") + BATCH_SEP.length;
  }
  const raws: NestedUnit["raws"][] = queries.map(() => []);
  let k = 0;
  for (const raw of parsed.stmts) {
    const loc = raw.stmt_location ?? 0;
    while (k + 1 < queries.length && b8[k + 1]! <= loc) k++;
    raws[k]!.push(raw);
  }
  queries.forEach((q, i) => remember(cache, q, { text, bytes, off: u16[i]!, raws: raws[i]! }));
}

function nestedSqlBody(ctx: FileContext, src: Src, start: number, end: number, n: PgNode): void {
  // SQL-standard bodies (BEGIN ATOMIC) are already parsed; LANGUAGE sql string bodies are parsed here
  if (n.sql_body) {
    const list = n.sql_body.List?.items ?? [];
    for (const item of list) {
      for (const s of item?.List?.items ?? [item]) {
        if (!s || typeof s !== "object" || Object.keys(s).length === 0) continue;
        handleStmt(ctx, src, s, start, end, "function");
      }
    }
    return;
  }
  const as = (n.options ?? []).find((o: PgNode) => o.DefElem?.defname === "as");
  const body = as?.DefElem?.arg?.List?.items?.[0] ? sval(as.DefElem.arg.List.items[0]) : null;
  if (!body) return;
  const stmtText = ctx.pre.slice(start, end);
  const units = withBodyCache(ctx, "S" + stmtText, () => {
    const parsed = parseSql(body);
    if (!parsed.ok) return [];
    const off = stmtText.indexOf(body);
    const bytes = new ByteMap(body);
    return [off >= 0 ? { text: body, bytes, base: off, raws: parsed.stmts } : { text: body, bytes, base: 0, raws: parsed.stmts, range: [0, stmtText.length] }];
  });
  replayUnits(ctx, units, start, "function");
}
