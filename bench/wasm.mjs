// Wasm back-end benchmark: policy.wasm size and emit time for the built-in rule library
// (~40 rules), whole-process `warden compile` time, and per-evaluate() time through the
// opa-wasm SDK on a typical migration next to the SDK floor of a trivial 1-rule module
// that always returns a constant (target ratio < 2x).
// Usage: node bench/wasm.mjs
import { build } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, statSync, existsSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(root, "node_modules", ".cache", "warden-bench");
mkdirSync(outDir, { recursive: true });
const outfile = path.join(outDir, "wasm.mjs");
// Bundled from the sources so the benchmark measures the current tree, not a stale dist/.
await build({
  stdin: {
    contents: [
      `export { compileSources } from "./src/compiler/pipeline.js";`,
      `export { emitWasm } from "./src/compiler/backend/wasm/emit-wasm.js";`,
      `export { defaultData } from "./src/compiler/ir/interpret.js";`,
      `export { extractProject, initSqlParser } from "./src/sql/index.js";`,
    ].join("\n"),
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  packages: "external",
  outfile,
  logLevel: "warning",
});
const { compileSources, emitWasm, defaultData, extractProject, initSqlParser } = await import(pathToFileURL(outfile).href);
const { loadPolicy } = await import("@open-policy-agent/opa-wasm");

function wardenFiles(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) wardenFiles(p, out);
    else if (name.endsWith(".warden")) out.push(p);
  }
  return out;
}

const files = wardenFiles(path.join(root, "rules"));
const result = compileSources(files.map((f) => ({ path: path.relative(root, f), text: readFileSync(f, "utf8") })));
if (!result.ir) throw new Error("rules/ does not compile");
const ir = result.ir;

// Emit time: warm (JIT-compiled) median over repeated runs, plus the first cold run.
let t0 = performance.now();
const wasm = emitWasm(ir);
const cold = performance.now() - t0;
const times = [];
for (let i = 0; i < 50; i++) {
  t0 = performance.now();
  emitWasm(ir);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`rules: ${ir.rules.length} (from ${files.length} files)`);
console.log(`policy.wasm: ${wasm.length} bytes (${(wasm.length / 1024).toFixed(1)} KiB; runtime library ${readFileSync(path.join(root, "src/compiler/wasm-runtime/build/runtime.wasm")).length} bytes)`);
console.log(`emitWasm: ${cold.toFixed(1)} ms cold, ${times[25].toFixed(2)} ms warm median`);

// Whole process: `warden compile rules/ -o bundle` (needs `npm run build`).
if (existsSync(path.join(root, "dist/cli.js"))) {
  const tmp = path.join(tmpdir(), `warden-bench-${process.pid}.tar.gz`);
  const runs = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, "bin/warden.js"), "compile", "rules", "-o", tmp], { cwd: root, encoding: "utf8" });
    runs.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`warden compile failed: ${r.stderr}`);
  }
  rmSync(tmp, { force: true });
  runs.sort((a, b) => a - b);
  console.log(`warden compile rules -o bundle.tar.gz (whole process, wasm target): ${runs[2].toFixed(0)} ms median of 5`);
} else console.log("warden compile: skipped (run `npm run build` first)");

// A typical input: facts of a real migration from the corpus.
await initSqlParser();
const corpusFile = path.join(root, "..", "shared", "corpus", "migrations");
function firstSql(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      const f = firstSql(p);
      if (f) return f;
    } else if (name.endsWith(".sql") && statSync(p).size > 400 && statSync(p).size < 2000) return p;
  }
  return null;
}
const sqlPath = firstSql(corpusFile);
const { documents } = extractProject([{ path: path.relative(corpusFile, sqlPath), text: readFileSync(sqlPath, "utf8"), type: "migration" }], { rootDir: corpusFile });
const input = JSON.parse(JSON.stringify(documents[0]));
const inputBytes = JSON.stringify(input).length;

async function timeEvaluate(bytes, data, entrypoint) {
  const p = await loadPolicy(bytes);
  p.setData(data);
  for (let i = 0; i < 2000; i++) p.evaluate(input, entrypoint);
  const N = 20000;
  const t = performance.now();
  for (let i = 0; i < N; i++) p.evaluate(input, entrypoint);
  return ((performance.now() - t) / N) * 1000;
}

const trivial = {
  policies: ["bench"],
  rules: [
    {
      id: "never",
      title: "never",
      doc: "",
      severity: "error",
      action: "deny",
      on: ["migration"],
      body: [{ kind: "filter", cond: { op: "const", value: false }, span: ir.rules[0].span }],
      outcome: { kind: "message", message: ["x"], location: [] },
      span: ir.rules[0].span,
    },
  ],
  data: { classifications: {}, constants: {}, config: {} },
};
const floor = await timeEvaluate(emitWasm(trivial), defaultData(trivial), "warden/findings");
const findings = await timeEvaluate(wasm, defaultData(ir), "warden/findings");
const decision = await timeEvaluate(wasm, defaultData(ir), "warden/decision");
const p = await loadPolicy(wasm);
p.setData(defaultData(ir));
const nFindings = p.evaluate(input)[0].result.length;
console.log(`input: ${path.relative(root, sqlPath)}: ${input.statements.length} statements, ${inputBytes} bytes of JSON, ${nFindings} findings`);
console.log(`evaluate() SDK floor (1-rule constant module): ${floor.toFixed(1)} µs`);
console.log(`evaluate() warden/findings, ${ir.rules.length} rules: ${findings.toFixed(1)} µs (${(findings / floor).toFixed(2)}x floor)`);
console.log(`evaluate() warden/decision, ${ir.rules.length} rules: ${decision.toFixed(1)} µs (${(decision / floor).toFixed(2)}x floor)`);
