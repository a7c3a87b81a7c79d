// Pattern matching over code points: globs (`*`, `**`, `?`), SQL LIKE (`%`, `_`, `\`),
// and the classification test of IsExpr. One dynamic program, no backtracking.
import { alloc } from "./mem";
import { T_STR, T_ARR, T_OBJ, T_NULL, tag, vlen, sptr, elem, get_field_h, get_field_k } from "./value";
import * as S from "./strings";

const T_STAR: i32 = -1;
const T_DSTAR: i32 = -2;
const T_QUEST: i32 = -3;
const T_PCT: i32 = -4;
const T_UNDER: i32 = -5;

const SMALL: u32 = 1024;
const SUBJ_BUF: usize = memory.data(<i32>(SMALL << 2), 4);
const TOK_BUF: usize = memory.data(<i32>(SMALL << 2), 4);
const REACH_BUF: usize = memory.data(<i32>(2 * (SMALL + 1)), 4);

/** Decode UTF-8 (bytes of invalid sequences stand for themselves) into i32 code points. */
function decode(p: usize, n: u32, out: usize): u32 {
  let i: u32 = 0;
  let k: u32 = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + i);
    let cp = c;
    let len: u32 = 1;
    if (c >= 0xf0 && i + 3 < n) {
      cp = ((c & 7) << 18) | ((<u32>load<u8>(p + i + 1) & 63) << 12) | ((<u32>load<u8>(p + i + 2) & 63) << 6) | (<u32>load<u8>(p + i + 3) & 63);
      len = 4;
    } else if (c >= 0xe0 && i + 2 < n) {
      cp = ((c & 15) << 12) | ((<u32>load<u8>(p + i + 1) & 63) << 6) | (<u32>load<u8>(p + i + 2) & 63);
      len = 3;
    } else if (c >= 0xc0 && i + 1 < n) {
      cp = ((c & 31) << 6) | (<u32>load<u8>(p + i + 1) & 63);
      len = 2;
    }
    store<i32>(out + (<usize>k << 2), <i32>cp);
    k++;
    i += len;
  }
  return k;
}

function glob_tokens(p: usize, n: u32, out: usize, k0: u32): u32 {
  const cps = alloc_cps(n);
  const m = decode(p, n, cps);
  let k = k0;
  for (let i: u32 = 0; i < m; i++) {
    const c = load<i32>(cps + (<usize>i << 2));
    let t = c;
    if (c == 42) {
      if (i + 1 < m && load<i32>(cps + (<usize>(i + 1) << 2)) == 42) {
        t = T_DSTAR;
        i++;
      } else t = T_STAR;
    } else if (c == 63) t = T_QUEST;
    store<i32>(out + (<usize>(k++) << 2), t);
  }
  return k;
}

function like_tokens(p: usize, n: u32, out: usize): u32 {
  const cps = alloc_cps(n);
  const m = decode(p, n, cps);
  let k: u32 = 0;
  for (let i: u32 = 0; i < m; i++) {
    const c = load<i32>(cps + (<usize>i << 2));
    let t = c;
    if (c == 92) {
      if (i + 1 < m) t = load<i32>(cps + (<usize>(++i) << 2));
    } else if (c == 37) t = T_PCT;
    else if (c == 95) t = T_UNDER;
    store<i32>(out + (<usize>(k++) << 2), t);
  }
  return k;
}

const PCP_BUF: usize = memory.data(<i32>(SMALL << 2), 4);

// Pattern code points are decoded into scratch before tokenising (heap only for long ones).
function alloc_cps(n: u32): usize {
  return n < SMALL ? PCP_BUF : alloc(<usize>(n + 1) << 2);
}

/** One pattern token against one code point (wildcards that span runs are handled by the callers). */
// @ts-ignore: decorator
@inline function single(t: i32, c: i32): bool {
  return t == T_UNDER || (t == T_QUEST && c != 46) || t == c;
}

