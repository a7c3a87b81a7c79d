// Loader for fixtures/ir/*.json: hand-written IR with input/data cases and their expected
// findings and decision. Shared by the interpreter, wasm and Rego test suites.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Decision, Finding, JsonValue, PolicyIR } from "../../../src/compiler/ir/ir.js";

export const IR_FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/ir/", import.meta.url));

export interface IrCase {
  name: string;
  input: JsonValue;
  /** The whole data document; absent means defaultData(ir). */
  data?: JsonValue;
  findings: Finding[];
  /** The decision without `findings` (which always equals the `findings` above). */
  decision: Omit<Decision, "findings">;
}

export interface IrFixture {
  name: string;
  description: string;
  ir: PolicyIR;
  cases: IrCase[];
}

export function loadIrFixtures(): IrFixture[] {
  return readdirSync(IR_FIXTURE_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f.slice(0, -".json".length), ...(JSON.parse(readFileSync(join(IR_FIXTURE_DIR, f), "utf8")) as Omit<IrFixture, "name">) }));
}
