// Column-level reads and writes: resolves every column a statement touches to the source
// table columns it comes from, through aliases, CTEs, joins, subqueries and `*`, noting
// masking functions, how each column is used (`via`) and its classifications (catalog, taint).
import type { ColumnRead, ColumnWrite, ObjectRef, Statement, Via } from "./facts.js";
import type { PgNode } from "./parser.js";
import type { ByteMap } from "./parser.js";
import { names, rangeVar, sval, type QName } from "./ast.js";
import { relKey, type CatalogRelation } from "./catalog.js";
import type { FileContext } from "./extract.js";
import { nodeLocation } from "./extract.js";

/** Classifications of `[schema.]table.column` from configured patterns (schema null = public). */
export type Classifier = (schema: string | null, table: string, column: string) => string[];

export interface ResolveMode {
  kind: "select" | "dml" | "copy" | "create_as";
  target?: QName;
  columnNames?: string[];
  relKind?: string;
}

interface Src {
  text: string;
  bytes: ByteMap;
  base: number;
}

/** One source column feeding an expression. */
interface Source {
  schema: string | null;
  table: string | null;
  column: string;
  masked: string | null;
  star: boolean;
  classifications: string[];
}

interface OutCol {
  name: string;
  sources: Source[];
  loc?: number;
}

interface ScopeRel {
  alias: string;
  schema: string | null;
  table: string | null;
  /** a base table's catalog entry: its columns and classifications, read when needed */
  base: CatalogRelation | null;
  complete: boolean;
  outputs: Map<string, OutCol> | null;
  /** column order; null for a base table until `*` needs it (then its catalog order) */
  order: string[] | null;
}

interface Scope {
  rels: ScopeRel[];
  parent: Scope | null;
  ctes: Map<string, OutCol[]>;
}

export function resolveStatement(ctx: FileContext, src: Src, st: Statement, node: PgNode, mode: ResolveMode): void {
  new Resolver(ctx, src, st).run(node, mode);
}

class Resolver {
  private readonly reads = new Map<string, ColumnRead>();
  private readonly relations = new Map<string, ObjectRef>();

  constructor(
    private readonly ctx: FileContext,
    private readonly src: Src,
    private readonly st: Statement,
  ) {}

  run(node: PgNode, mode: ResolveMode): void {
    const type = Object.keys(node ?? {})[0] ?? "";
    const n = node?.[type] ?? {};
    const root: Scope = { rels: [], parent: null, ctes: new Map() };
    if (mode.kind === "select" || mode.kind === "create_as") {
      const outs = type === "SelectStmt" ? this.select(n, root) : [];
      const produced: { name: string; sources: Source[]; loc?: number }[] = [];
      outs.forEach((o, i) => {
        for (const s of o.sources) this.read(s, "select", o.name, o.loc);
        produced.push({ name: mode.columnNames?.[i] ?? o.name, sources: o.sources, loc: o.loc });
      });
      if (mode.kind === "create_as" && mode.target) this.createAs(mode.target, mode.relKind ?? "table", produced);
    } else if (mode.kind === "dml") {
      this.dml(type, n, root);
    } else if (mode.kind === "copy") {
      this.copy(n, root);
    }
    this.st.reads.push(...this.reads.values());
    for (const r of this.relations.values()) if (!this.st.relations.some((x) => x.schema === r.schema && x.name === r.name)) this.st.relations.push(r);
  }

  // ---- reads ------------------------------------------------------------------------------

  private read(s: Source, via: Via, output: string | null, loc?: number): void {
    const key = `${s.schema}\u0000${s.table}\u0000${s.column}\u0000${output}\u0000${s.masked}\u0000${via === "select" || via === "returning" || via === "copy" ? via : ""}`;
    const existing = this.reads.get(key);
    if (existing) {
      if (!existing.via.includes(via)) existing.via.push(via);
      return;
    }
    const r: ColumnRead = {
      schema: s.schema,
      table: s.table,
      column: s.column,
      output,
      masked: s.masked !== null,
      masking_function: s.masked,
      via: [via],
    };
    if (s.star) r.star = true;
    const cls = this.classes(s);
    if (cls.length) r.classifications = cls;
    const l = nodeLocation(this.ctx, this.src, loc);
    if (l) r.location = l;
    this.reads.set(key, r);
  }

