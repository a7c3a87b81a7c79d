// Front-end benchmark: generates 1,000 rules (in 10 files) and times parse + check
// (and lowering) through the real pipeline. Target: parse+check under 200 ms.
// Usage: node bench/front.mjs [rules=1000]
import { importSources, root } from "./lib/sources.mjs";
import { performance } from "node:perf_hooks";

const { runPipeline, loadFactSchema } = await importSources("front", [`export { runPipeline } from "./src/compiler/pipeline.js";`, `export { loadFactSchema } from "./src/compiler/check/facts.js";`]);

const N = Number(process.argv[2] ?? 1000);
const FILES = 10;
const kinds = ["drop_table", "alter_table", "create_index", "delete", "update", "select", "insert", "truncate"];

function ruleText(i) {
  const k = kinds[i % kinds.length];
  switch (i % 4) {
    case 0:
      return `rule r-${i} {\n  title "Rule ${i}"\n  doc "Generated rule ${i}"\n  on migration, runtime\n  when statement.kind == "${k}" and not statement.has_where\n  unless identity.roles contains any admins\n  deny "{statement.kind} on {statement.targets[0].name} (${i})"\n}\n`;
    case 1:
      return `rule r-${i} {\n  title "Rule ${i}"\n  on all\n  for col in statement.reads where "select" in col.via\n  when col is pii and not col.masked\n  warn "{col.table}.{col.column} is PII (${i})"\n}\n`;
    case 2:
      return `rule r-${i} {\n  title "Rule ${i}"\n  severity info\n  on sql, dbt_model\n  when statement.kind in ["${k}", "create_table"] and count(statement.targets) > 1\n  when any a in statement.actions: a.kind == "add_column" and a.not_null == true\n  info 'rule ${i}'\n}\n`;
    default:
      return `rule r-${i} {\n  title "Rule ${i}"\n  on runtime\n  for col in statement.reads\n  when col is pii\n  unless identity.groups contains "compliance" or session.environment != "production"\n  mask col with hash\n}\n`;
  }
}

const sources = [];
for (let f = 0; f < FILES; f++) {
  let text = `policy bench.part${f}\n`;
  if (f === 0) text += `classify pii: "*.email", "*.ssn"\nconst admins = ["dba"]\n`;
  for (let i = f; i < N; i += FILES) text += ruleText(i);
  sources.push({ path: `bench/part${f}.warden`, text });
}
const lines = sources.reduce((n, s) => n + s.text.split("\n").length, 0);

const schema = loadFactSchema();
// Wall time, and the process's CPU time alongside: on a loaded machine (tests of other
// work running) the wall figure includes waiting for a core, the CPU figure does not.
const cpu = [];
function once(stopAfter) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const state = runPipeline(sources, { schema, stopAfter });
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  if (stopAfter === "check-types") cpu.push((c1.user + c1.system) / 1000);
  if (state.diagnostics.hasErrors) throw new Error(`benchmark policy does not compile: ${state.diagnostics.items[0].message}`);
  return t1 - t0;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The first run includes building the parser (grammar self-analysis) and JIT warm-up: report it apart.
const cold = once("check-types");
cpu.length = 0;
const runs = 15;
const parse = [];
const parseCheck = [];
const all = [];
for (let i = 0; i < runs; i++) {
  parse.push(once("parse-files"));
  parseCheck.push(once("check-types"));
  all.push(once("lower-rules"));
}
console.log(`front end: ${N} rules, ${FILES} files, ${lines} lines`);
console.log(`  first run (parser construction + warm-up), parse+check: ${cold.toFixed(1)} ms`);
console.log(`  parse:              ${median(parse).toFixed(1)} ms (median of ${runs})`);
console.log(`  parse+check:        ${median(parseCheck).toFixed(1)} ms (median of ${runs})  target < 200 ms`);
console.log(`  parse+check CPU:    ${median(cpu).toFixed(1)} ms (median of ${runs}; process CPU time, includes GC threads)`);
console.log(`  parse+check+lower:  ${median(all).toFixed(1)} ms (median of ${runs})`);
