// Classification patterns (`[schema.]table.column` globs): which classifications a column
// carries, which a destination column is declared as, and which tables are approved stores.
import type { Classifier } from "./resolve.js";

/** A table's classifications: those whose explicit-table patterns name it. */
export type Approver = (schema: string | null, table: string) => string[];

export interface Classes {
  /** every pattern: what a (source) column carries */
  classify: Classifier;
  /** explicit-table patterns only: what a destination column is declared as */
  declared: Classifier;
  /** explicit-table patterns only: the classifications a table is an approved store for */
  approved: Approver;
}

function segmentRegex(part: string): string {
  return part
    .split("**")
    .map((seg) =>
      seg
        .split("*")
        .map((x) => x.replace(/[|\\{}()[\]^$+?.]/g, "\\$&"))
        .join("[^.]*"),
    )
    .join(".*");
}

function globToRegex(pattern: string): RegExp {
  let parts = pattern.split(".");
  if (parts.length === 2) parts = ["public", ...parts];
  return new RegExp(`^${parts.map(segmentRegex).join("\\.")}$`);
}

/**
 * A test of `schema.table.column` keys against a pattern. A pattern whose last part is
 * written out (`*.email`) can only match keys ending in it: that cheap check runs first,
 * and most keys (columns) fail it, so their regex is never run.
 */
function patternTest(pattern: string): (key: string) => boolean {
  const re = globToRegex(pattern);
  const last = pattern.slice(pattern.lastIndexOf(".") + 1);
  if (last.includes("*")) return (key) => re.test(key);
  return (key) => key.endsWith(last) && re.test(key);
}

interface Explicit {
  schema: RegExp;
  table: string;
  column: RegExp;
}

/**
 * The pattern's parts when its table part is written out (no `*`): `customers.email`,
 * `vault.customers.*`. Only these can make a destination an approved store; `*.email`
 * describes where data comes from, and would otherwise approve every copy of itself.
 */
function explicitTable(pattern: string): Explicit | null {
  const parts = pattern.split(".");
  if (parts.length !== 2 && parts.length !== 3) return null;
  const [schema, table, column] = parts.length === 2 ? ["public", parts[0]!, parts[1]!] : (parts as [string, string, string]);
  if (table === "" || table.includes("*")) return null;
  return { schema: new RegExp(`^${segmentRegex(schema)}$`), table, column: new RegExp(`^${segmentRegex(column)}$`) };
}

/**
 * Memoises an answer per (schema, table[, column]): pattern tests run once per distinct
 * name. Nested maps keyed by the names themselves: no key string is built per call (this
 * runs for every column a statement reads or writes).
 */
function cached3(compute: (schema: string | null, table: string, column: string) => string[]): (schema: string | null, table: string, column: string) => string[] {
  const memo = new Map<string, Map<string, Map<string, string[]>>>();
  return (schema, table, column) => {
    const s = schema ?? "public";
    let bySchema = memo.get(s);
    if (bySchema === undefined) memo.set(s, (bySchema = new Map()));
    let byTable = bySchema.get(table);
    if (byTable === undefined) bySchema.set(table, (byTable = new Map()));
    let hit = byTable.get(column);
    if (hit === undefined) byTable.set(column, (hit = compute(schema, table, column)));
    return hit;
  };
}

function cached2(compute: (schema: string | null, table: string) => string[]): (schema: string | null, table: string) => string[] {
  const memo = new Map<string, Map<string, string[]>>();
  return (schema, table) => {
    const s = schema ?? "public";
    let bySchema = memo.get(s);
    if (bySchema === undefined) memo.set(s, (bySchema = new Map()));
    let hit = bySchema.get(table);
    if (hit === undefined) bySchema.set(table, (hit = compute(schema, table)));
    return hit;
  };
}

const NONE: string[] = [];

export function makeClasses(classes: Record<string, string[]> = {}): Classes {
  const all = Object.entries(classes).map(([name, pats]) => ({ name, res: pats.map(patternTest) }));
  const explicit = Object.entries(classes)
    .map(([name, pats]) => ({ name, pats: pats.map(explicitTable).filter((p): p is Explicit => p !== null) }))
    .filter((c) => c.pats.length > 0);
  const colKey = (schema: string | null, table: string, column: string) => `${schema ?? "public"}.${table}.${column}`;
  const classify: Classifier =
    all.length === 0
      ? () => NONE
      : cached3((schema, table, column) => {
          const key = colKey(schema, table, column);
          return all.filter((c) => c.res.some((t) => t(key))).map((c) => c.name);
        });
  const declared: Classifier =
    explicit.length === 0
      ? () => NONE
      : cached3((schema, table, column) =>
          explicit.filter((c) => c.pats.some((p) => p.table === table && p.schema.test(schema ?? "public") && p.column.test(column))).map((c) => c.name).sort(),
        );
  const approved: Approver =
    explicit.length === 0
      ? () => NONE
      : cached2((schema, table) => explicit.filter((c) => c.pats.some((p) => p.table === table && p.schema.test(schema ?? "public"))).map((c) => c.name).sort());
  return { classify, declared, approved };
}

/** Classifications of `[schema.]table.column` from every pattern. */
export function makeClassifier(classes: Record<string, string[]> = {}): Classifier {
  return makeClasses(classes).classify;
}