  private classes(s: Source): string[] {
    if (s.table === null) return s.classifications;
    const fromPatterns = this.ctx.classify(s.schema, s.table, s.column);
    if (fromPatterns.length === 0) return s.classifications;
    return [...new Set([...s.classifications, ...fromPatterns])].sort();
  }

  // ---- scopes -----------------------------------------------------------------------------

  private baseRel(rv: PgNode, scope: Scope, register = true): ScopeRel {
    const q = rangeVar(rv);
    const alias = rv.alias?.aliasname ?? q.name;
    if (!q.schema) {
      for (let s: Scope | null = scope; s; s = s.parent) {
        const cte = s.ctes.get(q.name);
        if (cte) return derivedRel(alias, cte, names(rv.alias?.colnames));
      }
    }
    const key = relKey(q.schema, q.name);
    this.ctx.touch(key);
    if (register && !this.relations.has(key)) {
      const ref: ObjectRef = { schema: q.schema, name: q.name, kind: "table" };
      const l = nodeLocation(this.ctx, this.src, rv.location);
      if (l) ref.location = l;
      this.relations.set(key, ref);
    }
    const rel = this.ctx.catalog.relations.get(key) ?? null;
    const scoped: ScopeRel = { alias, schema: q.schema, table: q.name, base: rel, complete: !!rel && rel.columnsKnown, outputs: null, order: null };
    const aliasCols = rv.alias?.colnames ? names(rv.alias.colnames) : [];
    if (aliasCols.length && rel && rel.columns.size) {
      // `FROM t AS x(a, b)` renames the first columns positionally
      const outputs = new Map<string, OutCol>();
      const renamed: string[] = [];
      orderOf(scoped).forEach((c, i) => {
        const name = aliasCols[i] ?? c;
        renamed.push(name);
        outputs.set(name, { name, sources: [{ schema: q.schema, table: q.name, column: c, masked: null, star: false, classifications: clsOf(scoped, c) }] });
      });
      return { alias, schema: null, table: null, base: null, complete: true, outputs, order: renamed };
    }
    return scoped;
  }

  private fromItem(item: PgNode, scope: Scope): void {
    if (item.RangeVar) scope.rels.push(this.baseRel(item.RangeVar, scope));
    else if (item.RangeSubselect) {
      const rs = item.RangeSubselect;
      // LATERAL subqueries see the relations before them
      const inner: Scope = rs.lateral ? { rels: [...scope.rels], parent: scope.parent, ctes: scope.ctes } : { rels: [], parent: scope.parent, ctes: scope.ctes };
      const outs = this.query(rs.subquery, inner);
      scope.rels.push(derivedRel(rs.alias?.aliasname ?? "", outs, names(rs.alias?.colnames)));
    } else if (item.JoinExpr) {
      const j = item.JoinExpr;
      this.fromItem(j.larg, scope);
      this.fromItem(j.rarg, scope);
      if (j.quals) this.expr(j.quals, scope, null, (s, loc) => this.read(s, "join", null, loc));
      for (const u of names(j.usingClause)) {
        for (const rel of scope.rels.slice(-2)) for (const s of this.colOf(rel, u)) this.read(s, "join", null, j.location);
      }
      if (j.alias?.aliasname) {
        // a named join hides its inputs behind one alias: merge them
        const outputs = new Map<string, OutCol>();
        for (const rel of scope.rels) for (const c of relColumns(rel)) if (!outputs.has(c)) outputs.set(c, { name: c, sources: this.colOf(rel, c) });
        scope.rels.push({ alias: j.alias.aliasname, schema: null, table: null, base: null, complete: true, outputs, order: [...outputs.keys()] });
      }
    } else if (item.RangeFunction) {
      const rf = item.RangeFunction;
      const inner: Scope = { rels: [...scope.rels], parent: scope.parent, ctes: scope.ctes };
      for (const f of rf.functions ?? []) this.expr(f, inner, null, (s, loc) => this.read(s, "select", null, loc));
      const colnames = names(rf.alias?.colnames);
      const fname = names(rf.functions?.[0]?.List?.items?.[0]?.FuncCall?.funcname).pop() ?? "";
      const outputs = new Map<string, OutCol>();
      for (const c of colnames.length ? colnames : [rf.alias?.aliasname ?? fname]) outputs.set(c, { name: c, sources: [] });
      scope.rels.push({ alias: rf.alias?.aliasname ?? fname, schema: null, table: null, base: null, complete: colnames.length > 0, outputs, order: [...outputs.keys()] });
    } else if (item.RangeTableFunc || item.RangeTableSample) {
      const inner = item.RangeTableSample?.relation;
      if (inner) this.fromItem(inner, scope);
    }
  }

