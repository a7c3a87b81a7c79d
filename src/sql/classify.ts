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

/** Memoises a string-keyed answer: pattern tests run once per distinct name. */
function cached<A extends unknown[]>(key: (...a: A) => string, compute: (...a: A) => string[]): (...a: A) => string[] {
  const memo = new Map<string, string[]>();
  return (...a: A) => {
    const k = key(...a);
    let hit = memo.get(k);
    if (!hit) {
      hit = compute(...a);
      memo.set(k, hit);
    }
    return hit;
  };
}

const NONE: string[] = [];

export function makeClasses(classes: Record<string, string[]> = {}): Classes {
  const all = Object.entries(classes).map(([name, pats]) => ({ name, res: pats.map(globToRegex) }));
  const explicit = Object.entries(classes)
    .map(([name, pats]) => ({ name, pats: pats.map(explicitTable).filter((p): p is Explicit => p !== null) }))
    .filter((c) => c.pats.length > 0);
  const colKey = (schema: string | null, table: string, column: string) => `${schema ?? "public"}.${table}.${column}`;
  const classify: Classifier =
    all.length === 0
      ? () => NONE
      : cached(colKey, (schema, table, column) => {
          const key = colKey(schema, table, column);
          return all.filter((c) => c.res.some((r) => r.test(key))).map((c) => c.name);
        });
  const declared: Classifier =
    explicit.length === 0
      ? () => NONE
      : cached(colKey, (schema, table, column) =>
          explicit.filter((c) => c.pats.some((p) => p.table === table && p.schema.test(schema ?? "public") && p.column.test(column))).map((c) => c.name).sort(),
        );
  const approved: Approver =
    explicit.length === 0
      ? () => NONE
      : cached(
          (schema, table) => `${schema ?? "public"}.${table}`,
          (schema, table) => explicit.filter((c) => c.pats.some((p) => p.table === table && p.schema.test(schema ?? "public"))).map((c) => c.name).sort(),
        );
  return { classify, declared, approved };
}

/** Classifications of `[schema.]table.column` from every pattern. */
export function makeClassifier(classes: Record<string, string[]> = {}): Classifier {
  return makeClasses(classes).classify;
}
