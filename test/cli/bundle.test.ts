// `warden compile -o` (bundle targets, signing) and `warden inspect`, run as a user
// would run them (build first: npm run build).
import { beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, gunzipSync } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import { runWarden } from "../helpers/run.js";
import { readBundle, tarFiles } from "../../src/compiler/bundle/index.js";
import { loadBundleEvaluator } from "../../src/engine/bundle-evaluator.js";

const POLICY = `policy acme.test

rule ban-drop-table {
  title "Dropping a table destroys its data"
  on migration, runtime
  when statement.kind == "drop_table"
  deny "DROP TABLE {statement.targets[0].name} destroys data"
}
`;

let dir: string;
const at = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-bundle-"));
  writeFileSync(at("p.warden"), POLICY);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  writeFileSync(at("key.pem"), privateKey);
  writeFileSync(at("pub.pem"), publicKey);
  const other = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  writeFileSync(at("other.pem"), other.publicKey);
  writeFileSync(at("secret.txt"), "s3cret\n");
});

function tarEntries(bundle: Buffer): Promise<{ name: string; content: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const out: { name: string; content: Buffer }[] = [];
    const ex = tarExtract();
    ex.on("entry", (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (d: unknown) => chunks.push(d as Buffer));
      stream.on("end", () => {
        out.push({ name: h.name, content: Buffer.concat(chunks) });
        next();
      });
    });
    ex.on("finish", () => resolve(out));
    ex.on("error", reject);
    ex.end(gunzipSync(bundle));
  });
}

