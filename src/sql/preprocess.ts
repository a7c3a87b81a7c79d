// Tool annotations handled before parsing: goose sections, psql meta-commands and
// `:VAR` placeholders. The output text keeps the original offsets wherever it can
// (blanked regions become spaces, newlines stay), and an OffsetMap maps the rest back.
import { dollarTag, isIdentChar, skipToken, type Tok } from "./lexer.js";

export interface PreNote {
  offset: number;
  message: string;
  kind: "skipped" | "placeholder" | "unchecked";
}

/** Maps offsets of an edited text back to offsets of the original (both UTF-16). */
export class OffsetMap {
  // breakpoints: at edited offset newAt[k] the original offset is origAt[k]; between
  // breakpoints offsets advance together. An edit whose length changed records its region.
  private readonly newAt: number[] = [];
  private readonly origAt: number[] = [];
  private readonly origEnd: number[] = [];

  get identity(): boolean {
    return this.newAt.length === 0;
  }

  /** Records that edited [newStart, newStart+newLen) replaced original [origStart, origEnd). */
  add(newStart: number, newLen: number, origStart: number, origEnd: number): void {
    this.newAt.push(newStart);
    this.origAt.push(origStart);
    this.origEnd.push(origEnd);
    this.newAt.push(newStart + newLen);
    this.origAt.push(origEnd);
    this.origEnd.push(origEnd);
  }

