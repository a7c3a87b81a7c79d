// CST → AST: walks chevrotain's concrete syntax tree and builds the typed AST with
// spans. It tolerates the partial trees error recovery leaves behind (missing children
// are skipped), because the AST of a file with syntax errors is still returned.
import type { CstNode, IToken } from "chevrotain";
import type { Diagnostics } from "../../diagnostics/diagnostic.js";
import type { LineIndex, Span } from "../../diagnostics/span.js";
import type * as A from "./ast.js";
import { decodeString } from "./strings.js";

type Child = CstNode | IToken;

function isToken(c: Child | undefined): c is IToken {
  return c !== undefined && (c as IToken).image !== undefined;
}

export class AstBuilder {
  /**
   * Expressions the author wrote inside parentheses. Not part of the AST (grouping is
   * already its shape, and ASTs compare equal however they were parenthesised); `fmt`
   * reads it to keep the parentheses the author chose.
   */
  readonly parenthesized = new Set<A.Expr>();

  constructor(
    private readonly file: string,
    private readonly index: LineIndex,
    private readonly diags: Diagnostics,
  ) {}

  // --- helpers ------------------------------------------------------------

  private span(start: number, endExclusive: number): Span {
    return this.index.span(this.file, start, endExclusive);
  }

  private tokSpan(t: IToken): Span {
    return this.span(t.startOffset, (t.endOffset ?? t.startOffset + t.image.length - 1) + 1);
  }

  private nodeSpan(n: CstNode): Span {
    const loc = n.location;
    if (loc && Number.isFinite(loc.startOffset) && Number.isFinite(loc.endOffset ?? NaN)) {
      return this.span(loc.startOffset, (loc.endOffset as number) + 1);
    }
    // Recovered nodes may lack a location: take it from their tokens.
    let lo = Infinity;
    let hi = -Infinity;
    const visit = (c: Child): void => {
      if (isToken(c)) {
        if (Number.isFinite(c.startOffset)) {
          lo = Math.min(lo, c.startOffset);
          hi = Math.max(hi, (c.endOffset ?? c.startOffset) + 1);
        }
      } else for (const k in c.children) for (const x of c.children[k]!) visit(x);
    };
    visit(n);
    return Number.isFinite(lo) ? this.span(lo, hi) : this.span(0, 0);
  }

  private spanOf(a: Span, b: Span): Span {
    return { file: this.file, start: a.start, end: b.end };
  }

  private tok(n: CstNode, key: string, i = 0): IToken | undefined {
    const c = n.children[key]?.[i];
    return isToken(c) && !c.isInsertedInRecovery && c.image !== "" ? c : undefined;
  }

  private toks(n: CstNode, key: string): IToken[] {
    return (n.children[key] ?? []).filter((c): c is IToken => isToken(c) && !c.isInsertedInRecovery);
  }

  private node(n: CstNode, key: string, i = 0): CstNode | undefined {
    const c = n.children[key]?.[i];
    return c !== undefined && !isToken(c) ? c : undefined;
  }

  private nodes(n: CstNode, key: string): CstNode[] {
    return (n.children[key] ?? []).filter((c): c is CstNode => !isToken(c));
  }

  private ident(t: IToken): A.Ident {
    return { name: t.image, span: this.tokSpan(t) };
  }

  private str(t: IToken): A.StringLit {
    const d = decodeString(t.image, t.startOffset);
    return { value: d.value, quote: d.quote, span: this.tokSpan(t) };
  }

  /** The first string-ish token under any of `keys`. */
  private anyStr(n: CstNode, ...keys: string[]): IToken | undefined {
    for (const k of keys) {
      const t = this.tok(n, k);
      if (t) return t;
    }
    return undefined;
  }

  // --- declarations ---------------------------------------------------------

  buildFile(cst: CstNode, path: string, textLength: number): A.PolicyFileAst {
    const decls: A.Decl[] = [];
    for (const d of this.nodes(cst, "decl")) {
      const built = this.decl(d);
      if (built) decls.push(built);
    }
    return { kind: "file", path, decls, span: this.span(0, textLength) };
  }