describe("warden compile -o", () => {
  it("writes a wasm bundle that the SDK evaluates", async () => {
    const r = await runWarden(["compile", at("p.warden"), "-o", at("b.tar.gz")]);
    expect(r.stderr).toMatch(/^wrote .*b\.tar\.gz \(wasm bundle, 1 rule, \d+ bytes\)\n$/);
    expect(r.code).toBe(0);
    const ev = await loadBundleEvaluator(readFileSync(at("b.tar.gz")));
    const input = { context: "ci", file: { path: "m.sql", type: "migration" }, statements: [{ kind: "drop_table", targets: [{ name: "users" }], location: { line: 2, column: 1 } }] };
    expect(ev.findings(input)).toEqual([
      { rule: "ban-drop-table", severity: "error", action: "deny", message: "DROP TABLE users destroys data", statement: 0, location: { line: 2, column: 1 } },
    ]);
    expect(ev.findings({ ...input, statements: [{ kind: "select" }] })).toEqual([]);
  });

  it("writes a rego bundle", async () => {
    const r = await runWarden(["compile", at("p.warden"), "-o", at("r.tar.gz"), "--target", "rego"]);
    expect(r.code).toBe(0);
    const b = await readBundle(readFileSync(at("r.tar.gz")));
    expect(b.rego).toMatch(/^package warden$/m);
    expect(b.rego).toContain('raw contains [[i, "ban-drop-table", message]');
    expect(b.wasm).toBeUndefined();
  });

  it("is deterministic", async () => {
    await runWarden(["compile", at("p.warden"), "-o", at("d1.tar.gz")]);
    await runWarden(["compile", at("p.warden"), "-o", at("d2.tar.gz")]);
    expect(readFileSync(at("d1.tar.gz")).equals(readFileSync(at("d2.tar.gz")))).toBe(true);
  });

  it("rejects bundle options without --output, and a missing key file", async () => {
    const a = await runWarden(["compile", at("p.warden"), "--target", "rego"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe("error: `--target` applies only when writing a bundle with `--output`\n");
    const b = await runWarden(["compile", at("p.warden"), "-o", at("x.tar.gz"), "--signing-alg", "HS256"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe("error: `--signing-alg` and `--signing-key-id` need `--signing-key`\n");
    const c = await runWarden(["compile", at("p.warden"), "-o", at("x.tar.gz"), "--signing-key", at("missing.pem")]);
    expect(c.code).toBe(2);
    expect(c.stderr).toBe(`error: cannot read signing key \`${at("missing.pem")}\`: ENOENT\n`);
    const d = await runWarden(["compile", at("p.warden"), "-o", at("x.tar.gz"), "--target", "jar"]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain("invalid target `jar`: use `wasm`, `rego`");
  });

  it("makes the output's directory, and says how to fix an output it cannot write", async () => {
    const made = await runWarden(["compile", at("p.warden"), "-o", at("out/dist/b.tar.gz")]);
    expect(made.code).toBe(0);
    expect(existsSync(at("out/dist/b.tar.gz"))).toBe(true);
    // a part of the path is a file
    const r = await runWarden(["compile", at("p.warden"), "-o", at("p.warden/b.tar.gz")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot write `.*p\.warden\/b\.tar\.gz`: .+\n  = help: pass `--output` a file in a writable directory\n$/);
  });
});

describe("warden inspect", () => {
  it("prints manifest, files and rules", async () => {
    await runWarden(["compile", at("p.warden"), "-o", at("i.tar.gz")]);
    const r = await runWarden(["inspect", at("i.tar.gz")]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`bundle:      ${at("i.tar.gz")}`);
    expect(lines[1]).toMatch(/^revision: {4}[0-9a-f]{64}$/);
    expect(lines.slice(2)).toEqual([
      "roots:       warden",
      "rego:        v1",
      "warden:      0.1.0",
      "signature:   none",
      "entrypoints:",
      "  warden/findings -> /policy.wasm",
      "  warden/decision -> /policy.wasm",
      "files:",
      expect.stringMatching(/^ +\d+  \/data\.json$/),
      expect.stringMatching(/^ +\d+  \/policy\.wasm$/),
      expect.stringMatching(/^ +\d+  \/\.manifest$/),
      "rules (1):",
      "  ban-drop-table  error    migration, runtime  Dropping a table destroys its data",
      "",
    ]);
  });

  it("--json", async () => {
    const r = await runWarden(["inspect", at("i.tar.gz"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.signature).toEqual({ signed: false, verified: false });
    expect(j.files.map((f: { path: string }) => f.path)).toEqual(["/data.json", "/policy.wasm", "/.manifest"]);
    expect(j.manifest.metadata.warden.rules[0].id).toBe("ban-drop-table");
  });

  it("verifies an RS256 signature and rejects the wrong key", async () => {
    const c = await runWarden(["compile", at("p.warden"), "-o", at("s.tar.gz"), "--signing-key", at("key.pem"), "--signing-key-id", "ci"]);
    expect(c.stderr).toMatch(/, signed RS256\)\n$/);
    const ok = await runWarden(["inspect", at("s.tar.gz"), "--verification-key", at("pub.pem")]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("signature:   verified (RS256, key id `ci`)\n");
    const unverified = await runWarden(["inspect", at("s.tar.gz")]);
    expect(unverified.stdout).toContain("signature:   present, not verified (pass --verification-key to verify)\n");
    const bad = await runWarden(["inspect", at("s.tar.gz"), "--verification-key", at("other.pem")]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe(`error: invalid bundle \`${at("s.tar.gz")}\`: .signatures.json: signature verification failed: the bundle was not signed with this key\n`);
  });

  it("verifies an HS256 secret (the file's final newline is not part of it)", async () => {
    const c = await runWarden(["compile", at("p.warden"), "-o", at("h.tar.gz"), "--signing-key", at("secret.txt"), "--signing-alg", "HS256"]);
    expect(c.code).toBe(0);
    const b = await readBundle(readFileSync(at("h.tar.gz")), { verificationKey: "s3cret" });
    expect(b.signature).toEqual({ signed: true, verified: true, alg: "HS256" });
    const r = await runWarden(["inspect", at("h.tar.gz"), "--verification-key", at("secret.txt")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("signature:   verified (HS256)\n");
  });

  it("names the tampered file", async () => {
    await runWarden(["compile", at("p.warden"), "-o", at("t.tar.gz"), "--signing-key", at("key.pem")]);
    const files = await tarEntries(readFileSync(at("t.tar.gz")));
    const tampered = files.map((f) => (f.name === "/data.json" ? { ...f, content: Buffer.from(f.content.toString().replace('"error"', '"info"')) } : f));
    writeFileSync(at("t2.tar.gz"), gzipSync(await tarFiles(tampered)));
    const r = await runWarden(["inspect", at("t2.tar.gz"), "--verification-key", at("pub.pem")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid bundle `.*t2\.tar\.gz`: data\.json: digest mismatch \(signed [0-9a-f]{64}, actual [0-9a-f]{64}\): the file was modified after signing\n$/);
  });

  it("--require-signature on an unsigned bundle, and unreadable files", async () => {
    const r = await runWarden(["inspect", at("i.tar.gz"), "--require-signature"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: invalid bundle \`${at("i.tar.gz")}\`: bundle is not signed: \`.signatures.json\` is missing\n`);
    const m = await runWarden(["inspect", at("nope.tar.gz")]);
    expect(m.code).toBe(2);
    expect(m.stderr).toBe(`error: cannot read \`${at("nope.tar.gz")}\`: no such file or directory\n`);
    writeFileSync(at("junk.tar.gz"), "junk");
    const j = await runWarden(["inspect", at("junk.tar.gz")]);
    expect(j.code).toBe(2);
    expect(j.stderr).toBe(`error: invalid bundle \`${at("junk.tar.gz")}\`: not a gzipped tar bundle: incorrect header check\n`);
  });

  it("--help", async () => {
    const r = await runWarden(["inspect", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--verification-key <file>");
    expect(r.stdout).toContain("--require-signature");
  });
});
