// Turns `warden check` path arguments (files, directories, globs) into the list of SQL
// files to check: directories are walked honouring `.gitignore`, `include` and `exclude`.
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { checkError } from "./errors.js";
import type { CheckError } from "./types.js";

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

export async function discoverFiles(opts: DiscoverOptions): Promise<{ files: DiscoveredFile[]; errors: CheckError[] }> {
  const errors: CheckError[] = [];
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
  const included = globMatcher(opts.include.length ? opts.include : DEFAULT_INCLUDE);
  const excluded = globMatcher(opts.exclude);
  const baseDir = path.resolve(opts.baseDir);
  const rel = (abs: string) => toPosix(relativeTo(baseDir, abs));
  let matched = 0; // files the current path argument selected (also ones an earlier argument had)
  const add = (abs: string, matchRel = rel(abs)) => {
    if (excluded(matchRel)) return;
    matched++;
    if (!found.has(abs)) found.set(abs, { absPath: abs, relPath: rel(abs) });
  };

  // globs apply from baseDir; under a directory outside it, from that directory
  const globRel = (abs: string, root: string) => {
    const r = rel(abs);
    return r.startsWith("../") ? toPosix(relativeTo(root, abs)) : r;
  };
  const walk = (dir: string, root: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      errors.push(checkError("read", `cannot read directory \`${toPosix(path.relative(opts.cwd, dir)) || "."}\`: ${(err as Error).message}`));
      return;
    }
    entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        // symlinked directories are not followed (loops); a broken link is read, and reported
        try {
          isDir = statSync(abs).isDirectory();
          if (isDir) continue;
        } catch {
          isDir = false;
        }
      }
      if (isDir) {
        if (ALWAYS_SKIPPED.has(e.name) || gitignore.ignored(abs, true)) continue;
        const r = globRel(abs, root);
        if (excluded(r) || excluded(`${r}/`)) continue;
        walk(abs, root);
      } else {
        const r = globRel(abs, root);
        if (included(r) && !gitignore.ignored(abs, false)) add(abs, r);
      }
    }
  };

  const paths = opts.paths.length ? opts.paths : [opts.baseDir];
  for (const p of paths) {
    const abs = path.resolve(opts.cwd, p);
    matched = 0;
    if (opts.stdinPath !== undefined && abs === path.resolve(opts.stdinPath)) {
      add(abs); // standard input: checked whatever its name, unless excluded
      continue;
    }
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory() || (st?.isSymbolicLink() && isDirectory(abs))) {
      walk(abs, abs);
      // a directory named on the command line that holds nothing to check is most likely
      // the wrong directory: a CI gate that silently checks nothing would always pass
      if (matched === 0 && opts.paths.length > 0) {
        errors.push(checkError("read", `no SQL files to check under \`${p}\``, {}, `files are selected by \`include\` (${(opts.include.length ? opts.include : DEFAULT_INCLUDE).map((g) => `\`${g}\``).join(", ")}), \`exclude\` and .gitignore`));
      }
    } else if (st) {
      add(abs); // a file named explicitly is checked whatever its name
    } else if (GLOB_CHARS.test(p)) {
      const { glob } = await import("tinyglobby");
      const hits = await glob(toPosix(p), { cwd: opts.cwd, absolute: true, onlyFiles: true, dot: false, ignore: ["**/node_modules/**", "**/.git/**"] });
      for (const h of hits.sort()) {
        const a = path.resolve(h);
        if (!gitignore.ignored(a, false)) add(a);
      }
      if (matched === 0) errors.push(checkError("read", `no files match \`${p}\``, {}, "globs are matched from the working directory; quote them so the shell does not expand them"));
    } else {
      // the message names the path; `file` carries it for library callers and CI reports
      errors.push({ ...checkError("read", `cannot read \`${p}\`: no such file or directory`), file: toPosix(p) });
    }
  }

  const files = [...found.values()].sort(byRelPath);
  if (opts.changedSince !== undefined) {
    const changed = changedFiles(opts.changedSince, opts.baseDir);
    if ("error" in changed) return { files: [], errors: [...errors, changed.error] };
    for (const f of files) f.changed = changed.files.has(f.absPath);
  }
  return { files, errors };
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

/** Absolute paths of files changed against `ref` (committed, staged or not) and untracked ones. */
export function changedFiles(ref: string, dir: string): { files: Set<string> } | { error: CheckError } {
  const git = (args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  try {
    const top = git(["rev-parse", "--show-toplevel"]).trim();
    const files = new Set<string>();
    const diff = git(["diff", "--name-only", "-z", "--diff-filter=ACMRT", ref, "--"]);
    const untracked = git(["ls-files", "--others", "--exclude-standard", "--full-name", "-z"]);
    for (const f of (diff + untracked).split("\0")) if (f) files.add(path.join(top, f));
    return { files };
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? "").trim().split("\n")[0] ?? "";
    return {
      error: checkError("usage", `cannot list files changed since \`${ref}\`${stderr ? `: ${stderr.replace(/^fatal: /, "")}` : ""}`, {}, "--changed-since needs a git work tree and a ref it knows, e.g. `origin/main`"),
    };
  }
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
