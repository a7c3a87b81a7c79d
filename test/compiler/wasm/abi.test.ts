// The emitted module against OPA's wasm ABI 1.3 and the real @open-policy-agent/opa-wasm SDK.
import { describe, expect, it } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { emitWasm } from "../../../src/compiler/backend/wasm/emit-wasm.js";
import { readModule } from "../../../src/compiler/backend/wasm/binary.js";
import { c, filter, instantiate, policy, rule, stmt } from "./helpers.js";

const ABI_EXPORTS = [
  "builtins", "entrypoints", "eval", "memory", "opa_eval", "opa_eval_ctx_get_result", "opa_eval_ctx_new",
  "opa_eval_ctx_set_data", "opa_eval_ctx_set_entrypoint", "opa_eval_ctx_set_input", "opa_free", "opa_heap_blocks_restore",
  "opa_heap_blocks_stash", "opa_heap_ptr_get", "opa_heap_ptr_set", "opa_heap_stash_clear", "opa_json_dump", "opa_json_parse",
  "opa_malloc", "opa_value_add_path", "opa_value_dump", "opa_value_free", "opa_value_parse", "opa_value_remove_path",
  "opa_wasm_abi_minor_version", "opa_wasm_abi_version",
];

const dropRule = rule("ban-drop", [filter({ op: "==", left: stmt("kind"), right: c("drop_table") })], ["drop ", stmt("targets", 0, "name")]);
const ir = policy([dropRule]);
const bytes = emitWasm(ir);
const input = {
  context: "ci",
  file: { type: "migration" },
  statements: [{ kind: "drop_table", targets: [{ name: "users" }], location: { line: 2, column: 1 } }],
};
const finding = { rule: "ban-drop", severity: "error", action: "deny", message: "drop users", statement: 0, location: { line: 2, column: 1 } };

