// Reference interpreter of the Warden IR: the executable statement of ir.ts and
// docs/ir.md. Every back end (wasm, Rego) is tested for byte-identical output against it.
import type {
  Decision,
  Expr,
  Finding,
  JsonValue,
  Location,
  MaskEntry,
  MessagePart,
  PolicyIR,
  RuleIR,
  Severity,
  Action,
  Step,
} from "./ir.js";

type JsonObject = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------
// Values

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Own-property read: `__proto__`, `constructor` etc. are ordinary missing keys. */
function getKey(v: JsonValue, key: string): JsonValue {
  if (!isObject(v) || !Object.prototype.hasOwnProperty.call(v, key)) return null;
  const r = v[key];
  return r === undefined ? null : r;
}

function getIndex(v: JsonValue, index: number): JsonValue {
  if (!Array.isArray(v) || !Number.isInteger(index) || index < 0 || index >= v.length) return null;
  return v[index] ?? null;
}

/** Follow a path; a missing key, an index out of range, or a step into the wrong type reads as null. */
export function readPath(v: JsonValue, path: readonly (string | number)[]): JsonValue {
  let cur = v;
  for (const seg of path) {
    cur = typeof seg === "string" ? getKey(cur, seg) : getIndex(cur, seg);
    if (cur === null) return null;
  }
  return cur;
}

/** Deep structural equality; numbers by value, object key order irrelevant. */
export function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
      if (!deepEqual(a[k]!, b[k]!)) return false;
    }
    return true;
  }
  return false;
}

/**
 * Compare two strings by Unicode code point (not UTF-16 code unit, which is what
 * JavaScript's `<` does: U+FF5E sorts after U+1F600 by code unit, before it by code point).
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Only when both units are surrogates or neither are is code-unit order right;
    // a surrogate (an astral code point) sorts after every BMP unit.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa === sb) return ca < cb ? -1 : 1;
    return sa ? 1 : -1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ---------------------------------------------------------------------------
// Patterns

const DOT = 0x2e;

// Pattern tokens: a literal code point (>= 0), or one of the wildcards below.
const T_STAR = -1; // glob `*`: any run without `.`
const T_DSTAR = -2; // glob `**`: any run
const T_QUEST = -3; // glob `?`: one code point other than `.`
const T_PCT = -4; // LIKE `%`: any run
const T_UNDER = -5; // LIKE `_`: one code point

function globTokens(pattern: string): number[] {
  const cps = codePoints(pattern);
  const out: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === 0x2a /* * */) {
      if (cps[i + 1] === 0x2a) {
        out.push(T_DSTAR);
        i++;
      } else out.push(T_STAR);
    } else if (c === 0x3f /* ? */) out.push(T_QUEST);
    else out.push(c);
  }
  return out;
}

function likeTokens(pattern: string): number[] {
  const cps = codePoints(pattern);
  const out: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === 0x5c /* \ */) {
      // `\x` is a literal x; a trailing lone `\` is a literal backslash.
      if (i + 1 < cps.length) out.push(cps[++i]!);
      else out.push(c);
    } else if (c === 0x25 /* % */) out.push(T_PCT);
    else if (c === 0x5f /* _ */) out.push(T_UNDER);
    else out.push(c);
  }
  return out;
}

/** Dynamic programming over (token, position): linear in |pattern|·|subject|, no backtracking blow-up. */
function matchTokens(tokens: number[], s: number[]): boolean {
  // reach[j] = 1: the subject prefix of length j is matched by the tokens seen so far.
  let reach = new Uint8Array(s.length + 1);
  let next = new Uint8Array(s.length + 1);
  reach[0] = 1;
  for (const t of tokens) {
    next.fill(0);
    if (t === T_DSTAR || t === T_PCT || t === T_STAR) {
      for (let j = 0; j <= s.length; j++) {
        if (reach[j]) next[j] = 1;
        else if (j > 0 && next[j - 1] && (t !== T_STAR || s[j - 1] !== DOT)) next[j] = 1;
      }
    } else {
      for (let j = 1; j <= s.length; j++) {
        if (!reach[j - 1]) continue;
        const c = s[j - 1]!;
        if (t === T_UNDER || (t === T_QUEST && c !== DOT) || t === c) next[j] = 1;
      }
    }
    [reach, next] = [next, reach];
  }
  return reach[s.length] === 1;
}

// Patterns are few and reused for every column and statement: tokenise each once.
const globCache = new Map<string, number[]>();
const likeCache = new Map<string, number[]>();

