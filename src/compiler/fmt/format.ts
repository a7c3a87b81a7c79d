// `warden fmt`: prints a parsed policy file in the one canonical layout (two-space
// indent, one clause or test case per line, minimal parentheses, blank line between
// declarations) and puts every `#` comment back next to the element it was written at.
import type { IToken } from "chevrotain";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type * as A from "../syntax/ast.js";
import { parsePolicy } from "../syntax/parse.js";
import { encodeString } from "../syntax/strings.js";

export interface FormatResult {
  /** Undefined when the file has syntax errors (they are in `diagnostics`). */
  output?: string;
  diagnostics: Diagnostic[];
}

export function formatPolicy(file: string, text: string): FormatResult {
  const r = parsePolicy(file, text);
  if (r.diagnostics.some((d) => d.severity === "error")) return { diagnostics: r.diagnostics };
  return { output: formatAst(r.ast, r.comments, text), diagnostics: r.diagnostics };
}

/** One output line (or block) and the source offsets of the element it prints. */
interface Line {
  text: string;
  indent: number;
  /** Source offset where the printed element starts. */
  anchor: number;
  /** A blank line goes before this line (declaration boundary). */
  blankBefore: boolean;
  /** Closing braces: comments just before them belong inside the block. */
  closing: boolean;
  trailing: string[];
  leading: string[];
}

const MAX_WIDTH = 100;
const PREC = { or: 1, and: 2, not: 3, quant: 3, compare: 4, operand: 5 } as const;
const WORD = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/;

function precOf(e: A.Expr): number {
  switch (e.kind) {
    case "or":
      return PREC.or;
    case "and":
      return PREC.and;
    case "not":
      return PREC.not;
    case "quant":
      return PREC.quant;
    case "compare":
    case "in":
    case "contains":
    case "matches":
    case "like":
    case "is":
      return PREC.compare;
    default:
      return PREC.operand;
  }
}

function str(s: A.StringLit, indent = ""): string {
  return encodeString(s.value, s.quote, indent);
}

function literal(value: string | number | boolean | null, quote: A.StringLit["quote"] | undefined): string {
  if (typeof value === "string") return encodeString(value, quote ?? '"');
  return String(value);
}

function path(p: A.PathExpr): string {
  let s = p.root.name;
  for (const seg of p.segments) s += seg.kind === "field" ? `.${seg.name}` : `[${seg.index}]`;
  return s;
}

/**
 * Prints `e` so that it parses back to the same tree. `min`: the loosest precedence
 * allowed without parentheses here; `tail`: nothing follows in the enclosing
 * expression (an `any`/`all` body reaches to the end, so elsewhere it needs parentheses).
 */
export function formatExpr(e: A.Expr, min = 0, tail = true): string {
  const p = precOf(e);
  if (p < min || (e.kind === "quant" && !tail)) return `(${formatExpr(e, 0, true)})`;
  switch (e.kind) {
    case "literal":
      return literal(e.value, e.quote);
    case "list":
      return `[${e.items.map((i) => formatExpr(i, PREC.operand, true)).join(", ")}]`;
    case "path":
      return path(e);
    case "or":
    case "and":
      // Same-operator children keep their parentheses: the tree stays as written.
      // An `and` inside an `or` is parenthesised too, for the reader.
      return e.args
        .map((a, i) => (e.kind === "or" && a.kind === "and" ? `(${formatExpr(a, 0, true)})` : formatExpr(a, p + 1, tail && i === e.args.length - 1)))
        .join(` ${e.kind} `);
    case "not":
      // `not any x in p: ...` reads as if `not` bound less tightly: keep the parentheses.
      return `not ${e.arg.kind === "quant" ? `(${formatExpr(e.arg, 0, true)})` : formatExpr(e.arg, PREC.not, tail)}`;
    case "quant":
      return `${e.quant} ${e.variable.name} in ${path(e.collection as A.PathExpr)}: ${formatExpr(e.body, 0, true)}`;
    case "compare":
      return `${formatExpr(e.left, PREC.operand)} ${e.op} ${formatExpr(e.right, PREC.operand)}`;
    case "in":
      return `${formatExpr(e.item, PREC.operand)} in ${formatExpr(e.collection, PREC.operand)}`;
    case "contains":
      return `${formatExpr(e.collection, PREC.operand)} contains ${e.any ? "any " : ""}${formatExpr(e.item, PREC.operand)}`;
    case "matches":
    case "like":
      return `${formatExpr(e.value, PREC.operand)} ${e.kind} ${str(e.pattern)}`;
    case "is":
      return `${formatExpr(e.value, PREC.operand)} is ${e.classification.name}`;
    case "count":
      return `count(${formatExpr(e.arg, 0, true)})`;
  }
}

function json(v: A.JsonLit): string {
  switch (v.kind) {
    case "scalar":
      return literal(v.value, v.quote);
    case "array":
      return `[${v.items.map(json).join(", ")}]`;
    case "object":
      if (v.entries.length === 0) return "{}";
      return `{ ${v.entries.map((e) => `${WORD.test(e.key.name) ? e.key.name : encodeString(e.key.name, '"')}: ${json(e.value)}`).join(", ")} }`;
  }
}

