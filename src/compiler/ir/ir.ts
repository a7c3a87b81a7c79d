// The Warden IR: what the front end lowers a checked policy to, and what every
// back end consumes (reference interpreter, wasm code generator, Rego emitter).
//
// Overview
// --------
// A `PolicyIR` is a list of rules plus the bundle data they read. A rule is a
// query evaluated once per element of `input.statements`, with the local
// `statement` bound to that element and `statement_index` to its position:
//
//   for each statement (index i):
//     gate: the rule applies to this input (`on` vs input.context / input.file.type)
//           and the configuration does not turn it off
//     body: Step[] in order —
//       scan   : bind a local to each element of a collection (nested loop)
//       filter : keep going only when a condition is true
//     emit  : one finding per surviving combination of bindings
//
// Expressions are pure and total: they never fail. Value semantics, shared by all
// back ends (see docs/ir.md):
//   - Values are JSON values. A missing field, an index out of range, or a field of a
//     non-object reads as null.
//   - `==`/`!=` are deep structural equality (numbers by value). `< <= > >=` compare two
//     numbers or two strings (by Unicode code point); any other pair is false.
//   - In a boolean position (filter, and/or/not, any/all bodies) only `true` is true.
//   - `in`: item deep-equals an element of the array (false when not an array).
//   - `contains`: array contains an element deep-equal to item; string contains item as a
//     substring when both are strings; otherwise false.
//   - `contains_any`: array `collection` contains an element deep-equal to some element of
//     array `items`; string collection contains any of the string items as a substring.
//   - `matches`: glob over a string (`*` any run of characters except `.`, `**` any run
//     including `.`, `?` one character except `.`); non-string is false.
//   - `like`: SQL LIKE over a string (`%` any run, `_` one character, `\` escapes the
//     next character); non-string is false. Both are case-sensitive.
//   - `count`: length of an array, number of keys of an object, length (code points) of a
//     string; 0 for anything else.
//   - `is`: classification test on a column object, see `IsExpr`.
//   - Iteration (scan, any, all) over an array visits its elements in order; over
//     anything else visits nothing (so `all` over null is true, `any` false).
//
// Output documents (entrypoints `warden/findings` and `warden/decision`) are described
// by `Finding` and `Decision` below; both back ends and the interpreter must produce
// byte-identical JSON for the same input and data.

import type { Span } from "../../diagnostics/span.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type FileType = "migration" | "dbt_model" | "retraining" | "sql";
export type Scope = FileType | "runtime";
export type Severity = "error" | "warning" | "info";
export type Action = "deny" | "warn" | "info" | "mask" | "require_approval";
export type MaskMethod = "hash" | "redact" | "partial" | "null";

export interface PolicyIR {
  /** Dotted policy names of the source files, in file order (informational). */
  policies: string[];
  rules: RuleIR[];
  /**
   * Default bundle data, stored under `data.warden` (data.json is `{"warden": data}`):
   * { classifications: {name: pattern[]}, constants: {name: value}, config: {...},
   *   catalogue: {ruleId: {title, severity, on, doc}} }.
   * Rules read it only through `ref` expressions with root "data".
   */
  data: {
    classifications: Record<string, string[]>;
    constants: Record<string, JsonValue>;
    config: Record<string, JsonValue>;
  };
}

export interface RuleIR {
  id: string;
  title: string;
  doc: string;
  /** Default severity (from the rule's `severity` clause, else from the action). */
  severity: Severity;
  action: Action;
  /** File types and/or "runtime" the rule applies to; never empty. */
  on: Scope[];
  body: Step[];
  outcome: Outcome;
  span: Span;
}

export type Step = ScanStep | FilterStep;

/** Bind `local` to each element of `source` (an array); nothing when not an array. */
export interface ScanStep {
  kind: "scan";
  local: string;
  source: Expr;
  span: Span;
}

/** Continue only when `cond` is exactly true. */
export interface FilterStep {
  kind: "filter";
  cond: Expr;
  span: Span;
}

export type Outcome = MessageOutcome | MaskOutcome;

/** deny / warn / info / require_approval with an interpolated message. */
export interface MessageOutcome {
  kind: "message";
  message: MessagePart[];
  /**
   * Where the finding points: the first of these expressions whose value is an object
   * with numeric `line` and `column` (and optional `end_line`/`end_column`) wins;
   * the last entry is always `statement.location`.
   */
  location: Expr[];
}

/** mask <column> with <method>: `column` evaluates to a column object {schema, table, column}. */
export interface MaskOutcome {
  kind: "mask";
  column: Expr;
  method: MaskMethod;
  location: Expr[];
}

/**
 * Message text: literal strings and interpolated expressions. An interpolated value
 * renders as: string → itself; null → "" ; true/false → "true"/"false";
 * number → integer digits when it is an integer of magnitude < 2^53, else the
 * shortest round-trip decimal (as JavaScript's String(n)); array/object → compact JSON.
 */