function match_tokens(toks: usize, nt: u32, s: usize, ns: u32): bool {
  // Only `*` (which stops at `.`) needs the dynamic program; with run wildcards that
  // match anything (`%`, `**`) the classic greedy matcher with one backtrack point is exact.
  for (let ti: u32 = 0; ti < nt; ti++) if (load<i32>(toks + (<usize>ti << 2)) == T_STAR) return match_dp(toks, nt, s, ns);
  let i: u32 = 0, p: u32 = 0;
  let starP: i32 = -1;
  let starI: u32 = 0;
  while (i < ns) {
    const t = p < nt ? load<i32>(toks + (<usize>p << 2)) : 0;
    if (p < nt && (t == T_PCT || t == T_DSTAR)) {
      starP = <i32>p;
      starI = i;
      p++;
    } else if (p < nt && single(t, load<i32>(s + (<usize>i << 2)))) {
      i++;
      p++;
    } else if (starP >= 0) {
      p = <u32>starP + 1;
      starI++;
      i = starI;
    } else return false;
  }
  while (p < nt) {
    const t = load<i32>(toks + (<usize>p << 2));
    if (t != T_PCT && t != T_DSTAR) return false;
    p++;
  }
  return true;
}

/** Byte-level quick reject: the literal text before the first and after the last wildcard must match. */
function literal_ends_ok(pp: usize, pl: u32, sp: usize, sl: u32, like: bool): bool {
  let a: u32 = 0;
  while (a < pl) {
    const c = load<u8>(pp + a);
    if (like ? c == 37 || c == 95 || c == 92 : c == 42 || c == 63) break;
    a++;
  }
  if (a == pl) return pl == sl && memory.compare(pp, sp, pl) == 0;
  if (a > sl || memory.compare(pp, sp, a) != 0) return false;
  let b = pl;
  while (b > a) {
    const c = load<u8>(pp + b - 1);
    if (like ? c == 37 || c == 95 || c == 92 : c == 42 || c == 63) break;
    b--;
  }
  // A LIKE escape right before the suffix makes its first byte literal too: stay conservative.
  const n = pl - b;
  if (n > sl - a) return false;
  return memory.compare(pp + b, sp + sl - n, n) == 0;
}

function match_dp(toks: usize, nt: u32, s: usize, ns: u32): bool {
  let reach = REACH_BUF;
  let next = REACH_BUF + SMALL + 1;
  if (ns >= SMALL) {
    reach = alloc(ns + 1);
    next = alloc(ns + 1);
  }
  memory.fill(reach, 0, ns + 1);
  store<u8>(reach, 1);
  for (let ti: u32 = 0; ti < nt; ti++) {
    const t = load<i32>(toks + (<usize>ti << 2));
    memory.fill(next, 0, ns + 1);
    let anyReach = false;
    if (t == T_DSTAR || t == T_PCT || t == T_STAR) {
      for (let j: u32 = 0; j <= ns; j++) {
        if (load<u8>(reach + j) != 0) store<u8>(next + j, 1);
        else if (j > 0 && load<u8>(next + j - 1) != 0 && (t != T_STAR || load<i32>(s + (<usize>(j - 1) << 2)) != 46)) store<u8>(next + j, 1);
        if (load<u8>(next + j) != 0) anyReach = true;
      }
    } else {
      for (let j: u32 = 1; j <= ns; j++) {
        if (load<u8>(reach + j - 1) == 0) continue;
        const c = load<i32>(s + (<usize>(j - 1) << 2));
        if (t == T_UNDER || (t == T_QUEST && c != 46) || t == c) {
          store<u8>(next + j, 1);
          anyReach = true;
        }
      }
    }
    const tmp = reach;
    reach = next;
    next = tmp;
    if (!anyReach) return false;
  }
  return load<u8>(reach + ns) != 0;
}

function subject(v: usize): usize {
  const n = vlen(v);
  return n < SMALL ? SUBJ_BUF : alloc(<usize>(n + 1) << 2);
}

function tokbuf(n: u32): usize {
  return n + 4 < SMALL ? TOK_BUF : alloc(<usize>(n + 4) << 2);
}

export function glob(v: usize, pp: usize, pl: u32): bool {
  if (tag(v) != T_STR) return false;
  if (!literal_ends_ok(pp, pl, sptr(v), vlen(v), false)) return false;
  const s = subject(v);
  const ns = decode(sptr(v), vlen(v), s);
  const toks = tokbuf(pl);
  const nt = glob_tokens(pp, pl, toks, 0);
  return match_tokens(toks, nt, s, ns);
}

