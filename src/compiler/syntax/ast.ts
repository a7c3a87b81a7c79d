// The Warden policy AST: what the parser builds from the concrete syntax tree and the
// checker, the lowering and the formatter read. Every node carries the span of its text.
import type { Span } from "../../diagnostics/span.js";
import type { JsonValue } from "../ir/ir.js";

export interface Ident {
  name: string;
  span: Span;
}

/** A string literal; `quote` remembers how it was written so `fmt` keeps it. */
export interface StringLit {
  value: string;
  quote: '"' | "'" | '"""';
  span: Span;
}

export interface PolicyFileAst {
  kind: "file";
  path: string;
  decls: Decl[];
  span: Span;
}

export type Decl = PolicyDecl | ClassifyDecl | ConstDecl | RuleDecl | TestDecl;

export interface PolicyDecl {
  kind: "policy";
  /** Dotted name parts, e.g. ["acme", "data_platform"]. */
  name: Ident[];
  span: Span;
}

export interface ClassifyDecl {
  kind: "classify";
  name: Ident;
  patterns: StringLit[];
  span: Span;
}

export interface ConstDecl {
  kind: "const";
  name: Ident;
  /** Constants are data (data.warden.constants.NAME), so their values are JSON. */
  value: JsonLit;
  span: Span;
}

export interface RuleDecl {
  kind: "rule";
  id: Ident;
  clauses: Clause[];
  span: Span;
}

export type Clause =
  | TitleClause
  | DocClause
  | SeverityClause
  | OnClause
  | ForClause
  | WhenClause
  | UnlessClause
  | MessageClause
  | MaskClause;

export interface TitleClause {
  kind: "title";
  text: StringLit;
  span: Span;
}

export interface DocClause {
  kind: "doc";
  text: StringLit;
  span: Span;
}

export interface SeverityClause {
  kind: "severity";
  value: Ident;
  span: Span;
}

export interface OnClause {
  kind: "on";
  scopes: Ident[];
  span: Span;
}

export interface ForClause {
  kind: "for";
  variable: Ident;
  source: Expr;
  where?: Expr;
  span: Span;
}

export interface WhenClause {
  kind: "when";
  cond: Expr;
  span: Span;
}

export interface UnlessClause {
  kind: "unless";
  cond: Expr;
  span: Span;
}

export type MessageAction = "deny" | "warn" | "info" | "require_approval";

export interface MessageClause {
  kind: "message";
  action: MessageAction;
  message: Message;
  span: Span;
}

export interface MaskClause {
  kind: "mask";
  column: Expr;
  method: Ident;
  span: Span;
}

/**
 * A message string split into literal text and interpolated paths. Only double-quoted
 * (and triple-quoted) messages interpolate; `{{` and `}}` stand for literal braces.
 */
export interface Message {
  text: StringLit;
  parts: (string | PathExpr)[];
}

export type Expr =
  | LiteralExpr
  | ListExpr
  | PathExpr
  | CompareExpr
  | InExpr
  | ContainsExpr
  | MatchesExpr
  | LikeExpr
  | IsExpr
  | CountExpr
  | QuantExpr
  | LogicExpr
  | NotExpr;

export interface LiteralExpr {
  kind: "literal";
  value: string | number | boolean | null;
  /** Set for string literals: the quoting as written. */
  quote?: StringLit["quote"];
  span: Span;
}

export interface ListExpr {
  kind: "list";
  items: Expr[];
  span: Span;
}

export type PathSegment = { kind: "field"; name: string; span: Span } | { kind: "index"; index: number; span: Span };

export interface PathExpr {
  kind: "path";
  root: Ident;
  segments: PathSegment[];
  span: Span;
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export interface CompareExpr {
  kind: "compare";
  op: CompareOp;
  left: Expr;
  right: Expr;
  span: Span;
}

export interface InExpr {
  kind: "in";
  item: Expr;
  collection: Expr;
  span: Span;
}

export interface ContainsExpr {
  kind: "contains";
  /** `contains any`: some element of `item` (a list) is in `collection`. */
  any: boolean;
  collection: Expr;
  item: Expr;
  span: Span;
}

export interface MatchesExpr {
  kind: "matches";
  value: Expr;
  pattern: StringLit;
  span: Span;
}

export interface LikeExpr {
  kind: "like";
  value: Expr;
  pattern: StringLit;
  span: Span;
}

export interface IsExpr {
  kind: "is";
  value: Expr;
  classification: Ident;
  span: Span;
}

export interface CountExpr {
  kind: "count";
  arg: Expr;
  span: Span;
}

export interface QuantExpr {
  kind: "quant";
  quant: "any" | "all";
  variable: Ident;
  collection: Expr;
  body: Expr;
  span: Span;
}

/** `a and b and c` is one node; parenthesised groups stay nested. */
export interface LogicExpr {
  kind: "and" | "or";
  args: Expr[];
  span: Span;
}

export interface NotExpr {
  kind: "not";
  arg: Expr;
  span: Span;
}

export interface TestDecl {
  kind: "test";
  rule: Ident;
  cases: TestCaseAst[];
  span: Span;
}

export type Expectation =
  | { kind: "deny" | "warn" | "info" | "approval"; rule: Ident; span: Span }
  | { kind: "allow"; span: Span }
  | { kind: "mask"; column: Ident[]; span: Span };

export interface TestCaseAst {
  scope: Ident;
  sql: StringLit;
  identity?: JsonLit;
  session?: JsonLit;
  intent?: StringLit;
  /** `config {...}`: merged into the bundle data's `warden.config` for this case only. */
  config?: JsonLit;
  /** `catalog "SQL"`: replayed as an earlier migration, so its tables exist before the case (the checker wants a string). */
  catalog?: JsonLit;
  expect: Expectation;
  span: Span;
}

/** A JSON-like literal: a constant's value, or in a test case `as {...}`, `session {...}`, `config {...}`. */
export type JsonLit =
  | { kind: "scalar"; value: string | number | boolean | null; quote?: StringLit["quote"]; span: Span }
  | { kind: "array"; items: JsonLit[]; span: Span }
  | { kind: "object"; entries: { key: Ident; value: JsonLit }[]; span: Span };

export function jsonOf(lit: JsonLit): JsonValue {
  switch (lit.kind) {
    case "scalar":
      return lit.value;
    case "array":
      return lit.items.map(jsonOf);
    case "object": {
      const out: { [k: string]: JsonValue } = {};
      for (const e of lit.entries) out[e.key.name] = jsonOf(e.value);
      return out;
    }
  }
}