  toOriginal(off: number): number {
    const a = this.newAt;
    if (a.length === 0 || off < a[0]!) return off;
    let lo = 0;
    let hi = a.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (a[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    // inside a replaced region (even index = region start): clamp to the original region
    if (lo % 2 === 0) return Math.min(this.origAt[lo]! + (off - a[lo]!), this.origEnd[lo]!);
    return this.origAt[lo]! + (off - a[lo]!);
  }
}

export interface Preprocessed {
  text: string;
  map: OffsetMap;
  notes: PreNote[];
}

export interface PreprocessOptions {
  /** `:VAR` substitutions; a variable not listed becomes a neutral identifier of its own name. */
  placeholders?: Record<string, string>;
}

/** `s` with every UTF-16 unit but line breaks made a space (offsets and lines stay). */
function blank(s: string): string {
  // runs of spaces by `repeat`, not a per-character regex replacement
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    out += " ".repeat(i - from) + s[i];
    from = i + 1;
  }
  return out + " ".repeat(s.length - from);
}

// a goose annotation line: `-- +goose Up`, `-- +goose Down`, `-- +goose StatementBegin`, …
const GOOSE_LINE = /^[ \t]*--[ \t]*\+goose[ \t]+(\w+)/gim;

/** Blanks goose `Down` sections so only the `Up` part is checked (annotation lines stay). */
function gooseUpOnly(text: string, notes: PreNote[]): string {
  // most files have no `+` at all: a plain character search rules them out
  if (!text.includes("+") || !/--[ \t]*\+goose/i.test(text)) return text;
  const out: string[] = [];
  let copied = 0;
  let down = false;
  GOOSE_LINE.lastIndex = 0;
  for (let m = GOOSE_LINE.exec(text); m; m = GOOSE_LINE.exec(text)) {
    const at = m.index;
    const nl = text.indexOf("\n", at);
    const lineEnd = nl < 0 ? text.length : nl + 1;
    GOOSE_LINE.lastIndex = lineEnd;
    // lines are split at \n only (a lone \r does not start an annotation line)
    if (at > 0 && text.charCodeAt(at - 1) !== 10) continue;
    out.push(down ? blank(text.slice(copied, at)) : text.slice(copied, at), text.slice(at, lineEnd));
    copied = lineEnd;
    const dir = m[1]!.toLowerCase();
    if (dir === "down") {
      down = true;
      notes.push({ offset: at, message: "skipped goose `Down` section: only the `Up` part is checked", kind: "skipped" });
    } else if (dir === "up") down = false;
  }
  if (copied === 0) return text;
  out.push(down ? blank(text.slice(copied)) : text.slice(copied));
  return out.join("");
}

/** A COPY (or psql `\\copy`) that reads its rows from the script itself: FROM STDIN, ended by a line `\\.`. */
const COPY_FROM_STDIN = /^[ \t]*(?:\\copy\b[^\n]*?\bfrom[ \t]+stdin\b[^\n]*|copy\b[^;]*?\bfrom\s+stdin\b[^;]*;[^\n]*)\n/gim;
const END_OF_DATA = /^\\\.[ \t]*\r?$/m;

/**
 * Blanks the rows of COPY … FROM STDIN blocks (as pg_dump writes them): they are data up to
 * a line `\\.`, not SQL. Same length; the COPY statement itself stays and is checked.
 */
function blankCopyData(text: string, notes: PreNote[]): string {
  if (!text.includes("\\.") || !/stdin/i.test(text)) return text;
  const out: string[] = [];
  let copied = 0;
  // a COPY counts only where a statement can start: not inside a comment, a string or a
  // function body (the text before it is lexed once, from where the last check ended)
  let cursor = 0;
  const tok: Tok = { end: 0, comment: false };
  const atTopLevel = (at: number): boolean => {
    while (cursor < at) {
      const c = text.charCodeAt(cursor);
      if (c === 32 || c === 9 || c === 10 || c === 13) cursor++;
      else if (c === 92 /* \ */) {
        // a psql meta-command runs to the end of its line
        const nl = text.indexOf("\n", cursor);
        cursor = nl < 0 ? text.length : nl + 1;
      } else {
        skipToken(text, cursor, tok);
        cursor = tok.end;
      }
    }
    return cursor === at;
  };
  COPY_FROM_STDIN.lastIndex = 0;
  for (let m = COPY_FROM_STDIN.exec(text); m; m = COPY_FROM_STDIN.exec(text)) {
    const start = m.index + (m[0].length - m[0].trimStart().length);
    if (!atTopLevel(start)) {
      COPY_FROM_STDIN.lastIndex = Math.max(cursor, m.index + 1);
      continue;
    }
    const from = m.index + m[0].length;
    const end = END_OF_DATA.exec(text.slice(from));
    if (!end) break; // no end marker: not a data block after all
    const to = from + end.index + end[0].length;
    out.push(text.slice(copied, from), blank(text.slice(from, to)));
    copied = to;
    const rows = text.slice(from, from + end.index).split("\n").length - 1;
    notes.push({ offset: from, message: `skipped ${rows} row${rows === 1 ? "" : "s"} of COPY data (up to \`\\.\`)`, kind: "skipped" });
    COPY_FROM_STDIN.lastIndex = to;
    cursor = to;
  }
  if (copied === 0) return text;
  out.push(text.slice(copied));
  return out.join("");
}

/** Cheap scan: a `:name`/`:'name'` that is not a `::` cast, or a backslash (meta-command). */
function mayNeedPreprocessing(t: string): boolean {
  if (t.indexOf("\\") >= 0) return true;
  let i = t.indexOf(":");
  while (i >= 0) {
    const prev = i > 0 ? t.charCodeAt(i - 1) : 0;
    const next = t.charCodeAt(i + 1);
    if (next === 58) {
      i = t.indexOf(":", i + 2);
      continue;
    }
    if (prev !== 58 && (next === 39 || next === 34 || next === 95 || (next >= 65 && next <= 90) || (next >= 97 && next <= 122))) return true;
    i = t.indexOf(":", i + 1);
  }
  return false;
}

const INTERESTING = /[\\:'"$/-]/g;
/** psql meta-commands that run SQL from elsewhere: an included file, or a query's results. */
/** psql meta-commands that end the query buffer and send it: `\g`, `\gx`, `\gset`, `\gexec`, `\gdesc`. */
const SENDS_QUERY = /^\\g(?:x|set|exec|desc)?$/i;
const UNCHECKED_META = /^\\(i|ir|include|include_relative|gexec)$/i;

/**
 * The text with what is not SQL blanked, at the same offsets: goose `Down` sections and the
 * rows of COPY … FROM STDIN blocks (for scanners of the original text, e.g. suppressions).
 */
export function blankNonSql(text: string): string {
  return blankCopyData(gooseUpOnly(text, []), []);
}

export function preprocess(original: string, opts: PreprocessOptions = {}): Preprocessed {
  const notes: PreNote[] = [];
  const map = new OffsetMap();
  const text0 = blankCopyData(gooseUpOnly(original, notes), notes);
  // quick exit: nothing that looks like a meta-command or placeholder
  if (!mayNeedPreprocessing(text0)) return { text: text0, map, notes };

  const t = text0;
  const n = t.length;
  const out: string[] = [];
  let copied = 0; // original offset copied to `out` so far
  let outLen = 0;
  const tok: Tok = { end: 0, comment: false };
  let i = 0;
  const emit = (upto: number) => {
    if (upto > copied) {
      out.push(t.slice(copied, upto));
      outLen += upto - copied;
      copied = upto;
    }
  };
  // Inside a dollar-quoted body (a function or DO body: SQL again) placeholders are
  // substituted too, as the tools that use them do (a plain text replace); strings and
  // comments in the body are still skipped, and a backslash there is not a meta-command.
  let bodyClose = -1; // offset of the closing tag of the body being scanned, or -1
  let bodyTagLength = 0;
  while (i < n) {
    // only these characters start a token that matters here (quotes, comments, dollar
    // bodies, meta-commands, placeholders); identifiers and the rest are skipped in one go
    INTERESTING.lastIndex = i;
    const found = INTERESTING.test(t);
    if (bodyClose >= 0 && (!found || INTERESTING.lastIndex - 1 >= bodyClose)) {
      i = bodyClose + bodyTagLength;
      bodyClose = -1;
      continue;
    }
    if (!found) break;
    i = INTERESTING.lastIndex - 1;
    const c = t.charCodeAt(i);
    if (c === 36 /* $ */ && bodyClose < 0) {
      const tag = dollarTag(t, i);
      const close = tag ? t.indexOf(tag, i + tag.length) : -1;
      if (tag && close >= 0) {
        bodyClose = close;
        bodyTagLength = tag.length;
        i += tag.length;
        continue;
      }
    }
    if (c === 92 /* \ */ && bodyClose >= 0) {
      i++;
      continue;
    }
    if (c === 92 /* \ */) {
      // psql meta-command (outside quotes and comments a backslash is never SQL): it runs to
      // the end of the line, like psql reads it
      const nl = t.indexOf("\n", i);
      const end = nl < 0 ? n : nl;
      const cmd = t.slice(i, end).trim();
      const name = cmd.split(/\s+/)[0]!;
      emit(i);
      if (/^\\copy$/i.test(name)) {
        // `\copy` is COPY run by the client (its files are the client's): checked as COPY,
        // the backslash a space and a `;` added at the line's end (pstdin/pstdout as stdin/stdout)
        const line = " " + t.slice(i + 1, end).replace(/\bpstd(in|out)\b/gi, " std$1");
        out.push(line);
        outLen += line.length;
        if (!/;\s*$/.test(line)) {
          map.add(outLen, 1, end, end);
          out.push(";");
          outLen += 1;
        }
        copied = end;
        i = end;
        continue;
      }
      // `\g` and its kin send the query before them, as `;` does: the backslash becomes one
      out.push(SENDS_QUERY.test(name) ? ";" + blank(t.slice(i + 1, end)) : blank(t.slice(i, end)));
      outLen += end - i;
      copied = end;
      // meta-commands that run SQL this file does not contain cannot be checked here
      if (UNCHECKED_META.test(name)) notes.push({ offset: i, message: `psql meta-command \`${name}\` runs SQL that is not in this file; that SQL is not checked here`, kind: "unchecked" });
      else notes.push({ offset: i, message: `skipped psql meta-command \`${name}\``, kind: "skipped" });
      i = end;
      continue;
    }
    if (c === 58 /* : */) {
      const prev = i > 0 ? t.charCodeAt(i - 1) : 0;
      const next = t.charCodeAt(i + 1);
      if (prev !== 58 && next !== 58 && next !== 61 /* := */ && !isIdentChar(prev) && prev !== 93 && prev !== 41) {
        let name = "";
        let end = i + 1;
        let quote = 0;
        if (next === 39 || next === 34) {
          const close = t.indexOf(String.fromCharCode(next), i + 2);
          if (close > i + 2 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.slice(i + 2, close))) {
            name = t.slice(i + 2, close);
            end = close + 1;
            quote = next;
          }
        } else if ((next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next === 95) {
          let j = i + 1;
          while (j < n && isIdentChar(t.charCodeAt(j)) && t.charCodeAt(j) !== 36) j++;
          name = t.slice(i + 1, j);
          end = j;
        }
        if (name) {
          const configured = opts.placeholders?.[name];
          let rep: string;
          if (configured !== undefined) {
            rep = quote === 39 ? `'${configured.replace(/'/g, "''")}'` : quote === 34 ? `"${configured.replace(/"/g, '""')}"` : configured;
            notes.push({ offset: i, message: `substituted placeholder \`${t.slice(i, end)}\` with \`${rep}\``, kind: "placeholder" });
          } else {
            // same length: the colon becomes a space, the name stays (an identifier, literal or quoted name)
            rep = " " + t.slice(i + 1, end);
            notes.push({ offset: i, message: `placeholder \`${t.slice(i, end)}\` read as \`${rep.trim()}\`; configure \`placeholders\` to substitute it`, kind: "placeholder" });
          }
          emit(i);
          if (rep.length !== end - i) map.add(outLen, rep.length, i, end);
          out.push(rep);
          outLen += rep.length;
          copied = end;
          i = end;
          continue;
        }
      }
      i++;
      continue;
    }
    skipToken(t, i, tok);
    i = tok.end;
    // a string or comment left open inside a body ends with the body
    if (bodyClose >= 0 && i > bodyClose) {
      i = bodyClose + bodyTagLength;
      bodyClose = -1;
    }
  }
  if (copied === 0) return { text: t, map, notes };
  emit(n);
  return { text: out.join(""), map, notes };
}
