// Whole-repository extraction: orders migrations for catalog replay, classifies columns,
// renders dbt models, and builds one input document per file (in the caller's order).
import path from "node:path";
import { LineIndex } from "../diagnostics/span.js";
import type { CatalogTable, Column, FileType, InputDocument, Note, Statement } from "./facts.js";
import { preprocess, OffsetMap } from "./preprocess.js";
import { Catalog, relKey, type CatalogColumn } from "./catalog.js";
import { extractText, type BodyCache, type FileContext, type Positions, type QueryCache } from "./extract.js";
import { makeClasses, makeClassifier, type Classes } from "./classify.js";
import { DIALECT_NAMES, guessDialect } from "./dialect.js";
import { DbtProject, dbtProjectDirs, type DbtRender } from "./dbt.js";
import { DEFAULT_MASKING, isDownMigration, migrationSets } from "./files.js";

export { compareMigrations, DEFAULT_MASKING, fileTypeOf, isDownMigration, migrationOrder, migrationSet, migrationSets } from "./files.js";

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
   * Resume replays, by migration set: start the set from `catalog` (a `Catalog#snapshot()`
   * taken after its first `skip` migrations in replay order) and leave those migrations out
   * (no documents for them).
   */
  resume?: Map<string, { catalog: Uint8Array; skip: number }>;
  /**
   * Called once a migration set is replayed (`last`: the index of its last migration), before
   * dbt models and other files change its catalog: `snapshot()` gives the catalog at that
   * point (see `resume`).
   */
  onSetDone?: (set: string, last: number, snapshot: () => Uint8Array) => void;
}

