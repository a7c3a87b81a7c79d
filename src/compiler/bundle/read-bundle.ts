// Reads an OPA bundle (gzipped tar) defensively: regular files only, no path escapes,
// size limits checked before any file is buffered, signatures verified as OPA does,
// and the manifest's wasm modules checked against the files present.
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import type { JsonValue } from "../ir/ir.js";
import { BundleError } from "./errors.js";
import { MANIFEST_PATH, REGO_MODULE_PATH, SIGNATURES_PATH, WASM_MODULE_PATH, type BundleManifest } from "./manifest.js";

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024 * 1024; // OPA's per-file limit
export const DEFAULT_MAX_TOTAL_BYTES = 1024 * 1024 * 1024;

export interface ReadBundleOptions {
  /** PEM public key / certificate (RS*, PS*, ES*) or HMAC secret (HS*). Verifies the signature when given. */
  verificationKey?: string;
  /** Fail when the bundle carries no verified signature. */
  requireSignature?: boolean;
  /** Expected `scope` claim (OPA's default: empty). */
  scope?: string;
  maxFileBytes?: number;
  maxTotalBytes?: number;
}

export interface SignatureInfo {
  signed: boolean;
  verified: boolean;
  alg?: string;
  kid?: string;
}

export interface ReadBundleResult {
  manifest: BundleManifest;
  /** The data document assembled from every data.json (directory = path under data). */
  data: JsonValue;
  /** The module the manifest maps `warden/findings` to (else /policy.wasm), when present. */
  wasm?: Uint8Array;
  /** /warden/policy.rego, else the first .rego file, when present. */
  rego?: string;
  /** Every file by its bundle path (leading `/`), signature file included. */
  files: Map<string, Buffer>;
  signature: SignatureInfo;
}

const REGULAR = new Set(["file", "contiguous-file"]);

/** OPA's path form: one leading `/`; throws for anything that could escape or alias. */
export function normalizeEntryName(raw: string): string | null {
  if (raw.includes("\\")) throw new BundleError(`bundle entry \`${raw}\`: backslashes are not allowed in paths`, raw);
  if (/^[A-Za-z]:/.test(raw) || raw.startsWith("//")) throw new BundleError(`bundle entry \`${raw}\`: absolute paths are not allowed`, raw);
  const segments = raw.split("/");
  if (segments.includes("..")) throw new BundleError(`bundle entry \`${raw}\`: \`..\` path segments are not allowed`, raw);
  const kept = segments.filter((s) => s !== "" && s !== ".");
  return kept.length === 0 ? null : "/" + kept.join("/");
}

function extractEntries(buf: Buffer, maxFile: number, maxTotal: number): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    let total = 0;
    let failed = false;
    const gunzip = createGunzip();
    const ex = tarExtract();
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      gunzip.destroy();
      ex.destroy();
      reject(err instanceof BundleError ? err : new BundleError(`not a gzipped tar bundle: ${err instanceof Error ? err.message : String(err)}`));
    };
    ex.on("entry", (header, stream, next) => {
      try {
        if (header.type === "directory") {
          normalizeEntryName(header.name); // still reject escaping directory names
          stream.resume();
          stream.on("end", next);
          return;
        }
        const name = normalizeEntryName(header.name);
        if (!REGULAR.has(header.type ?? "file")) {
          throw new BundleError(`bundle entry \`${header.name}\`: ${header.type} entries are not allowed (regular files only)`, header.name);
        }
        if (name === null) throw new BundleError(`bundle entry \`${header.name}\`: empty file name`, header.name);
        const size = header.size ?? 0;
        if (size > maxFile) throw new BundleError(`bundle entry \`${name}\`: ${size} bytes exceeds the per-file limit of ${maxFile} bytes`, name);
        total += size;
        if (total > maxTotal) throw new BundleError(`bundle exceeds the total size limit of ${maxTotal} bytes at \`${name}\``, name);
        if (files.has(name)) throw new BundleError(`bundle entry \`${name}\`: duplicate file`, name);
        const chunks: Buffer[] = [];
        let got = 0;
        stream.on("data", (chunk: unknown) => {
          const c = chunk as Buffer;
          got += c.length;
          if (got > size) fail(new BundleError(`bundle entry \`${name}\`: more data than its header declares`, name));
          else chunks.push(c);
        });
        stream.on("end", () => {
          files.set(name, Buffer.concat(chunks));
          next();
        });
        stream.on("error", fail);
      } catch (err) {
        fail(err);
      }
    });
    ex.on("finish", () => {
      if (!failed) resolve(files);
    });
    ex.on("error", fail);
    gunzip.on("error", fail);
    Readable.from([buf]).pipe(gunzip).pipe(ex);
  });
}

