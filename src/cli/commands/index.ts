// The subcommands, in the order `warden --help` lists them. Each module is loaded only
// when its command runs (or for the full help), so `warden check` does not pay for the
// policy compiler, the formatter or the bundle writer at start-up.
import type { Command } from "commander";

/** A subcommand registers itself on the program; it reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const commandLoaders: Record<string, () => Promise<RegisterCommand>> = {
  check: () => import("./check.js").then((m) => m.registerCheck),
  compile: () => import("./compile.js").then((m) => m.registerCompile),
  fmt: () => import("./fmt.js").then((m) => m.registerFmt),
  rules: () => import("./rules.js").then((m) => m.registerRules),
  explain: () => import("./explain.js").then((m) => m.registerExplain),
  test: () => import("./test.js").then((m) => m.registerTest),
  inspect: () => import("./inspect.js").then((m) => m.registerInspect),
  facts: () => import("./facts.js").then((m) => m.registerFacts),
};

/**
 * The registrations a command line needs: only the named subcommand's when the first
 * word is one, else all of them (top-level help, `help CMD`, or an unknown command that
 * commander should report with the full list).
 */
export async function loadCommands(argv: readonly string[]): Promise<RegisterCommand[]> {
  const first = argv.find((a) => !a.startsWith("-"));
  // `warden --version` needs no subcommand at all
  if (first === undefined && argv.some((a) => a === "-V" || a === "--version")) return [];
  const names = first !== undefined && Object.hasOwn(commandLoaders, first) ? [first] : Object.keys(commandLoaders);
  return Promise.all(names.map((n) => commandLoaders[n]!()));
}
