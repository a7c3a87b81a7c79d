// IR → policy.wasm: compiles each rule to a wasm function and links the result into the
// prebuilt runtime library (src/compiler/wasm-runtime), producing an OPA ABI 1.3 module.
// Design, memory map and calling convention: docs/wasm.md.
import type { Expr, JsonValue, PolicyIR, RuleIR, Step, Scope, Severity } from "../../ir/ir.js";
import {
  I32, KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, importedFunctionCount, readModule, typeIndex, writeModule,
  type WasmModule,
} from "./binary.js";
import { FunctionBuilder, Op } from "./code.js";
import { StaticData } from "./layout.js";
import { RUNTIME_WASM_BASE64 } from "../../wasm-runtime/build/runtime-wasm.js";

export const ENTRYPOINTS: Record<string, number> = { "warden/findings": 0, "warden/decision": 1 };

/** Runtime helpers the generated code calls, by export name (all params and results i32). */
const HELPERS = {
  rt_eval_begin: 4,
  rt_eval_end: 2,
  rt_bad_entrypoint: 0,
  rt_nz: 1,
  rt_result_set: 1,
  rt_get: 3,
  rt_index: 2,
  rt_len: 1,
  rt_truthy: 1,
  rt_eq: 2,
  rt_cmp: 2,
  rt_in: 2,
  rt_contains: 2,
  rt_contains_any: 2,
  rt_glob: 3,
  rt_like: 3,
  rt_is: 2,
  rt_count: 1,
  rt_num_i: 1,
  rt_list_new: 1,
  rt_list_push: 2,
  rt_sb_new: 0,
  rt_sb_lit: 3,
  rt_sb_val: 2,
  rt_sb_str: 1,
  rt_findings_new: 0,
  rt_scope: 1,
  rt_severity: 2,
  rt_prepare: 1,
  rt_loc: 1,
  rt_emit: 7,
  rt_emit_mask: 7,
  rt_finish: 1,
  rt_decision: 1,
} as const;
type Helper = keyof typeof HELPERS;

const SCOPE_BITS: Record<Scope, number> = { migration: 1, dbt_model: 2, retraining: 4, sql: 8, runtime: 16 };
const SEVERITY_CODE: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const ACTION_CODE = { deny: 0, warn: 1, info: 2, mask: 3, require_approval: 4 } as const;

let runtimeCache: Uint8Array | null = null;

/** The runtime library's bytes (inlined at build time by scripts/build-runtime.mjs). */
export function runtimeBytes(): Uint8Array {
  runtimeCache ??= new Uint8Array(Buffer.from(RUNTIME_WASM_BASE64, "base64"));
  return runtimeCache;
}

