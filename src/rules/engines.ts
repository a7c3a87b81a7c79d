// The engines `warden test` can evaluate policy tests with. `wasm` (the default) compiles
// the policy to the bundle that ships and evaluates it through the OPA wasm SDK, as an
// enforcer would; `interpreter` is the reference the back ends are checked against.
import type { JsonValue, PolicyIR } from "../compiler/ir/ir.js";
import { emitWasm } from "../compiler/backend/wasm/emit-wasm.js";
import { writeBundle } from "../compiler/bundle/index.js";
import { loadBundleEvaluator } from "../engine/bundle-evaluator.js";
import { buildCaseInput, interpreterHarness } from "./harness.js";
import type { Harness } from "./test-runner.js";

export const ENGINES = ["wasm", "interpreter"] as const;
export type EngineName = (typeof ENGINES)[number];

/** Evaluates through the compiled bundle: emitWasm → writeBundle → opa-wasm SDK. */
export async function wasmHarness(ir: PolicyIR): Promise<Harness> {
  const bundle = await writeBundle({ ir, target: "wasm", wasm: emitWasm(ir) });
  const evaluator = await loadBundleEvaluator(bundle);
  // setData copies the document into wasm memory; only do it when a case changes it
  // (a case with `config { ... }` does, and so does the case after it).
  let current: string | undefined;
  return {
    buildInput: async (c) => (await buildCaseInput(ir, c)) as unknown as JsonValue,
    evaluate: async (input, data) => {
      const key = JSON.stringify(data);
      if (key !== current) {
        evaluator.setData(data);
        current = key;
      }
      return evaluator.decision(input);
    },
  };
}

export async function harnessFor(engine: EngineName, ir: PolicyIR): Promise<Harness> {
  switch (engine) {
    case "wasm":
      return wasmHarness(ir);
    case "interpreter":
      return interpreterHarness(ir);
  }
}