  /** Sources of column `col` of one relation in scope. */
  private colOf(rel: ScopeRel, col: string): Source[] {
    if (rel.outputs) {
      const out = rel.outputs.get(col);
      // named, so not a `*` read here even when the derived relation got it from a `*`
      if (out) return out.sources.map((s) => ({ ...s, star: false }));
      if (!rel.complete) return this.throughStar(rel, col);
      return [];
    }
    return [{ schema: rel.schema, table: rel.table, column: col, masked: null, star: false, classifications: clsOf(rel, col) }];
  }

  /**
   * A named column of a derived relation whose `*` could not be expanded (a CTE or subquery
   * over a table of unknown columns): the unexpanded `*` passes the column through, so it
   * resolves to that column of the underlying table. Several unknown tables behind the `*`
   * make it ambiguous (table null), as for an unqualified column over them.
   */
  private throughStar(rel: ScopeRel, col: string): Source[] {
    const stars = rel.outputs?.get("*")?.sources.filter((s) => s.column === "*") ?? [];
    if (stars.length === 0) return [];
    const tables = new Set(stars.map((s) => `${s.schema}\u0000${s.table}`));
    if (tables.size > 1 || stars[0]!.table === null) return [{ schema: null, table: null, column: col, masked: null, star: false, classifications: [] }];
    const s = stars[0]!;
    // a partly known table (dbt source without every column in YAML) still knows its tagged columns
    const known = this.ctx.catalog.get(s.schema, s.table!)?.columns.get(col);
    const masked = stars.find((x) => x.masked)?.masked ?? null;
    return [{ schema: s.schema, table: s.table, column: col, masked, star: false, classifications: known ? [...known.classifications].sort() : [] }];
  }

  private hasCol(rel: ScopeRel, col: string): boolean | null {
    if (rel.outputs) return rel.outputs.has(col) ? true : rel.complete ? false : null;
    if (rel.base?.columns.has(col)) return true;
    return rel.complete ? false : null;
  }

  /** Resolves a ColumnRef; null when it names nothing in scope (a variable, NEW/OLD, a parameter). */
  private columnRef(fields: string[], scope: Scope): { sources: Source[]; star: boolean } | null {
    const last = fields[fields.length - 1]!;
    if (last === "*") {
      const qual = fields.slice(0, -1);
      const rels = qual.length ? this.findRel(qual, scope) : scope.rels;
      if (!rels || rels.length === 0) return null;
      const sources: Source[] = [];
      for (const rel of rels) sources.push(...this.starOf(rel));
      return { sources, star: true };
    }
    if (fields.length >= 2) {
      const rels = this.findRel(fields.slice(0, -1), scope);
      if (!rels || rels.length === 0) return null;
      return { sources: this.colOf(rels[0]!, last), star: false };
    }
    for (let s: Scope | null = scope; s; s = s.parent) {
      const known = s.rels.filter((r) => this.hasCol(r, last) === true);
      if (known.length >= 1) return { sources: this.colOf(known[0]!, last), star: false };
    }
    for (let s: Scope | null = scope; s; s = s.parent) {
      const unknown = s.rels.filter((r) => this.hasCol(r, last) === null);
      if (unknown.length === 1) return { sources: this.colOf(unknown[0]!, last), star: false };
      if (unknown.length > 1) return { sources: [{ schema: null, table: null, column: last, masked: null, star: false, classifications: [] }], star: false };
    }
    return null;
  }

