// Reads a SQL file as text the way an editor would: UTF-8, or UTF-16 behind its byte-order
// mark (a mark is dropped: it is not a column); only regular files are read, and bytes that
// are not text in those encodings, or look binary, are reported, not guessed at.
import { isUtf8 } from "node:buffer";
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from "node:fs";
import { fsReason } from "./errors.js";
import { LineIndex } from "../diagnostics/span.js";
import { isDirectory } from "./discover.js";

export type TextRead = { text: string } | { reason: string; line?: number; column?: number; help?: string };

/** Bytes read before a NUL byte marks a file as binary (git uses the same heuristic). */
const BINARY_PROBE = 8000;

export function readTextFile(absPath: string): TextRead {
  let buf: Buffer;
  let fd: number | undefined;
  try {
    // opened without blocking and checked before reading: opening a named pipe waits for a
    // writer, and reading one (or a device) may never end
    fd = openSync(absPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile()) return { reason: notRegular(st), ...(st.isDirectory() ? {} : { help: "only regular files are read; leave it out with `exclude` in the config" }) };
    buf = readFileSync(fd);
  } catch (err) {
    return { reason: fsReason(err) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return decodeText(buf);
}

function notRegular(st: Stats): string {
  if (st.isDirectory()) return "is a directory";
  const what = st.isFIFO() ? "a named pipe" : st.isSocket() ? "a socket" : st.isCharacterDevice() || st.isBlockDevice() ? "a device" : "a special file";
  return `it is not a regular file (it is ${what})`;
}

/**
 * SQL text from bytes (a file's, or standard input's) with the checks `readTextFile` makes,
 * or from a string (given text: only a leading byte-order mark is dropped).
 */
export function decodeText(content: string | Uint8Array): TextRead {
  if (typeof content === "string") return { text: dropBom(content) };
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  // UTF-32's mark starts like UTF-16 LE's, so it is told apart first
  if (buf.length >= 4 && ((buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0) || (buf[0] === 0 && buf[1] === 0 && buf[2] === 0xfe && buf[3] === 0xff))) {
    return { reason: "it is UTF-32 text, which is not read", line: 1, column: 1, help: "save the file as UTF-8 (e.g. `iconv -f utf-32 -t utf-8`)" };
  }
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) return decodeUtf16(buf, buf[0] === 0xfe);
  const nul = buf.subarray(0, BINARY_PROBE).indexOf(0);
  if (nul >= 0) {
    // ASCII text saved as UTF-16 without a mark has a NUL in every other byte
    const utf16 = buf.length >= 4 && (buf[0] === 0) !== (buf[1] === 0) && (buf[2] === 0) !== (buf[3] === 0) && (buf[0] === 0) === (buf[2] === 0);
    return {
      reason: "it is a binary file, not SQL text (it contains NUL bytes)",
      ...positionOf(buf, nul),
      ...(utf16 ? { help: "if it is UTF-16 text without a byte-order mark, save it as UTF-8 (or as UTF-16 with a byte-order mark)" } : {}),
    };
  }
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
 * UTF-16 text behind its byte-order mark (`bigEndian` for FE FF). A JavaScript string is
 * UTF-16, so positions in the decoded text are already the UTF-16 columns findings use.
 */
function decodeUtf16(buf: Buffer, bigEndian: boolean): TextRead {
  const name = bigEndian ? "UTF-16 BE" : "UTF-16 LE";
  const help = `save the file as UTF-8, or as ${name} throughout`;
  const units = (buf.length - 2) >> 1;
  const unit = (i: number) => (bigEndian ? buf.readUInt16BE(2 + 2 * i) : buf.readUInt16LE(2 + 2 * i));
  const at = (i: number) => textPosition(decodeUnits(buf, bigEndian, i));
  // a surrogate must come in a high-low pair; anything else is not UTF-16 text
  for (let i = 0; i < units; i++) {
    const u = unit(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = i + 1 < units ? unit(i + 1) : -1;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (u >= 0xd800 && u <= 0xdfff) return { reason: `it is not ${name} text: code unit 0x${u.toString(16)} is an unpaired surrogate`, ...at(i), help };
  }
  if (buf.length % 2 === 1) return { reason: `it is not ${name} text: it ends in half a code unit (an odd number of bytes)`, ...at(units), help };
  const text = decodeUnits(buf, bigEndian, units);
  const nul = text.indexOf("\0");
  if (nul >= 0 && nul < BINARY_PROBE) return { reason: "it is a binary file, not SQL text (it contains NUL characters)", ...textPosition(text.slice(0, nul)) };
  return { text };
}

/** The first `count` code units after the byte-order mark, as a string. */
function decodeUnits(buf: Buffer, bigEndian: boolean, count: number): string {
  const body = Buffer.from(buf.subarray(2, 2 + 2 * count)); // a copy: swap16 works in place
  if (bigEndian) body.swap16();
  return body.toString("utf16le");
}

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
  return textPosition(dropBom(buf.subarray(0, offset).toString("utf8")));
}

/** 1-based line and UTF-16 column just after `before`. */
function textPosition(before: string): { line: number; column: number } {
  const { line, column } = new LineIndex(before).position(before.length);
  return { line, column };
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
