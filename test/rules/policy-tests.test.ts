// The built-in library's own test blocks pass on both engines with every rule covered,
// and the runner reports failures with the case's position, expected and got.
import { describe, expect, it } from "vitest";
import { defaultData } from "../../src/compiler/ir/interpret.js";
import { compileSources } from "../../src/compiler/pipeline.js";
import { compileLibrary } from "../../src/rules/builtin.js";
import { harnessFor } from "../../src/rules/engines.js";
import { runPolicyTests } from "../../src/rules/test-runner.js";

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

  it("covers every rule, and every rule but retraining-scope with a firing case", async () => {
    const ir = result.ir!;
    const run = await runPolicyTests(ir, result.tests!, defaultData(ir), await harnessFor("interpreter", ir));
    expect(run.coverage.filter((c) => c.cases === 0)).toEqual([]);
    // retraining-scope fires only with data.warden.config.retraining.allowed_schemas, which
    // test cases cannot set; its firing cases are in facts-contract.test.ts.
    expect(run.coverage.filter((c) => c.firing === 0).map((c) => c.rule)).toEqual(["retraining-scope"]);
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
