// The bundle evaluator against the real opa-wasm SDK. Until the wasm back end exists,
// a tiny hand-written ABI module (values are NUL-terminated JSON text) exercises the
// plumbing: entrypoints by name, input and data passing, result-set unwrapping, aborts.
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { loadBundleEvaluator, unwrapResultSet } from "../../src/engine/bundle-evaluator.js";
import { writeBundle, BundleError } from "../../src/compiler/bundle/index.js";
import { defaultData, evaluateDecision, evaluateFindings } from "../../src/compiler/ir/interpret.js";
import type { PolicyIR } from "../../src/compiler/ir/ir.js";
import { policy, rule } from "../compiler/ir/build.js";
import { loadIrFixtures } from "../compiler/ir/fixtures.js";
import { emitWasm } from "../../src/compiler/backend/wasm/emit-wasm.js";

const ENTRYPOINTS = '{"warden/findings":0,"warden/decision":1,"broken":2,"undefined":3}';

// ep 0 answers [{"result": <input>}], ep 1 [{"result": <data>}], ep 2 aborts, ep 3 is undefined.
const wat = (entrypoints: string): string => `
(module
  (import "env" "memory" (memory 1))
  (import "env" "opa_abort" (func $abort (param i32)))
  (global $heap (mut i32) (i32.const 8192))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  (data (i32.const 1024) "{}\\00")
  (data (i32.const 1040) "${entrypoints.replace(/"/g, '\\"')}\\00")
  (data (i32.const 1200) "[{\\"result\\":\\00")
  (data (i32.const 1220) "}]\\00")
  (data (i32.const 1230) "[]\\00")
  (data (i32.const 1240) "boom: policy aborted\\00")
  (data (i32.const 1270) "opa_malloc: failed\\00")
  (data (i32.const 1290) "null\\00")
  (func $malloc (export "opa_malloc") (param $n i32) (result i32)
    (local $p i32)
    global.get $heap
    local.set $p
    global.get $heap
    local.get $n
    i32.add
    global.set $heap
    (block $done
      (loop $grow
        global.get $heap
        memory.size
        i32.const 65536
        i32.mul
        i32.le_u
        br_if $done
        i32.const 1
        memory.grow
        i32.const -1
        i32.eq
        (if (then i32.const 1270 call $abort unreachable))
        br $grow))
    local.get $p)
  (func (export "opa_free") (param i32))
  (func (export "opa_heap_ptr_get") (result i32) global.get $heap)
  (func (export "opa_heap_ptr_set") (param i32) local.get 0 global.set $heap)
  (func (export "builtins") (result i32) i32.const 1024)
  (func (export "entrypoints") (result i32) i32.const 1040)
  (func (export "opa_json_dump") (param i32) (result i32) local.get 0)
  (func $json_parse (export "opa_json_parse") (param $addr i32) (param $len i32) (result i32)
    (local $p i32) (local $i i32)
    local.get $len
    i32.const 1
    i32.add
    call $malloc
    local.set $p
    (block $end
      (loop $copy
        local.get $i
        local.get $len
        i32.ge_u
        br_if $end
        local.get $p
        local.get $i
        i32.add
        local.get $addr
        local.get $i
        i32.add
        i32.load8_u
        i32.store8
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $copy))
    local.get $p
    local.get $len
    i32.add
    i32.const 0
    i32.store8
    local.get $p)
  ;; copy the NUL-terminated string at $src to $dst; return the end (no NUL written)
  (func $append (param $dst i32) (param $src i32) (result i32)
    (block $end
      (loop $copy
        local.get $src
        i32.load8_u
        i32.eqz
        br_if $end
        local.get $dst
        local.get $src
        i32.load8_u
        i32.store8
        local.get $dst
        i32.const 1
        i32.add
        local.set $dst
        local.get $src
        i32.const 1
        i32.add
        local.set $src
        br $copy))
    local.get $dst)
  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $end
      (loop $l
        local.get $s
        local.get $n
        i32.add
        i32.load8_u
        i32.eqz
        br_if $end
        local.get $n
        i32.const 1
        i32.add
        local.set $n
        br $l))
    local.get $n)
  (func (export "opa_eval") (param $reserved i32) (param $ep i32) (param $data i32) (param $in i32) (param $inLen i32) (param $heapArg i32) (param $format i32) (result i32)
    (local $val i32) (local $out i32) (local $end i32)
    local.get $heapArg
    global.set $heap
    (if (i32.eq (local.get $ep) (i32.const 2)) (then i32.const 1240 call $abort unreachable))
    (if (i32.eq (local.get $ep) (i32.const 3)) (then i32.const 1230 return))
    (if (i32.eq (local.get $ep) (i32.const 1))
      (then local.get $data local.set $val)
      (else
        (if (i32.eqz (local.get $inLen))
          (then i32.const 1290 local.set $val)
          (else local.get $in local.get $inLen call $json_parse local.set $val))))
    local.get $val
    call $strlen
    i32.const 16
    i32.add
    call $malloc
    local.set $out
    local.get $out
    i32.const 1200
    call $append
    local.get $val
    call $append
    i32.const 1220
    call $append
    local.tee $end
    i32.const 0
    i32.store8
    local.get $out))
`;

async function assemble(entrypoints = ENTRYPOINTS): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat("echo.wat", wat(entrypoints));
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return buffer;
}

const ir: PolicyIR = policy([rule({ id: "r1" })], { constants: { k: 1 } });
const DECISION = { allow: true, findings: [], masks: [], approvals: [] };

