// Exact number conversions without managed objects: shortest round-trip digits
// (what JavaScript's String(n) prints) and correctly rounded decimal → f64 parsing,
// both on small fixed-size bignums in static scratch memory.

const MAXL: u32 = 160; // limbs of 32 bits: 5120 bits covers every case below
const BN_BYTES: usize = 4 + (<usize>MAXL << 2);
const BN_AREA: usize = memory.data(<i32>(BN_BYTES * 8), 8);

// @ts-ignore: decorator
@inline function bn(i: usize): usize {
  return BN_AREA + i * BN_BYTES;
}
// @ts-ignore: decorator
@inline function blen(a: usize): u32 {
  return load<u32>(a);
}
// @ts-ignore: decorator
@inline function limb(a: usize, i: u32): u32 {
  return load<u32>(a + 4 + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function setlimb(a: usize, i: u32, v: u32): void {
  store<u32>(a + 4 + (<usize>i << 2), v);
}

function bn_set(a: usize, v: u64): void {
  let n: u32 = 0;
  while (v != 0) {
    setlimb(a, n++, <u32>v);
    v >>= 32;
  }
  store<u32>(a, n);
}

function bn_copy(d: usize, s: usize): void {
  memory.copy(d, s, 4 + (<usize>blen(s) << 2));
}

function bn_mul_small(a: usize, m: u32): void {
  const n = blen(a);
  let carry: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = <u64>limb(a, i) * <u64>m + carry;
    setlimb(a, i, <u32>t);
    carry = t >> 32;
  }
  if (carry != 0) {
    setlimb(a, n, <u32>carry);
    store<u32>(a, n + 1);
  }
}

function bn_add_small(a: usize, m: u32): void {
  let carry: u64 = m;
  const n = blen(a);
  for (let i: u32 = 0; i < n && carry != 0; i++) {
    const t = <u64>limb(a, i) + carry;
    setlimb(a, i, <u32>t);
    carry = t >> 32;
  }
  if (carry != 0) {
    setlimb(a, n, <u32>carry);
    store<u32>(a, n + 1);
  }
}

function bn_mul_pow10(a: usize, k: i32): void {
  while (k >= 9) {
    bn_mul_small(a, 1000000000);
    k -= 9;
  }
  let m: u32 = 1;
  while (k > 0) {
    m *= 10;
    k--;
  }
  if (m != 1) bn_mul_small(a, m);
}

function bn_shl(a: usize, bits: i32): void {
  const n = blen(a);
  if (n == 0 || bits <= 0) return;
  const w = <u32>bits >> 5;
  const b = <u32>bits & 31;
  if (b == 0) {
    for (let i = <i32>n - 1; i >= 0; i--) setlimb(a, <u32>i + w, limb(a, <u32>i));
    store<u32>(a, n + w);
  } else {
    setlimb(a, n + w, 0);
    for (let i = <i32>n - 1; i >= 0; i--) {
      const v = limb(a, <u32>i);
      setlimb(a, <u32>i + w + 1, limb(a, <u32>i + w + 1) | (v >> (32 - b)));
      setlimb(a, <u32>i + w, v << b);
    }
    store<u32>(a, limb(a, n + w) != 0 ? n + w + 1 : n + w);
  }
  for (let i: u32 = 0; i < w; i++) setlimb(a, i, 0);
}

function bn_cmp(a: usize, b: usize): i32 {
  const la = blen(a), lb = blen(b);
  if (la != lb) return la < lb ? -1 : 1;
  for (let i = <i32>la - 1; i >= 0; i--) {
    const x = limb(a, <u32>i), y = limb(b, <u32>i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** a -= b, requires a >= b. */
function bn_sub(a: usize, b: usize): void {
  const la = blen(a), lb = blen(b);
  let borrow: i64 = 0;
  for (let i: u32 = 0; i < la; i++) {
    let t = <i64>limb(a, i) - (i < lb ? <i64>limb(b, i) : 0) - borrow;
    if (t < 0) {
      t += 0x100000000;
      borrow = 1;
    } else borrow = 0;
    setlimb(a, i, <u32>t);
  }
  let n = la;
  while (n > 0 && limb(a, n - 1) == 0) n--;
  store<u32>(a, n);
}

/** d = a + b (d may alias neither). */
function bn_add(d: usize, a: usize, b: usize): void {
  const la = blen(a), lb = blen(b);
  const n = la > lb ? la : lb;
  let carry: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const t = (i < la ? <u64>limb(a, i) : 0) + (i < lb ? <u64>limb(b, i) : 0) + carry;
    setlimb(d, i, <u32>t);
    carry = t >> 32;
  }
  if (carry != 0) {
    setlimb(d, n, <u32>carry);
    store<u32>(d, n + 1);
  } else store<u32>(d, n);
}

// ---------------------------------------------------------------------------
// Shortest digits (free-format, Steele & White / Burger & Dybvig with bignums)

export const DIGITS: usize = memory.data(32);
export let DECIMAL_POINT: i32 = 0;

/** Digits (values 0..9) of the shortest decimal that reads back as v (v > 0, finite), closest when several; returns the count. */
export function shortest(v: f64): i32 {
  const bits = reinterpret<u64>(v);
  const ef = <i32>((bits >> 52) & 0x7ff);
  const frac = bits & 0xfffffffffffff;
  let f: u64;
  let e: i32;
  if (ef == 0) {
    f = frac;
    e = -1074;
  } else {
    f = frac | (<u64>1 << 52);
    e = ef - 1075;
  }
  const lowerCloser = frac == 0 && ef > 1;
  const even = (f & 1) == 0;
  const r = bn(0), s = bn(1), mp = bn(2), mm = bn(3), t = bn(4);
  if (e >= 0) {
    bn_set(r, f);
    bn_shl(r, lowerCloser ? e + 2 : e + 1);
    bn_set(s, lowerCloser ? 4 : 2);
    bn_set(mp, 1);
    bn_shl(mp, lowerCloser ? e + 1 : e);
    bn_set(mm, 1);
    bn_shl(mm, e);
  } else {
    bn_set(r, lowerCloser ? f << 2 : f << 1);
    bn_set(s, 1);
    bn_shl(s, lowerCloser ? 2 - e : 1 - e);
    bn_set(mp, lowerCloser ? 2 : 1);
    bn_set(mm, 1);
  }
  // v is in [2^p, 2^(p+1)); the estimate is ceil(log10 v) or one less.
  const p = e + (63 - <i32>clz<u64>(f));
  const k = <i32>Math.ceil(<f64>p * 0.30102999566398114 - 1e-10);
  if (k >= 0) bn_mul_pow10(s, k);
  else {
    bn_mul_pow10(r, -k);
    bn_mul_pow10(mp, -k);
    bn_mul_pow10(mm, -k);
  }
  bn_add(t, r, mp);
  let c = bn_cmp(t, s);
  if (even ? c >= 0 : c > 0) DECIMAL_POINT = k + 1;
  else {
    DECIMAL_POINT = k;
    bn_mul_small(r, 10);
    bn_mul_small(mp, 10);
    bn_mul_small(mm, 10);
  }
  let n: i32 = 0;
  while (true) {
    let d: u32 = 0;
    while (bn_cmp(r, s) >= 0) {
      bn_sub(r, s);
      d++;
    }
    const cl = bn_cmp(r, mm);
    const lo = even ? cl <= 0 : cl < 0;
    bn_add(t, r, mp);
    const ch = bn_cmp(t, s);
    const hi = even ? ch >= 0 : ch > 0;
    if (!lo && !hi) {
      store<u8>(DIGITS + n++, <u8>d);
      bn_mul_small(r, 10);
      bn_mul_small(mp, 10);
      bn_mul_small(mm, 10);
      continue;
    }
    if (lo && hi) {
      bn_add(t, r, r);
      const c2 = bn_cmp(t, s);
      if (c2 > 0 || (c2 == 0 && (d & 1) != 0)) d++;
    } else if (hi) d++;
    store<u8>(DIGITS + n++, <u8>d);
    break;
  }
  return n;
}

// ---------------------------------------------------------------------------
// Decimal → f64, correctly rounded (round half to even), like JSON.parse.

export const MAX_DIGITS: i32 = 780;
export const PDIGITS: usize = memory.data(800);

let PE: i32 = 0;

function cmp_mid(k: u64, j: i32): i32 {
  // D = N·10^PE versus k·2^j, both scaled to integers.
  const l = bn(5), rr = bn(6);
  bn_copy(l, bn(7));
  if (j < 0) bn_shl(l, -j);
  bn_set(rr, k);
  if (PE < 0) bn_mul_pow10(rr, -PE);
  if (j > 0) bn_shl(rr, j);
  return bn_cmp(l, rr);
}

const POW10: usize = memory.data<f64>([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]);

/** Value of the nd digits at PDIGITS (no leading zeros) times 10^e10. */
export function decimal_to_f64(nd: i32, e10: i32): f64 {
  while (nd > 0 && load<u8>(PDIGITS + nd - 1) == 0) {
    nd--;
    e10++;
  }
  if (nd == 0) return 0;
  if (nd + e10 > 310) return Infinity;
  if (nd + e10 < -325) return 0;
  const head = nd < 19 ? nd : 19;
  let m: u64 = 0;
  for (let i = 0; i < head; i++) m = m * 10 + <u64>load<u8>(PDIGITS + i);
  if (nd <= 15) {
    const x = <f64>m;
    if (e10 == 0) return x;
    if (e10 > 0 && e10 <= 22) return x * load<f64>(POW10 + (<usize>e10 << 3));
    if (e10 < 0 && e10 >= -22) return x / load<f64>(POW10 + (<usize>(-e10) << 3));
  }
  // Approximation within a few ulps, then exact correction against the midpoints.
  let x = <f64>m;
  let s = e10 + (nd - head);
  // Table powers only: a few ulps of error are fixed by the exact correction below.
  if (s > 0) {
    while (s > 22) {
      x *= 1e22;
      s -= 22;
    }
    x *= load<f64>(POW10 + (<usize>s << 3));
  } else if (s < 0) {
    if (s < -300) {
      x *= 1e-300;
      s += 300;
    }
    while (s < -22) {
      x /= 1e22;
      s += 22;
    }
    x /= load<f64>(POW10 + (<usize>(-s) << 3));
  }
  if (!isFinite(x)) x = f64.MAX_VALUE;
  // bn(7) = N·10^max(e10,0)
  const nb = bn(7);
  bn_set(nb, 0);
  for (let i = 0; i < nd; i++) {
    bn_mul_small(nb, 10);
    bn_add_small(nb, load<u8>(PDIGITS + i));
  }
  if (e10 > 0) bn_mul_pow10(nb, e10);
  PE = e10;
  for (let iter = 0; iter < 200; iter++) {
    const bits = reinterpret<u64>(x);
    if (bits >= 0x7ff0000000000000) break;
    const ef = <i32>((bits >> 52) & 0x7ff);
    const frac = bits & 0xfffffffffffff;
    let f: u64;
    let e: i32;
    if (ef == 0) {
      f = frac;
      e = -1074;
    } else {
      f = frac | (<u64>1 << 52);
      e = ef - 1075;
    }
    let c = cmp_mid(2 * f + 1, e - 1);
    if (c > 0) {
      x = reinterpret<f64>(bits + 1);
      continue;
    }
    if (c == 0) {
      if ((f & 1) != 0) x = reinterpret<f64>(bits + 1);
      break;
    }
    if (f == 0) break;
    if (frac == 0 && ef > 1) c = cmp_mid(4 * f - 1, e - 2);
    else c = cmp_mid(2 * f - 1, e - 1);
    if (c < 0) {
      x = reinterpret<f64>(bits - 1);
      continue;
    }
    if (c == 0 && (f & 1) != 0) x = reinterpret<f64>(bits - 1);
    break;
  }
  return x;
}
