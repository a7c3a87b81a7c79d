// Warden semantics the generated rule code calls into: gates, severities, findings,
// locations, dedup + order, and the decision document (see src/compiler/ir/ir.ts).
import { alloc } from "./mem";
import {
  T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, NULLV, TRUEV, FALSEV,
  tag, vlen, sptr, num, elem, ovals, mk_num, mk_str, mk_str_h, arr_new, arr_push, obj_new, obj_append, get_field_h, get_field_k, str_cmp, deep_eq,
} from "./value";
import { sb_new, sb_bytes, sb_byte, sb_to_str } from "./json";
import * as S from "./strings";
import { classified } from "./match";

function is_str(v: usize, p: usize, n: u32): bool {
  return tag(v) == T_STR && vlen(v) == n && memory.compare(sptr(v), p, n) == 0;
}

function key(p: usize, n: u32, h: u32): usize {
  return mk_str_h(p, n, h);
}

// Scope bits: migration 1, dbt_model 2, retraining 4, sql 8, runtime 16.
export function scope(input: usize): u32 {
  const ctx = get_field_h(input, S.S_CONTEXT, S.L_CONTEXT, S.H_CONTEXT);
  if (is_str(ctx, S.S_RUNTIME, S.L_RUNTIME)) return 16;
  if (tag(ctx) != T_NULL && !is_str(ctx, S.S_CI, S.L_CI)) return 0;
  const ft = get_field_h(get_field_h(input, S.S_FILE, S.L_FILE, S.H_FILE), S.S_TYPE, S.L_TYPE, S.H_TYPE);
  if (is_str(ft, S.S_MIGRATION, S.L_MIGRATION)) return 1;
  if (is_str(ft, S.S_DBT_MODEL, S.L_DBT_MODEL)) return 2;
  if (is_str(ft, S.S_RETRAINING, S.L_RETRAINING)) return 4;
  if (is_str(ft, S.S_SQL, S.L_SQL)) return 8;
  return 0;
}

// Parts of data every rule consults, looked up once per evaluation by `prepare` (data can
// change only between evaluations: setData, opa_value_add_path).
let CFG_RULES: usize = 0;
export let CLASSES: usize = 0;

export function prepare(data: usize): void {
  const warden = get_field_h(data, S.S_WARDEN, S.L_WARDEN, S.H_WARDEN);
  CFG_RULES = get_field_h(get_field_h(warden, S.S_CONFIG, S.L_CONFIG, S.H_CONFIG), S.S_RULES, S.L_RULES, S.H_RULES);
  CLASSES = get_field_h(warden, S.S_CLASSIFICATIONS, S.L_CLASSIFICATIONS, S.H_CLASSIFICATIONS);
  memory.fill(IS_CACHE, 0, IS_SLOTS * 12);
}

// Answers of `column is NAME` within one evaluation, by (column address, name constant):
// several rules test the same columns, values are never changed during an evaluation and
// the bump heap never reuses an address in it. Cleared by `prepare`. Direct-mapped.
const IS_SLOTS: u32 = 64;
const IS_CACHE: usize = memory.data(<i32>(IS_SLOTS * 12), 4);

export function is_cached(col: usize, name: usize): bool {
  const slot = IS_CACHE + <usize>((((col >> 3) ^ (name >> 2)) & (IS_SLOTS - 1)) * 12);
  if (load<u32>(slot) == col && load<u32>(slot, 4) == name) return load<u32>(slot, 8) != 0;
  const r = classified(col, CLASSES, name);
  store<u32>(slot, col);
  store<u32>(slot, name, 4);
  store<u32>(slot, r ? 1 : 0, 8);
  return r;
}

// Severity codes: 0 error, 1 warning, 2 info, 3 off. Action codes: 0 deny, 1 warn, 2 info, 3 mask, 4 require_approval.
/** `rule`: the rule id as a constant string value (its hash laid out with it). */
export function severity(rule: usize, def: i32): i32 {
  const o = get_field_k(CFG_RULES, rule);
  if (is_str(o, S.S_OFF, S.L_OFF)) return 3;
  if (is_str(o, S.S_ERROR, S.L_ERROR)) return 0;
  if (is_str(o, S.S_WARNING, S.L_WARNING)) return 1;
  if (is_str(o, S.S_INFO, S.L_INFO)) return 2;
  return def;
}

function sev_str(c: i32): usize {
  return c == 0 ? key(S.S_ERROR, S.L_ERROR, S.H_ERROR) : c == 1 ? key(S.S_WARNING, S.L_WARNING, S.H_WARNING) : key(S.S_INFO, S.L_INFO, S.H_INFO);
}

