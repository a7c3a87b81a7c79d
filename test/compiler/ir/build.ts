// Small builders for hand-written IR in tests (the parser is not needed to test back ends).
import type { Expr, JsonValue, PolicyIR, RuleIR, Step, MessagePart, Scope, Severity, Action, MaskMethod } from "../../../src/compiler/ir/ir.js";
import type { Span } from "../../../src/diagnostics/span.js";

export const SPAN: Span = { file: "test.warden", start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 2, offset: 1 } };

export const c = (value: JsonValue): Expr => ({ op: "const", value });
export const input = (...path: (string | number)[]): Expr => ({ op: "ref", root: "input", path });
export const data = (...path: (string | number)[]): Expr => ({ op: "ref", root: "data", path });
export const local = (name: string, ...path: (string | number)[]): Expr => ({ op: "ref", root: "local", name, path });
export const stmt = (...path: (string | number)[]): Expr => local("statement", ...path);
export const eq = (left: Expr, right: Expr): Expr => ({ op: "==", left, right });
export const cmp = (op: "==" | "!=" | "<" | "<=" | ">" | ">=", left: Expr, right: Expr): Expr => ({ op, left, right });
export const and = (...args: Expr[]): Expr => ({ op: "and", args });
export const or = (...args: Expr[]): Expr => ({ op: "or", args });
export const not = (arg: Expr): Expr => ({ op: "not", arg });
export const list = (...items: Expr[]): Expr => ({ op: "list", items });
export const filter = (cond: Expr): Step => ({ kind: "filter", cond, span: SPAN });
export const scan = (name: string, source: Expr): Step => ({ kind: "scan", local: name, source, span: SPAN });

export interface RuleOpts {
  id?: string;
  title?: string;
  doc?: string;
  severity?: Severity;
  action?: Action;
  on?: Scope[];
  body?: Step[];
  message?: MessagePart[];
  location?: Expr[];
  mask?: { column: Expr; method: MaskMethod };
}

export function rule(o: RuleOpts = {}): RuleIR {
  const action = o.action ?? (o.mask ? "mask" : "deny");
  const location = [...(o.location ?? []), stmt("location")];
  return {
    id: o.id ?? "r",
    title: o.title ?? "a rule",
    doc: o.doc ?? "",
    severity: o.severity ?? (action === "warn" ? "warning" : action === "info" ? "info" : "error"),
    action,
    on: o.on ?? ["migration"],
    body: o.body ?? [],
    outcome: o.mask
      ? { kind: "mask", column: o.mask.column, method: o.mask.method, location }
      : { kind: "message", message: o.message ?? ["m"], location },
    span: SPAN,
  };
}

export function policy(rules: RuleIR[], d: Partial<PolicyIR["data"]> = {}): PolicyIR {
  return {
    policies: ["test"],
    rules,
    data: { classifications: d.classifications ?? {}, constants: d.constants ?? {}, config: d.config ?? {} },
  };
}

/** A ci input for a migration file with the given statements. */
export function migration(...statements: JsonValue[]): JsonValue {
  return { context: "ci", file: { path: "m.sql", type: "migration" }, statements };
}
