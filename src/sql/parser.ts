// The PostgreSQL grammar (libpg-query, wasm), loaded once, and the offset conversions its
// output needs: node locations are UTF-8 byte offsets, error cursors are code-point offsets.
//
// Speed: libpg-query's sync wrappers encode the query with emscripten's JS UTF-8 loop, which
// costs as much as the parse itself on large files. When the package's wasm factory exposes
// the raw exports we call them directly with native UTF-8 encoding; otherwise (another
// package version) we use the public `parseSync`/`parsePlPgSQLSync`.
import type * as pgTypes from "libpg-query";
import v8 from "node:v8";

type PublicApi = typeof pgTypes;

interface RawModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  _wasm_parse_query_raw(p: number): number;
  _wasm_free_parse_result(p: number): void;
  _wasm_parse_plpgsql(p: number): number;
  _wasm_free_string(p: number): void;
  UTF8ToString(p: number): string;
}

let loaded: Promise<void> | null = null;
let ready = false;
let raw: RawModule | null = null;
let api: PublicApi | null = null;

// a Buffer view of wasm memory, rebuilt when memory growth replaces the buffer
let heapBuf: Buffer | null = null;

/**
 * Reads a NUL-terminated UTF-8 string out of wasm memory. Through a Buffer both steps are
 * native and fast: Buffer#indexOf is a byte search (Uint8Array#indexOf is an element loop,
 * ~4x slower) and its UTF-8 decode beats TextDecoder's on ~5 MB of parse trees per corpus run.
 */
function fromWasm(m: RawModule, ptr: number): string {
  const buf = heapView(m);
  const end = buf.indexOf(0, ptr);
  return buf.toString("utf8", ptr, end < 0 ? buf.length : end);
}

function heapView(m: RawModule): Buffer {
  const heap = m.HEAPU8;
  if (!heapBuf || heapBuf.buffer !== heap.buffer) heapBuf = Buffer.from(heap.buffer, heap.byteOffset, heap.byteLength);
  return heapBuf;
}

function isRawModule(m: unknown): m is RawModule {
  const r = m as Partial<RawModule> | null;
  return !!r && r.HEAPU8 instanceof Uint8Array && r.HEAPU32 instanceof Uint32Array && typeof r._malloc === "function" && typeof r._wasm_parse_query_raw === "function" && typeof r._wasm_parse_plpgsql === "function" && typeof r.UTF8ToString === "function";
}

export interface ParserOptions {
  /**
   * Let V8 recompile the parser's hot wasm functions with its optimizing tier (default true).
   * A one-shot run (`warden check`) is better off without: optimizing the grammar's huge
   * functions costs ~300 ms of CPU on a helper thread while the parse itself gets faster
   * only on later rounds, so the code stays in the baseline tier (Liftoff).
   */
  tierUp?: boolean;
}

async function load(opts: ParserOptions): Promise<void> {
  // the tier is fixed when the module is compiled: the flag only needs to hold until then
  const baselineOnly = opts.tierUp === false && setV8Flag("--liftoff-only");
  try {
    // @ts-expect-error the factory file has no type declarations
    const factory = (await import("libpg-query/wasm/libpg-query.js")).default as () => Promise<unknown>;
    const m = await factory();
    if (isRawModule(m)) raw = m;
  } catch {
    raw = null;
  } finally {
    if (baselineOnly) setV8Flag("--no-liftoff-only");
  }
  if (!raw) {
    api = await import("libpg-query");
    await api.loadModule();
  }
  ready = true;
}

function setV8Flag(flag: string): boolean {
  try {
    v8.setFlagsFromString(flag);
    return true;
  } catch {
    return false;
  }
}

/** Loads the parser's wasm module once (options apply to the first call); every extraction function needs it first. */
export function initSqlParser(opts: ParserOptions = {}): Promise<void> {
  if (!loaded) loaded = load(opts);
  return loaded;
}

/** Copies `text` into wasm memory as NUL-terminated UTF-8 (one native pass: room for the worst case, 3 bytes a UTF-16 unit). */
function toWasm(m: RawModule, text: string): number {
  const ptr = m._malloc(text.length * 3 + 1);
  const buf = heapView(m); // after malloc: memory growth replaces the buffer
  const len = buf.write(text, ptr, "utf8");
  buf[ptr + len] = 0;
  return ptr;
}