function action_str(c: i32): usize {
  switch (c) {
    case 0: return key(S.S_DENY, S.L_DENY, S.H_DENY);
    case 1: return key(S.S_WARN, S.L_WARN, S.H_WARN);
    case 2: return key(S.S_INFO, S.L_INFO, S.H_INFO);
    case 3: return key(S.S_MASK, S.L_MASK, S.H_MASK);
  }
  return key(S.S_REQUIRE_APPROVAL, S.L_REQUIRE_APPROVAL, S.H_REQUIRE_APPROVAL);
}

/** The location object for a candidate value, or 0 when it has no numeric line and column. */
export function location(c: usize): usize {
  if (tag(c) != T_OBJ) return 0;
  const line = get_field_h(c, S.S_LINE, S.L_LINE, S.H_LINE);
  const column = get_field_h(c, S.S_COLUMN, S.L_COLUMN, S.H_COLUMN);
  if (tag(line) != T_NUM || tag(column) != T_NUM) return 0;
  const el = get_field_h(c, S.S_END_LINE, S.L_END_LINE, S.H_END_LINE);
  const ec = get_field_h(c, S.S_END_COLUMN, S.L_END_COLUMN, S.H_END_COLUMN);
  const o = obj_new(4);
  obj_append(o, key(S.S_LINE, S.L_LINE, S.H_LINE), line);
  obj_append(o, key(S.S_COLUMN, S.L_COLUMN, S.H_COLUMN), column);
  if (tag(el) == T_NUM) obj_append(o, key(S.S_END_LINE, S.L_END_LINE, S.H_END_LINE), el);
  if (tag(ec) == T_NUM) obj_append(o, key(S.S_END_COLUMN, S.L_END_COLUMN, S.H_END_COLUMN), ec);
  return o;
}

function finding(rule: usize, sev: i32, action: i32, msg: usize, stmt: i32, loc: usize): usize {
  const f = obj_new(7);
  obj_append(f, key(S.S_RULE, S.L_RULE, S.H_RULE), rule);
  obj_append(f, key(S.S_SEVERITY, S.L_SEVERITY, S.H_SEVERITY), sev_str(sev));
  obj_append(f, key(S.S_ACTION, S.L_ACTION, S.H_ACTION), action_str(action));
  obj_append(f, key(S.S_MESSAGE, S.L_MESSAGE, S.H_MESSAGE), msg);
  obj_append(f, key(S.S_STATEMENT, S.L_STATEMENT, S.H_STATEMENT), mk_num(<f64>stmt));
  obj_append(f, key(S.S_LOCATION, S.L_LOCATION, S.H_LOCATION), loc == 0 ? NULLV : loc);
  return f;
}

export function emit(out: usize, rule: usize, sev: i32, action: i32, msg: usize, stmt: i32, loc: usize): void {
  arr_push(out, finding(rule, sev, action, msg, stmt, loc));
}

function str_or_null(v: usize): usize {
  return tag(v) == T_STR ? v : NULLV;
}

function put_str_or(b: usize, v: usize, p: usize, n: u32): void {
  if (tag(v) == T_STR) sb_bytes(b, sptr(v), vlen(v));
  else sb_bytes(b, p, n);
}

const S_MASK_SP = memory.data<u8>([109, 97, 115, 107, 32]); // "mask "
const S_WITH = memory.data<u8>([32, 119, 105, 116, 104, 32]); // " with "

/** A mask finding: {schema, table, column, method} from the column object, message "mask s.t.c with m". */
export function emit_mask(out: usize, rule: usize, sev: i32, method: usize, stmt: i32, loc: usize, col: usize): void {
  const schema = str_or_null(get_field_h(col, S.S_SCHEMA, S.L_SCHEMA, S.H_SCHEMA));
  const table = str_or_null(get_field_h(col, S.S_TABLE, S.L_TABLE, S.H_TABLE));
  const column = str_or_null(get_field_h(col, S.S_COLUMN, S.L_COLUMN, S.H_COLUMN));
  const b = sb_new(64);
  sb_bytes(b, S_MASK_SP, 5);
  put_str_or(b, schema, S.S_PUBLIC, S.L_PUBLIC);
  sb_byte(b, 46);
  put_str_or(b, table, 0, 0);
  sb_byte(b, 46);
  put_str_or(b, column, 0, 0);
  sb_bytes(b, S_WITH, 6);
  sb_bytes(b, sptr(method), vlen(method));
  const f = finding(rule, sev, 3, sb_to_str(b), stmt, loc);
  const m = obj_new(4);
  obj_append(m, key(S.S_SCHEMA, S.L_SCHEMA, S.H_SCHEMA), schema);
  obj_append(m, key(S.S_TABLE, S.L_TABLE, S.H_TABLE), table);
  obj_append(m, key(S.S_COLUMN, S.L_COLUMN, S.H_COLUMN), column);
  obj_append(m, key(S.S_METHOD, S.L_METHOD, S.H_METHOD), method);
  obj_append(f, key(S.S_MASK, S.L_MASK, S.H_MASK), m);
  arr_push(out, f);
}

