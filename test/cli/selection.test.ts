// `warden check` file selection and reading at the edges: git asked about paths named through
// a symlink or from outside the repository, runs that select nothing, symlinked directories,
// `exclude` against named paths, files that are not regular files, and UTF-16 text.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gitIn, makeProject } from "../helpers/check-project.js";
import { runWarden } from "../helpers/run.js";

const brief = (stdout: string) =>
  (JSON.parse(stdout) as { findings: Record<string, unknown>[] }).findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}-${f.end_line}:${f.end_column}`);

/** A committed git repository with one unchanged migration, a config, and an untracked new one. */
function repoWithNewMigration() {
  const p = makeProject({ "warden.config.yaml": "include: ['**/*.sql']\n", "migrations/V1__init.sql": "SELECT 1;\n" });
  const git = gitIn(p.dir);
  git("init", "-q");
  git("add", ".");
  git("commit", "-qm", "base");
  writeFileSync(path.join(p.dir, "migrations/V9__new.sql"), "DROP TABLE t;\n");
  return { ...p, git };
}

/** A directory that is in no git repository (the temp directory is not). */
const outside = () => mkdtempSync(path.join(tmpdir(), "warden-cwd-"));

describe("--changed-since", () => {
  it("finds the changed file when the repository is named through a symlink", async () => {
    const p = repoWithNewMigration();
    const link = path.join(outside(), "link");
    symlinkSync(p.dir, link);
    const r = await runWarden(["check", "--changed-since", "HEAD", "--format", "json", path.join(link, "migrations")], { cwd: path.dirname(link), env: p.env });
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual(["require-lock-timeout migrations/V9__new.sql:1:1-1:13", "ban-drop-table migrations/V9__new.sql:1:12-1:13"]);
    expect(r.code).toBe(1);
  });

  it("asks git in the named paths' repository, not in a working directory outside it", async () => {
    const p = repoWithNewMigration();
    const cwd = outside();
    const r = await runWarden(["check", "--changed-since", "HEAD", "--format", "json", path.join(p.dir, "migrations")], { cwd, env: p.env });
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual(["require-lock-timeout migrations/V9__new.sql:1:1-1:13", "ban-drop-table migrations/V9__new.sql:1:12-1:13"]);
    expect(r.code).toBe(1);
    // nothing changed is a legitimate empty selection, not an error
    p.git("add", ".");
    p.git("commit", "-qm", "next");
    const none = await runWarden(["check", "--changed-since", "HEAD", path.join(p.dir, "migrations")], { cwd, env: p.env });
    expect(none.stderr).toBe("");
    expect(none.stdout).toBe("warden: no findings in 0 files, 0 statements\n");
    expect(none.code).toBe(0);
    // a bad ref names the repository git ran in, since it is not the working directory's
    const bad = await runWarden(["check", "--changed-since", "no-such-ref", path.join(p.dir, "migrations")], { cwd, env: p.env });
    expect(bad.stderr).toBe(
      `error: cannot list files changed since \`no-such-ref\` in \`${realpathSync(p.dir)}\`: no such revision in this repository\n  = help: fetch it first, e.g. \`git fetch origin no-such-ref\` (or \`fetch-depth: 0\` in actions/checkout), or name a branch, tag or commit the repository has\n`,
    );
    expect(bad.code).toBe(2);
  });

  it("leaves a nested repository's files as context when it does not know the ref (a submodule)", async () => {
    const p = repoWithNewMigration();
    p.git("tag", "base");
    const inner = path.join(p.dir, "vendor/lib");
    mkdirSync(path.join(inner, "migrations"), { recursive: true });
    writeFileSync(path.join(inner, "migrations/V1__lib.sql"), "DROP TABLE lib_old;\n");
    const git = gitIn(inner);
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "lib");
    const r = await runWarden(["check", "--changed-since", "base", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual(["require-lock-timeout migrations/V9__new.sql:1:1-1:13", "ban-drop-table migrations/V9__new.sql:1:12-1:13"]);
    expect(r.code).toBe(1);
  });

  it("asks each repository the named paths are in, and says which path is in none", async () => {
    const a = repoWithNewMigration();
    const b = repoWithNewMigration();
    const cwd = outside();
    const r = await runWarden(["check", "--changed-since", "HEAD", "--format", "json", path.join(a.dir, "migrations"), path.join(b.dir, "migrations")], { cwd, env: a.env });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).summary.files).toBe(2);
    expect(r.code).toBe(1);
    const loose = path.join(outside(), "m");
    mkdirSync(loose);
    writeFileSync(path.join(loose, "a.sql"), "SELECT 1;\n");
    const none = await runWarden(["check", "--changed-since", "HEAD", path.join(a.dir, "migrations"), loose], { cwd, env: a.env });
    expect(none.stderr).toBe(
      `error: cannot list files changed since \`HEAD\` in \`${realpathSync(loose)}\`: not a git repository (or any of the parent directories): .git\n  = help: --changed-since needs a git work tree and a ref it knows, e.g. \`origin/main\`\n`,
    );
    expect(none.code).toBe(2);
  });
});