  private decl(n: CstNode): A.Decl | undefined {
    const p = this.node(n, "policyDecl");
    if (p) {
      const name = this.toks(p, "Name").map((t) => this.ident(t));
      return name.length ? { kind: "policy", name, span: this.nodeSpan(p) } : undefined;
    }
    const c = this.node(n, "classifyDecl");
    if (c) {
      const name = this.tok(c, "Name");
      if (!name) return undefined;
      return { kind: "classify", name: this.ident(name), patterns: this.toks(c, "StringLit").map((t) => this.str(t)), span: this.nodeSpan(c) };
    }
    const k = this.node(n, "constDecl");
    if (k) {
      const name = this.tok(k, "Identifier");
      const v = this.node(k, "jsonValue");
      const value = v && this.json(v);
      if (!name || !value) return undefined;
      return { kind: "const", name: this.ident(name), value, span: this.nodeSpan(k) };
    }
    const r = this.node(n, "ruleDecl");
    if (r) {
      const id = this.tok(r, "Name");
      if (!id) return undefined;
      const clauses: A.Clause[] = [];
      for (const cl of this.nodes(r, "clause")) {
        const built = this.clause(cl);
        if (built) clauses.push(built);
      }
      return { kind: "rule", id: this.ident(id), clauses, span: this.nodeSpan(r) };
    }
    const t = this.node(n, "testDecl");
    if (t) {
      const rule = this.tok(t, "Name");
      if (!rule) return undefined;
      const cases: A.TestCaseAst[] = [];
      for (const tc of this.nodes(t, "testCase")) {
        const built = this.testCase(tc);
        if (built) cases.push(built);
      }
      return { kind: "test", rule: this.ident(rule), cases, span: this.nodeSpan(t) };
    }
    return undefined;
  }

  private clause(n: CstNode): A.Clause | undefined {
    const [key, c] = Object.entries(n.children)[0] ?? [];
    if (!key || !c?.[0] || isToken(c[0])) return undefined;
    const node = c[0];
    const span = this.nodeSpan(node);
    switch (key) {
      case "titleClause": {
        const t = this.tok(node, "StringLit");
        return t && { kind: "title", text: this.str(t), span };
      }
      case "docClause": {
        const t = this.anyStr(node, "StringLit", "DocString");
        return t && { kind: "doc", text: this.str(t), span };
      }
      case "severityClause": {
        const t = this.tok(node, "Name");
        return t && { kind: "severity", value: this.ident(t), span };
      }
      case "onClause": {
        const scopes = this.toks(node, "Name").map((t) => this.ident(t));
        return scopes.length ? { kind: "on", scopes, span } : undefined;
      }
      case "forClause": {
        const v = this.tok(node, "Identifier");
        const p = this.node(node, "path");
        const source = p && this.path(p);
        if (!v || !source) return undefined;
        const w = this.node(node, "expression");
        const where = w && this.expression(w);
        if (w && !where) return undefined;
        return { kind: "for", variable: this.ident(v), source, ...(where ? { where } : {}), span };
      }
      case "whenClause":
      case "unlessClause": {
        const e = this.node(node, "expression");
        const cond = e && this.expression(e);
        if (!cond) return undefined;
        return key === "whenClause" ? { kind: "when", cond, span } : { kind: "unless", cond, span };
      }
      case "messageClause": {
        const action: A.MessageAction | undefined = this.tok(node, "Deny")
          ? "deny"
          : this.tok(node, "Warn")
            ? "warn"
            : this.tok(node, "Info")
              ? "info"
              : this.tok(node, "Require")
                ? "require_approval"
                : undefined;
        const t = this.anyStr(node, "StringLit", "DocString");
        if (!action || !t) return undefined;
        return { kind: "message", action, message: this.message(t), span };
      }
      case "maskClause": {
        const p = this.node(node, "path");
        const column = p && this.path(p);
        const method = this.tok(node, "Name");
        if (!column || !method) return undefined;
        return { kind: "mask", column, method: this.ident(method), span };
      }
    }
    return undefined;
  }

