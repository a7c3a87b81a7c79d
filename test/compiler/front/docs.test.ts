// docs/language.md is tested: every `warden` example compiles (all together, as one
// compile, each block in a file of its own), its test cases pass, and the code table
// matches src/diagnostics/codes.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import { compileSources } from "../../../src/compiler/pipeline.js";
import { harnessFor } from "../../../src/rules/engines.js";
import { runPolicyTests } from "../../../src/rules/test-runner.js";
import { CODES } from "../../../src/diagnostics/codes.js";
import { REPO_ROOT } from "../../helpers/run.js";
import { diagLines } from "./helpers.js";

const DOC = readFileSync(path.join(REPO_ROOT, "docs/language.md"), "utf8");

describe("docs/language.md", () => {
  const blocks = [...DOC.matchAll(/^( *)```warden\n([\s\S]*?)^\1```/gm)].map((m) => m[2]!.replace(new RegExp(`^${m[1]}`, "gm"), ""));
  const sources = blocks.map((text, i) => ({ path: `docs-example-${i}.warden`, text: text.startsWith("policy") ? text : `policy docs.example_${i}\n${text}` }));

  it("has examples that compile without errors", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const r = compileSources(sources);
    expect(diagLines(r.diagnostics.filter((d) => d.severity === "error"))).toEqual([]);
    expect(r.ir!.rules.length).toBeGreaterThan(8);
  });

  it("has test blocks whose cases pass on the wasm engine", async () => {
    const r = compileSources(sources);
    const ir = r.ir!;
    const run = await runPolicyTests(ir, r.tests!, defaultData(ir), await harnessFor("wasm", ir));
    expect(run.results.length).toBeGreaterThanOrEqual(8);
    expect(run.results.filter((c) => !c.passed).map((c) => `${c.span.file}:${c.span.start.line}: expected ${c.expected}, got ${c.got}`)).toEqual([]);
  });

  it("lists every diagnostic code with its severity and summary", () => {
    const rows = [...DOC.matchAll(/^\| (W\d{4}) \| (\w+) \| (.+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(Object.entries(CODES).map(([code, info]) => [code, info.severity, info.summary]));
  });
});
