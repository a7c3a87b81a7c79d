// Number parsing and printing in the runtime against JavaScript's JSON.parse/JSON.stringify.
import { describe, expect, it, beforeAll } from "vitest";
import fc from "fast-check";
import { emitWasm } from "../../../src/compiler/backend/wasm/emit-wasm.js";
import { instantiate, policy, type Raw } from "./helpers.js";

let rt: Raw;
beforeAll(async () => {
  rt = await instantiate(emitWasm(policy([])));
});

function roundTrip(text: string): string {
  const heap = rt.exports.opa_heap_ptr_get();
  try {
    const v = rt.parse(text);
    expect(v, `parse ${text}`).not.toBe(0);
    return rt.dump(v);
  } finally {
    rt.exports.opa_heap_ptr_set(heap);
  }
}

describe("number printing", () => {
  it("prints random doubles exactly as JSON.stringify", () => {
    const nums: number[] = [];
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 3000; i++) {
      // Random bit patterns cover every exponent, subnormals included.
      view.setUint32(0, (Math.random() * 2 ** 32) >>> 0);
      view.setUint32(4, (Math.random() * 2 ** 32) >>> 0);
      const d = view.getFloat64(0);
      if (Number.isFinite(d)) nums.push(d);
    }
    for (let i = 0; i < 2000; i++) nums.push(Math.random() * 10 ** Math.floor(Math.random() * 40 - 20));
    for (let i = 0; i < 500; i++) nums.push(Math.round(Math.random() * 2 ** 60) * (Math.random() < 0.5 ? 1 : -1));
    const text = JSON.stringify(nums);
    expect(roundTrip(text)).toBe(text);
  });

  it("prints edge cases as JavaScript does", () => {
    const cases = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 1e21, 1e-7, 123e-20, 2 ** 53, 2 ** 53 + 2, 2 ** 60, 1.5e300, 5e-324,
      Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, 1e-6, 999999999999999900000, 0.000001234, 9007199254740993, 4.35, 100, 1e100];
    const text = JSON.stringify(cases);
    expect(roundTrip(text)).toBe(text);
  });
});

describe("number parsing", () => {
  it("rounds decimal texts correctly", () => {
    const texts = ["1.50", "1e3", "0.1000000000000000055511151231257827", "2.4703282292062327e-324", "2.4703282292062328e-324",
      "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e400", "-1e-400", "123456789012345678901234567890",
      "9007199254740993", "0.30000000000000004441", "7.2057594037927933e16", "2.2250738585072011e-308", "1E+2", "-0.0",
      "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"];
    for (const t of texts) expect(roundTrip(t), t).toBe(JSON.stringify(JSON.parse(t)));
  });

  it("agrees with JSON.parse on random decimal strings", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?$/),
        (t) => roundTrip(t) === JSON.stringify(JSON.parse(t)),
      ),
      { numRuns: 3000 },
    );
  });

  it("rejects malformed numbers", () => {
    for (const t of ["01", "1.", ".5", "-", "1e", "+1", "0x10", "1e+"]) {
      const heap = rt.exports.opa_heap_ptr_get();
      expect(rt.parse(t), t).toBe(0);
      rt.exports.opa_heap_ptr_set(heap);
    }
  });
});
