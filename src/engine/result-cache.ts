// Results of earlier runs, so that `warden check` does again only what changed.
//
// A file's findings depend on its own text and on everything replayed before it: the
// catalog after the earlier migrations of its set, the policy, the configuration. So each
// file gets a key that covers exactly that: the migrations of a set chain their keys in
// replay order (an edit to one migration changes the keys of every later one in its set,
// and of no other set's); other files (dbt models, plain and retraining SQL) come after the
// migrations and each other, so their keys cover all of those, plus the contents of the
// dbt projects' own files (YAML, macros, manifest).
//
// A run whose checked files all hit loads neither the SQL parser nor the policy's wasm.
// Otherwise, for each set whose chain still agrees with where a previous run ended it (the
// usual case: a new migration at the end), the catalog saved then is restored and only the
// migrations after it are replayed; files that hit are not evaluated again.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FileType } from "../sql/facts.js";
import { migrationSets } from "../sql/files.js";
import { dbtProjectFiles, dbtProjectFinder, dbtProjectRoot } from "./dbt-paths.js";
import type { CheckFinding } from "./types.js";

/** What a checked file contributed to a run. */
export interface CachedFile {
  findings: CheckFinding[];
  suppressed: number;
  statements: number;
}

/**
 * A finding as stored: a tuple (arrays decode faster than objects, and the index is read on
 * every run); the file is the entry's, and help and doc are left out (null) when they are
 * the rule's own.
 */
type StoredFinding = [rule: string, severity: CheckFinding["severity"], message: string, line: number, column: number, endLine: number, endColumn: number, statement: number, fingerprint: string, help: string | null, doc: string | null];

interface StoredFile {
  findings: StoredFinding[];
  suppressed: number;
  statements: number;
}

const SEVERITIES = new Set(["error", "warning", "info"]);

function wellFormed(t: unknown): t is StoredFinding {
  if (!Array.isArray(t) || t.length !== 11) return false;
  const [rule, severity, message, line, column, endLine, endColumn, statement, fingerprint, help, doc] = t as unknown[];
  const num = (x: unknown) => typeof x === "number" && Number.isInteger(x);
  const optString = (x: unknown) => x === null || typeof x === "string";
  return typeof rule === "string" && SEVERITIES.has(severity as string) && typeof message === "string" && num(line) && num(column) && num(endLine) && num(endColumn) && num(statement) && typeof fingerprint === "string" && optString(help) && optString(doc);
}

/** A rule's own help and doc link, which stored findings leave out. */
export type RuleDefaults = (rule: string) => { help: string; doc: string } | undefined;

interface Stored {
  format: typeof FORMAT;
  files: Record<string, StoredFile>;
  /** keys of the migrations after which the saved catalogs were taken (one per set) */
  catalogsAfter?: string[];
}

const FORMAT = 3;

export interface CacheInput {
  path: string;
  absPath: string;
  type: FileType;
  text: string;
  /** a migration's set (see `migrationSet`) */
  set?: string;
}

export interface FileKeys {
  /** one key per input, in input order */
  keys: string[];
  /** input indexes of the migrations by set, each in replay order (see `migrationSets`) */
  sets: Map<string, number[]>;
}

const sha1 = () => createHash("sha1");

/**
 * Keys of every input. `seed` covers what applies to all files (build, policy, data,
 * extraction options). Inputs must be given in the same order as to `extractProject`.
 */
export async function fileKeys(inputs: readonly CacheInput[], seed: string): Promise<FileKeys> {
  const keys: string[] = new Array(inputs.length);
  const sets = migrationSets(inputs);
  const rest = sha1().update(seed).update("\0rest");
  for (const idx of sets.values()) {
    let chain = seed;
    for (const i of idx) {
      const f = inputs[i]!;
      chain = sha1().update(chain).update("\0m\0").update(f.path).update("\0").update(f.text).digest("hex");
      keys[i] = chain;
    }
    rest.update("\0").update(chain);
  }
  let any = false;
  for (const f of inputs) {
    if (f.type === "migration") continue;
    any = true;
    rest.update("\0").update(f.type).update("\0").update(f.path).update("\0").update(f.text);
  }
  if (!any) return { keys, sets };
  rest.update(await dbtDigest(inputs));
  const restKey = rest.digest("hex");
  inputs.forEach((f, i) => {
    if (f.type !== "migration") keys[i] = sha1().update(restKey).update("\0").update(f.path).digest("hex");
  });
  return { keys, sets };
}

/**
 * The files of the dbt projects the models belong to (YAML, macros, a compiled manifest), by
 * path and content: rendering reads them from disk, not from the inputs. (Not by size and
 * modification time: an edit that keeps both, e.g. a copy with `cp -p`, would go unseen.)
 */
async function dbtDigest(inputs: readonly CacheInput[]): Promise<string> {
  const roots = new Set<string>();
  const projectOf = dbtProjectFinder();
  for (const f of inputs) if (f.type === "dbt_model") roots.add(dbtProjectRoot(f.absPath, projectOf));
  // the inputs themselves are in the key already, with the text that was read
  const read = new Set(inputs.map((f) => f.absPath));
  const h = sha1();
  for (const root of [...roots].sort()) {
    h.update("\0root\0").update(root);
    const files = await dbtProjectFiles(root);
    for (const rel of files) {
      if (read.has(path.join(root, rel))) continue;
      h.update(`\0${rel}\0`);
      try {
        h.update(readFileSync(path.join(root, rel)));
      } catch {
        h.update("\0gone");
      }
    }
  }
  return h.digest("hex");
}



/**
 * The seed of every key: this build of Warden on this Node.js (the saved catalog is v8
 * serialised; Unicode tables can differ), and everything a run applies to all files.
 */