describe("runs that select nothing", () => {
  it("fails a run without paths in a directory with no SQL file, as a named directory does", async () => {
    const p = makeProject({ "README.md": "no SQL here\n" });
    const help = "files are selected by `include` (`**/*.sql`), `exclude` and .gitignore";
    const bare = await runWarden(["check"], { cwd: p.dir, env: p.env });
    expect(bare.stdout).toBe("warden: no findings in 0 files, 0 statements; 1 input error: failing\n");
    expect(bare.stderr).toBe(`error: no SQL files to check under \`.\`\n  = help: name the files or directories to check (e.g. \`warden check db/migrations\`); ${help}\n`);
    expect(bare.code).toBe(2);
    const dot = await runWarden(["check", "."], { cwd: p.dir, env: p.env });
    expect(dot.stderr).toBe(`error: no SQL files to check under \`.\`\n  = help: ${help}\n`);
    expect(dot.code).toBe(2);
  });

  it("names the config's directory when the run starts below it", async () => {
    const p = makeProject({ "warden.config.yaml": "include: ['db/**/*.sql']\n", "docs/x.md": "" });
    const r = await runWarden(["check"], { cwd: path.join(p.dir, "docs"), env: p.env });
    expect(r.stderr).toBe(
      "error: no SQL files to check under `..`\n  = help: name the files or directories to check (e.g. `warden check db/migrations`); files are selected by `include` (`db/**/*.sql`), `exclude` and .gitignore\n",
    );
    expect(r.code).toBe(2);
  });
});

describe("symlinked directories", () => {
  it("are followed, each real directory once, so a loop ends and a file keeps its own name", async () => {
    const p = makeProject({ "shared/migrations/V1__drop.sql": "DROP TABLE t;\n", "app/db/.keep": "" });
    symlinkSync("../../shared/migrations", path.join(p.dir, "app/db/migrations"));
    symlinkSync("..", path.join(p.dir, "app/db/loop"));
    const app = await runWarden(["check", "--format", "json"], { cwd: path.join(p.dir, "app"), env: p.env });
    expect(app.stderr).toBe("");
    // a migration by its folder name through the link (the lock-timeout rule is for migrations)
    expect(brief(app.stdout)).toEqual(["require-lock-timeout db/migrations/V1__drop.sql:1:1-1:13", "ban-drop-table db/migrations/V1__drop.sql:1:12-1:13"]);
    expect(app.code).toBe(1);
    // from the top, the file is found under its real name only (`app` sorts first)
    const top = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(brief(top.stdout)).toEqual(["require-lock-timeout shared/migrations/V1__drop.sql:1:1-1:13", "ban-drop-table shared/migrations/V1__drop.sql:1:12-1:13"]);
  });
});

