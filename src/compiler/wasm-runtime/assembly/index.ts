// Entry of the Warden wasm runtime library: the OPA ABI exports implemented once, plus
// `rt_*` helpers that generated rule code calls (the linker finds them by export name and
// removes those exports from policy.wasm). See docs/wasm.md.
import { HEAP_PTR as HEAP, alloc, abort_msg } from "./mem";
import * as mem from "./mem";
import {
  T_NULL, T_BOOL, T_STR, T_ARR, T_OBJ, T_NUM, NULLV, TRUEV,
  tag, vlen, sptr, num, elem, okeys, ovals, get_field, get_field_k, deep_eq, str_cmp, mk_num, mk_str, arr_new, arr_push, obj_new, obj_put, obj_find,
} from "./value";
import { parse, dump, sb_new, sb_bytes, sb_value, sb_to_str, sb_byte } from "./json";
import { glob, like, classified } from "./match";
import * as W from "./warden";
import { S_RESULT } from "./strings";

export { HEAP_PTR as rt_heap_ptr } from "./mem";

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 3;

/** Address of the first byte after the runtime's own static data (read by the linker). */
export function rt_static_end(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------
// Heap

export function opa_malloc(n: usize): usize {
  return alloc(n);
}
export function opa_free(p: usize): void {}
export function opa_value_free(p: usize): void {}
export function opa_heap_ptr_get(): usize {
  return mem.HEAP_PTR;
}
export function opa_heap_ptr_set(p: usize): void {
  mem.HEAP_PTR = p;
}
// A bump allocator keeps no free lists, so there is nothing to stash or restore.
export function opa_heap_blocks_stash(): void {}
export function opa_heap_blocks_restore(): void {}
export function opa_heap_stash_clear(): void {}

// ---------------------------------------------------------------------------
// Values

export function opa_json_parse(p: usize, n: u32): usize {
  return parse(p, n, false);
}
export function opa_value_parse(p: usize, n: u32): usize {
  return parse(p, n, true);
}
export function opa_json_dump(v: usize): usize {
  return dump(v, 0);
}
export function opa_value_dump(v: usize): usize {
  return dump(v, 1);
}

function walk_path(base: usize, path: usize, create: bool): usize {
  let cur = base;
  const n = vlen(path);
  for (let i: u32 = 0; i + 1 < n; i++) {
    const k = elem(path, i);
    if (tag(k) != T_STR) return 0;
    const idx = obj_find(cur, sptr(k), vlen(k));
    let next: usize;
    if (idx < 0) {
      if (!create) return 1;
      next = obj_new(4);
      obj_put(cur, k, next);
    } else next = load<u32>(ovals(cur) + (<usize>idx << 2));
    if (tag(next) != T_OBJ) return 0;
    cur = next;
  }
  return cur;
}

/** Error codes: 0 ok, 2 invalid type, 3 invalid path. */
export function opa_value_add_path(base: usize, path: usize, value: usize): i32 {
  if (path == 0 || tag(path) != T_ARR || vlen(path) == 0) return 3;
  if (base == 0 || tag(base) != T_OBJ) return 2;
  const parent = walk_path(base, path, true);
  if (parent == 0) return 2;
  const k = elem(path, vlen(path) - 1);
  if (tag(k) != T_STR) return 2;
  obj_put(parent, k, value);
  return 0;
}

export function opa_value_remove_path(base: usize, path: usize): i32 {
  if (path == 0 || tag(path) != T_ARR || vlen(path) == 0) return 3;
  if (base == 0 || tag(base) != T_OBJ) return 2;
  const parent = walk_path(base, path, false);
  if (parent == 0) return 2;
  if (parent == 1) return 0;
  const k = elem(path, vlen(path) - 1);
  if (tag(k) != T_STR) return 2;
  const i = obj_find(parent, sptr(k), vlen(k));
  if (i < 0) return 0;
  const n = vlen(parent);
  const rest = <usize>(n - 1 - <u32>i) << 2;
  memory.copy(okeys(parent) + (<usize>i << 2), okeys(parent) + (<usize>(i + 1) << 2), rest);
  memory.copy(ovals(parent) + (<usize>i << 2), ovals(parent) + (<usize>(i + 1) << 2), rest);
  store<u32>(parent, n - 1, 4);
  return 0;
}

// ---------------------------------------------------------------------------
// Evaluation context (ABI < 1.2 hosts): {input@0, data@4, result@8, entrypoint@12}

export function opa_eval_ctx_new(): usize {
  const c = alloc(16);
  memory.fill(c, 0, 16);
  return c;
}
export function opa_eval_ctx_set_input(c: usize, v: usize): void {
  store<u32>(c, v, 0);
}
export function opa_eval_ctx_set_data(c: usize, v: usize): void {
  store<u32>(c, v, 4);
}
export function opa_eval_ctx_set_entrypoint(c: usize, ep: i32): void {
  store<i32>(c, ep, 12);
}
export function opa_eval_ctx_get_result(c: usize): usize {
  return load<u32>(c, 8);
}

const MSG_RESERVED = memory.data<u8>([111, 112, 97, 95, 101, 118, 97, 108, 58, 32, 114, 101, 115, 101, 114, 118, 101, 100, 32, 97, 114, 103, 117, 109, 101, 110, 116, 32, 109, 117, 115, 116, 32, 98, 101, 32, 48, 0]); // "opa_eval: reserved argument must be 0"
const MSG_INPUT = memory.data<u8>([111, 112, 97, 95, 101, 118, 97, 108, 58, 32, 105, 110, 118, 97, 108, 105, 100, 32, 105, 110, 112, 117, 116, 0]); // "opa_eval: invalid input"
const MSG_EP = memory.data<u8>([105, 110, 116, 101, 114, 110, 97, 108, 58, 32, 105, 108, 108, 101, 103, 97, 108, 32, 101, 110, 116, 114, 121, 112, 111, 105, 110, 116, 32, 105, 100, 0]); // "internal: illegal entrypoint id"

/** opa_eval prologue: reset the heap to `heap` and parse the input (0 bytes: undefined, read as null). */
export function rt_eval_begin(reserved: i32, heap: usize, p: usize, n: u32): usize {
  if (reserved != 0) abort_msg(MSG_RESERVED);
  mem.HEAP_PTR = heap;
  if (n == 0) return NULLV;
  const v = parse(p, n, true);
  if (v == 0) abort_msg(MSG_INPUT);
  return v;
}

/** opa_eval epilogue: the serialized result set; format 0 JSON `[{"result":V}]`, 1 Rego text `{{"result":V}}`. */
export function rt_eval_end(result: usize, format: i32): usize {
  const b = sb_new(256);
  const o = obj_new(1);
  obj_put(o, mk_str(S_RESULT, 6), result);
  sb_byte(b, format == 1 ? 123 : 91);
  sb_value(b, o, format == 1 ? 1 : 0);
  sb_byte(b, format == 1 ? 125 : 93);
  sb_byte(b, 0);
  return load<u32>(b);
}

export function rt_bad_entrypoint(): void {
  abort_msg(MSG_EP);
}

export function rt_nz(v: usize): usize {
  return v == 0 ? NULLV : v;
}

export function rt_result_set(v: usize): usize {
  return W.result_set(v);
}

// ---------------------------------------------------------------------------
// Helpers for generated rule code

/**
 * Field read; `k` is a constant string value of the policy (its hash laid out with it),
 * `hint` the call site's word holding where the key was found last time: objects of one
 * shape (statements, columns) keep their keys in the same order, so the first probe
 * usually hits. The hint is checked like any other position, so a stale one only costs
 * the scan.
 */
export function rt_get(v: usize, k: usize, hint: usize): usize {
  if (tag(v) != T_OBJ) return NULLV;
  const n = vlen(v);
  const h = load<u32>(k, 12);
  const kp = sptr(k), kl = vlen(k);
  const ks = okeys(v);
  const at = load<u32>(hint);
  if (at < n) {
    const x = load<u32>(ks + (<usize>at << 2));
    if (load<u32>(x, 12) == h && vlen(x) == kl && memory.compare(sptr(x), kp, kl) == 0) return load<u32>(ovals(v) + (<usize>at << 2));
  }
  if ((load<u32>(v, 20) & (1 << (h >> 27))) == 0) return NULLV;
  for (let i: u32 = 0; i < n; i++) {
    const x = load<u32>(ks + (<usize>i << 2));
    if (load<u32>(x, 12) == h && vlen(x) == kl && memory.compare(sptr(x), kp, kl) == 0) {
      store<u32>(hint, i);
      return load<u32>(ovals(v) + (<usize>i << 2));
    }
  }
  return NULLV;
}
export function rt_index(v: usize, i: i32): usize {
  if (tag(v) != T_ARR || i < 0 || <u32>i >= vlen(v)) return NULLV;
  return elem(v, <u32>i);
}
/** Iteration length: arrays only (anything else visits nothing). */
export function rt_len(v: usize): u32 {
  return tag(v) == T_ARR ? vlen(v) : 0;
}
export function rt_truthy(v: usize): i32 {
  return tag(v) == T_BOOL && load<u32>(v, 4) != 0 ? 1 : 0;
}
export function rt_eq(a: usize, b: usize): i32 {
  return deep_eq(a, b) ? 1 : 0;
}
/** -1, 0, 1 for two numbers or two strings; 2 for any other pair. */
export function rt_cmp(a: usize, b: usize): i32 {
  const t = tag(a);
  if (t != tag(b)) return 2;
  if (t == T_NUM) {
    const x = num(a), y = num(b);
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
  }
  if (t == T_STR) return str_cmp(a, b);
  return 2;
}
function arr_has(coll: usize, item: usize): bool {
  const n = vlen(coll);
  for (let i: u32 = 0; i < n; i++) if (deep_eq(elem(coll, i), item)) return true;
  return false;
}
function substr(h: usize, n: usize): bool {
  const hl = vlen(h), nl = vlen(n);
  if (nl > hl) return false;
  const hp = sptr(h), np = sptr(n);
  for (let i: u32 = 0; i + nl <= hl; i++) if (memory.compare(hp + i, np, nl) == 0) return true;
  return false;
}
export function rt_in(item: usize, coll: usize): i32 {
  return tag(coll) == T_ARR && arr_has(coll, item) ? 1 : 0;
}
export function rt_contains(coll: usize, item: usize): i32 {
  if (tag(coll) == T_ARR) return arr_has(coll, item) ? 1 : 0;
  return tag(coll) == T_STR && tag(item) == T_STR && substr(coll, item) ? 1 : 0;
}
export function rt_contains_any(coll: usize, items: usize): i32 {
  if (tag(items) != T_ARR) return 0;
  const n = vlen(items);
  if (tag(coll) == T_ARR) {
    for (let i: u32 = 0; i < n; i++) if (arr_has(coll, elem(items, i))) return 1;
    return 0;
  }
  if (tag(coll) == T_STR) {
    for (let i: u32 = 0; i < n; i++) {
      const it = elem(items, i);
      if (tag(it) == T_STR && substr(coll, it)) return 1;
    }
  }
  return 0;
}
export function rt_glob(v: usize, pp: usize, pl: u32): i32 {
  return glob(v, pp, pl) ? 1 : 0;
}
export function rt_like(v: usize, pp: usize, pl: u32): i32 {
  return like(v, pp, pl) ? 1 : 0;
}
/** `col is NAME`; `name` is a constant string value. Needs rt_prepare of this evaluation. */
export function rt_is(col: usize, name: usize): i32 {
  return W.is_cached(col, name) ? 1 : 0;
}
/** count(): array length, object key count, string length in code points, else 0; as a number value. */
export function rt_count(v: usize): usize {
  const t = tag(v);
  let n: u32 = 0;
  if (t == T_ARR || t == T_OBJ) n = vlen(v);
  else if (t == T_STR) {
    const p = sptr(v);
    const l = vlen(v);
    for (let i: u32 = 0; i < l; i++) if ((load<u8>(p + i) & 0xc0) != 0x80) n++;
  }
  return mk_num(<f64>n);
}
export function rt_num_i(i: i32): usize {
  return mk_num(<f64>i);
}
export function rt_list_new(n: u32): usize {
  return arr_new(n);
}
export function rt_list_push(a: usize, v: usize): usize {
  arr_push(a, v);
  return a;
}

// Message text
export function rt_sb_new(): usize {
  return sb_new(64);
}
export function rt_sb_lit(b: usize, p: usize, n: u32): void {
  sb_bytes(b, p, n);
}
/** Interpolated value: string itself, null nothing, else compact JSON with sorted keys. */
export function rt_sb_val(b: usize, v: usize): void {
  const t = tag(v);
  if (t == T_STR) sb_bytes(b, sptr(v), vlen(v));
  else if (t != T_NULL) sb_value(b, v, 2);
}
export function rt_sb_str(b: usize): usize {
  return sb_to_str(b);
}

// Findings
export function rt_findings_new(): usize {
  return arr_new(16);
}
export function rt_scope(input: usize): u32 {
  return W.scope(input);
}
/** Looks up once per evaluation what rt_severity and rt_is read from data. */
export function rt_prepare(data: usize): void {
  W.prepare(data);
}
/** The rule's severity code after data.warden.config.rules; needs rt_prepare of this evaluation. */
export function rt_severity(rule: usize, def: i32): i32 {
  return W.severity(rule, def);
}
export function rt_loc(v: usize): usize {
  return W.location(v);
}
export function rt_emit(out: usize, rule: usize, sev: i32, action: i32, msg: usize, stmt: i32, loc: usize): void {
  W.emit(out, rule, sev, action, msg, stmt, loc);
}
export function rt_emit_mask(out: usize, rule: usize, sev: i32, method: usize, stmt: i32, loc: usize, col: usize): void {
  W.emit_mask(out, rule, sev, method, stmt, loc, col);
}
export function rt_finish(out: usize): usize {
  return W.finish(out);
}
export function rt_decision(findings: usize): usize {
  return W.decision(findings);
}
