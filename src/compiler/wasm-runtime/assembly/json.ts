// JSON (and Rego value text) parsing and printing over the value layout of value.ts.
// Printing follows JSON.stringify for numbers and OPA's escaping for strings.
import { alloc } from "./mem";
import {
  T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, T_SET, NULLV, TRUEV, FALSEV,
  tag, vlen, sptr, num, elem, elems, okeys, ovals, mk_num, mk_str, mk_str_h, arr_new, arr_new_t, arr_push, obj_new, obj_put, obj_append, str_cmp,
  FNV_BASIS, FNV_PRIME, hash_fix,
} from "./value";
import { shortest, DIGITS, DECIMAL_POINT, decimal_to_f64, PDIGITS, MAX_DIGITS } from "./num";

// ---------------------------------------------------------------------------
// Byte builder: [ptr@0, len@4, cap@8], grown by doubling on the bump heap.

export function sb_new(cap: u32): usize {
  const b = alloc(12);
  store<u32>(b, alloc(cap), 0);
  store<u32>(b, 0, 4);
  store<u32>(b, cap, 8);
  return b;
}

function sb_reserve(b: usize, extra: u32): usize {
  const len = load<u32>(b, 4);
  let cap = load<u32>(b, 8);
  if (len + extra > cap) {
    while (len + extra > cap) cap = cap << 1;
    const np = alloc(cap);
    memory.copy(np, load<u32>(b), len);
    store<u32>(b, np, 0);
    store<u32>(b, cap, 8);
  }
  return load<u32>(b) + len;
}

export function sb_byte(b: usize, c: u32): void {
  const p = sb_reserve(b, 1);
  store<u8>(p, <u8>c);
  store<u32>(b, load<u32>(b, 4) + 1, 4);
}

export function sb_bytes(b: usize, src: usize, n: u32): void {
  const p = sb_reserve(b, n);
  memory.copy(p, src, n);
  store<u32>(b, load<u32>(b, 4) + n, 4);
}

export function sb_cstr(b: usize, src: usize): void {
  let n: u32 = 0;
  while (load<u8>(src + n) != 0) n++;
  sb_bytes(b, src, n);
}

/** The built bytes as a string value (the buffer is not copied). */
export function sb_to_str(b: usize): usize {
  return mk_str(load<u32>(b), load<u32>(b, 4));
}

/** The built bytes NUL-terminated; returns their address. */
export function sb_to_cstr(b: usize): usize {
  sb_byte(b, 0);
  return load<u32>(b);
}

// ---------------------------------------------------------------------------
// Numbers

const S_NULL = memory.data<u8>([110, 117, 108, 108, 0]);
const S_TRUE = memory.data<u8>([116, 114, 117, 101, 0]);
const S_FALSE = memory.data<u8>([102, 97, 108, 115, 101, 0]);
const S_SET = memory.data<u8>([115, 101, 116, 40, 41, 0]);

function sb_uint(b: usize, v: u64): void {
  const tmp = memory.data(24);
  let n = 0;
  do {
    store<u8>(tmp + n++, <u8>(48 + v % 10));
    v /= 10;
  } while (v != 0);
  while (n > 0) sb_byte(b, load<u8>(tmp + --n));
}

