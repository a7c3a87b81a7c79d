import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findConfig, loadConfig } from "../../src/engine/config.js";

function configFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-config-"));
  const file = path.join(dir, "warden.config.yaml");
  writeFileSync(file, text);
  return file;
}

describe("loadConfig", () => {
  it("accepts every documented key", async () => {
    const file = configFile(
      [
        "$schema: ../schema/config.schema.json",
        "policies: [policies/]",
        "include: ['**/*.sql']",
        "exclude: [legacy/**]",
        "files:",
        "  migration: [migrations/**]",
        "  dbt_model: [dbt/models/**]",
        "  retraining: [retraining/**]",
        "  sql: ['**/*.sql']",
        "classifications:",
        "  pii: [customers.email]",
        "masking_functions: [mask_email]",
        "retraining:",
        "  allowed_schemas: [features]",
        "rules:",
        "  ban-drop-table: warning",
        "  select-star: off",
        "constants:",
        "  migrator_roles: [dba]",
        "fail_on: warning",
        "pg_version: 16",
        "placeholders:",
        "  SCHEMA: app",
      ].join("\n"),
    );
    const r = await loadConfig(file, "warden.config.yaml");
    expect(r.errors).toEqual([]);
    expect(r.loaded!.config.rules).toEqual({ "ban-drop-table": "warning", "select-star": "off" });
    expect(r.loaded!.config.pg_version).toBe(16);
    expect(r.loaded!.dir).toBe(path.dirname(file));
  });

  it("names an unknown key with file, line and column, and suggests the known one", async () => {
    const file = configFile("fail_on: error\npolices:\n  - a.warden\n");
    const r = await loadConfig(file, "cfg/warden.config.yaml");
    expect(r.loaded).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect(e).toMatchObject({ kind: "config", message: "unknown key `polices`", file: "cfg/warden.config.yaml", line: 2, column: 1, help: "did you mean `policies`?" });
    expect(e.rendered).toBe(
      ["cfg/warden.config.yaml:2:1: error: unknown key `polices`", "  |", "2 | polices:", "  | ^^^^^^^", "  = help: did you mean `policies`?"].join("\n"),
    );
  });

  it("reports every wrong type and value at the value's position", async () => {
    const file = configFile("exclude: legacy\nfail_on: sometimes\nfiles:\n  migrations: [a]\nrules:\n  ban-drop-table: loud\npg_version: '15'\n");
    const r = await loadConfig(file, "w.yaml");
    expect(r.errors.map((e) => [e.line, e.column, e.message])).toEqual([
      [1, 10, "`exclude` must be a list"],
      [2, 10, "`fail_on` must be one of `error`, `warning`, `info`, `never`"],
      [4, 3, "unknown key `migrations` in `files`"],
      [6, 19, "`rules.ban-drop-table` must be one of `off`, `error`, `warning`, `info`"],
      [7, 13, "`pg_version` must be an integer"],
    ]);
    expect(r.errors.map((e) => e.help)).toEqual([
      'write a list, even of one: `["legacy"]`',
      undefined,
      "did you mean `migration`?",
      undefined,
      "write the number without quotes: `15`",
    ]);
  });

  it("suggests the nearest allowed value of an enum", async () => {
    const r = await loadConfig(configFile("fail_on: warn\nrules:\n  ban-drop-table: of\n"), "w.yaml");
    expect(r.errors.map((e) => [e.line, e.column, e.help])).toEqual([
      [1, 10, "did you mean `warning`?"],
      [3, 19, "did you mean `off`?"],
    ]);
  });

  it("rejects a badly formed rule id", async () => {
    const r = await loadConfig(configFile("rules:\n  Ban_Drop: off\n"), "w.yaml");
    expect(r.errors.map((e) => [e.line, e.column, e.message])).toEqual([[2, 3, "invalid rule id `Ban_Drop` in `rules`"]]);
  });

  it("reports YAML syntax errors with a position", async () => {
    const r = await loadConfig(configFile("rules:\n  a: [b\n"), "w.yaml");
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.errors[0]!.message).toMatch(/^invalid YAML: /);
    expect(r.errors[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("reports a duplicate key", async () => {
    const r = await loadConfig(configFile("fail_on: error\nfail_on: warning\n"), "w.yaml");
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 2, column: 1 });
    expect(r.errors[0]!.message).toMatch(/^invalid YAML: map keys must be unique/);
  });

  it("treats an empty file as an empty config", async () => {
    const r = await loadConfig(configFile(""), "w.yaml");
    expect(r.errors).toEqual([]);
    expect(r.loaded!.config).toEqual({});
  });

  it("says so when the top level is not a mapping", async () => {
    const r = await loadConfig(configFile("- a\n- b\n"), "w.yaml");
    expect(r.errors.map((e) => [e.line, e.column, e.message])).toEqual([[1, 1, "the config file must be a mapping"]]);
  });
});

describe("findConfig", () => {
  it("finds the nearest ancestor's config", () => {
    const root = mkdtempSync(path.join(tmpdir(), "warden-find-"));
    mkdirSync(path.join(root, "a/b/c"), { recursive: true });
    writeFileSync(path.join(root, "warden.config.yaml"), "");
    writeFileSync(path.join(root, "a/warden.config.yaml"), "");
    expect(findConfig(path.join(root, "a/b/c"))).toBe(path.join(root, "a/warden.config.yaml"));
    expect(findConfig(root)).toBe(path.join(root, "warden.config.yaml"));
  });
});
