// `warden check`: the CI gate. Parses options, runs `runCheck`, prints the report in the
// chosen format, and maps the result to the exit code (0 pass, 1 failing findings, 2 errors).
// The engine and reporters are imported when the command runs, not when the CLI starts.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { RegisterCommand } from "./index.js";
import { usageMessage } from "../usage-errors.js";
import { FAIL_ON, type FailOn } from "../../engine/types.js";

const FORMATS = ["pretty", "json", "sarif", "github", "junit", "gitlab", "markdown"] as const;

interface CheckCommandOptions {
  config?: string;
  policy?: string[];
  format: (typeof FORMATS)[number];
  output?: string;
  failOn?: FailOn;
  changedSince?: string;
  baseline?: string;
  writeBaseline?: string;
  quiet?: boolean;
  /** false with --no-cache */
  cache?: boolean;
  cacheDir?: string;
  stdinFilename?: string;
}

function oneOf<T extends string>(allowed: readonly T[], what: string) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`invalid ${what} \`${v}\`: use ${allowed.map((a) => `\`${a}\``).join(", ")}`);
    return v as T;
  };
}

const HELP_AFTER = `
Paths are files, directories (searched for *.sql, honouring .gitignore and the
config's include/exclude) or globs; default: the config's directory, else ".".
Paths in several projects (each with its own warden.config.yaml) are checked
project by project, each with its own config; findings then name files from the
working directory. Each migrations folder replays into a catalog of its own.

Suppressions, in SQL comments:
  -- warden-ignore RULE[, RULE]: reason       the next statement (or, after code on
                                              its line, that code's statement)
  -- warden-ignore-file RULE: reason          the whole file

Examples:
  warden check
  warden check db/migrations --format sarif --output warden.sarif
  warden check --changed-since origin/main --fail-on warning
  warden check --policy policies/ 'models/**/*.sql'
  pbpaste | warden check - --stdin-filename db/migrations/V9__add_tier.sql

Results of earlier runs are reused for files whose inputs did not change (the file,
every migration of its folder replayed before it, the policy, the config and this version of
Warden); after a new migration only that migration is replayed. --no-cache turns
this off.

Exit codes:
  0  no finding at or above --fail-on
  1  failing findings
  2  usage or configuration error, policy compile error, or unreadable input
     (the other files are still checked and reported)
`;

export const registerCheck: RegisterCommand = (program: Command, setExit) => {
  program
    .command("check")
    .description("check SQL files (migrations, dbt models, retraining SQL) against the policy")
    .argument("[paths...]", "files, directories or globs to check; `-` reads SQL from standard input")
    .option("-c, --config <file>", "config file (default: warden.config.yaml in the checked directory or its nearest ancestor)")
    .option(
      "-p, --policy <paths>",
      "policy: .warden files/directories (compiled and cached) or one bundle .tar.gz; comma-separated or repeated (default: the built-in rules)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(",").filter(Boolean)],
    )
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMATS).default("pretty"))
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .addOption(new Option("--fail-on <level>", "lowest severity that fails the run (default: config fail_on, else error)").choices([...FAIL_ON]))
    .option("--changed-since <ref>", "only files changed since the branch left a git ref (their merge base), plus untracked ones and the files a change reaches (all after a config or policy change, a dbt project's models after its YAML changed, later migrations of an edited folder)")
    .option("--baseline <file>", "leave out the findings listed in this baseline")
    .option("--write-baseline <file>", "write the current findings to a baseline file")
    .option("-q, --quiet", "report only failing findings; no summary line or progress")
    .option("--stdin-filename <path>", "with `-` as the path: the file that standard input stands for (its type, project and the path findings name; default stdin.sql)")
    .option("--no-cache", "check every file afresh, ignoring (and not writing) the results of earlier runs")
    .option("--cache-dir <dir>", "where results of earlier runs are kept (default: results/ in the policy cache: node_modules/.cache/warden, $XDG_CACHE_HOME/warden or ~/.cache/warden)")
    .addHelpText("after", HELP_AFTER)
    .action(async (paths: string[], options: CheckCommandOptions) => {
      setExit(await runCheckCommand(paths, options));
    });
};

async function runCheckCommand(paths: string[], options: CheckCommandOptions): Promise<number> {
  // `-`: SQL from standard input, as an editor or a pipe gives it
  let stdin: { content: Uint8Array; path?: string } | undefined;
  if (paths.includes("-")) {
    if (paths.length > 1) return usageError("`-` (standard input) cannot be combined with other paths", "check the other paths in another run");
    try {
      stdin = { content: readFileSync(0), ...(options.stdinFilename !== undefined ? { path: options.stdinFilename } : {}) };
    } catch (err) {
      const { fsReason } = await import("../../engine/errors.js");
      return usageError(`cannot read standard input: ${fsReason(err)}`);
    }
    paths = [];
  } else if (options.stdinFilename !== undefined) {
    return usageError("`--stdin-filename` names the file that standard input stands for, but no path is `-`", "pass `-` as the path: `warden check - --stdin-filename " + options.stdinFilename + "`");
  }
  const [{ runCheck }, { formatReport }] = await Promise.all([import("../../engine/check.js"), import("../../report/index.js")]);
  const tty = process.stderr.isTTY === true;
  const progress = tty && !options.quiet ? progressBar() : undefined;
  const result = await runCheck({
    paths,
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.failOn ? { failOn: options.failOn } : {}),
    ...(options.changedSince !== undefined ? { changedSince: options.changedSince } : {}),
    ...(options.baseline ? { baseline: options.baseline } : {}),
    ...(options.writeBaseline ? { writeBaseline: options.writeBaseline } : {}),
    ...(options.cache === false ? { cache: false } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(stdin ? { stdin } : {}),
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.done();
  // warnings about the input that do not fail the run (an excluded named file, …)
  if (result.notes.length > 0) process.stderr.write(result.notes.map((n) => n.rendered).join("\n\n") + "\n");
  // a run that never got to the files (bad config, bad policy) prints only its errors
  const ran = !result.errors.some((e) => e.kind === "config" || e.kind === "policy" || e.kind === "usage") || result.summary.files > 0;
  if (ran) {
    const color = !options.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const report = await formatReport(result, options.format, { color, quiet: options.quiet === true });
    if (options.output) {
      try {
        // `-o reports/warden.sarif` in a fresh CI checkout: make the directory
        mkdirSync(path.dirname(options.output), { recursive: true });
        writeFileSync(options.output, report);
      } catch (err) {
        const { writeReason } = await import("../../engine/errors.js");
        const reason = writeReason(err);
        // the run's own errors still matter: print them before the one about the report
        printErrors(result.errors);
        process.stderr.write(
          `error: cannot write the report to \`${options.output}\`: ${reason}\n  = help: pass \`--output\` a file in a writable directory, or leave it out to print the report\n`,
        );
        return 2;
      }
    } else process.stdout.write(report);
  }
  printErrors(result.errors);
  return result.exitCode;
}

function printErrors(errors: readonly { rendered: string }[]): void {
  if (errors.length) process.stderr.write(errors.map((e) => e.rendered).join("\n\n") + "\n");
}

/** A usage error in the diagnostic style; exit code 2. */
function usageError(message: string, help?: string): number {
  process.stderr.write(usageMessage("check", message, help));
  return 2;
}

/** A one-line progress bar on stderr, shown only once a run has taken over a second. */
function progressBar(): { update(done: number, total: number): void; done(): void } {
  const start = Date.now();
  let drawn = false;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - start < 1000 || (now - last < 50 && done < total)) return;
      last = now;
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : width;
      process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} files`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write("\r\x1b[2K");
    },
  };
}