function cached(cache: Map<string, number[]>, pattern: string, tokenize: (p: string) => number[]): number[] {
  let t = cache.get(pattern);
  if (!t) {
    if (cache.size > 10_000) cache.clear();
    t = tokenize(pattern);
    cache.set(pattern, t);
  }
  return t;
}

/** Glob match: `*` any run of code points except `.`, `**` any run, `?` one code point except `.`. */
export function globMatch(pattern: string, s: string): boolean {
  return matchTokens(cached(globCache, pattern, globTokens), codePoints(s));
}

/** SQL LIKE: `%` any run, `_` one code point, `\` makes the next character literal. Case-sensitive. */
export function likeMatch(pattern: string, s: string): boolean {
  return matchTokens(cached(likeCache, pattern, likeTokens), codePoints(s));
}

/** `email` → `*.*.email`, `users.email` → `*.users.email`; three or more parts stay as written. */
export function padClassificationPattern(pattern: string): string {
  const parts = pattern.split(".").length;
  return parts >= 3 ? pattern : "*.".repeat(3 - parts) + pattern;
}

/**
 * The qualified name `schema.table.column` a classification pattern is matched against,
 * or null when the column object has no string table and column (schema null/missing
 * reads as "public"; a schema of another type disqualifies the column too).
 */
export function qualifiedColumnName(column: JsonValue): string | null {
  if (!isObject(column)) return null;
  const schema = getKey(column, "schema");
  const table = getKey(column, "table");
  const name = getKey(column, "column");
  if (typeof table !== "string" || typeof name !== "string") return null;
  if (schema !== null && typeof schema !== "string") return null;
  return `${schema ?? "public"}.${table}.${name}`;
}

/**
 * `column is NAME`. `patterns` is data.warden.classifications[NAME] (non-arrays and
 * non-string elements contribute nothing).
 */
export function classificationMatch(column: JsonValue, name: string, patterns: JsonValue): boolean {
  if (!isObject(column)) return false;
  const tags = getKey(column, "classifications");
  if (Array.isArray(tags) && tags.some((t) => t === name)) return true;
  if (!Array.isArray(patterns)) return false;
  const qualified = qualifiedColumnName(column);
  if (qualified === null) return false;
  return patterns.some((p) => typeof p === "string" && globMatch(padClassificationPattern(p), qualified));
}

// ---------------------------------------------------------------------------
// Rendering

/** Numbers as in messages: integer digits for safe integers, else JavaScript's String(n). */
export function renderNumber(n: number): string {
  // String(n) already prints integers below 2^53 as plain digits and -0 as "0";
  // stated separately because back ends without String(n) must reproduce exactly this.
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return Math.abs(n) === 0 ? "0" : n.toFixed(0);
  return String(n);
}

/** JSON string literal: `"`/`\` escaped, controls below U+0020 as \b \f \n \r \t or \u00xx, rest raw. */
export function renderJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c < 0x20) {
      if (c === 0x08) out += "\\b";
      else if (c === 0x0c) out += "\\f";
      else if (c === 0x0a) out += "\\n";
      else if (c === 0x0d) out += "\\r";
      else if (c === 0x09) out += "\\t";
      else out += "\\u" + c.toString(16).padStart(4, "0");
    } else out += s[i];
  }
  return out + '"';
}

/** Compact JSON with object keys sorted by code point at every level (so back ends agree). */
export function renderJson(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return renderNumber(v);
  if (typeof v === "string") return renderJsonString(v);
  if (Array.isArray(v)) return "[" + v.map(renderJson).join(",") + "]";
  const keys = Object.keys(v).sort(compareCodePoints);
  return "{" + keys.map((k) => renderJsonString(k) + ":" + renderJson(v[k]!)).join(",") + "}";
}

/** An interpolated value in a message: string itself, null "", booleans, numbers, else compact JSON. */
export function renderValue(v: JsonValue): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  return renderJson(v);
}

// ---------------------------------------------------------------------------
// Expressions

/** What an expression sees: the input and data documents and the locals in scope. */
export interface Env {
  input: JsonValue;
  data: JsonValue;
  locals: Map<string, JsonValue>;
}

function withLocal(env: Env, name: string, value: JsonValue): Env {
  const locals = new Map(env.locals);
  locals.set(name, value);
  return { input: env.input, data: env.data, locals };
}

function iterate(v: JsonValue): readonly JsonValue[] {
  return Array.isArray(v) ? v : [];
}