describe("module interface", () => {
  const mod = new WebAssembly.Module(bytes);

  it("validates", () => {
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it("exports exactly the ABI 1.3 set", () => {
    expect(WebAssembly.Module.exports(mod).map((e) => e.name).sort()).toEqual(ABI_EXPORTS);
    const kinds = Object.fromEntries(WebAssembly.Module.exports(mod).map((e) => [e.name, e.kind]));
    expect(kinds.memory).toBe("memory");
    expect(kinds.opa_wasm_abi_version).toBe("global");
    expect(kinds.opa_wasm_abi_minor_version).toBe("global");
    expect(kinds.opa_eval).toBe("function");
  });

  it("imports only env.memory and env.opa_abort", () => {
    const imports = WebAssembly.Module.imports(mod).sort((a, b) => a.name.localeCompare(b.name));
    expect(imports).toEqual([
      { module: "env", name: "memory", kind: "memory" },
      { module: "env", name: "opa_abort", kind: "function" },
    ]);
    const mem = readModule(bytes).imports.find((i) => i.name === "memory")!;
    expect(mem.min).toBeLessThanOrEqual(2);
    expect(mem.max).toBeNull();
  });

  it("declares ABI version 1.3 as immutable globals", async () => {
    const rt = await instantiate(bytes);
    expect(rt.exports.opa_wasm_abi_version.value).toBe(1);
    expect(rt.exports.opa_wasm_abi_minor_version.value).toBe(3);
    expect(() => {
      rt.exports.opa_wasm_abi_version.value = 2;
    }).toThrow();
  });

  it("links against a one-page memory without a maximum", async () => {
    const rt = await instantiate(bytes, new WebAssembly.Memory({ initial: 1 }));
    expect(rt.exports.memory).toBe(rt.memory);
  });

  it("lists entrypoints and no builtins", async () => {
    const rt = await instantiate(bytes);
    expect(JSON.parse(rt.dump(rt.exports.entrypoints()))).toEqual({ "warden/findings": 0, "warden/decision": 1 });
    expect(rt.dump(rt.exports.builtins())).toBe("{}");
  });
});

describe("SDK", () => {
  it("evaluates both entrypoints", async () => {
    const p = await loadPolicy(bytes);
    expect(p.evaluate(input)).toEqual([{ result: [finding] }]);
    expect(p.evaluate(input, "warden/decision")).toEqual([
      { result: { allow: false, findings: [finding], masks: [], approvals: [] } },
    ]);
    expect(p.evaluate({ ...input, statements: [{ kind: "select" }] }, "warden/decision")).toEqual([
      { result: { allow: true, findings: [], masks: [], approvals: [] } },
    ]);
  });

  it("treats an absent input as null: no findings", async () => {
    const p = await loadPolicy(bytes);
    expect(p.evaluate(null)).toEqual([{ result: [] }]);
  });

  it("aborts on an unknown entrypoint id", async () => {
    const p = await loadPolicy(bytes);
    expect(() => p.evaluate(input, 7)).toThrow("internal: illegal entrypoint id");
  });

  it("keeps memory bounded over 1,000 evaluations", async () => {
    const p = await loadPolicy(bytes);
    const mem = (p as unknown as { mem: WebAssembly.Memory }).mem;
    for (let i = 0; i < 50; i++) p.evaluate(input);
    const after = mem.buffer.byteLength;
    for (let i = 0; i < 1000; i++) expect(p.evaluate(input)[0].result).toHaveLength(1);
    expect(mem.buffer.byteLength).toBe(after);
    expect(after).toBeLessThanOrEqual(5 * 65536);
  });

  it("evaluates a 5 MB input", async () => {
    const p = await loadPolicy(bytes);
    const statements = [];
    for (let i = 0; i < 20000; i++) {
      statements.push({ kind: i % 1000 === 0 ? "drop_table" : "select", text: "x".repeat(200), targets: [{ name: `t${i}` }], location: { line: i + 1, column: 1 } });
    }
    const big = { ...input, statements };
    expect(JSON.stringify(big).length).toBeGreaterThan(5_000_000);
    const res = p.evaluate(big)[0].result as { statement: number; message: string }[];
    expect(res.map((f) => f.statement)).toEqual(Array.from({ length: 20 }, (_, k) => k * 1000));
    expect(res[1]!.message).toBe("drop t1000");
  });

  it("uses the context-based path of ABI < 1.2 hosts", async () => {
    const rt = await instantiate(bytes);
    const ctx = rt.exports.opa_eval_ctx_new();
    rt.exports.opa_eval_ctx_set_input(ctx, rt.parse(JSON.stringify(input)));
    rt.exports.opa_eval_ctx_set_data(ctx, rt.parse("{}"));
    rt.exports.opa_eval_ctx_set_entrypoint(ctx, 0);
    expect(rt.exports.eval(ctx)).toBe(0);
    expect(JSON.parse(rt.dump(rt.exports.opa_eval_ctx_get_result(ctx)))).toEqual([{ result: [finding] }]);
  });

  it("returns the Rego-text result set for format 1", async () => {
    const rt = await instantiate(bytes);
    const text = new TextEncoder().encode(JSON.stringify({ ...input, statements: [] }));
    const at = rt.exports.opa_heap_ptr_get();
    new Uint8Array(rt.memory.buffer).set(text, at);
    const out = rt.exports.opa_eval(0, 0, 0, at, text.length, at + text.length, 1);
    const b = new Uint8Array(rt.memory.buffer);
    let end = out;
    while (b[end] !== 0) end++;
    expect(new TextDecoder().decode(b.subarray(out, end))).toBe('{{"result":[]}}');
  });
});

describe("heap", () => {
  it("aborts with `opa_malloc: failed` when memory cannot grow", async () => {
    const rt = await instantiate(bytes, new WebAssembly.Memory({ initial: 1, maximum: 2 }));
    expect(() => rt.exports.opa_malloc(3 * 65536)).toThrow("opa_malloc: failed");
    expect(rt.aborts).toEqual(["opa_malloc: failed"]);
  });

  it("grows memory from its live size and never allocates below the heap pointer", async () => {
    const rt = await instantiate(bytes, new WebAssembly.Memory({ initial: 1 }));
    const start = rt.exports.opa_heap_ptr_get();
    const a = rt.exports.opa_malloc(100_000);
    expect(a).toBeGreaterThanOrEqual(start);
    expect(rt.memory.buffer.byteLength).toBeGreaterThanOrEqual(a + 100_000);
    rt.memory.grow(3); // the host grows memory too
    const b = rt.exports.opa_malloc(10);
    expect(b).toBeGreaterThanOrEqual(a + 100_000);
    rt.exports.opa_heap_ptr_set(start);
    expect(rt.exports.opa_malloc(8)).toBe(start);
  });
});

describe("values", () => {
  it("parses and dumps JSON with OPA's escaping", async () => {
    const rt = await instantiate(bytes);
    const v = rt.parse('{"a":"\\u0001\\n\\t\\"\\\\/é😀","b":[true,false,null,1.5,-2],"a":3,"c":{}}');
    expect(rt.dump(v)).toBe('{"a":3,"b":[true,false,null,1.5,-2],"c":{}}');
    const s = rt.parse('"\\u0001\\b\\f\\n\\r\\t\\"\\\\\\/é😀\\ud800"');
    expect(rt.dump(s)).toBe('"\\u0001\\b\\f\\n\\r\\t\\"\\\\/é😀\\ud800"');
    expect(JSON.parse(rt.dump(s))).toBe("\u0001\b\f\n\r\t\"\\/é😀\ud800");
  });

  it("rejects invalid JSON with 0", async () => {
    const rt = await instantiate(bytes);
    for (const t of ["", "{", "[1,]", "\"a\u0001b\"", "\"\\n\u0001\"", '{"a" 1}', "tru", '"abc', "{1:2}", "set()", '"\\x41"', "[1] 2"]) expect(rt.parse(t), t).toBe(0);
  });

  it("parses Rego value text: sets and Go string escapes", async () => {
    const rt = await instantiate(bytes);
    expect(rt.dump(rt.parse('{1, "a", 1}', true), true)).toBe('{1,"a"}');
    expect(rt.dump(rt.parse('{1, "a"}', true))).toBe('[1,"a"]');
    expect(rt.dump(rt.parse("set()", true), true)).toBe("set()");
    expect(rt.dump(rt.parse('"\\x41\\a\\v\\U0001F600"', true))).toBe('"A\\u0007\\u000b😀"');
    expect(rt.dump(rt.parse('{"k": {"x"}}', true), true)).toBe('{"k":{"x"}}');
  });

  it("adds and removes paths", async () => {
    const rt = await instantiate(bytes);
    const base = rt.parse('{"a":{"b":1}}');
    expect(rt.exports.opa_value_add_path(base, rt.parse('["a","c","d"]'), rt.parse("2"))).toBe(0);
    expect(rt.dump(base)).toBe('{"a":{"b":1,"c":{"d":2}}}');
    expect(rt.exports.opa_value_add_path(base, rt.parse("[]"), rt.parse("2"))).toBe(3);
    expect(rt.exports.opa_value_add_path(base, rt.parse('["a","b","x"]'), rt.parse("2"))).toBe(2);
    expect(rt.exports.opa_value_remove_path(base, rt.parse('["a","b"]'))).toBe(0);
    expect(rt.dump(base)).toBe('{"a":{"c":{"d":2}}}');
  });
});