  private findRel(qual: string[], scope: Scope): ScopeRel[] | null {
    const name = qual[qual.length - 1]!;
    const schema = qual.length > 1 ? qual[qual.length - 2]! : null;
    for (let s: Scope | null = scope; s; s = s.parent) {
      const hit = s.rels.filter((r) => r.alias === name && (schema === null || r.schema === schema));
      if (hit.length) return hit;
    }
    return null;
  }

  private starOf(rel: ScopeRel): Source[] {
    if (rel.outputs) {
      const out: Source[] = [];
      // through a CTE or subquery a column stays a star read only if it got there through `*`
      // too: one the derived relation names explicitly cannot bring in columns added later
      for (const c of orderOf(rel)) for (const s of rel.outputs.get(c)?.sources ?? []) out.push(s);
      return out;
    }
    const order = orderOf(rel);
    if (rel.complete && order.length) return order.map((c) => ({ schema: rel.schema, table: rel.table, column: c, masked: null, star: true, classifications: clsOf(rel, c) }));
    return [{ schema: rel.schema, table: rel.table, column: "*", masked: null, star: true, classifications: [] }];
  }

  /** Output columns of `*`: one per known column, or one unknown `*`. */
  private starOutputs(fields: string[], scope: Scope): OutCol[] {
    const qual = fields.slice(0, -1);
    const rels = qual.length ? this.findRel(qual, scope) : scope.rels;
    const outs: OutCol[] = [];
    for (const rel of rels ?? []) {
      if (rel.outputs) {
        for (const c of orderOf(rel)) outs.push({ name: c, sources: rel.outputs.get(c)?.sources ?? [] });
      } else if (rel.complete && orderOf(rel).length) {
        for (const c of orderOf(rel)) outs.push({ name: c, sources: [{ schema: rel.schema, table: rel.table, column: c, masked: null, star: true, classifications: clsOf(rel, c) }] });
      } else outs.push({ name: "*", sources: [{ schema: rel.schema, table: rel.table, column: "*", masked: null, star: true, classifications: [] }] });
    }
    return outs;
  }

  // ---- expressions ------------------------------------------------------------------------

