// `warden check --changed-since`: what a change reaches beyond its own files (the config, the
// policy, a dbt project's YAML and other files, an earlier migration), and the refs git cannot
// compare with (a shallow clone, a ref that was not fetched, unrelated histories).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GATE_POLICY, gateProject, gitIn, makeProject } from "../helpers/check-project.js";
import { runWarden } from "../helpers/run.js";

type Json = { findings: Record<string, unknown>[]; summary: { files: number } };
const brief = (stdout: string) => (JSON.parse(stdout) as Json).findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}-${f.end_line}:${f.end_column}`);
const filesOf = (stdout: string) => (JSON.parse(stdout) as Json).summary.files;


/** `files` committed on `main`, then a branch `pr` checked out, as a pull request starts. */
function branchRepo(p: { dir: string; env: Record<string, string> }) {
  const git = gitIn(p.dir);
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-qm", "base");
  git("checkout", "-qb", "pr");
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(p.dir, rel)), { recursive: true });
    writeFileSync(path.join(p.dir, rel), text);
  };
  const commit = () => {
    git("add", "-A");
    git("commit", "-qm", "change");
  };
  const check = (...args: string[]) => runWarden(["check", "--changed-since", "main", "--format", "json", "--no-cache", ...args], { cwd: p.dir, env: p.env });
  return { ...p, git, write, commit, check };
}

const SCHEMA = "version: 2\nmodels:\n  - name: stg_customers\n    columns:\n      - name: email\n        tags: [pii]\n";

/** Two dbt projects: `shop` (its model's PII column tagged) and `ops` (one untagged: a finding of the base branch). */
const dbtProjects = (schema = SCHEMA) =>
  makeProject({
    "shop/dbt_project.yml": "name: shop\n",
    "shop/models/schema.yml": schema,
    "shop/models/stg_customers.sql": "select id, email from {{ source('app', 'customers') }}\n",
    "shop/README.md": "The shop's models.\n",
    "ops/dbt_project.yml": "name: ops\n",
    "ops/models/users.sql": "select id, email from {{ source('app', 'users') }}\n",
  });

describe("--changed-since: a dbt project's own files", () => {
  it("checks the project's models when its schema YAML changes", async () => {
    const p = branchRepo(dbtProjects());
    p.write("shop/models/schema.yml", SCHEMA.replace("        tags: [pii]\n", ""));
    p.commit();
    const r = await p.check();
    expect(r.stderr).toBe("");
    // the project `ops`, which the change does not touch, is not reported on
    expect(brief(r.stdout)).toEqual(["dbt-pii-untagged shop/models/stg_customers.sql:1:1-1:55", "pii-copy-to-unclassified shop/models/stg_customers.sql:1:1-1:55"]);
    expect(filesOf(r.stdout)).toBe(1);
    expect(r.code).toBe(1);
  });

  it("checks them when dbt_project.yml, packages or the manifest change, not when its README does", async () => {
    const untagged = SCHEMA.replace("        tags: [pii]\n", "");
    const changes: [string, string][] = [
      ["shop/dbt_project.yml", "name: shop\nvars:\n  region: eu\n"],
      ["shop/packages.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n"],
      ["shop/target/manifest.json", '{"nodes": {}}\n'],
    ];
    for (const [file, text] of changes) {
      const p = branchRepo(dbtProjects(untagged));
      p.write(file, text);
      if (!file.includes("packages")) p.commit(); // an untracked file counts as well
      const r = await p.check();
      expect(r.stderr, file).toBe("");
      expect(brief(r.stdout), file).toEqual(["dbt-pii-untagged shop/models/stg_customers.sql:1:1-1:55", "pii-copy-to-unclassified shop/models/stg_customers.sql:1:1-1:55"]);
      expect(r.code, file).toBe(1);
    }
    const p = branchRepo(dbtProjects(untagged));
    p.write("shop/README.md", "The shop's staging models.\n");
    p.commit();
    const readme = await p.check();
    expect(brief(readme.stdout)).toEqual([]);
    expect(filesOf(readme.stdout)).toBe(0);
    expect(readme.code).toBe(0);
  });
});

describe("--changed-since: the config and the policy", () => {
  const ALL = ["no-drop migrations/002_drop.sql:2:12-2:22", "truncate-blocked sql/cleanup.sql:3:10-3:19", "pii-read sql/report.sql:2:8-2:13"];

  it("checks every file when the config changes", async () => {
    const p = branchRepo(gateProject());
    p.write("warden.config.yaml", "policies: [policy/gate.warden]\nrules:\n  truncate-blocked: error\n");
    p.commit();
    const r = await p.check();
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual(ALL);
    expect(filesOf(r.stdout)).toBe(4);
    // named paths still limit the report: the rest is context
    const named = await p.check("sql");
    expect(brief(named.stdout)).toEqual(ALL.slice(1));
  });

  it("checks every file when a policy file of the config's changes", async () => {
    const p = branchRepo(gateProject());
    p.write("policy/gate.warden", GATE_POLICY.replace('"customers"', '"customers", "orders"'));
    p.commit();
    const r = await p.check();
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual(ALL);
  });

  it("checks every file when a file under a policy directory named by --policy is added", async () => {
    const p = branchRepo(gateProject());
    p.write("policy/more/extra.warden", "policy test.extra\n\nrule no-truncate {\n  title \"Truncating\"\n  on sql\n  when statement.kind == \"truncate\"\n  info \"TRUNCATE empties a table\"\n}\n");
    const r = await p.check("--policy", "policy");
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual([ALL[0], "no-truncate sql/cleanup.sql:3:1-3:19", ...ALL.slice(1)]);
    // the same change, with policies the run does not load: only the new file would count, and it is no SQL
    const other = await p.check("--policy", "policy/gate.warden");
    expect(brief(other.stdout)).toEqual([]);
  });
});

describe("--changed-since: migrations", () => {
  const project = () =>
    gateProject({
      "migrations/003_drop.sql": "DROP TABLE t3;\n",
      "billing/migrations/001_drop.sql": "DROP TABLE invoices;\n",
    });

  it("checks the later migrations of a folder when an earlier one changes", async () => {
    const p = branchRepo(project());
    p.write("migrations/002_drop.sql", "-- retire the old tables\nDROP TABLE old_orders;\n");
    p.commit();
    const r = await p.check();
    expect(r.stderr).toBe("");
    // not the other migrations folder, nor files that are no migrations
    expect(brief(r.stdout)).toEqual(["no-drop migrations/002_drop.sql:2:12-2:22", "no-drop migrations/003_drop.sql:1:12-1:14"]);
    expect(filesOf(r.stdout)).toBe(2);
  });

  it("checks the migrations after one that was removed", async () => {
    const p = branchRepo(project());
    rmSync(path.join(p.dir, "migrations/002_drop.sql"));
    p.commit();
    const r = await p.check();
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual(["no-drop migrations/003_drop.sql:1:12-1:14"]);
    expect(r.code).toBe(1);
  });
});

describe("--changed-since: refs git cannot compare with", () => {
  /** An origin whose `main` moved on after `feature` left it, so that the two differ. */
  function origin() {
    const p = makeProject({ "migrations/001_init.sql": "CREATE TABLE t (id int);\n" });
    const git = gitIn(p.dir);
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "base");
    git("checkout", "-qb", "feature");
    writeFileSync(path.join(p.dir, "migrations/002_feature.sql"), "ALTER TABLE t ADD COLUMN note text;\n");
    git("add", ".");
    git("commit", "-qm", "feature");
    git("checkout", "-q", "main");
    writeFileSync(path.join(p.dir, "migrations/003_main.sql"), "DROP TABLE t;\n");
    git("add", ".");
    git("commit", "-qm", "main moves on");
    return p;
  }

  it("stops on a shallow clone, where the branch's merge base is not fetched", async () => {
    const o = origin();
    const clone = path.join(mkdtempSync(path.join(tmpdir(), "warden-clone-")), "repo");
    execFileSync("git", ["clone", "-q", "--depth", "1", "--branch", "feature", `file://${o.dir}`, clone], { stdio: "pipe" });
    // as in CI after a depth-1 checkout: the ref to compare with is not there yet
    const missing = await runWarden(["check", "--changed-since", "origin/main"], { cwd: clone, env: o.env });
    expect(missing.stderr).toBe(
      "error: cannot list files changed since `origin/main`: no such revision in this repository\n  = help: fetch it first, e.g. `git fetch origin main` (or `fetch-depth: 0` in actions/checkout), or name a branch, tag or commit the repository has\n",
    );
    expect(missing.code).toBe(2);
    // fetched at depth 1 too: both tips are there, but not where they meet
    execFileSync("git", ["fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main"], { cwd: clone, stdio: "pipe" });
    const shallow = await runWarden(["check", "--changed-since", "origin/main"], { cwd: clone, env: o.env });
    expect(shallow.stderr).toBe(
      "error: cannot find where this branch left `origin/main`: no merge base in this shallow clone\n  = help: fetch the history first, e.g. `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout\n",
    );
    expect(shallow.stdout).toBe("");
    expect(shallow.code).toBe(2);
    // with the history, the branch's own change alone is checked
    execFileSync("git", ["fetch", "-q", "--unshallow", "origin", "main:refs/remotes/origin/main"], { cwd: clone, stdio: "pipe" });
    const full = await runWarden(["check", "--changed-since", "origin/main", "--format", "json", "--no-cache"], { cwd: clone, env: o.env });
    expect(full.stderr).toBe("");
    expect(filesOf(full.stdout)).toBe(1);
  });

  it("stops when the histories have no commit in common", async () => {
    const o = origin();
    const git = gitIn(o.dir);
    git("checkout", "-q", "--orphan", "elsewhere");
    git("commit", "-qm", "unrelated");
    const r = await runWarden(["check", "--changed-since", "feature", path.join(o.dir, "migrations")], { cwd: mkdtempSync(path.join(tmpdir(), "warden-cwd-")), env: o.env });
    expect(r.stderr).toBe(
      `error: cannot find where this branch left \`feature\` in \`${realpathSync(o.dir)}\`: the two histories have no commit in common\n  = help: name a ref this branch was made from, e.g. \`origin/main\`\n`,
    );
    expect(r.code).toBe(2);
  });
});
