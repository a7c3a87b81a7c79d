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
    expect(r.stderr.endsWith("\n1 error\n1 file could not be formatted: fix the syntax errors above\n")).toBe(true);
    expect(r.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe("policy p\nrule r {\n");
  });

  it("--check keeps the list on stdout and diagnostics and the summary on stderr", async () => {
    const dir = dirWith({ "a.warden": MESSY, "b.warden": CANONICAL, "c.warden": MESSY, "d.warden": "policy p\nrule r {\n" });
    const r = await runWarden(["fmt", "--check", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${path.join(dir, "a.warden")}\n${path.join(dir, "c.warden")}\n`);
    expect(r.stderr.startsWith(`${path.join(dir, "d.warden")}:3:1: error[W0102]: unexpected end of file\n`)).toBe(true);
    expect(r.stderr.endsWith("\n1 error\n2 files would be reformatted; run `warden fmt` on them\n1 file could not be formatted: fix the syntax errors above\n")).toBe(true);
    expect(readFileSync(path.join(dir, "a.warden"), "utf8")).toBe(MESSY);
  });

  it("`-` formats standard input to standard output", async () => {
    const r = await runWarden(["fmt", "-"], { input: MESSY });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, CANONICAL, ""]);
    const same = await runWarden(["fmt", "-"], { input: CANONICAL });
    expect([same.code, same.stdout, same.stderr]).toEqual([0, CANONICAL, ""]);
  });

  it("`-` with --check prints the verdict only", async () => {
    const messy = await runWarden(["fmt", "--check", "-"], { input: MESSY });
    expect([messy.code, messy.stdout, messy.stderr]).toEqual([1, "<stdin>\n", "<stdin> would be reformatted\n"]);
    const clean = await runWarden(["fmt", "--check", "-"], { input: CANONICAL });
    expect([clean.code, clean.stdout, clean.stderr]).toEqual([0, "", ""]);
  });

  it("`-` with syntax errors prints nothing on stdout and exits 1", async () => {
    const r = await runWarden(["fmt", "-"], { input: "policy p\nrule r {\n" });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      ["<stdin>:3:1: error[W0102]: unexpected end of file", "  |", "3 | ", "  | ^", "  = help: expected `}`", "", "1 error", "<stdin> could not be formatted: fix the syntax errors above", ""].join("\n"),
    );
  });

  it("`-` cannot be combined with paths (exit 2)", async () => {
    const r = await runWarden(["fmt", "-", "rules"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, "", "error: `-` (standard input) cannot be combined with other paths\n  = help: run `warden fmt -` on its own, or list the files\n"]);
  });

  it("--check passes on the built-in rule library, which stays canonical", async () => {
    const r = await runWarden(["fmt", "--check", path.join(REPO_ROOT, "rules")]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });
});
