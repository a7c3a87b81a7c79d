// A small WebAssembly binary reader/writer: enough structure to append functions, types,
// data and exports to the prebuilt runtime library without touching its code bodies.

export const enum Sec {
  Custom = 0,
  Type = 1,
  Import = 2,
  Function = 3,
  Table = 4,
  Memory = 5,
  Global = 6,
  Export = 7,
  Start = 8,
  Element = 9,
  Code = 10,
  Data = 11,
  DataCount = 12,
}

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;

export const KIND_FUNC = 0;
export const KIND_TABLE = 1;
export const KIND_MEMORY = 2;
export const KIND_GLOBAL = 3;

export interface FuncType {
  params: number[];
  results: number[];
}

export interface Import {
  module: string;
  name: string;
  kind: number;
  /** Function imports: type index. */
  typeIndex: number;
  /** Memory imports: limits. */
  min: number;
  max: number | null;
  /** Table/global imports: the descriptor bytes as read. */
  raw: Uint8Array;
}

export interface Global {
  type: number;
  mutable: boolean;
  /** Constant init expression including its `end`. */
  init: Uint8Array;
}

export interface Export {
  name: string;
  kind: number;
  index: number;
}

export interface DataSegment {
  /** Active segment in memory 0 at a constant i32 offset; null for passive/other forms, kept raw. */
  offset: number | null;
  bytes: Uint8Array;
  raw: Uint8Array | null;
}

export interface WasmModule {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined function. */
  functions: number[];
  tables: Uint8Array | null;
  memories: Uint8Array | null;
  globals: Global[];
  exports: Export[];
  start: number | null;
  elements: Uint8Array | null;
  /** Function bodies (locals + expression), without the size prefix. */
  code: Uint8Array[];
  data: DataSegment[];
  hasDataCount: boolean;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

// ---------------------------------------------------------------------------
// Reading

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error("wasm: unexpected end of module");
    return this.buf[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }
  s32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 32 && b & 0x40) result |= -1 << shift;
    return result;
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error("wasm: unexpected end of module");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  name(): string {
    return new TextDecoder().decode(this.bytes(this.u32()));
  }
  limits(): { min: number; max: number | null } {
    const flag = this.byte();
    const min = this.u32();
    return { min, max: flag & 1 ? this.u32() : null };
  }
  /** A constant expression up to and including `end`. */
  constExpr(): Uint8Array {
    const start = this.pos;
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) break;
      if (op === 0x41 || op === 0x23 || op === 0xd2) this.s32();
      else if (op === 0x42) while (this.byte() & 0x80);
      else if (op === 0x43) this.bytes(4);
      else if (op === 0x44) this.bytes(8);
      else if (op === 0xd0) this.byte();
      else throw new Error(`wasm: unsupported opcode 0x${op.toString(16)} in constant expression`);
    }
    return this.buf.slice(start, this.pos);
  }
}

export function readModule(bytes: Uint8Array): WasmModule {
  const r = new Reader(bytes);
  for (const b of MAGIC) if (r.byte() !== b) throw new Error("wasm: not a version 1 module");
  const m: WasmModule = {
    types: [],
    imports: [],
    functions: [],
    tables: null,
    memories: null,
    globals: [],
    exports: [],
    start: null,
    elements: null,
    code: [],
    data: [],
    hasDataCount: false,
  };
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    const s = new Reader(bytes.subarray(r.pos, end));
    r.pos = end;
    switch (id) {
      case Sec.Custom:
        break; // names/producers: dropped, the output carries none
      case Sec.Type:
        for (let n = s.u32(); n > 0; n--) {
          if (s.byte() !== 0x60) throw new Error("wasm: unsupported type form");
          const params = Array.from(s.bytes(s.u32()));
          const results = Array.from(s.bytes(s.u32()));
          m.types.push({ params, results });
        }
        break;
      case Sec.Import:
        for (let n = s.u32(); n > 0; n--) {
          const module = s.name();
          const name = s.name();
          const kind = s.byte();
          const start = s.pos;
          const imp: Import = { module, name, kind, typeIndex: -1, min: 0, max: null, raw: new Uint8Array() };
          if (kind === KIND_FUNC) imp.typeIndex = s.u32();
          else if (kind === KIND_MEMORY) Object.assign(imp, s.limits());
          else if (kind === KIND_TABLE) {
            s.byte();
            s.limits();
          } else if (kind === KIND_GLOBAL) s.bytes(2);
          else throw new Error(`wasm: unsupported import kind ${kind}`);
          imp.raw = s.buf.slice(start, s.pos);
          m.imports.push(imp);
        }
        break;
      case Sec.Function:
        for (let n = s.u32(); n > 0; n--) m.functions.push(s.u32());
        break;
      case Sec.Table:
        m.tables = s.buf.slice();
        break;
      case Sec.Memory:
        m.memories = s.buf.slice();
        break;
      case Sec.Global:
        for (let n = s.u32(); n > 0; n--) {
          const type = s.byte();
          const mutable = s.byte() === 1;
          m.globals.push({ type, mutable, init: s.constExpr() });
        }
        break;
      case Sec.Export:
        for (let n = s.u32(); n > 0; n--) {
          const name = s.name();
          const kind = s.byte();
          m.exports.push({ name, kind, index: s.u32() });
        }
        break;
      case Sec.Start:
        m.start = s.u32();
        break;
      case Sec.Element:
        m.elements = s.buf.slice();
        break;
      case Sec.DataCount:
        m.hasDataCount = true;
        break;
      case Sec.Code:
        for (let n = s.u32(); n > 0; n--) m.code.push(s.bytes(s.u32()).slice());
        break;
      case Sec.Data:
        for (let n = s.u32(); n > 0; n--) {
          const start = s.pos;
          const flag = s.u32();
          if (flag === 0) {
            const expr = s.constExpr();
            const er = new Reader(expr);
            const offset = er.byte() === 0x41 ? er.s32() : null;
            const data = s.bytes(s.u32()).slice();
            m.data.push({ offset, bytes: data, raw: offset === null ? s.buf.slice(start, s.pos) : null });
          } else if (flag === 1) {
            const data = s.bytes(s.u32()).slice();
            m.data.push({ offset: null, bytes: data, raw: s.buf.slice(start, s.pos) });
          } else {
            s.u32();
            s.constExpr();
            const data = s.bytes(s.u32()).slice();
            m.data.push({ offset: null, bytes: data, raw: s.buf.slice(start, s.pos) });
          }
        }
        break;
      default:
        throw new Error(`wasm: unsupported section id ${id}`);
    }
  }
  if (m.functions.length !== m.code.length) throw new Error("wasm: function and code sections disagree");
  return m;
}

