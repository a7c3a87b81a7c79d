import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { changedFiles, discoverFiles, findRepoRoot } from "../../src/engine/discover.js";
import { gitIn } from "../helpers/check-project.js";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "warden-discover-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const rels = (r: { files: { relPath: string }[] }) => r.files.map((f) => f.relPath);

describe("discoverFiles", () => {
  it("recurses into directories for *.sql, honouring .gitignore at every level", async () => {
    const root = tree({
      ".gitignore": "build/\n*.tmp.sql\n",
      "a.sql": "",
      "notes.txt": "",
      "build/out.sql": "",
      "m/b.sql": "",
      "m/c.tmp.sql": "",
      "m/.gitignore": "local.sql\n",
      "m/local.sql": "",
      "m/deep/d.sql": "",
      "node_modules/pkg/x.sql": "",
    });
    const r = await discoverFiles({ cwd: root, baseDir: root, paths: [], include: [], exclude: [], repoRoot: root });
    expect(r.errors).toEqual([]);
    expect(rels(r)).toEqual(["a.sql", "m/b.sql", "m/deep/d.sql"]);
  });

  it("applies exclude globs to walked and named files, and include globs to walked ones", async () => {
    const root = tree({ "a.sql": "", "legacy/old.sql": "", "m/b.sql": "", "m/b.psql": "", "m/skip_me.sql": "" });
    const r = await discoverFiles({ cwd: root, baseDir: root, paths: [".", "legacy/old.sql"], include: ["**/*.sql", "**/*.psql"], exclude: ["legacy/**", "skip_*.sql"] });
    expect(rels(r)).toEqual(["a.sql", "m/b.psql", "m/b.sql"]);
  });

  it("expands globs relative to cwd and reports missing paths", async () => {
    const root = tree({ "m/1.sql": "", "m/2.sql": "", "n/3.sql": "" });
    const r = await discoverFiles({ cwd: root, baseDir: root, paths: ["m/*.sql", "missing.sql"], include: [], exclude: [] });
    expect(rels(r)).toEqual(["m/1.sql", "m/2.sql"]);
    expect(r.errors.map((e) => e.message)).toEqual(["cannot read `missing.sql`: no such file or directory"]);
    // library callers get the path as the error's file, the CLI the same one-line message
    expect(r.errors.map((e) => [e.kind, e.file, e.rendered])).toEqual([["read", "missing.sql", "error: cannot read `missing.sql`: no such file or directory"]]);
    // run from below the base directory: the file is named from the base, as findings are
    const below = await discoverFiles({ cwd: path.join(root, "m"), baseDir: root, paths: ["gone.sql"], include: [], exclude: [] });
    expect(below.errors.map((e) => [e.file, e.message])).toEqual([["m/gone.sql", "cannot read `gone.sql`: no such file or directory"]]);
  });

  it("gives paths relative to baseDir, and matches include from a walked directory outside it", async () => {
    const root = tree({ "cfg/x": "", "outside/q/1.sql": "" });
    const r = await discoverFiles({ cwd: root, baseDir: path.join(root, "cfg"), paths: ["outside"], include: [], exclude: [] });
    expect(rels(r)).toEqual(["../outside/q/1.sql"]);
  });

  it("leaves out a named file that `exclude` lists, with a note saying so, not an error", async () => {
    const root = tree({ "migrations/V1.sql": "", "migrations/V9__new.sql": "" });
    const r = await discoverFiles({ cwd: root, baseDir: root, paths: ["migrations/V9__new.sql", "migrations/V1.sql"], include: [], exclude: ["*.txt", "migrations/V9*"] });
    expect(rels(r)).toEqual(["migrations/V1.sql"]);
    expect(r.errors).toEqual([]);
    expect(r.notes).toEqual([
      {
        message: "`migrations/V9__new.sql` is excluded by `migrations/V9*` in `exclude`, so it is not checked",
        file: "migrations/V9__new.sql",
        help: "remove the glob from `exclude` in the config to check the file",
        rendered: "warning: `migrations/V9__new.sql` is excluded by `migrations/V9*` in `exclude`, so it is not checked\n  = help: remove the glob from `exclude` in the config to check the file",
      },
    ]);
  });

  it("reports a run without paths that selects nothing, as it does a named directory", async () => {
    const root = tree({ "notes.txt": "" });
    const r = await discoverFiles({ cwd: root, baseDir: root, paths: [], include: [], exclude: [] });
    expect(r.errors.map((e) => [e.kind, e.message])).toEqual([["read", "no SQL files to check under `.`"]]);
  });

  it("follows symlinked directories, walking each real directory once", async () => {
    const root = tree({ "a/x.sql": "", "z/y.sql": "" });
    symlinkSync("../z", path.join(root, "a/to-z")); // z is walked under its own name
    symlinkSync("..", path.join(root, "a/up")); // a loop
    mkdirSync(path.join(root, "b"));
    symlinkSync("../elsewhere", path.join(root, "b/ext"));
    const elsewhere = tree({ "e.sql": "", "deeper/f.sql": "" });
    symlinkSync(elsewhere, path.join(root, "elsewhere"));
    const r = await discoverFiles({ cwd: root, baseDir: root, paths: [], include: [], exclude: [] });
    expect(r.errors).toEqual([]);
    // the shallowest link names the files only links reach
    expect(rels(r)).toEqual(["a/x.sql", "elsewhere/deeper/f.sql", "elsewhere/e.sql", "z/y.sql"]);
  });

  it("lists a broken symlink so that reading it is reported", async () => {
    const root = tree({ "ok.sql": "" });
    symlinkSync(path.join(root, "nowhere.sql"), path.join(root, "broken.sql"));
    const r = await discoverFiles({ cwd: root, baseDir: root, paths: [], include: [], exclude: [] });
    expect(rels(r)).toEqual(["broken.sql", "ok.sql"]);
  });
});