describe("exclude and named paths", () => {
  it("says a glob's matches were all excluded, naming the `exclude` glob", async () => {
    const p = makeProject({ "warden.config.yaml": 'exclude: ["migrations/V9*"]\n', "migrations/V9__new.sql": "DROP TABLE t;\n", "migrations/V1.sql": "SELECT 1;\n" });
    const r = await runWarden(["check", "migrations/V9*.sql"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe(
      "error: no file to check matches `migrations/V9*.sql`: the files it matches are all left out by `migrations/V9*` in `exclude`\n" +
        "  = help: files are checked unless `exclude` or .gitignore leave them out; change `exclude` in the config to check them\n",
    );
    expect(r.code).toBe(2);
  });
});

describe("reading", () => {
  it.skipIf(process.platform === "win32")("reports a named pipe called *.sql as unreadable instead of waiting on it, and checks the rest", async () => {
    const p = makeProject({ "migrations/V1.sql": "DROP TABLE t;\n" });
    execFileSync("mkfifo", [path.join(p.dir, "migrations/V2.sql")]);
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("migrations/V2.sql: error: cannot read file: it is not a regular file (it is a named pipe)\n  = help: only regular files are read; leave it out with `exclude` in the config\n");
    expect(brief(r.stdout)).toEqual(["require-lock-timeout migrations/V1.sql:1:1-1:13", "ban-drop-table migrations/V1.sql:1:12-1:13"]);
    expect(r.code).toBe(2);
  });

  it("checks UTF-16 text behind its byte-order mark, with positions in the decoded text", async () => {
    const p = makeProject({});
    // a non-ASCII character before the finding, CRLF line endings (as SSMS saves them)
    const sql = "-- drop the café table\r\n  DROP TABLE café;\r\n";
    mkdirSync(path.join(p.dir, "migrations"));
    writeFileSync(path.join(p.dir, "migrations/V1__le.sql"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sql, "utf16le")]));
    writeFileSync(path.join(p.dir, "migrations/V2__be.sql"), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(sql, "utf16le").swap16()]));
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual([
      "require-lock-timeout migrations/V1__le.sql:2:3-2:18",
      "ban-drop-table migrations/V1__le.sql:2:14-2:18",
      "require-lock-timeout migrations/V2__be.sql:2:3-2:18",
      "ban-drop-table migrations/V2__be.sql:2:14-2:18",
    ]);
    expect(r.code).toBe(1);
  });

  it("reports UTF-16 that is cut short or has an unpaired surrogate at its position, and UTF-16 without a mark with help", async () => {
    const p = makeProject({});
    const le = (s: string) => Buffer.from(s, "utf16le");
    writeFileSync(path.join(p.dir, "half.sql"), Buffer.concat([Buffer.from([0xff, 0xfe]), le("SELECT 1;\nSELECT"), Buffer.from([0x20])]));
    writeFileSync(path.join(p.dir, "lone.sql"), Buffer.concat([Buffer.from([0xff, 0xfe]), le("SELECT 1;\nSELECT '"), Buffer.from([0x00, 0xd8]), le("';\n")]));
    writeFileSync(path.join(p.dir, "nomark.sql"), le("SELECT 1;\n"));
    const r = await runWarden(["check"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe(
      "half.sql:2:7: error: cannot read file: it is not UTF-16 LE text: it ends in half a code unit (an odd number of bytes)\n  = help: save the file as UTF-8, or as UTF-16 LE throughout\n\n" +
        "lone.sql:2:9: error: cannot read file: it is not UTF-16 LE text: code unit 0xd800 is an unpaired surrogate\n  = help: save the file as UTF-8, or as UTF-16 LE throughout\n\n" +
        "nomark.sql:1:2: error: cannot read file: it is a binary file, not SQL text (it contains NUL bytes)\n  = help: if it is UTF-16 text without a byte-order mark, save it as UTF-8 (or as UTF-16 with a byte-order mark)\n",
    );
    expect(r.code).toBe(2);
  });
});
