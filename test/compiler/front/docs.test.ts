// docs/language.md is tested: every `warden` example compiles (all together, as one
// compile, each block in a file of its own) and the code table matches src/diagnostics/codes.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileSources } from "../../../src/compiler/pipeline.js";
import { CODES } from "../../../src/diagnostics/codes.js";
import { REPO_ROOT } from "../../helpers/run.js";
import { diagLines } from "./helpers.js";

const DOC = readFileSync(path.join(REPO_ROOT, "docs/language.md"), "utf8");

describe("docs/language.md", () => {
  it("has examples that compile without errors", () => {
    const blocks = [...DOC.matchAll(/^( *)```warden\n([\s\S]*?)^\1```/gm)].map((m) => m[2]!.replace(new RegExp(`^${m[1]}`, "gm"), ""));
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    const sources = blocks.map((text, i) => ({ path: `docs-example-${i}.warden`, text: text.startsWith("policy") ? text : `policy docs.example_${i}\n${text}` }));
    const r = compileSources(sources);
    expect(diagLines(r.diagnostics.filter((d) => d.severity === "error"))).toEqual([]);
    expect(r.ir!.rules.length).toBeGreaterThan(8);
  });

  it("lists every diagnostic code with its severity and summary", () => {
    const rows = [...DOC.matchAll(/^\| (W\d{4}) \| (\w+) \| (.+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(Object.entries(CODES).map(([code, info]) => [code, info.severity, info.summary]));
  });
});
