// The checker: resolves names across all files of a compile, validates declarations
// and rule clauses, and types every expression against the fact schema. It only
// reports (never throws); `lower` runs on its result when no error was found.
import { Diagnostics, didYouMean } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import type * as A from "../syntax/ast.js";
import { jsonOf } from "../syntax/ast.js";
import type { JsonValue, Severity } from "../ir/ir.js";
import { ANY, BOOLEAN, NULL, NUMBER, STRING, SimpleTy, typeOfJson, unionOf, type FactSchema, type Kind, type Ty } from "./facts.js";
import { builtinRoots, kebab, MASK_METHODS, resolveRoot, RULE_ID, SCOPES, SEVERITIES } from "./names.js";
import { classificationPatternProblem, globProblem, likeProblem } from "./patterns.js";

/** What the later stages need: the declarations of the whole compile, resolved. */
export interface CheckedProgram {
  files: A.PolicyFileAst[];
  /** Dotted policy names, in file order, without repeats. */
  policies: string[];
  rules: A.RuleDecl[];
  consts: Map<string, { decl: A.ConstDecl; value: JsonValue }>;
  /** Classification name → patterns, merged across files in file order (duplicates dropped). */
  classifications: Map<string, string[]>;
  tests: A.TestDecl[];
}

type Scope = Map<string, Ty>;

/** The action a rule's findings carry, given its outcome and effective severity. */
export function findingAction(outcome: A.MessageClause | A.MaskClause, severity: Severity): "deny" | "warn" | "info" | "mask" | "require_approval" {
  if (outcome.kind === "mask") return "mask";
  if (outcome.action === "require_approval") return "require_approval";
  return severity === "error" ? "deny" : severity === "warning" ? "warn" : "info";
}

export function defaultSeverity(outcome: A.MessageClause | A.MaskClause): Severity {
  if (outcome.kind === "mask") return "info";
  return { deny: "error", warn: "warning", info: "info", require_approval: "warning" }[outcome.action] as Severity;
}

export function ruleSeverity(rule: A.RuleDecl): Severity | undefined {
  const sev = rule.clauses.find((c): c is A.SeverityClause => c.kind === "severity");
  if (sev) return (SEVERITIES as readonly string[]).includes(sev.value.name) ? (sev.value.name as Severity) : undefined;
  const out = ruleOutcome(rule);
  return out && defaultSeverity(out);
}

export function ruleOutcome(rule: A.RuleDecl): A.MessageClause | A.MaskClause | undefined {
  return rule.clauses.find((c): c is A.MessageClause | A.MaskClause => c.kind === "message" || c.kind === "mask");
}

