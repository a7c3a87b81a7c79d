// Reads a SQL file as text the way an editor would: UTF-8, a leading byte-order mark dropped
// (it is not a column), and bytes that are not UTF-8 or look binary reported, not guessed at.
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import { fsReason } from "./errors.js";
import { isDirectory } from "./discover.js";

export type TextRead = { text: string } | { reason: string; line?: number; column?: number; help?: string };

/** Bytes read before a NUL byte marks a file as binary (git uses the same heuristic). */
const BINARY_PROBE = 8000;

export function readTextFile(absPath: string): TextRead {
  let buf: Buffer;
  try {
    buf = readFileSync(absPath);
  } catch (err) {
    return { reason: fsReason(err) };
  }
  return decodeText(buf);
}

/**
 * SQL text from bytes (a file's, or standard input's) with the checks `readTextFile` makes,
 * or from a string (given text: only a leading byte-order mark is dropped).
 */
export function decodeText(content: string | Uint8Array): TextRead {
  if (typeof content === "string") return { text: dropBom(content) };
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const nul = buf.subarray(0, BINARY_PROBE).indexOf(0);
  if (nul >= 0) return { reason: "it is a binary file, not SQL text (it contains NUL bytes)", ...positionOf(buf, nul) };
  // the native check answers for valid files; the byte scan only finds where a bad one goes wrong
  const bad = isUtf8(buf) ? -1 : firstInvalidUtf8(buf);
  if (bad >= 0) {
    return {
      reason: `it is not UTF-8 text: byte 0x${buf[bad]!.toString(16).padStart(2, "0")} is not valid UTF-8 here`,
      ...positionOf(buf, bad),
      help: "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
    };
  }
  return { text: dropBom(buf.toString("utf8")) };
}

const dropBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * What is wrong with `name` as the file standard input stands for (`--stdin-filename`),
 * resolved to `abs`: it must name a file, not a directory. Undefined when it is fine.
 */
export function stdinTargetProblem(name: string, abs: string): { message: string; help: string } | undefined {
  if (name !== "" && !isDirectory(abs)) return undefined;
  return { message: `the file standard input stands for must be a file, but \`${name || "."}\` is a directory`, help: "name a file, e.g. `--stdin-filename db/migrations/V9__add_tier.sql`" };
}

/** 1-based line and UTF-16 column of byte `offset`, counting the valid text before it. */
function positionOf(buf: Buffer, offset: number): { line: number; column: number } {
  let before = buf.subarray(0, offset).toString("utf8");
  if (before.charCodeAt(0) === 0xfeff) before = before.slice(1);
  const lineStart = Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r")) + 1;
  const line = (before.match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
  return { line, column: before.length - lineStart + 1 };
}

/** Byte offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    const second = b[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const x = b[i + k];
      if (x === undefined || x < 0x80 || x > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}
