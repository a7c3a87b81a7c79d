// `warden check` on dbt projects: a stale target/manifest.json never stands in for the model's
// own text (on disk or on stdin), and a Jinja error is reported where the renderer stopped.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gitIn, makeProject } from "../helpers/check-project.js";
import { runWarden } from "../helpers/run.js";

const SOURCES = "version: 2\nsources:\n  - name: s\n    tables:\n      - name: users\n        columns:\n          - name: email\n            tags: [pii]\n";
const OLD = "select id from {{ source('s','users') }}\n";
const EDITED = "select email as e2 from {{ source('s','users') }}\n";
// what `dbt compile` wrote for OLD: raw_code is the stripped file
const MANIFEST = JSON.stringify({
  nodes: { "model.shop.m2": { resource_type: "model", package_name: "shop", original_file_path: "models/m2.sql", raw_code: OLD.trim(), compiled_code: 'select id from "s"."users"' } },
});

const project = (model: string, extra: Record<string, string> = {}) =>
  makeProject({ "dbt_project.yml": "name: shop\n", "models/sources.yml": SOURCES, "models/m2.sql": model, "target/manifest.json": MANIFEST, ...extra });
const findings = (stdout: string) =>
  (JSON.parse(stdout) as { findings: { rule: string; file: string; line: number; column: number; end_line: number; end_column: number; message: string }[] }).findings.map(
    (f) => `${f.rule} ${f.file}:${f.line}:${f.column}-${f.end_line}:${f.end_column} ${f.message}`,
  );
const UNTAGGED = "dbt-pii-untagged models/m2.sql:1:1-1:50 model column e2 carries PII from users.email but is not tagged pii in the model's YAML";

describe("warden check on dbt models with a target/manifest.json", () => {
  it("uses the manifest's SQL for the model text it was compiled from", async () => {
    const p = project(OLD);
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(findings(r.stdout)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it("checks an edited model from its own text, not the stale manifest", async () => {
    const p = project(EDITED);
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(findings(r.stdout)).toContain(UNTAGGED);
    expect(r.code).toBe(1);
  });

  it("checks text given on stdin, not the manifest compiled from the file on disk", async () => {
    const p = project(OLD);
    const r = await runWarden(["check", "-", "--stdin-filename", "models/m2.sql", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env, input: EDITED });
    expect(findings(r.stdout)).toContain(UNTAGGED);
    expect(r.code).toBe(1);
  });
});

describe("warden check on a dbt model whose Jinja cannot be rendered", () => {
  it("reports the error at the renderer's line and column", async () => {
    const p = makeProject({ "dbt_project.yml": "name: shop\n", "models/m.sql": "select 1 as id\nselect email from {{ ref('x') }} {% if %}\n" });
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(findings(r.stdout)).toEqual(["parse-error models/m.sql:2:40-2:41 cannot parse statement: cannot render the model's Jinja: unexpected token: %}"]);
    expect(r.code).toBe(1);
    const pretty = await runWarden(["check", "--no-cache", path.join("models", "m.sql")], { cwd: p.dir, env: p.env });
    expect(pretty.stdout).toContain(
      [
        "models/m.sql:2:40: error[parse-error]: cannot parse statement: cannot render the model's Jinja: unexpected token: %}",
        "  |",
        "2 | select email from {{ ref('x') }} {% if %}",
        "  |                                        ^",
      ].join("\n"),
    );
  });
});

describe("warden check on a dbt project with a broken YAML file", () => {
  it("reports the YAML at the parser's position on every run until it is fixed", async () => {
    const p = makeProject({ "dbt_project.yml": "name: shop\n", "models/schema.yml": "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: email\n        tags: [pii\n", "models/m.sql": "select 1 as id\n" });
    const first = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    const yaml = findings(first.stdout).filter((f) => f.startsWith("dbt-yaml-error"));
    expect(yaml).toHaveLength(1);
    expect(yaml[0]).toMatch(/^dbt-yaml-error models\/schema\.yml:7:1-7:2 cannot parse this dbt YAML file: /);
    expect(first.code).toBe(0); // a warning
    // the result cache does not hide it on the next run
    const again = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(findings(again.stdout)).toEqual(findings(first.stdout));
    const pretty = await runWarden(["check"], { cwd: p.dir, env: p.env });
    expect(pretty.stdout).toContain("models/schema.yml:7:1: warning[dbt-yaml-error]: cannot parse this dbt YAML file");
  });
});

describe("a broken dbt YAML file in a project this change does not touch", () => {
  it("is reported only while one of that project's models is checked", async () => {
    const p = makeProject({
      "a/dbt_project.yml": "name: a\n",
      "a/models/schema.yml": "version: 2\nmodels:\n  - name: ma\n    columns: [\n",
      "a/models/ma.sql": "select 1 as id\n",
      "b/dbt_project.yml": "name: b\n",
      "b/models/mb.sql": "select 1 as id\n",
    });
    const git = gitIn(p.dir);
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "base");
    writeFileSync(path.join(p.dir, "b/models/mb.sql"), "select 2 as id\n");
    const onlyB = await runWarden(["check", "--changed-since", "HEAD", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(findings(onlyB.stdout)).toEqual([]);
    writeFileSync(path.join(p.dir, "a/models/ma.sql"), "select 3 as id\n");
    const withA = await runWarden(["check", "--changed-since", "HEAD", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(findings(withA.stdout).map((f) => f.split(" ").slice(0, 2).join(" "))).toEqual(["dbt-yaml-error a/models/schema.yml:5:1-5:2"]);
  });
});

describe("a dbt project's macro files", () => {
  it("are Jinja macro definitions, not statements: not checked (in macro-paths too)", async () => {
    const p = makeProject({
      "dbt_project.yml": "name: shop\nmacro-paths: [macros, lib]\n",
      "macros/cents.sql": "{% macro cents(col) %}\n  ({{ col }} * 100)::bigint\n{% endmacro %}\n",
      "lib/more.sql": "{% macro twice(x) %}{{ x }} * 2{% endmacro %}\n",
      "models/m.sql": "select 1 as id\n",
      "scripts/q.sql": "SELECT 1;\n",
    });
    const r = await runWarden(["check", "--format", "json", "--no-cache"], { cwd: p.dir, env: p.env });
    expect(findings(r.stdout)).toEqual([]);
    expect(JSON.parse(r.stdout).summary.files).toBe(2);
    expect(r.code).toBe(0);
  });
});
