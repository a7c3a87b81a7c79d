// The pre-commit hook definition: its entry is a real `warden check` invocation that,
// given the staged files as pre-commit passes them, checks them in their project's context.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { gateProject } from "../helpers/check-project.js";
import { REPO_ROOT, runWarden } from "../helpers/run.js";

describe(".pre-commit-hooks.yaml", () => {
  const hooks = parse(readFileSync(path.join(REPO_ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Record<string, unknown>[];

  it("defines one node hook over SQL files that runs warden check", () => {
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(hook).toMatchObject({ id: "warden-check", language: "node", pass_filenames: true, entry: "warden check" });
    const files = new RegExp(hook.files as string);
    expect(["db/migrations/V1__init.sql", "models/a.sql"].every((f) => files.test(f))).toBe(true);
    expect(files.test("README.md")).toBe(false);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain((hook.entry as string).split(" ")[0]);
  });

  it("fails a commit that stages a violating file, and passes one that does not", async () => {
    const p = gateProject();
    const args = (hooks[0]!.entry as string).split(" ").slice(1);
    const bad = await runWarden([...args, "migrations/002_drop.sql"], { cwd: p.dir, env: p.env });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("migrations/002_drop.sql:2:12: error[no-drop]: DROP TABLE old_orders destroys data");
    const good = await runWarden([...args, "migrations/001_init.sql", "sql/report.sql"], { cwd: p.dir, env: p.env });
    expect(good.code).toBe(0);
  });
});
