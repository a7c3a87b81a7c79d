import { describe, expect, it } from "vitest";
import { runWarden } from "../helpers/run.js";

describe("warden --help", () => {
  it("documents the exit codes and exits 0", async () => {
    const r = await runWarden(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: warden");
    expect(r.stdout).toMatch(/2\s+usage, configuration/);
  });

  it("rejects an unknown command with exit 2", async () => {
    const r = await runWarden(["no-such-command"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command|too many arguments/);
  });
});

describe("warden output into a closed pipe", () => {
  it("exits quietly when the reader goes away (warden rules | true)", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync("bash", ["-c", `node bin/warden.js rules | true; echo "\${PIPESTATUS[0]}"`], {
      cwd: new URL("../../", import.meta.url),
      encoding: "utf8",
    });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.stdout.trim()).toBe("0");
  });
});

describe("subcommand loading", () => {
  const names = ["check", "compile", "fmt", "rules", "explain", "test", "inspect", "facts"];

  it("lists every subcommand in the top-level help", async () => {
    const r = await runWarden(["--help"]);
    for (const n of names) expect(r.stdout).toMatch(new RegExp(`^  ${n}\\b`, "m"));
  });

  it.each(names)("`%s --help` has a lowercase description, examples and its exit codes", async (n) => {
    const r = await runWarden([n, "--help"]);
    const description = r.stdout.split("\n")[2]!;
    expect(description).toMatch(/^[a-z]/);
    expect(r.stdout).toMatch(new RegExp(`\nExamples:\n(  warden ${n === "rules" ? "(rules|explain)" : n}\\b.*\n)+`));
    expect(r.stdout).toMatch(/\nExit codes:\n  0  .+\n(  [12]  .+\n|     .+\n)+\n?$/);
    // every option's description is lowercase too
    for (const line of r.stdout.split("\n").filter((l) => /^  -/.test(l))) expect(line).toMatch(/^  -\S.*?\s{2,}[a-z`.(]/);
  });

  it.each(names)("shows `%s --help` and `help %s` with the command's own usage", async (n) => {
    for (const args of [[n, "--help"], ["help", n]]) {
      const r = await runWarden(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: warden ${n} `);
    }
  });
});

describe("usage errors", () => {
  const usage = (cmd: string) => `  = help: run \`warden${cmd ? ` ${cmd}` : ""} --help\` for usage\n`;
  it.each([
    [["check", "--form", "json"], "error: unknown option `--form`\n  = help: did you mean `--format`?\n" + usage("check")],
    [["check", "--format", "prety"], "error: invalid value `prety` for `--format`\n  = help: did you mean `pretty`?\n  = help: use one of `pretty`, `json`, `sarif`, `github`, `junit`, `gitlab`, `markdown`\n" + usage("check")],
    [["check", "--fail-on", "warn"], "error: invalid value `warn` for `--fail-on`\n  = help: use one of `error`, `warning`, `info`, `never`\n" + usage("check")],
    [["check", "--output"], "error: option `--output` needs a value\n" + usage("check")],
    [["chek"], "error: unknown command `chek`\n  = help: did you mean `check`?\n" + usage("")],
    [["facts"], "error: missing argument `file`\n" + usage("facts")],
    [["explain", "a", "b"], "error: too many arguments: `warden explain` takes 1, got 2\n" + usage("explain")],
    [["compile", "--emit", "asm", "x.warden"], "error: invalid emit kind `asm`: use `ast`, `ir`, `wat`\n" + usage("compile")],
  ])("warden %j: a diagnostic-style message, exit 2", async (args, stderr) => {
    const r = await runWarden(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(stderr);
  });
});

describe("warden --version", () => {
  it("prints the package version and exits 0", async () => {
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = await runWarden([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
    }
  });
});
