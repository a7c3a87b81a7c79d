// Evaluates a compiled Warden bundle through the real OPA wasm SDK, exactly as any
// enforcer would: entrypoints by name, the bundle's data.json as data, result sets
// unwrapped, and the SDK's thrown strings turned into Errors that say what failed.
import * as opaWasm from "@open-policy-agent/opa-wasm";
import type { Decision, Finding, JsonValue } from "../compiler/ir/ir.js";
import { readBundle, type ReadBundleOptions } from "../compiler/bundle/read-bundle.js";
import { ENTRYPOINT_DECISION, ENTRYPOINT_FINDINGS, type BundleManifest } from "../compiler/bundle/manifest.js";

// the package's ESM entry re-exports only `loadPolicy` by name; the sync loader is on its default export
const { loadPolicySync } = (opaWasm as unknown as { default: typeof opaWasm }).default;
type LoadedPolicy = ReturnType<typeof loadPolicySync>;

export interface BundleEvaluatorOptions extends ReadBundleOptions {
  /** Initial wasm memory, in 64 KiB pages or as a descriptor (the SDK's default is 5 pages). */
  memory?: number | WebAssembly.MemoryDescriptor;
}

export interface BundleEvaluator {
  /** The bundle's manifest (a minimal one when loaded from a bare module). */
  readonly manifest: BundleManifest;
  /** Entrypoint names to ids, as the module reports them. */
  readonly entrypoints: Readonly<Record<string, number>>;
  findings(input: JsonValue): Finding[];
  decision(input: JsonValue): Decision;
  /** Any entrypoint by name; the value of its single result. */
  evaluate(entrypoint: string, input: JsonValue): JsonValue;
  /** Replace the whole data document (e.g. the bundle data merged with configuration). */
  setData(data: JsonValue): void;
}

/** The SDK throws strings (opa_abort messages) and plain objects; make them Errors. */
function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  if (err && typeof err === "object" && typeof (err as { message?: unknown }).message === "string") return (err as { message: string }).message;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

function wrap(context: string, err: unknown): Error {
  return new Error(`${context}: ${describe(err)}`, { cause: err });
}

/** `[{result: X}]` → X. An empty result set means the entrypoint was undefined. */
export function unwrapResultSet(entrypoint: string, rs: unknown): JsonValue {
  if (Array.isArray(rs) && rs.length === 0) throw new Error(`evaluating \`${entrypoint}\`: undefined result`);
  if (Array.isArray(rs) && rs.length === 1 && rs[0] !== null && typeof rs[0] === "object" && "result" in rs[0]) {
    return (rs[0] as { result: JsonValue }).result;
  }
  throw new Error(`evaluating \`${entrypoint}\`: unexpected result set ${JSON.stringify(rs)?.slice(0, 200)}`);
}

export async function loadBundleEvaluator(
  bundle: Buffer | { wasm: Uint8Array; data: JsonValue; manifest?: BundleManifest },
  opts: BundleEvaluatorOptions = {},
): Promise<BundleEvaluator> {
  let wasm: Uint8Array;
  let data: JsonValue;
  let manifest: BundleManifest;
  if (Buffer.isBuffer(bundle)) {
    const read = await readBundle(bundle, opts);
    if (!read.wasm) {
      throw new Error("bundle has no policy.wasm: only wasm-target bundles can be evaluated here (a rego-target bundle needs an OPA server)");
    }
    wasm = read.wasm;
    data = read.data;
    manifest = read.manifest;
  } else {
    wasm = bundle.wasm;
    data = bundle.data;
    manifest = bundle.manifest ?? { revision: "", roots: [""] };
  }

  let policy: LoadedPolicy;
  try {
    // Copy into a fresh ArrayBuffer: a Node Buffer may be a view into a shared pool.
    // Compiled synchronously (a policy module is small): the SDK's async loader tests for
    // a fetch `Response`, and touching that global loads Node's whole fetch stack (~15 ms).
    policy = loadPolicySync(new Uint8Array(wasm).buffer, opts.memory);
  } catch (err) {
    throw wrap("loading policy.wasm", err);
  }
  const entrypoints = { ...(policy.entrypoints as Record<string, number>) };
  for (const ep of [ENTRYPOINT_FINDINGS, ENTRYPOINT_DECISION]) {
    if (!Object.prototype.hasOwnProperty.call(entrypoints, ep)) {
      throw new Error(`policy.wasm has no entrypoint \`${ep}\` (it has ${Object.keys(entrypoints).map((e) => `\`${e}\``).join(", ") || "none"})`);
    }
  }

  const setData = (d: JsonValue): void => {
    if (d === null || typeof d !== "object" || Array.isArray(d)) throw new Error("the data document must be a JSON object");
    try {
      policy.setData(d);
    } catch (err) {
      throw wrap("loading data into policy.wasm", err);
    }
  };
  setData(data);

  const evaluate = (entrypoint: string, input: JsonValue): JsonValue => {
    if (!Object.prototype.hasOwnProperty.call(entrypoints, entrypoint)) throw new Error(`policy.wasm has no entrypoint \`${entrypoint}\``);
    let rs: unknown;
    try {
      rs = policy.evaluate(input, entrypoints[entrypoint]);
    } catch (err) {
      throw wrap(`evaluating \`${entrypoint}\``, err);
    }
    return unwrapResultSet(entrypoint, rs);
  };

  return {
    manifest,
    entrypoints,
    findings: (input) => {
      const r = evaluate(ENTRYPOINT_FINDINGS, input);
      if (!Array.isArray(r)) throw new Error(`evaluating \`${ENTRYPOINT_FINDINGS}\`: expected a list of findings, got ${JSON.stringify(r)?.slice(0, 100)}`);
      return r as unknown as Finding[];
    },
    decision: (input) => {
      const r = evaluate(ENTRYPOINT_DECISION, input);
      if (r === null || typeof r !== "object" || Array.isArray(r) || typeof (r as { allow?: unknown }).allow !== "boolean") {
        throw new Error(`evaluating \`${ENTRYPOINT_DECISION}\`: expected a decision object, got ${JSON.stringify(r)?.slice(0, 100)}`);
      }
      return r as unknown as Decision;
    },
    evaluate,
    setData,
  };
}
