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
