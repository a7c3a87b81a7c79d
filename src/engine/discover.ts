// Turns `warden check` path arguments (files, directories, globs) into the list of SQL
// files to check: directories are walked (symlinked ones followed) honouring `.gitignore`,
// `include` and `exclude`, and `--changed-since` asks git which of them changed.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { CONFIG_NAMES } from "./config.js";
import { checkError } from "./errors.js";
import type { CheckError, CheckNote } from "./types.js";

export interface DiscoverOptions {
  /** Where relative path arguments start. */
  cwd: string;
  /** Where `include`/`exclude` globs start (the config's directory, or cwd). */
  baseDir: string;
  paths: string[];
  include: string[];
  exclude: string[];
  /** The git work tree, for `.gitignore` files above `baseDir`. */
  repoRoot?: string;
  changedSince?: string;
  /** A file that exists only on standard input: selected as a file named in `paths` is. */
  stdinPath?: string;
  /**
   * Stop at directories below a walked one that hold a config of their own (a project inside
   * this one): they are listed in `nested`, not walked.
   */
  stopAtConfigs?: boolean;
  /** Directories (absolute) not to walk: projects of their own, checked in their own run. */
  skipDirs?: ReadonlySet<string>;
  /** A walked directory that selects nothing is no error (its projects are checked on their own). */
  emptyOk?: boolean;
}

export interface DiscoveredFile {
  absPath: string;
  /** Relative to baseDir, `/`-separated. */
  relPath: string;
  /**
   * false: the file is context only (unchanged under `changedSince`, or outside the named
   * paths): it is extracted, so earlier migrations reach the catalog, but not reported on.
   */
  changed?: boolean;
}

/**
 * A named file left out on purpose (`exclude` lists it). Not an error: pre-commit and
 * editors pass every changed file, excluded ones too. But it is said, so that nothing is
 * skipped silently.
 */
export type SelectionNote = CheckNote;

export interface DiscoverResult {
  files: DiscoveredFile[];
  errors: CheckError[];
  notes: SelectionNote[];
  /** With `stopAtConfigs`: directories below a walked one that hold a config of their own. */
  nested: string[];
  /** With `changedSince`: every file git saw change, SQL or not (see `ChangedSince`). */
  since?: ChangedSince;
}

export const DEFAULT_INCLUDE = ["**/*.sql"];
const ALWAYS_SKIPPED = new Set([".git", "node_modules"]);
const GLOB_CHARS = /[*?[\]{}]/;

export function toPosix(p: string): string {
  return path.sep === "/" ? p : p.split(path.sep).join("/");
}