export interface ProjectFile {
  path: string;
  absPath?: string;
  text: string;
  type: FileType;
  /** a migration's set (see `migrationSet`): each set replays into a catalog of its own */
  set?: string;
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

/** Leading path segments that `a` and `b` (absolute directories) have in common. */
function commonDepth(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** The directory all `dirs` are in. */
function commonDir(dirs: string[]): string[] {
  let out = dirs[0]!.split(path.sep);
  for (const d of dirs.slice(1)) out = out.slice(0, commonDepth(out, d.split(path.sep)));
  return out;
}

export function extractProject(files: ProjectFile[], opts: ExtractOptions): { documents: InputDocument[]; notes: Note[]; resumedAfter: number } {
  const base = {
    classes: makeClasses(opts.classifications),
    masking: new Set(opts.maskingFunctions ?? DEFAULT_MASKING),
    opts,
    notes: [] as Note[],
    bodies: new Map() as BodyCache,
    queries: new Map() as QueryCache,
  };
  const documents: InputDocument[] = new Array(files.length);
  const done = (i: number, doc: InputDocument) => {
    documents[i] = doc;
    opts.onDocument?.(i, doc);
  };
  const absOf = (f: ProjectFile) => f.absPath ?? path.resolve(opts.rootDir, f.path);

  // 1. migrations first, set by set, each in version order into its own catalog, so that
  // each file sees what exists before it
  const sets = migrationSets(files);
  const catalogs: Catalog[] = [];
  let resumedAfter = 0;
  for (const [set, idx] of sets) {
    const r = opts.resume?.get(set);
    // a saved catalog that cannot be read means a replay from the start, never a failure
    let catalog: Catalog | undefined;
    if (r) {
      try {
        catalog = Catalog.restore(r.catalog);
        resumedAfter += r.skip;
      } catch {
        catalog = undefined;
      }
    }
    const sh: Shared = { ...base, catalog: catalog ?? new Catalog() };
    for (const i of idx.slice(catalog ? r!.skip : 0)) {
      const f = files[i]!;
      // a down migration undoes the up ones: replayed, it would drop what later files read
      done(i, isDownMigration(f.path) ? skippedDoc(f, sh.notes, "skipped down migration: only up migrations are checked") : safeExtract(f, sh));
    }
    catalogs.push(sh.catalog);
    opts.onSetDone?.(set, idx[idx.length - 1]!, () => sh.catalog.snapshot());
  }

  // 2. the other files, against the catalog of the migration set nearest to them (sharing
  // the longest folder path; all equally near ones merged), each group in its own catalog
  const setDirs = [...sets].map(([set, idx]) => (set ? set.split(path.sep) : commonDir(idx.map((i) => path.dirname(absOf(files[i]!))))));
  const nearest = (dir: string[]): number[] => {
    if (setDirs.length <= 1) return setDirs.map((_, k) => k);
    const depth = setDirs.map((d) => commonDepth(d, dir));
    const best = Math.max(...depth);
    return depth.flatMap((d, k) => (d === best ? [k] : []));
  };
  const models = files.flatMap((f, i) => (f.type === "dbt_model" ? [i] : []));
  const plain = files.flatMap((f, i) => (f.type === "sql" || f.type === "retraining" ? [i] : []));
  // a dbt project's models stay together (refs between them), placed by the project's folder
  const groups = new Map<string, { sets: number[]; models: number[]; plain: number[] }>();
  const groupOf = (near: number[]) => {
    const key = near.join(",");
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { sets: near, models: [], plain: [] }));
    return g;
  };
  const projectDir = dbtProjectDirs(opts.rootDir);
  const byProject = new Map<string, number[]>();
  for (const i of models) {
    const dir = projectDir(files[i]!.path);
    const list = byProject.get(dir);
    if (list) list.push(i);
    else byProject.set(dir, [i]);
  }
  for (const [dir, idx] of byProject) groupOf(nearest(path.resolve(opts.rootDir, dir).split(path.sep))).models.push(...idx);
  for (const i of plain) groupOf(nearest(path.dirname(absOf(files[i]!)).split(path.sep))).plain.push(i);
  // merged catalogs are copies taken before any group changes a set's catalog
  const groupCatalogs = [...groups.values()].map((g) => (g.sets.length === 0 ? new Catalog() : g.sets.length === 1 ? catalogs[g.sets[0]!]! : Catalog.merge(g.sets.map((k) => catalogs[k]!))));
  [...groups.values()].forEach((g, n) => {
    const sh: Shared = { ...base, catalog: groupCatalogs[n]! };
    if (g.models.length) {
      const dbt = new DbtProject(opts.rootDir, g.models.map((i) => files[i]!), sh.catalog, sh.notes, projectDir);
      // upstream models first, so taint follows the DAG
      for (const i of dbt.order(g.models.map((i) => files[i]!)).map((k) => g.models[k]!)) {
        const f = files[i]!;
        const r = dbt.render(f);
        if (r.disabled) {
          // dbt never builds it, so it adds no relation to the catalog either
          const doc = skippedDoc(f, sh.notes, "disabled in dbt (config enabled=false); not checked");
          doc.dbt = r.info;
          done(i, doc);
          continue;
        }
        const doc = r.render ? safeExtract(f, sh, r.render) : unparsedDoc(f, r.error?.message ?? "could not render the model", r.error);
        if (r.info) doc.dbt = r.info;
        dbt.afterModel(f, doc, sh.classes);
        done(i, doc);
      }
    }
    for (const i of g.plain) done(i, safeExtract(files[i]!, sh));
  });
  return { documents, notes: base.notes, resumedAfter };
}

/** A file that is not checked: no statements, and a `skipped` note saying why. */
function skippedDoc(file: ProjectFile, notes: Note[], message: string): InputDocument {
  notes.push({ file: file.path, message, kind: "skipped" });
  return { context: "ci", file: { path: file.path, type: file.type }, statements: [] };
}

/** A file that yields no statements: one `unparsed` fact at `at` (the renderer's position), else 1:1. */
function unparsedDoc(file: ProjectFile, message: string, at: { line: number; column: number } = { line: 1, column: 1 }): InputDocument {
  const { line, column } = at;
  return {
    context: "ci",
    file: { path: file.path, type: file.type },
    statements: [{ index: 0, kind: "unparsed", text: "", location: { line, column }, targets: [], reads: [], writes: [], relations: [], functions: [], error: { message, line, column } }],
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
