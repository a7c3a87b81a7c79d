// Every README's `## Incorrect` examples must fire its rule and its `## Correct` examples
// must not. The SQL goes through the real fact extraction (the rule's first scope, or the
// example's `scope` option) and is evaluated by both the interpreter and the wasm bundle.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Decision, JsonValue } from "../../src/compiler/ir/ir.js";
import { defaultData } from "../../src/compiler/ir/interpret.js";
import { compileLibrary } from "../../src/rules/builtin.js";
import { harnessFor } from "../../src/rules/engines.js";
import { casePath, type Harness } from "../../src/rules/test-runner.js";
import { parseReadme, type ReadmeExample } from "../../src/rules/readme.js";

const { library, result } = compileLibrary();
const ir = result.ir!;
const engines: Record<string, Harness> = {};

beforeAll(async () => {
  engines.interpreter = await harnessFor("interpreter", ir);
  engines.wasm = await harnessFor("wasm", ir);
});

function dataWith(config: JsonValue | undefined): JsonValue {
  const data = defaultData(ir) as { warden: { config: Record<string, JsonValue> } };
  if (config && typeof config === "object" && !Array.isArray(config)) data.warden.config = { ...data.warden.config, ...config };
  return data as unknown as JsonValue;
}

async function decide(engine: Harness, ruleId: string, ex: ReadmeExample): Promise<Decision> {
  const rule = ir.rules.find((r) => r.id === ruleId)!;
  const scope = ex.options.scope ?? rule.on[0]!;
  const input = await engine.buildInput({
    scope,
    sql: ex.sql,
    identity: ex.options.identity,
    session: ex.options.session,
    intent: ex.options.intent,
    catalog: ex.options.catalog,
    path: casePath(scope, ruleId),
  });
  return engine.evaluate(input, dataWith(ex.options.config));
}

const cases = library.folders.flatMap((f) => {
  const readme = parseReadme(readFileSync(f.readmePath!, "utf8"));
  return readme.examples.map((ex) => ({ id: f.id, ex, where: `${f.readmePath}:${ex.line}` }));
});

describe("README examples", () => {
  it("has examples for every rule", () => {
    expect(new Set(cases.map((c) => c.id)).size).toBe(ir.rules.length);
  });

  for (const engine of ["interpreter", "wasm"]) {
    describe(engine, () => {
      for (const c of cases) {
        it(`${c.id}: ${c.ex.kind} example at line ${c.ex.line}`, async () => {
          const d = await decide(engines[engine]!, c.id, c.ex);
          const mine = d.findings.filter((f) => f.rule === c.id);
          if (c.ex.kind === "incorrect") expect(mine.length, `${c.where} should fire ${c.id}`).toBeGreaterThan(0);
          else expect(mine, `${c.where} should not fire ${c.id}`).toEqual([]);
        });
      }
    });
  }

  it("points the finding of an Incorrect example at the dropped table", async () => {
    const ex = cases.find((c) => c.id === "ban-drop-table" && c.ex.kind === "incorrect")!.ex;
    const d = await decide(engines.wasm!, "ban-drop-table", ex);
    expect(d.allow).toBe(false);
    expect(d.findings.filter((f) => f.rule === "ban-drop-table")).toEqual([
      {
        rule: "ban-drop-table",
        severity: "error",
        action: "deny",
        message: "DROP TABLE users destroys its data and breaks every client that still reads it; stop using it, archive it, then drop it in a later release",
        statement: 0,
        location: { line: 1, column: 12, end_line: 1, end_column: 17 },
      },
    ]);
  });
});
