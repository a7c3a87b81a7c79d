// IR → bundle bytes for a target: runs the matching back end (emitWasm or emitRego) and
// writes the OPA bundle. What `warden compile -o` and the built-in library build call.
import type { PolicyIR } from "../ir/ir.js";
import { emitWasm } from "../backend/wasm/emit-wasm.js";
import { emitRego } from "../backend/rego/emit-rego.js";
import { writeBundle } from "./write-bundle.js";
import type { SigningOptions } from "./sign.js";

export type BundleTarget = "wasm" | "rego";

export async function compileBundle(ir: PolicyIR, target: BundleTarget, signing?: SigningOptions): Promise<Buffer> {
  if (target === "wasm") return writeBundle({ ir, target, wasm: emitWasm(ir), ...(signing ? { signing } : {}) });
  return writeBundle({ ir, target, rego: emitRego(ir), ...(signing ? { signing } : {}) });
}
