// `warden fmt [--check] PATHS`: rewrites policy files in the canonical layout, or with
// --check lists the files that would change (exit 1) without touching them.
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

export async function runFmt(paths: string[], options: FmtOptions, io: CommandIo): Promise<number> {
  const loaded = await loadPolicySources(paths);
  if (loaded.diagnostics.some((d) => d.severity === "error")) {
    reportDiagnostics(loaded.diagnostics, [], "text", io);
    return 2;
  }
  let failed = false;
  const changed: string[] = [];
  for (const src of loaded.sources) {
    const r = formatPolicy(src.path, src.text);
    if (r.output === undefined) {
      // A file that does not parse has no canonical form: report it and leave it alone.
      reportDiagnostics(r.diagnostics, [src], "text", io);
      failed = true;
      continue;
    }
    if (r.output === src.text) continue;
    changed.push(src.path);
    if (!options.check) await writeFile(src.path, r.output);
  }
  if (options.check) {
    for (const f of changed) io.stdout(`${f}\n`);
    if (changed.length) io.stderr(`${changed.length} file${changed.length === 1 ? "" : "s"} would be reformatted; run \`warden fmt\` on ${changed.length === 1 ? "it" : "them"}\n`);
    return failed || changed.length ? 1 : 0;
  }
  for (const f of changed) io.stdout(`formatted ${f}\n`);
  return failed ? 1 : 0;
}

export const registerFmt: RegisterCommand = (program: Command, setExit) => {
  program
    .command("fmt")
    .description("Format policy files (*.warden) in the canonical layout, keeping comments")
    .argument("<paths...>", "policy files or directories")
    .option("--check", "change nothing; list the files that would change and exit 1 if any")
    .addHelpText("after", "\nExit codes: 0 formatted (or nothing to change), 1 files would change (--check) or do not parse, 2 unreadable input\n")
    .action(async (paths: string[], opts: FmtOptions) => {
      const io: CommandIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), color: Boolean(process.stderr.isTTY) && pc.isColorSupported };
      setExit(await runFmt(paths, opts, io));
    });
};