function clause(c: A.Clause, indent: string): string {
  switch (c.kind) {
    case "title":
      return `title ${str(c.text, indent)}`;
    case "doc":
      return `doc ${str(c.text, indent)}`;
    case "severity":
      return `severity ${c.value.name}`;
    case "on":
      return `on ${c.scopes.map((s) => s.name).join(", ")}`;
    case "for":
      return `for ${c.variable.name} in ${path(c.source as A.PathExpr)}${c.where ? ` where ${formatExpr(c.where)}` : ""}`;
    case "when":
      return `when ${formatExpr(c.cond)}`;
    case "unless":
      return `unless ${formatExpr(c.cond)}`;
    case "message":
      return `${c.action === "require_approval" ? "require approval" : c.action} ${str(c.message.text, indent)}`;
    case "mask":
      return `mask ${path(c.column as A.PathExpr)} with ${c.method.name}`;
  }
}

function testCase(c: A.TestCaseAst): string {
  let s = `${c.scope.name} ${str(c.sql)}`;
  if (c.identity) s += ` as ${json(c.identity)}`;
  if (c.session) s += ` session ${json(c.session)}`;
  if (c.intent) s += ` intent ${str(c.intent)}`;
  const ex = c.expect;
  const target = ex.kind === "allow" ? "allow" : ex.kind === "mask" ? `mask ${ex.column.map((x) => x.name).join(".")}` : `${ex.kind} ${ex.rule.name}`;
  return `${s} => ${target}`;
}

function declLines(d: A.Decl, prev: A.Decl | undefined): Line[] {
  const mk = (text: string, indent: number, anchor: number, closing = false): Line => ({ text, indent, anchor, blankBefore: false, closing, trailing: [], leading: [] });
  const out: Line[] = [];
  const start = d.span.start.offset;
  switch (d.kind) {
    case "policy":
      out.push(mk(`policy ${d.name.map((n) => n.name).join(".")}`, 0, start));
      break;
    case "classify": {
      const head = `classify ${d.name.name}:`;
      const pats = d.patterns.map((p) => str(p));
      const flat = `${head} ${pats.join(", ")}`;
      if (flat.length <= MAX_WIDTH) out.push(mk(flat, 0, start));
      else {
        // Long lists wrap: as many patterns per indented line as fit.
        const rows: string[] = [];
        let row = "";
        for (const [i, p] of pats.entries()) {
          const item = p + (i < pats.length - 1 ? "," : "");
          if (row && 2 + row.length + 1 + item.length > MAX_WIDTH) {
            rows.push(row);
            row = item;
          } else row = row ? `${row} ${item}` : item;
        }
        rows.push(row);
        out.push(mk([head, ...rows.map((r) => `  ${r}`)].join("\n"), 0, start));
      }
      break;
    }
    case "const":
      out.push(mk(`const ${d.name.name} = ${json(d.value)}`, 0, start));
      break;
    case "rule":
      out.push(mk(`rule ${d.id.name} {`, 0, start));
      for (const c of d.clauses) out.push(mk(clause(c, "  "), 2, c.span.start.offset));
      out.push(mk("}", 0, d.span.end.offset - 1, true));
      break;
    case "test":
      out.push(mk(`test ${d.rule.name} {`, 0, start));
      for (const c of d.cases) out.push(mk(testCase(c), 2, c.span.start.offset));
      out.push(mk("}", 0, d.span.end.offset - 1, true));
      break;
  }
  // Declarations of one line (classify, const) stay together; anything else is set apart.
  const oneLiner = (x: A.Decl) => x.kind === "classify" || x.kind === "const";
  out[0]!.blankBefore = prev !== undefined && !(oneLiner(d) && oneLiner(prev));
  return out;
}

export function formatAst(ast: A.PolicyFileAst, comments: readonly IToken[], text: string): string {
  const lines: Line[] = [];
  ast.decls.forEach((d, i) => lines.push(...declLines(d, ast.decls[i - 1])));
  const tailComments: string[] = [];
  for (const c of comments) {
    const o = c.startOffset;
    const lineStart = text.lastIndexOf("\n", o - 1) + 1;
    const ownLine = text.slice(lineStart, o).trim() === "";
    const body = c.image.replace(/\s+$/, "");
    if (!ownLine) {
      // A trailing comment stays at the end of the element written before it.
      let host: Line | undefined;
      for (const l of lines) if (l.anchor < o) host = l;
      if (host) {
        host.trailing.push(body);
        continue;
      }
    }
    const next = lines.find((l) => l.anchor > o);
    if (next) next.leading.push(body);
    else tailComments.push(body);
  }

  const out: string[] = [];
  for (const l of lines) {
    if (l.blankBefore) out.push("");
    const leadIndent = " ".repeat(l.closing ? l.indent + 2 : l.indent);
    for (const c of l.leading) out.push(leadIndent + c);
    out.push(" ".repeat(l.indent) + l.text + l.trailing.map((t) => `  ${t}`).join(""));
  }
  if (tailComments.length) {
    if (out.length) out.push("");
    out.push(...tailComments);
  }
  return out.length ? `${out.join("\n")}\n` : "";
}
