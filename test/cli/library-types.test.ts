// The package's "types" entry: a TypeScript user importing `warden-policy` gets checked types.
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/run.js";

function typecheck(source: string): { code: number; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-types-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, path.join(dir, "node_modules", "warden-policy"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(path.join(dir, "use.ts"), source);
  const tsc = path.join(REPO_ROOT, "node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", "--types", "node", "--typeRoots", path.join(REPO_ROOT, "node_modules/@types"), "use.ts"], {
    cwd: dir,
    encoding: "utf8",
  });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

describe("library types", () => {
  it("type-checks a user of runCheck and compileSources", () => {
    const r = typecheck(`import { runCheck, compileSources, type CheckResult } from "warden-policy";
const result: Promise<CheckResult> = runCheck({ paths: ["db"], failOn: "warning" });
const compiled = compileSources([{ path: "p.warden", text: "policy p" }]);
const n: number = compiled.diagnostics.length;
void result; void n;
`);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("rejects a wrong option type, so the types are really checked", () => {
    const r = typecheck(`import { runCheck } from "warden-policy";
void runCheck({ failOn: "sometimes" });
`);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/sometimes/);
  });
});
