// Bundle signatures as OPA makes and checks them: `/.signatures.json` holds one JWS
// (compact JWT) whose payload lists every file but the signature file itself, each with
// a hex digest; JSON files (data.json, .manifest) are hashed over OPA's canonical form.
import { createHash, createPrivateKey, createPublicKey, createSecretKey, X509Certificate, type KeyObject } from "node:crypto";
import { CompactSign, compactVerify, decodeProtectedHeader, errors as joseErrors } from "jose";
import { parse as parseYaml } from "yaml";
import { BundleError } from "./errors.js";
import { canonicalJson, CanonicalJsonError } from "./canonical-json.js";

export type SigningAlg = "RS256" | "HS256";

export interface SigningOptions {
  /** PEM private key (RS256) or HMAC secret (HS256). */
  key: string;
  /** Default: RS256 for a PEM key, HS256 otherwise. */
  alg?: SigningAlg;
  keyId?: string;
}

export interface SignedFile {
  /** Bundle path without the leading `/`. */
  name: string;
  hash: string;
  algorithm: string;
}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: "md5",
  "SHA-1": "sha1",
  "SHA-224": "sha224",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
  "SHA-512-224": "sha512-224",
  "SHA-512-256": "sha512-256",
};

/** OPA treats these base names as structured documents (hashed in canonical form). */
function isStructured(name: string): boolean {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return base === "data.json" || base === "data.yaml" || base === ".manifest" || base === "signatures.json";
}

/** The bytes OPA feeds to the digest for a bundle file. */
export function hashInput(name: string, content: Buffer): Buffer {
  if (!isStructured(name)) return content;
  const base = name.slice(name.lastIndexOf("/") + 1);
  let text = content.toString("utf8");
  try {
    if (base === "data.yaml") text = JSON.stringify(parseYaml(text) ?? null);
    return Buffer.from(canonicalJson(text), "utf8");
  } catch (err) {
    const why = err instanceof CanonicalJsonError || err instanceof Error ? err.message : String(err);
    throw new BundleError(`${name}: not valid ${base === "data.yaml" ? "YAML" : "JSON"}: ${why}`, name);
  }
}

/** Hex digest of a bundle file as OPA computes it. */
export function hashBundleFile(name: string, content: Buffer, algorithm = "SHA-256"): string {
  const node = HASH_ALGORITHMS[algorithm];
  if (!node) throw new BundleError(`.signatures.json: unsupported hashing algorithm \`${algorithm}\` for \`${name}\``, ".signatures.json");
  return createHash(node).update(hashInput(name, content)).digest("hex");
}

function looksLikePem(key: string): boolean {
  return key.includes("-----BEGIN ");
}