export function cacheSeed(parts: { build: string; bundle: Uint8Array; data: unknown; extract: unknown }): string {
  return sha1().update(parts.build).update("\0").update(process.version).update("\0").update(parts.bundle).update("\0").update(JSON.stringify(parts.data)).update("\0").update(JSON.stringify(parts.extract)).digest("hex");
}

/** One scope's cache (a base directory's): two files in the cache directory. */
export class ResultCache {
  private readonly stored: Stored;
  private readonly next: Record<string, StoredFile> = {};
  private readonly catalogs: { after: string; bytes: Uint8Array }[] = [];

  private constructor(
    private readonly file: string,
    stored: Stored | undefined,
  ) {
    this.stored = stored ?? { format: FORMAT, files: {} };
  }

  /** Opens the cache of `baseDir` in `dir`; an unreadable or foreign file is an empty cache. */
  static open(dir: string, baseDir: string): ResultCache {
    const scope = sha1().update(path.resolve(baseDir)).digest("hex").slice(0, 16);
    const file = path.join(dir, `check-${scope}.json`);
    let stored: Stored | undefined;
    try {
      const s = JSON.parse(readFileSync(file, "utf8")) as Stored;
      if (s && s.format === FORMAT && s.files !== null && typeof s.files === "object" && !Array.isArray(s.files)) stored = s;
    } catch {
      // no cache yet, or a broken one: start afresh
    }
    return new ResultCache(file, stored);
  }

  /** Whether anything was stored before (a first run starts the parser early instead). */
  get empty(): boolean {
    return Object.keys(this.stored.files).length === 0;
  }

  /** The entry of `key` as findings of `file`, or undefined. */
  get(key: string, file: string, defaults: RuleDefaults): CachedFile | undefined {
    const e = Object.hasOwn(this.stored.files, key) ? this.stored.files[key] : undefined;
    // an entry that is not what this version writes (a hand-edited or damaged file) is a miss
    if (!e || typeof e !== "object" || !Array.isArray(e.findings) || !e.findings.every(wellFormed) || typeof e.suppressed !== "number" || typeof e.statements !== "number") return undefined;
    // kept as stored, so that an entry that goes on to the next run is not packed again
    this.next[key] = e;
    const findings = e.findings.map(([rule, severity, message, line, column, end_line, end_column, statement, fingerprint, help, doc]): CheckFinding => {
      const d = help === null || doc === null ? defaults(rule) : undefined;
      return { rule, severity, message, line, column, end_line, end_column, statement, file, help: help ?? d?.help ?? "", doc: doc ?? d?.doc ?? "", fingerprint };
    });
    return { findings, suppressed: e.suppressed, statements: e.statements };
  }

  /** Keeps an entry for the next run. */
  set(key: string, entry: CachedFile, defaults: RuleDefaults): void {
    if (Object.hasOwn(this.next, key)) return; // a hit: already kept as it was stored
    const findings = entry.findings.map((f): StoredFinding => {
      const d = defaults(f.rule);
      return [f.rule, f.severity, f.message, f.line, f.column, f.end_line, f.end_column, f.statement, f.fingerprint, d && d.help === f.help ? null : f.help, d && d.doc === f.doc ? null : f.doc];
    });
    this.next[key] = { findings, suppressed: entry.suppressed, statements: entry.statements };
  }

  /** Whether a catalog was saved after the migration keyed `after`. */
  hasCatalog(after: string): boolean {
    return this.stored.catalogsAfter?.includes(after) ?? false;
  }

  /**
   * The catalog saved after the migration keyed `after` (bytes of `Catalog#snapshot`). The
   * catalog file names its parts' keys and sizes in its first line, so a catalog file and an
   * index written by two runs at once are never paired wrongly.
   */
  readCatalog(after: string): Uint8Array | undefined {
    try {
      const bytes = readFileSync(this.catalogFile);
      const nl = bytes.indexOf(10);
      const head = JSON.parse(bytes.subarray(0, nl).toString("utf8")) as [string, number][];
      let at = nl + 1;
      for (const [key, size] of head) {
        if (key === after) return at + size <= bytes.length ? bytes.subarray(at, at + size) : undefined;
        at += size;
      }
    } catch {
      // no catalog file, or not one this version writes
    }
    return undefined;
  }

  /** Saves a catalog to resume from next time: its set's state after the migration keyed `after`. */
  setCatalog(after: string, bytes: Uint8Array): void {
    this.catalogs.push({ after, bytes });
  }

  private get catalogFile(): string {
    return this.file.replace(/\.json$/, ".catalog");
  }

  /**
   * Writes what this run used and made, then as many older entries as fit under `limit`
   * (runs that check different files of one project, like pre-commit hooks, keep each
   * other's entries; entries of files that changed since age out). Atomic per file (write,
   * then rename); a cache that cannot be written is left alone: caching never fails a run.
   */
  save(limit: number): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const files: Record<string, StoredFile> = { ...this.next };
      let room = limit - Object.keys(files).length;
      for (const [k, v] of Object.entries(this.stored.files)) {
        if (room <= 0) break;
        if (Object.hasOwn(files, k)) continue;
        files[k] = v;
        room--;
      }
      const stored: Stored = { format: FORMAT, files };
      if (this.catalogs.length) {
        const head = JSON.stringify(this.catalogs.map((c) => [c.after, c.bytes.length]));
        writeAtomic(this.catalogFile, Buffer.concat([Buffer.from(head + "\n"), ...this.catalogs.map((c) => c.bytes)]));
        stored.catalogsAfter = this.catalogs.map((c) => c.after);
      }
      writeAtomic(this.file, JSON.stringify(stored));
    } catch {
      // read-only or full cache directory: the next run simply does everything
    }
  }
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  // unique per writer: containers sharing a cache volume may run with the same pid
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
