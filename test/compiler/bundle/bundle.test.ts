import { describe, expect, it } from "vitest";
import { createHash, generateKeyPairSync } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { extract as tarExtract, pack as tarPack, type Header } from "tar-stream";
import { CompactSign } from "jose";
import { readBundle, writeBundle, tarFiles, BundleError, canonicalJson, type ReadBundleResult } from "../../../src/compiler/bundle/index.js";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import { VERSION } from "../../../src/version.js";
import { c, eq, filter, policy, rule, stmt } from "../ir/build.js";

const ir = policy(
  [
    rule({ id: "ban-drop", title: "No drops", doc: "Archive instead.", on: ["migration", "runtime"], body: [filter(eq(stmt("kind"), c("drop_table")))] }),
    rule({ id: "wide", title: "Wide", action: "warn", on: ["migration"] }),
  ],
  { classifications: { pii: ["email"] }, constants: { migrators: ["dba"] } },
);
const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const { privateKey: RSA_PRIVATE, publicKey: RSA_PUBLIC } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const { publicKey: OTHER_PUBLIC } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

interface RawEntry {
  header: Header;
  content: Buffer;
}

/** The tar entries of a bundle, headers included, as any tar reader sees them. */
function entries(bundle: Buffer): Promise<RawEntry[]> {
  return new Promise((resolve, reject) => {
    const out: RawEntry[] = [];
    const ex = tarExtract();
    ex.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (d: unknown) => chunks.push(d as Buffer));
      stream.on("end", () => {
        out.push({ header, content: Buffer.concat(chunks) });
        next();
      });
    });
    ex.on("finish", () => resolve(out));
    ex.on("error", reject);
    ex.end(gunzipSync(bundle));
  });
}

/** A gzipped tar from raw tar-stream headers (for malicious archives). */
function rawTar(items: { header: Partial<Header> & { name: string }; content?: Buffer }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = tarPack();
    const chunks: Buffer[] = [];
    p.on("data", (d: unknown) => chunks.push(d as Buffer));
    p.on("end", () => resolve(gzipSync(Buffer.concat(chunks))));
    p.on("error", reject);
    for (const it of items) {
      if (it.content) p.entry(it.header as Header, it.content);
      else p.entry(it.header as Header);
    }
    p.finalize();
  });
}

async function rebuild(bundle: Buffer, edit: (files: { name: string; content: Buffer }[]) => { name: string; content: Buffer }[]): Promise<Buffer> {
  const files = (await entries(bundle)).map((e) => ({ name: e.header.name, content: e.content }));
  return gzipSync(await tarFiles(edit(files)));
}

function jwtParts(sigFile: Buffer): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const token = (JSON.parse(sigFile.toString("utf8")) as { signatures: string[] }).signatures[0]!;
  const [h, p] = token.split(".");
  return { header: JSON.parse(Buffer.from(h!, "base64url").toString()), payload: JSON.parse(Buffer.from(p!, "base64url").toString()) };
}

async function rejection(p: Promise<unknown>): Promise<BundleError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BundleError);
    return err as BundleError;
  }
  throw new Error("expected the promise to reject");
}

