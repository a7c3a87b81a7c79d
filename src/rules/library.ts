// Finds and reads a rule library on disk: the built-in one shipped in `rules/`, or any
// directory laid out the same way (one folder per rule with rule.warden and README.md).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface PolicySource {
  path: string;
  text: string;
}

/** One rule folder: `<area>/<id>/` holding `rule.warden` and `README.md`. */
export interface RuleFolder {
  /** The folder name, which is the rule id it documents. */
  id: string;
  /** The area folder (`migrations`, `everywhere`, ...), or "" for a folder at the top. */
  area: string;
  dir: string;
  rulePath: string | null;
  readmePath: string | null;
}

export interface RuleLibrary {
  root: string;
  /** Every `*.warden` file under the root, sorted by path (shared files included). */
  sources: PolicySource[];
  folders: RuleFolder[];
}

let cachedRoot: string | undefined;

/**
 * The package root: the nearest ancestor of this module holding the package's
 * package.json. Works from `src/rules/` (tests) and from `dist/` (the bundled CLI).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "warden-policy") return (cachedRoot = dir);
      } catch {
        // not ours; keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the warden package root");
    dir = up;
  }
}

export function builtinRulesDir(): string {
  return path.join(packageRoot(), "rules");
}

/** The precompiled built-in bundle written by scripts/build-builtin.mjs. */
export function builtinBundlePath(): string {
  return path.join(packageRoot(), "dist", "builtin.bundle.tar.gz");
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".") || name === "node_modules") continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
}

/** A path as shown to users: relative to `base` with forward slashes. */
export function displayPath(file: string, base: string = process.cwd()): string {
  const rel = path.relative(base, file);
  return (rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file).split(path.sep).join("/");
}

/**
 * Reads a library directory. A rule folder is any directory that directly holds a
 * `rule.warden` or a `README.md` (so a folder missing one of them is still reported).
 */
export function loadRuleLibrary(root: string, base?: string): RuleLibrary {
  const files: string[] = [];
  walk(root, files);
  const sources = files
    .filter((f) => f.endsWith(".warden"))
    .map((f) => ({ path: displayPath(f, base), text: readFileSync(f, "utf8") }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const dirs = new Map<string, RuleFolder>();
  for (const f of files) {
    const name = path.basename(f);
    if (name !== "rule.warden" && name !== "README.md") continue;
    const dir = path.dirname(f);
    if (dir === root) continue; // a README at the top describes the library, not a rule
    let folder = dirs.get(dir);
    if (!folder) {
      const rel = path.relative(root, dir).split(path.sep);
      folder = { id: rel[rel.length - 1]!, area: rel.length > 1 ? rel[rel.length - 2]! : "", dir, rulePath: null, readmePath: null };
      dirs.set(dir, folder);
    }
    if (name === "rule.warden") folder.rulePath = f;
    else folder.readmePath = f;
  }
  const folders = [...dirs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { root, sources, folders };
}
