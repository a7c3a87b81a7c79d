// Fact extraction over the shared corpus: statements/s on one core over the migrations,
// the share of `unparsed` statements, and the same counts for the dbt projects.
// Usage: node bench/facts.mjs [--rounds N] [--warmup N]
// Throughput is measured after warm-up rounds (steady state, as throughput benchmarks do);
// the first, cold round is printed on its own.
import { build } from "esbuild";
import { readFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { globSync } from "tinyglobby";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const corpus = path.resolve(root, "../shared/corpus");
const out = path.join(root, "node_modules/.cache/warden-bench/sql.mjs");
mkdirSync(path.dirname(out), { recursive: true });
await build({ entryPoints: [path.join(root, "src/sql/index.ts")], outfile: out, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
const sql = await import(pathToFileURL(out).href);
await sql.initSqlParser();

const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 10;
const warmupArg = process.argv.indexOf("--warmup");
const warmup = warmupArg > 0 ? Number(process.argv[warmupArg + 1]) : 10;

function load(dir, pattern, type) {
  return globSync(pattern, { cwd: dir }).sort().map((p) => ({ path: p, text: readFileSync(path.join(dir, p), "utf8"), type }));
}

function count(documents) {
  let statements = 0;
  let unparsed = 0;
  let nested = 0;
  const kinds = {};
  const failures = [];
  for (const d of documents) {
    for (const s of d.statements) {
      statements++;
      if (s.nested_in) nested++;
      kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
      if (s.kind === "unparsed") {
        unparsed++;
        failures.push(`${d.file.path}:${s.error?.line}:${s.error?.column} ${s.error?.message}`);
      }
    }
  }
  return { statements, unparsed, nested, kinds, failures };
}

// migrations: one project at a time (each is its own catalog), timed over several rounds
const migDir = path.join(corpus, "migrations");
const projects = globSync("*", { cwd: migDir, onlyDirectories: true }).map((p) => p.replace(/\/$/, "")).sort();
const sets = projects.map((p) => ({ name: p, files: load(path.join(migDir, p), "**/*.sql", "migration") }));
// wall time, and CPU time of this process (user + system): on a shared machine the CPU time
// is the fairer "one core" figure. It includes V8's helper threads (parallel GC, background
// JIT and wasm tier-up), whose share swings with the machine's load; on Linux the main
// thread's own CPU time is printed too (clock ticks, 10 ms resolution).
function mainThreadMs() {
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
let best = Infinity;
let bestCpu = Infinity;
const cpus = [];
const mains = [];
let totals;
let coldMs = NaN;
for (let r = -warmup; r < rounds; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = mainThreadMs();
  const docs = [];
  for (const s of sets) docs.push(...sql.extractProject(s.files, { rootDir: path.join(migDir, s.name) }).documents);
  const ms = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  if (r === -warmup) coldMs = ms;
  if (r < 0) continue;
  mains.push(mainThreadMs() - m0);
  best = Math.min(best, ms);
  bestCpu = Math.min(bestCpu, (cu.user + cu.system) / 1000);
  cpus.push((cu.user + cu.system) / 1000);
  totals = count(docs);
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const topLevel = totals.statements - totals.nested;
console.log(`migrations: ${sets.reduce((n, s) => n + s.files.length, 0)} files, ${totals.statements} statements (${topLevel} top-level, ${totals.nested} nested in function/DO bodies)`);
console.log(`  after ${warmup} warm-up rounds, best of ${rounds}: ${best.toFixed(1)} ms wall → ${Math.round((totals.statements / best) * 1000)} statements/s (${Math.round((topLevel / best) * 1000)} top-level/s)`);
console.log(`  best of ${rounds}: ${bestCpu.toFixed(1)} ms CPU → ${Math.round((totals.statements / bestCpu) * 1000)} statements/s per core (median ${Math.round((totals.statements / median(cpus)) * 1000)}; the CPU time includes GC and compiler threads)`);
if (!Number.isNaN(median(mains))) console.log(`  main thread: median ${median(mains)} ms CPU → ${Math.round((totals.statements / median(mains)) * 1000)} statements/s (without V8's helper threads)`);
console.log(`  first (cold) round: ${coldMs.toFixed(1)} ms wall → ${Math.round((totals.statements / coldMs) * 1000)} statements/s (parser and JIT warming up)`);
console.log(`  unparsed: ${totals.unparsed} (${((totals.unparsed / totals.statements) * 100).toFixed(2)}%)`);
for (const f of totals.failures) console.log(`    ${f}`);

// dbt projects
const dbtDir = path.join(corpus, "dbt");
for (const p of globSync("*", { cwd: dbtDir, onlyDirectories: true }).map((x) => x.replace(/\/$/, "")).sort()) {
  const files = load(path.join(dbtDir, p), "**/*.sql", "dbt_model");
  const t0 = performance.now();
  const { documents, notes } = sql.extractProject(files, { rootDir: path.join(dbtDir, p) });
  const ms = performance.now() - t0;
  const c = count(documents);
  const dialect = documents.filter((d) => d.statements.some((s) => s.error?.dialect)).length;
  console.log(`dbt ${p}: ${files.length} models, ${c.statements} statements, ${c.unparsed} unparsed (${dialect} files named a warehouse dialect), ${notes.filter((n) => n.kind === "macro").length} macro notes, ${ms.toFixed(0)} ms`);
}
