// Benchmarks `warden check --format json` over the real migration corpus
// (../shared/corpus/migrations) against squawk (`--reporter json`) on the same files, in
// one run: whole-process wall time, median of several runs, and the ratio.
// squawk is installed on demand into a cache directory outside the repository (never a
// dependency of the project); without it, Warden's numbers are printed alone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const corpus = path.resolve(root, "../shared/corpus/migrations");
const SQUAWK = "squawk-cli@2.66.0";
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

if (!existsSync(corpus)) {
  console.log(`bench/check: corpus not found at ${corpus}; nothing to measure`);
  process.exit(0);
}
if (!existsSync(path.join(root, "dist/cli.js"))) {
  console.error("bench/check: run `npm run build` first");
  process.exit(1);
}

function sqlFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sqlFiles(p));
    else if (e.name.endsWith(".sql")) out.push(p);
  }
  return out.sort();
}
const files = sqlFiles(corpus);
const nonEmpty = files.filter((f) => statSync(f).size > 0);
// squawk 2.66.0 panics ("the parser seems stuck") on psql `:NAME` placeholders, as in
// graphile-worker's files; the head-to-head runs both tools on the files without them.
const PLACEHOLDER = /(^|[^:A-Za-z0-9_]):[A-Z][A-Z0-9_]+\b/;
const comparable = nonEmpty.filter((f) => !PLACEHOLDER.test(readFileSync(f, "utf8")));

// CPU time (user + sys) of the child comes from /usr/bin/time when it is there: on a
// loaded machine it says more than wall time does.
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const cpuFile = path.join(os.tmpdir(), `warden-bench-cpu-${process.pid}.txt`);

/** Wall time (s) of one whole process, and its CPU time (s) when measurable. */
function time(cmd, args) {
  const [file, argv] = TIME ? [TIME, ["-f", "%U %S", "-o", cpuFile, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, { cwd: root, encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: "1" } });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpu;
  if (TIME) {
    const [u, sys] = readFileSync(cpuFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
    cpu = u + sys;
  }
  return { s, cpu, r };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function measure(name, cmd, args, check) {
  const first = time(cmd, args); // warm-up: file cache, and shows what the tool said
  check(first.r);
  const times = [];
  const cpus = [];
  for (let i = 0; i < RUNS; i++) {
    const t = time(cmd, args);
    times.push(t.s);
    if (t.cpu !== undefined) cpus.push(t.cpu);
  }
  const m = median(times);
  const cpu = cpus.length ? `; cpu median ${median(cpus).toFixed(3)} s` : "";
  console.log(`${name}: wall median ${m.toFixed(3)} s (min ${Math.min(...times).toFixed(3)}, max ${Math.max(...times).toFixed(3)}, ${RUNS} runs)${cpu}; load average ${os.loadavg()[0].toFixed(1)}`);
  return m;
}

console.log(`corpus: ${files.length} files (${nonEmpty.length} non-empty) under ${path.relative(root, corpus)}; ${os.cpus().length} cores, node ${process.version}`);

const wardenCheck = (label) => (r) => {
  if (r.status !== 0 && r.status !== 2) {
    console.error(r.stderr);
    throw new Error(`warden exited with ${r.status}`);
  }
  const s = JSON.parse(r.stdout).summary;
  console.log(`${label}: ${s.files} files, ${s.statements} statements, ${s.findings} findings (${s.by_severity.error} errors, ${s.by_severity.warning} warnings, ${s.by_severity.info} info); exit ${r.status}`);
};
// cold: --no-cache, every file parsed and evaluated (the head-to-head figure); cached: the
// result cache filled by the warm-up run answers every file (an unchanged re-run, e.g. a
// pre-commit hook or a CI job restoring its cache)
const warden = (paths, extra = ["--no-cache"]) => [path.join(root, "bin/warden.js"), "check", "--format", "json", "--fail-on", "never", ...extra, ...paths];
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "warden-bench-results-"));
measure("warden (whole corpus directory)", process.execPath, warden([corpus]), wardenCheck("warden"));
console.log(`\nhead to head on the ${comparable.length} files without psql placeholders:`);
const wardenTime = measure("warden", process.execPath, warden(comparable), wardenCheck("warden"));
const cachedTime = measure("warden, unchanged re-run answered by its result cache", process.execPath, warden(comparable, ["--cache-dir", cacheDir]), wardenCheck("warden (cached)"));
rmSync(cacheDir, { recursive: true, force: true });
// the parser alone (node start-up, libpg-query's wasm, one parse per file): a floor for any
// design on this parser, whatever the facts, the policy and the threads cost
const floorTime = measure("parser floor (node + libpg-query parse only, no facts or policy)", process.execPath, [path.join(root, "bench/lib/parse-floor.mjs"), ...comparable], (r) => {
  if (r.status !== 0) throw new Error(`parse-floor exited with ${r.status}: ${r.stderr}`);
  const s = JSON.parse(r.stdout);
  console.log(`parser floor: ${s.files} files, ${s.statements} statements in files that parse whole (${s.failed} files stop at an error)`);
});

function squawkBin() {
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "warden-bench", "squawk-2.66.0");
  const bin = path.join(cache, "node_modules", ".bin", "squawk");
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  console.log(`installing ${SQUAWK} into ${cache} (once; not a project dependency)`);
  const r = spawnSync("npm", ["install", "--prefix", cache, "--no-save", "--no-audit", "--no-fund", "--loglevel=error", SQUAWK], { stdio: "inherit" });
  if (r.status !== 0 || !existsSync(bin)) return undefined;
  // the npm package fetches its binary in a postinstall step; check that it runs
  const v = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return v.status === 0 ? bin : undefined;
}

const bin = squawkBin();
if (!bin) {
  console.log(`squawk: not available (could not install ${SQUAWK}); comparison skipped`);
  process.exit(0);
}
const squawk = measure("squawk", bin, ["--reporter", "json", ...comparable], (r) => {
  let n = "?";
  try {
    n = JSON.parse(r.stdout).length;
  } catch {
    // squawk prints nothing parseable when it fails outright
  }
  console.log(`squawk: ${comparable.length} files, ${n} violations; exit ${r.status}`);
});
console.log(`ratio warden/squawk: ${(wardenTime / squawk).toFixed(2)}x (target: <= 1.00)`);
console.log(`ratio warden (unchanged re-run, result cache)/squawk: ${(cachedTime / squawk).toFixed(2)}x`);
console.log(`ratio parser floor/squawk: ${(floorTime / squawk).toFixed(2)}x (the parse alone; a cold warden run is ${(wardenTime / floorTime).toFixed(2)}x the floor)`);
