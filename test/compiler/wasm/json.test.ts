// The runtime's JSON parser and printer against JSON.parse/JSON.stringify on random texts
// that reach the fast paths and their edges (8-byte string scans, escape runs, integer
// shortcuts, duplicate keys), and field lookups in objects with many similar keys.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { emitWasm } from "../../../src/compiler/backend/wasm/emit-wasm.js";
import { keyHash } from "../../../src/compiler/backend/wasm/layout.js";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import type { Expr, JsonValue } from "../../../src/compiler/ir/ir.js";
import { compile, mismatch } from "./diff.js";
import { c, instantiate, policy, rule, stmt } from "./helpers.js";

// Characters that make the scanners stop, mixed with plain runs longer and shorter than 8 bytes.
const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "abcdefgh", "ALTER TABLE users ADD COLUMN x", "0123456789abcdefg", " ") },
  { weight: 2, arbitrary: fc.constantFrom('"', "\\", "/", "\n", "\t", "\r", "\b", "\f", "\u0000", "\u0001", "\u001f", "\u007f", " ") },
  { weight: 2, arbitrary: fc.constantFrom("é", "😀", "\u2028", "\ud800", "\udc00", "日本語") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
);
const text = fc.array(piece, { maxLength: 8 }).map((p) => p.join(""));
const number = fc.oneof(
  fc.integer(),
  fc.integer({ min: -999999999999999, max: 999999999999999 }),
  fc.constantFrom(0, -0, 1e15, 1e16, 123456789012345678, 2 ** 53, -(2 ** 53) - 2, 0.5, -1.25, 1e21, 1e-7, 5e-324),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
// Keys never look like array indices, so JSON.parse keeps them in text order as the runtime does.
const key = fc.oneof(fc.constantFrom("kind", "kine", "name", "a", "b", "column", "colum", "k\"q", "k\\e", "é", "line"), text.map((t) => `k${t}`));
const value: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie("v")), { maxLength: 6 }).map((kv) => {
      const o: Record<string, JsonValue> = {};
      for (const [k, v] of kv) o[k] = v;
      return o;
    }),
  ),
})).v;

/** JSON text of v with random layout: whitespace, `\/` and `\uXXXX` escapes, repeated keys. */
function write(v: JsonValue, r: () => number): string {
  const ws = () => ["", " ", "\n  ", "\t", "\r\n"][Math.floor(r() * 5)]!;
  const str = (s: string) => {
    let out = '"';
    for (const ch of s) {
      const j = JSON.stringify(ch).slice(1, -1);
      const roll = r();
      if (ch === "/" && roll < 0.5) out += "\\/";
      else if (roll < 0.15 && ch.length === 1) out += "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
      else if (roll < 0.2 && ch.length === 2) out += [...ch].length === 1 ? "\\u" + ch.charCodeAt(0).toString(16) + "\\u" + ch.charCodeAt(1).toString(16).toUpperCase() : j;
      else out += j;
    }
    return out + '"';
  };
  if (v === null || typeof v === "boolean") return String(v);
  if (typeof v === "number") return r() < 0.2 && Number.isInteger(v) && Math.abs(v) < 1e15 ? v.toExponential() : JSON.stringify(v);
  if (typeof v === "string") return str(v);
  if (Array.isArray(v)) return "[" + ws() + v.map((x) => write(x, r)).join(ws() + "," + ws()) + ws() + "]";
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    // A repeated key keeps its first position and takes the last value, as in JSON.parse.
    if (r() < 0.15) parts.push(str(k) + ws() + ":" + ws() + write("stale", r));
    parts.push(str(k) + ws() + ":" + ws() + write(x, r));
  }
  return "{" + ws() + parts.join("," + ws()) + ws() + "}";
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const bytes = emitWasm(policy([rule("r", [], ["x"])]));

describe("JSON parser and printer", () => {
  it("agree with JSON.parse and JSON.stringify on 3,000 random texts", async () => {
    const rt = await instantiate(bytes, new WebAssembly.Memory({ initial: 64 }));
    const base = rt.exports.opa_heap_ptr_get() as number;
    fc.assert(
      fc.property(value, fc.integer(), (v, seed) => {
        const t = write(v, rng(seed));
        rt.exports.opa_heap_ptr_set(base);
        const addr = rt.parse(t);
        expect(addr, t).not.toBe(0);
        expect(rt.dump(addr), t).toBe(JSON.stringify(JSON.parse(t)));
        rt.exports.opa_heap_ptr_set(base);
        expect(rt.dump(rt.parse(t, true)), t).toBe(JSON.stringify(JSON.parse(t)));
      }),
      { numRuns: 3000, seed: 20240611 },
    );
  });

  it("finds where a string, number or key stops being valid", async () => {
    const rt = await instantiate(bytes);
    for (const t of ['"abcdefgh\u0001ijk"', '"abcdefghijklmnop', '"abcdefgh\\', '"abcdefgh\\q"', '{"abcdefgh\u0001":1}', '{"k\\', "01", "-", "1.", "1e", "-01", "1234567890123456x", "[1,2"]) {
      expect(rt.parse(t), JSON.stringify(t)).toBe(0);
    }
    expect(rt.dump(rt.parse("[0,-0,7,-123456789012345,1234567890123456,12345678901234567890,1.0,1E2,0.000001]"))).toBe(
      "[0,0,7,-123456789012345,1234567890123456,12345678901234567000,1,100,0.000001]",
    );
  });
});

describe("field lookup", () => {
  it("uses the hashes strings.ts records for the runtime's own names", () => {
    const src = readFileSync(new URL("../../../src/compiler/wasm-runtime/assembly/strings.ts", import.meta.url), "utf8");
    const names = [...src.matchAll(/export const S_(\w+): usize = memory\.data<u8>\(\[([\d, ]+)\]\);/g)];
    expect(names.length).toBeGreaterThan(30);
    for (const [, name, bytes] of names) {
      const b = Uint8Array.from(bytes!.split(",").map(Number)).subarray(0, -1);
      expect(src, name).toContain(`export const L_${name}: u32 = ${b.length};`);
      expect(src, name).toContain(`export const H_${name}: u32 = 0x${keyHash(b).toString(16).padStart(8, "0")};`);
    }
  });

  it("reads the same fields as the interpreter in objects with many similar keys", async () => {
    const keys = Array.from({ length: 48 }, (_, i) => ["k", "kk", "kind", "kine", "x"][i % 5]! + (i >> 1 ? String.fromCharCode(97 + (i % 26)) : ""));
    const probe = [...new Set(keys), "missing", "kin", "kindx", ""];
    const ir = policy([
      rule("read", [{ kind: "filter", cond: { op: "!=", left: stmt(probe[0]!), right: c("skip") }, span: { file: "t", start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } }],
        probe.flatMap((k): (string | Expr)[] => [`${k}=`, stmt(k), ";"])),
    ]);
    const comp = await compile(ir);
    const data = defaultData(ir);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...keys), fc.oneof(fc.nat(9), text)), { maxLength: 48 }), (kv) => {
        const st: Record<string, JsonValue> = { kind: "x" };
        for (const [k, v] of kv) st[k] = v;
        const input = { context: "ci", file: { path: "a.sql", type: "migration" }, statements: [st] } as JsonValue;
        expect(mismatch(comp, ir, input, data)).toBe(null);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