export type MessagePart = string | Expr;

export type Expr =
  | ConstExpr
  | RefExpr
  | CompareExpr
  | InExpr
  | ContainsExpr
  | ContainsAnyExpr
  | MatchesExpr
  | LikeExpr
  | IsExpr
  | CountExpr
  | QuantExpr
  | LogicExpr
  | NotExpr
  | ListExpr;

export interface ConstExpr {
  op: "const";
  value: JsonValue;
}

/**
 * A path from a root. `root`:
 *   "input" — the input document (`file`, `statements`, `identity`, ... are input.X)
 *   "data"  — the bundle data (constants lower to data.warden.constants.NAME)
 *   "local" — a local bound by the statement loop (`statement`), a scan, or any/all;
 *             `name` says which.
 * `path` segments: a string selects an object key, an integer selects an array index.
 */
export interface RefExpr {
  op: "ref";
  root: "input" | "data" | "local";
  name?: string;
  path: (string | number)[];
}

export interface CompareExpr {
  op: "==" | "!=" | "<" | "<=" | ">" | ">=";
  left: Expr;
  right: Expr;
}

export interface InExpr {
  op: "in";
  item: Expr;
  collection: Expr;
}

export interface ContainsExpr {
  op: "contains";
  collection: Expr;
  item: Expr;
}

export interface ContainsAnyExpr {
  op: "contains_any";
  collection: Expr;
  items: Expr;
}

export interface MatchesExpr {
  op: "matches";
  value: Expr;
  pattern: string;
}

export interface LikeExpr {
  op: "like";
  value: Expr;
  pattern: string;
}

/**
 * `column is NAME`: true when `column` is an object and either
 *   (a) its `classifications` field is an array containing the string NAME, or
 *   (b) some pattern in data.warden.classifications[NAME] (an array of strings) matches
 *       the column's qualified name `schema.table.column` (schema null → "public").
 * Patterns are `[schema.]table.column` globs (see `matches`); a pattern with fewer than
 * three dot-separated parts is padded on the left with `*` parts (`email` = `*.*.email`,
 * `users.email` = `*.users.email`). `table` or `column` null or non-string → (b) is false.
 */
export interface IsExpr {
  op: "is";
  column: Expr;
  classification: string;
}

export interface CountExpr {
  op: "count";
  value: Expr;
}

/** any/all `local` in `collection`: `body` evaluated with `local` bound to each element. */
export interface QuantExpr {
  op: "any" | "all";
  local: string;
  collection: Expr;
  body: Expr;
}

export interface LogicExpr {
  op: "and" | "or";
  args: Expr[];
}

export interface NotExpr {
  op: "not";
  arg: Expr;
}

/** A list literal whose elements may be non-constant. */
export interface ListExpr {
  op: "list";
  items: Expr[];
}

// ---------------------------------------------------------------------------
// Output documents

export interface Location {
  line: number;
  column: number;
  end_line?: number;
  end_column?: number;
}

/**
 * One element of `warden/findings`. Keys appear in this order in JSON output.
 * `severity`: the rule's severity, overridden by data.warden.config.rules[id] when that is
 *   "error" | "warning" | "info"; a value of "off" drops the rule's findings entirely.
 * `action`: for deny/warn/info rules it follows the effective severity
 *   (error → "deny", warning → "warn", info → "info"); mask and require_approval keep theirs.
 * `statement`: the 0-based position of the statement in input.statements.
 * `location`: {line, column, end_line?, end_column?} copied from the chosen location
 *   object (only those four keys, only when numeric), or null when none applies.
 * Mask findings add `mask: {schema, table, column, method}` (each of schema/table/column
 *   copied from the column object, null when absent) and their message is
 *   "mask <schema>.<table>.<column> with <method>" (schema null → "public").
 */
export interface Finding {
  rule: string;
  severity: Severity;
  action: Action;
  message: string;
  statement: number;
  location: Location | null;
  mask?: MaskEntry;
}

export interface MaskEntry {
  schema: string | null;
  table: string | null;
  column: string | null;
  method: MaskMethod;
}

/**
 * `warden/decision`:
 *   allow:     false exactly when some finding has action "deny"
 *   findings:  the same list as `warden/findings`
 *   masks:     the `mask` objects of mask findings, deduplicated, in finding order
 *   approvals: {rule, message, statement} of require_approval findings, in finding order
 */
export interface Decision {
  allow: boolean;
  findings: Finding[];
  masks: MaskEntry[];
  approvals: { rule: string; message: string; statement: number }[];
}

// Findings are deduplicated on (rule, statement, message) keeping the first, and ordered
// by statement, then rule id, then message (both by Unicode code point). The gate: a rule
// applies when input.context == "runtime" and `on` includes "runtime", or when
// input.context is "ci" or absent and input.file.type is one of `on`.
