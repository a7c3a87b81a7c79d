// The built-in library's own test blocks pass on both engines with every rule covered,
// and the runner reports failures with the case's position, expected and got.
import { describe, expect, it } from "vitest";
import { defaultData } from "../../src/compiler/ir/interpret.js";
import { compileSources } from "../../src/compiler/pipeline.js";
import { compileLibrary } from "../../src/rules/builtin.js";
import { harnessFor } from "../../src/rules/engines.js";
import { deepMerge, runPolicyTests, withCaseConfig } from "../../src/rules/test-runner.js";

const { result } = compileLibrary();

describe("built-in test blocks", () => {
  for (const engine of ["wasm", "interpreter"] as const) {
    it(`all pass on the ${engine} engine`, async () => {
      const ir = result.ir!;
      const run = await runPolicyTests(ir, result.tests!, defaultData(ir), await harnessFor(engine, ir));
      const failed = run.results.filter((r) => !r.passed).map((r) => `${r.span.file}:${r.span.start.line}: expected ${r.expected}, got ${r.got}`);
      expect(failed).toEqual([]);
      expect(run.results.length).toBeGreaterThanOrEqual(170);
      expect(run.orphans).toEqual([]);
    });
  }

  it("covers every rule, each with a firing case", async () => {
    const ir = result.ir!;
    const run = await runPolicyTests(ir, result.tests!, defaultData(ir), await harnessFor("interpreter", ir));
    expect(run.coverage.filter((c) => c.cases === 0)).toEqual([]);
    // retraining-scope fires only with data.warden.config.retraining.allowed_schemas: its
    // firing cases set it with `config { ... }`.
    expect(run.coverage.filter((c) => c.firing === 0).map((c) => c.rule)).toEqual([]);
  });
});

const POLICY = `policy demo

rule no-delete {
  title "No deletes"
  on migration, runtime
  when statement.kind == "delete"
  deny "no deletes on {statement.targets[0].name}"
}

rule quiet {
  title "Never fires"
  on migration
  when statement.kind == "vacuum" and statement.kind == "analyze"
  warn "impossible"
}

test no-delete {
  migration "DELETE FROM t WHERE id = 1;" => deny no-delete
  migration "DELETE FROM t WHERE id = 1;" => allow
  migration "SELECT 1;" => deny no-delete
  runtime "DELETE FROM t" as { roles: ["x"] } => deny no-delete
}
`;

describe("runPolicyTests", () => {
  it("reports failing cases with position, expectation and outcome, and uncovered rules", async () => {
    const r = compileSources([{ path: "demo.warden", text: POLICY }]);
    expect(r.diagnostics).toEqual([]);
    const ir = r.ir!;
    const run = await runPolicyTests(ir, r.tests!, defaultData(ir), await harnessFor("wasm", ir));
    expect(run.results.map((c) => [c.span.start.line, c.passed, c.expected, c.got ?? null])).toEqual([
      [18, true, "deny no-delete", null],
      [19, false, "allow", "deny no-delete: no deletes on t"],
      [20, false, "deny no-delete", "allow (no findings)"],
      [21, true, "deny no-delete", null],
    ]);
    expect(run.coverage.map((c) => [c.rule, c.cases, c.firing])).toEqual([
      ["no-delete", 4, 3],
      ["quiet", 0, 0],
    ]);
  });
});

const CONFIGURED = `policy demo

rule row-cap {
  title "Row cap"
  on sql
  when count(data.config.caps.tables) > 0
  when any t in statement.targets: t.name in data.config.caps.tables
  deny "{statement.targets[0].name} is capped (mode {data.config.caps.mode})"
}

test row-cap {
  sql "DELETE FROM audit" => allow
  sql "DELETE FROM audit" config { caps: { tables: ["audit"] } } => deny row-cap
  sql "DELETE FROM audit" => allow
  sql "DELETE FROM audit" config { caps: { tables: ["other"] } } => allow
  sql "DELETE FROM audit" config { caps: { tables: ["audit"], mode: "strict" } } => allow
}
`;