describe("writeBundle", () => {
  it("writes OPA's layout for the wasm target", async () => {
    const bundle = await writeBundle({ ir, target: "wasm", wasm: WASM });
    const es = await entries(bundle);
    expect(es.map((e) => e.header.name)).toEqual(["/data.json", "/policy.wasm", "/.manifest"]);
    for (const e of es) {
      expect(e.header.type).toBe("file");
      expect(e.header.mode).toBe(0o600);
      expect(e.header.uid).toBe(0);
      expect(e.header.gid).toBe(0);
      expect(e.header.mtime?.getTime()).toBe(0);
    }
    expect(JSON.parse(es[0]!.content.toString())).toEqual(defaultData(ir));
    expect(Buffer.compare(es[1]!.content, Buffer.from(WASM))).toBe(0);
    const manifest = JSON.parse(es[2]!.content.toString());
    expect(manifest).toEqual({
      revision: expect.stringMatching(/^[0-9a-f]{64}$/),
      roots: ["warden"],
      wasm: [
        { entrypoint: "warden/findings", module: "/policy.wasm" },
        { entrypoint: "warden/decision", module: "/policy.wasm" },
      ],
      rego_version: 1,
      metadata: {
        warden: {
          version: VERSION,
          rules: [
            { id: "ban-drop", title: "No drops", severity: "error", on: ["migration", "runtime"], doc: "Archive instead." },
            { id: "wide", title: "Wide", severity: "warning", on: ["migration"], doc: "" },
          ],
        },
      },
    });
    expect(Object.keys(manifest)).toEqual(["revision", "roots", "wasm", "rego_version", "metadata"]);
  });

  it("writes the rego target without wasm resolvers", async () => {
    const bundle = await writeBundle({ ir, target: "rego", rego: "package warden\n" });
    const es = await entries(bundle);
    expect(es.map((e) => e.header.name)).toEqual(["/data.json", "/warden/policy.rego", "/.manifest"]);
    expect(es[1]!.content.toString()).toBe("package warden\n");
    const manifest = JSON.parse(es[2]!.content.toString());
    expect(manifest.wasm).toBeUndefined();
    expect(manifest.roots).toEqual(["warden"]);
  });

  it("is deterministic, and the revision follows the content", async () => {
    const a = await writeBundle({ ir, target: "wasm", wasm: WASM });
    const b = await writeBundle({ ir, target: "wasm", wasm: WASM });
    expect(Buffer.compare(a, b)).toBe(0);
    const signedA = await writeBundle({ ir, target: "wasm", wasm: WASM, signing: { key: RSA_PRIVATE, keyId: "k" } });
    const signedB = await writeBundle({ ir, target: "wasm", wasm: WASM, signing: { key: RSA_PRIVATE, keyId: "k" } });
    expect(Buffer.compare(signedA, signedB)).toBe(0); // RSASSA-PKCS1-v1_5 is deterministic
    const other = await writeBundle({ ir, target: "wasm", wasm: new Uint8Array([...WASM, 0]) });
    const rev = async (x: Buffer): Promise<string> => (await readBundle(x)).manifest.revision;
    expect(await rev(a)).not.toBe(await rev(other));
    expect(await rev(a)).toBe(await rev(signedA)); // signing does not change the revision
  });

  it("refuses a target without its policy", async () => {
    expect((await rejection(writeBundle({ ir, target: "wasm" }))).message).toBe("the wasm target needs the compiled policy.wasm");
    expect((await rejection(writeBundle({ ir, target: "rego" }))).message).toBe("the rego target needs the generated Rego");
  });
});

