// Name resolution shared by the checker and the lowering, so both agree on what a
// path's first word means. Precedence does not matter in practice: the checker
// rejects a variable or constant that would hide another name (W0314).
import type { FactSchema } from "./facts.js";

export const SCOPES = ["migration", "dbt_model", "retraining", "sql", "runtime"] as const;
export const MASK_METHODS = ["hash", "redact", "partial", "null"] as const;
export const SEVERITIES = ["error", "warning", "info"] as const;

export type RootKind =
  | { kind: "local"; name: string } // for/any/all variables and `statement`
  | { kind: "input"; name: string }
  | { kind: "data" }
  | { kind: "const"; name: string };

export function resolveRoot(name: string, locals: ReadonlySet<string> | ((n: string) => boolean), consts: ReadonlySet<string>, schema: FactSchema): RootKind | undefined {
  const isLocal = typeof locals === "function" ? locals(name) : locals.has(name);
  if (isLocal) return { kind: "local", name };
  if (name === "statement") return { kind: "local", name: "statement" };
  if (name === "data") return { kind: "data" };
  if (schema.inputRoots().includes(name)) return { kind: "input", name };
  if (consts.has(name)) return { kind: "const", name };
  return undefined;
}

/** Names that always mean something in an expression. */
export function builtinRoots(schema: FactSchema): string[] {
  return ["statement", "data", ...schema.inputRoots()];
}

export const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** A kebab-case suggestion for an invalid rule id. */
export function kebab(id: string): string {
  const k = id
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return /^[a-z]/.test(k) ? k : `rule-${k}`;
}