/** Reads the address after the runtime's static data from `rt_static_end`'s body: `i32.const N; end`. */
function staticEnd(m: WasmModule, fn: number): number {
  const body = m.code[fn - importedFunctionCount(m)]!;
  if (body[0] !== 0 || body[1] !== Op.i32Const) throw new Error("wasm link: unexpected rt_static_end body");
  let v = 0;
  let shift = 0;
  let i = 2;
  for (;;) {
    const b = body[i++]!;
    v |= (b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  return v;
}

interface Ctx {
  m: WasmModule;
  data: StaticData;
  fn: Record<Helper, number>;
  consts: { null: number; true: number; false: number };
}

/**
 * Compile a policy's IR to a policy.wasm following OPA's wasm ABI 1.3. `runtime`: the
 * runtime library to link against (default: the committed build; tests and profiling
 * may pass an instrumented one).
 */
export function emitWasm(ir: PolicyIR, runtime: Uint8Array = runtimeBytes()): Uint8Array<ArrayBuffer> {
  const m = readModule(runtime);
  const exportIndex = new Map(m.exports.map((e) => [e.name, e]));
  const fn = {} as Record<Helper, number>;
  for (const [name, arity] of Object.entries(HELPERS) as [Helper, number][]) {
    const e = exportIndex.get(name);
    if (!e || e.kind !== KIND_FUNC) throw new Error(`wasm link: runtime lacks helper ${name}`);
    const t = m.types[m.functions[e.index - importedFunctionCount(m)]!]!;
    if (t.params.length !== arity) throw new Error(`wasm link: helper ${name} takes ${t.params.length} arguments, expected ${arity}`);
    fn[name] = e.index;
  }
  const endFn = exportIndex.get("rt_static_end");
  const heapGlobal = exportIndex.get("rt_heap_ptr");
  if (!endFn || !heapGlobal || heapGlobal.kind !== KIND_GLOBAL) throw new Error("wasm link: runtime lacks rt_static_end/rt_heap_ptr");

  const base = (staticEnd(m, endFn.index) + 15) & ~15;
  const data = new StaticData(base);
  const ctx: Ctx = {
    m,
    data,
    fn,
    consts: { null: data.value(null), true: data.value(true), false: data.value(false) },
  };

  const nextFunc = () => importedFunctionCount(m) + m.functions.length;
  const addFunction = (params: number, results: number, body: Uint8Array): number => {
    const idx = nextFunc();
    m.functions.push(typeIndex(m, new Array(params).fill(I32), new Array(results).fill(I32)));
    m.code.push(body);
    return idx;
  };

  // Rules first, then the entry that runs them, then the ABI functions over it.
  const ruleFns = ir.rules.map((rule) => addFunction(4, 0, compileRule(ctx, rule)));
  const entryFn = addFunction(3, 1, compileEntry(ctx, ruleFns));
  const opaEvalFn = addFunction(7, 1, compileOpaEval(ctx, entryFn));
  const evalFn = addFunction(1, 1, compileCtxEval(ctx, entryFn));
  const entrypointsFn = addFunction(0, 1, constFunction(data.value(ENTRYPOINTS)));
  const builtinsFn = addFunction(0, 1, constFunction(data.value({})));

  const heapStart = (base + data.size + 15) & ~15;
  m.globals[heapGlobal.index]!.init = Uint8Array.from([Op.i32Const, ...sleb(heapStart), Op.end]);
  m.data.push({ offset: base, bytes: data.finish(), raw: null });

  const mem = m.imports.find((i) => i.kind === KIND_MEMORY);
  if (!mem) throw new Error("wasm link: runtime does not import its memory");
  mem.min = Math.max(1, Math.ceil(heapStart / 65536));
  mem.max = null;

  m.exports = m.exports.filter((e) => !e.name.startsWith("rt_"));
  m.exports.push(
    { name: "memory", kind: KIND_MEMORY, index: 0 },
    { name: "opa_eval", kind: KIND_FUNC, index: opaEvalFn },
    { name: "eval", kind: KIND_FUNC, index: evalFn },
    { name: "entrypoints", kind: KIND_FUNC, index: entrypointsFn },
    { name: "builtins", kind: KIND_FUNC, index: builtinsFn },
  );
  return writeModule(m);
}

function sleb(v: number): number[] {
  const out: number[] = [];
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function constFunction(addr: number): Uint8Array {
  return new FunctionBuilder(0).i32(addr).finish();
}

// ---------------------------------------------------------------------------
// ABI glue

function compileEntry(ctx: Ctx, ruleFns: number[]): Uint8Array {
  // params: ep, input, data
  const f = new FunctionBuilder(3);
  const out = f.local();
  const scope = f.local();
  const found = f.local();
  // Unknown entrypoint ids abort before any work, as OPA's `eval` does.
  f.get(0).i32(1).op(Op.i32GtU);
  f.if();
  f.call(ctx.fn.rt_bad_entrypoint).op(Op.unreachable).end();
  f.call(ctx.fn.rt_findings_new).set(out);
  f.get(2).call(ctx.fn.rt_prepare);
  f.get(1).call(ctx.fn.rt_scope).set(scope);
  for (const r of ruleFns) f.get(1).get(2).get(out).get(scope).call(r);
  f.get(out).call(ctx.fn.rt_finish).set(found);
  f.get(0).if(I32);
  f.get(found).call(ctx.fn.rt_decision).else().get(found).end();
  return f.finish();
}

function compileOpaEval(ctx: Ctx, entryFn: number): Uint8Array {
  // params: reserved, entrypoint, data, input address, input length, heap, format
  const f = new FunctionBuilder(7);
  const input = f.local();
  f.get(0).get(5).get(3).get(4).call(ctx.fn.rt_eval_begin).set(input);
  f.get(1).get(input).get(2).call(ctx.fn.rt_nz).call(entryFn);
  f.get(6).call(ctx.fn.rt_eval_end);
  return f.finish();
}

function compileCtxEval(ctx: Ctx, entryFn: number): Uint8Array {
  // ctx layout {input@0, data@4, result@8, entrypoint@12}
  const f = new FunctionBuilder(1);
  f.get(0);
  f.get(0).load(12);
  f.get(0).load(0).call(ctx.fn.rt_nz);
  f.get(0).load(4).call(ctx.fn.rt_nz);
  f.call(entryFn).call(ctx.fn.rt_result_set);
  f.store(8);
  f.i32(0);
  return f.finish();
}

// ---------------------------------------------------------------------------
// Rules

interface RuleState {
  f: FunctionBuilder;
  rule: RuleIR;
  /** Locals by IR name: `statement`, `statement_index`, scan and quantifier bindings. */
  scope: Map<string, number>;
  /** The binding each name in scope refers to (memo tokens; `statement_index` has none). */
  tokens: Map<string, object>;
  /** Field paths worth remembering per binding (planMemos) and their locals once bound. */
  plan: Map<object, Set<string>>;
  memo: Map<object, Map<string, number>>;
  sev: number;
  index: number;
}

// ---------------------------------------------------------------------------
// Field-path memos. Reading a field is pure and total, so the value of a path such as
// `statement.kind` or `data.warden.constants.x` can be kept in a local after its first
// read and reused, exactly, until the binding it starts from changes. A path (and each of
// its prefixes) is remembered when it is read more than once in its binding's scope, or
// inside a loop that binding does not own (so `statement.index` inside `any s in
// statements: …` is read once per statement instead of once per pair). Memo locals are
// reset to 0 (no value address is 0) each time their binding is bound; those of `input`
// and `data` start at 0 with the rule's call.

const ROOT_INPUT = { root: "input" };
const ROOT_DATA = { root: "data" };
const STATEMENT = { local: "statement" };

function pathKey(path: (string | number)[], k: number): string {
  return JSON.stringify(path.slice(0, k));
}

function planMemos(rule: RuleIR): Map<object, Set<string>> {
  const occ = new Map<object, Map<string, { count: number; inLoop: boolean }>>();
  const scope = new Map<string, { token: object; depth: number }>([["statement", { token: STATEMENT, depth: 1 }]]);
  let depth = 1;
  const bind = (name: string, token: object, body: () => void) => {
    const saved = scope.get(name);
    depth++;
    scope.set(name, { token, depth });
    body();
    depth--;
    if (saved) scope.set(name, saved);
    else scope.delete(name);
  };
  const expr = (e: Expr): void => {
    if (e.op === "const") return;
    if (e.op === "ref") {
      const b = e.root === "input" ? { token: ROOT_INPUT, depth: 0 } : e.root === "data" ? { token: ROOT_DATA, depth: 0 } : scope.get(e.name ?? "");
      if (!b) return;
      let m = occ.get(b.token);
      if (!m) occ.set(b.token, (m = new Map()));
      for (let k = 1; k <= e.path.length; k++) {
        const key = pathKey(e.path, k);
        const o = m.get(key) ?? { count: 0, inLoop: false };
        o.count++;
        if (depth > b.depth) o.inLoop = true;
        m.set(key, o);
      }
      return;
    }
    if (e.op === "any" || e.op === "all") {
      expr(e.collection);
      bind(e.local, e, () => expr(e.body));
      return;
    }
    for (const v of Object.values(e)) {
      if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "op" in x) expr(x as Expr);
      if (v && typeof v === "object" && "op" in v) expr(v as Expr);
    }
  };
  const steps = (k: number): void => {
    if (k === rule.body.length) {
      const o = rule.outcome;
      o.location.forEach(expr);
      if (o.kind === "mask") expr(o.column);
      else for (const part of o.message) if (typeof part !== "string") expr(part);
      return;
    }
    const step = rule.body[k]!;
    if (step.kind === "filter") {
      expr(step.cond);
      steps(k + 1);
    } else {
      expr(step.source);
      bind(step.local, step, () => steps(k + 1));
    }
  };
  steps(0);
  const plan = new Map<object, Set<string>>();
  for (const [token, m] of occ) {
    const keep = new Set([...m].filter(([, o]) => o.count > 1 || o.inLoop).map(([k]) => k));
    if (keep.size) plan.set(token, keep);
  }
  return plan;
}

/** Allocates (once) the memo locals of a binding; `reset`: emit code zeroing them here. */
function bindMemos(st: RuleState, token: object, reset: boolean): void {
  const keys = st.plan.get(token);
  if (!keys) return;
  let m = st.memo.get(token);
  if (!m) {
    m = new Map();
    for (const k of keys) m.set(k, st.f.local());
    st.memo.set(token, m);
  }
  if (reset) for (const l of m.values()) st.f.i32(0).set(l);
}

const P_INPUT = 0;
const P_DATA = 1;
const P_OUT = 2;
const P_SCOPE = 3;

function usesLocal(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => usesLocal(n, name));
  if (node === null || typeof node !== "object") return false;
  const o = node as Record<string, unknown>;
  if (o.op === "const") return false;
  if (o.op === "ref" && o.root === "local" && o.name === name) return true;
  return Object.values(o).some((v) => usesLocal(v, name));
}

function compileRule(ctx: Ctx, rule: RuleIR): Uint8Array {
  const f = new FunctionBuilder(4);
  const sev = f.local();
  const stmts = f.local();
  const n = f.local();
  const i = f.local();
  const stmt = f.local();
  const st: RuleState = {
    f,
    rule,
    scope: new Map([["statement", stmt]]),
    tokens: new Map([["statement", STATEMENT]]),
    plan: planMemos(rule),
    memo: new Map(),
    sev,
    index: i,
  };
  if (usesLocal([rule.body, rule.outcome], "statement_index")) st.scope.set("statement_index", f.local());
  bindMemos(st, ROOT_INPUT, false);
  bindMemos(st, ROOT_DATA, false);

  const mask = rule.on.reduce((a, s) => a | (SCOPE_BITS[s] ?? 0), 0);
  f.get(P_SCOPE).i32(mask).op(Op.i32And).op(Op.i32Eqz);
  f.if();
  f.op(Op.return).end();
  f.i32(ctx.data.value(rule.id)).i32(SEVERITY_CODE[rule.severity]).call(ctx.fn.rt_severity).tee(sev);
  f.i32(3).op(Op.i32Eq);
  f.if();
  f.op(Op.return).end();

  f.get(P_INPUT).i32(ctx.data.value("statements")).i32(ctx.data.slot()).call(ctx.fn.rt_get).tee(stmts).call(ctx.fn.rt_len).set(n);
  f.i32(0).set(i);
  const done = f.block();
  const next = f.loop();
  f.get(i).get(n).op(Op.i32GeU).brIf(done);
  elementAt(f, stmts, i).set(stmt);
  bindMemos(st, STATEMENT, true);
  const si = st.scope.get("statement_index");
  if (si !== undefined) f.get(i).call(ctx.fn.rt_num_i).set(si);
  compileSteps(ctx, st, rule.body, 0);
  f.get(i).i32(1).op(Op.i32Add).set(i);
  f.br(next);
  f.end();
  f.end();
  return f.finish();
}

/** Element i of the array in local `arr` (i < its length), read inline: elems@12, u32 each. */
function elementAt(f: FunctionBuilder, arr: number, i: number): FunctionBuilder {
  return f.get(arr).load(12).get(i).i32(2).op(Op.i32Shl).op(Op.i32Add).load(0);
}

function compileSteps(ctx: Ctx, st: RuleState, steps: Step[], k: number): void {
  const f = st.f;
  if (k === steps.length) {
    compileOutcome(ctx, st);
    return;
  }
  const step = steps[k]!;
  if (step.kind === "filter") {
    compileBool(ctx, st, step.cond);
    f.if();
    compileSteps(ctx, st, steps, k + 1);
    f.end();
    return;
  }
  const coll = f.local();
  const n = f.local();
  const i = f.local();
  const x = f.local();
  compileValue(ctx, st, step.source);
  f.tee(coll).call(ctx.fn.rt_len).set(n);
  f.i32(0).set(i);
  const done = f.block();
  const next = f.loop();
  f.get(i).get(n).op(Op.i32GeU).brIf(done);
  elementAt(f, coll, i).set(x);
  const saved = st.scope.get(step.local);
  const savedToken = st.tokens.get(step.local);
  st.scope.set(step.local, x);
  st.tokens.set(step.local, step);
  bindMemos(st, step, true);
  compileSteps(ctx, st, steps, k + 1);
  restore(st.scope, step.local, saved);
  restore(st.tokens, step.local, savedToken);
  f.get(i).i32(1).op(Op.i32Add).set(i);
  f.br(next);
  f.end();
  f.end();
}

function restore<T>(scope: Map<string, T>, name: string, saved: T | undefined): void {
  if (saved === undefined) scope.delete(name);
  else scope.set(name, saved);
}

function compileOutcome(ctx: Ctx, st: RuleState): void {
  const f = st.f;
  const o = st.rule.outcome;
  const loc = f.local();
  o.location.forEach((e, k) => {
    if (k > 0) f.get(loc).op(Op.i32Eqz).if();
    compileValue(ctx, st, e);
    f.call(ctx.fn.rt_loc).set(loc);
    if (k > 0) f.end();
  });
  if (o.location.length === 0) f.i32(0).set(loc);
  if (o.kind === "mask") {
    f.get(P_OUT).i32(ctx.data.value(st.rule.id)).get(st.sev).i32(ctx.data.value(o.method)).get(st.index).get(loc);
    compileValue(ctx, st, o.column);
    f.call(ctx.fn.rt_emit_mask);
    return;
  }
  f.get(P_OUT).i32(ctx.data.value(st.rule.id)).get(st.sev);
  const action = st.rule.action;
  if (action === "deny" || action === "warn" || action === "info") f.get(st.sev);
  else f.i32(ACTION_CODE[action]);
  const sb = f.local();
  f.call(ctx.fn.rt_sb_new).set(sb);
  for (const part of o.message) {
    if (typeof part === "string") {
      if (part === "") continue;
      const [p, n] = ctx.data.bytes(part);
      f.get(sb).i32(p).i32(n).call(ctx.fn.rt_sb_lit);
    } else {
      f.get(sb);
      compileValue(ctx, st, part);
      f.call(ctx.fn.rt_sb_val);
    }
  }
  f.get(sb).call(ctx.fn.rt_sb_str);
  f.get(st.index).get(loc).call(ctx.fn.rt_emit);
}

// ---------------------------------------------------------------------------
// Expressions. compileValue leaves a value address; compileBool leaves 0 or 1
// ("only `true` is true"). Expressions are pure, so unneeded work may be skipped.

function isBoolOp(e: Expr): boolean {
  switch (e.op) {
    case "==": case "!=": case "<": case "<=": case ">": case ">=": case "in": case "contains":
    case "contains_any": case "matches": case "like": case "is": case "any": case "all":
    case "and": case "or": case "not":
      return true;
  }
  return false;
}

function compileValue(ctx: Ctx, st: RuleState, e: Expr): void {
  const f = st.f;
  if (isBoolOp(e)) {
    f.i32(ctx.consts.true).i32(ctx.consts.false);
    compileBool(ctx, st, e);
    f.op(Op.select);
    return;
  }
  switch (e.op) {
    case "const":
      f.i32(ctx.data.value(e.value));
      return;
    case "ref": {
      let base: number;
      let token: object | undefined;
      if (e.root === "input") [base, token] = [P_INPUT, ROOT_INPUT];
      else if (e.root === "data") [base, token] = [P_DATA, ROOT_DATA];
      else {
        const l = st.scope.get(e.name ?? "");
        // An unbound local reads as null, and so does every path below it.
        if (l === undefined) {
          f.i32(ctx.consts.null);
          return;
        }
        [base, token] = [l, st.tokens.get(e.name ?? "")];
      }
      const memo = token ? st.memo.get(token) : undefined;
      // The value of the first k segments of the path, through the memo locals planned for it.
      const prefix = (k: number): void => {
        if (k === 0) {
          f.get(base);
          return;
        }
        const m = memo?.get(pathKey(e.path, k));
        if (m !== undefined) {
          f.get(m).op(Op.i32Eqz).if();
          prefix(k - 1);
          segment(e.path[k - 1]!);
          f.set(m).end();
          f.get(m);
          return;
        }
        prefix(k - 1);
        segment(e.path[k - 1]!);
      };
      const segment = (seg: string | number): void => {
        if (typeof seg === "string") {
          f.i32(ctx.data.value(seg)).i32(ctx.data.slot()).call(ctx.fn.rt_get);
        } else if (Number.isInteger(seg) && seg >= 0 && seg <= 0x7fffffff) {
          f.i32(seg).call(ctx.fn.rt_index);
        } else {
          // Not a valid array index: reads as null whatever the base.
          f.op(Op.drop).i32(ctx.consts.null);
        }
      };
      prefix(e.path.length);
      return;
    }
    case "count":
      compileValue(ctx, st, e.value);
      f.call(ctx.fn.rt_count);
      return;
    case "list":
      f.i32(e.items.length).call(ctx.fn.rt_list_new);
      for (const item of e.items) {
        compileValue(ctx, st, item);
        f.call(ctx.fn.rt_list_push);
      }
      return;
  }
  throw new Error(`wasm codegen: unhandled value expression ${(e as Expr).op}`);
}

function compileBool(ctx: Ctx, st: RuleState, e: Expr): void {
  const f = st.f;
  switch (e.op) {
    case "const":
      f.i32(e.value === true ? 1 : 0);
      return;
    case "ref":
      compileValue(ctx, st, e);
      f.call(ctx.fn.rt_truthy);
      return;
    case "count":
    case "list":
      // A number or an array is never `true`.
      f.i32(0);
      return;
    case "==":
    case "!=":
      compileValue(ctx, st, e.left);
      compileValue(ctx, st, e.right);
      f.call(ctx.fn.rt_eq);
      if (e.op === "!=") f.op(Op.i32Eqz);
      return;
    case "<":
    case "<=":
    case ">":
    case ">=":
      // rt_cmp: -1, 0, 1, or 2 when the pair is not comparable.
      compileValue(ctx, st, e.left);
      compileValue(ctx, st, e.right);
      f.call(ctx.fn.rt_cmp);
      if (e.op === "<") f.i32(-1).op(Op.i32Eq);
      else if (e.op === "<=") f.i32(1).op(Op.i32Add).i32(2).op(Op.i32LtU);
      else if (e.op === ">") f.i32(1).op(Op.i32Eq);
      else f.i32(2).op(Op.i32LtU);
      return;
    case "in":
      compileValue(ctx, st, e.item);
      compileValue(ctx, st, e.collection);
      f.call(ctx.fn.rt_in);
      return;
    case "contains":
      compileValue(ctx, st, e.collection);
      compileValue(ctx, st, e.item);
      f.call(ctx.fn.rt_contains);
      return;
    case "contains_any":
      compileValue(ctx, st, e.collection);
      compileValue(ctx, st, e.items);
      f.call(ctx.fn.rt_contains_any);
      return;
    case "matches":
    case "like": {
      compileValue(ctx, st, e.value);
      const [p, n] = ctx.data.bytes(e.pattern);
      f.i32(p).i32(n).call(e.op === "matches" ? ctx.fn.rt_glob : ctx.fn.rt_like);
      return;
    }
    case "is": {
      compileValue(ctx, st, e.column);
      f.i32(ctx.data.value(e.classification)).call(ctx.fn.rt_is);
      return;
    }
    case "not":
      compileBool(ctx, st, e.arg);
      f.op(Op.i32Eqz);
      return;
    case "and":
    case "or":
      compileLogic(ctx, st, e.op, e.args, 0);
      return;
    case "any":
    case "all": {
      const coll = f.local();
      const n = f.local();
      const i = f.local();
      const x = f.local();
      compileValue(ctx, st, e.collection);
      f.tee(coll).call(ctx.fn.rt_len).set(n);
      f.i32(0).set(i);
      const out = f.block(I32);
      const next = f.loop();
      f.get(i).get(n).op(Op.i32GeU);
      f.if();
      f.i32(e.op === "any" ? 0 : 1).br(out).end();
      elementAt(f, coll, i).set(x);
      const saved = st.scope.get(e.local);
      const savedToken = st.tokens.get(e.local);
      st.scope.set(e.local, x);
      st.tokens.set(e.local, e);
      bindMemos(st, e, true);
      compileBool(ctx, st, e.body);
      restore(st.scope, e.local, saved);
      restore(st.tokens, e.local, savedToken);
      if (e.op === "all") f.op(Op.i32Eqz);
      f.if();
      f.i32(e.op === "any" ? 1 : 0).br(out).end();
      f.get(i).i32(1).op(Op.i32Add).set(i);
      f.br(next);
      f.end();
      f.op(Op.unreachable);
      f.end();
      return;
    }
  }
}

function compileLogic(ctx: Ctx, st: RuleState, op: "and" | "or", args: Expr[], k: number): void {
  const f = st.f;
  if (k === args.length) {
    f.i32(op === "and" ? 1 : 0);
    return;
  }
  if (k === args.length - 1) {
    compileBool(ctx, st, args[k]!);
    return;
  }
  compileBool(ctx, st, args[k]!);
  f.if(I32);
  if (op === "and") {
    compileLogic(ctx, st, op, args, k + 1);
    f.else().i32(0);
  } else {
    f.i32(1);
    f.else();
    compileLogic(ctx, st, op, args, k + 1);
  }
  f.end();
}

export type { JsonValue };