/** JavaScript's String(n) for finite n; non-finite prints `null` as JSON.stringify does. */
export function sb_number(b: usize, v: f64): void {
  if (!isFinite(v)) {
    sb_cstr(b, S_NULL);
    return;
  }
  if (v == 0) {
    sb_byte(b, 48);
    return;
  }
  if (v < 0) {
    sb_byte(b, 45);
    v = -v;
  }
  if (v < 9007199254740992.0 && v == Math.floor(v)) {
    sb_uint(b, <u64>v);
    return;
  }
  const k = shortest(v);
  const n = DECIMAL_POINT;
  if (k <= n && n <= 21) {
    for (let i = 0; i < k; i++) sb_byte(b, 48 + load<u8>(DIGITS + i));
    for (let i = k; i < n; i++) sb_byte(b, 48);
  } else if (0 < n && n <= 21) {
    for (let i = 0; i < n; i++) sb_byte(b, 48 + load<u8>(DIGITS + i));
    sb_byte(b, 46);
    for (let i = n; i < k; i++) sb_byte(b, 48 + load<u8>(DIGITS + i));
  } else if (-6 < n && n <= 0) {
    sb_byte(b, 48);
    sb_byte(b, 46);
    for (let i = n; i < 0; i++) sb_byte(b, 48);
    for (let i = 0; i < k; i++) sb_byte(b, 48 + load<u8>(DIGITS + i));
  } else {
    sb_byte(b, 48 + load<u8>(DIGITS));
    if (k > 1) {
      sb_byte(b, 46);
      for (let i = 1; i < k; i++) sb_byte(b, 48 + load<u8>(DIGITS + i));
    }
    sb_byte(b, 101);
    const e = n - 1;
    sb_byte(b, e < 0 ? 45 : 43);
    sb_uint(b, <u64>(e < 0 ? -e : e));
  }
}

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/**
 * Non-zero when any of the 8 bytes is `"`, `\` or below 0x20 (the bytes a JSON string
 * scan must stop at). Exact as a yes/no answer; the caller finds the byte one at a time.
 */
// @ts-ignore: decorator
@inline export function special8(v: u64): u64 {
  const q = v ^ (ONES * 0x22);
  const b = v ^ (ONES * 0x5c);
  return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((v - ONES * 0x20) & ~v)) & HIGHS;
}

// ---------------------------------------------------------------------------
// Printing

const HEX = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/**
 * A JSON string literal. `surrogates`: print WTF-8 encoded lone surrogates as \udxxx
 * escapes (for output documents) instead of passing their bytes through (messages).
 */