// ---------------------------------------------------------------------------
// Writing

export class ByteWriter {
  private buf = new Uint8Array(1024);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
  }
  byte(b: number): this {
    this.ensure(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }
  bytes(b: ArrayLike<number>): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  u32(v: number): this {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }
  s32(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return this;
      }
      this.byte(b | 0x80);
    }
  }
  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).bytes(b);
  }
  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

function section(out: ByteWriter, id: number, body: ByteWriter | Uint8Array): void {
  const b = body instanceof ByteWriter ? body.finish() : body;
  out.byte(id).u32(b.length).bytes(b);
}

export function writeModule(m: WasmModule): Uint8Array<ArrayBuffer> {
  const out = new ByteWriter().bytes(MAGIC);
  if (m.types.length) {
    const w = new ByteWriter().u32(m.types.length);
    for (const t of m.types) w.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
    section(out, Sec.Type, w);
  }
  if (m.imports.length) {
    const w = new ByteWriter().u32(m.imports.length);
    for (const i of m.imports) {
      w.name(i.module).name(i.name).byte(i.kind);
      if (i.kind === KIND_FUNC) w.u32(i.typeIndex);
      else if (i.kind === KIND_MEMORY) {
        w.byte(i.max === null ? 0 : 1).u32(i.min);
        if (i.max !== null) w.u32(i.max);
      } else w.bytes(i.raw);
    }
    section(out, Sec.Import, w);
  }
  if (m.functions.length) {
    const w = new ByteWriter().u32(m.functions.length);
    for (const f of m.functions) w.u32(f);
    section(out, Sec.Function, w);
  }
  if (m.tables) section(out, Sec.Table, m.tables);
  if (m.memories) section(out, Sec.Memory, m.memories);
  if (m.globals.length) {
    const w = new ByteWriter().u32(m.globals.length);
    for (const g of m.globals) w.byte(g.type).byte(g.mutable ? 1 : 0).bytes(g.init);
    section(out, Sec.Global, w);
  }
  if (m.exports.length) {
    const w = new ByteWriter().u32(m.exports.length);
    for (const e of m.exports) w.name(e.name).byte(e.kind).u32(e.index);
    section(out, Sec.Export, w);
  }
  if (m.start !== null) section(out, Sec.Start, new ByteWriter().u32(m.start));
  if (m.elements) section(out, Sec.Element, m.elements);
  if (m.hasDataCount) section(out, Sec.DataCount, new ByteWriter().u32(m.data.length));
  if (m.code.length) {
    const w = new ByteWriter().u32(m.code.length);
    for (const c of m.code) w.u32(c.length).bytes(c);
    section(out, Sec.Code, w);
  }
  if (m.data.length) {
    const w = new ByteWriter().u32(m.data.length);
    for (const d of m.data) {
      if (d.raw) w.bytes(d.raw);
      else w.u32(0).byte(0x41).s32(d.offset ?? 0).byte(0x0b).u32(d.bytes.length).bytes(d.bytes);
    }
    section(out, Sec.Data, w);
  }
  return out.finish();
}

/** Index of a function type, appending it when new. */
export function typeIndex(m: WasmModule, params: number[], results: number[]): number {
  const i = m.types.findIndex(
    (t) => t.params.length === params.length && t.results.length === results.length &&
      t.params.every((p, k) => p === params[k]) && t.results.every((r, k) => r === results[k]),
  );
  if (i >= 0) return i;
  m.types.push({ params: [...params], results: [...results] });
  return m.types.length - 1;
}

export function importedFunctionCount(m: WasmModule): number {
  return m.imports.filter((i) => i.kind === KIND_FUNC).length;
}
