// Baselines: a file of known findings that `warden check --baseline` leaves out, so a team
// can adopt a rule without fixing every old statement first. Findings match on rule + file +
// statement fingerprint (not line numbers), counted, so moving a statement keeps it matched.
// Files are keyed by their path from the repository root when there is one, so a run from a
// pre-commit hook (several projects, paths from the working directory) and one from CI (one
// project, paths from its config) agree on one baseline.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkError, fsReason, writeReason, type ErrorAt } from "./errors.js";
import { fromRepoRoot, type CheckError, type CheckFinding } from "./types.js";

export interface BaselineEntry {
  rule: string;
  file: string;
  fingerprint: string;
  /** For people reading the file; not used for matching. */
  message: string;
}

export interface BaselineFile {
  version: 1;
  findings: BaselineEntry[];
}

/** Where the findings' paths start, and the repository root they are keyed from. */
export interface BaselinePlace {
  baseDir: string;
  repoRoot?: string | undefined;
}

const key = (f: { rule: string; file: string; fingerprint: string }, file = f.file) => `${f.rule}\0${file}\0${f.fingerprint}`;

/** A finding's file as a baseline names it: from the repository root, else as reported. */
function keyPath(file: string, place: BaselinePlace | undefined): string {
  return place ? fromRepoRoot(file, place) : file;
}

const WRITE_ONE = (shown: string) => `write one with \`warden check --write-baseline ${shown}\``;

export function readBaseline(file: string, shown: string): { counts?: Map<string, number>; error?: CheckError } {
  let data: unknown;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const help = code === "ENOENT" ? `check the path (from the working directory), or ${WRITE_ONE(shown)}` : code === "EISDIR" ? "`--baseline` takes the file `--write-baseline` wrote" : "make the file readable";
    return { error: checkError("usage", `cannot read baseline \`${shown}\`: ${fsReason(err)}`, {}, help) };
  }
  try {
    data = JSON.parse(text);
  } catch (err) {
    // point at the parser's position, as for a config file
    const message = err instanceof Error ? err.message : String(err);
    const pos = /at position (\d+)/.exec(message) ?? (/^Unexpected end of JSON input/.test(message) ? [, String(text.length)] : null);
    let at: ErrorAt = { file: shown };
    if (pos) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset);
      at = { file: shown, text, line: before.split("\n").length, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
    }
    const why = message
      .replace(/ in JSON at position \d+.*$/, "")
      .replace(/^Unexpected end of JSON input$/, "unexpected end of file")
      .replace(/^Unexpected token '(.+?)', .* is not valid JSON$/s, "unexpected `$1`");
    return { error: checkError("usage", `baseline is not valid JSON: ${why.charAt(0).toLowerCase()}${why.slice(1)}`, at, "write one with `warden check --write-baseline FILE`") };
  }
  const findings = (data as BaselineFile | null)?.findings;
  if ((data as BaselineFile | null)?.version !== 1 || !Array.isArray(findings)) {
    return { error: checkError("usage", `\`${shown}\` is not a warden baseline`, {}, "write one with `warden check --write-baseline FILE`") };
  }
  const counts = new Map<string, number>();
  for (const e of findings) {
    if (typeof e?.rule !== "string" || typeof e.file !== "string" || typeof e.fingerprint !== "string") continue;
    counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  }
  return { counts };
}

/**
 * Splits findings into new ones and ones the baseline already lists (consuming its counts).
 * With `place`, an entry names the file from the repository root; a baseline written before
 * that names it as the run reported it, which is tried next.
 */
export function applyBaseline(findings: CheckFinding[], counts: Map<string, number>, place?: BaselinePlace): { kept: CheckFinding[]; baselined: number } {
  const left = new Map(counts);
  const kept: CheckFinding[] = [];
  let baselined = 0;
  const take = (k: string) => {
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    return n > 0;
  };
  for (const f of findings) {
    const file = keyPath(f.file, place);
    if (take(key(f, file)) || (file !== f.file && take(key(f)))) baselined++;
    else kept.push(f);
  }
  return { kept, baselined };
}

/** Writes the findings as a baseline, making its directory (as `--output` does); throws fs errors. */
export function writeBaseline(file: string, findings: CheckFinding[], place?: BaselinePlace): void {
  const entries: BaselineEntry[] = findings
    .map((f) => ({ rule: f.rule, file: keyPath(f.file, place), fingerprint: f.fingerprint, message: f.message }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  const body: BaselineFile = { version: 1, findings: entries };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(body, null, 2) + "\n");
}

/** The error for a baseline `writeBaseline` could not write (`shown` as the user named it). */
export function baselineWriteError(shown: string, err: unknown): CheckError {
  return checkError("usage", `cannot write baseline \`${shown}\`: ${writeReason(err)}`, {}, "pass `--write-baseline` a file in a writable directory");
}
