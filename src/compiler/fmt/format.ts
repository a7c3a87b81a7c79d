// `warden fmt`: prints a parsed policy file in the one canonical layout (two-space
// indent, one clause or test case per line, the author's parentheses plus those the
// tree needs, the author's blank lines collapsed to one) and puts every `#` comment
// back next to the element it was written at.
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
  return { output: formatAst(r.ast, r.comments, text, r.parenthesized), diagnostics: r.diagnostics };
}

/** One output line (or block) and the source offsets of the element it prints. */
interface Line {
  text: string;
  indent: number;
  /** Source offset where the printed element starts. */
  anchor: number;
  /** A declaration boundary: a blank line goes before it whatever the source has. */
  separate: boolean;
  /** Opens a block: no blank line right after it. */
  opening: boolean;
  /** Closing braces: comments just before them belong inside the block. */
  closing: boolean;
  trailing: string[];
  /** Own-line comments written before the element, with their source offsets. */
  leading: { text: string; offset: number }[];
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

/** Operands print their own delimiters; parentheses around them are always dropped. */
function isCompound(e: A.Expr): boolean {
  return precOf(e) < PREC.operand;
}

const NO_PARENS: ReadonlySet<A.Expr> = new Set();

/**
 * Prints `e` so that it parses back to the same tree. `parens`: the expressions the
 * author wrote in parentheses; those stay parenthesised when compound (a doubled pair
 * prints once). `min`: the loosest precedence allowed without parentheses here; `tail`:
 * nothing follows in the enclosing expression (an `any`/`all` body reaches to the end,
 * so elsewhere it needs parentheses).
 */
export function formatExpr(e: A.Expr, parens: ReadonlySet<A.Expr> = NO_PARENS, min = 0, tail = true): string {
  const sub = (x: A.Expr, m: number, t: boolean): string => formatExpr(x, parens, m, t);
  const wrap = isCompound(e) && (parens.has(e) || precOf(e) < min || (e.kind === "quant" && !tail));
  if (wrap) return `(${bare(e, sub)})`;
  return bare(e, sub, tail);
}

/** `e` itself, without parentheses of its own; `sub` prints the children. */
function bare(e: A.Expr, sub: (x: A.Expr, min: number, tail: boolean) => string, tail = true): string {
  switch (e.kind) {
    case "literal":
      return literal(e.value, e.quote);
    case "list":
      return `[${e.items.map((i) => sub(i, PREC.operand, true)).join(", ")}]`;
    case "path":
      return path(e);
    case "or":
    case "and":
      // Same-operator children keep their parentheses: the tree stays as written.
      // An `and` inside an `or` is parenthesised too, for the reader; so for both
      // operators a child looser than `not` is wrapped.
      return e.args.map((a, i) => sub(a, PREC.not, tail && i === e.args.length - 1)).join(` ${e.kind} `);
    case "not":
      // `not any x in p: ...` reads as if `not` bound less tightly: keep the parentheses.
      return `not ${e.arg.kind === "quant" ? `(${bare(e.arg, sub)})` : sub(e.arg, PREC.not, tail)}`;
    case "quant":
      return `${e.quant} ${e.variable.name} in ${path(e.collection as A.PathExpr)}: ${sub(e.body, 0, true)}`;
    case "compare":
      return `${sub(e.left, PREC.operand, true)} ${e.op} ${sub(e.right, PREC.operand, true)}`;
    case "in":
      return `${sub(e.item, PREC.operand, true)} in ${sub(e.collection, PREC.operand, true)}`;
    case "contains":
      return `${sub(e.collection, PREC.operand, true)} contains ${e.any ? "any " : ""}${sub(e.item, PREC.operand, true)}`;
    case "matches":
    case "like":
      return `${sub(e.value, PREC.operand, true)} ${e.kind} ${str(e.pattern)}`;
    case "is":
      return `${sub(e.value, PREC.operand, true)} is ${e.classification.name}`;
    case "count":
      // count's own parentheses group its argument: the author's extra pair is dropped.
      return `count(${bare(e.arg, sub)})`;
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

function clause(c: A.Clause, indent: string, parens: ReadonlySet<A.Expr>): string {
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
      return `for ${c.variable.name} in ${path(c.source as A.PathExpr)}${c.where ? ` where ${formatExpr(c.where, parens)}` : ""}`;
    case "when":
      return `when ${formatExpr(c.cond, parens)}`;
    case "unless":
      return `unless ${formatExpr(c.cond, parens)}`;
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
  if (c.config) s += ` config ${json(c.config)}`;
  if (c.catalog) s += ` catalog ${json(c.catalog)}`;
  const ex = c.expect;
  const target = ex.kind === "allow" ? "allow" : ex.kind === "mask" ? `mask ${ex.column.map((x) => x.name).join(".")}` : `${ex.kind} ${ex.rule.name}`;
  return `${s} => ${target}`;
}

function declLines(d: A.Decl, prev: A.Decl | undefined, parens: ReadonlySet<A.Expr>, text: string): Line[] {
  const mk = (text: string, indent: number, anchor: number, kind: "opening" | "closing" | "plain" = "plain"): Line => ({
    text,
    indent,
    anchor,
    separate: false,
    opening: kind === "opening",
    closing: kind === "closing",
    trailing: [],
    leading: [],
  });
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
        // Long lists wrap: as many patterns per indented line as fit, and a pattern the
        // author started a line with starts one here too (lists are often grouped).
        const rows: string[] = [];
        let row = "";
        for (const [i, p] of pats.entries()) {
          const item = p + (i < pats.length - 1 ? "," : "");
          if (row && (2 + row.length + 1 + item.length > MAX_WIDTH || firstOnLine(text, d.patterns[i]!.span.start.offset))) {
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
      out.push(mk(`rule ${d.id.name} {`, 0, start, "opening"));
      for (const c of d.clauses) out.push(mk(clause(c, "  ", parens), 2, c.span.start.offset));
      out.push(mk("}", 0, d.span.end.offset - 1, "closing"));
      break;
    case "test":
      out.push(mk(`test ${d.rule.name} {`, 0, start, "opening"));
      for (const c of d.cases) out.push(mk(testCase(c), 2, c.span.start.offset));
      out.push(mk("}", 0, d.span.end.offset - 1, "closing"));
      break;
  }
  // Declarations of one line (classify, const) may stay together; anything else is set apart.
  const oneLiner = (x: A.Decl) => x.kind === "classify" || x.kind === "const";
  out[0]!.separate = prev !== undefined && !(oneLiner(d) && oneLiner(prev));
  return out;
}

/** Whether only blanks precede `offset` on its line. */
function firstOnLine(text: string, offset: number): boolean {
  return text.slice(text.lastIndexOf("\n", offset - 1) + 1, offset).trim() === "";
}

/**
 * Whether the author left a blank line right before the element at `offset`: it is the
 * first thing on its line and the line above holds only blanks. (A line inside a
 * triple-quoted string cannot be that line: the string would still be open.)
 */
function blankLineBefore(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  if (lineStart === 0 || !firstOnLine(text, offset)) return false;
  const prevStart = text.lastIndexOf("\n", lineStart - 2) + 1;
  return text.slice(prevStart, lineStart - 1).trim() === "";
}

export function formatAst(ast: A.PolicyFileAst, comments: readonly IToken[], text: string, parens: ReadonlySet<A.Expr> = NO_PARENS): string {
  const lines: Line[] = [];
  ast.decls.forEach((d, i) => lines.push(...declLines(d, ast.decls[i - 1], parens, text)));
  const tailComments: { text: string; offset: number }[] = [];
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
    if (next) next.leading.push({ text: body, offset: o });
    else tailComments.push({ text: body, offset: o });
  }

  // Blank lines: one wherever the author left one or more between two elements or
  // comments, plus the declaration separators; never at the top of the file, just
  // inside an opening brace, or just before a closing one.
  const out: string[] = [];
  let afterOpening = true;
  for (const l of lines) {
    const leadIndent = " ".repeat(l.closing ? l.indent + 2 : l.indent);
    const rows = [
      ...l.leading.map((c) => ({ text: leadIndent + c.text, offset: c.offset, element: false })),
      { text: " ".repeat(l.indent) + l.text + l.trailing.map((t) => `  ${t}`).join(""), offset: l.anchor, element: true },
    ];
    rows.forEach((r, i) => {
      let blank = blankLineBefore(text, r.offset) || (i === 0 && l.separate);
      if (r.element && l.closing) blank = false;
      if (i === 0 && afterOpening) blank = false;
      if (blank) out.push("");
      out.push(r.text);
    });
    afterOpening = l.opening;
  }
  tailComments.forEach((c, i) => {
    if (out.length && (i === 0 || blankLineBefore(text, c.offset))) out.push("");
    out.push(c.text);
  });
  return out.length ? `${out.join("\n")}\n` : "";
}
