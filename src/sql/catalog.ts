// The offline schema catalog: which relations and columns exist, learnt by replaying
// migrations in order and from dbt YAML, with per-column classifications (tags and taint).
import v8 from "node:v8";
import type { Column } from "./facts.js";

export interface CatalogColumn {
  name: string;
  def?: Column;
  classifications: Set<string>;
  /** cached catalog-excerpt form; cleared when the column changes */
  snapshot?: Column;
  /** cached sorted `classifications` (they only grow: stale when the length differs) */
  sorted?: string[];
}

export interface CatalogRelation {
  schema: string;
  name: string;
  kind: string; // table | view | materialized_view | dbt_model | dbt_source
  columns: Map<string, CatalogColumn>;
  /** false when the relation's column list is incomplete (e.g. dbt sources without YAML columns). */
  columnsKnown: boolean;
  /** the file that created it */
  file: string;
  /** classifications carried by the whole relation (dbt model tags) */
  tags: Set<string>;
}

export function relKey(schema: string | null, name: string): string {
  return `${schema ?? "public"}.${name}`;
}

/** Whether `relKey(schema, name) === key`, without building the key (drops scan every index). */
function isKey(key: string, schema: string | null, name: string): boolean {
  const s = schema ?? "public";
  return key.length === s.length + 1 + name.length && key.charCodeAt(s.length) === 0x2e && key.startsWith(s) && key.endsWith(name);
}

export class Catalog {
  readonly relations = new Map<string, CatalogRelation>();
  /** relations known to be gone (dropped or renamed away) */
  readonly dropped = new Set<string>();
  /** dbt refs and sources: `ref:model`, `source:src.table` → relation key */
  readonly aliases = new Map<string, string>();
  /** indexes made by CREATE INDEX: `schema.index` (the table's schema) → the table it is on */
  readonly indexes = new Map<string, { schema: string | null; name: string }>();

  /** existence of relations before the current file's first change to them */
  private journal: Map<string, boolean | null> | null = null;

  /** Starts a file: `existedBefore` answers for the state before it. */
  beginFile(): void {
    this.journal = new Map();
  }

  private noteBefore(key: string): void {
    if (this.journal && !this.journal.has(key)) this.journal.set(key, this.existsKey(key));
  }

  existedBefore(key: string): boolean | null {
    if (this.journal?.has(key)) return this.journal.get(key)!;
    return this.existsKey(key);
  }

  private existsKey(key: string): boolean | null {
    if (this.relations.has(key)) return true;
    if (this.dropped.has(key)) return false;
    return null;
  }

  get(schema: string | null, name: string): CatalogRelation | undefined {
    return this.relations.get(relKey(schema, name));
  }

  create(schema: string | null, name: string, kind: string, file: string, columns: Column[] | string[], columnsKnown = true): CatalogRelation {
    const key = relKey(schema, name);
    this.noteBefore(key);
    const rel: CatalogRelation = { schema: schema ?? "public", name, kind, columns: new Map(), columnsKnown, file, tags: new Set() };
    for (const c of columns) {
      const col: CatalogColumn = typeof c === "string" ? { name: c, classifications: new Set() } : { name: c.name, def: c, classifications: new Set() };
      rel.columns.set(col.name, col);
    }
    this.relations.set(key, rel);
    this.dropped.delete(key);
    return rel;
  }

  drop(schema: string | null, name: string): void {
    const key = relKey(schema, name);
    this.remove(key);
    // its indexes go with it
    for (const [k, t] of this.indexes) if (isKey(key, t.schema, t.name)) this.indexes.delete(k);
  }

  private remove(key: string): void {
    this.noteBefore(key);
    this.relations.delete(key);
    this.dropped.add(key);
  }

  rename(schema: string | null, name: string, newName: string): void {
    const rel = this.get(schema, name);
    if (!rel) return;
    const key = relKey(schema, name);
    this.remove(key);
    rel.name = newName;
    this.noteBefore(relKey(rel.schema, newName));
    this.relations.set(relKey(rel.schema, newName), rel);
    this.dropped.delete(relKey(rel.schema, newName));
    // its indexes stay on it under the new name
    for (const t of this.indexes.values()) if (isKey(key, t.schema, t.name)) t.name = newName;
  }

  addIndex(schema: string | null, name: string, table: { schema: string | null; name: string }): void {
    this.indexes.set(relKey(schema, name), { schema: table.schema, name: table.name });
  }

  /** The table an index is on, when a replayed CREATE INDEX made it. */
  indexTable(schema: string | null, name: string): { schema: string | null; name: string } | undefined {
    return this.indexes.get(relKey(schema, name));
  }

  dropIndex(schema: string | null, name: string): void {
    this.indexes.delete(relKey(schema, name));
  }

  renameIndex(schema: string | null, name: string, newName: string): void {
    const t = this.indexes.get(relKey(schema, name));
    if (!t) return;
    this.indexes.delete(relKey(schema, name));
    this.indexes.set(relKey(schema, newName), t);
  }

  /**
   * The catalog's state as bytes, to resume a replay from later (`Catalog.restore`): what a
   * cached `warden check` keeps after the migrations so that a new migration needs only itself
   * replayed. Relations, columns (with their classifications), drops, dbt aliases and indexes.
   */
  snapshot(): Uint8Array {
    return v8.serialize({ relations: this.relations, dropped: this.dropped, aliases: this.aliases, indexes: this.indexes });
  }

  static restore(bytes: Uint8Array): Catalog {
    const s = v8.deserialize(bytes) as Pick<Catalog, "relations" | "dropped" | "aliases" | "indexes">;
    const c = new Catalog();
    for (const [k, v] of s.relations) c.relations.set(k, v);
    for (const k of s.dropped) c.dropped.add(k);
    for (const [k, v] of s.aliases) c.aliases.set(k, v);
    for (const [k, v] of s.indexes) c.indexes.set(k, v);
    return c;
  }

  /**
   * One catalog that knows what each of `parts` knows, later parts over earlier ones (a
   * relation one made and a later one dropped is gone): for a file that is equally near to
   * several migration sets. The parts are copied, not shared, and stay as they are.
   */
  static merge(parts: readonly Catalog[]): Catalog {
    const out = new Catalog();
    for (const part of parts) {
      const c = Catalog.restore(part.snapshot());
      for (const [k, v] of c.relations) {
        out.relations.set(k, v);
        out.dropped.delete(k);
      }
      for (const k of c.dropped) {
        out.relations.delete(k);
        out.dropped.add(k);
      }
      for (const [k, v] of c.aliases) out.aliases.set(k, v);
      for (const [k, v] of c.indexes) out.indexes.set(k, v);
    }
    return out;
  }

  /** true/false when the catalog knows, null when it cannot tell. */
  exists(schema: string | null, name: string): boolean | null {
    return this.existsKey(relKey(schema, name));
  }
}