function signingKey(opts: SigningOptions, alg: SigningAlg): KeyObject {
  if (alg === "HS256") {
    if (opts.key.length === 0) throw new BundleError("signing: the HMAC secret is empty");
    return createSecretKey(Buffer.from(opts.key, "utf8"));
  }
  if (!looksLikePem(opts.key)) throw new BundleError("signing: RS256 needs a PEM private key");
  try {
    const key = createPrivateKey(opts.key);
    if (key.asymmetricKeyType !== "rsa") throw new Error(`a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw new BundleError(`signing: cannot use the key for RS256: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** `.signatures.json` content for the given files (name → content, names without leading `/`). */
export async function signFiles(files: { name: string; content: Buffer }[], opts: SigningOptions): Promise<Buffer> {
  const alg: SigningAlg = opts.alg ?? (looksLikePem(opts.key) ? "RS256" : "HS256");
  const key = signingKey(opts, alg);
  const list: SignedFile[] = files.map((f) => ({ name: f.name, hash: hashBundleFile(f.name, f.content), algorithm: "SHA-256" }));
  // Same payload as OPA: Go marshals the claims map with sorted keys; `keyid` is OPA's
  // deprecated claim, still written so older verifiers find the key.
  const payload: { files: SignedFile[]; keyid?: string } = { files: list };
  if (opts.keyId) payload.keyid = opts.keyId;
  const header: { alg: SigningAlg; typ: string; kid?: string } = { alg, typ: "JWT" };
  if (opts.keyId) header.kid = opts.keyId;
  const jwt = await new CompactSign(Buffer.from(JSON.stringify(payload), "utf8")).setProtectedHeader(header).sign(key);
  return Buffer.from(JSON.stringify({ signatures: [jwt] }, null, 1), "utf8");
}

export interface VerifiedSignature {
  alg: string;
  kid?: string;
  files: Map<string, SignedFile>;
}

function verificationKey(key: string): { key: KeyObject; algorithms: string[] } {
  if (!looksLikePem(key)) {
    if (key.length === 0) throw new BundleError("verification: the HMAC secret is empty");
    return { key: createSecretKey(Buffer.from(key, "utf8")), algorithms: ["HS256", "HS384", "HS512"] };
  }
  let pub: KeyObject;
  try {
    pub = key.includes("-----BEGIN CERTIFICATE-----") ? new X509Certificate(key).publicKey : createPublicKey(key);
  } catch (err) {
    throw new BundleError(`verification: cannot read the verification key: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The key type fixes the algorithms: a token cannot choose HS256 and use a public key as its secret.
  const algorithms =
    pub.asymmetricKeyType === "rsa"
      ? ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
      : pub.asymmetricKeyType === "ec"
        ? ["ES256", "ES384", "ES512"]
        : pub.asymmetricKeyType === "ed25519"
          ? ["EdDSA"]
          : [];
  return { key: pub, algorithms };
}

/** Parse `.signatures.json`, verify its one JWT with `key`, and return the signed file list. */
export async function verifySignatures(content: Buffer, key: string, scope = ""): Promise<VerifiedSignature> {
  const where = ".signatures.json";
  let doc: unknown;
  try {
    doc = JSON.parse(content.toString("utf8"));
  } catch {
    throw new BundleError(`${where}: not valid JSON`, where);
  }
  const sigs = (doc as { signatures?: unknown })?.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0) throw new BundleError(`${where}: missing JWT (expected exactly one)`, where);
  if (sigs.length > 1) throw new BundleError(`${where}: multiple JWTs are not supported (expected exactly one)`, where);
  const token = sigs[0];
  if (typeof token !== "string") throw new BundleError(`${where}: the signature is not a string`, where);
  let header: { alg?: string; kid?: string };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new BundleError(`${where}: the signature is not a JWS in compact form`, where);
  }
  const { key: keyObject, algorithms } = verificationKey(key);
  if (!header.alg || !algorithms.includes(header.alg)) {
    throw new BundleError(`${where}: signature algorithm \`${header.alg ?? ""}\` does not fit the verification key (expected one of ${algorithms.join(", ")})`, where);
  }
  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(token, keyObject, { algorithms }));
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new BundleError(`${where}: signature verification failed: the bundle was not signed with this key`, where);
    }
    throw new BundleError(`${where}: signature verification failed: ${err instanceof Error ? err.message : String(err)}`, where);
  }
  let payload: { files?: unknown; scope?: unknown };
  try {
    payload = JSON.parse(Buffer.from(payloadBytes).toString("utf8"));
  } catch {
    throw new BundleError(`${where}: the JWT payload is not JSON`, where);
  }
  const payloadScope = typeof payload.scope === "string" ? payload.scope : "";
  if (payloadScope !== scope) throw new BundleError(`${where}: scope mismatch (signed \`${payloadScope}\`, expected \`${scope}\`)`, where);
  if (!Array.isArray(payload.files)) throw new BundleError(`${where}: the JWT payload has no \`files\` list`, where);
  const files = new Map<string, SignedFile>();
  for (const f of payload.files as Partial<SignedFile>[]) {
    if (typeof f?.name !== "string" || typeof f.hash !== "string") throw new BundleError(`${where}: a \`files\` entry lacks a name or hash`, where);
    files.set(f.name.replace(/^\/+/, ""), { name: f.name, hash: f.hash.toLowerCase(), algorithm: typeof f.algorithm === "string" ? f.algorithm : "" });
  }
  return { alg: header.alg, kid: header.kid, files };
}