describe("readBundle", () => {
  it("round-trips a wasm bundle", async () => {
    const got = await readBundle(await writeBundle({ ir, target: "wasm", wasm: WASM }));
    expect(got.data).toEqual(defaultData(ir));
    expect(got.wasm).toEqual(WASM);
    expect(got.rego).toBeUndefined();
    expect(got.manifest.roots).toEqual(["warden"]);
    expect([...got.files.keys()]).toEqual(["/data.json", "/policy.wasm", "/.manifest"]);
    expect(got.signature).toEqual({ signed: false, verified: false });
  });

  it("round-trips a rego bundle", async () => {
    const got = await readBundle(await writeBundle({ ir, target: "rego", rego: "package warden\nimport rego.v1\n" }));
    expect(got.rego).toBe("package warden\nimport rego.v1\n");
    expect(got.wasm).toBeUndefined();
  });

  it("accepts names without the leading slash and ./ prefixes, and skips directories", async () => {
    const bundle = await rawTar([
      { header: { name: "./", type: "directory" } },
      { header: { name: "./data.json" }, content: Buffer.from('{"warden":{"a":1}}') },
      { header: { name: "sub/" , type: "directory" } },
      { header: { name: "sub/data.json" }, content: Buffer.from("[1,2]") },
    ]);
    const got = await readBundle(bundle);
    expect([...got.files.keys()]).toEqual(["/data.json", "/sub/data.json"]);
    expect(got.data).toEqual({ warden: { a: 1 }, sub: [1, 2] });
    expect(got.manifest).toEqual({ revision: "", roots: [""] });
  });

  describe("rejects malicious archives", () => {
    const file = (name: string, content = "{}"): { header: Partial<Header> & { name: string }; content: Buffer } => ({ header: { name, size: Buffer.byteLength(content) }, content: Buffer.from(content) });
    it.each([
      ["//etc/passwd", "bundle entry `//etc/passwd`: absolute paths are not allowed"],
      ["C:/Windows/x.json", "bundle entry `C:/Windows/x.json`: absolute paths are not allowed"],
      ["../x", "bundle entry `../x`: `..` path segments are not allowed"],
      ["/a/../../data.json", "bundle entry `/a/../../data.json`: `..` path segments are not allowed"],
      ["a\\..\\b", "bundle entry `a\\..\\b`: backslashes are not allowed in paths"],
    ])("path %s", async (name, message) => {
      const err = await rejection(readBundle(await rawTar([file("/data.json"), file(name)])));
      expect(err.message).toBe(message);
      expect(err.file).toBe(name);
    });
    it("symlinks", async () => {
      const bundle = await rawTar([{ header: { name: "/data.json", type: "symlink", linkname: "/etc/passwd" } }]);
      expect((await rejection(readBundle(bundle))).message).toBe("bundle entry `/data.json`: symlink entries are not allowed (regular files only)");
    });
    it("hard links and devices", async () => {
      const link = await rawTar([file("/a"), { header: { name: "/b", type: "link", linkname: "/a" } }]);
      expect((await rejection(readBundle(link))).message).toBe("bundle entry `/b`: link entries are not allowed (regular files only)");
      const dev = await rawTar([{ header: { name: "/dev", type: "character-device", devmajor: 1, devminor: 3 } }]);
      expect((await rejection(readBundle(dev))).message).toBe("bundle entry `/dev`: character-device entries are not allowed (regular files only)");
    });
    it("a directory that escapes", async () => {
      const bundle = await rawTar([{ header: { name: "../up/", type: "directory" } }]);
      expect((await rejection(readBundle(bundle))).message).toBe("bundle entry `../up/`: `..` path segments are not allowed");
    });
    it("oversize files, by the header, before reading them", async () => {
      const bundle = await rawTar([file("/data.json", "x".repeat(2000))]);
      expect((await rejection(readBundle(bundle, { maxFileBytes: 1000 }))).message).toBe(
        "bundle entry `/data.json`: 2000 bytes exceeds the per-file limit of 1000 bytes",
      );
      expect(await readBundle(bundle, { maxFileBytes: 2000 }).catch((e: Error) => e.message)).toBe("data.json: not valid JSON: Unexpected token 'x', \"xxxxxxxxxx\"... is not valid JSON");
    });
    it("oversize bundles", async () => {
      const bundle = await rawTar([file("/a.json", "1".repeat(600)), file("/b.json", "2".repeat(600))]);
      expect((await rejection(readBundle(bundle, { maxTotalBytes: 1000 }))).message).toBe("bundle exceeds the total size limit of 1000 bytes at `/b.json`");
    });
    it("a gzip bomb stops at the limit", async () => {
      const bundle = await rawTar([file("/data.json", " ".repeat(5_000_000) + "{}")]);
      expect(bundle.length).toBeLessThan(20_000);
      expect((await rejection(readBundle(bundle, { maxFileBytes: 1_000_000 }))).message).toBe(
        "bundle entry `/data.json`: 5000002 bytes exceeds the per-file limit of 1000000 bytes",
      );
    });
    it("duplicate files", async () => {
      const bundle = await rawTar([file("/data.json"), file("data.json")]);
      expect((await rejection(readBundle(bundle))).message).toBe("bundle entry `/data.json`: duplicate file");
    });
    it("not a gzip", async () => {
      const err = await rejection(readBundle(Buffer.from("plain text")));
      expect(err.message).toBe("not a gzipped tar bundle: incorrect header check");
    });
    it("a manifest wasm module missing from the tar", async () => {
      const manifest = JSON.stringify({ revision: "", roots: ["warden"], wasm: [{ entrypoint: "warden/findings", module: "/policy.wasm" }] });
      const bundle = await rawTar([file("/data.json"), file("/.manifest", manifest), file("/other.wasm", "x")]);
      expect((await rejection(readBundle(bundle))).message).toBe(".manifest: wasm module `/policy.wasm` of entrypoint `warden/findings` is not in the bundle");
    });
    it("a module path that differs from the tar path", async () => {
      const manifest = JSON.stringify({ revision: "", roots: ["warden"], wasm: [{ entrypoint: "warden/findings", module: "policy.wasm" }] });
      const bundle = await rawTar([file("/.manifest", manifest), file("/policy.wasm", "x")]);
      expect((await rejection(readBundle(bundle))).message).toBe(".manifest: wasm module `policy.wasm` of entrypoint `warden/findings` is not in the bundle");
    });
    it("a malformed manifest", async () => {
      const bundle = await rawTar([file("/.manifest", '{"revision": 3}')]);
      expect((await rejection(readBundle(bundle))).message).toBe(".manifest: `revision` must be a string");
    });
  });
});

