// Differential harness: a policy compiled to wasm and run through the real SDK must give
// byte-identical JSON to the reference interpreter for the same input and data.
import { expect } from "vitest";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { emitWasm } from "../../../src/compiler/backend/wasm/emit-wasm.js";
import { defaultData, evaluateDecision, evaluateFindings } from "../../../src/compiler/ir/interpret.js";
import type { JsonValue, PolicyIR } from "../../../src/compiler/ir/ir.js";

export interface Compiled {
  evaluate(input: unknown, entrypoint: string): string;
  setData(data: unknown): void;
}

export async function compile(ir: PolicyIR): Promise<Compiled> {
  const p = await loadPolicy(emitWasm(ir));
  p.setData(defaultData(ir) as object);
  return {
    evaluate: (input, ep) => JSON.stringify((p.evaluate(input, ep) as { result: unknown }[])[0]!.result),
    setData: (d) => p.setData(d as object),
  };
}

/** Both entrypoints agree with the interpreter; returns the findings JSON for further checks. */
export function agree(c: Compiled, ir: PolicyIR, inputDoc: unknown, dataDoc: unknown = defaultData(ir), label = ""): string {
  const input = inputDoc as JsonValue;
  const data = dataDoc as JsonValue;
  const want = JSON.stringify(evaluateFindings(ir, input, data));
  expect(c.evaluate(input, "warden/findings"), `findings ${label}`).toBe(want);
  expect(c.evaluate(input, "warden/decision"), `decision ${label}`).toBe(JSON.stringify(evaluateDecision(ir, input, data)));
  return want;
}

/** Non-throwing variant for property tests: the first mismatch as text, or null. */
export function mismatch(c: Compiled, ir: PolicyIR, input: JsonValue, data: JsonValue): string | null {
  for (const ep of ["warden/findings", "warden/decision"] as const) {
    const want = JSON.stringify(ep === "warden/findings" ? evaluateFindings(ir, input, data) : evaluateDecision(ir, input, data));
    const got = c.evaluate(input, ep);
    if (got !== want) return `${ep}\n  want ${want}\n  got  ${got}`;
  }
  return null;
}