  private testCase(n: CstNode): A.TestCaseAst | undefined {
    const scope = this.tok(n, "Identifier");
    const sql = this.tok(n, "StringLit");
    const e = this.node(n, "expectation");
    const expect = e && this.expectation(e);
    if (!scope || !sql || !expect) return undefined;
    const out: A.TestCaseAst = { scope: this.ident(scope), sql: this.str(sql), expect, span: this.nodeSpan(n) };
    const id = this.node(n, "identity");
    if (id) {
      const v = this.json(id);
      if (v) out.identity = v;
    }
    const se = this.node(n, "session");
    if (se) {
      const v = this.json(se);
      if (v) out.session = v;
    }
    const intent = this.tok(n, "intent");
    if (intent) out.intent = this.str(intent);
    const cfg = this.node(n, "config");
    if (cfg) {
      const v = this.json(cfg);
      if (v) out.config = v;
    }
    const cat = this.node(n, "catalog");
    if (cat) {
      const v = this.json(cat);
      if (v) out.catalog = v;
    }
    return out;
  }

  private expectation(n: CstNode): A.Expectation | undefined {
    const span = this.nodeSpan(n);
    if (this.tok(n, "Allow")) return { kind: "allow", span };
    if (this.tok(n, "Mask")) {
      const column = this.toks(n, "column").map((t) => this.ident(t));
      return column.length ? { kind: "mask", column, span } : undefined;
    }
    const rule = this.tok(n, "rule");
    if (!rule) return undefined;
    const kind = this.tok(n, "Deny") ? "deny" : this.tok(n, "Warn") ? "warn" : this.tok(n, "Info") ? "info" : this.tok(n, "Approval") ? "approval" : undefined;
    return kind && { kind, rule: this.ident(rule), span };
  }

  // --- JSON-like literals ---------------------------------------------------

  private json(n: CstNode): A.JsonLit | undefined {
    const span = this.nodeSpan(n);
    if (n.name === "jsonObject") {
      const entries: { key: A.Ident; value: A.JsonLit }[] = [];
      for (const e of this.nodes(n, "jsonEntry")) {
        const k = this.tok(e, "Name");
        const ks = this.tok(e, "StringLit");
        const vn = this.node(e, "jsonValue");
        const value = vn && this.json(vn);
        if (!value || (!k && !ks)) continue;
        const key = k ? this.ident(k) : { name: this.str(ks!).value, span: this.tokSpan(ks!) };
        entries.push({ key, value });
      }
      return { kind: "object", entries, span };
    }
    if (n.name === "jsonArray") {
      const items: A.JsonLit[] = [];
      for (const v of this.nodes(n, "jsonValue")) {
        const built = this.json(v);
        if (built) items.push(built);
      }
      return { kind: "array", items, span };
    }
    // jsonValue
    const obj = this.node(n, "jsonObject") ?? this.node(n, "jsonArray");
    if (obj) return this.json(obj);
    const lit = this.scalar(n);
    return lit && { kind: "scalar", value: lit.value, ...(lit.quote ? { quote: lit.quote } : {}), span: lit.span };
  }

  private scalar(n: CstNode): A.LiteralExpr | undefined {
    const s = this.tok(n, "StringLit");
    if (s) {
      const str = this.str(s);
      return { kind: "literal", value: str.value, quote: str.quote, span: str.span };
    }
    const num = this.tok(n, "NumberLit");
    if (num) return { kind: "literal", value: Number(num.image), span: this.tokSpan(num) };
    for (const [key, value] of [["True", true], ["False", false], ["Null", null]] as const) {
      const t = this.tok(n, key);
      if (t) return { kind: "literal", value, span: this.tokSpan(t) };
    }
    return undefined;
  }

  // --- expressions ----------------------------------------------------------

  expression(n: CstNode): A.Expr | undefined {
    return this.logic(n, "andExpr", "or", (c) => this.logic(c, "notExpr", "and", (d) => this.notExpr(d)));
  }