/** Evaluate an expression. Total: never throws on any JSON input. */
export function evalExpr(e: Expr, env: Env): JsonValue {
  switch (e.op) {
    case "const":
      return e.value;
    case "ref": {
      const base = e.root === "input" ? env.input : e.root === "data" ? env.data : (env.locals.get(e.name ?? "") ?? null);
      return readPath(base, e.path);
    }
    case "==":
      return deepEqual(evalExpr(e.left, env), evalExpr(e.right, env));
    case "!=":
      return !deepEqual(evalExpr(e.left, env), evalExpr(e.right, env));
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const l = evalExpr(e.left, env);
      const r = evalExpr(e.right, env);
      let c: number;
      if (typeof l === "number" && typeof r === "number") c = l < r ? -1 : l > r ? 1 : 0;
      else if (typeof l === "string" && typeof r === "string") c = compareCodePoints(l, r);
      else return false;
      return e.op === "<" ? c < 0 : e.op === "<=" ? c <= 0 : e.op === ">" ? c > 0 : c >= 0;
    }
    case "in": {
      const item = evalExpr(e.item, env);
      return iterate(evalExpr(e.collection, env)).some((x) => deepEqual(x, item));
    }
    case "contains": {
      const coll = evalExpr(e.collection, env);
      const item = evalExpr(e.item, env);
      if (Array.isArray(coll)) return coll.some((x) => deepEqual(x, item));
      return typeof coll === "string" && typeof item === "string" && coll.includes(item);
    }
    case "contains_any": {
      const coll = evalExpr(e.collection, env);
      const items = iterate(evalExpr(e.items, env));
      if (Array.isArray(coll)) return items.some((it) => coll.some((x) => deepEqual(x, it)));
      if (typeof coll === "string") return items.some((it) => typeof it === "string" && coll.includes(it));
      return false;
    }
    case "matches": {
      const v = evalExpr(e.value, env);
      return typeof v === "string" && globMatch(e.pattern, v);
    }
    case "like": {
      const v = evalExpr(e.value, env);
      return typeof v === "string" && likeMatch(e.pattern, v);
    }
    case "is":
      return classificationMatch(
        evalExpr(e.column, env),
        e.classification,
        readPath(env.data, ["warden", "classifications", e.classification]),
      );
    case "count": {
      const v = evalExpr(e.value, env);
      if (Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      if (typeof v === "string") return codePointLength(v);
      return 0;
    }
    case "any":
      return iterate(evalExpr(e.collection, env)).some((x) => evalExpr(e.body, withLocal(env, e.local, x)) === true);
    case "all":
      return iterate(evalExpr(e.collection, env)).every((x) => evalExpr(e.body, withLocal(env, e.local, x)) === true);
    case "and":
      return e.args.every((a) => evalExpr(a, env) === true);
    case "or":
      return e.args.some((a) => evalExpr(a, env) === true);
    case "not":
      return evalExpr(e.arg, env) !== true;
    case "list":
      return e.items.map((x) => evalExpr(x, env));
  }
}

// ---------------------------------------------------------------------------
// Rules

/** The default data document of a policy: `{warden: {classifications, constants, config, catalogue}}`. */
export function defaultData(ir: PolicyIR): JsonValue {
  const catalogue: JsonObject = {};
  for (const r of ir.rules) catalogue[r.id] = { title: r.title, severity: r.severity, on: [...r.on], doc: r.doc };
  return {
    warden: {
      classifications: ir.data.classifications,
      constants: ir.data.constants,
      config: ir.data.config,
      catalogue,
    },
  };
}

/** Whether `rule` applies to this input document, before configuration. */
export function ruleApplies(rule: RuleIR, input: JsonValue): boolean {
  const context = readPath(input, ["context"]);
  if (context === "runtime") return rule.on.includes("runtime");
  if (context !== "ci" && context !== null) return false;
  const fileType = readPath(input, ["file", "type"]);
  return typeof fileType === "string" && (rule.on as string[]).includes(fileType);
}

/** Effective severity: data.warden.config.rules[id] when a severity, null when "off". */
export function effectiveSeverity(rule: RuleIR, data: JsonValue): Severity | null {
  const override = readPath(data, ["warden", "config", "rules", rule.id]);
  if (override === "off") return null;
  if (override === "error" || override === "warning" || override === "info") return override;
  return rule.severity;
}

export function effectiveAction(rule: RuleIR, severity: Severity): Action {
  if (rule.action === "mask" || rule.action === "require_approval") return rule.action;
  return severity === "error" ? "deny" : severity === "warning" ? "warn" : "info";
}