export function sb_json_string(b: usize, p: usize, n: u32, surrogates: bool): void {
  sb_byte(b, 34);
  // High bytes need a look only when lone surrogates are printed as escapes.
  const attention: u64 = surrogates ? HIGHS : 0;
  let start: u32 = 0;
  let i: u32 = 0;
  while (true) {
    // Skip 8 bytes at a time while none needs escaping.
    while (i + 8 <= n) {
      const w = load<u64>(p + i);
      if ((special8(w) | (w & attention)) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const c = <u32>load<u8>(p + i);
    let esc: u32 = 0;
    if (c == 34 || c == 92) esc = c;
    else if (c < 0x20) {
      esc = c == 8 ? 98 : c == 12 ? 102 : c == 10 ? 110 : c == 13 ? 114 : c == 9 ? 116 : 117;
    } else if (surrogates && c == 0xed && i + 2 < n && load<u8>(p + i + 1) >= 0xa0) {
      sb_bytes(b, p + start, i - start);
      const cu = 0xd000 | ((<u32>load<u8>(p + i + 1) & 0x3f) << 6) | (<u32>load<u8>(p + i + 2) & 0x3f);
      sb_byte(b, 92);
      sb_byte(b, 117);
      sb_byte(b, 100);
      sb_byte(b, load<u8>(HEX + ((cu >> 8) & 15)));
      sb_byte(b, load<u8>(HEX + ((cu >> 4) & 15)));
      sb_byte(b, load<u8>(HEX + (cu & 15)));
      i += 3;
      start = i;
      continue;
    }
    if (esc == 0) {
      i++;
      continue;
    }
    sb_bytes(b, p + start, i - start);
    sb_byte(b, 92);
    sb_byte(b, esc);
    if (esc == 117) {
      sb_byte(b, 48);
      sb_byte(b, 48);
      sb_byte(b, load<u8>(HEX + (c >> 4)));
      sb_byte(b, load<u8>(HEX + (c & 15)));
    }
    i++;
    start = i;
  }
  sb_bytes(b, p + start, n - start);
  sb_byte(b, 34);
}

/**
 * Print a value. mode 0: JSON (sets as arrays); 1: Rego value text (sets as {…}/set());
 * 2: message rendering (JSON with object keys sorted by code point, raw surrogates).
 */
export function sb_value(b: usize, v: usize, mode: i32): void {
  switch (tag(v)) {
    case T_NULL:
      sb_cstr(b, S_NULL);
      return;
    case T_BOOL:
      sb_cstr(b, load<u32>(v, 4) != 0 ? S_TRUE : S_FALSE);
      return;
    case T_NUM:
      sb_number(b, num(v));
      return;
    case T_STR:
      sb_json_string(b, sptr(v), vlen(v), mode != 2);
      return;
    case T_ARR:
    case T_SET: {
      const n = vlen(v);
      const isSet = tag(v) == T_SET && mode == 1;
      if (isSet && n == 0) {
        sb_cstr(b, S_SET);
        return;
      }
      sb_byte(b, isSet ? 123 : 91);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) sb_byte(b, 44);
        sb_value(b, elem(v, i), mode);
      }
      sb_byte(b, isSet ? 125 : 93);
      return;
    }
    case T_OBJ: {
      const n = vlen(v);
      let order: usize = 0;
      if (mode == 2 && n > 1) {
        // Insertion sort of key indices by code point; objects in messages are small.
        order = alloc(<usize>n << 2);
        for (let i: u32 = 0; i < n; i++) {
          const k = load<u32>(okeys(v) + (<usize>i << 2));
          let j = i;
          while (j > 0) {
            const prev = load<u32>(order + (<usize>(j - 1) << 2));
            if (str_cmp(load<u32>(okeys(v) + (<usize>prev << 2)), k) <= 0) break;
            store<u32>(order + (<usize>j << 2), prev);
            j--;
          }
          store<u32>(order + (<usize>j << 2), i);
        }
      }
      sb_byte(b, 123);
      for (let i: u32 = 0; i < n; i++) {
        if (i > 0) sb_byte(b, 44);
        const idx = order != 0 ? load<u32>(order + (<usize>i << 2)) : i;
        const k = load<u32>(okeys(v) + (<usize>idx << 2));
        sb_json_string(b, sptr(k), vlen(k), mode != 2);
        sb_byte(b, 58);
        sb_value(b, load<u32>(ovals(v) + (<usize>idx << 2)), mode);
      }
      sb_byte(b, 125);
      return;
    }
  }
}

export function dump(v: usize, mode: i32): usize {
  const b = sb_new(256);
  sb_value(b, v, mode);
  return sb_to_cstr(b);
}

// ---------------------------------------------------------------------------
// Parsing. REGO: also accept Rego value text (sets, Go-style string escapes).
// The input is parsed on every evaluation, so the common shapes have fast paths: strings
// are scanned 8 bytes at a time, escape-free strings point into the source text, runs
// between escapes are copied in bulk, and integers of up to 15 digits skip the exact
// decimal conversion.

let P: usize = 0;
let END: usize = 0;
let REGO: bool = false;
let FAILED: bool = false;
let DEPTH: i32 = 0;

const MAX_DEPTH: i32 = 2000;

export function parse(ptr: usize, len: u32, rego: bool): usize {
  P = ptr;
  END = ptr + len;
  REGO = rego;
  FAILED = false;
  DEPTH = 0;
  ws();
  const v = parse_value();
  ws();
  if (FAILED || P != END) return 0;
  return v;
}

// @ts-ignore: decorator
@inline function peek(): u32 {
  return P < END ? <u32>load<u8>(P) : 0;
}

// Whitespace between tokens: none in JSON.stringify output, so one byte is looked at
// before the loop is entered.
// @ts-ignore: decorator
@inline function ws(): void {
  if (P < END && load<u8>(P) <= 32) ws_run();
}

function ws_run(): void {
  let p = P;
  const end = END;
  while (p < end) {
    const c = load<u8>(p);
    if (c == 32 || c == 9 || c == 10 || c == 13) p++;
    else break;
  }
  P = p;
}

