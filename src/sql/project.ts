// Whole-repository extraction: orders migrations for catalog replay, classifies columns,
// renders dbt models, and builds one input document per file (in the caller's order).
import { LineIndex } from "../diagnostics/span.js";
import type { CatalogTable, Column, FileType, InputDocument, Note, Statement } from "./facts.js";
import { preprocess, OffsetMap } from "./preprocess.js";
import { Catalog, relKey, type CatalogColumn } from "./catalog.js";
import { extractText, type BodyCache, type FileContext, type Positions, type QueryCache } from "./extract.js";
import { makeClasses, makeClassifier, type Classes } from "./classify.js";
import { DIALECT_NAMES, guessDialect } from "./dialect.js";
import { DbtProject, type DbtRender } from "./dbt.js";
import { DEFAULT_MASKING, migrationOrder } from "./files.js";

export { compareMigrations, DEFAULT_MASKING, fileTypeOf, migrationOrder } from "./files.js";

export interface ExtractOptions {
  rootDir: string;
  /** masking functions (`anon.*` matches a schema); default md5, sha2 family, digest, hmac, crypt, anon.* */
  maskingFunctions?: string[];
  /** classification → `[schema.]table.column` glob patterns */
  classifications?: Record<string, string[]>;
  /** `:VAR` placeholder substitutions */
  placeholders?: Record<string, string>;
  pgVersion?: number;
  /**
   * Called once per file as soon as its document is final (in extraction order: migrations
   * in version order, then dbt models, then the rest), so a caller can start on it early.
   */
  onDocument?: (index: number, doc: InputDocument) => void;
  /**
   * Resume a replay: start from `catalog` (a `Catalog#snapshot()` taken after the first `skip`
   * migrations in replay order) and leave those migrations out (no documents for them).
   */
  resume?: { catalog: Uint8Array; skip: number };
  /**
   * Called once the migrations are replayed, before dbt models and other files change the
   * catalog: `snapshot()` gives the catalog at that point (see `resume`).
   */
  onMigrationsDone?: (snapshot: () => Uint8Array) => void;
}

export interface ProjectFile {
  path: string;
  absPath?: string;
  text: string;
  type: FileType;
}

/**
 * Line index of a file. Text without CR uses a native-search index with LineIndex's
 * semantics (columns in UTF-16 units); text with CR uses LineIndex itself (lone CR breaks lines).
 */
function positionsOf(text: string): Positions {
  if (text.indexOf("\r") >= 0) return new LineIndex(text);
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return {
    position(offset: number) {
      const o = Math.max(0, Math.min(offset, text.length));
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= o) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, column: o - starts[lo]! + 1 };
    },
  };
}

// ---- one file ---------------------------------------------------------------------------

interface Shared {
  catalog: Catalog;
  classes: Classes;
  masking: Set<string>;
  opts: ExtractOptions;
  notes: Note[];
  /** function and DO bodies parsed so far in this project, by statement text */
  bodies: BodyCache;
  queries: QueryCache;
}

function snapshotColumns(cols: Iterable<CatalogColumn>): Column[] {
  const out: Column[] = [];
  for (const c of cols) {
    // columns rarely change between files: reuse the excerpt object until they do
    let col = c.snapshot;
    if (!col || col.name !== c.name || (col.classifications?.length ?? 0) !== c.classifications.size) {
      col = c.def ? { ...c.def, name: c.name } : { name: c.name };
      delete col.location;
      if (c.classifications.size) col.classifications = [...c.classifications].sort();
      c.snapshot = col;
    }
    out.push(col);
  }
  return out;
}

function extractFile(file: ProjectFile, sh: Shared, context: "ci" | "runtime", render?: DbtRender): InputDocument {
  const original = file.text;
  const pre = render ? { text: render.sql, map: new OffsetMap(), notes: [] } : preprocess(original, { placeholders: sh.opts.placeholders });
  const lines = positionsOf(original);
  const cat = sh.catalog;
  cat.beginFile();
  // a Map, not an object: a relation key is a fresh concatenated string, and an object
  // property lookup would internalise it on every touch
  const excerpt = new Map<string, CatalogTable>();
  const ctx: FileContext = {
    path: file.path,
    original,
    lines,
    pre: pre.text,
    map: pre.map,
    catalog: cat,
    classify: sh.classes.classify,
    declared: sh.classes.declared,
    approved: sh.classes.approved,
    masking: sh.masking,
    bodies: sh.bodies,
    queries: sh.queries,
    statements: [],
    inTransaction: false,
    createdHere: new Set(),
    before: (schema, name) => cat.existedBefore(relKey(schema, name)),
    touch: (key) => {
      // the first touch comes before any change this file makes to the relation
      if (excerpt.has(key) || cat.existedBefore(key) !== true) return;
      const rel = cat.relations.get(key);
      if (rel && rel.columnsKnown) excerpt.set(key, { columns: snapshotColumns(rel.columns.values()) });
    },
  };
  if (render) ctx.lineMap = render.locate;
  for (const n of pre.notes) {
    const p = lines.position(n.offset);
    sh.notes.push({ file: file.path, line: p.line, column: p.column, message: n.message, kind: n.kind });
  }
  extractText(ctx);
  nameDialects(ctx.statements, file, sh.notes);
  const doc: InputDocument = { context, file: { path: file.path, type: file.type }, statements: ctx.statements };
  if (excerpt.size) doc.catalog = { tables: Object.fromEntries(excerpt) };
  return doc;
}

