// Value representation shared by the runtime and the code generator (docs/wasm.md):
//   null   [tag=1]                 bool [tag=2, v@4]        number [tag=3, -, f64@8]
//   string [tag=4, len@4, ptr@8, hash@12]   (UTF-8 bytes, not NUL-terminated; hash 0 = not yet computed)
//   array  [tag=5, len@4, cap@8, elems@12]   set [tag=7, same layout as array]
//   object [tag=6, len@4, cap@8, keys@12, vals@16, bloom@20]   keys are string values, insertion order
import { alloc } from "./mem";

export const T_NULL: u32 = 1;
export const T_BOOL: u32 = 2;
export const T_NUM: u32 = 3;
export const T_STR: u32 = 4;
export const T_ARR: u32 = 5;
export const T_OBJ: u32 = 6;
export const T_SET: u32 = 7;

export const NULLV: usize = memory.data<u32>([1, 0]);
export const TRUEV: usize = memory.data<u32>([2, 1]);
export const FALSEV: usize = memory.data<u32>([2, 0]);

// @ts-ignore: decorator
@inline export function tag(v: usize): u32 {
  return load<u32>(v);
}
// @ts-ignore: decorator
@inline export function vlen(v: usize): u32 {
  return load<u32>(v, 4);
}
// @ts-ignore: decorator
@inline export function sptr(v: usize): usize {
  return load<u32>(v, 8);
}
// @ts-ignore: decorator
@inline export function num(v: usize): f64 {
  return load<f64>(v, 8);
}
// @ts-ignore: decorator
@inline export function elems(v: usize): usize {
  return load<u32>(v, 12);
}
// @ts-ignore: decorator
@inline export function okeys(v: usize): usize {
  return load<u32>(v, 12);
}
// @ts-ignore: decorator
@inline export function ovals(v: usize): usize {
  return load<u32>(v, 16);
}
// @ts-ignore: decorator
@inline export function elem(v: usize, i: u32): usize {
  return load<u32>(load<u32>(v, 12) + (<usize>i << 2));
}

export function mk_bool(b: bool): usize {
  return b ? TRUEV : FALSEV;
}

// @ts-ignore: decorator
@inline export function mk_num(f: f64): usize {
  const p = alloc(16);
  store<u32>(p, T_NUM);
  store<f64>(p, f, 8);
  return p;
}

// @ts-ignore: decorator
@inline export function mk_str(ptr: usize, len: u32): usize {
  const p = alloc(16);
  store<u32>(p, T_STR);
  store<u32>(p, len, 4);
  store<u32>(p, ptr, 8);
  store<u32>(p, 0, 12);
  return p;
}

/** A string value whose hash is already known (object keys from the parser). */
// @ts-ignore: decorator
@inline export function mk_str_h(ptr: usize, len: u32, h: u32): usize {
  const p = alloc(16);
  store<u32>(p, T_STR);
  store<u32>(p, len, 4);
  store<u32>(p, ptr, 8);
  store<u32>(p, h, 12);
  return p;
}

// Key hashes: FNV-1a over the UTF-8 bytes, never 0 (0 marks "not computed"). The linker
// (layout.ts) computes the same function for constant strings.
export const FNV_BASIS: u32 = 0x811c9dc5;
export const FNV_PRIME: u32 = 0x01000193;

// @ts-ignore: decorator
@inline export function hash_fix(h: u32): u32 {
  return h == 0 ? 1 : h;
}

export function hash_bytes(p: usize, n: u32): u32 {
  let h = FNV_BASIS;
  for (let i: u32 = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + i)) * FNV_PRIME;
  return hash_fix(h);
}

/** The string's hash, computed on first use and kept in the value. */
export function str_hash(s: usize): u32 {
  let h = load<u32>(s, 12);
  if (h == 0) {
    h = hash_bytes(sptr(s), vlen(s));
    store<u32>(s, h, 12);
  }
  return h;
}

// Each object keeps a 32-bit Bloom filter of its keys' hashes (bit = top 5 hash bits), so
// a missing key is usually rejected without a scan. Removing a key leaves its bit set,
// which only costs a scan.
// @ts-ignore: decorator
@inline function bloom_bit(h: u32): u32 {
  return 1 << (h >> 27);
}

/** A string value from a NUL-terminated static byte string. */
export function mk_cstr(ptr: usize): usize {
  let n: u32 = 0;
  while (load<u8>(ptr + n) != 0) n++;
  return mk_str(ptr, n);
}

export function arr_new(cap: u32): usize {
  return arr_new_t(cap, T_ARR);
}

export function arr_new_t(cap: u32, t: u32): usize {
  if (cap < 4) cap = 4;
  // Header and first element block in one allocation; growth moves the elements out.
  const p = alloc(16 + (<usize>cap << 2));
  store<u32>(p, t);
  store<u32>(p, 0, 4);
  store<u32>(p, cap, 8);
  store<u32>(p, p + 16, 12);
  return p;
}

export function arr_push(a: usize, v: usize): void {
  const n = vlen(a);
  let cap = load<u32>(a, 8);
  if (n == cap) {
    cap = cap << 1;
    const ne = alloc(<usize>cap << 2);
    memory.copy(ne, elems(a), <usize>n << 2);
    store<u32>(a, cap, 8);
    store<u32>(a, ne, 12);
  }
  store<u32>(elems(a) + (<usize>n << 2), v);
  store<u32>(a, n + 1, 4);
}

export function obj_new(cap: u32): usize {
  if (cap < 4) cap = 4;
  // Header, keys and values in one allocation; growth moves keys and values out.
  const p = alloc(24 + (<usize>cap << 3));
  store<u32>(p, T_OBJ);
  store<u32>(p, 0, 4);
  store<u32>(p, cap, 8);
  store<u32>(p, p + 24, 12);
  store<u32>(p, p + 24 + (<usize>cap << 2), 16);
  store<u32>(p, 0, 20);
  return p;
}