describe("signing", () => {
  const expectSigned = async (bundle: Buffer, alg: string, key: string): Promise<ReadBundleResult> => {
    const es = await entries(bundle);
    expect(es.map((e) => e.header.name)).toEqual(["/data.json", "/policy.wasm", "/.signatures.json", "/.manifest"]);
    const sig = es[2]!.content;
    const { header, payload } = jwtParts(sig);
    expect(header).toEqual({ alg, typ: "JWT", kid: "warden-ci" });
    const hashOf = (name: string, bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
    const canonical = (i: number): Buffer => Buffer.from(canonicalJson(es[i]!.content.toString()));
    expect(payload).toEqual({
      files: [
        { name: "data.json", hash: hashOf("data.json", canonical(0)), algorithm: "SHA-256" },
        { name: "policy.wasm", hash: hashOf("policy.wasm", Buffer.from(WASM)), algorithm: "SHA-256" },
        { name: ".manifest", hash: hashOf(".manifest", canonical(3)), algorithm: "SHA-256" },
      ],
      keyid: "warden-ci",
    });
    const got = await readBundle(bundle, { verificationKey: key });
    expect(got.signature).toEqual({ signed: true, verified: true, alg, kid: "warden-ci" });
    return got;
  };

  it("RS256 with a PEM key, verified with the public key", async () => {
    const bundle = await writeBundle({ ir, target: "wasm", wasm: WASM, signing: { key: RSA_PRIVATE, keyId: "warden-ci" } });
    const got = await expectSigned(bundle, "RS256", RSA_PUBLIC);
    expect(got.wasm).toEqual(WASM);
  });

  it("HS256 with a shared secret", async () => {
    const bundle = await writeBundle({ ir, target: "wasm", wasm: WASM, signing: { key: "s3cret", alg: "HS256", keyId: "warden-ci" } });
    await expectSigned(bundle, "HS256", "s3cret");
    expect((await rejection(readBundle(bundle, { verificationKey: "other" }))).message).toBe(
      ".signatures.json: signature verification failed: the bundle was not signed with this key",
    );
  });

  it("a signed bundle reads unverified without a key", async () => {
    const bundle = await writeBundle({ ir, target: "wasm", wasm: WASM, signing: { key: "s3cret" } });
    const got = await readBundle(bundle);
    expect(got.signature).toEqual({ signed: true, verified: false });
    expect(jwtParts(got.files.get("/.signatures.json")!).header).toEqual({ alg: "HS256", typ: "JWT" });
  });

  describe("verification failures", () => {
    const signed = (): Promise<Buffer> => writeBundle({ ir, target: "wasm", wasm: WASM, signing: { key: RSA_PRIVATE, keyId: "k1" } });
    it("wrong key", async () => {
      expect((await rejection(readBundle(await signed(), { verificationKey: OTHER_PUBLIC }))).message).toBe(
        ".signatures.json: signature verification failed: the bundle was not signed with this key",
      );
    });
    it("a tampered file names the file", async () => {
      const tampered = await rebuild(await signed(), (fs) =>
        fs.map((f) => (f.name === "/data.json" ? { ...f, content: Buffer.from(f.content.toString().replace('"dba"', '"anyone"')) } : f)),
      );
      const err = await rejection(readBundle(tampered, { verificationKey: RSA_PUBLIC }));
      expect(err.message).toMatch(/^data\.json: digest mismatch \(signed [0-9a-f]{64}, actual [0-9a-f]{64}\): the file was modified after signing$/);
      expect(err.file).toBe("/data.json");
      // The unverified read of the same bytes succeeds: verification is what catches it.
      expect((await readBundle(tampered)).data).toMatchObject({ warden: { constants: { migrators: ["anyone"] } } });
    });
    it("a tampered wasm module", async () => {
      const tampered = await rebuild(await signed(), (fs) => fs.map((f) => (f.name === "/policy.wasm" ? { ...f, content: Buffer.from([...WASM, 1]) } : f)));
      expect((await rejection(readBundle(tampered, { verificationKey: RSA_PUBLIC }))).message).toMatch(/^policy\.wasm: digest mismatch/);
    });
    it("whitespace and key order in JSON files do not matter (canonical hashing)", async () => {
      const reformatted = await rebuild(await signed(), (fs) =>
        fs.map((f) => (f.name === "/data.json" ? { ...f, content: Buffer.from(JSON.stringify(reverseKeys(JSON.parse(f.content.toString())), null, 4)) } : f)),
      );
      expect((await readBundle(reformatted, { verificationKey: RSA_PUBLIC })).signature.verified).toBe(true);
    });
    it("a file not in the signature", async () => {
      const extra = await rebuild(await signed(), (fs) => [...fs, { name: "/extra.rego", content: Buffer.from("package x") }]);
      expect((await rejection(readBundle(extra, { verificationKey: RSA_PUBLIC }))).message).toBe("extra.rego: not included in the bundle signature");
    });
    it("a signed file missing from the bundle", async () => {
      const fewer = await rebuild(await signed(), (fs) => fs.filter((f) => f.name !== "/policy.wasm"));
      expect((await rejection(readBundle(fewer, { verificationKey: RSA_PUBLIC }))).message).toBe(
        ".signatures.json: signs `policy.wasm`, which is not in the bundle",
      );
    });
    it("missing signature when required", async () => {
      const plain = await writeBundle({ ir, target: "wasm", wasm: WASM });
      expect((await rejection(readBundle(plain, { requireSignature: true }))).message).toBe("bundle is not signed: `.signatures.json` is missing");
      expect((await rejection(readBundle(plain, { verificationKey: RSA_PUBLIC }))).message).toBe("bundle is not signed: `.signatures.json` is missing");
      expect((await rejection(readBundle(await signed(), { requireSignature: true }))).message).toBe(
        "cannot verify `.signatures.json`: no verification key was given",
      );
    });
    it("an HS256 token cannot use the public key as its secret", async () => {
      const es = await entries(await signed());
      const forged = await new CompactSign(Buffer.from(JSON.stringify({ files: [] }))).setProtectedHeader({ alg: "HS256" }).sign(Buffer.from(RSA_PUBLIC));
      const bundle = gzipSync(await tarFiles([...es.filter((e) => e.header.name !== "/.signatures.json").map((e) => ({ name: e.header.name, content: e.content })), { name: "/.signatures.json", content: Buffer.from(JSON.stringify({ signatures: [forged] })) }]));
      expect((await rejection(readBundle(bundle, { verificationKey: RSA_PUBLIC }))).message).toBe(
        ".signatures.json: signature algorithm `HS256` does not fit the verification key (expected one of RS256, RS384, RS512, PS256, PS384, PS512)",
      );
    });
    it("zero or several JWTs", async () => {
      const withSigs = async (sigs: string[]): Promise<Buffer> =>
        rebuild(await signed(), (fs) => fs.map((f) => (f.name === "/.signatures.json" ? { ...f, content: Buffer.from(JSON.stringify({ signatures: sigs })) } : f)));
      expect((await rejection(readBundle(await withSigs([]), { verificationKey: RSA_PUBLIC }))).message).toBe(".signatures.json: missing JWT (expected exactly one)");
      expect((await rejection(readBundle(await withSigs(["a", "b"]), { verificationKey: RSA_PUBLIC }))).message).toBe(
        ".signatures.json: multiple JWTs are not supported (expected exactly one)",
      );
    });
    it("a scope that does not match", async () => {
      expect((await rejection(readBundle(await signed(), { verificationKey: RSA_PUBLIC, scope: "prod" }))).message).toBe(
        ".signatures.json: scope mismatch (signed ``, expected `prod`)",
      );
    });
  });
});

function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
  return v;
}
