// `wasmToWat` and `warden compile --emit wat`: the text form of policy.wasm.
import { describe, expect, it } from "vitest";
import { emitWasm } from "../../../src/compiler/backend/wasm/emit-wasm.js";
import { wasmToWat } from "../../../src/compiler/backend/wasm/wat.js";
import { runWarden } from "../../helpers/run.js";
import { c, filter, policy, rule, stmt } from "./helpers.js";

describe("wat", () => {
  it("prints the module with its ABI exports and generated rule code", async () => {
    const ir = policy([rule("r", [filter({ op: "matches", value: stmt("kind"), pattern: "drop_*" })], ["x"])]);
    const wat = await wasmToWat(emitWasm(ir));
    expect(wat.startsWith("(module")).toBe(true);
    expect(wat).toContain('(import "env" "memory" (memory (;0;) 1))');
    expect(wat).toContain('(export "opa_eval")');
    expect(wat).toMatch(/\(global \(;\d+;\) \(export "opa_wasm_abi_version"\) i32 \(i32\.const 1\)\)/);
    expect(wat).toMatch(/\(global \(;\d+;\) \(export "opa_wasm_abi_minor_version"\) i32 \(i32\.const 3\)\)/);
    expect(wat).not.toContain('"rt_');
    // The pattern bytes sit in the policy's data segment.
    expect(wat).toContain("drop_*");
  });

  it("is what `warden compile --emit wat` prints", async () => {
    const r = await runWarden(["compile", "--emit", "wat", "fixtures/policies/good/example.warden"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("(module\n")).toBe(true);
    expect(r.stdout).toContain('(export "entrypoints")');
  }, 30_000);

  it("rejects an unknown emit kind", async () => {
    const r = await runWarden(["compile", "--emit", "wasm", "fixtures/policies/good/example.warden"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid emit kind `wasm`: use `ast`, `ir`, `wat`");
  }, 30_000);
});