/** The enclosing git work tree (a directory holding `.git`), found without running git. */
export function findRepoRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export async function discoverFiles(opts: DiscoverOptions): Promise<DiscoverResult> {
  const errors: CheckError[] = [];
  const notes: SelectionNote[] = [];
  const nested: string[] = [];
  const found = new Map<string, DiscoveredFile>();
  const gitignore = new GitignoreChain(opts.repoRoot ?? opts.baseDir);
  const matchOpts = { dot: true, basename: false };
  const globMatcher = (globs: string[]) => {
    // a glob without `/` matches a file name anywhere, as in .gitignore
    const full = globs.filter((g) => g.includes("/"));
    const names = globs.filter((g) => !g.includes("/"));
    const a = full.length ? picomatch(full, matchOpts) : () => false;
    const b = names.length ? picomatch(names, matchOpts) : () => false;
    return (rel: string) => a(rel) || b(path.posix.basename(rel));
  };
  const includes = opts.include.length ? opts.include : DEFAULT_INCLUDE;
  const included = globMatcher(includes);
  const excluded = globMatcher(opts.exclude);
  // which `exclude` glob leaves a file out, for the message saying so
  const excludedBy = (r: string) => opts.exclude.find((g) => globMatcher([g])(r)) ?? "";
  const baseDir = path.resolve(opts.baseDir);
  const rel = (abs: string) => toPosix(relativeTo(baseDir, abs));
  let matched = 0; // files the current path argument selected (also ones an earlier argument had)
  /** Selects a file unless `exclude` lists it; false when it does. */
  const add = (abs: string, matchRel = rel(abs)) => {
    if (excluded(matchRel)) return false;
    matched++;
    if (!found.has(abs)) found.set(abs, { absPath: abs, relPath: rel(abs) });
    return true;
  };
  /** A file named on the command line (or standard input): an excluded one is said to be. */
  const addNamed = (abs: string, named: string) => {
    const r = rel(abs);
    if (add(abs, r)) return;
    const message = `\`${toPosix(named)}\` is excluded by \`${excludedBy(r)}\` in \`exclude\`, so it is not checked`;
    const help = "remove the glob from `exclude` in the config to check the file";
    notes.push({ message, file: toPosix(named), help, rendered: `warning: ${message}\n  = help: ${help}` });
  };

  // globs apply from baseDir; under a directory outside it, from that directory
  const globRel = (abs: string, root: string) => {
    const r = rel(abs);
    return r.startsWith("../") ? toPosix(relativeTo(root, abs)) : r;
  };
  const skippedDir = (abs: string, name: string, root: string) => {
    if (ALWAYS_SKIPPED.has(name) || gitignore.ignored(abs, true)) return true;
    const r = globRel(abs, root);
    return excluded(r) || excluded(`${r}/`);
  };
  // Symlinked directories are followed, after the directories below `root` itself (the
  // shallowest link first), and each real directory is walked once: a link back up the tree
  // (a loop) or to a directory walked already adds nothing, and a file keeps the name it has
  // outside a link where it has one.
  const walk = (root: string) => {
    const seen = new Set<string>();
    const links: string[] = [];
    const visit = (dir: string) => {
      const real = realOr(dir);
      if (seen.has(real)) return;
      seen.add(real);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (err) {
        errors.push(checkError("read", `cannot read directory \`${toPosix(path.relative(opts.cwd, dir)) || "."}\`: ${(err as Error).message}`));
        return;
      }
      // a directory with a config of its own below the walked one is a project of its own
      if (dir !== root && opts.stopAtConfigs && entries.some((e) => CONFIG_NAMES.includes(e.name) && !e.isDirectory())) {
        nested.push(dir);
        return;
      }
      entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
      for (const e of entries) {
        const abs = path.join(dir, e.name);
        if (e.isSymbolicLink() && isDirectory(abs)) {
          if (!skippedDir(abs, e.name, root)) links.push(abs);
        } else if (e.isDirectory()) {
          if (!skippedDir(abs, e.name, root) && !opts.skipDirs?.has(abs)) visit(abs);
        } else {
          // anything else that `include` selects is read, and reported if it cannot be:
          // a broken link, a named pipe, a socket
          const r = globRel(abs, root);
          if (included(r) && !gitignore.ignored(abs, false)) add(abs, r);
        }
      }
    };
    visit(root);
    const depth = (p: string) => p.split(path.sep).length;
    while (links.length > 0) {
      links.sort((x, y) => depth(y) - depth(x) || (x < y ? 1 : x > y ? -1 : 0));
      visit(links.pop()!);
    }
  };

  const paths = opts.paths.length ? opts.paths : [opts.baseDir];
  for (const p of paths) {
    const abs = path.resolve(opts.cwd, p);
    matched = 0;
    if (opts.stdinPath !== undefined && abs === path.resolve(opts.stdinPath)) {
      addNamed(abs, p); // standard input: checked whatever its name, unless excluded
      continue;
    }
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory() || (st?.isSymbolicLink() && isDirectory(abs))) {
      walk(abs);
      // a directory that holds nothing to check is most likely the wrong directory (or the
      // wrong `include`): a CI gate that silently checks nothing would always pass
      if (matched === 0 && !opts.emptyOk) {
        const selected = `files are selected by \`include\` (${includes.map((g) => `\`${g}\``).join(", ")}), \`exclude\` and .gitignore`;
        const named = opts.paths.length > 0 ? p : toPosix(path.relative(opts.cwd, abs)) || ".";
        errors.push(checkError("read", `no SQL files to check under \`${named}\``, {}, opts.paths.length > 0 ? selected : `name the files or directories to check (e.g. \`warden check db/migrations\`); ${selected}`));
      }
    } else if (st) {
      addNamed(abs, p); // a file named explicitly is checked whatever its name
    } else if (GLOB_CHARS.test(p)) {
      const { glob } = await import("tinyglobby");
      const hits = await glob(toPosix(p), { cwd: opts.cwd, absolute: true, onlyFiles: true, dot: false, ignore: ["**/node_modules/**", "**/.git/**"] });
      const leftOut = new Set<string>(); // the `exclude` globs (or .gitignore) that took the matches
      for (const h of hits.sort()) {
        const a = path.resolve(h);
        if (gitignore.ignored(a, false)) leftOut.add(".gitignore");
        else if (!add(a)) leftOut.add(`\`${excludedBy(rel(a))}\` in \`exclude\``);
      }
      if (matched === 0 && hits.length > 0) {
        errors.push(checkError("read", `no file to check matches \`${p}\`: the files it matches are all left out by ${[...leftOut].join(" and ")}`, {}, "files are checked unless `exclude` or .gitignore leave them out; change `exclude` in the config to check them"));
      } else if (matched === 0) {
        errors.push(checkError("read", `no files match \`${p}\``, {}, "globs are matched from the working directory; quote them so the shell does not expand them"));
      }
    } else {
      // the message names the path; `file` carries it for library callers and CI reports
      // (relative to the base directory, as finding paths are; the message keeps the path as typed)
      const fromBase = path.relative(opts.baseDir, path.resolve(opts.cwd, p));
      errors.push({ ...checkError("read", `cannot read \`${p}\`: no such file or directory`), file: toPosix(fromBase.startsWith("..") ? path.resolve(opts.cwd, p) : fromBase) });
    }
  }

  const files = [...found.values()].sort(byRelPath);
  if (opts.changedSince !== undefined) {
    const r = markChanged(opts.changedSince, files, paths.map((p) => path.resolve(opts.cwd, p)), opts.cwd);
    if ("error" in r) return { files: [], errors: [...errors, r.error], notes, nested };
    return { files, errors, notes, nested, since: r.since };
  }
  return { files, errors, notes, nested };
}