/** The first location candidate that is an object with numeric line and column; copies only the four keys. */
export function chooseLocation(candidates: JsonValue[]): Location | null {
  for (const c of candidates) {
    if (!isObject(c)) continue;
    const line = getKey(c, "line");
    const column = getKey(c, "column");
    if (typeof line !== "number" || typeof column !== "number") continue;
    const loc: Location = { line, column };
    const endLine = getKey(c, "end_line");
    const endColumn = getKey(c, "end_column");
    if (typeof endLine === "number") loc.end_line = endLine;
    if (typeof endColumn === "number") loc.end_column = endColumn;
    return loc;
  }
  return null;
}

function stringOrNull(v: JsonValue): string | null {
  return typeof v === "string" ? v : null;
}

function renderMessage(parts: MessagePart[], env: Env): string {
  let out = "";
  for (const p of parts) out += typeof p === "string" ? p : renderValue(evalExpr(p, env));
  return out;
}

function runSteps(steps: Step[], i: number, env: Env, emit: (env: Env) => void): void {
  if (i === steps.length) {
    emit(env);
    return;
  }
  const step = steps[i]!;
  if (step.kind === "filter") {
    if (evalExpr(step.cond, env) === true) runSteps(steps, i + 1, env, emit);
    return;
  }
  for (const x of iterate(evalExpr(step.source, env))) runSteps(steps, i + 1, withLocal(env, step.local, x), emit);
}

/** Total order of findings: statement, then rule id, then message (code points). */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.statement !== b.statement) return a.statement - b.statement;
  return compareCodePoints(a.rule, b.rule) || compareCodePoints(a.message, b.message);
}

/** `warden/findings` for one input document; `data` is the whole data document (default: defaultData(ir)). */
export function evaluateFindings(ir: PolicyIR, input: JsonValue, data?: JsonValue): Finding[] {
  const dataDoc = data === undefined ? defaultData(ir) : data;
  const statements = iterate(readPath(input, ["statements"]));
  const found: Finding[] = [];
  const seenByRule = new Map<string, Set<string>>(); // by id: two rules with one id still dedup together
  for (const rule of ir.rules) {
    let seen = seenByRule.get(rule.id);
    if (!seen) seenByRule.set(rule.id, (seen = new Set()));
    if (!ruleApplies(rule, input)) continue;
    const severity = effectiveSeverity(rule, dataDoc);
    if (severity === null) continue;
    const action = effectiveAction(rule, severity);
    statements.forEach((statement, index) => {
      const locals = new Map<string, JsonValue>([
        ["statement", statement],
        ["statement_index", index],
      ]);
      const env0: Env = { input, data: dataDoc, locals };
      runSteps(rule.body, 0, env0, (env) => {
        const outcome = rule.outcome;
        const location = chooseLocation(outcome.location.map((e) => evalExpr(e, env)));
        let message: string;
        let mask: MaskEntry | undefined;
        if (outcome.kind === "mask") {
          const col = evalExpr(outcome.column, env);
          mask = {
            schema: stringOrNull(readPath(col, ["schema"])),
            table: stringOrNull(readPath(col, ["table"])),
            column: stringOrNull(readPath(col, ["column"])),
            method: outcome.method,
          };
          message = `mask ${mask.schema ?? "public"}.${mask.table ?? ""}.${mask.column ?? ""} with ${outcome.method}`;
        } else {
          message = renderMessage(outcome.message, env);
        }
        // Dedup key within the rule id: the index's digits end at the first newline, so
        // no message text can collide with another (index, message) pair.
        const key = `${index}\n${message}`;
        if (seen.has(key)) return;
        seen.add(key);
        const f: Finding = { rule: rule.id, severity, action, message, statement: index, location };
        if (mask) f.mask = mask;
        found.push(f);
      });
    });
  }
  // Keys (statement, rule, message) are unique after dedup, so the order is total and
  // "keep the first" only depends on evaluation order: rules in IR order, then statements,
  // then bindings. Dedup never merges two rules or two statements, so iterating rules
  // outermost gives the same survivors as statements outermost.
  return found.sort(compareFindings);
}

/** `warden/decision` for one input document. */
export function evaluateDecision(ir: PolicyIR, input: JsonValue, data?: JsonValue): Decision {
  return decisionFromFindings(evaluateFindings(ir, input, data));
}

export function decisionFromFindings(findings: Finding[]): Decision {
  const masks: MaskEntry[] = [];
  const approvals: Decision["approvals"] = [];
  for (const f of findings) {
    if (f.mask && !masks.some((m) => deepEqual(m as unknown as JsonValue, f.mask as unknown as JsonValue))) {
      masks.push(f.mask);
    }
    if (f.action === "require_approval") approvals.push({ rule: f.rule, message: f.message, statement: f.statement });
  }
  return { allow: !findings.some((f) => f.action === "deny"), findings, masks, approvals };
}