// @ts-ignore: decorator
@inline function fval(f: usize, i: u32): usize {
  return load<u32>(ovals(f) + (<usize>i << 2));
}

function cmp_findings(a: usize, b: usize): i32 {
  const sa = num(fval(a, 4)), sb = num(fval(b, 4));
  if (sa != sb) return sa < sb ? -1 : 1;
  const r = str_cmp(fval(a, 0), fval(b, 0));
  if (r != 0) return r;
  return str_cmp(fval(a, 3), fval(b, 3));
}

/** Stable sort (bottom-up merge) by (statement, rule, message), then drop repeats keeping the first. */
export function finish(out: usize): usize {
  const n = vlen(out);
  let src = load<u32>(out, 12);
  let dst = alloc(<usize>(n > 0 ? n : 1) << 2);
  for (let w: u32 = 1; w < n; w <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += w << 1) {
      const mid = lo + w < n ? lo + w : n;
      const hi = lo + (w << 1) < n ? lo + (w << 1) : n;
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        const x = load<u32>(src + (<usize>i << 2)), y = load<u32>(src + (<usize>j << 2));
        if (cmp_findings(y, x) < 0) {
          store<u32>(dst + (<usize>(k++) << 2), y);
          j++;
        } else {
          store<u32>(dst + (<usize>(k++) << 2), x);
          i++;
        }
      }
      while (i < mid) store<u32>(dst + (<usize>(k++) << 2), load<u32>(src + (<usize>(i++) << 2)));
      while (j < hi) store<u32>(dst + (<usize>(k++) << 2), load<u32>(src + (<usize>(j++) << 2)));
    }
    const t = src;
    src = dst;
    dst = t;
  }
  const res = arr_new(n);
  for (let i: u32 = 0; i < n; i++) {
    const f = load<u32>(src + (<usize>i << 2));
    const m = vlen(res);
    if (m > 0 && cmp_findings(elem(res, m - 1), f) == 0) continue;
    arr_push(res, f);
  }
  return res;
}

/** `warden/decision` from the finished findings list. */
export function decision(findings: usize): usize {
  const n = vlen(findings);
  let allow = true;
  const masks = arr_new(4);
  const approvals = arr_new(4);
  for (let i: u32 = 0; i < n; i++) {
    const f = elem(findings, i);
    const action = fval(f, 2);
    if (is_str(action, S.S_DENY, S.L_DENY)) allow = false;
    if (vlen(f) > 6) {
      const m = fval(f, 6);
      let seen = false;
      for (let j: u32 = 0; j < vlen(masks); j++) if (deep_eq(elem(masks, j), m)) seen = true;
      if (!seen) arr_push(masks, m);
    }
    if (is_str(action, S.S_REQUIRE_APPROVAL, S.L_REQUIRE_APPROVAL)) {
      const a = obj_new(3);
      obj_append(a, key(S.S_RULE, S.L_RULE, S.H_RULE), fval(f, 0));
      obj_append(a, key(S.S_MESSAGE, S.L_MESSAGE, S.H_MESSAGE), fval(f, 3));
      obj_append(a, key(S.S_STATEMENT, S.L_STATEMENT, S.H_STATEMENT), fval(f, 4));
      arr_push(approvals, a);
    }
  }
  const d = obj_new(4);
  obj_append(d, key(S.S_ALLOW, S.L_ALLOW, S.H_ALLOW), allow ? TRUEV : FALSEV);
  obj_append(d, key(S.S_FINDINGS, S.L_FINDINGS, S.H_FINDINGS), findings);
  obj_append(d, key(S.S_MASKS, S.L_MASKS, S.H_MASKS), masks);
  obj_append(d, key(S.S_APPROVALS, S.L_APPROVALS, S.H_APPROVALS), approvals);
  return d;
}

export function result_set(v: usize): usize {
  const o = obj_new(1);
  obj_append(o, key(S.S_RESULT, S.L_RESULT, S.H_RESULT), v);
  const a = arr_new(1);
  arr_push(a, o);
  return a;
}