function err(): usize {
  FAILED = true;
  return NULLV;
}

function lit(s: usize): bool {
  let i: usize = 0;
  while (true) {
    const c = load<u8>(s + i);
    if (c == 0) break;
    if (P + i >= END || load<u8>(P + i) != c) return false;
    i++;
  }
  P += i;
  return true;
}

// The value after a key or in an array: strings (the most common) without the dispatch call.
// @ts-ignore: decorator
@inline function parse_member(): usize {
  return !FAILED && P < END && load<u8>(P) == 34 ? parse_string() : parse_value();
}

function parse_value(): usize {
  if (FAILED) return NULLV;
  const c = peek();
  if (c == 34) return parse_string();
  if (c == 123) return parse_object();
  if (c == 91) return parse_array();
  if (c == 45 || (c >= 48 && c <= 57)) return parse_number();
  if (c == 116 && lit(S_TRUE)) return TRUEV;
  if (c == 102 && lit(S_FALSE)) return FALSEV;
  if (c == 110 && lit(S_NULL)) return NULLV;
  if (REGO && c == 115 && lit(S_SET)) return arr_new_t(0, T_SET);
  return err();
}

function parse_array(): usize {
  if (++DEPTH > MAX_DEPTH) return err();
  P++;
  const a = arr_new(4);
  ws();
  if (peek() == 93) {
    P++;
    DEPTH--;
    return a;
  }
  while (true) {
    ws();
    const v = parse_member();
    const n = vlen(a);
    if (n < load<u32>(a, 8)) {
      store<u32>(elems(a) + (<usize>n << 2), v);
      store<u32>(a, n + 1, 4);
    } else arr_push(a, v);
    if (FAILED) return NULLV;
    ws();
    const c = peek();
    P++;
    if (c == 44) continue;
    if (c == 93) break;
    return err();
  }
  DEPTH--;
  return a;
}

function parse_object(): usize {
  if (++DEPTH > MAX_DEPTH) return err();
  P++;
  ws();
  if (peek() == 125) {
    P++;
    DEPTH--;
    return obj_new(4);
  }
  // In Rego text `{` also opens a set: decided by whether the first term is followed by `:`.
  let first: usize;
  if (REGO) {
    first = parse_value();
    ws();
    if (FAILED) return NULLV;
    if (peek() != 58) {
      const s = arr_new_t(4, T_SET);
      arr_push(s, first);
      while (true) {
        ws();
        const c = peek();
        P++;
        if (c == 125) break;
        if (c != 44) return err();
        ws();
        const v = parse_value();
        if (FAILED) return NULLV;
        let dup = false;
        for (let i: u32 = 0; i < vlen(s); i++) if (deep_eq_shallow(elem(s, i), v)) dup = true;
        if (!dup) arr_push(s, v);
      }
      DEPTH--;
      return s;
    }
    if (tag(first) != T_STR) return err();
  } else {
    if (peek() != 34) return err();
    first = parse_key();
  }
  const o = obj_new(8);
  let k = first;
  while (true) {
    if (FAILED) return NULLV;
    ws();
    if (peek() != 58) return err();
    P++;
    ws();
    const v = parse_member();
    if (FAILED) return NULLV;
    // A key whose Bloom bit is unset is new: append without a scan, in place while the
    // first block has room.
    const kh = load<u32>(k, 12);
    const bit: u32 = 1 << (kh >> 27);
    const bloom = load<u32>(o, 20);
    const n = vlen(o);
    if ((bloom & bit) == 0 && kh != 0 && n < load<u32>(o, 8)) {
      store<u32>(okeys(o) + (<usize>n << 2), k);
      store<u32>(ovals(o) + (<usize>n << 2), v);
      store<u32>(o, n + 1, 4);
      store<u32>(o, bloom | bit, 20);
    } else if ((bloom & bit) == 0 && kh != 0) obj_append(o, k, v);
    else obj_put(o, k, v);
    ws();
    const c = peek();
    P++;
    if (c == 125) break;
    if (c != 44) return err();
    ws();
    if (peek() != 34) return err();
    k = parse_key();
  }
  DEPTH--;
  return o;
}

