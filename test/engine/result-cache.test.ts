// The result cache of `warden check`: a run reuses what an earlier run found for files
// whose inputs did not change, resumes the catalog replay after a new migration, and gives
// exactly the findings a run without the cache gives.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../src/engine/check.js";
import type { CheckOptions, CheckResult } from "../../src/engine/types.js";
import { gateProject, makeProject, requiredColumnRule } from "../helpers/check-project.js";
import { REPO_ROOT, runWarden } from "../helpers/run.js";

const newCacheDir = () => mkdtempSync(path.join(tmpdir(), "warden-results-"));

/** Everything a reporter sees, without the Map (compared as plain data). */
const view = (r: CheckResult) => ({ findings: r.findings, summary: r.summary, exitCode: r.exitCode, errors: r.errors });

async function withXdg<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const prev = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = env.XDG_CACHE_HOME;
  try {
    return await run();
  } finally {
    if (prev === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = prev;
  }
}

/** A cached run and an uncached one over the same files must agree; returns the cached one. */
async function agree(opts: CheckOptions & { cacheDir: string }): Promise<CheckResult> {
  const cached = await runCheck({ ...opts, cache: true });
  const fresh = await runCheck({ ...opts, cache: false });
  expect(fresh.cache).toBeUndefined();
  expect(view(cached)).toEqual(view(fresh));
  return cached;
}

function cacheIndex(dir: string): string {
  const f = readdirSync(dir).find((x) => x.endsWith(".json"));
  if (!f) throw new Error(`no cache index in ${dir}`);
  return path.join(dir, f);
}

