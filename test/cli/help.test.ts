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

  it.each(names)("shows `%s --help` and `help %s` with the command's own usage", async (n) => {
    for (const args of [[n, "--help"], ["help", n]]) {
      const r = await runWarden(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: warden ${n} `);
    }
  });
});
