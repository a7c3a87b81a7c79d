// A small PostgreSQL lexer in JS: statement splitting, comment trimming and tool-annotation
// preprocessing. It only tracks what decides statement boundaries (quotes, comments, dollar
// quotes, parentheses, BEGIN ATOMIC) — the real grammar is libpg-query's job.

const enum C {
  NL = 10,
  SPACE = 32,
  DQUOTE = 34,
  DOLLAR = 36,
  SQUOTE = 39,
  LPAREN = 40,
  RPAREN = 41,
  STAR = 42,
  MINUS = 45,
  SLASH = 47,
  SEMI = 59,
  BACKSLASH = 92,
}

export function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c >= 128;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/** End (exclusive) of a `--` comment starting at i. */
function lineCommentEnd(t: string, i: number): number {
  const nl = t.indexOf("\n", i);
  return nl < 0 ? t.length : nl;
}

/** End (exclusive) of a nested block comment starting at i (`/*`); unterminated runs to the end. */
function blockCommentEnd(t: string, i: number): number {
  let depth = 0;
  const n = t.length;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c === C.SLASH && t.charCodeAt(i + 1) === C.STAR) {
      depth++;
      i += 2;
    } else if (c === C.STAR && t.charCodeAt(i + 1) === C.SLASH) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return n;
}

/** End (exclusive) of a quoted token starting at i with quote char q; `backslash` for E'' strings. */
function quotedEnd(t: string, i: number, q: number, backslash: boolean): number {
  const n = t.length;
  i++;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (backslash && c === C.BACKSLASH) {
      i += 2;
      continue;
    }
    if (c === q) {
      if (t.charCodeAt(i + 1) === q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** If a dollar-quote opener starts at i, its tag (`$tag$`), else null. */
export function dollarTag(t: string, i: number): string | null {
  if (i > 0 && isIdentChar(t.charCodeAt(i - 1))) return null;
  let j = i + 1;
  const n = t.length;
  if (j < n && t.charCodeAt(j) === C.DOLLAR) return "$$";
  if (j >= n || !isIdentStart(t.charCodeAt(j))) return null;
  while (j < n) {
    const c = t.charCodeAt(j);
    if (c === C.DOLLAR) return t.slice(i, j + 1);
    if (!isIdentChar(c) || c === C.DOLLAR) return null;
    j++;
  }
  return null;
}

function dollarEnd(t: string, i: number, tag: string): number {
  const close = t.indexOf(tag, i + tag.length);
  return close < 0 ? t.length : close + tag.length;
}

/**
 * Skips one token at i (string, comment, quoted identifier, dollar body or a single char)
 * and returns the index after it; `kind` tells the caller what it was.
 */
export interface Tok {
  end: number;
  comment: boolean;
}

export function skipToken(t: string, i: number, out: Tok): void {
  const c = t.charCodeAt(i);
  out.comment = false;
  if (c === C.MINUS && t.charCodeAt(i + 1) === C.MINUS) {
    out.end = lineCommentEnd(t, i);
    out.comment = true;
  } else if (c === C.SLASH && t.charCodeAt(i + 1) === C.STAR) {
    out.end = blockCommentEnd(t, i);
    out.comment = true;
  } else if (c === C.SQUOTE) {
    const prev = i > 0 ? t.charCodeAt(i - 1) : 0;
    const e = (prev === 69 || prev === 101) && (i < 2 || !isIdentChar(t.charCodeAt(i - 2)));
    out.end = quotedEnd(t, i, C.SQUOTE, e);
  } else if (c === C.DQUOTE) {
    out.end = quotedEnd(t, i, C.DQUOTE, false);
  } else if (c === C.DOLLAR) {
    const tag = dollarTag(t, i);
    out.end = tag ? dollarEnd(t, i, tag) : i + 1;
  } else if (isIdentChar(c)) {
    let j = i + 1;
    while (j < t.length && isIdentChar(t.charCodeAt(j))) j++;
    out.end = j;
  } else out.end = i + 1;
}

/** Narrows [start, end) to its first and last significant (non-space, non-comment) characters. */
export function trimRange(t: string, start: number, end: number): [number, number] {
  // fast path: no comment at the start, and the last line cannot end inside a comment
  // (no `--` on it, no `*/` at its end): trailing text is only whitespace and semicolons
  let s = start;
  while (s < end && isSpace(t.charCodeAt(s))) s++;
  const c0 = t.charCodeAt(s);
  const c1 = t.charCodeAt(s + 1);
  if (s < end && !((c0 === C.MINUS && c1 === C.MINUS) || (c0 === C.SLASH && c1 === C.STAR))) {
    let e = end;
    while (e > s && (isSpace(t.charCodeAt(e - 1)) || t.charCodeAt(e - 1) === C.SEMI)) e--;
    const lineStart = t.lastIndexOf("\n", e - 1) + 1;
    const from = Math.max(lineStart, s);
    // searched up to `e` only: an unbounded search runs to the end of the file for every
    // statement of a large file without comments (a pg_dump)
    // (a slice is a view in V8: the native search without copying the line)
    const dash = from < e ? t.slice(from, e).indexOf("--") : -1;
    if (dash < 0 && !(t.charCodeAt(e - 1) === C.SLASH && t.charCodeAt(e - 2) === C.STAR)) {
      // a `;` may only be dropped when it is not inside a quoted token on this line
      if (e === end || !/['"$]/.test(t.slice(from, end))) return [s, e];
    }
  }
  const tok: Tok = { end: 0, comment: false };
  let i = start;
  let first = -1;
  let last = start;
  while (i < end) {
    const c = t.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    skipToken(t, i, tok);
    if (!tok.comment) {
      if (first < 0) first = i;
      last = Math.min(tok.end, end);
    }
    i = tok.end;
  }
  if (first < 0) return [end, end];
  // a trailing semicolon is the terminator, not part of the statement
  while (last > first && t.charCodeAt(last - 1) === C.SEMI) {
    last--;
    while (last > first && isSpace(t.charCodeAt(last - 1))) last--;
  }
  return [first, last];
}

export interface Piece {
  start: number;
  end: number;
}

/**
 * Splits text into statements at top-level semicolons (outside quotes, comments, dollar
 * bodies, parentheses and BEGIN ATOMIC ... END); each piece is trimmed of comments and
 * whitespace. Used when the parser rejects a file, to go on statement by statement.
 */
export function splitStatements(t: string): Piece[] {
  const pieces: Piece[] = [];
  const tok: Tok = { end: 0, comment: false };
  const n = t.length;
  let depth = 0;
  let atomic = 0;
  let prevWord = "";
  let pieceStart = 0;
  let i = 0;
  const push = (s: number, e: number) => {
    const [a, b] = trimRange(t, s, e);
    if (b > a) pieces.push({ start: a, end: b });
  };
  while (i < n) {
    const c = t.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === C.SEMI && depth === 0 && atomic === 0) {
      push(pieceStart, i);
      pieceStart = i + 1;
      prevWord = "";
      i++;
      continue;
    }
    if (c === C.LPAREN) depth++;
    else if (c === C.RPAREN && depth > 0) depth--;
    skipToken(t, i, tok);
    if (!tok.comment && isIdentStart(c)) {
      const w = t.slice(i, tok.end).toLowerCase();
      if (w === "atomic" && prevWord === "begin") atomic++;
      else if (atomic > 0 && w === "case") atomic++;
      else if (atomic > 0 && w === "end") atomic--;
      prevWord = w;
    }
    i = tok.end;
  }
  push(pieceStart, n);
  return pieces;
}

export { isSpace };