describe("test-case config", () => {
  for (const engine of ["wasm", "interpreter"] as const) {
    it(`is merged into data.warden.config for its case only (${engine})`, async () => {
      const r = compileSources([{ path: "demo.warden", text: CONFIGURED }]);
      expect(r.diagnostics).toEqual([]);
      expect(r.tests![0]!.cases.map((c) => c.config ?? null)).toEqual([null, { caps: { tables: ["audit"] } }, null, { caps: { tables: ["other"] } }, { caps: { tables: ["audit"], mode: "strict" } }]);
      const ir = r.ir!;
      const base = defaultData(ir) as { warden: Record<string, unknown> };
      // Bundle data that already carries configuration: the case's config merges into it.
      const data = { ...base, warden: { ...base.warden, config: { caps: { mode: "lenient", tables: ["x"] }, other: 1 } } };
      const run = await runPolicyTests(ir, r.tests!, data, await harnessFor(engine, ir));
      expect(run.results.map((c) => [c.span.start.line, c.passed, c.got ?? null])).toEqual([
        [12, true, null],
        [13, true, null],
        [14, true, null],
        [15, true, null],
        [16, false, "deny row-cap: audit is capped (mode strict)"],
      ]);
      // The decision of the firing case shows the merged value: the bundle's `mode` kept.
      expect(run.results[1]!.decision!.findings.map((f) => f.message)).toEqual(["audit is capped (mode lenient)"]);
      expect(data.warden.config).toEqual({ caps: { mode: "lenient", tables: ["x"] }, other: 1 });
    });
  }

  it("deep-merges objects and replaces lists and scalars", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: null }, f: "x" })).toEqual({ a: { b: 1, c: [3], e: null }, d: 1, f: "x" });
    expect(deepMerge([1], { a: 1 })).toEqual({ a: 1 });
    expect(deepMerge({ a: 1 }, [2])).toEqual([2]);
    expect(deepMerge(undefined, { a: 1 })).toEqual({ a: 1 });
    const data = { warden: { constants: { k: 1 }, config: { rules: { r: "off" } } } };
    expect(withCaseConfig(data, undefined)).toBe(data);
    expect(withCaseConfig(data, { retraining: { allowed_schemas: ["f"] } })).toEqual({ warden: { constants: { k: 1 }, config: { rules: { r: "off" }, retraining: { allowed_schemas: ["f"] } } } });
    expect(withCaseConfig({}, { a: 1 })).toEqual({ warden: { config: { a: 1 } } });
  });
});

const CATALOGUED = `policy demo

rule retype {
  title "Type changes"
  on migration
  for a in statement.actions where a.kind == "alter_column_type"
  unless statement.targets[0].created_in_file
  unless a.previous.type == a.type
  deny "{a.column} becomes {a.type.name}"
}

rule secret-reads {
  title "Secret reads"
  on runtime
  for r in statement.reads where r.column == "secret"
  deny "reads {r.table}.{r.column}"
}

test retype {
  migration "ALTER TABLE t ALTER COLUMN c TYPE int" => deny retype
  migration "ALTER TABLE t ALTER COLUMN c TYPE int" catalog "CREATE TABLE t (c int)" => allow
  migration "ALTER TABLE t ALTER COLUMN c TYPE int" catalog "CREATE TABLE t (c smallint)" => deny retype
  migration "ALTER TABLE t ALTER COLUMN c TYPE int" catalog "CREATE TABLE t (c int); ALTER TABLE t ALTER COLUMN c TYPE bigint" => deny retype
  migration "ALTER TABLE t ALTER COLUMN c TYPE int" catalog "CREATE TABLE t (c int" => allow
}

test secret-reads {
  runtime "SELECT * FROM s" => allow
  runtime "SELECT * FROM s" catalog "CREATE TABLE s (id int, secret text)" => deny secret-reads
  runtime "SELECT * FROM s" catalog "CREATE TABLE s (id int)" => allow
}
`;

describe("test-case catalog", () => {
  for (const engine of ["wasm", "interpreter"] as const) {
    it(`replays its SQL as an earlier migration, for migrations and runtime queries (${engine})`, async () => {
      const r = compileSources([{ path: "demo.warden", text: CATALOGUED }]);
      expect(r.diagnostics).toEqual([]);
      expect(r.tests!.flatMap((t) => t.cases.map((c) => c.catalog ?? null))).toEqual([
        null,
        "CREATE TABLE t (c int)",
        "CREATE TABLE t (c smallint)",
        "CREATE TABLE t (c int); ALTER TABLE t ALTER COLUMN c TYPE bigint",
        "CREATE TABLE t (c int",
        null,
        "CREATE TABLE s (id int, secret text)",
        "CREATE TABLE s (id int)",
      ]);
      const ir = r.ir!;
      const run = await runPolicyTests(ir, r.tests!, defaultData(ir), await harnessFor(engine, ir));
      expect(run.results.map((c) => [c.span.start.line, c.passed, c.got ?? null])).toEqual([
        [20, true, null],
        [21, true, null],
        [22, true, null],
        // the catalog's own later statements count: the column is bigint before the case
        [23, true, null],
        // a catalog that does not parse fails the case instead of leaving its tables out
        [24, false, "error: cannot read the case's catalog at 1:22: syntax error at end of input"],
        [28, true, null],
        [29, true, null],
        [30, true, null],
      ]);
      expect(run.results[2]!.decision!.findings.map((f) => [f.message, f.location?.line ?? null])).toEqual([["c becomes int4", 1]]);
      expect(run.results[6]!.decision!.findings.map((f) => f.message)).toEqual(["reads s.secret"]);
      expect(run.results[1]!.catalog).toBe("CREATE TABLE t (c int)");
    });
  }
});