/** Append without checking for an existing key (callers know keys are fresh). */
export function obj_append(o: usize, k: usize, v: usize): void {
  store<u32>(o, load<u32>(o, 20) | bloom_bit(str_hash(k)), 20);
  const n = vlen(o);
  let cap = load<u32>(o, 8);
  if (n == cap) {
    cap = cap << 1;
    const nk = alloc(<usize>cap << 2);
    const nv = alloc(<usize>cap << 2);
    memory.copy(nk, okeys(o), <usize>n << 2);
    memory.copy(nv, ovals(o), <usize>n << 2);
    store<u32>(o, cap, 8);
    store<u32>(o, nk, 12);
    store<u32>(o, nv, 16);
  }
  store<u32>(okeys(o) + (<usize>n << 2), k);
  store<u32>(ovals(o) + (<usize>n << 2), v);
  store<u32>(o, n + 1, 4);
}

export function bytes_eq(a: usize, alen: u32, b: usize, blen: u32): bool {
  if (alen != blen) return false;
  return memory.compare(a, b, alen) == 0;
}

/**
 * Index of the key (ptr, len) with hash h in object o, or -1. Every key stored in an
 * object has its hash computed (obj_append), so comparing hashes first is exact; the
 * bytes are compared only when the hashes agree.
 */
export function obj_find_h(o: usize, kp: usize, kl: u32, h: u32): i32 {
  if ((load<u32>(o, 20) & bloom_bit(h)) == 0) return -1;
  const n = vlen(o);
  const ks = okeys(o);
  for (let i: u32 = 0; i < n; i++) {
    const k = load<u32>(ks + (<usize>i << 2));
    if (load<u32>(k, 12) == h && vlen(k) == kl && memory.compare(sptr(k), kp, kl) == 0) return <i32>i;
  }
  return -1;
}

/** Index of key (ptr,len) in object o, or -1. */
export function obj_find(o: usize, kp: usize, kl: u32): i32 {
  return obj_find_h(o, kp, kl, hash_bytes(kp, kl));
}

/** Insert or replace (JSON.parse semantics: first position, last value). */
export function obj_put(o: usize, k: usize, v: usize): void {
  const h = str_hash(k);
  const i = obj_find_h(o, sptr(k), vlen(k), h);
  if (i >= 0) store<u32>(ovals(o) + (<usize>i << 2), v);
  else obj_append(o, k, v);
}

/** Field read with the IR's semantics: missing or non-object reads as null. */
export function get_field(v: usize, kp: usize, kl: u32): usize {
  if (tag(v) != T_OBJ) return NULLV;
  const i = obj_find(v, kp, kl);
  if (i < 0) return NULLV;
  return load<u32>(ovals(v) + (<usize>i << 2));
}

/** get_field with the key's hash known (the runtime's own names, strings.ts H_*). */
export function get_field_h(v: usize, kp: usize, kl: u32, h: u32): usize {
  if (tag(v) != T_OBJ) return NULLV;
  const i = obj_find_h(v, kp, kl, h);
  if (i < 0) return NULLV;
  return load<u32>(ovals(v) + (<usize>i << 2));
}

/**
 * get_field with the key given as a string value (its hash is cached in it). The lookup
 * of generated code, so obj_find_h is written out here without calls.
 */
export function get_field_k(v: usize, k: usize): usize {
  if (tag(v) != T_OBJ) return NULLV;
  const h = str_hash(k);
  if ((load<u32>(v, 20) & bloom_bit(h)) == 0) return NULLV;
  const n = vlen(v);
  const ks = okeys(v);
  const kp = sptr(k), kl = vlen(k);
  for (let i: u32 = 0; i < n; i++) {
    const x = load<u32>(ks + (<usize>i << 2));
    if (load<u32>(x, 12) == h && vlen(x) == kl && (x == k || memory.compare(sptr(x), kp, kl) == 0)) {
      return load<u32>(ovals(v) + (<usize>i << 2));
    }
  }
  return NULLV;
}

/** Byte-wise comparison of two strings: UTF-8 byte order equals code point order. */
export function str_cmp(a: usize, b: usize): i32 {
  const la = vlen(a), lb = vlen(b);
  const n = la < lb ? la : lb;
  const c = memory.compare(sptr(a), sptr(b), n);
  if (c != 0) return c < 0 ? -1 : 1;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export function deep_eq(a: usize, b: usize): bool {
  if (a == b) return true;
  const t = tag(a);
  if (t != tag(b)) return false;
  switch (t) {
    case T_NULL: return true;
    case T_BOOL: return load<u32>(a, 4) == load<u32>(b, 4);
    case T_NUM: return num(a) == num(b);
    case T_STR: return bytes_eq(sptr(a), vlen(a), sptr(b), vlen(b));
    case T_ARR:
    case T_SET: {
      const n = vlen(a);
      if (n != vlen(b)) return false;
      for (let i: u32 = 0; i < n; i++) if (!deep_eq(elem(a, i), elem(b, i))) return false;
      return true;
    }
    case T_OBJ: {
      const n = vlen(a);
      if (n != vlen(b)) return false;
      for (let i: u32 = 0; i < n; i++) {
        const k = load<u32>(okeys(a) + (<usize>i << 2));
        const j = obj_find_h(b, sptr(k), vlen(k), str_hash(k));
        if (j < 0) return false;
        if (!deep_eq(load<u32>(ovals(a) + (<usize>i << 2)), load<u32>(ovals(b) + (<usize>j << 2)))) return false;
      }
      return true;
    }
  }
  return false;
}
