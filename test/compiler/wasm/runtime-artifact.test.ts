// The committed runtime library must be exactly what its sources build to, and the
// inlined copy must equal the artifact, so neither can drift from the sources.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { RUNTIME_WASM_BASE64 } from "../../../src/compiler/wasm-runtime/build/runtime-wasm.js";

const root = path.resolve(__dirname, "../../..");
const artifact = path.join(root, "src/compiler/wasm-runtime/build/runtime.wasm");

describe("wasm runtime artifact", () => {
  it("equals a fresh build of its sources", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-rt-"));
    try {
      const out = path.join(dir, "runtime.wasm");
      const r = spawnSync(process.execPath, [path.join(root, "scripts/build-runtime.mjs"), "--out", out], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(Buffer.compare(readFileSync(out), readFileSync(artifact))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("is inlined byte for byte in runtime-wasm.ts", () => {
    expect(Buffer.from(RUNTIME_WASM_BASE64, "base64").equals(readFileSync(artifact))).toBe(true);
  });
});
