// The `warden` command line: one commander program, one module per subcommand.
// Exit codes: 0 success / no failing findings, 1 failing findings or failed tests,
// 2 usage, configuration or input errors.
import { Command, CommanderError } from "commander";
import { loadCommands } from "./commands/index.js";
import { restyleUsageError } from "./usage-errors.js";
import { VERSION } from "../version.js";

/** A closed pipe on stdout (`warden rules | head`) ends the run quietly, as in other CLIs. */
function exitQuietlyOnEpipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnEpipe();
  const program = new Command("warden")
    .description("Policy-as-code compiler and CI gate for database governance")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(restyleUsageError(s)),
    });
  program.addHelpText(
    "after",
    "\nExit codes:\n  0  no failing findings (or the command succeeded)\n  1  failing findings, failed policy tests, or compile errors\n  2  usage, configuration or unreadable-input errors\n",
  );
  let exitCode = 0;
  for (const register of await loadCommands(argv)) {
    register(program, (code) => {
      exitCode = Math.max(exitCode, code);
    });
  }
  // usage errors name the subcommand whose --help explains it
  for (const sub of program.commands) sub.configureOutput({ outputError: (s, write) => write(restyleUsageError(s, sub.name())) });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
      return 2;
    }
    process.stderr.write(`warden: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
  }
  return exitCode;
}