/** An `unparsed` statement in a warehouse dialect says so (error.dialect, message, a note). */
function nameDialects(statements: Statement[], file: ProjectFile, notes: Note[]): void {
  for (const st of statements) {
    if (st.kind !== "unparsed" || !st.error) continue;
    const macro = /warden_macro_(\w+)/.exec(st.error.message);
    if (macro) {
      st.error.message = `cannot check this SQL: it comes from the dbt macro \`${macro[1]}\`, which is not available (${st.error.message})`;
      continue;
    }
    const d = guessDialect(st.text, file.path);
    if (!d) continue;
    st.error.dialect = d;
    st.error.message = `${st.error.message} (this looks like ${DIALECT_NAMES[d] ?? d}, which the PostgreSQL grammar cannot read)`;
    notes.push({ file: file.path, line: st.location.line, column: st.location.column, message: `statement looks like ${DIALECT_NAMES[d] ?? d} SQL; it is reported as unparsed`, kind: "dialect" });
  }
}

// ---- project ----------------------------------------------------------------------------

export function extractProject(files: ProjectFile[], opts: ExtractOptions): { documents: InputDocument[]; notes: Note[]; resumedAfter: number } {
  // a saved catalog that cannot be read means a replay from the start, never a failure
  let resumeFrom: Catalog | undefined;
  if (opts.resume) {
    try {
      resumeFrom = Catalog.restore(opts.resume.catalog);
    } catch {
      resumeFrom = undefined;
    }
  }
  const sh: Shared = {
    catalog: resumeFrom ? resumeFrom : new Catalog(),
    classes: makeClasses(opts.classifications),
    masking: new Set(opts.maskingFunctions ?? DEFAULT_MASKING),
    opts,
    notes: [],
    bodies: new Map(),
    queries: new Map(),
  };
  const documents: InputDocument[] = new Array(files.length);
  const idx = files.map((_, i) => i);
  // migrations first, in version order, so the catalog knows what exists before each file
  const migrations = migrationOrder(files).slice(resumeFrom ? opts.resume!.skip : 0);
  const plain = idx.filter((i) => files[i]!.type === "sql" || files[i]!.type === "retraining");
  const models = idx.filter((i) => files[i]!.type === "dbt_model");
  const done = (i: number, doc: InputDocument) => {
    documents[i] = doc;
    opts.onDocument?.(i, doc);
  };
  for (const i of migrations) done(i, safeExtract(files[i]!, sh));
  opts.onMigrationsDone?.(() => sh.catalog.snapshot());
  if (models.length) {
    const dbt = new DbtProject(opts.rootDir, models.map((i) => files[i]!), sh.catalog, sh.notes);
    // upstream models first, so taint follows the DAG
    for (const i of dbt.order(models.map((i) => files[i]!.path)).map((k) => models[k]!)) {
      const f = files[i]!;
      const r = dbt.render(f);
      const doc = r.render ? safeExtract(f, sh, r.render) : unparsedDoc(f, r.error ?? "could not render the model");
      if (r.info) doc.dbt = r.info;
      dbt.afterModel(f, doc, sh.classes);
      done(i, doc);
    }
  }
  for (const i of plain) done(i, safeExtract(files[i]!, sh));
  return { documents, notes: sh.notes, resumedAfter: resumeFrom ? opts.resume!.skip : 0 };
}

function unparsedDoc(file: ProjectFile, message: string): InputDocument {
  return {
    context: "ci",
    file: { path: file.path, type: file.type },
    statements: [{ index: 0, kind: "unparsed", text: "", location: { line: 1, column: 1 }, targets: [], reads: [], writes: [], relations: [], functions: [], error: { message, line: 1, column: 1 } }],
  };
}

/** Extraction never throws past this point: an internal failure becomes one `unparsed` fact. */
function safeExtract(file: ProjectFile, sh: Shared, render?: DbtRender): InputDocument {
  try {
    return extractFile(file, sh, "ci", render);
  } catch (err) {
    return unparsedDoc(file, `internal error while extracting facts: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface StatementOptions {
  maskingFunctions?: string[];
  classifications?: Record<string, string[]>;
  placeholders?: Record<string, string>;
  /** a catalog to resolve `*` and unqualified columns against, e.g. from extractProject */
  tables?: Record<string, { columns: (string | Column)[] }>;
}

/** Facts of one query (runtime enforcers, `warden test`): no file, context runtime. */
export function extractStatementFacts(sql: string, opts: StatementOptions = {}): Statement[] {
  const catalog = new Catalog();
  for (const [key, t] of Object.entries(opts.tables ?? {})) {
    const dot = key.indexOf(".");
    const schema = dot > 0 ? key.slice(0, dot) : null;
    const name = dot > 0 ? key.slice(dot + 1) : key;
    catalog.create(schema, name, "table", "", t.columns.map((c) => (typeof c === "string" ? { name: c } : c)));
  }
  const sh: Shared = {
    catalog,
    classes: makeClasses(opts.classifications),
    masking: new Set(opts.maskingFunctions ?? DEFAULT_MASKING),
    opts: { rootDir: ".", placeholders: opts.placeholders },
    notes: [],
    bodies: new Map(),
    queries: new Map(),
  };
  const doc = extractFile({ path: "", text: sql, type: "sql" }, sh, "runtime");
  return doc.statements;
}

export type { Note };
export { makeClassifier };