  private logic(n: CstNode, childKey: string, op: "and" | "or", sub: (c: CstNode) => A.Expr | undefined): A.Expr | undefined {
    const args: A.Expr[] = [];
    for (const c of this.nodes(n, childKey)) {
      const e = sub(c);
      if (!e) return undefined;
      args.push(e);
    }
    if (args.length === 0) return undefined;
    if (args.length === 1) return args[0];
    return { kind: op, args, span: this.spanOf(args[0]!.span, args[args.length - 1]!.span) };
  }

  private notExpr(n: CstNode): A.Expr | undefined {
    const inner = this.node(n, "notExpr");
    if (this.tok(n, "Not") && inner) {
      const arg = this.notExpr(inner);
      return arg && { kind: "not", arg, span: this.nodeSpan(n) };
    }
    const q = this.node(n, "quantExpr");
    if (q) {
      const v = this.tok(q, "Identifier");
      const p = this.node(q, "path");
      const b = this.node(q, "expression");
      const collection = p && this.path(p);
      const body = b && this.expression(b);
      if (!v || !collection || !body) return undefined;
      return { kind: "quant", quant: this.tok(q, "Any") ? "any" : "all", variable: this.ident(v), collection, body, span: this.nodeSpan(q) };
    }
    const c = this.node(n, "comparison");
    return c && this.comparison(c);
  }

  private comparison(n: CstNode): A.Expr | undefined {
    const ops = this.nodes(n, "operand");
    const left = ops[0] && this.operand(ops[0]);
    if (!left) return undefined;
    const span = this.nodeSpan(n);
    const right = (): A.Expr | undefined => (ops[1] ? this.operand(ops[1]) : undefined);
    for (const [key, op] of [["EqEq", "=="], ["NotEq", "!="], ["LtEq", "<="], ["GtEq", ">="], ["Lt", "<"], ["Gt", ">"]] as const) {
      if (this.tok(n, key)) {
        const r = right();
        return r && { kind: "compare", op, left, right: r, span };
      }
    }
    if (this.tok(n, "In")) {
      const r = right();
      return r && { kind: "in", item: left, collection: r, span };
    }
    if (this.tok(n, "Contains")) {
      const r = right();
      return r && { kind: "contains", any: this.tok(n, "Any") !== undefined, collection: left, item: r, span };
    }
    if (this.tok(n, "Matches") || this.tok(n, "Like")) {
      const t = this.tok(n, "StringLit");
      if (!t) return undefined;
      return { kind: this.tok(n, "Matches") ? "matches" : "like", value: left, pattern: this.str(t), span };
    }
    if (this.tok(n, "Is")) {
      const t = this.tok(n, "Name");
      return t && { kind: "is", value: left, classification: this.ident(t), span };
    }
    if (n.children.EqEq || n.children.In || n.children.Contains || n.children.Is) return undefined;
    return left;
  }

  private operand(n: CstNode): A.Expr | undefined {
    const list = this.node(n, "listExpr");
    if (list) {
      const items: A.Expr[] = [];
      for (const o of this.nodes(list, "operand")) {
        const e = this.operand(o);
        if (!e) return undefined;
        items.push(e);
      }
      return { kind: "list", items, span: this.nodeSpan(list) };
    }
    const count = this.node(n, "countExpr");
    if (count) {
      const e = this.node(count, "expression");
      const arg = e && this.expression(e);
      return arg && { kind: "count", arg, span: this.nodeSpan(count) };
    }
    const paren = this.node(n, "parenExpr");
    if (paren) {
      const e = this.node(paren, "expression");
      const inner = e && this.expression(e);
      if (inner) this.parenthesized.add(inner);
      return inner;
    }
    const p = this.node(n, "path");
    if (p) return this.path(p);
    return this.scalar(n);
  }

