// Statement fingerprints: a hash of the statement's text with comments dropped and
// whitespace collapsed, so a finding keeps its identity when the statement moves or is
// re-indented (baselines, SARIF partialFingerprints, GitLab fingerprints).
import { hash as digest } from "node:crypto";

// characters that may start something the plain-text run must not swallow:
// whitespace, quotes, dollar quotes, and comment starts
const BREAKS = new Uint8Array(128);
for (const c of " \t\n\r\f\v'\"$-/") BREAKS[c.charCodeAt(0)] = 1;

const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const NL = 0x0a;
const DOLLAR = 0x24;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether `c` may start a dollar-quote tag (`[A-Za-z_]`), or continue one (also digits). */
function tagChar(c: number, first: boolean): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (!first && c >= 0x30 && c <= 0x39);
}

/**
 * The statement text without comments, whitespace runs collapsed, no trailing `;`.
 * Scans character codes: this runs for every statement that has a finding.
 */
export function normaliseStatement(text: string): string {
  let out = "";
  let pendingSpace = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const from = i; // the piece to keep is text[from, i) once i has moved past it
    if (c === DASH && text.charCodeAt(i + 1) === DASH) {
      while (i < n && text.charCodeAt(i) !== NL) i++;
      pendingSpace = true;
      continue;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      // block comments nest in PostgreSQL
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const d = text.charCodeAt(i);
        if (d === SLASH && text.charCodeAt(i + 1) === STAR) (depth++, (i += 2));
        else if (d === STAR && text.charCodeAt(i + 1) === SLASH) (depth--, (i += 2));
        else i++;
      }
      pendingSpace = true;
      continue;
    } else if (c === 0x20 || c === 0x09 || c === NL || c === 0x0d || c === 0x0c) {
      i++;
      pendingSpace = true;
      continue;
    } else if (c === SQUOTE || c === DQUOTE) {
      // quoted text is kept verbatim; E'' strings may escape the quote with a backslash
      const p = i > 0 ? text.charCodeAt(i - 1) : 0;
      const escapes = c === SQUOTE && (p === 0x65 || p === 0x45);
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (escapes && d === BACKSLASH) j += 2;
        else if (d === c && text.charCodeAt(j + 1) === c) j += 2;
        else if (d === c) break;
        else j++;
      }
      i = Math.min(j + 1, n);
    } else if (c === DOLLAR) {
      // `$tag$` (tag of up to 62 characters) or `$$`: the quoted body is kept verbatim
      let j = i + 1;
      if (j < n && tagChar(text.charCodeAt(j), true)) {
        j++;
        while (j < n && j < i + 63 && tagChar(text.charCodeAt(j), false)) j++;
      }
      if (j < n && j < i + 64 && text.charCodeAt(j) === DOLLAR) {
        const tag = text.slice(i, j + 1);
        const end = text.indexOf(tag, j + 1);
        i = end < 0 ? n : end + tag.length;
      } else {
        i++;
      }
    } else {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d < 128 && BREAKS[d] === 1) break;
        i++;
      }
    }
    if (pendingSpace && out !== "") out += " ";
    pendingSpace = false;
    out += text.slice(from, i);
  }
  return out.replace(/\s*;\s*$/, "");
}

export function hash(text: string): string {
  // one-shot digest: no Hash object per statement
  return digest("sha256", text, "hex").slice(0, 16);
}

export function statementFingerprint(text: string): string {
  return hash(normaliseStatement(text));
}