  /**
   * Walks an expression; `sink` receives every source column with its masking. Subqueries in
   * the expression are analysed: their outputs feed the sink, their own clauses emit reads.
   */
  private expr(node: PgNode, scope: Scope, masked: string | null, sink: (s: Source, loc?: number) => void): void {
    if (node == null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const x of node) this.expr(x, scope, masked, sink);
      return;
    }
    for (const key in node) {
      const v = node[key];
      if (key === "ColumnRef") {
        const r = this.columnRef(names(v.fields), scope);
        if (r) for (const s of r.sources) sink(masked && !s.masked ? { ...s, masked } : s, v.location);
        continue;
      }
      if (key === "FuncCall") {
        const fname = names(v.funcname).join(".");
        const m = masked ?? (this.isMasking(fname) ? fname : null);
        this.expr(v.args, scope, m, sink);
        this.expr(v.agg_filter, scope, masked, sink);
        this.expr(v.agg_order, scope, masked, sink);
        this.expr(v.over, scope, masked, sink);
        continue;
      }
      if (key === "SubLink") {
        this.expr(v.testexpr, scope, masked, sink);
        const inner: Scope = { rels: [], parent: scope, ctes: scope.ctes };
        const outs = this.query(v.subselect, inner);
        for (const o of outs) for (const s of o.sources) sink(masked && !s.masked ? { ...s, masked } : s, o.loc);
        continue;
      }
      if (key === "TypeName" || key === "typeName") continue;
      if (v !== null && typeof v === "object") this.expr(v, scope, masked, sink);
    }
  }

  private isMasking(fname: string): boolean {
    const m = this.ctx.masking;
    if (m.has(fname)) return true;
    const short = fname.slice(fname.lastIndexOf(".") + 1);
    if (m.has(short)) return true;
    if (fname.startsWith("anon.") && m.has("anon.*")) return true;
    return false;
  }

  private clause(node: PgNode, scope: Scope, via: Via): void {
    if (node) this.expr(node, scope, null, (s, loc) => this.read(s, via, null, loc));
  }

  // ---- queries ----------------------------------------------------------------------------

  /** Any query node (SELECT, or DML with RETURNING inside a CTE/subquery) → its output columns. */
  private query(node: PgNode, scope: Scope): OutCol[] {
    if (!node) return [];
    if (node.SelectStmt) return this.select(node.SelectStmt, scope);
    const type = Object.keys(node)[0] ?? "";
    if (type === "InsertStmt" || type === "UpdateStmt" || type === "DeleteStmt" || type === "MergeStmt") {
      return this.dml(type, node[type], { rels: [], parent: scope.parent, ctes: scope.ctes }, false);
    }
    return [];
  }

  private withClause(w: PgNode, scope: Scope): void {
    if (!w) return;
    scope.ctes = new Map(scope.ctes);
    for (const c of w.ctes ?? []) {
      const cte = c.CommonTableExpr;
      if (!cte) continue;
      let outs: OutCol[];
      if (w.recursive) {
        // a recursive CTE refers to itself: seed it with its non-recursive branch first
        const sel = cte.ctequery?.SelectStmt;
        const seed = sel && sel.op !== "SETOP_NONE" && sel.larg ? this.select(sel.larg, { rels: [], parent: scope, ctes: scope.ctes }) : [];
        scope.ctes.set(cte.ctename, renameOuts(seed, names(cte.aliascolnames)));
      }
      outs = this.query(cte.ctequery, { rels: [], parent: scope, ctes: scope.ctes });
      scope.ctes.set(cte.ctename, renameOuts(outs, names(cte.aliascolnames)));
    }
  }

  private select(sel: PgNode, outer: Scope): OutCol[] {
    const scope: Scope = { rels: [], parent: outer.parent ?? (outer.rels.length ? outer : null), ctes: outer.ctes };
    // a scope handed in with relations (LATERAL) keeps them visible
    if (outer.rels.length) scope.rels.push(...outer.rels);
    const lateralCount = scope.rels.length;
    this.withClause(sel.withClause, scope);
    if (sel.op && sel.op !== "SETOP_NONE") {
      const l = this.select(sel.larg ?? {}, { rels: [], parent: scope.parent, ctes: scope.ctes });
      const r = this.select(sel.rarg ?? {}, { rels: [], parent: scope.parent, ctes: scope.ctes });
      const outs = l.map((o, i) => ({ name: o.name, loc: o.loc, sources: [...o.sources, ...(r[i]?.sources ?? [])] }));
      this.orderBy(sel.sortClause, { rels: [], parent: null, ctes: scope.ctes }, outs);
      return outs;
    }
    if (sel.valuesLists) {
      const outs: OutCol[] = [];
      for (const row of sel.valuesLists) {
        const items = row.List?.items ?? [];
        items.forEach((e: PgNode, i: number) => {
          const o = (outs[i] ??= { name: `column${i + 1}`, sources: [] });
          this.expr(e, scope, null, (s) => o.sources.push(s));
        });
      }
      return outs;
    }
    for (const item of sel.fromClause ?? []) this.fromItem(item, scope);
    // relations passed in for LATERAL are not this query's own
    void lateralCount;
    this.clause(sel.whereClause, scope, "where");
    this.clause(sel.groupClause, scope, "group");
    this.clause(sel.havingClause, scope, "having");
    this.clause(sel.distinctClause, scope, "select");
    const outs: OutCol[] = [];
    for (const t of sel.targetList ?? []) {
      const rt = t.ResTarget;
      if (!rt) continue;
      const val = rt.val;
      const fields = val?.ColumnRef ? names(val.ColumnRef.fields) : null;
      if (fields && fields[fields.length - 1] === "*") {
        for (const o of this.starOutputs(fields, scope)) outs.push({ ...o, loc: val.ColumnRef.location });
        continue;
      }
      const o: OutCol = { name: rt.name ?? outputName(val), sources: [], loc: rt.location };
      this.expr(val, scope, null, (s) => o.sources.push(s));
      outs.push(o);
    }
    this.orderBy(sel.sortClause, scope, outs);
    this.clause(sel.windowClause, scope, "order");
    return outs;
  }

  private orderBy(sort: PgNode[] | undefined, scope: Scope, outs: OutCol[]): void {
    for (const s of sort ?? []) {
      const node = s.SortBy?.node;
      const f = node?.ColumnRef ? names(node.ColumnRef.fields) : null;
      // ORDER BY resolves output names first, as PostgreSQL does
      const out = f && f.length === 1 ? outs.find((o) => o.name === f[0]) : undefined;
      if (out && !scope.rels.some((r) => this.hasCol(r, f![0]!) === true)) {
        for (const src of out.sources) this.read(src, "order", null, node.ColumnRef.location);
        continue;
      }
      this.clause(node, scope, "order");
    }
  }

  // ---- statements -------------------------------------------------------------------------

  private targetRel(rv: PgNode, scope: Scope): ScopeRel {
    // the statement's target is in `targets`, not among the relations it reads
    const rel = this.baseRel(rv, { rels: [], parent: null, ctes: new Map() }, false);
    scope.rels.push(rel);
    return rel;
  }

  private returning(list: PgNode[] | undefined, scope: Scope, emit: boolean): OutCol[] {
    const outs: OutCol[] = [];
    for (const t of list ?? []) {
      const rt = t.ResTarget;
      const val = rt?.val;
      const fields = val?.ColumnRef ? names(val.ColumnRef.fields) : null;
      if (fields && fields[fields.length - 1] === "*") outs.push(...this.starOutputs(fields, scope).map((o) => ({ ...o, loc: val.ColumnRef.location })));
      else {
        const o: OutCol = { name: rt?.name ?? outputName(val), sources: [], loc: rt?.location };
        this.expr(val, scope, null, (s) => o.sources.push(s));
        outs.push(o);
      }
    }
    if (emit) for (const o of outs) for (const s of o.sources) this.read(s, "returning", o.name, o.loc);
    return outs;
  }

  private dml(type: string, n: PgNode, scope: Scope, top = true): OutCol[] {
    this.withClause(n.withClause, scope);
    const q = rangeVar(n.relation);
    if (!top) this.addTarget(q, n.relation?.location);
    if (type === "InsertStmt") {
      const rel = this.ctx.catalog.get(q.schema, q.name);
      const cols: string[] = (n.cols ?? []).map((c: PgNode) => c.ResTarget?.name ?? "");
      const targetCols = cols.length ? cols : rel && rel.columnsKnown ? [...rel.columns.keys()] : [];
      const sel = n.selectStmt?.SelectStmt;
      if (sel) {
        const outs = this.select(sel, { rels: [], parent: null, ctes: scope.ctes });
        outs.forEach((o, i) => {
          for (const s of o.sources) this.read(s, "select", o.name, o.loc);
          const col = targetCols[i];
          if (col) this.write(q, col, o.sources, o.loc);
        });
      }
      const tscope: Scope = { rels: [], parent: null, ctes: scope.ctes };
      const trel = this.targetRel(n.relation, tscope);
      const oc = n.onConflictClause;
      if (oc) {
        // EXCLUDED.* is the row proposed for insertion: same columns as the target
        tscope.rels.push({ ...trel, alias: "excluded" });
        for (const t of oc.targetList ?? []) this.setTarget(q, t.ResTarget, tscope);
        this.clause(oc.whereClause, tscope, "where");
      }
      return this.returning((n.returningClause?.exprs ?? n.returningList), tscope, top);
    }
    if (type === "UpdateStmt") {
      this.targetRel(n.relation, scope);
      for (const item of n.fromClause ?? []) this.fromItem(item, scope);
      this.clause(n.whereClause, scope, "where");
      for (const t of n.targetList ?? []) this.setTarget(q, t.ResTarget, scope);
      return this.returning((n.returningClause?.exprs ?? n.returningList), scope, top);
    }
    if (type === "DeleteStmt") {
      this.targetRel(n.relation, scope);
      for (const item of n.usingClause ?? []) this.fromItem(item, scope);
      this.clause(n.whereClause, scope, "where");
      return this.returning((n.returningClause?.exprs ?? n.returningList), scope, top);
    }
    if (type === "MergeStmt") {
      this.targetRel(n.relation, scope);
      if (n.sourceRelation) this.fromItem(n.sourceRelation, scope);
      this.clause(n.joinCondition, scope, "join");
      for (const w of n.mergeWhenClauses ?? []) {
        const mw = w.MergeWhenClause;
        this.clause(mw?.condition, scope, "where");
        if (mw?.commandType === "CMD_UPDATE") for (const t of mw.targetList ?? []) this.setTarget(q, t.ResTarget, scope);
        if (mw?.commandType === "CMD_INSERT") {
          const cols = (mw.targetList ?? []).map((t: PgNode) => t.ResTarget?.name ?? "");
          (mw.values ?? []).forEach((v: PgNode, i: number) => {
            const sources: Source[] = [];
            this.expr(v, scope, null, (s) => sources.push(s));
            for (const s of sources) this.read(s, "select", cols[i] ?? null);
            if (cols[i]) this.write(q, cols[i], sources);
          });
        }
      }
      return this.returning((n.returningClause?.exprs ?? n.returningList), scope, top);
    }
    return [];
  }

  private setTarget(q: QName, rt: PgNode, scope: Scope): void {
    if (!rt?.name) return;
    const sources: Source[] = [];
    const val = rt.val?.MultiAssignRef ? rt.val.MultiAssignRef.source : rt.val;
    this.expr(val, scope, null, (s, loc) => {
      sources.push(s);
      this.read(s, "set", rt.name, loc);
    });
    this.write(q, rt.name, sources, rt.location);
  }

  private addTarget(q: QName, loc?: number): void {
    if (this.st.targets.some((t) => t.schema === q.schema && t.name === q.name)) return;
    const ref: ObjectRef = { schema: q.schema, name: q.name, kind: "table" };
    const approved = this.ctx.approved(q.schema, q.name);
    if (approved.length) ref.approved_classifications = approved;
    const l = nodeLocation(this.ctx, this.src, loc);
    if (l) ref.location = l;
    this.st.targets.push(ref);
  }

  private write(q: QName, column: string, sources: Source[], loc?: number): void {
    const reads: ColumnRead[] = sources.map((s) => {
      const r: ColumnRead = { schema: s.schema, table: s.table, column: s.column, masked: s.masked !== null, masking_function: s.masked, via: ["select"] };
      if (s.star) r.star = true;
      const cls = this.classes(s);
      if (cls.length) r.classifications = cls;
      return r;
    });
    const w: ColumnWrite = { schema: q.schema, table: q.name, column, sources: reads };
    const taint = taintOf(reads);
    const own = this.ctx.classify(q.schema, q.name, column);
    const cls = [...new Set([...taint, ...own])].sort();
    if (cls.length) w.classifications = cls;
    const declared = this.ctx.declared(q.schema, q.name, column);
    if (declared.length) w.declared_classifications = declared;
    w.masked = reads.length > 0 && reads.every((r) => r.masked);
    const l = nodeLocation(this.ctx, this.src, loc);
    if (l) w.location = l;
    this.st.writes.push(w);
  }

  private createAs(q: QName, kind: string, produced: { name: string; sources: Source[]; loc?: number }[]): void {
    const rel = this.ctx.catalog.create(q.schema, q.name, kind, this.ctx.path, produced.map((p) => p.name), !produced.some((p) => p.name === "*"));
    for (const p of produced) {
      // written where its select-list item (or the `*` it comes from) is
      this.write(q, p.name, p.sources, p.loc);
      const w = this.st.writes[this.st.writes.length - 1]!;
      const col = rel.columns.get(p.name);
      if (col) for (const c of w.classifications ?? []) col.classifications.add(c);
    }
  }

  private copy(n: PgNode, scope: Scope): void {
    if (n.query) {
      const outs = this.query(n.query, scope);
      for (const o of outs) for (const s of o.sources) this.read(s, "copy", o.name, o.loc);
      return;
    }
    if (!n.relation) return;
    const rel = this.targetRel(n.relation, scope);
    const q = rangeVar(n.relation);
    const attrs = names(n.attlist);
    if (n.is_from) {
      const cols = attrs.length ? attrs : rel.complete ? orderOf(rel) : [];
      for (const c of cols) this.write(q, c, []);
      return;
    }
    if (attrs.length) for (const c of attrs) for (const s of this.colOf(rel, c)) this.read(s, "copy", c, n.relation.location);
    else for (const s of this.starOf(rel)) this.read(s, "copy", s.column, n.relation.location);
  }
}