  path(n: CstNode): A.PathExpr | undefined {
    const root = this.tok(n, "Identifier") ?? this.tok(n, "Session") ?? this.tok(n, "Intent");
    if (!root) return undefined;
    const segments: A.PathSegment[] = [];
    for (const s of this.nodes(n, "pathSegment")) {
      const name = this.tok(s, "Name");
      if (name) {
        segments.push({ kind: "field", name: name.image, span: this.tokSpan(name) });
        continue;
      }
      const num = this.tok(s, "NumberLit");
      if (!num) return undefined;
      const index = Number(num.image);
      if (!Number.isInteger(index) || index < 0) {
        this.diags.add("W0102", `invalid index \`${num.image}\``, this.tokSpan(num), "an index is a non-negative integer, such as `[0]`");
        return undefined;
      }
      segments.push({ kind: "index", index, span: this.nodeSpan(s) });
    }
    const last = segments[segments.length - 1];
    const rootSpan = this.tokSpan(root);
    return { kind: "path", root: this.ident(root), segments, span: last ? this.spanOf(rootSpan, last.span) : rootSpan };
  }

  // --- messages ---------------------------------------------------------------

  /**
   * Splits a message into text and `{path}` parts. Single-quoted messages are literal;
   * in the others `{{` and `}}` are literal braces and a lone brace is an error (W0310).
   */
  message(t: IToken): A.Message {
    const d = decodeString(t.image, t.startOffset);
    const text: A.StringLit = { value: d.value, quote: d.quote, span: this.tokSpan(t) };
    if (text.quote === "'") return { text, parts: text.value === "" ? [] : [text.value] };
    const v = d.value;
    const parts: (string | A.PathExpr)[] = [];
    let lit = "";
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      if (c === "{" && v[i + 1] === "{") {
        lit += "{";
        i++;
      } else if (c === "}" && v[i + 1] === "}") {
        lit += "}";
        i++;
      } else if (c === "}") {
        this.diags.add("W0310", "unmatched `}` in message", this.span(d.offsetAt(i), d.offsetAt(i) + 1), "write `}}` for a literal brace");
      } else if (c === "{") {
        const close = v.indexOf("}", i + 1);
        if (close === -1) {
          this.diags.add("W0310", "unclosed `{` in message", this.span(d.offsetAt(i), d.offsetAt(i) + 1), "close it with `}`, or write `{{` for a literal brace");
          break;
        }
        const inner = v.slice(i + 1, close);
        const path = this.interpolatedPath(inner, d.offsetAt, i + 1);
        if (path) {
          if (lit) parts.push(lit);
          lit = "";
          parts.push(path);
        }
        i = close;
      } else lit += c;
    }
    if (lit) parts.push(lit);
    return { text, parts };
  }

  private interpolatedPath(src: string, offsetAt: (i: number) => number, base: number): A.PathExpr | undefined {
    const at = (i: number): number => offsetAt(base + i);
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src);
    if (!m) {
      const s = src.length ? this.span(at(0), at(src.length - 1) + 1) : this.span(at(0) - 1, at(0) + 1);
      this.diags.add("W0310", `\`{${src}}\` is not a path`, s, "interpolate a path such as `{statement.kind}`, or write `{{` for a literal brace");
      return undefined;
    }
    const root: A.Ident = { name: m[0], span: this.span(at(0), at(m[0].length - 1) + 1) };
    const segments: A.PathSegment[] = [];
    let i = m[0].length;
    while (i < src.length) {
      const rest = src.slice(i);
      const f = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
      const x = /^\[(\d+)\]/.exec(rest);
      if (f) {
        segments.push({ kind: "field", name: f[1]!, span: this.span(at(i + 1), at(i + f[0].length - 1) + 1) });
        i += f[0].length;
      } else if (x) {
        segments.push({ kind: "index", index: Number(x[1]), span: this.span(at(i), at(i + x[0].length - 1) + 1) });
        i += x[0].length;
      } else {
        this.diags.add("W0310", `\`{${src}}\` is not a path`, this.span(at(i), at(src.length - 1) + 1), "interpolate a path such as `{statement.targets[0].name}`");
        return undefined;
      }
    }
    const end = segments.length ? segments[segments.length - 1]!.span : root.span;
    return { kind: "path", root, segments, span: this.spanOf(root.span, end) };
  }
}