describe("loadBundleEvaluator with a hand-written ABI module", () => {
  it("passes input to warden/findings and data to warden/decision, by entrypoint name", async () => {
    const ev = await loadBundleEvaluator({ wasm: await assemble(), data: DECISION });
    expect(ev.entrypoints).toEqual({ "warden/findings": 0, "warden/decision": 1, broken: 2, undefined: 3 });
    const findings = [{ rule: "r1", severity: "error", action: "deny", message: "m ü 😀", statement: 0, location: null }];
    expect(ev.findings(findings as never)).toEqual(findings);
    expect(ev.decision({ statements: [] })).toEqual(DECISION);
    expect(ev.manifest).toEqual({ revision: "", roots: [""] });
  });

  it("setData replaces the data document", async () => {
    const ev = await loadBundleEvaluator({ wasm: await assemble(), data: DECISION });
    ev.setData({ ...DECISION, allow: false });
    expect(ev.decision({}).allow).toBe(false);
    expect(() => ev.setData([1] as never)).toThrow("the data document must be a JSON object");
  });

  it("wraps aborts (thrown as strings by the SDK) and undefined results", async () => {
    const ev = await loadBundleEvaluator({ wasm: await assemble(), data: {} });
    let caught: unknown;
    try {
      ev.evaluate("broken", {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toBe("evaluating `broken`: boom: policy aborted");
    expect((caught as Error).cause).toBe("boom: policy aborted");
    expect(() => ev.evaluate("undefined", {})).toThrow(new Error("evaluating `undefined`: undefined result"));
    expect(() => ev.evaluate("nope", {})).toThrow(new Error("policy.wasm has no entrypoint `nope`"));
  });

  it("checks the shapes of findings and decision", async () => {
    const ev = await loadBundleEvaluator({ wasm: await assemble(), data: { allow: "yes" } });
    expect(() => ev.findings({ a: 1 })).toThrow(new Error('evaluating `warden/findings`: expected a list of findings, got {"a":1}'));
    expect(() => ev.decision({})).toThrow(new Error('evaluating `warden/decision`: expected a decision object, got {"allow":"yes"}'));
  });

  it("loads a wasm bundle's data.json and manifest", async () => {
    const wasm = await assemble();
    const ev = await loadBundleEvaluator(await writeBundle({ ir, target: "wasm", wasm }));
    expect(ev.evaluate("warden/decision", {})).toEqual(defaultData(ir));
    expect(ev.manifest.wasm).toEqual([
      { entrypoint: "warden/findings", module: "/policy.wasm" },
      { entrypoint: "warden/decision", module: "/policy.wasm" },
    ]);
  });

  it("verifies a signed bundle when given a key", async () => {
    const wasm = await assemble();
    const signed = await writeBundle({ ir, target: "wasm", wasm, signing: { key: "secret", alg: "HS256" } });
    expect((await loadBundleEvaluator(signed, { verificationKey: "secret" })).entrypoints["warden/findings"]).toBe(0);
    await expect(loadBundleEvaluator(signed, { verificationKey: "wrong" })).rejects.toBeInstanceOf(BundleError);
  });

  it("refuses modules without the two entrypoints, broken modules and rego bundles", async () => {
    await expect(loadBundleEvaluator({ wasm: await assemble('{"warden/findings":0}'), data: {} })).rejects.toThrow(
      "policy.wasm has no entrypoint `warden/decision` (it has `warden/findings`)",
    );
    await expect(loadBundleEvaluator({ wasm: new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), data: {} })).rejects.toThrow(/^loading policy\.wasm: /);
    await expect(loadBundleEvaluator(await writeBundle({ ir, target: "rego", rego: "package warden\n" }))).rejects.toThrow(
      "bundle has no policy.wasm: only wasm-target bundles can be evaluated here (a rego-target bundle needs an OPA server)",
    );
  });
});

describe("unwrapResultSet", () => {
  it("unwraps exactly one result", () => {
    expect(unwrapResultSet("e", [{ result: false }])).toBe(false);
    expect(unwrapResultSet("e", [{ result: null }])).toBeNull();
    expect(() => unwrapResultSet("e", [])).toThrow("evaluating `e`: undefined result");
    expect(() => unwrapResultSet("e", [{ result: 1 }, { result: 2 }])).toThrow('evaluating `e`: unexpected result set [{"result":1},{"result":2}]');
    expect(() => unwrapResultSet("e", [{ x: 1 }])).toThrow('evaluating `e`: unexpected result set [{"x":1}]');
  });
});

// The real thing: every fixtures/ir case compiled by the wasm back end, loaded through
// the SDK, compared with the hand-written expectations and the interpreter.
describe("fixtures/ir through emitWasm and the SDK", () => {
  for (const fx of loadIrFixtures()) {
    it(fx.name, async () => {
      const ev = await loadBundleEvaluator(await writeBundle({ ir: fx.ir, target: "wasm", wasm: emitWasm(fx.ir) }));
      for (const cs of fx.cases) {
        ev.setData(cs.data ?? defaultData(fx.ir));
        expect(JSON.stringify(ev.findings(cs.input)), cs.name).toBe(JSON.stringify(cs.findings));
        expect(JSON.stringify(ev.decision(cs.input)), cs.name).toBe(JSON.stringify(evaluateDecision(fx.ir, cs.input, cs.data)));
        expect(JSON.stringify(evaluateFindings(fx.ir, cs.input, cs.data))).toBe(JSON.stringify(cs.findings));
      }
    });
  }
});
