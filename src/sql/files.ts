// File typing and migration order: the small part of fact extraction that `warden check`
// needs before it knows whether anything must be parsed (a cached run never loads the parser).
import path from "node:path";
import picomatch from "picomatch";
import type { FileType } from "./facts.js";

export const DEFAULT_MASKING = ["md5", "sha224", "sha256", "sha384", "sha512", "digest", "hmac", "crypt", "anon.*"];

// ---- file types -------------------------------------------------------------------------

/**
 * The type of a file: the configured globs (matched against `relPath`, relative to the
 * config's directory), then dbt model paths, then folder names. Folder names are read from
 * `folderPath` when given (`typingPath`: the whole path within the repository), so a file
 * under `db/migrations/` is a migration even when the run starts inside that folder.
 */
export function fileTypeOf(relPath: string, opts: { globs?: Partial<Record<FileType, string[]>>; dbtModelPaths?: string[]; folderPath?: string } = {}): FileType {
  const p = relPath.replace(/\\/g, "/").replace(/^\.\//, "");
  for (const type of ["migration", "dbt_model", "retraining", "sql"] as FileType[]) {
    const globs = opts.globs?.[type];
    if (globs?.length && picomatch(globs, { dot: true })(p)) return type;
  }
  for (const mp of opts.dbtModelPaths ?? []) {
    const prefix = mp.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/$/, "");
    if (prefix && (p.startsWith(prefix + "/") || p === prefix)) return "dbt_model";
  }
  const folders = (opts.folderPath ?? p).replace(/\\/g, "/");
  const dirs = folders.split("/").slice(0, -1).map((d) => d.toLowerCase());
  if (dirs.includes("migrations") || dirs.includes("migration") || folders.toLowerCase().includes("db/migrate/")) return "migration";
  if (dirs.includes("retraining") || dirs.includes("training")) return "retraining";
  return "sql";
}

/**
 * The path whose folder names type a file by default: relative to the repository root when
 * the file is inside one, else absolute. Never relative to where the run started, which
 * would make `cd db/migrations && warden check` see no migrations.
 */
export function typingPath(absPath: string, repoRoot: string | undefined): string {
  const abs = absPath.split(path.sep).join("/");
  if (repoRoot) {
    const root = repoRoot.split(path.sep).join("/").replace(/\/$/, "");
    if (abs.startsWith(root + "/")) return abs.slice(root.length + 1);
  }
  return abs;
}

// ---- migration order --------------------------------------------------------------------

/** Natural order of migration paths: digit runs compare as numbers (V2 < V10, timestamps). */
export function compareMigrations(a: string, b: string): number {
  const down = (p: string) => /(^|[._/-])down\.sql$/i.test(p);
  const repeatable = (p: string) => /(^|\/)R__[^/]*$/.test(p);
  const ka = (down(a) ? 2 : 0) + (repeatable(a) ? 1 : 0);
  const kb = (down(b) ? 2 : 0) + (repeatable(b) ? 1 : 0);
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