function where(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.column}`;
}

function pathText(p: A.PathExpr, upto = p.segments.length): string {
  let s = p.root.name;
  for (const seg of p.segments.slice(0, upto)) s += seg.kind === "field" ? `.${seg.name}` : `[${seg.index}]`;
  return s;
}

function describe(ty: Ty): string {
  if (ty.any) return "any value";
  const names: Record<Kind, string> = { string: "a string", number: "a number", boolean: "a boolean", array: "a list", object: "an object", null: "null" };
  const ks = [...ty.kinds].filter((k) => k !== "null");
  if (ks.length === 0) return "null";
  return ks.map((k) => names[k]).join(" or ");
}

function exprText(e: A.Expr): string {
  switch (e.kind) {
    case "path":
      return pathText(e);
    case "literal":
      return typeof e.value === "string" ? JSON.stringify(e.value) : String(e.value);
    case "count":
      return `count(${exprText(e.arg)})`;
    case "list":
      return `[${e.items.map(exprText).join(", ")}]`;
    default:
      return "this expression";
  }
}

/** Non-null kinds, or undefined when the type is unknown. */
function solid(ty: Ty): Set<Kind> | undefined {
  if (ty.any) return undefined;
  return new Set([...ty.kinds].filter((k) => k !== "null"));
}

function overlaps(a: Ty, b: Ty): boolean {
  const x = solid(a);
  const y = solid(b);
  if (!x || !y || x.size === 0 || y.size === 0) return true;
  for (const k of x) if (y.has(k)) return true;
  return false;
}

function hasKind(ty: Ty, ...kinds: Kind[]): boolean {
  return ty.any || kinds.some((k) => ty.kinds.has(k));
}

function isColumnType(ty: Ty): boolean {
  return ty.any || (ty.kinds.has("object") && ty.field("column") !== undefined);
}

export class Checker {
  readonly diags = new Diagnostics();
  private readonly consts = new Map<string, { decl: A.ConstDecl; value: JsonValue; ty: Ty; used: boolean }>();
  private readonly classifications = new Map<string, string[]>();
  private readonly rules = new Map<string, A.RuleDecl>();
  /** for-variable name → the rules that bind it (to explain a use outside them). */
  private readonly forVars = new Map<string, string[]>();
  private readonly roots: string[];

  constructor(private readonly schema: FactSchema) {
    this.roots = builtinRoots(schema);
  }

  check(files: A.PolicyFileAst[]): CheckedProgram {
    const policies: string[] = [];
    const rules: A.RuleDecl[] = [];
    const tests: A.TestDecl[] = [];
    // Pass 1: declarations of every file, so uses may precede declarations and cross files.
    for (const f of files) {
      const policyDecls = f.decls.filter((d): d is A.PolicyDecl => d.kind === "policy");
      if (policyDecls.length === 0) {
        this.diags.add("W0206", "missing `policy` declaration", { file: f.path, start: f.span.start, end: f.span.start }, "start the file with `policy <name>`, such as `policy acme.data_platform`");
      }
      policyDecls.forEach((p, i) => {
        if (i > 0) this.diags.add("W0206", "a file has one `policy` declaration", p.span, `the first is at ${where(policyDecls[0]!.span)}`);
        else if (f.decls[0] !== p) this.diags.add("W0206", "the `policy` declaration must come first", p.span, "move it to the top of the file");
        else {
          const name = p.name.map((n) => n.name).join(".");
          if (!policies.includes(name)) policies.push(name);
        }
      });
      const seenClassify = new Map<string, A.ClassifyDecl>();
      for (const d of f.decls) {
        if (d.kind === "classify") this.declareClassify(d, seenClassify);
        else if (d.kind === "const") this.declareConst(d);
        else if (d.kind === "rule") {
          if (this.declareRule(d)) rules.push(d);
        } else if (d.kind === "test") tests.push(d);
      }
    }
    for (const r of rules) for (const c of r.clauses) if (c.kind === "for") this.forVars.set(c.variable.name, [...(this.forVars.get(c.variable.name) ?? []), r.id.name]);
    // Pass 2: bodies.
    for (const r of rules) this.checkRule(r);
    for (const t of tests) this.checkTest(t);
    for (const [name, c] of this.consts) {
      if (!c.used) this.diags.add("W0901", `constant \`${name}\` is never used`, c.decl.name.span, "remove it, or use it in a rule");
    }
    const consts = new Map([...this.consts].map(([k, v]) => [k, { decl: v.decl, value: v.value }]));
    return { files, policies, rules, consts, classifications: this.classifications, tests };
  }

  // --- declarations ---------------------------------------------------------

  private declareClassify(d: A.ClassifyDecl, seenInFile: Map<string, A.ClassifyDecl>): void {
    const prev = seenInFile.get(d.name.name);
    if (prev) {
      this.diags.add("W0203", `classification \`${d.name.name}\` is declared twice in this file`, d.name.span, `the first is at ${where(prev.name.span)}; list all its patterns in one \`classify\``);
      return;
    }
    seenInFile.set(d.name.name, d);
    for (const p of d.patterns) {
      const problem = classificationPatternProblem(p.value);
      if (problem) this.diags.add("W0309", `invalid classification pattern \`${p.value}\``, p.span, problem);
    }
    // The same classification in several files is one list: teams add patterns in their own files.
    const list = this.classifications.get(d.name.name) ?? [];
    for (const p of d.patterns) if (!list.includes(p.value)) list.push(p.value);
    this.classifications.set(d.name.name, list);
  }

  private declareConst(d: A.ConstDecl): void {
    const name = d.name.name;
    const prev = this.consts.get(name);
    if (prev) {
      this.diags.add("W0202", `constant \`${name}\` is already declared`, d.name.span, `the first is at ${where(prev.decl.name.span)}`);
      return;
    }
    if (this.roots.includes(name)) {
      this.diags.add("W0314", `constant \`${name}\` would hide the root \`${name}\``, d.name.span, "choose another name");
      return;
    }
    const value = jsonOf(d.value);
    this.consts.set(name, { decl: d, value, ty: typeOfJson(value), used: false });
  }

  private declareRule(r: A.RuleDecl): boolean {
    const id = r.id.name;
    if (!RULE_ID.test(id)) {
      this.diags.add("W0205", `invalid rule id \`${id}\``, r.id.span, `rule ids are kebab-case, such as \`${kebab(id)}\``);
    }
    const prev = this.rules.get(id);
    if (prev) {
      this.diags.add("W0201", `rule \`${id}\` is already defined`, r.id.span, `the first is at ${where(prev.id.span)}`);
      return false;
    }
    this.rules.set(id, r);
    return true;
  }

  // --- rules ----------------------------------------------------------------

  private checkRule(r: A.RuleDecl): void {
    const id = r.id.name;
    const count = (kind: A.Clause["kind"]) => r.clauses.filter((c) => c.kind === kind);
    for (const kind of ["title", "doc", "severity", "on"] as const) {
      const cs = count(kind);
      for (const extra of cs.slice(1)) this.diags.add("W0204", `repeated \`${kind}\` in rule \`${id}\``, extra.span, "keep one");
    }
    if (count("title").length === 0) this.diags.add("W0204", `rule \`${id}\` has no title`, r.id.span, 'add a line such as `title "Dropping a table destroys its data"`');
    if (count("on").length === 0) this.diags.add("W0204", `rule \`${id}\` has no \`on\` clause`, r.id.span, "say where it applies, such as `on migration, runtime` or `on all`");
    const outcomes = r.clauses.filter((c) => c.kind === "message" || c.kind === "mask");
    if (outcomes.length === 0) this.diags.add("W0204", `rule \`${id}\` has no outcome`, r.id.span, 'end it with `deny "..."`, `warn "..."`, `info "..."`, `require approval "..."` or `mask <column> with <method>`');
    for (const extra of outcomes.slice(1)) this.diags.add("W0204", `rule \`${id}\` has more than one outcome`, extra.span, "split it into two rules");

    const scope: Scope = new Map();
    for (const c of r.clauses) {
      switch (c.kind) {
        case "severity":
          if (!(SEVERITIES as readonly string[]).includes(c.value.name)) {
            this.diags.add("W0313", `invalid severity \`${c.value.name}\``, c.value.span, didYouMean(c.value.name, SEVERITIES) ?? "use `error`, `warning` or `info`");
          }
          break;
        case "on":
          for (const s of c.scopes) {
            if (s.name !== "all" && !(SCOPES as readonly string[]).includes(s.name)) {
              this.diags.add("W0308", `unknown scope \`${s.name}\``, s.span, didYouMean(s.name, [...SCOPES, "all"]) ?? `use ${SCOPES.map((x) => `\`${x}\``).join(", ")} or \`all\``);
            }
          }
          break;
        case "for": {
          const src = this.expr(c.source, scope, r);
          if (!hasKind(src, "array")) this.diags.add("W0304", `\`for\` needs a list, \`${exprText(c.source)}\` is ${describe(src)}`, c.source.span);
          this.bind(c.variable, src.any ? ANY : src.items(), scope, r);
          if (c.where) this.condition(c.where, scope, r);
          break;
        }
        case "when":
        case "unless":
          this.condition(c.cond, scope, r);
          break;
        case "message":
          for (const part of c.message.parts) if (typeof part !== "string") this.path(part, scope, r, "W0310");
          break;
        case "mask": {
          const ty = this.expr(c.column, scope, r);
          if (!isColumnType(ty)) this.diags.add("W0304", `\`mask\` needs a column, \`${exprText(c.column)}\` is ${describe(ty)}`, c.column.span, "mask a column bound by `for col in statement.reads`");
          if (!(MASK_METHODS as readonly string[]).includes(c.method.name)) {
            this.diags.add("W0311", `unknown mask method \`${c.method.name}\``, c.method.span, didYouMean(c.method.name, MASK_METHODS) ?? "use `hash`, `redact`, `partial` or `null`");
          }
          break;
        }
        default:
          break;
      }
    }
  }

  /** Binds a `for`/`any`/`all` variable, refusing one that would hide another name. */
  private bind(v: A.Ident, ty: Ty, scope: Scope, r: A.RuleDecl): void {
    if (scope.has(v.name) || this.roots.includes(v.name) || this.consts.has(v.name)) {
      const what = scope.has(v.name) ? "a variable" : this.consts.has(v.name) ? "a constant" : "a root";
      this.diags.add("W0314", `\`${v.name}\` is already ${what} here`, v.span, `choose another name for this variable in rule \`${r.id.name}\``);
    }
    scope.set(v.name, ty);
  }

  private condition(e: A.Expr, scope: Scope, r: A.RuleDecl): void {
    const ty = this.expr(e, scope, r);
    if (!hasKind(ty, "boolean")) {
      this.diags.add("W0304", `expected a condition, \`${exprText(e)}\` is ${describe(ty)}`, e.span, "compare it, such as `x == \"value\"` or `x != null`");
    }
  }

  // --- expressions ------------------------------------------------------------

  private expr(e: A.Expr, scope: Scope, r: A.RuleDecl): Ty {
    switch (e.kind) {
      case "literal":
        return typeOfJson(e.value);
      case "list":
        return new SimpleTy(new Set(["array"]), unionOf(e.items.map((i) => this.expr(i, scope, r))));
      case "path":
        return this.path(e, scope, r, undefined);
      case "and":
      case "or":
        for (const a of e.args) this.condition(a, scope, r);
        return BOOLEAN;
      case "not":
        this.condition(e.arg, scope, r);
        return BOOLEAN;
      case "compare": {
        const l = this.expr(e.left, scope, r);
        const rt = this.expr(e.right, scope, r);
        if (e.op === "==" || e.op === "!=") {
          if (!overlaps(l, rt)) this.incompatible(e, l, rt);
          else {
            this.enumCheck(l, e.left, e.right);
            this.enumCheck(rt, e.right, e.left);
          }
        } else {
          const ordered = (t: Ty) => hasKind(t, "number", "string");
          if (!ordered(l) || !ordered(rt) || !overlaps(l, rt)) this.incompatible(e, l, rt, "`<`, `<=`, `>` and `>=` compare two numbers or two strings");
        }
        return BOOLEAN;
      }
      case "in": {
        const item = this.expr(e.item, scope, r);
        const coll = this.expr(e.collection, scope, r);
        if (!hasKind(coll, "array")) {
          this.diags.add("W0304", `\`in\` needs a list on its right, \`${exprText(e.collection)}\` is ${describe(coll)}`, e.collection.span);
        } else if (!overlaps(item, coll.items())) {
          this.diags.add("W0304", `\`${exprText(e.item)}\` is ${describe(item)} but \`${exprText(e.collection)}\` holds ${describe(coll.items())}`, e.span);
        } else {
          this.enumCheck(item, e.item, e.collection);
          this.enumCheck(coll.items(), e.collection, e.item);
        }
        return BOOLEAN;
      }
      case "contains": {
        const coll = this.expr(e.collection, scope, r);
        const item = this.expr(e.item, scope, r);
        const op = e.any ? "contains any" : "contains";
        if (!hasKind(coll, "array", "string")) {
          this.diags.add("W0304", `\`${op}\` needs a list or a string on its left, \`${exprText(e.collection)}\` is ${describe(coll)}`, e.collection.span);
          return BOOLEAN;
        }
        const elem = coll.any ? ANY : coll.kinds.has("array") ? coll.items() : STRING;
        if (e.any) {
          if (!hasKind(item, "array")) this.diags.add("W0304", `\`contains any\` needs a list on its right, \`${exprText(e.item)}\` is ${describe(item)}`, e.item.span);
          else if (!overlaps(elem, item.items())) this.diags.add("W0304", `\`${exprText(e.collection)}\` holds ${describe(elem)} but \`${exprText(e.item)}\` holds ${describe(item.items())}`, e.span);
          else this.enumCheck(elem, e.collection, e.item);
        } else if (!overlaps(elem, item)) {
          this.diags.add("W0304", `\`${exprText(e.collection)}\` holds ${describe(elem)} but \`${exprText(e.item)}\` is ${describe(item)}`, e.span);
        } else this.enumCheck(elem, e.collection, e.item);
        return BOOLEAN;
      }
      case "matches":
      case "like": {
        const v = this.expr(e.value, scope, r);
        if (!hasKind(v, "string")) this.diags.add("W0304", `\`${e.kind}\` needs a string, \`${exprText(e.value)}\` is ${describe(v)}`, e.value.span);
        const problem = e.kind === "matches" ? globProblem(e.pattern.value) : likeProblem(e.pattern.value);
        if (problem) this.diags.add("W0309", `invalid ${e.kind === "matches" ? "glob" : "LIKE"} pattern \`${e.pattern.value}\``, e.pattern.span, problem);
        return BOOLEAN;
      }
      case "is": {
        const v = this.expr(e.value, scope, r);
        if (!isColumnType(v)) this.diags.add("W0304", `\`is\` needs a column, \`${exprText(e.value)}\` is ${describe(v)}`, e.value.span, "test a column bound by `for col in statement.reads` (or writes)");
        const name = e.classification.name;
        if (!this.classifications.has(name)) {
          this.diags.add("W0305", `unknown classification \`${name}\``, e.classification.span, didYouMean(name, this.classifications.keys()) ?? `declare it with \`classify ${name}: "*.column_name"\``);
        }
        return BOOLEAN;
      }
      case "count": {
        const v = this.expr(e.arg, scope, r);
        if (!hasKind(v, "array", "object", "string")) this.diags.add("W0304", `\`count\` needs a list, an object or a string, \`${exprText(e.arg)}\` is ${describe(v)}`, e.arg.span);
        return NUMBER;
      }
      case "quant": {
        const coll = this.expr(e.collection, scope, r);
        if (!hasKind(coll, "array")) this.diags.add("W0304", `\`${e.quant}\` needs a list, \`${exprText(e.collection)}\` is ${describe(coll)}`, e.collection.span);
        const inner: Scope = new Map(scope);
        this.bind(e.variable, coll.any ? ANY : coll.items(), inner, r);
        this.condition(e.body, inner, r);
        return BOOLEAN;
      }
    }
  }

  private incompatible(e: A.CompareExpr, l: Ty, r: Ty, help?: string): void {
    this.diags.add("W0304", `cannot compare \`${exprText(e.left)}\` (${describe(l)}) with \`${exprText(e.right)}\` (${describe(r)})`, e.span, help);
  }

  /**
   * When `ty` lists its values (an enum) and `other` is a string literal or a list of
   * them, each literal must be one of the values.
   */
  private enumCheck(ty: Ty, subject: A.Expr, other: A.Expr): void {
    const values = ty.any ? undefined : (ty.enumValues ?? (ty.kinds.has("array") ? ty.items().enumValues : undefined));
    if (!values) return;
    const lits: { value: unknown; span: Span; via?: string }[] =
      other.kind === "literal" ? [other] : other.kind === "list" ? other.items.filter((i): i is A.LiteralExpr => i.kind === "literal") : [];
    // A constant (or a list constant) compared with an enum is checked too, reported where it is used.
    if (other.kind === "path" && other.segments.length === 0 && this.consts.has(other.root.name)) {
      const v = this.consts.get(other.root.name)!.value;
      for (const x of Array.isArray(v) ? v : [v]) lits.push({ value: x, span: other.span, via: other.root.name });
    }
    for (const lit of lits) {
      if (typeof lit.value !== "string" || values.includes(lit.value)) continue;
      const strings = values.filter((v): v is string => typeof v === "string");
      const suggestion = didYouMean(lit.value, strings) ?? `its values are ${strings.slice(0, 8).map((s) => `\`${s}\``).join(", ")}${strings.length > 8 ? ", ..." : ""}`;
      const message = `\`${exprText(subject)}\` is never \`${lit.value}\`${lit.via ? ` (from constant \`${lit.via}\`)` : ""}`;
      this.diags.add("W0303", message, lit.span, suggestion);
    }
  }

  private path(p: A.PathExpr, scope: Scope, r: A.RuleDecl, code: "W0310" | undefined): Ty {
    const name = p.root.name;
    const root = resolveRoot(name, (n) => scope.has(n), new Set(this.consts.keys()), this.schema);
    let ty: Ty;
    if (!root) {
      const binders = this.forVars.get(name);
      const rulesFor = binders?.filter((x) => x !== r.id.name) ?? [];
      if (binders?.includes(r.id.name)) {
        this.diags.add(code ?? "W0307", `\`${name}\` is used before its \`for\``, p.root.span, "a `for` variable is visible in the clauses after it");
      } else if (rulesFor.length) {
        this.diags.add(code ?? "W0307", `\`${name}\` is not in scope here`, p.root.span, `\`${name}\` is bound by a \`for\` in rule \`${rulesFor[0]}\`; bind it in this rule too`);
      } else {
        const candidates = [...this.roots, ...this.consts.keys(), ...scope.keys()];
        this.diags.add(code ?? "W0302", `unknown name \`${name}\``, p.root.span, didYouMean(name, candidates) ?? `a path starts with ${["statement", "identity", "session", "data"].map((x) => `\`${x}\``).join(", ")}, a constant or a variable`);
      }
      return ANY;
    }
    switch (root.kind) {
      case "local":
        ty = scope.get(name) ?? this.schema.statement;
        break;
      case "data":
        return ANY;
      case "input":
        ty = this.schema.input.field(name) ?? ANY;
        break;
      case "const": {
        const c = this.consts.get(name)!;
        c.used = true;
        ty = c.ty;
        break;
      }
    }
    for (let i = 0; i < p.segments.length; i++) {
      if (ty.any) return ANY;
      const seg = p.segments[i]!;
      const prefix = pathText(p, i);
      if (seg.kind === "index") {
        if (!ty.kinds.has("array")) {
          this.diags.add(code ?? "W0301", `\`${prefix}\` is ${describe(ty)}, not a list`, seg.span, "only lists take an index such as `[0]`");
          return ANY;
        }
        ty = ty.items();
        continue;
      }
      if (!ty.kinds.has("object")) {
        const help = ty.kinds.has("array") ? `iterate it: \`for x in ${prefix}\`, or \`any x in ${prefix}: x.${seg.name} ...\`, or index it: \`${prefix}[0].${seg.name}\`` : undefined;
        this.diags.add(code ?? "W0301", `\`${prefix}\` is ${describe(ty)}, it has no field \`${seg.name}\``, seg.span, help);
        return ANY;
      }
      const next = ty.field(seg.name);
      if (!next) {
        this.diags.add(code ?? "W0301", `unknown field \`${seg.name}\` in \`${prefix}\``, seg.span, didYouMean(seg.name, ty.fieldNames()) ?? `its fields are ${ty.fieldNames().slice(0, 12).map((f) => `\`${f}\``).join(", ")}`);
        return ANY;
      }
      ty = next;
    }
    return ty;
  }

  // --- tests ------------------------------------------------------------------

  private checkTest(t: A.TestDecl): void {
    if (!this.rules.has(t.rule.name)) {
      this.diags.add("W0306", `unknown rule \`${t.rule.name}\``, t.rule.span, didYouMean(t.rule.name, this.rules.keys()));
    }
    if (t.cases.length === 0) this.diags.add("W0312", `test \`${t.rule.name}\` has no cases`, t.rule.span, 'add a case such as `runtime "DROP TABLE t" => deny ' + t.rule.name + "`");
    for (const c of t.cases) {
      if (!(SCOPES as readonly string[]).includes(c.scope.name)) {
        this.diags.add("W0308", `unknown scope \`${c.scope.name}\``, c.scope.span, didYouMean(c.scope.name, SCOPES) ?? `use ${SCOPES.map((x) => `\`${x}\``).join(", ")}`);
      }
      if (c.identity) this.checkJson(c.identity, this.schema.input.field("identity") ?? ANY, "identity");
      if (c.session) this.checkJson(c.session, this.schema.input.field("session") ?? ANY, "session");
      // Configuration is free-form bundle data (like `data.*` paths): only its shape is checked.
      if (c.config && c.config.kind !== "object") {
        const what = c.config.kind === "array" ? "a list" : c.config.value === null ? "`null`" : `a ${typeof c.config.value}`;
        this.diags.add("W0312", `\`config\` is ${what}, not an object`, c.config.span, "write an object, such as `config { retraining: { allowed_schemas: [\"features\"] } }`");
      }
      // The catalog is SQL replayed before the case; its content is checked when the case runs.
      if (c.catalog && (c.catalog.kind !== "scalar" || typeof c.catalog.value !== "string")) {
        const v = c.catalog;
        const what = v.kind === "array" ? "a list" : v.kind === "object" ? "an object" : v.value === null ? "`null`" : `a ${typeof v.value}`;
        this.diags.add("W0312", `\`catalog\` is ${what}, not a string of SQL`, v.span, 'write the tables that exist before the case as SQL, such as `catalog "CREATE TABLE t (c varchar(10))"`');
      }
      const ex = c.expect;
      if (ex.kind === "allow" || ex.kind === "mask") continue;
      const rule = this.rules.get(ex.rule.name);
      if (!rule) {
        this.diags.add("W0306", `unknown rule \`${ex.rule.name}\``, ex.rule.span, didYouMean(ex.rule.name, this.rules.keys()));
        continue;
      }
      const outcome = ruleOutcome(rule);
      const severity = ruleSeverity(rule);
      if (!outcome || !severity) continue;
      const action = findingAction(outcome, severity);
      const expected = ex.kind === "approval" ? "require_approval" : ex.kind;
      if (action !== expected) {
        const says = { deny: "deny", warn: "warn", info: "info", mask: "mask", require_approval: "approval" }[action];
        this.diags.add("W0312", `rule \`${rule.id.name}\` never reports \`${ex.kind}\``, ex.span, action === "mask" ? "expect `=> mask <column>`" : `its findings are \`${says}\`: expect \`=> ${says} ${rule.id.name}\``);
      }
    }
  }

  /** Test-case objects must fit the input schema: an unknown key is a typo. */
  private checkJson(v: A.JsonLit, ty: Ty, at: string): void {
    if (ty.any || v.kind === "scalar") return;
    if (v.kind === "array") {
      for (const i of v.items) this.checkJson(i, ty.items(), `${at}[]`);
      return;
    }
    if (!ty.kinds.has("object")) {
      this.diags.add("W0312", `\`${at}\` is ${describe(ty)}, not an object`, v.span);
      return;
    }
    for (const e of v.entries) {
      const f = ty.field(e.key.name);
      if (!f) this.diags.add("W0301", `unknown field \`${e.key.name}\` in \`${at}\``, e.key.span, didYouMean(e.key.name, ty.fieldNames()) ?? `its fields are ${ty.fieldNames().map((x) => `\`${x}\``).join(", ")}`);
      else this.checkJson(e.value, f, `${at}.${e.key.name}`);
    }
  }
}

export function checkPolicies(files: A.PolicyFileAst[], schema: FactSchema): { program: CheckedProgram; diagnostics: Diagnostics } {
  const c = new Checker(schema);
  const program = c.check(files);
  return { program, diagnostics: c.diags };
}

export { NULL };