export function parserReady(): boolean {
  return ready;
}

function assertReady(): void {
  if (!ready) throw new Error("the SQL parser is not loaded: call `await initSqlParser()` first");
}

// The AST is plain JSON from the wasm module; its shape is PostgreSQL's parse nodes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PgNode = any;

export interface RawStmt {
  stmt: PgNode;
  stmt_location?: number;
  stmt_len?: number;
}

export type ParseOutcome = { ok: true; stmts: RawStmt[] } | { ok: false; message: string; cursor: number };

export function parseSql(text: string): ParseOutcome {
  assertReady();
  if (text.trim() === "") return { ok: true, stmts: [] };
  if (raw) {
    const m = raw;
    const q = toWasm(m, text);
    let res = 0;
    try {
      res = m._wasm_parse_query_raw(q);
      if (!res) return { ok: false, message: "the parser ran out of memory", cursor: 0 };
      const u32 = m.HEAPU32;
      const tree = u32[res >> 2]!;
      const err = u32[(res + 8) >> 2]!;
      if (err) {
        const msgPtr = m.HEAPU32[err >> 2]!;
        const cursor = m.HEAPU32[(err + 16) >> 2]! | 0;
        return { ok: false, message: msgPtr ? fromWasm(m, msgPtr) : "syntax error", cursor: cursor > 0 ? cursor - 1 : 0 };
      }
      if (!tree) return { ok: true, stmts: [] };
      const r = JSON.parse(fromWasm(m, tree)) as { stmts?: RawStmt[] };
      return { ok: true, stmts: r.stmts ?? [] };
    } finally {
      m._free(q);
      if (res) m._wasm_free_parse_result(res);
    }
  }
  try {
    const r = api!.parseSync(text) as unknown as { stmts?: RawStmt[] };
    return { ok: true, stmts: r.stmts ?? [] };
  } catch (err) {
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    return { ok: false, message: String(e.message ?? err), cursor: e.sqlDetails?.cursorPosition ?? 0 };
  }
}

/** PL/pgSQL function tree for a full CREATE FUNCTION statement, or null when it is not parseable. */
export function parsePlpgsql(createFunctionText: string): PgNode[] | null {
  assertReady();
  if (raw) {
    const m = raw;
    const q = toWasm(m, createFunctionText);
    let res = 0;
    try {
      res = m._wasm_parse_plpgsql(q);
      if (!res) return null;
      const s = fromWasm(m, res);
      if (!s.startsWith("{")) return null;
      return (JSON.parse(s) as { plpgsql_funcs?: PgNode[] }).plpgsql_funcs ?? [];
    } catch {
      return null;
    } finally {
      m._free(q);
      if (res) m._wasm_free_string(res);
    }
  }
  try {
    const r = api!.parsePlPgSQLSync(createFunctionText) as unknown as { plpgsql_funcs?: PgNode[] };
    return r.plpgsql_funcs ?? [];
  } catch {
    return null;
  }
}

/** UTF-8 byte offset → UTF-16 offset of one text; identity for ASCII text. */
export class ByteMap {
  private readonly table: Uint32Array | null;

  constructor(readonly text: string) {
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(text)) {
      this.table = null;
      return;
    }
    const bytes = Buffer.byteLength(text, "utf8");
    const table = new Uint32Array(bytes + 1);
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let len: number;
      if (c < 0x80) len = 1;
      else if (c < 0x800) len = 2;
      else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        // a surrogate pair is 4 bytes for 2 UTF-16 units
        for (let k = 0; k < 4; k++) table[b + k] = i;
        b += 4;
        i++;
        continue;
      } else len = 3;
      for (let k = 0; k < len; k++) table[b + k] = i;
      b += len;
    }
    table[b] = text.length;
    this.table = table;
  }

  toUtf16(byteOffset: number): number {
    if (!this.table) return Math.max(0, Math.min(byteOffset, this.text.length));
    if (byteOffset <= 0) return 0;
    if (byteOffset >= this.table.length) return this.text.length;
    return this.table[byteOffset]!;
  }
}

/** Code-point offset → UTF-16 offset (error cursors count characters). */
export function codePointToUtf16(text: string, cp: number, from = 0): number {
  let i = from;
  let k = 0;
  while (k < cp && i < text.length) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    k++;
  }
  return i;
}