describe("result cache", () => {
  it("answers an unchanged run from the cache (the stored results are what it reports)", async () => {
    const p = gateProject();
    await withXdg(p.env, async () => {
      const cacheDir = newCacheDir();
      const first = await agree({ cwd: p.dir, cacheDir });
      expect(first.cache).toEqual({ known: 0, resumedAfter: 0 });
      const second = await runCheck({ cwd: p.dir, cache: true, cacheDir });
      expect(second.cache).toEqual({ known: 4, resumedAfter: 0 });
      expect(view(second)).toEqual(view(first));
      // proof that nothing was re-checked: an edited entry comes back as stored
      const index = cacheIndex(cacheDir);
      writeFileSync(index, readFileSync(index, "utf8").replace("DROP TABLE old_orders destroys data", "from the cache"));
      const third = await runCheck({ cwd: p.dir, cache: true, cacheDir });
      expect(third.findings.map((f) => f.message)).toContain("from the cache");
      // ...and a changed file is checked again
      writeFileSync(path.join(p.dir, "migrations/002_drop.sql"), "-- retire the old table\nDROP TABLE old_orders;\nDROP TABLE older_orders;\n");
      const fourth = await agree({ cwd: p.dir, cacheDir });
      expect(fourth.findings.filter((f) => f.rule === "no-drop").map((f) => f.message)).toEqual(["DROP TABLE old_orders destroys data", "DROP TABLE older_orders destroys data"]);
      expect(fourth.cache!.known).toBe(1); // the first migration; later files follow the changed one
    });
  });

  it("replays only a new migration, from the catalog saved after the earlier ones", async () => {
    // 003 adds a NOT NULL column without a default: only a table that existed before matters,
    // so the finding depends on the catalog that 001 built
    const policy = `policy test.cat\n${requiredColumnRule("add-required-column", "adds required column {a.column}")}`;
    const p = makeProject({
      "warden.config.yaml": "policies: [policy/cat.warden]\nclassifications:\n  pii: ['*.email']\n",
      "policy/cat.warden": policy,
      "migrations/001_init.sql": "CREATE TABLE customers (id bigint, email text);\n",
      "migrations/002_more.sql": "CREATE TABLE orders (id bigint);\n",
      "sql/report.sql": "SELECT * FROM customers;\n",
    });
    await withXdg(p.env, async () => {
      const cacheDir = newCacheDir();
      const first = await agree({ cwd: p.dir, cacheDir });
      expect(first.findings).toEqual([]);
      writeFileSync(path.join(p.dir, "migrations/003_required.sql"), "ALTER TABLE customers ADD COLUMN tier text NOT NULL;\nCREATE TABLE later (x int NOT NULL);\nALTER TABLE later ADD COLUMN y int NOT NULL;\n");
      const second = await agree({ cwd: p.dir, cacheDir });
      expect(second.cache).toEqual({ known: 2, resumedAfter: 2 });
      expect(second.findings.map((f) => [f.file, f.line, f.message])).toEqual([["migrations/003_required.sql", 1, "adds required column tier"]]);
      // a config change reaches every file: nothing is known
      writeFileSync(path.join(p.dir, "warden.config.yaml"), "policies: [policy/cat.warden]\nclassifications:\n  pii: ['*.email', '*.tier']\n");
      const third = await agree({ cwd: p.dir, cacheDir });
      expect(third.cache).toEqual({ known: 0, resumedAfter: 0 });
      // an edit to an earlier migration replays from the start
      writeFileSync(path.join(p.dir, "migrations/002_more.sql"), "CREATE TABLE orders (id bigint);\nDROP TABLE customers;\n");
      const fourth = await agree({ cwd: p.dir, cacheDir });
      expect(fourth.cache).toEqual({ known: 1, resumedAfter: 0 });
      expect(fourth.findings).toEqual([]); // customers is gone before 003
    });
  });

  it("keeps a catalog per migration set: a new migration in one service replays only its own", async () => {
    const policy = `policy test.sets\n${requiredColumnRule("add-required-column", "adds required column {a.column}")}`;
    const p = makeProject({
      "warden.config.yaml": "policies: [policy/sets.warden]\n",
      "policy/sets.warden": policy,
      "services/a/migrations/001.sql": "CREATE TABLE users (id bigint);\n",
      "services/a/migrations/002.sql": "ALTER TABLE users ADD COLUMN tier text NOT NULL;\n",
      "services/b/migrations/001.sql": "ALTER TABLE users ADD COLUMN tier text NOT NULL;\n",
      "services/b/migrations/002.sql": "CREATE TABLE accounts (id bigint);\n",
    });
    const brief = (r: CheckResult) => r.findings.map((f) => [f.file, f.message]);
    await withXdg(p.env, async () => {
      const cacheDir = newCacheDir();
      const first = await agree({ cwd: p.dir, cacheDir });
      expect(brief(first)).toEqual([["services/a/migrations/002.sql", "adds required column tier"]]);
      writeFileSync(path.join(p.dir, "services/b/migrations/003.sql"), "ALTER TABLE accounts ADD COLUMN plan text NOT NULL;\n");
      const second = await agree({ cwd: p.dir, cacheDir });
      // both sets resume where they ended: a with nothing left to replay, b before 003
      expect(second.cache).toEqual({ known: 4, resumedAfter: 4 });
      expect(brief(second)).toEqual([
        ["services/a/migrations/002.sql", "adds required column tier"],
        ["services/b/migrations/003.sql", "adds required column plan"],
      ]);
      // an edit in service a leaves service b's keys and saved catalog alone
      writeFileSync(path.join(p.dir, "services/a/migrations/002.sql"), "ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'x';\n");
      const third = await agree({ cwd: p.dir, cacheDir });
      expect(third.cache).toEqual({ known: 4, resumedAfter: 3 });
      expect(brief(third)).toEqual([["services/b/migrations/003.sql", "adds required column plan"]]);
    });
  });

  it("keeps the entries of runs that checked other files of the project (as pre-commit hooks do)", async () => {
    const p = gateProject();
    await withXdg(p.env, async () => {
      const cacheDir = newCacheDir();
      const one = await agree({ cwd: p.dir, cacheDir, paths: ["sql/cleanup.sql"] });
      expect(one.findings.map((f) => f.file)).toEqual(["sql/cleanup.sql"]);
      await agree({ cwd: p.dir, cacheDir, paths: ["sql/report.sql"] });
      const again = await runCheck({ cwd: p.dir, cache: true, cacheDir, paths: ["sql/cleanup.sql"] });
      expect(again.cache).toEqual({ known: 1, resumedAfter: 0 });
      expect(view(again)).toEqual(view(one));
    });
  });

  it("does not resume from a catalog that belongs to another state, and survives a broken cache", async () => {
    const p = gateProject();
    await withXdg(p.env, async () => {
      const cacheDir = newCacheDir();
      await agree({ cwd: p.dir, cacheDir });
      const catalog = readdirSync(cacheDir).find((x) => x.endsWith(".catalog"))!;
      writeFileSync(path.join(cacheDir, catalog), "0".repeat(40) + "\nnot a catalog");
      writeFileSync(path.join(p.dir, "migrations/003_new.sql"), "DROP TABLE customers;\n");
      const second = await agree({ cwd: p.dir, cacheDir });
      expect(second.cache!.resumedAfter).toBe(0);
      // the right key over a body that is not a catalog: replayed from the start, no crash
      const saved = readFileSync(path.join(cacheDir, catalog));
      const head = saved.subarray(0, saved.indexOf(10) + 1);
      writeFileSync(path.join(cacheDir, catalog), Buffer.concat([head, saved.subarray(head.length, head.length + 20)]));
      writeFileSync(path.join(p.dir, "migrations/004_newer.sql"), "DROP TABLE orders;\n");
      const truncated = await agree({ cwd: p.dir, cacheDir });
      expect(truncated.cache!.resumedAfter).toBe(0);
      expect(truncated.findings.some((f) => f.file === "migrations/004_newer.sql")).toBe(true);
      const entries = JSON.parse(readFileSync(cacheIndex(cacheDir), "utf8")) as { format: number; files: Record<string, { findings: unknown[] }> };
      const badEntries = { format: entries.format, files: Object.fromEntries(Object.keys(entries.files).map((k, i) => [k, i % 2 ? { findings: [{ rule: "x" }], suppressed: 0, statements: 1 } : { findings: [[null, null, null]], suppressed: 0, statements: 1 }])) };
      for (const broken of ["{ not json", '{"format":2,"files":null}', '{"format":2,"files":[]}', "[]", JSON.stringify(badEntries)]) {
        writeFileSync(cacheIndex(cacheDir), broken);
        const third = await agree({ cwd: p.dir, cacheDir });
        expect(third.cache!.known).toBe(0);
      }
    });
  });

  it("re-checks dbt models when their project's YAML changes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-dbt-cache-"));
    cpSync(path.join(REPO_ROOT, "examples/acme"), dir, { recursive: true });
    const env = { XDG_CACHE_HOME: newCacheDir() };
    await withXdg(env, async () => {
      const cacheDir = newCacheDir();
      const first = await agree({ cwd: dir, cacheDir });
      const yamls = readdirSync(path.join(dir, "dbt/models"), { recursive: true }).map(String).filter((f) => /\.ya?ml$/.test(f));
      expect(yamls.length).toBeGreaterThan(0);
      const before = (await runCheck({ cwd: dir, cache: true, cacheDir })).cache!.known;
      expect(before).toBe(first.summary.files);
      // any change to a YAML file of the dbt project: the models (and plain SQL after them) are checked again
      const y = path.join(dir, "dbt/models", yamls[0]!);
      writeFileSync(y, readFileSync(y, "utf8") + "\n# touched\n");
      const after = await agree({ cwd: dir, cacheDir });
      const migrations = readdirSync(path.join(dir, "migrations")).filter((f) => f.endsWith(".sql")).length;
      expect(after.cache!.known).toBe(migrations);
      // an edit that keeps the size and the modification time is seen too (contents are hashed)
      const again = await runCheck({ cwd: dir, cache: true, cacheDir });
      expect(again.cache!.known).toBe(after.summary.files);
      const text = readFileSync(y, "utf8");
      const { mtime } = statSync(y);
      writeFileSync(y, text.replace("# touched", "# tOuched"));
      utimesSync(y, mtime, mtime);
      expect(statSync(y).size).toBe(Buffer.byteLength(text));
      const sameStat = await agree({ cwd: dir, cacheDir });
      expect(sameStat.cache!.known).toBe(migrations);
    });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("result cache through the CLI", () => {
  it("gives the same report on a second run, and --no-cache ignores what is stored", async () => {
    const p = gateProject();
    const cacheDir = newCacheDir();
    const first = await runWarden(["check", "--format", "json", "--cache-dir", cacheDir], { cwd: p.dir, env: p.env });
    expect(first.code).toBe(1);
    const second = await runWarden(["check", "--format", "json", "--cache-dir", cacheDir], { cwd: p.dir, env: { ...p.env, WARDEN_TIMING: "1" } });
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toContain("timing: cache (4 of 4 files known)");
    expect(second.stderr).not.toContain("timing: facts");
    const index = cacheIndex(cacheDir);
    writeFileSync(index, readFileSync(index, "utf8").replace("DROP TABLE old_orders destroys data", "from the cache"));
    const tampered = await runWarden(["check", "--format", "json", "--cache-dir", cacheDir], { cwd: p.dir, env: p.env });
    expect(tampered.stdout).toContain("from the cache");
    const fresh = await runWarden(["check", "--format", "json", "--no-cache", "--cache-dir", cacheDir], { cwd: p.dir, env: p.env });
    expect(fresh.stdout).toBe(first.stdout);
    // by default the cache lives under the policy cache directory ($XDG_CACHE_HOME/warden here)
    await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(readdirSync(path.join(p.env.XDG_CACHE_HOME!, "warden", "results")).some((f) => f.endsWith(".json"))).toBe(true);
  });
});

describe("result cache on real migrations", () => {
  it("resumes a corpus project after its newest migrations were added and agrees with a fresh run", async () => {
    const src = path.join(REPO_ROOT, "../shared/corpus/migrations/documenso");
    const dir = mkdtempSync(path.join(tmpdir(), "warden-corpus-cache-"));
    cpSync(src, dir, { recursive: true });
    const migrationsDir = path.join(dir, "packages/prisma/migrations");
    const newest = readdirSync(migrationsDir).sort().slice(-3);
    const aside = mkdtempSync(path.join(tmpdir(), "warden-corpus-aside-"));
    for (const m of newest) cpSync(path.join(migrationsDir, m), path.join(aside, m), { recursive: true });
    for (const m of newest) rmSync(path.join(migrationsDir, m), { recursive: true });
    const env = { XDG_CACHE_HOME: newCacheDir() };
    await withXdg(env, async () => {
      const cacheDir = newCacheDir();
      const before = await agree({ cwd: dir, cacheDir });
      for (const m of newest) cpSync(path.join(aside, m), path.join(migrationsDir, m), { recursive: true });
      const after = await agree({ cwd: dir, cacheDir });
      expect(after.findings.length).toBeGreaterThan(0);
      expect(after.summary.files).toBe(before.summary.files + 3);
      expect(after.cache).toEqual({ known: before.summary.files, resumedAfter: before.summary.files });
    });
    rmSync(dir, { recursive: true, force: true });
    rmSync(aside, { recursive: true, force: true });
  });
});
