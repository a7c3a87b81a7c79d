// `warden check` where something around the SQL goes wrong: a damaged policy cache, missing
// files named on the command line or in the config, and how the CI formats report it.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GATE_POLICY, gateProject, makeProject } from "../helpers/check-project.js";
import { REPO_ROOT, runWarden } from "../helpers/run.js";
import { VERSION } from "../../src/version.js";

const findingsOf = (stdout: string) => (JSON.parse(stdout) as { findings: { rule: string; file: string; line: number }[] }).findings.map((f) => `${f.rule} ${f.file}:${f.line}`);
const GATE_FINDINGS = ["no-drop migrations/002_drop.sql:2", "truncate-blocked sql/cleanup.sql:3", "pii-read sql/report.sql:2"];

describe("the compiled-policy cache", () => {
  const bundlesIn = (cache: string) => readdirSync(path.join(cache, "warden")).filter((f) => f.endsWith(".tar.gz"));

  it("compiles the policy again when its cached bundle is damaged, and rewrites the entry", async () => {
    const p = gateProject();
    const first = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(first.code).toBe(1);
    const [entry] = bundlesIn(p.env.XDG_CACHE_HOME!);
    const file = path.join(p.env.XDG_CACHE_HOME!, "warden", entry!);
    const size = statSync(file).size;
    truncateSync(file, 40);
    const again = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(again.stderr).toBe("");
    expect(again.code).toBe(1);
    expect(findingsOf(again.stdout)).toEqual(GATE_FINDINGS);
    expect(bundlesIn(p.env.XDG_CACHE_HOME!)).toEqual([entry]);
    expect(statSync(file).size).toBe(size);
  });

  it("does not take a bundle cached under the version alone (another build of the same version)", async () => {
    const p = gateProject();
    // the key before the build id was part of it: version, then each source's path, length and text
    const h = createHash("sha256").update(`warden ${VERSION}\n`).update(`policy/gate.warden\n${GATE_POLICY.length}\n${GATE_POLICY}\n`);
    mkdirSync(path.join(p.env.XDG_CACHE_HOME!, "warden"), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, "dist/builtin.bundle.tar.gz"), path.join(p.env.XDG_CACHE_HOME!, "warden", `${h.digest("hex").slice(0, 32)}.tar.gz`));
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("");
    expect(findingsOf(r.stdout)).toEqual(GATE_FINDINGS);
    expect(bundlesIn(p.env.XDG_CACHE_HOME!)).toHaveLength(2);
  });
});

describe("run errors in the CI formats", () => {
  it("--format github annotates an unreadable file, so a job that exits 2 says why", async () => {
    const p = makeProject({ "warden.config.yaml": "fail_on: never\n", "sql/ok.sql": "SELECT 1;\n" });
    writeFileSync(path.join(p.dir, "sql/latin1.sql"), Buffer.from("SELECT 1;\nSELECT 'caf\xe9';\n", "latin1"));
    const r = await runWarden(["check", "--format", "github", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      "::error file=sql/latin1.sql,line=2,col=12,title=warden input error::cannot read file: it is not UTF-8 text: byte 0xe9 is not valid UTF-8 here%0Asave the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)\n",
    );
  });
});
