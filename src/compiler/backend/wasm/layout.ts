// Static data of a generated policy: constant values laid out in the runtime's value
// representation (see docs/wasm.md), interned, placed in one active data segment.
import type { JsonValue } from "../../ir/ir.js";

const T_NULL = 1;
const T_BOOL = 2;
const T_NUM = 3;
const T_STR = 4;
const T_ARR = 5;
const T_OBJ = 6;

/** The runtime's key hash (value.ts `hash_bytes`): FNV-1a over the UTF-8 bytes, never 0. */
export function keyHash(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const c of b) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return h === 0 ? 1 : h;
}

export class StaticData {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  private readonly byteCache = new Map<string, number>();
  private readonly valueCache = new Map<string, number>();
  private readonly enc = new TextEncoder();
  private readonly hashes = new Map<number, number>();

  /** `base`: address of the first byte (8-aligned). */
  constructor(readonly base: number) {}

  private reserve(n: number, align = 8): number {
    this.len = (this.len + align - 1) & ~(align - 1);
    if (this.len + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + n) cap *= 2;
      const nb = new Uint8Array(cap);
      nb.set(this.buf);
      this.buf = nb;
      this.view = new DataView(nb.buffer);
    }
    const at = this.len;
    this.len += n;
    return at;
  }
  private u32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  /** Raw UTF-8 bytes of `s`: [address, length]. */
  bytes(s: string): [number, number] {
    const b = this.enc.encode(s);
    const cached = this.byteCache.get(s);
    if (cached !== undefined) return [cached, b.length];
    const at = this.reserve(Math.max(b.length, 1), 1);
    this.buf.set(b, at);
    this.byteCache.set(s, this.base + at);
    return [this.base + at, b.length];
  }

  /** Address of a constant value. Constants are immutable: the runtime never writes into them. */
  value(v: JsonValue): number {
    const key = JSON.stringify(v);
    const cached = this.valueCache.get(key);
    if (cached !== undefined) return cached;
    const addr = this.layout(v);
    this.valueCache.set(key, addr);
    return addr;
  }

  private layout(v: JsonValue): number {
    if (v === null) {
      const at = this.reserve(8);
      this.u32(at, T_NULL);
      return this.base + at;
    }
    if (typeof v === "boolean") {
      const at = this.reserve(8);
      this.u32(at, T_BOOL);
      this.u32(at + 4, v ? 1 : 0);
      return this.base + at;
    }
    if (typeof v === "number") {
      const at = this.reserve(16);
      this.u32(at, T_NUM);
      this.view.setFloat64(at + 8, v, true);
      return this.base + at;
    }
    if (typeof v === "string") {
      const [p, n] = this.bytes(v);
      const h = keyHash(this.enc.encode(v));
      const at = this.reserve(16);
      this.u32(at, T_STR);
      this.u32(at + 4, n);
      this.u32(at + 8, p);
      this.u32(at + 12, h);
      this.hashes.set(this.base + at, h);
      return this.base + at;
    }
    if (Array.isArray(v)) {
      const items = v.map((x) => this.value(x));
      const el = this.reserve(Math.max(items.length, 1) * 4);
      items.forEach((a, i) => this.u32(el + i * 4, a));
      const at = this.reserve(16);
      this.u32(at, T_ARR);
      this.u32(at + 4, items.length);
      this.u32(at + 8, Math.max(items.length, 1));
      this.u32(at + 12, this.base + el);
      return this.base + at;
    }
    // Own enumerable keys in JavaScript order (what JSON.parse of the same text would give).
    const keys = Object.keys(v);
    const ks = keys.map((k) => this.value(k));
    const vs = keys.map((k) => this.value(v[k] as JsonValue));
    const ka = this.reserve(Math.max(ks.length, 1) * 4);
    ks.forEach((a, i) => this.u32(ka + i * 4, a));
    const va = this.reserve(Math.max(vs.length, 1) * 4);
    vs.forEach((a, i) => this.u32(va + i * 4, a));
    // The runtime's Bloom filter of the keys' hashes (value.ts `bloom_bit`).
    const bloom = ks.reduce((m, k) => (m | (1 << (this.hashes.get(k)! >>> 27))) >>> 0, 0);
    const at = this.reserve(24);
    this.u32(at, T_OBJ);
    this.u32(at + 4, ks.length);
    this.u32(at + 8, Math.max(ks.length, 1));
    this.u32(at + 12, this.base + ka);
    this.u32(at + 16, this.base + va);
    this.u32(at + 20, bloom);
    return this.base + at;
  }

  /**
   * A fresh zeroed 4-byte word the runtime may write (rt_get's per-call-site position
   * hint). Unlike constants it is not shared; any value in it is only a hint.
   */
  slot(): number {
    const at = this.reserve(4, 4);
    this.u32(at, 0);
    return this.base + at;
  }

  get size(): number {
    return this.len;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
