// The registered subcommands, in the order `warden --help` lists them.
import type { Command } from "commander";
import { registerCompile } from "./compile.js";
import { registerFmt } from "./fmt.js";
import { registerCheck } from "./check.js";
import { registerRules } from "./rules.js";
import { registerExplain } from "./explain.js";
import { registerTest } from "./test.js";
import { registerInspect } from "./inspect.js";
import { registerFacts } from "./facts.js";

/** A subcommand registers itself on the program; it reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const commands: RegisterCommand[] = [registerCheck, registerCompile, registerFmt, registerRules, registerExplain, registerTest, registerInspect, registerFacts];