/** Classifications that flow into a written column: those of its unmasked sources. */
export function taintOf(reads: ColumnRead[]): string[] {
  const out = new Set<string>();
  for (const r of reads) if (!r.masked) for (const c of r.classifications ?? []) out.add(c);
  return [...out].sort();
}

function derivedRel(alias: string, outs: OutCol[], colnames: string[]): ScopeRel {
  const renamed = renameOuts(outs, colnames);
  const outputs = new Map<string, OutCol>();
  for (const o of renamed) {
    const had = outputs.get(o.name);
    if (!had) outputs.set(o.name, o);
    // several unexpanded `*` (`a.*, b.*` over unknown tables): one `*` standing for all of them
    else if (o.name === "*") outputs.set("*", { ...had, sources: [...had.sources, ...o.sources] });
  }
  const order = renamed.map((o) => o.name).filter((n, i, all) => n !== "*" || all.indexOf("*") === i);
  return { alias, schema: null, table: null, base: null, complete: !outputs.has("*"), outputs, order };
}

function renameOuts(outs: OutCol[], colnames: string[]): OutCol[] {
  if (!colnames.length) return outs;
  return outs.map((o, i) => ({ ...o, name: colnames[i] ?? o.name }));
}

function relColumns(rel: ScopeRel): string[] {
  return orderOf(rel);
}

