// `warden fmt [--check] PATHS|-`: rewrites policy files in the canonical layout, or with
// --check lists the files that would change (exit 1) without touching them; `-` formats
// standard input to standard output.
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import pc from "picocolors";
import { formatPolicy } from "../../compiler/fmt/format.js";
import { loadPolicySources } from "../../compiler/pipeline.js";
import { reportDiagnostics, type CommandIo } from "./compile.js";
import type { RegisterCommand } from "./index.js";

export interface FmtOptions {
  check?: boolean;
}

/** The name standard input goes by, in diagnostics and in the `--check` list. */
export const STDIN_NAME = "<stdin>";

const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Output contract, the same with and without --check: stdout carries only the result
 * (the files changed or that would change, or with `-` the formatted text), stderr the
 * diagnostics and the one-line summary. Unchanged files print nothing.
 */
export async function runFmt(paths: string[], options: FmtOptions, io: CommandIo, readStdin: () => Promise<string> = () => readAll(process.stdin)): Promise<number> {
  if (paths.includes("-")) {
    if (paths.length > 1) {
      io.stderr("error: `-` (standard input) cannot be combined with other paths\n  = help: run `warden fmt -` on its own, or list the files\n");
      return 2;
    }
    return fmtStdin(await readStdin(), options, io);
  }
  const loaded = await loadPolicySources(paths);
  if (loaded.diagnostics.some((d) => d.severity === "error")) {
    reportDiagnostics(loaded.diagnostics, [], "text", io);
    return 2;
  }
  let failed = 0;
  const changed: string[] = [];
  for (const src of loaded.sources) {
    const r = formatPolicy(src.path, src.text);
    if (r.output === undefined) {
      // A file that does not parse has no canonical form: report it and leave it alone.
      reportDiagnostics(r.diagnostics, [src], "text", io);
      failed++;
      continue;
    }
    if (r.output === src.text) continue;
    changed.push(src.path);
    if (!options.check) await writeFile(src.path, r.output);
  }
  for (const f of changed) io.stdout(options.check ? `${f}\n` : `formatted ${f}\n`);
  if (options.check && changed.length) io.stderr(`${files(changed.length)} would be reformatted; run \`warden fmt\` on ${changed.length === 1 ? "it" : "them"}\n`);
  if (failed) io.stderr(`${files(failed)} could not be formatted: fix the syntax errors above\n`);
  return failed || (options.check && changed.length) ? 1 : 0;
}

/** `warden fmt -`: standard input to standard output (with --check, only the verdict). */
function fmtStdin(text: string, options: FmtOptions, io: CommandIo): number {
  const r = formatPolicy(STDIN_NAME, text);
  if (r.output === undefined) {
    reportDiagnostics(r.diagnostics, [{ path: STDIN_NAME, text }], "text", io);
    io.stderr(`${STDIN_NAME} could not be formatted: fix the syntax errors above\n`);
    return 1;
  }
  if (!options.check) {
    io.stdout(r.output);
    return 0;
  }
  if (r.output === text) return 0;
  io.stdout(`${STDIN_NAME}\n`);
  io.stderr(`${STDIN_NAME} would be reformatted\n`);
  return 1;
}

export const registerFmt: RegisterCommand = (program: Command, setExit) => {
  program
    .command("fmt")
    .description("format policy files (*.warden) in the canonical layout, keeping comments")
    .argument("<paths...>", "policy files or directories, or `-` to format standard input to standard output")
    .option("--check", "change nothing; list the files that would change (stdout) and exit 1 if any")
    .addHelpText(
      "after",
      "\nFiles already in the canonical layout are left alone and not listed. The files changed (or\nthat would change) go to stdout, diagnostics and the summary to stderr.\n\nExamples:\n  warden fmt policies/\n  warden fmt --check policies/ rules/\n  warden fmt - < policy.warden > formatted.warden\n\nExit codes:\n  0  formatted, or nothing to change\n  1  files would change (--check), or do not parse\n  2  unreadable input or usage error\n",
    )
    .action(async (paths: string[], opts: FmtOptions) => {
      const io: CommandIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), color: Boolean(process.stderr.isTTY) && pc.isColorSupported };
      setExit(await runFmt(paths, opts, io));
    });
};