// Sets from Rego text hold scalars in practice; structural duplicates are rare enough
// that comparing printed forms is not worth it.
function deep_eq_shallow(a: usize, b: usize): bool {
  if (tag(a) != tag(b)) return false;
  if (tag(a) == T_STR) return vlen(a) == vlen(b) && memory.compare(sptr(a), sptr(b), vlen(a)) == 0;
  if (tag(a) == T_NUM) return num(a) == num(b);
  if (tag(a) == T_BOOL) return load<u32>(a, 4) == load<u32>(b, 4);
  return tag(a) == T_NULL;
}

function hexval(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>c - 48;
  if (c >= 97 && c <= 102) return <i32>c - 87;
  if (c >= 65 && c <= 70) return <i32>c - 55;
  return -1;
}

function hexn(p: usize, n: i32): i32 {
  let v: i32 = 0;
  for (let i = 0; i < n; i++) {
    if (p + i >= END) return -1;
    const h = hexval(load<u8>(p + i));
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

function put_utf8(b: usize, cp: u32): void {
  if (cp < 0x80) sb_byte(b, cp);
  else if (cp < 0x800) {
    sb_byte(b, 0xc0 | (cp >> 6));
    sb_byte(b, 0x80 | (cp & 63));
  } else if (cp < 0x10000) {
    sb_byte(b, 0xe0 | (cp >> 12));
    sb_byte(b, 0x80 | ((cp >> 6) & 63));
    sb_byte(b, 0x80 | (cp & 63));
  } else {
    sb_byte(b, 0xf0 | (cp >> 18));
    sb_byte(b, 0x80 | ((cp >> 12) & 63));
    sb_byte(b, 0x80 | ((cp >> 6) & 63));
    sb_byte(b, 0x80 | (cp & 63));
  }
}

/** An object key: keys are short, so the scan is byte-wise and computes the key's hash. */
function parse_key(): usize {
  const start = P + 1;
  const end = END;
  let p = start;
  let h = FNV_BASIS;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c == 34) {
      P = p + 1;
      return mk_str_h(start, <u32>(p - start), hash_fix(h));
    }
    if (c == 92 || c < 0x20) break;
    h = (h ^ c) * FNV_PRIME;
    p++;
  }
  // Escapes (or an error): the general path; the hash is computed when the key is stored.
  return parse_string();
}

function parse_string(): usize {
  const start = P + 1;
  const end = END;
  let p = start;
  // Fast path: no escapes, the value points into the source text (which stays live:
  // input below opa_eval's heap, data buffers are never reused by this allocator).
  while (true) {
    while (p + 8 <= end && special8(load<u64>(p)) == 0) p += 8;
    if (p >= end) return err();
    const c = load<u8>(p);
    if (c == 34) {
      P = p + 1;
      return mk_str(start, <u32>(p - start));
    }
    if (c == 92) break;
    // Raw control characters are not allowed in JSON (nor in Go-quoted Rego strings).
    if (c < 0x20) return err();
    p++;
  }
  const b = sb_new(<u32>(p - start) + 16);
  sb_bytes(b, start, <u32>(p - start));
  while (true) {
    // Copy the run up to the next byte that needs attention in one go.
    const run = p;
    while (true) {
      while (p + 8 <= end && special8(load<u64>(p)) == 0) p += 8;
      if (p >= end) break;
      const c = load<u8>(p);
      if (c == 34 || c == 92 || c < 0x20) break;
      p++;
    }
    if (p > run) sb_bytes(b, run, <u32>(p - run));
    if (p >= end) return err();
    const c = <u32>load<u8>(p);
    if (c == 34) {
      P = p + 1;
      return sb_to_str(b);
    }
    if (c < 0x20) return err();
    // c is a backslash
    p++;
    if (p >= end) return err();
    const e = <u32>load<u8>(p++);
    switch (e) {
      case 34: case 92: case 47: sb_byte(b, e); break;
      case 98: sb_byte(b, 8); break;
      case 102: sb_byte(b, 12); break;
      case 110: sb_byte(b, 10); break;
      case 114: sb_byte(b, 13); break;
      case 116: sb_byte(b, 9); break;
      case 117: {
        let cp = hexn(p, 4);
        if (cp < 0) return err();
        p += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && p + 1 < end && load<u8>(p) == 92 && load<u8>(p + 1) == 117) {
          const lo = hexn(p + 2, 4);
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
          }
        }
        // A lone surrogate is kept WTF-8 encoded and printed back as an escape.
        put_utf8(b, <u32>cp);
        break;
      }
      default: {
        if (!REGO) return err();
        if (e == 97) sb_byte(b, 7);
        else if (e == 118) sb_byte(b, 11);
        else if (e == 120) {
          const v = hexn(p, 2);
          if (v < 0) return err();
          p += 2;
          sb_byte(b, <u32>v);
        } else if (e == 85) {
          const v = hexn(p, 8);
          if (v < 0) return err();
          p += 8;
          put_utf8(b, <u32>v);
        } else return err();
      }
    }
  }
  return err();
}

