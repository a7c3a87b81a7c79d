// Writes a Warden policy as an OPA bundle: a gzipped tar with /data.json, the policy
// (/policy.wasm or /warden/policy.rego), optionally /.signatures.json, and /.manifest.
// Same inputs give the same bytes (fixed header fields, no timestamps).
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { pack as tarPack } from "tar-stream";
import type { PolicyIR } from "../ir/ir.js";
import { defaultData } from "../ir/interpret.js";
import { BundleError } from "./errors.js";
import {
  DATA_PATH,
  ENTRYPOINT_DECISION,
  ENTRYPOINT_FINDINGS,
  MANIFEST_PATH,
  REGO_MODULE_PATH,
  SIGNATURES_PATH,
  WASM_MODULE_PATH,
  wardenMetadata,
  type BundleManifest,
} from "./manifest.js";
import { signFiles, type SigningOptions } from "./sign.js";

export interface WriteBundleOptions {
  ir: PolicyIR;
  target: "wasm" | "rego";
  wasm?: Uint8Array;
  rego?: string;
  signing?: SigningOptions;
}

interface TarFile {
  name: string;
  content: Buffer;
}

/** Content hash of the policy and data files: what changes exactly when behaviour can change. */
export function bundleRevision(files: TarFile[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(`${f.name}\n${createHash("sha256").update(f.content).digest("hex")}\n`);
  return h.digest("hex");
}

export async function writeBundle(opts: WriteBundleOptions): Promise<Buffer> {
  const files: TarFile[] = [{ name: DATA_PATH, content: Buffer.from(JSON.stringify(defaultData(opts.ir)) + "\n", "utf8") }];
  if (opts.target === "wasm") {
    if (!opts.wasm) throw new BundleError("the wasm target needs the compiled policy.wasm");
    files.push({ name: WASM_MODULE_PATH, content: Buffer.from(opts.wasm) });
  } else if (opts.target === "rego") {
    if (opts.rego === undefined) throw new BundleError("the rego target needs the generated Rego");
    files.push({ name: REGO_MODULE_PATH, content: Buffer.from(opts.rego, "utf8") });
  } else {
    throw new BundleError(`unknown bundle target \`${String(opts.target)}\``);
  }

  const manifest: BundleManifest = { revision: bundleRevision(files), roots: ["warden"] };
  // One bundle never defines an entrypoint both ways: in OPA a Rego rule at the same
  // path would shadow the wasm resolver, so the rego target lists no wasm modules.
  if (opts.target === "wasm") {
    manifest.wasm = [
      { entrypoint: ENTRYPOINT_FINDINGS, module: WASM_MODULE_PATH },
      { entrypoint: ENTRYPOINT_DECISION, module: WASM_MODULE_PATH },
    ];
  }
  manifest.rego_version = 1;
  manifest.metadata = { warden: wardenMetadata(opts.ir) };
  const manifestFile: TarFile = { name: MANIFEST_PATH, content: Buffer.from(JSON.stringify(manifest) + "\n", "utf8") };

  const out = [...files];
  if (opts.signing) {
    // OPA signs every file but the signature file, the manifest included.
    const signed = [...files, manifestFile].map((f) => ({ name: f.name.slice(1), content: f.content }));
    out.push({ name: SIGNATURES_PATH, content: await signFiles(signed, opts.signing) });
  }
  out.push(manifestFile);
  return gzipSync(await tarFiles(out), { level: 9 });
}

/** A tar of regular files with OPA's header conventions (mode 0600, uid/gid 0, mtime 0). */
export function tarFiles(files: TarFile[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = tarPack();
    const chunks: Buffer[] = [];
    p.on("data", (c: unknown) => chunks.push(c as Buffer));
    p.on("end", () => resolve(Buffer.concat(chunks)));
    p.on("error", reject);
    for (const f of files) {
      p.entry({ name: f.name, size: f.content.length, mode: 0o600, uid: 0, gid: 0, uname: "", gname: "", mtime: new Date(0), type: "file" }, f.content);
    }
    p.finalize();
  });
}
