// Builds CheckErrors in the diagnostic style (`file:line:col: error: message`, code frame,
// `= help:`), so config, policy and input errors read like the compiler's diagnostics.
import { codeFrame, noteIndent } from "../diagnostics/render.js";
import { LineIndex } from "../diagnostics/span.js";
import type { CheckError } from "./types.js";

export interface ErrorAt {
  /** Path as shown to the user. */
  file?: string;
  /** Source text of `file`, for the code frame. */
  text?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export function checkError(kind: CheckError["kind"], message: string, at: ErrorAt = {}, help?: string): CheckError {
  const where = at.file ? `${at.file}${at.line ? `:${at.line}:${at.column ?? 1}` : ""}: ` : "";
  const lines = [`${where}error: ${message}`];
  let pad = "  ";
  if (at.text !== undefined && at.line) {
    const index = new LineIndex(at.text);
    const column = at.column ?? 1;
    const end = { line: at.endLine ?? at.line, column: at.endColumn ?? column + 1, offset: 0 };
    lines.push(codeFrame(index, { file: at.file ?? "", start: { line: at.line, column, offset: 0 }, end }));
    pad = noteIndent(at.line, end.line);
  }
  if (help) lines.push(`${pad}= help: ${help}`);
  const e: CheckError = { kind, message, rendered: lines.join("\n") };
  if (at.file !== undefined) e.file = at.file;
  if (at.line !== undefined) e.line = at.line;
  if (at.line !== undefined) e.column = at.column ?? 1;
  if (help !== undefined) e.help = help;
  return e;
}

/** The message of a Node.js fs error without its syscall noise. */
/**
 * Why a file could not be written after its directory was made: as `fsReason`, except that a
 * path running through a file (`out.txt/report.json`) says so.
 */
export function writeReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOTDIR" || code === "EEXIST" ? "a part of its path is a file, not a directory" : fsReason(err);
}

export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EISDIR":
      return "is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ELOOP":
      return "too many levels of symbolic links";
    default:
      return code ? code.toLowerCase() : String(err instanceof Error ? err.message : err);
  }
}
