// `warden fmt` through the built CLI (run `npm run build` first).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, runWarden } from "../../helpers/run.js";

const MESSY = 'policy   p # keep me\nrule r {  title "T"\n on all\n  when (a)   and b\n deny "x" }\n';
const CANONICAL = 'policy p  # keep me\n\nrule r {\n  title "T"\n  on all\n  when a and b\n  deny "x"\n}\n';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-fmt-"));
  for (const [n, t] of Object.entries(files)) writeFileSync(path.join(dir, n), t);
  return dir;
}

describe("warden fmt", () => {
  it("rewrites files in place and names them", async () => {
    const dir = dirWith({ "a.warden": MESSY, "b.warden": CANONICAL });
    const r = await runWarden(["fmt", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`formatted ${path.join(dir, "a.warden")}\n`);
    expect(readFileSync(path.join(dir, "a.warden"), "utf8")).toBe(CANONICAL);
    expect(readFileSync(path.join(dir, "b.warden"), "utf8")).toBe(CANONICAL);
  });

  it("--check lists files that would change, exits 1 and changes nothing", async () => {
    const dir = dirWith({ "a.warden": MESSY, "b.warden": CANONICAL });
    const r = await runWarden(["fmt", "--check", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${path.join(dir, "a.warden")}\n`);
    expect(r.stderr).toBe("1 file would be reformatted; run `warden fmt` on it\n");
    expect(readFileSync(path.join(dir, "a.warden"), "utf8")).toBe(MESSY);
  });

  it("--check exits 0 when everything is formatted", async () => {
    const dir = dirWith({ "b.warden": CANONICAL });
    const r = await runWarden(["fmt", "--check", dir]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });

  it("leaves a file with syntax errors alone and exits 1 with a code frame", async () => {
    const dir = dirWith({ "bad.warden": "policy p\nrule r {\n" });
    const file = path.join(dir, "bad.warden");
    const r = await runWarden(["fmt", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:1: error[W0102]: unexpected end of file`);
    expect(r.stderr).toContain("= help: expected `}`");
    expect(readFileSync(file, "utf8")).toBe("policy p\nrule r {\n");
  });

  it("--check passes on the built-in rule library, which stays canonical", async () => {
    const r = await runWarden(["fmt", "--check", path.join(REPO_ROOT, "rules")]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });
});
