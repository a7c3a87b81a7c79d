// `warden check` where something around the SQL goes wrong: a damaged policy cache, missing
// files named on the command line or in the config, and how the CI formats report it.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GATE_POLICY, gateProject, makeProject } from "../helpers/check-project.js";
import { REPO_ROOT, runWarden } from "../helpers/run.js";
import { resolvePolicy } from "../../src/engine/policy.js";
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

describe("files named on the command line that are not there", () => {
  it("`--config` names the file and says how to fix it", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--config", "missing.yaml"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("missing.yaml: error: cannot read config file: no such file or directory\n  = help: check the path (from the working directory), or leave out `--config` to use the nearest `warden.config.yaml`\n");
  });

  it("`--baseline` says how to write one", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--baseline", "ci/baseline.json", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: cannot read baseline `ci/baseline.json`: no such file or directory\n  = help: check the path (from the working directory), or write one with `warden check --write-baseline ci/baseline.json`\n");
  });

  it("`--write-baseline` makes the directory, as `--output` does", async () => {
    const p = gateProject();
    const w = await runWarden(["check", "--write-baseline", "ci/new/baseline.json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(w.stderr).toBe("");
    expect(w.code).toBe(1);
    expect(existsSync(path.join(p.dir, "ci/new/baseline.json"))).toBe(true);
    const r = await runWarden(["check", "--baseline", "ci/new/baseline.json", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(0);
    expect(findingsOf(r.stdout)).toEqual([]);
  });
});

describe("a `policies` entry that is not there", () => {
  it("points at the entry in the config when the config is passed along", async () => {
    const p = gateProject({}, "fail_on: never\npolicies:\n  - policy/gate.warden\n  - policy/nope\n");
    const text = readFileSync(path.join(p.dir, "warden.config.yaml"), "utf8");
    const config = { file: "warden.config.yaml", text, locate: (k: (string | number)[]) => (k[0] === "policies" && k[1] === 1 ? { line: 4, column: 5, endLine: 4, endColumn: 16 } : undefined) };
    const specs = [path.join(p.dir, "policy/gate.warden"), path.join(p.dir, "policy/nope")];
    const r = await resolvePolicy(specs, { cwd: p.dir, cacheFrom: p.dir, config });
    expect(r.errors.map((e) => e.rendered)).toEqual([
      [
        "warden.config.yaml:4:5: error: cannot read policy `policy/nope`: no such file or directory",
        "  |",
        "4 |   - policy/nope",
        "  |     ^^^^^^^^^^^",
        "  = help: paths in `policies` are relative to the config file's directory: correct the entry or remove it",
      ].join("\n"),
    ]);
    // from `--policy` (no config): as before
    const cli = await resolvePolicy(specs, { cwd: p.dir, cacheFrom: p.dir });
    expect(cli.errors.map((e) => e.rendered)).toEqual(["error: cannot read policy `policy/nope`: no such file or directory"]);
  });
});

describe("with the config passed to the policy and the baseline (src/engine/check.ts)", () => {
  it("a missing `policies` entry points at it in warden.config.yaml", async () => {
    const p = gateProject({}, "fail_on: never\npolicies:\n  - policy/gate.warden\n  - policy/nope\n");
    const r = await runWarden(["check", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        "warden.config.yaml:4:5: error: cannot read policy `policy/nope`: no such file or directory",
        "  |",
        "4 |   - policy/nope",
        "  |     ^^^^^^^^^^^",
        "  = help: paths in `policies` are relative to the config file's directory: correct the entry or remove it",
        "",
      ].join("\n"),
    );
  });

  it("a baseline that cannot be written says how to fix it", async () => {
    const p = gateProject();
    const r = await runWarden(["check", "--write-baseline", "sql/cleanup.sql/b.json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: cannot write baseline `sql/cleanup.sql/b.json`: a part of its path is a file, not a directory\n  = help: pass `--write-baseline` a file in a writable directory\n");
  });

  it("one baseline serves a pre-commit hook (several projects) and CI (one project at a time)", async () => {
    const p = makeProject({
      "policy.warden": GATE_POLICY,
      "p1/warden.config.yaml": "policies: [../policy.warden]\n",
      "p2/warden.config.yaml": "policies: [../policy.warden]\n",
      "p1/migrations/V1.sql": "DROP TABLE a;\n",
      "p2/migrations/V1.sql": "DROP TABLE b;\n",
    });
    execFileSync("git", ["init", "-q"], { cwd: p.dir });
    const hook = (...args: string[]) => runWarden(["check", "--no-cache", "--format", "json", "p1/migrations/V1.sql", "p2/migrations/V1.sql", ...args], { cwd: p.dir, env: p.env });
    const ci = (project: string, ...args: string[]) => runWarden(["check", "--no-cache", "--format", "json", ...args], { cwd: path.join(p.dir, project), env: p.env });
    // written by the hook, read by CI in each project
    expect((await hook("--write-baseline", "baseline.json")).code).toBe(1);
    expect(JSON.parse(readFileSync(path.join(p.dir, "baseline.json"), "utf8")).findings.map((e: { file: string }) => e.file)).toEqual(["p1/migrations/V1.sql", "p2/migrations/V1.sql"]);
    for (const project of ["p1", "p2"]) {
      const r = await ci(project, "--baseline", "../baseline.json");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).summary.baselined).toBe(1);
    }
    // written by CI in one project, read by the hook: that project's finding is known
    expect((await ci("p1", "--write-baseline", "../p1-baseline.json")).code).toBe(1);
    expect(JSON.parse(readFileSync(path.join(p.dir, "p1-baseline.json"), "utf8")).findings.map((e: { file: string }) => e.file)).toEqual(["p1/migrations/V1.sql"]);
    expect(findingsOf((await hook("--baseline", "p1-baseline.json")).stdout)).toEqual(["no-drop p2/migrations/V1.sql:1"]);
    // a baseline written before (paths from the config's directory) still matches
    const old = { version: 1, findings: [{ rule: "no-drop", file: "migrations/V1.sql", fingerprint: JSON.parse(readFileSync(path.join(p.dir, "p1-baseline.json"), "utf8")).findings[0].fingerprint, message: "" }] };
    writeFileSync(path.join(p.dir, "old.json"), JSON.stringify(old));
    expect(JSON.parse((await ci("p1", "--baseline", "../old.json")).stdout).summary.baselined).toBe(1);
  });
});