/** The real path of `p` (links resolved), or `p` when it has none (a broken link). */
export function realOr(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}

/**
 * Sets `changed` on each file: is it changed against `ref` in its own git work tree? Git
 * runs in each repository the files are in (not in the working directory, which may be in
 * none), and names files by real paths, so paths are compared by real path (through a
 * symlinked checkout or directory). `named` are the path arguments, which say where git
 * runs when no file was found (so that a bad ref is still reported).
 */
function markChanged(ref: string, files: DiscoveredFile[], named: string[], cwd: string): { error: CheckError } | { since: ChangedSince } {
  const repoOf = new Map<string, string>(); // real directory → its work tree (or itself, in none)
  const repo = (realDir: string) => {
    let r = repoOf.get(realDir);
    if (r === undefined) repoOf.set(realDir, (r = findRepoRoot(realDir) ?? realDir));
    return r;
  };
  const realDirs = new Map<string, string>();
  const realDir = (d: string) => {
    let r = realDirs.get(d);
    if (r === undefined) realDirs.set(d, (r = realOr(d)));
    return r;
  };
  const names = files.map((f) => {
    const [own, real] = gitNames(f.absPath, realDir);
    return { f, dir: realDir(path.dirname(f.absPath)), own, real };
  });
  const repos = new Set(names.map((n) => repo(n.dir)));
  if (files.length === 0) for (const p of named) repos.add(repo(realOr(existingDir(p))));
  const changed = new Set<string>();
  const removed = new Set<string>();
  const here = repo(realOr(cwd));
  const roots = [...repos, here];
  for (const r of [...repos].sort()) {
    // an error names the directory git ran in when it is not the working directory's repository
    const c = changedFiles(ref, r, r === here ? undefined : toPosix(r));
    if ("error" in c) {
      // a repository inside another (a submodule, a vendored checkout) need not know the
      // outer one's ref: its files are then unchanged context, not a failed run
      if (roots.some((q) => q !== r && r.startsWith(q + path.sep))) continue;
      return c;
    }
    for (const f of c.files) changed.add(f);
    for (const f of c.removed) removed.add(f);
  }
  for (const n of names) n.f.changed = changed.has(n.own) || changed.has(n.real);
  return { since: { changed, removed } };
}