function parseJsonFile(name: string, content: Buffer): JsonValue {
  try {
    return JSON.parse(content.toString("utf8")) as JsonValue;
  } catch (err) {
    throw new BundleError(`${name.replace(/^\//, "")}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`, name);
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function validateManifest(v: JsonValue): BundleManifest {
  const where = ".manifest";
  if (!isObj(v)) throw new BundleError(`${where}: not a JSON object`, MANIFEST_PATH);
  const revision = v.revision ?? "";
  if (typeof revision !== "string") throw new BundleError(`${where}: \`revision\` must be a string`, MANIFEST_PATH);
  const roots = v.roots ?? [""];
  if (!Array.isArray(roots) || !roots.every((r) => typeof r === "string")) {
    throw new BundleError(`${where}: \`roots\` must be a list of strings`, MANIFEST_PATH);
  }
  const m: BundleManifest = { ...(v as object), revision, roots: roots as string[] } as BundleManifest;
  if (v.wasm !== undefined) {
    if (!Array.isArray(v.wasm) || !v.wasm.every((w) => isObj(w) && typeof w.entrypoint === "string" && typeof w.module === "string")) {
      throw new BundleError(`${where}: \`wasm\` must be a list of {entrypoint, module} strings`, MANIFEST_PATH);
    }
  }
  return m;
}

function insertData(root: Record<string, JsonValue>, dir: string[], value: JsonValue, name: string): Record<string, JsonValue> {
  if (dir.length === 0) {
    if (!isObj(value)) throw new BundleError(`${name.replace(/^\//, "")}: the root data document must be an object`, name);
    return { ...root, ...value };
  }
  let cur = root;
  for (const seg of dir.slice(0, -1)) {
    const next = cur[seg];
    if (!isObj(next)) cur[seg] = {};
    cur = cur[seg] as Record<string, JsonValue>;
  }
  cur[dir[dir.length - 1]!] = value;
  return root;
}

export async function readBundle(buf: Buffer, opts: ReadBundleOptions = {}): Promise<ReadBundleResult> {
  const files = await extractEntries(buf, opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, opts.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES);

  // Signatures first: a tampered file must be reported as tampered, not as whatever
  // parse error its new content happens to cause further down.
  const signature: SignatureInfo = { signed: files.has(SIGNATURES_PATH), verified: false };
  const sigFile = files.get(SIGNATURES_PATH);
  if (!sigFile && (opts.requireSignature || opts.verificationKey !== undefined)) {
    throw new BundleError("bundle is not signed: `.signatures.json` is missing", SIGNATURES_PATH);
  }
  if (sigFile && opts.verificationKey === undefined && opts.requireSignature) {
    throw new BundleError("cannot verify `.signatures.json`: no verification key was given", SIGNATURES_PATH);
  }
  if (sigFile && opts.verificationKey !== undefined) {
    // jose and yaml load only to verify: an unsigned run (every `warden check`) skips them.
    const { hashBundleFile, verifySignatures } = await import("./sign.js");
    const verified = await verifySignatures(sigFile, opts.verificationKey, opts.scope ?? "");
    const pending = new Map(verified.files);
    for (const [path, content] of files) {
      if (path === SIGNATURES_PATH) continue;
      const name = path.slice(1);
      const signed = pending.get(name);
      if (!signed) throw new BundleError(`${name}: not included in the bundle signature`, path);
      if (!signed.algorithm) throw new BundleError(`${name}: the bundle signature gives no hashing algorithm`, path);
      const actual = hashBundleFile(path, content, signed.algorithm);
      if (actual !== signed.hash) {
        throw new BundleError(`${name}: digest mismatch (signed ${signed.hash}, actual ${actual}): the file was modified after signing`, path);
      }
      pending.delete(name);
    }
    if (pending.size > 0) {
      const missing = [...pending.keys()].sort().map((n) => `\`${n}\``).join(", ");
      throw new BundleError(`.signatures.json: signs ${missing}, which ${pending.size === 1 ? "is" : "are"} not in the bundle`, SIGNATURES_PATH);
    }
    signature.verified = true;
    signature.alg = verified.alg;
    if (verified.kid !== undefined) signature.kid = verified.kid;
  }

  const manifestFile = files.get(MANIFEST_PATH);
  const manifest = manifestFile ? validateManifest(parseJsonFile(MANIFEST_PATH, manifestFile)) : { revision: "", roots: [""] };
  for (const w of manifest.wasm ?? []) {
    if (!files.has(w.module)) {
      throw new BundleError(`.manifest: wasm module \`${w.module}\` of entrypoint \`${w.entrypoint}\` is not in the bundle`, MANIFEST_PATH);
    }
  }

  let data: Record<string, JsonValue> = {};
  const dataFiles = [...files.keys()].filter((p) => p === "/data.json" || p.endsWith("/data.json")).sort();
  for (const p of dataFiles) {
    const dir = p.split("/").slice(1, -1);
    data = insertData(data, dir, parseJsonFile(p, files.get(p)!), p);
  }

  const wasmPath = manifest.wasm?.find((w) => w.entrypoint === "warden/findings")?.module ?? WASM_MODULE_PATH;
  const wasm = files.get(wasmPath);
  const regoPath = files.has(REGO_MODULE_PATH) ? REGO_MODULE_PATH : [...files.keys()].find((p) => p.endsWith(".rego"));
  // an OPA bundle may leave out its manifest, but a tarball with no policy, manifest or
  // data in it is some other archive: say so rather than report an empty bundle
  if (!manifestFile && !wasm && !regoPath && dataFiles.length === 0) {
    const names = [...files.keys()].sort();
    const held = names.length === 0 ? "it is empty" : `it holds ${names.slice(0, 3).map((n) => `\`${n.slice(1)}\``).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`;
    throw new BundleError(`not a policy bundle: no \`.manifest\`, \`policy.wasm\`, \`.rego\` or \`data.json\` in it (${held})`);
  }
  const result: ReadBundleResult = { manifest, data, files, signature };
  if (wasm) result.wasm = new Uint8Array(wasm);
  if (regoPath) result.rego = files.get(regoPath)!.toString("utf8");
  return result;
}
