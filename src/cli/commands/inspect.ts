// `warden inspect BUNDLE`: reads a bundle with the same defensive reader the enforcers
// use, verifies its signature when given a key, and prints manifest, rules and files.
import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { readBundle, type ReadBundleResult } from "../../compiler/bundle/read-bundle.js";
import { BundleError } from "../../compiler/bundle/errors.js";
import { fsReason } from "../../engine/errors.js";
import type { RegisterCommand } from "./index.js";

export interface InspectOptions {
  verificationKey?: string;
  requireSignature?: boolean;
  json?: boolean;
}

interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
}

function describeSignature(b: ReadBundleResult): string {
  const s = b.signature;
  if (!s.signed) return "none";
  if (!s.verified) return "present, not verified (pass --verification-key to verify)";
  return `verified (${s.alg}${s.kid ? `, key id \`${s.kid}\`` : ""})`;
}

export function formatInspection(path: string, b: ReadBundleResult): string {
  const m = b.manifest;
  const warden = m.metadata?.warden;
  const lines = [`bundle:      ${path}`, `revision:    ${m.revision || "(none)"}`, `roots:       ${m.roots.map((r) => (r === "" ? '""' : r)).join(", ")}`];
  if (m.rego_version !== undefined) lines.push(`rego:        v${m.rego_version}`);
  if (warden) lines.push(`warden:      ${warden.version}`);
  lines.push(`signature:   ${describeSignature(b)}`);
  lines.push("entrypoints:");
  if (m.wasm?.length) for (const w of m.wasm) lines.push(`  ${w.entrypoint} -> ${w.module}`);
  else if (b.rego !== undefined) lines.push("  warden/findings, warden/decision (Rego)");
  else lines.push("  (none)");
  lines.push("files:");
  const width = Math.max(...[...b.files.values()].map((c) => String(c.length).length), 1);
  for (const [name, content] of b.files) lines.push(`  ${String(content.length).padStart(width)}  ${name}`);
  const rules = warden?.rules ?? [];
  lines.push(`rules (${rules.length}):`);
  const idW = Math.max(0, ...rules.map((r) => r.id.length));
  const onW = Math.max(0, ...rules.map((r) => r.on.join(", ").length));
  for (const r of rules) lines.push(`  ${r.id.padEnd(idW)}  ${r.severity.padEnd(7)}  ${r.on.join(", ").padEnd(onW)}  ${r.title}`);
  return lines.join("\n") + "\n";
}

export function inspectionJson(b: ReadBundleResult): unknown {
  return {
    manifest: b.manifest,
    signature: b.signature,
    files: [...b.files].map(([path, content]) => ({ path, bytes: content.length, sha256: createHash("sha256").update(content).digest("hex") })),
  };
}

export async function runInspect(path: string, opts: InspectOptions, io: Io): Promise<number> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    io.stderr(`error: cannot read \`${path}\`: ${fsReason(err)}\n`);
    return 2;
  }
  let key: string | undefined;
  if (opts.verificationKey) {
    try {
      key = await readFile(opts.verificationKey, "utf8");
    } catch (err) {
      io.stderr(`error: cannot read verification key \`${opts.verificationKey}\`: ${fsReason(err)}\n`);
      return 2;
    }
    // A secret file usually ends with a newline that is not part of the secret.
    if (!key.includes("-----BEGIN ")) key = key.replace(/\r?\n$/, "");
  }
  let bundle: ReadBundleResult;
  try {
    bundle = await readBundle(buf, { ...(key !== undefined ? { verificationKey: key } : {}), ...(opts.requireSignature ? { requireSignature: true } : {}) });
  } catch (err) {
    if (err instanceof BundleError) {
      io.stderr(`error: invalid bundle \`${path}\`: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  io.stdout(opts.json ? `${JSON.stringify(inspectionJson(bundle), null, 2)}\n` : formatInspection(path, bundle));
  return 0;
}

export const registerInspect: RegisterCommand = (program: Command, setExit) => {
  program
    .command("inspect")
    .description("show a bundle's manifest, rules and files, and verify its signature")
    .argument("<bundle>", "bundle file (.tar.gz)")
    .option("--verification-key <file>", "verify the signature with this key: a PEM public key or certificate (RS256) or an HMAC secret file (HS256); fails unless it verifies")
    .option("--require-signature", "fail when the bundle is not signed")
    .option("--json", "print the manifest, signature and files as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  warden inspect bundle.tar.gz\n  warden inspect bundle.tar.gz --json\n  warden inspect bundle.tar.gz --verification-key public.pem\n" +
        "\nExit codes:\n  0  readable (and verified, with a key)\n  2  unreadable, malformed, or failing verification\n",
    )
    .action(async (path: string, opts: InspectOptions) => {
      setExit(await runInspect(path, opts, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }));
    });
};
