// Rewrites commander's usage errors into Warden's diagnostic style: a lowercase message
// with user values in backticks, then `= help:` lines (a "did you mean", the choices,
// where to find usage) — so a typo in an option reads like a typo in a config key.
import { didYouMean } from "../diagnostics/diagnostic.js";

/** The long spelling of an option from its flags (`-f, --format <format>` → `--format`). */
function longFlag(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags.split(/[ ,]/)[0]!;
}

/** commander's "(Did you mean X?)" / "(Did you mean one of X, Y?)" as our help text. */
function suggestion(tail: string | undefined): string | undefined {
  if (!tail) return undefined;
  const m = /\(Did you mean (?:one of )?(.+)\?\)/.exec(tail);
  if (!m) return undefined;
  return `did you mean ${m[1]!
    .split(", ")
    .map((s) => `\`${s}\``)
    .join(" or ")}?`;
}

/**
 * A usage error in Warden's style: the message, its help lines, then where to find usage
 * (`warden COMMAND --help`). Ends with a newline.
 */
export function usageMessage(command: string | undefined, message: string, ...help: (string | undefined)[]): string {
  const usage = `run \`warden${command ? ` ${command}` : ""} --help\` for usage`;
  return [`error: ${message}`, ...[...help, usage].filter((h): h is string => h !== undefined).map((h) => `  = help: ${h}`)].join("\n") + "\n";
}

/**
 * One commander error (its message, without the trailing newline) in Warden's style.
 * `command` is the subcommand the error came from, for the usage pointer.
 */
export function restyleUsageError(raw: string, command?: string): string {
  const text = raw.replace(/\n+$/, "");
  const out = (message: string, ...help: (string | undefined)[]) => usageMessage(command, message, ...help);
  let m: RegExpExecArray | null;
  if ((m = /^error: unknown option '([^']*)'(\n[\s\S]*)?$/.exec(text))) return out(`unknown option \`${m[1]}\``, suggestion(m[2]));
  if ((m = /^error: unknown command '([^']*)'(\n[\s\S]*)?$/.exec(text))) return out(`unknown command \`${m[1]}\``, suggestion(m[2]));
  if ((m = /^error: option '([^']*)' argument '([^']*)' is invalid\. Allowed choices are (.*)\.$/.exec(text))) {
    const choices = m[3]!.split(", ");
    return out(`invalid value \`${m[2]}\` for \`${longFlag(m[1]!)}\``, didYouMean(m[2]!, choices), `use one of ${choices.map((c) => `\`${c}\``).join(", ")}`);
  }
  if ((m = /^error: option '([^']*)' argument '([^']*)' is invalid\. ([\s\S]*)$/.exec(text))) return out(m[3]!.replace(/\.$/, "")); // our own argument parsers' messages say it all
  if ((m = /^error: option '([^']*)' argument missing$/.exec(text))) return out(`option \`${longFlag(m[1]!)}\` needs a value`);
  if ((m = /^error: missing required argument '([^']*)'$/.exec(text))) return out(`missing argument \`${m[1]}\``);
  if ((m = /^error: too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\.$/.exec(text))) {
    return out(`too many arguments: \`warden${m[1] ? ` ${m[1]}` : ""}\` takes ${m[2]}, got ${m[3]}`);
  }
  return out(text.replace(/^error: /, ""));
}
