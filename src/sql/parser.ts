// The PostgreSQL grammar (libpg-query, wasm), loaded once, and the offset conversions its
// output needs: node locations are UTF-8 byte offsets, error cursors are code-point offsets.
import * as pg from "libpg-query";

let loaded: Promise<void> | null = null;
let ready = false;

/** Loads the parser's wasm module once; every extraction function needs it first. */
export function initSqlParser(): Promise<void> {
  if (!loaded) loaded = pg.loadModule().then(() => void (ready = true));
  return loaded;
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
  try {
    const r = pg.parseSync(text) as unknown as { stmts?: RawStmt[] };
    return { ok: true, stmts: r.stmts ?? [] };
  } catch (err) {
    const e = err as { message?: string; sqlDetails?: { cursorPosition?: number } };
    return { ok: false, message: String(e.message ?? err), cursor: e.sqlDetails?.cursorPosition ?? 0 };
  }
}

/** PL/pgSQL function tree for a full CREATE FUNCTION statement, or null when it is not parseable. */
export function parsePlpgsql(createFunctionText: string): PgNode[] | null {
  assertReady();
  try {
    const r = pg.parsePlPgSQLSync(createFunctionText) as unknown as { plpgsql_funcs?: PgNode[] };
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
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
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