function orderOf(rel: ScopeRel): string[] {
  return (rel.order ??= rel.base ? [...rel.base.columns.keys()] : []);
}

const NO_CLASSES: string[] = [];

/** A base column's classifications, sorted (cached on the catalog column until it gains one). */
function clsOf(rel: ScopeRel, col: string): string[] {
  const c = rel.base?.columns.get(col);
  if (!c || c.classifications.size === 0) return NO_CLASSES;
  let sorted = c.sorted;
  if (!sorted || sorted.length !== c.classifications.size) sorted = c.sorted = [...c.classifications].sort();
  return sorted;
}

/** The name PostgreSQL gives an unnamed select-list expression. */
function outputName(val: PgNode): string {
  if (!val) return "?column?";
  if (val.ColumnRef) return names(val.ColumnRef.fields).pop() ?? "?column?";
  if (val.FuncCall) return names(val.FuncCall.funcname).pop() ?? "?column?";
  if (val.TypeCast) {
    const inner = outputName(val.TypeCast.arg);
    return inner === "?column?" ? (names(val.TypeCast.typeName?.names).pop() ?? inner) : inner;
  }
  if (val.A_Indirection) return outputName(val.A_Indirection.arg);
  if (val.CoalesceExpr) return "coalesce";
  if (val.CaseExpr) return "case";
  if (val.SubLink) {
    const sel = val.SubLink.subselect?.SelectStmt;
    const first = sel?.targetList?.[0]?.ResTarget;
    if (val.SubLink.subLinkType === "EXISTS_SUBLINK") return "exists";
    if (val.SubLink.subLinkType === "ARRAY_SUBLINK") return "array";
    return first ? (first.name ?? outputName(first.val)) : "?column?";
  }
  if (val.SQLValueFunction) return "?column?";
  void sval;
  return "?column?";
}
