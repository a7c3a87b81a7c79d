// Statement fingerprints: a hash of the statement's text with comments dropped and
// whitespace collapsed, so a finding keeps its identity when the statement moves or is
// re-indented (baselines, SARIF partialFingerprints, GitLab fingerprints).
import { createHash } from "node:crypto";

// characters that may start something the plain-text run must not swallow:
// whitespace, quotes, dollar quotes, and comment starts
const BREAKS = new Set([..." \t\n\r\f\v'\"$-/"].map((c) => c.charCodeAt(0)));

/** The statement text without comments, whitespace runs collapsed, no trailing `;`. */
export function normaliseStatement(text: string): string {
  let out = "";
  let pendingSpace = false;
  const emit = (s: string) => {
    if (pendingSpace && out) out += " ";
    pendingSpace = false;
    out += s;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === "-" && text[i + 1] === "-") {
      while (i < n && text[i] !== "\n") i++;
      pendingSpace = true;
    } else if (c === "/" && text[i + 1] === "*") {
      // block comments nest in PostgreSQL
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === "/" && text[i + 1] === "*") (depth++, (i += 2));
        else if (text[i] === "*" && text[i + 1] === "/") (depth--, (i += 2));
        else i++;
      }
      pendingSpace = true;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
      pendingSpace = true;
    } else if (c === "'" || c === '"') {
      // quoted text is kept verbatim; E'' strings may escape the quote with a backslash
      const escapes = c === "'" && /[eE]/.test(text[i - 1] ?? "");
      let j = i + 1;
      while (j < n) {
        if (escapes && text[j] === "\\") j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      emit(text.slice(i, j + 1));
      i = j + 1;
    } else if (c === "$") {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (m) {
        const end = text.indexOf(m[0], i + m[0].length);
        const stop = end < 0 ? n : end + m[0].length;
        emit(text.slice(i, stop));
        i = stop;
      } else {
        emit(c);
        i++;
      }
    } else {
      let j = i + 1;
      while (j < n && !BREAKS.has(text.charCodeAt(j))) j++;
      emit(text.slice(i, j));
      i = j;
    }
  }
  return out.replace(/\s*;\s*$/, "");
}

export function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function statementFingerprint(text: string): string {
  return hash(normaliseStatement(text));
}
