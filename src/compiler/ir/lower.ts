// Lowering: a checked program → the IR of ir.ts. Runs only when the checker found no
// error, so every name resolves and every clause is where the checker said it is.
import type * as A from "../syntax/ast.js";
import type { CheckedProgram } from "../check/check.js";
import { defaultSeverity, ruleOutcome } from "../check/check.js";
import type { FactSchema } from "../check/facts.js";
import { resolveRoot, SCOPES } from "../check/names.js";
import type { Expr, JsonValue, MaskMethod, MessagePart, PolicyIR, RefExpr, RuleIR, Scope, Severity, Step } from "./ir.js";

export function lowerProgram(program: CheckedProgram, schema: FactSchema): PolicyIR {
  const consts = new Set(program.consts.keys());
  const constants: Record<string, JsonValue> = {};
  for (const [name, c] of program.consts) constants[name] = c.value;
  const classifications: Record<string, string[]> = {};
  for (const [name, patterns] of program.classifications) classifications[name] = [...patterns];
  return {
    policies: program.policies,
    rules: program.rules.map((r) => lowerRule(r, consts, schema)),
    data: { classifications, constants, config: {} },
  };
}

function lowerRule(r: A.RuleDecl, consts: ReadonlySet<string>, schema: FactSchema): RuleIR {
  const outcome = ruleOutcome(r)!;
  const sevClause = r.clauses.find((c): c is A.SeverityClause => c.kind === "severity");
  const severity = (sevClause?.value.name as Severity | undefined) ?? defaultSeverity(outcome);
  const text = (kind: "title" | "doc") => (r.clauses.find((c) => c.kind === kind) as A.TitleClause | A.DocClause | undefined)?.text.value ?? "";

  const on: Scope[] = [];
  for (const c of r.clauses) {
    if (c.kind !== "on") continue;
    for (const s of c.scopes) for (const x of s.name === "all" ? SCOPES : [s.name as Scope]) if (!on.includes(x)) on.push(x);
  }

  const locals = new Set<string>();
  const forVars: string[] = [];
  const body: Step[] = [];
  const ex = (e: A.Expr) => lowerExpr(e, locals, consts, schema);
  for (const c of r.clauses) {
    switch (c.kind) {
      case "for":
        body.push({ kind: "scan", local: c.variable.name, source: ex(c.source), span: c.span });
        locals.add(c.variable.name);
        forVars.push(c.variable.name);
        if (c.where) body.push({ kind: "filter", cond: ex(c.where), span: c.where.span });
        break;
      case "when":
        body.push({ kind: "filter", cond: ex(c.cond), span: c.span });
        break;
      case "unless":
        body.push({ kind: "filter", cond: { op: "not", arg: ex(c.cond) }, span: c.span });
        break;
      default:
        break;
    }
  }

  // Innermost `for` binding first: a finding points at the column it is about when it can.
  const location: Expr[] = [...forVars].reverse().map((v): RefExpr => ({ op: "ref", root: "local", name: v, path: ["location"] }));
  location.push({ op: "ref", root: "local", name: "statement", path: ["location"] });

  const action = outcome.kind === "mask" ? "mask" : outcome.action;
  return {
    id: r.id.name,
    title: text("title"),
    doc: text("doc"),
    severity,
    action,
    on,
    body,
    outcome:
      outcome.kind === "mask"
        ? { kind: "mask", column: ex(outcome.column), method: outcome.method.name as MaskMethod, location }
        : { kind: "message", message: lowerMessage(outcome.message, ex), location },
    span: r.span,
  };
}

function lowerMessage(m: A.Message, ex: (e: A.Expr) => Expr): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const p of m.parts) {
    if (typeof p === "string") {
      const last = parts[parts.length - 1];
      if (typeof last === "string") parts[parts.length - 1] = last + p;
      else parts.push(p);
    } else parts.push(ex(p));
  }
  return parts;
}

export function lowerExpr(e: A.Expr, locals: Set<string>, consts: ReadonlySet<string>, schema: FactSchema): Expr {
  const ex = (x: A.Expr) => lowerExpr(x, locals, consts, schema);
  switch (e.kind) {
    case "literal":
      return { op: "const", value: e.value };
    case "list": {
      const items = e.items.map(ex);
      // A list of constants is one constant: back ends can embed it as data.
      if (items.every((i) => i.op === "const")) return { op: "const", value: items.map((i) => (i as { value: JsonValue }).value) };
      return { op: "list", items };
    }
    case "path":
      return lowerPath(e, locals, consts, schema);
    case "compare":
      return { op: e.op, left: ex(e.left), right: ex(e.right) };
    case "in":
      return { op: "in", item: ex(e.item), collection: ex(e.collection) };
    case "contains":
      return e.any ? { op: "contains_any", collection: ex(e.collection), items: ex(e.item) } : { op: "contains", collection: ex(e.collection), item: ex(e.item) };
    case "matches":
      return { op: "matches", value: ex(e.value), pattern: e.pattern.value };
    case "like":
      return { op: "like", value: ex(e.value), pattern: e.pattern.value };
    case "is":
      return { op: "is", column: ex(e.value), classification: e.classification.name };
    case "count":
      return { op: "count", value: ex(e.arg) };
    case "quant": {
      const collection = ex(e.collection);
      const inner = new Set(locals).add(e.variable.name);
      return { op: e.quant, local: e.variable.name, collection, body: lowerExpr(e.body, inner, consts, schema) };
    }
    case "and":
    case "or":
      return { op: e.kind, args: e.args.map(ex) };
    case "not":
      return { op: "not", arg: ex(e.arg) };
  }
}

function lowerPath(p: A.PathExpr, locals: Set<string>, consts: ReadonlySet<string>, schema: FactSchema): RefExpr {
  const segs = p.segments.map((s) => (s.kind === "field" ? s.name : s.index));
  const root = resolveRoot(p.root.name, locals, consts, schema);
  switch (root?.kind) {
    case "local":
      return { op: "ref", root: "local", name: root.name, path: segs };
    case "input":
      return { op: "ref", root: "input", path: [root.name, ...segs] };
    case "data":
      return { op: "ref", root: "data", path: ["warden", ...segs] };
    case "const":
      return { op: "ref", root: "data", path: ["warden", "constants", root.name, ...segs] };
    default:
      // Unreachable after a clean check; kept total so lowering never throws.
      return { op: "ref", root: "input", path: [p.root.name, ...segs] };
  }
}
