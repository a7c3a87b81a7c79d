import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINE_RULES, nameLength, runCheck } from "../../src/engine/check.js";
import { GATE_POLICY, gateProject, makeProject } from "../helpers/check-project.js";

describe("runCheck (library API)", () => {
  it("returns findings, summary, rules and sources without the CLI", async () => {
    const p = gateProject();
    const prev = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = p.env.XDG_CACHE_HOME;
    try {
      const progress: [number, number][] = [];
      const r = await runCheck({ cwd: p.dir, onProgress: (d, t) => progress.push([d, t]) });
      expect(r.exitCode).toBe(1);
      expect(r.errors).toEqual([]);
      expect(r.baseDir).toBe(p.dir);
      expect(r.configPath).toBe(path.join(p.dir, "warden.config.yaml"));
      expect(r.findings.map((f) => [f.rule, f.file, f.line, f.statement])).toEqual([
        ["no-drop", "migrations/002_drop.sql", 2, 0],
        ["truncate-blocked", "sql/cleanup.sql", 3, 1],
        ["pii-read", "sql/report.sql", 2, 0],
      ]);
      expect(r.findings[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(r.summary).toEqual({ files: 4, statements: 5, findings: 3, by_severity: { error: 1, warning: 1, info: 1 }, suppressed: 0, baselined: 0 });
      expect(r.rules.map((x) => x.id).sort()).toEqual(["dbt-yaml-error", "no-drop", "parse-error", "pii-read", "suppression-without-reason", "truncate-blocked", "unchecked-sql", "unused-suppression"]);
      expect([...r.sources.keys()]).toEqual(["migrations/002_drop.sql", "sql/cleanup.sql", "sql/report.sql"]);
      // every file is reported, with or without findings
      expect(progress).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
      // failOn is an option too
      expect((await runCheck({ cwd: p.dir, failOn: "never" })).exitCode).toBe(0);
    } finally {
      if (prev === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = prev;
    }
  });

  it("checks given text as the file it stands for (stdin), and refuses it together with paths", async () => {
    const p = gateProject();
    const prev = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = p.env.XDG_CACHE_HOME;
    try {
      const r = await runCheck({ cwd: p.dir, cache: false, stdin: { content: "TRUNCATE customers;\n", path: "sql/cleanup.sql" } });
      // the text replaced the file on disk (whose TRUNCATE is on line 3)
      expect(r.findings.map((f) => [f.rule, f.file, f.line])).toEqual([["truncate-blocked", "sql/cleanup.sql", 1]]);
      expect(r.summary.files).toBe(1);
      const bytes = await runCheck({ cwd: p.dir, cache: false, stdin: { content: new TextEncoder().encode("\ufeffDROP TABLE t;"), path: "migrations/009.sql" } });
      expect(bytes.findings.map((f) => [f.rule, f.file, f.line, f.column])).toEqual([["no-drop", "migrations/009.sql", 1, 12]]);
      const both = await runCheck({ cwd: p.dir, cache: false, paths: ["sql"], stdin: { content: "SELECT 1;" } });
      expect(both.exitCode).toBe(2);
      expect(both.errors.map((e) => e.message)).toEqual(["standard input cannot be checked together with other paths"]);
    } finally {
      if (prev === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = prev;
    }
  });

  it("compiles a policy directory, and recompiles when a source changes", async () => {
    const p = gateProject();
    const prev = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = p.env.XDG_CACHE_HOME;
    try {
      const first = await runCheck({ cwd: p.dir, policy: ["policy"] });
      expect(first.findings.map((f) => f.rule)).toEqual(["no-drop", "truncate-blocked", "pii-read"]);
      const policyFile = path.join(p.dir, "policy/gate.warden");
      writeFileSync(policyFile, readFileSync(policyFile, "utf8").replace('deny "DROP TABLE {t.name} destroys data"', 'deny "DROP TABLE {t.name} is not allowed"'));
      const second = await runCheck({ cwd: p.dir, policy: ["policy"] });
      expect(second.findings[0]!.message).toBe("DROP TABLE old_orders is not allowed");
      expect(readdirSync(path.join(p.env.XDG_CACHE_HOME!, "warden"))).toHaveLength(2);
    } finally {
      if (prev === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = prev;
    }
  });

  it("finds the git work tree for CI paths", async () => {
    const p = gateProject();
    execFileSync("git", ["init", "-q"], { cwd: p.dir });
    const r = await runCheck({ cwd: path.join(p.dir, "sql"), paths: ["report.sql"], policy: [path.join(p.dir, "policy/gate.warden")], config: false });
    // no config: paths are relative to cwd
    expect(r.baseDir).toBe(path.join(p.dir, "sql"));
    expect(r.repoRoot).toBe(p.dir);
    expect(r.findings.map((f) => f.file)).toEqual(["report.sql"]);
  });

  it("treats Jinja under a models/ folder without dbt_project.yml as dbt models", async () => {
    const p = gateProject({ "models/stg.sql": "select email from {{ source('shop', 'customers') }}\n", "other/stg.sql": "select email from {{ source('shop', 'customers') }}\n" });
    const r = await runCheck({ cwd: p.dir, paths: ["models", "other"], policy: [path.join(p.dir, "policy/gate.warden")] });
    // rendered as dbt (no parse error, and pii-read is not `on dbt_model`); elsewhere it is plain SQL
    expect(r.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`)).toEqual(["parse-error other/stg.sql:1:19"]);
  });

  it("returns config errors instead of throwing", async () => {
    const p = gateProject({}, "polcies: []\n");
    const r = await runCheck({ cwd: p.dir });
    expect(r.exitCode).toBe(2);
    expect(r.findings).toEqual([]);
    expect(r.errors.map((e) => [e.kind, e.file, e.line, e.column, e.message])).toEqual([["config", "warden.config.yaml", 1, 1, "unknown key `polcies`"]]);
  });

  it("rejects a failOn value it does not know as a usage error", async () => {
    const p = gateProject();
    const r = await runCheck({ cwd: p.dir, failOn: "warn" as never, cache: false });
    expect(r.exitCode).toBe(2);
    expect(r.errors.map((e) => [e.kind, e.message, e.help])).toEqual([["usage", "unknown `failOn` value `warn`", "use one of `error`, `warning`, `info`, `never`"]]);
  });

  it("names a config error's file from the base directory, as results are, and shows it from where the run started", async () => {
    const p = gateProject({}, "policies: [policy/gate.warden]\nrules:\n  no-dorp: off\n");
    const r = await runCheck({ cwd: path.join(p.dir, "sql"), cache: false });
    expect(r.exitCode).toBe(2);
    expect(r.baseDir).toBe(p.dir);
    expect(r.errors.map((e) => [e.file, e.line, e.column])).toEqual([["warden.config.yaml", 3, 3]]);
    // (a config above the working directory is shown by its absolute path)
    expect(r.errors[0]!.rendered.startsWith(`${path.join(p.dir, "warden.config.yaml")}:3:3: error: unknown rule \`no-dorp\``)).toBe(true);
  });

  it("annotates a config error in a subfolder of the repository at its repository path", async () => {
    const p = makeProject({
      "svc/warden.config.yaml": "policies: [policy/gate.warden]\nrules:\n  no-dorp: off\n",
      "svc/policy/gate.warden": GATE_POLICY,
      "svc/sql/q.sql": "SELECT 1;\n",
      "other/warden.config.yaml": "policies: [../svc/policy/gate.warden]\n",
      "other/q.sql": "SELECT 1;\n",
    });
    execFileSync("git", ["init", "-q"], { cwd: p.dir });
    const r = await runCheck({ cwd: p.dir, paths: ["svc/sql"], cache: false });
    expect(r.errors.map((e) => [e.kind, e.file])).toEqual([["config", "warden.config.yaml"]]);
    const { formatReport } = await import("../../src/report/index.js");
    expect(await formatReport(r, "github")).toMatch(/^::error file=svc\/warden\.config\.yaml,line=3,col=3,/m);
    // a run over two projects names it from the working directory, as its other paths
    const both = await runCheck({ cwd: p.dir, paths: ["svc/sql/q.sql", "other/q.sql"], cache: false });
    expect(both.errors.map((e) => [e.kind, e.file])).toEqual([["config", "svc/warden.config.yaml"]]);
    expect(await formatReport(both, "github")).toMatch(/^::error file=svc\/warden\.config\.yaml,line=3,col=3,/m);
  });

  it("refuses to write a baseline of the changed files only", async () => {
    const p = gateProject();
    const r = await runCheck({ cwd: p.dir, changedSince: "HEAD", writeBaseline: "base.json", cache: false });
    expect(r.exitCode).toBe(2);
    expect(r.errors.map((e) => e.message)).toEqual(["`--write-baseline` with `--changed-since` would write a baseline of the changed files only"]);
  });

  it("knows the engine rules whatever the policy", () => {
    expect(ENGINE_RULES.map((r) => [r.id, r.severity])).toEqual([
      ["parse-error", "error"],
      ["suppression-without-reason", "warning"],
      ["unchecked-sql", "warning"],
      ["dbt-yaml-error", "warning"],
      ["unused-suppression", "warning"],
    ]);
  });
});

describe("nameLength", () => {
  it("spans a possibly qualified, possibly quoted name", () => {
    expect(nameLength("SELECT c.email, x", 8)).toBe(7);
    expect(nameLength('SELECT "My Table".id FROM t', 8)).toBe(13);
    expect(nameLength("SELECT * FROM t", 8)).toBe(1);
    expect(nameLength("DEFALT '';", 1)).toBe(6);
    expect(nameLength("  ;", 3)).toBe(1);
  });
});