export function like(v: usize, pp: usize, pl: u32): bool {
  if (tag(v) != T_STR) return false;
  if (!literal_ends_ok(pp, pl, sptr(v), vlen(v), true)) return false;
  const s = subject(v);
  const ns = decode(sptr(v), vlen(v), s);
  const toks = tokbuf(pl);
  const nt = like_tokens(pp, pl, toks);
  return match_tokens(toks, nt, s, ns);
}

const QBUF: usize = memory.data(<i32>SMALL);

function append(dst: usize, at: u32, src: usize, n: u32): u32 {
  memory.copy(dst + at, src, n);
  return at + n;
}

/**
 * `column is NAME` (IsExpr): the column's own tags, then data.warden.classifications[NAME]
 * (`classes`: that object, looked up once per evaluation). `name`: a constant string value.
 */
export function classified(col: usize, classes: usize, name: usize): bool {
  if (tag(col) != T_OBJ) return false;
  const np = sptr(name), nl = vlen(name);
  const tags = get_field_h(col, S.S_CLASSIFICATIONS, S.L_CLASSIFICATIONS, S.H_CLASSIFICATIONS);
  if (tag(tags) == T_ARR) {
    for (let i: u32 = 0; i < vlen(tags); i++) {
      const t = elem(tags, i);
      if (tag(t) == T_STR && vlen(t) == nl && memory.compare(sptr(t), np, nl) == 0) return true;
    }
  }
  const pats = get_field_k(classes, name);
  if (tag(pats) != T_ARR) return false;
  const schema = get_field_h(col, S.S_SCHEMA, S.L_SCHEMA, S.H_SCHEMA);
  const table = get_field_h(col, S.S_TABLE, S.L_TABLE, S.H_TABLE);
  const column = get_field_h(col, S.S_COLUMN, S.L_COLUMN, S.H_COLUMN);
  if (tag(table) != T_STR || tag(column) != T_STR) return false;
  if (tag(schema) != T_NULL && tag(schema) != T_STR) return false;
  const sl = tag(schema) == T_STR ? vlen(schema) : S.L_PUBLIC;
  const ql = sl + vlen(table) + vlen(column) + 2;
  const q = ql < SMALL ? QBUF : alloc(ql);
  let at = append(q, 0, tag(schema) == T_STR ? sptr(schema) : S.S_PUBLIC, sl);
  store<u8>(q + at++, 46);
  at = append(q, at, sptr(table), vlen(table));
  store<u8>(q + at++, 46);
  at = append(q, at, sptr(column), vlen(column));
  // Decoded to code points only once some pattern survives the byte-level checks.
  let s: usize = 0;
  let ns: u32 = 0;
  const last = load<u8>(q + ql - 1);
  for (let i: u32 = 0; i < vlen(pats); i++) {
    const p = elem(pats, i);
    if (tag(p) != T_STR) continue;
    const pp = sptr(p), pl = vlen(p);
    if (pl > 0) {
      const pe = load<u8>(pp + pl - 1);
      if (pe != 42 && pe != 63 && pe != last) continue;
    }
    // Padding only adds a leading `*.`, so the pattern's literal suffix must end the name.
    let suffix: u32 = 0;
    while (suffix < pl) {
      const ch = load<u8>(pp + pl - 1 - suffix);
      if (ch == 42 || ch == 63) break;
      suffix++;
    }
    if (suffix < pl && (suffix > ql || memory.compare(pp + pl - suffix, q + ql - suffix, suffix) != 0)) continue;
    let parts: u32 = 1;
    for (let j: u32 = 0; j < pl; j++) if (load<u8>(pp + j) == 46) parts++;
    const toks = tokbuf(pl + 4);
    let k: u32 = 0;
    // Fewer than three parts: pad on the left with `*.` (`email` = `*.*.email`).
    while (parts < 3) {
      store<i32>(toks + (<usize>(k++) << 2), T_STAR);
      store<i32>(toks + (<usize>(k++) << 2), 46);
      parts++;
    }
    const nt = glob_tokens(pp, pl, toks, k);
    if (s == 0) {
      s = ql < SMALL ? SUBJ_BUF : alloc(<usize>(ql + 1) << 2);
      ns = decode(q, ql, s);
    }
    if (match_tokens(toks, nt, s, ns)) return true;
  }
  return false;
}
