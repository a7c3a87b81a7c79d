// File typing and migration order: the small part of fact extraction that `warden check`
// needs before it knows whether anything must be parsed (a cached run never loads the parser).
import path from "node:path";
import picomatch from "picomatch";
import type { FileType } from "./facts.js";

export const DEFAULT_MASKING = ["md5", "sha224", "sha256", "sha384", "sha512", "digest", "hmac", "crypt", "anon.*"];

// ---- file types -------------------------------------------------------------------------

/**
 * The type of a file: the configured globs (matched against `relPath`, relative to the
 * config's directory), then dbt model paths (relative to the same directory), then folder
 * names. Folder names are read from `folderPath` when given (see `typingPath`), else from
 * `relPath`. With `text`, a file under a `models/` folder whose SQL holds Jinja is a dbt
 * model even without a dbt_project.yml (a models folder copied on its own).
 */
export function fileTypeOf(relPath: string, opts: { globs?: Partial<Record<FileType, string[]>>; dbtModelPaths?: string[]; folderPath?: string | undefined; text?: string } = {}): FileType {
  const p = relPath.replace(/\\/g, "/").replace(/^\.\//, "");
  for (const type of ["migration", "dbt_model", "retraining", "sql"] as FileType[]) {
    const globs = opts.globs?.[type];
    if (globs?.length && picomatch(globs, { dot: true })(p)) return type;
  }
  for (const mp of opts.dbtModelPaths ?? []) if (isUnder(p, mp)) return "dbt_model";
  const folders = (opts.folderPath ?? p).replace(/\\/g, "/");
  const dirs = folders.split("/").slice(0, -1).map((d) => d.toLowerCase());
  if (dirs.includes("migrations") || dirs.includes("migration") || folders.toLowerCase().includes("db/migrate/")) return "migration";
  if (dirs.includes("retraining") || dirs.includes("training")) return "retraining";
  if (opts.text !== undefined && !opts.globs?.dbt_model?.length && dirs.includes("models") && /\{\{|\{%/.test(opts.text)) return "dbt_model";
  return "sql";
}

/** Whether relative path `p` is inside directory `dir` (both relative to one base; `dir` may be `""` or `..`). */
export function isUnder(p: string, dir: string): boolean {
  // resolved under a deep fake root, so that `..` segments stay inside it
  const root = "/" + "r/".repeat(32);
  const rel = path.posix.relative(path.posix.join(root, dir.replace(/\\/g, "/")), path.posix.join(root, p));
  return rel !== "" && !rel.startsWith("../") && rel !== ".." && !path.posix.isAbsolute(rel);
}

/**
 * Where folder names start counting for a file's type: the config's directory (it defines
 * the project), else the git repository's root, else the parent of the working directory
 * (so that `cd db/migrations && warden check` still sees a migrations folder).
 */
export function typingRoot(where: { configDir?: string; repoRoot?: string; cwd: string }): string {
  return where.configDir ?? where.repoRoot ?? path.dirname(path.resolve(where.cwd));
}

/**
 * The path whose folder names type a file: relative to `root` (see `typingRoot`), or
 * undefined when the file is outside it (its relative path is read instead).
 */
export function typingPath(absPath: string, root: string): string | undefined {
  const rel = path.relative(root, absPath);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join("/");
}

// ---- migration sets ---------------------------------------------------------------------

const SET_FOLDERS = new Set(["migrations", "migration", "migrate"]);

/**
 * The migration set a migration belongs to: the absolute path of its nearest folder named
 * `migrations`, `migration` or `migrate` (folder names counted in `folderPath`, the path that
 * typed the file, see `typingPath`; else in `relPath`), or "" when there is none (migrations
 * typed by a config glob alone form one set). Each set replays into a catalog of its own: a
 * repository with one database per service keeps one migrations folder per service.
 */
export function migrationSet(absPath: string, folderPath: string): string {
  const dirs = folderPath.replace(/\\/g, "/").split("/").slice(0, -1);
  for (let k = dirs.length - 1; k >= 0; k--) {
    if (!SET_FOLDERS.has(dirs[k]!.toLowerCase())) continue;
    let d = path.dirname(absPath);
    for (let up = dirs.length - 1 - k; up > 0; up--) d = path.dirname(d);
    return d;
  }
  return "";
}

// ---- migration order --------------------------------------------------------------------

/**
 * Whether a migration path names a down (rollback) migration: golang-migrate's
 * `000001_x.down.sql`, a `down.sql` in a version folder (diesel, sqlx-style layouts),
 * `x_down.sql` or `x-down.sql`, or a Flyway undo migration `U<version>__x.sql`. Tools run
 * these only to roll back, so they are neither replayed nor checked.
 */
export function isDownMigration(p: string): boolean {
  return /(^|[._/-])down\.sql$/i.test(p) || /(^|\/)U\d+(?:[._]\d+)*__[^/]*\.sql$/.test(p);
}

/** Natural order of migration paths: digit runs compare as numbers (V2 < V10, timestamps). */
export function compareMigrations(a: string, b: string): number {
  const repeatable = (p: string) => /(^|\/)R__[^/]*$/.test(p);
  const ka = (isDownMigration(a) ? 2 : 0) + (repeatable(a) ? 1 : 0);
  const kb = (isDownMigration(b) ? 2 : 0) + (repeatable(b) ? 1 : 0);
  if (ka !== kb) return ka - kb;
  const ta = a.split(/(\d+)/);
  const tb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i]!;
    const y = tb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ta.length - tb.length;
}

/** Indexes of the migrations among `files`, in the order they are replayed. */
export function migrationOrder(files: readonly { path: string; type: FileType }[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < files.length; i++) if (files[i]!.type === "migration") out.push(i);
  return out.sort((a, b) => compareMigrations(files[a]!.path, files[b]!.path));
}

/** The migrations by set (`set`, "" when none; see `migrationSet`), each in replay order; sets in the order of their first migration. */
export function migrationSets(files: readonly { path: string; type: FileType; set?: string }[]): Map<string, number[]> {
  const sets = new Map<string, number[]>();
  for (const i of migrationOrder(files)) {
    const set = files[i]!.set ?? "";
    const idx = sets.get(set);
    if (idx) idx.push(i);
    else sets.set(set, [i]);
  }
  return sets;
}
