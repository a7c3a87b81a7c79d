// The data types of `warden check` as a library: what `runCheck` takes and returns.
// Reporters and the CLI consume only these, so the GitHub Action can reuse them.
import path from "node:path";
import type { Severity } from "../compiler/ir/ir.js";

export type { Severity };
export type FailOn = Severity | "never";
/** The `--fail-on` / `fail_on` values. */
export const FAIL_ON: readonly FailOn[] = ["error", "warning", "info", "never"];
export type FileType = "migration" | "dbt_model" | "retraining" | "sql";

export interface CheckOptions {
  /** Files, directories (recursed for `*.sql`) or globs; default: the config's `include` or `.`. */
  paths?: string[];
  /** Base for relative paths; default `process.cwd()`. */
  cwd?: string;
  /** Config file; default: `warden.config.yaml` in the checked directory or its nearest ancestor. `false`: none. */
  config?: string | false;
  /** `.warden` files/directories compiled on the fly, or one prebuilt `.tar.gz` bundle. */
  policy?: string[];
  /** Overrides the config's `fail_on`; default `error`. */
  failOn?: FailOn;
  /** Only files changed against this git ref, plus untracked ones. */
  changedSince?: string;
  /** Known findings to leave out (see `writeBaseline`). */
  baseline?: string;
  /** Write every current finding to this file as the new baseline. */
  writeBaseline?: string;
  /**
   * Reuse the results of earlier runs for files whose inputs did not change (default: on in
   * the built package, off when running from the sources unless `true`).
   */
  cache?: boolean;
  /** Where the result cache lives; default `results/` in the policy cache directory. */
  cacheDir?: string;
  /**
   * Check this text (e.g. standard input, an editor's unsaved buffer) as the file at `path`
   * (relative to `cwd`; default `stdin.sql`): typed, reported and placed in its project by
   * that path, and standing in for the file there if it exists. Excludes `paths`.
   */
  stdin?: { content: string | Uint8Array; path?: string };
  /** Called as files are processed, for progress display. */
  onProgress?: (done: number, total: number) => void;
}

/** One reported finding; positions are 1-based, `end_column` exclusive. */
export interface CheckFinding {
  rule: string;
  severity: Severity;
  message: string;
  /** Relative to `CheckResult.baseDir`, with `/` separators. */
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  /** One line on how to fix it. */
  help: string;
  /** Link to the rule's documentation ("" when the rule has none). */
  doc: string;
  /** 0-based statement index in the file. */
  statement: number;
  /** Hash of the statement's normalised text: stable when the statement moves. */
  fingerprint: string;
}

export interface RuleInfo {
  id: string;
  title: string;
  severity: Severity;
  help: string;
  /** Documentation link, or "" when the rule has none. */
  doc: string;
}

/** A problem that is not a finding: bad config, bad policy, unreadable input. */
export interface CheckError {
  kind: "usage" | "config" | "policy" | "read";
  message: string;
  file?: string;
  line?: number;
  column?: number;
  help?: string;
  /** The error as the CLI prints it (file:line:col, code frame, help), without colour. */
  rendered: string;
}

/** A warning about the run's input that is not a finding and does not fail the run. */
export interface CheckNote {
  message: string;
  /** The path it is about, as the user named it or relative to `CheckResult.baseDir`. */
  file: string;
  help: string;
  /** As the CLI prints it (on stderr), without colour. */
  rendered: string;
}

export interface Summary {
  files: number;
  statements: number;
  findings: number;
  by_severity: Record<Severity, number>;
  /** Findings left out because a `warden-ignore` comment covers them. */
  suppressed: number;
  /** Findings left out because the baseline lists them. */
  baselined: number;
}

export interface CheckResult {
  /** Reported findings, ordered by file, line, column, rule. */
  findings: CheckFinding[];
  summary: Summary;
  /** The rules the run knew (policy catalogue plus engine rules), by id. */
  rules: RuleInfo[];
  errors: CheckError[];
  /**
   * What the run said without failing over it: a named file that `exclude` lists, a file read
   * only as context that could not be read. Printed as warnings on stderr.
   */
  notes: CheckNote[];
  failOn: FailOn;
  /**
   * Only in a run over several projects whose `fail_on` differ: each reported file's own
   * (see `findingFails`).
   */
  failOnByFile?: Map<string, FailOn>;
  /** 0 nothing fails, 1 failing findings, 2 usage/config error or unreadable input. */
  exitCode: 0 | 1 | 2;
  /** Directory the finding paths are relative to (the config's, or cwd). */
  baseDir: string;
  /** The enclosing git work tree, when there is one (CI formats use paths relative to it). */
  repoRoot?: string;
  configPath?: string;
  /** Text of every file that has a finding, by finding path (for code frames). */
  sources: Map<string, string>;
  /**
   * What the result cache answered, when it was used: checked files whose results were
   * reused, and how many migrations were not replayed because a saved catalog stood in.
   */
  cache?: { known: number; resumedAfter: number };
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Does a finding of this severity fail the run under `failOn`? */
export function fails(severity: Severity, failOn: FailOn): boolean {
  return failOn !== "never" && RANK[severity] >= RANK[failOn];
}

/**
 * A result's path (relative to `baseDir`) as named from the repository root, `/`-separated;
 * as it is when there is no repository or the file is outside it. CI formats and baselines
 * name files so.
 */
export function fromRepoRoot(file: string, place: { baseDir: string; repoRoot?: string | undefined }): string {
  if (!place.repoRoot) return file;
  const rel = path.relative(place.repoRoot, path.resolve(place.baseDir, file));
  return rel === "" || rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

/** Does this finding fail the run: under its project's `fail_on` when projects differ, else the run's. */
export function findingFails(result: Pick<CheckResult, "failOn" | "failOnByFile">, f: Pick<CheckFinding, "severity" | "file">): boolean {
  return fails(f.severity, result.failOnByFile?.get(f.file) ?? result.failOn);
}