describe("changedFiles", () => {
  it("lists files changed against a ref plus untracked ones, not unchanged or deleted ones", () => {
    const root = tree({ "a.sql": "select 1;\n", "b.sql": "select 2;\n", "gone.sql": "select 3;\n" });
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "pipe" });
    git("init", "-q");
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", ".");
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base");
    writeFileSync(path.join(root, "b.sql"), "select 22;\n");
    writeFileSync(path.join(root, "new.sql"), "select 4;\n");
    git("rm", "-q", "gone.sql");
    const r = changedFiles("HEAD", root);
    expect("files" in r).toBe(true);
    if ("files" in r) expect([...r.files].map((f) => path.relative(root, f)).sort()).toEqual(["b.sql", "new.sql"]);
    expect(findRepoRoot(path.join(root))).toBe(root);
    const bad = changedFiles("no-such-ref", root);
    expect("error" in bad && bad.error.message).toMatch(/^cannot list files changed since `no-such-ref`/);
  });

  it("marks files by real path, so a repository reached through a symlink is compared rightly", async () => {
    const root = tree({ "m/a.sql": "select 1;\n" });
    const git = gitIn(root);
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "base");
    writeFileSync(path.join(root, "m/b.sql"), "select 2;\n");
    const link = path.join(mkdtempSync(path.join(tmpdir(), "warden-link-")), "repo");
    symlinkSync(root, link);
    const elsewhere = mkdtempSync(path.join(tmpdir(), "warden-cwd-"));
    const r = await discoverFiles({ cwd: elsewhere, baseDir: elsewhere, paths: [path.join(link, "m")], include: [], exclude: [], changedSince: "HEAD" });
    expect(r.errors).toEqual([]);
    expect(r.files.map((f) => [path.basename(f.absPath), f.changed])).toEqual([["a.sql", false], ["b.sql", true]]);
  });
});
