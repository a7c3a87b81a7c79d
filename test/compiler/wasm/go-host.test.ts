// The OPA server's (Go) call sequence, replayed from the ABI notes: value_parse for data
// and Rego-text input, format 1 results, SetDataPath via opa_value_add_path, and pool
// cloning by copying the raw bytes [base, evalHeap) into a fresh instance.
import { describe, expect, it } from "vitest";
import { emitWasm } from "../../../src/compiler/backend/wasm/emit-wasm.js";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import { c, filter, instantiate, policy, rule, stmt, type Raw } from "./helpers.js";

const ir = policy([
  rule("ban-drop", [filter({ op: "==", left: stmt("kind"), right: c("drop_table") })], ["drop ", stmt("targets", 0, "name")]),
]);
const bytes = emitWasm(ir);

function cstr(rt: Raw, addr: number): string {
  const b = new Uint8Array(rt.memory.buffer);
  let end = addr;
  while (b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(addr, end));
}

function evalRego(rt: Raw, dataAddr: number, heap: number, input: string): string {
  const text = new TextEncoder().encode(input);
  const need = heap + text.length - rt.memory.buffer.byteLength;
  if (need > 0) rt.memory.grow(Math.ceil(need / 65536));
  new Uint8Array(rt.memory.buffer).set(text, heap);
  return cstr(rt, rt.exports.opa_eval(0, 0, dataAddr, heap, text.length, heap + text.length, 1));
}

// Rego term text as Go's `input.String()` prints it: `: ` and `, ` separators, strconv.Quote escapes.
const regoInput = '{"context": "ci", "file": {"type": "migration"}, "statements": [{"kind": "drop_table", "targets": [{"name": "us\\x01ers\\u00e9"}], "location": {"line": 4, "column": 2}}]}';
const expected = '{{"result":[{"rule":"ban-drop","severity":"error","action":"deny","message":"drop us\\u0001ersé","statement":0,"location":{"line":4,"column":2}}]}}';

describe("Go host sequence", () => {
  it("loads data, evaluates Rego-text input, updates a data path, and clones by copying bytes", async () => {
    const rt = await instantiate(bytes, new WebAssembly.Memory({ initial: 16, maximum: 65536 }));
    const ex = rt.exports;
    ex.opa_malloc(0);
    const base = ex.opa_heap_ptr_get();
    const dataText = new TextEncoder().encode(JSON.stringify(defaultData(ir)));
    const buf = ex.opa_malloc(dataText.length);
    new Uint8Array(rt.memory.buffer).set(dataText, buf);
    const dataAddr = ex.opa_value_parse(buf, dataText.length);
    expect(dataAddr).not.toBe(0);
    ex.opa_free(buf);
    let evalHeap = ex.opa_heap_ptr_get();
    expect(cstr(rt, ex.opa_json_dump(ex.builtins()))).toBe("{}");
    expect(cstr(rt, ex.opa_json_dump(ex.entrypoints()))).toBe('{"warden/findings":0,"warden/decision":1}');

    expect(evalRego(rt, dataAddr, evalHeap, regoInput)).toBe(expected);
    expect(evalRego(rt, dataAddr, evalHeap, '{"context": "ci", "statements": set()}')).toBe('{{"result":[]}}');

    // Pool cloning: a second VM gets the raw bytes [base, evalHeap) and the same data address.
    const clone = await instantiate(bytes, new WebAssembly.Memory({ initial: 16, maximum: 65536 }));
    const span = new Uint8Array(rt.memory.buffer).slice(base, evalHeap);
    new Uint8Array(clone.memory.buffer).set(span, base);
    clone.exports.opa_heap_ptr_set(evalHeap);
    expect(evalRego(clone, dataAddr, evalHeap, regoInput)).toBe(expected);

    // SetDataPath: turn the rule off through data.warden.config.rules.
    ex.opa_heap_ptr_set(evalHeap);
    ex.opa_heap_blocks_restore();
    const value = rt.parse('"off"', true);
    const path = rt.parse('["warden", "config", "rules", "ban-drop"]', true);
    expect(ex.opa_value_add_path(dataAddr, path, value)).toBe(0);
    ex.opa_value_free(path);
    ex.opa_heap_blocks_stash();
    evalHeap = ex.opa_heap_ptr_get();
    expect(evalRego(rt, dataAddr, evalHeap, regoInput)).toBe('{{"result":[]}}');
    expect(ex.opa_value_remove_path(dataAddr, rt.parse('["warden", "config", "rules", "ban-drop"]', true))).toBe(0);
    expect(evalRego(rt, dataAddr, ex.opa_heap_ptr_get(), regoInput)).toBe(expected);
  });
});
