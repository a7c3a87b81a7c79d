// Baselines: a file of known findings that `warden check --baseline` leaves out, so a team
// can adopt a rule without fixing every old statement first. Findings match on rule + file +
// statement fingerprint (not line numbers), counted, so moving a statement keeps it matched.
import { readFileSync, writeFileSync } from "node:fs";
import { checkError, fsReason, type ErrorAt } from "./errors.js";
import type { CheckError, CheckFinding } from "./types.js";

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

const key = (f: { rule: string; file: string; fingerprint: string }) => `${f.rule}\0${f.file}\0${f.fingerprint}`;

export function readBaseline(file: string, shown: string): { counts?: Map<string, number>; error?: CheckError } {
  let data: unknown;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { error: checkError("usage", `cannot read baseline \`${shown}\`: ${fsReason(err)}`) };
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

/** Splits findings into new ones and ones the baseline already lists (consuming its counts). */
export function applyBaseline(findings: CheckFinding[], counts: Map<string, number>): { kept: CheckFinding[]; baselined: number } {
  const left = new Map(counts);
  const kept: CheckFinding[] = [];
  let baselined = 0;
  for (const f of findings) {
    const k = key(f);
    const n = left.get(k) ?? 0;
    if (n > 0) {
      left.set(k, n - 1);
      baselined++;
    } else kept.push(f);
  }
  return { kept, baselined };
}

export function writeBaseline(file: string, findings: CheckFinding[]): void {
  const entries: BaselineEntry[] = findings
    .map((f) => ({ rule: f.rule, file: f.file, fingerprint: f.fingerprint, message: f.message }))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  const body: BaselineFile = { version: 1, findings: entries };
  writeFileSync(file, JSON.stringify(body, null, 2) + "\n");
}
