// Differential tests over the shared IR fixtures (fixtures/ir) and over every policy the
// front end compiles (fixtures/policies/good, rules/), through the SDK and the interpreter.
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import type { JsonValue, PolicyIR } from "../../../src/compiler/ir/ir.js";
import { compileSources, type PolicySource } from "../../../src/compiler/pipeline.js";
import { agree, compile } from "./diff.js";
import { allInputs, corpusInputs, sampleInputs } from "./inputs.js";

const root = path.resolve(__dirname, "../../..");

interface Fixture {
  description: string;
  ir: PolicyIR;
  cases: { name: string; input: JsonValue; data?: JsonValue; findings?: unknown; decision?: unknown }[];
}

const irDir = path.join(root, "fixtures/ir");
const irFixtures = existsSync(irDir) ? readdirSync(irDir).filter((f) => f.endsWith(".json")).sort() : [];

describe("IR fixtures", () => {
  it("exist", () => {
    expect(irFixtures.length).toBeGreaterThan(0);
  });
  for (const file of irFixtures) {
    it(file, async () => {
      const fx = JSON.parse(readFileSync(path.join(irDir, file), "utf8")) as Fixture;
      const c = await compile(fx.ir);
      for (const cs of fx.cases) {
        const data = cs.data ?? defaultData(fx.ir);
        if (cs.data !== undefined) c.setData(data);
        const got = agree(c, fx.ir, cs.input, data, `${file}: ${cs.name}`);
        if (cs.findings !== undefined) expect(JSON.parse(got), cs.name).toEqual(cs.findings);
        if (cs.data !== undefined) c.setData(defaultData(fx.ir));
      }
    });
  }
});

function wardenFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...wardenFiles(p));
    else if (name.endsWith(".warden")) out.push(p);
  }
  return out;
}

function compilePolicy(files: string[]): PolicyIR {
  const sources: PolicySource[] = files.map((f) => ({ path: path.relative(root, f), text: readFileSync(f, "utf8") }));
  const r = compileSources(sources);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.ir!;
}

describe("compiled policies", () => {
  beforeAll(async () => {
    await corpusInputs(compilePolicy(wardenFiles(path.join(root, "rules"))));
  }, 60_000);
  // Each entry of fixtures/policies/good is one policy: a file, or a directory of files compiled together.
  const goodDir = path.join(root, "fixtures/policies/good");
  const good = existsSync(goodDir)
    ? readdirSync(goodDir).sort().map((n) => path.join(goodDir, n)).filter((p) => p.endsWith(".warden") || statSync(p).isDirectory())
    : [];
  const builtin = wardenFiles(path.join(root, "rules"));

  for (const entry of good) {
    it(path.relative(root, entry), async () => {
      const ir = compilePolicy(statSync(entry).isDirectory() ? wardenFiles(entry) : [entry]);
      const c = await compile(ir);
      for (const input of sampleInputs(ir)) agree(c, ir, input);
    });
  }

  it("rules/ (the built-in library, all files together) over corpus facts", async () => {
    expect(builtin.length).toBeGreaterThan(0);
    const ir = compilePolicy(builtin);
    expect(ir.rules.length).toBeGreaterThan(10);
    const c = await compile(ir);
    let nonEmpty = 0;
    for (const input of await allInputs(ir)) if (agree(c, ir, input) !== "[]") nonEmpty++;
    // The samples must exercise the rules, not only agree on empty results.
    expect(nonEmpty).toBeGreaterThan(10);
  }, 120_000);
});