/**
 * The names git may give a file in its answers: git names a symlinked file by its own path
 * (in its real directory), and a file through a symlinked directory by its real path; a file
 * counts as changed under either. `realDir` resolves a directory (a memo may stand in).
 */
export function gitNames(absPath: string, realDir: (dir: string) => string = realOr): [own: string, real: string] {
  return [path.join(realDir(path.dirname(absPath)), path.basename(absPath)), realOr(absPath)];
}

/** `p` if it is a directory, else its nearest ancestor that is one. */
function existingDir(p: string): string {
  let d = p;
  while (!isDirectory(d) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

export function byRelPath(a: { relPath: string }, b: { relPath: string }): number {
  return a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0;
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** What changed in the git work trees asked (real absolute paths; see `changedFiles`). */
export interface ChangedSince {
  /** added, modified or untracked files, any kind (a config, YAML, a policy) */
  changed: Set<string>;
  /** files deleted, or renamed away from */
  removed: Set<string>;
}

/**
 * Absolute paths of files changed since this branch left `ref` (their merge base; committed,
 * staged or not) and untracked ones (`files`), and of files removed since (`removed`), in the
 * git work tree holding `dir`; the work tree's part is its real path.
 */
export function changedFiles(ref: string, dir: string, shownDir?: string): { files: Set<string>; removed: Set<string> } | { error: CheckError } {
  const git = (args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  const where = shownDir === undefined ? "" : ` in \`${shownDir}\``;
  const stderrOf = (err: unknown) => String((err as { stderr?: string }).stderr ?? "").trim().split("\n")[0]?.replace(/^fatal: /, "") ?? "";
  try {
    const top = realOr(git(["rev-parse", "--show-toplevel"]).trim());
    let commit: string;
    try {
      // resolved once, so that no ref is ever read by git as an option
      commit = git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]).trim();
    } catch {
      // a CI checkout fetches only the commit it builds: the ref to compare with is not there
      return { error: checkError("usage", `cannot list files changed since \`${ref}\`${where}: no such revision in this repository`, {}, `fetch it first, e.g. \`${fetchHint(ref, git)}\` (or \`fetch-depth: 0\` in actions/checkout), or name a branch, tag or commit the repository has`) };
    }
    // against the point where this branch left `ref` (as a pull request's diff is): what
    // `ref` gained since then is not this branch's change
    let base: string;
    try {
      base = git(["merge-base", commit, "HEAD"]).trim();
    } catch (err) {
      if ((err as { status?: number }).status !== 1) throw err;
      // no common ancestor: comparing with `ref` itself would report files this branch never touched
      const shallow = tryGit(git, ["rev-parse", "--is-shallow-repository"]) === "true";
      return {
        error: shallow
          ? checkError("usage", `cannot find where this branch left \`${ref}\`${where}: no merge base in this shallow clone`, {}, "fetch the history first, e.g. `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout")
          : checkError("usage", `cannot find where this branch left \`${ref}\`${where}: the two histories have no commit in common`, {}, "name a ref this branch was made from, e.g. `origin/main`"),
      };
    }
    const files = new Set<string>();
    const removed = new Set<string>();
    // without rename detection a renamed file is its new name added and its old one removed
    const diff = git(["diff", "--name-status", "-z", "--no-renames", base, "--"]).split("\0");
    for (let i = 0; i + 1 < diff.length; i += 2) {
      const status = diff[i]!;
      const f = path.join(top, diff[i + 1]!);
      if (status === "D") removed.add(f);
      else if ("ACMT".includes(status)) files.add(f);
    }
    const untracked = git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z"]);
    for (const f of untracked.split("\0")) if (f) files.add(path.join(top, f));
    return { files, removed };
  } catch (err) {
    const stderr = stderrOf(err);
    return {
      error: checkError("usage", `cannot list files changed since \`${ref}\`${where}${stderr ? `: ${stderr}` : ""}`, {}, "--changed-since needs a git work tree and a ref it knows, e.g. `origin/main`"),
    };
  }
}

/** git's answer, or undefined when it fails. */
function tryGit(git: (args: string[]) => string, args: string[]): string | undefined {
  try {
    return git(args).trim();
  } catch {
    return undefined;
  }
}

/** The command that fetches `ref`: `git fetch origin main` for `origin/main` (a remote's branch). */
function fetchHint(ref: string, git: (args: string[]) => string): string {
  const remotes = (tryGit(git, ["remote"]) ?? "").split("\n").filter(Boolean);
  const remote = remotes.find((r) => ref.startsWith(`${r}/`));
  if (remote) return `git fetch ${remote} ${ref.slice(remote.length + 1)}`;
  return `git fetch ${remotes.includes("origin") || remotes.length === 0 ? "origin" : remotes[0]} ${ref}`;
}

/**
 * `path.relative(from, to)` for a resolved `from` and an absolute, normalised `to` (as the
 * walk makes them): a slice when `to` is below `from`. path.relative resolves both paths
 * on every call, and discovery asks several times per file.
 */
function relativeTo(from: string, to: string): string {
  if (from.length > 1 && to.length > from.length + 1 && to.charCodeAt(from.length) === SEP && to.startsWith(from)) return to.slice(from.length + 1);
  return path.relative(from, to);
}

const SEP = path.sep.charCodeAt(0);

/** `.gitignore` files from `root` down to a path, each matched relative to its own directory. */
class GitignoreChain {
  private readonly cache = new Map<string, Ignore | null>();
  private readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private at(dir: string): Ignore | null {
    let ig = this.cache.get(dir);
    if (ig === undefined) {
      ig = null;
      const f = path.join(dir, ".gitignore");
      if (existsSync(f)) {
        try {
          ig = ignore().add(readFileSync(f, "utf8"));
        } catch {
          ig = null;
        }
      }
      this.cache.set(dir, ig);
    }
    return ig;
  }

  ignored(abs: string, isDir: boolean): boolean {
    // (POSIX) a path that is not below the root is never ignored: no path.relative needed to say so
    if (path.sep === "/" && this.root.length > 1 && !(abs.length > this.root.length + 1 && abs.charCodeAt(this.root.length) === SEP && abs.startsWith(this.root))) return false;
    const fromRoot = relativeTo(this.root, abs);
    if (!fromRoot || fromRoot.startsWith("..") || path.isAbsolute(fromRoot)) return false;
    const parts = fromRoot.split(path.sep);
    let dir = this.root;
    for (let i = 0; i < parts.length; i++) {
      const ig = this.at(dir);
      if (ig) {
        // a parent directory that is ignored hides everything below it
        for (let j = i; j < parts.length; j++) {
          const sub = parts.slice(i, j + 1).join("/");
          const last = j === parts.length - 1;
          if (ig.ignores(last && !isDir ? sub : `${sub}/`)) return true;
        }
      }
      dir = path.join(dir, parts[i]!);
    }
    return false;
  }
}
