// Finds the dbt projects that the checked files belong to and their model directories,
// so files under `model-paths` are typed `dbt_model` without any configuration.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { toPosix } from "./discover.js";
import { loadYaml } from "./config.js";

/**
 * A finder of the dbt project a directory belongs to: the nearest `dbt_project.yml` at or
 * above it, or null; answers are remembered for every directory on the way.
 */
export function dbtProjectFinder(): (dir: string) => string | null {
  const projects = new Map<string, string | null>(); // dir → dbt_project.yml path or null
  return (dir) => {
    const seen: string[] = [];
    let d = dir;
    let found: string | null = null;
    for (;;) {
      const known = projects.get(d);
      if (known !== undefined) {
        found = known;
        break;
      }
      seen.push(d);
      const f = path.join(d, "dbt_project.yml");
      if (existsSync(f)) {
        found = f;
        break;
      }
      const parent = path.dirname(d);
      if (parent === d) break;
      d = parent;
    }
    for (const s of seen) projects.set(s, found);
    return found;
  };
}

/**
 * The folder of the dbt project a file belongs to: that of the nearest dbt_project.yml at or
 * above it, else the folder above its `models/` folder (a models folder copied on its own),
 * else its own folder.
 */
export function dbtProjectRoot(absPath: string, projectOf = dbtProjectFinder()): string {
  const yml = projectOf(path.dirname(absPath));
  if (yml) return path.dirname(yml);
  const parts = absPath.split(path.sep);
  const m = parts.lastIndexOf("models");
  return m > 0 ? parts.slice(0, m).join(path.sep) : path.dirname(absPath);
}

// A dbt project's own files that rendering may read besides its models: YAML, SQL (macros)
// and JSON, outside dependencies, logs and build output, and the compiled manifest.
const PROJECT_FILES = "**/*.{yml,yaml,sql,json}";
const NOT_PROJECT_FILES = ["**/node_modules/**", "**/.git/**", "logs/**", "target/**"];
const MANIFEST = "target/manifest.json";
let projectFileMatcher: ((rel: string) => boolean) | undefined;

/** Whether a path relative to a dbt project's folder (`/`-separated) is one of its own files. */
export function isDbtProjectFile(rel: string): boolean {
  projectFileMatcher ??= picomatch(PROJECT_FILES, { ignore: NOT_PROJECT_FILES });
  return rel === MANIFEST || projectFileMatcher(rel);
}

/**
 * The files of the dbt project in `root` that `isDbtProjectFile` accepts, `/`-separated and
 * sorted. The glob library loads only here, when a run has dbt models.
 */
export async function dbtProjectFiles(root: string): Promise<string[]> {
  const { globSync } = await import("tinyglobby");
  const files = globSync([PROJECT_FILES], { cwd: root, ignore: NOT_PROJECT_FILES });
  if (existsSync(path.join(root, MANIFEST))) files.push(MANIFEST);
  return files.sort();
}

/**
 * Model and macro directories (relative to baseDir, `/`-separated) of every dbt project
 * above the files, found in one pass. The `.sql` files of macro directories are Jinja macro
 * definitions, not SQL statements. The YAML library loads only when there is a dbt project.
 */
export async function dbtPaths(files: { absPath: string }[], baseDir: string): Promise<{ models: string[]; macros: string[] }> {
  const models = new Set<string>();
  const macros = new Set<string>();
  const projectOf = dbtProjectFinder();
  const done = new Set<string>();
  for (const f of files) {
    const project = projectOf(path.dirname(f.absPath));
    if (!project || done.has(project)) continue;
    done.add(project);
    const { parse } = await loadYaml();
    let y: Record<string, unknown> | null = null;
    try {
      // read as the dbt renderer reads it (duplicate keys: the last wins), so both agree
      y = parse(readFileSync(project, "utf8"), { uniqueKeys: false }) as Record<string, unknown> | null;
    } catch {
      // a broken dbt_project.yml is the dbt renderer's to report; assume the defaults
    }
    const dirs = (keys: string[], dflt: string[]) => {
      const v = keys.map((k) => y?.[k]).find((x) => x !== undefined);
      return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : dflt;
    };
    const at = (d: string) => toPosix(path.relative(baseDir, path.join(path.dirname(project), d)));
    for (const d of dirs(["model-paths", "source-paths"], ["models"])) models.add(at(d));
    for (const d of dirs(["macro-paths"], ["macros"])) macros.add(at(d));
  }
  return { models: [...models].sort(), macros: [...macros].sort() };
}

/** The model directories of `dbtPaths`. */
export async function dbtModelPaths(files: { absPath: string }[], baseDir: string): Promise<string[]> {
  return (await dbtPaths(files, baseDir)).models;
}