function parse_number(): usize {
  // Fast path: an integer of at most 15 digits (no fraction, no exponent) is exact as a
  // double, so it needs no decimal conversion.
  {
    let p = P;
    const end = END;
    let neg = false;
    if (load<u8>(p) == 45) {
      neg = true;
      p++;
    }
    const ds = p;
    let v: u64 = 0;
    while (p < end) {
      const d = <u32>load<u8>(p) - 48;
      if (d > 9) break;
      v = v * 10 + <u64>d;
      p++;
    }
    const nd = p - ds;
    if (nd > 0 && nd <= 15 && (nd == 1 || load<u8>(ds) != 48)) {
      const c = p < end ? <u32>load<u8>(p) : 0;
      if (c != 46 && c != 101 && c != 69) {
        P = p;
        const f = <f64>v;
        return mk_num(neg ? -f : f);
      }
    }
  }
  let neg = false;
  if (peek() == 45) {
    neg = true;
    P++;
  }
  let nd: i32 = 0;
  let e10: i32 = 0;
  let any = false;
  const c0 = peek();
  if (c0 < 48 || c0 > 57) return err();
  if (c0 == 48) {
    P++;
    any = true;
  } else {
    while (P < END) {
      const c = <u32>load<u8>(P);
      if (c < 48 || c > 57) break;
      any = true;
      if (nd > 0 || c != 48) {
        if (nd < MAX_DIGITS) store<u8>(PDIGITS + nd++, <u8>(c - 48));
        else e10++;
      }
      P++;
    }
  }
  if (peek() == 46) {
    P++;
    let fd = false;
    while (P < END) {
      const c = <u32>load<u8>(P);
      if (c < 48 || c > 57) break;
      fd = true;
      if (nd == 0 && c == 48) e10--;
      else if (nd < MAX_DIGITS) {
        store<u8>(PDIGITS + nd++, <u8>(c - 48));
        e10--;
      }
      P++;
    }
    if (!fd) return err();
  }
  const ce = peek();
  if (ce == 101 || ce == 69) {
    P++;
    let eneg = false;
    const s = peek();
    if (s == 43 || s == 45) {
      eneg = s == 45;
      P++;
    }
    let ev: i32 = 0;
    let ed = false;
    while (P < END) {
      const c = <u32>load<u8>(P);
      if (c < 48 || c > 57) break;
      ed = true;
      if (ev < 100000) ev = ev * 10 + <i32>(c - 48);
      P++;
    }
    if (!ed) return err();
    e10 += eneg ? -ev : ev;
  }
  if (!any) return err();
  const v = decimal_to_f64(nd, e10);
  return mk_num(neg ? -v : v);
}
