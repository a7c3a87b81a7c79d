// OPA bundles for Warden policies: writing, reading, signing and verification.
export { BundleError } from "./errors.js";
export { writeBundle, bundleRevision, tarFiles, type WriteBundleOptions } from "./write-bundle.js";
export { compileBundle, type BundleTarget } from "./compile-bundle.js";
export {
  readBundle,
  normalizeEntryName,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_MAX_TOTAL_BYTES,
  type ReadBundleOptions,
  type ReadBundleResult,
  type SignatureInfo,
} from "./read-bundle.js";
export { signFiles, verifySignatures, hashBundleFile, hashInput, type SigningOptions, type SigningAlg, type SignedFile } from "./sign.js";
export { canonicalJson, goJsonString } from "./canonical-json.js";
export * from "./manifest.js";
