// The registered subcommands, in the order `warden --help` lists them.
import type { Command } from "commander";

/** A subcommand registers itself on the program; it reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const commands: RegisterCommand[] = [];
