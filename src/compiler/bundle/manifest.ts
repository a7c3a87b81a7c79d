// The `.manifest` of a Warden bundle (OPA's manifest format plus Warden's metadata).
import type { PolicyIR, Scope, Severity } from "../ir/ir.js";
import { VERSION } from "../../version.js";

export const ENTRYPOINT_FINDINGS = "warden/findings";
export const ENTRYPOINT_DECISION = "warden/decision";
export const WASM_MODULE_PATH = "/policy.wasm";
export const REGO_MODULE_PATH = "/warden/policy.rego";
export const DATA_PATH = "/data.json";
export const MANIFEST_PATH = "/.manifest";
export const SIGNATURES_PATH = "/.signatures.json";

export interface WasmResolver {
  entrypoint: string;
  module: string;
}

export interface CatalogueEntry {
  id: string;
  title: string;
  severity: Severity;
  on: Scope[];
  doc: string;
}

export interface BundleManifest {
  revision: string;
  roots: string[];
  wasm?: WasmResolver[];
  rego_version?: number;
  metadata?: { warden?: { version: string; rules: CatalogueEntry[] }; [key: string]: unknown };
}

export function wardenMetadata(ir: PolicyIR): { version: string; rules: CatalogueEntry[] } {
  return {
    version: VERSION,
    rules: ir.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, on: [...r.on], doc: r.doc })),
  };
}
