// `runCheck`: the CI gate as a library call. Config → policy bundle → file discovery →
// SQL facts → bundle evaluation (opa-wasm) → engine findings, suppressions, baseline →
// one CheckResult that every reporter and the GitHub Action consume.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Finding, JsonValue } from "../compiler/ir/ir.js";
import type { InputDocument, Note } from "../sql/index.js";
import { readBundle } from "../compiler/bundle/read-bundle.js";
import type { BundleEvaluator } from "./bundle-evaluator.js";
import { applyBaseline, baselineWriteError, readBaseline, writeBaseline, type BaselinePlace } from "./baseline.js";
import { findConfig, loadConfig, type LoadedConfig } from "./config.js";
import { byRelPath, DEFAULT_INCLUDE, discoverFiles, findRepoRoot, gitNames, realOr, toPosix, type ChangedSince } from "./discover.js";
import { didYouMean } from "../diagnostics/diagnostic.js";
import { checkError } from "./errors.js";
import { statementFingerprint } from "./fingerprint.js";
import { decodeText, readTextFile, stdinTargetProblem } from "./read-text.js";
import { cacheDir, catalogueOf, resolvePolicy } from "./policy.js";
import { applySuppressions, mentionsSuppression, parseSuppressions } from "./suppressions.js";
import { FAIL_ON, fails, findingFails, type CheckError, type CheckFinding, type CheckNote, type CheckOptions, type CheckResult, type FailOn, type RuleInfo, type Severity } from "./types.js";
import { dbtPaths, dbtProjectFinder, dbtProjectRoot, isDbtProjectFile } from "./dbt-paths.js";
import { compareMigrations, DEFAULT_MASKING, fileTypeOf, isUnder, migrationSet, migrationSets, typingPath, typingRoot } from "../sql/files.js";
import type { FileType } from "../sql/facts.js";
import { cacheSeed, fileKeys, ResultCache, type CachedFile } from "./result-cache.js";
import { BUILD_ID } from "../version.js";

export type { CheckOptions, CheckResult, CheckFinding, CheckError, RuleInfo } from "./types.js";

/** Notes of extraction that are findings: SQL a file runs but does not contain. */
const UNCHECKED_NOTES = new Set<Note["kind"]>(["unchecked"]);

/** Below this many files to check, a worker thread costs more than it saves. */
const PARALLEL_MIN_FILES = 64;
/** Documents per message to the evaluation worker: small enough to keep it busy early. */
const EVAL_BATCH = 16;

/** Findings the engine makes itself, whatever policy is loaded. */
export const ENGINE_RULES: RuleInfo[] = [
  {
    id: "parse-error",
    title: "SQL that PostgreSQL cannot parse",
    severity: "error",
    help: "fix the statement; nothing else is checked in a statement Warden cannot parse",
    doc: "https://warden.dev/rules/parse-error",
  },
  {
    id: "suppression-without-reason",
    title: "A warden-ignore comment without a reason",
    severity: "warning",
    help: "write the reason after a colon: `-- warden-ignore RULE: reason`",
    doc: "https://warden.dev/rules/suppression-without-reason",
  },
  {
    id: "unchecked-sql",
    title: "SQL that runs but is not in the checked file",
    severity: "warning",
    help: "check that SQL where it lives (name its file), or say why it is safe with `-- warden-ignore-file unchecked-sql: reason`",
    doc: "https://warden.dev/rules/unchecked-sql",
  },
  {
    id: "dbt-yaml-error",
    title: "A dbt YAML file that cannot be read",
    severity: "warning",
    help: "fix the YAML; until then the models, sources, tags and classifications it declares are unknown to the check",
    doc: "https://warden.dev/rules/dbt-yaml-error",
  },
  {
    id: "unused-suppression",
    title: "A warden-ignore comment that suppresses nothing",
    severity: "warning",
    help: "remove it, or put it right above the statement it is meant for",
    doc: "https://warden.dev/rules/unused-suppression",
  },
];

const empty = (over: Partial<CheckResult>): CheckResult => ({
  findings: [],
  summary: { files: 0, statements: 0, findings: 0, by_severity: { error: 0, warning: 0, info: 0 }, suppressed: 0, baselined: 0 },
  rules: [],
  errors: [],
  notes: [],
  failOn: "error",
  exitCode: 2,
  baseDir: process.cwd(),
  sources: new Map(),
  ...over,
});

/** The directory a config search starts from: the first path's directory (a glob's fixed prefix). */
function searchStart(paths: string[], cwd: string): string {
  const first = paths[0];
  if (first === undefined) return cwd;
  const fixed = first.split(/[*?[{]/)[0]!;
  const abs = path.resolve(cwd, fixed === first ? first : fixed.replace(/[^/]*$/, "") || ".");
  try {
    return statSync(abs).isDirectory() ? abs : path.dirname(abs);
  } catch {
    return path.dirname(abs);
  }
}

export async function runCheck(opts: CheckOptions = {}): Promise<CheckResult> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  if (opts.changedSince !== undefined && opts.writeBaseline !== undefined) {
    return empty({ baseDir: cwd, errors: [checkError("usage", "`--write-baseline` with `--changed-since` would write a baseline of the changed files only", undefined, "write the baseline from a run over the whole project (leave out `--changed-since`)")] });
  }
  // the CLI's parser checks --fail-on; a library caller's value is checked here
  if (opts.failOn !== undefined && !FAIL_ON.includes(opts.failOn)) {
    return empty({ baseDir: cwd, errors: [checkError("usage", `unknown \`failOn\` value \`${String(opts.failOn)}\``, undefined, didYouMean(String(opts.failOn), FAIL_ON) ?? `use one of ${FAIL_ON.map((v) => `\`${v}\``).join(", ")}`)] });
  }
  // named paths in several projects (a monorepo; a pre-commit hook passing staged files):
  // each project is checked with its own configuration
  if (opts.config === undefined && !opts.stdin && (opts.paths?.length ?? 0) > 1) {
    const groups = new Map<string, string[]>();
    // a hook may pass hundreds of files from a few directories: each directory is resolved
    // and searched once, and a named SQL file is searched from its directory without a stat
    const memo = new Map<string, string | null>();
    const byDir = new Map<string, string>();
    for (const p of opts.paths!) {
      const slash = Math.max(p.lastIndexOf("/"), p.lastIndexOf(path.sep));
      const plainFile = p.endsWith(".sql") && !/[*?[{]/.test(p);
      const dir = plainFile ? (slash >= 0 ? p.slice(0, slash + 1) : ".") : undefined;
      let config = dir !== undefined ? byDir.get(dir) : undefined;
      if (config === undefined) {
        config = findConfig(dir !== undefined ? path.resolve(cwd, dir) : searchStart([p], cwd), memo) ?? "";
        if (dir !== undefined) byDir.set(dir, config);
      }
      const group = groups.get(config);
      if (group) group.push(p);
      else groups.set(config, [p]);
    }
    // (a file with no config above it is a project of its own too: the order of the paths
    // must not decide which config applies)
    if (groups.size > 1) return checkProjects([...groups].map(([config, paths]) => ({ paths, config: config || false })), opts, cwd);
  }
  return checkProject(opts);
}

/** One project's run within a run over several: its paths, its config, directories left to other projects. */
interface ProjectRun {
  paths: string[];
  /** the project's config; undefined: the nearest one to its paths */
  config: string | false | undefined;
  skipDirs?: ReadonlySet<string>;
}

/**
 * One run per project, merged: findings name files relative to the working directory (two
 * projects can both have `migrations/V1.sql`), each project fails by its own `fail_on`, and
 * a baseline applies to the merged findings.
 */
async function checkProjects(projects: ProjectRun[], opts: CheckOptions, cwd: string): Promise<CheckResult> {
  const { baseline: _b, writeBaseline: _w, onProgress, config: _c, ...rest } = opts;
  const runs: CheckResult[] = [];
  let before = 0;
  for (const { paths, config, skipDirs } of projects) {
    const total = { n: 0 };
    const one: CheckOptions = { ...rest, paths, ...(config !== undefined ? { config } : {}), ...(onProgress ? { onProgress: (done: number, n: number) => onProgress(before + done, before + (total.n = n)) } : {}) };
    const r = await checkProject(one, skipDirs ? { skipDirs } : {});
    before += total.n;
    runs.push(r);
  }
  const rel = (r: CheckResult, file: string) => {
    const shown = toPosix(path.relative(cwd, path.resolve(r.baseDir, file)));
    return shown.startsWith("../") ? toPosix(path.resolve(r.baseDir, file)) : shown;
  };
  const failOnOf = new Map<string, FailOn>();
  const all: CheckFinding[] = [];
  const sources = new Map<string, string>();
  const errors: CheckError[] = [];
  const notes: CheckNote[] = [];
  const rules = new Map<string, RuleInfo>();
  const summary = { files: 0, statements: 0, suppressed: 0 };
  let cache: CheckResult["cache"];
  for (const r of runs) {
    for (const f of r.findings) {
      const file = rel(r, f.file);
      failOnOf.set(file, r.failOn);
      all.push({ ...f, file });
    }
    for (const [file, text] of r.sources) sources.set(rel(r, file), text);
    for (const e of r.errors) {
      if (errors.some((x) => x.rendered === e.rendered)) continue; // the same error from every project
      if (e.file === undefined || e.kind === "policy") errors.push(e);
      else {
        const file = rel(r, e.file);
        errors.push({ ...e, file, rendered: e.rendered.startsWith(e.file) ? file + e.rendered.slice(e.file.length) : e.rendered });
      }
    }
    for (const x of r.rules) if (!rules.has(x.id)) rules.set(x.id, x);
    notes.push(...r.notes);
    summary.files += r.summary.files;
    summary.statements += r.summary.statements;
    summary.suppressed += r.summary.suppressed;
    if (r.cache) cache = { known: (cache?.known ?? 0) + r.cache.known, resumedAfter: (cache?.resumedAfter ?? 0) + r.cache.resumedAfter };
  }
  all.sort(byPlace);
  const { findings, baselined } = baselineStep(all, opts, cwd, errors, { baseDir: cwd, repoRoot: runs[0]!.repoRoot });
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const failOn = opts.failOn ?? runs[0]!.failOn;
  const byFile = new Set(runs.map((r) => r.failOn)).size > 1 ? { failOnByFile: failOnOf } : {};
  const failing = findings.some((f) => findingFails({ failOn, ...byFile }, f));
  return {
    findings,
    summary: { ...summary, findings: findings.length, by_severity: bySeverity, baselined },
    rules: [...rules.values()],
    errors,
    notes,
    failOn,
    ...byFile,
    exitCode: errors.length > 0 ? 2 : failing ? 1 : 0,
    baseDir: cwd,
    ...(runs[0]!.repoRoot ? { repoRoot: runs[0]!.repoRoot } : {}),
    sources,
    ...(cache ? { cache } : {}),
  };
}

/** Writes the baseline (`writeBaseline`) and leaves out what a given one lists (`baseline`). */
function baselineStep(all: CheckFinding[], opts: CheckOptions, cwd: string, errors: CheckError[], place: BaselinePlace): { findings: CheckFinding[]; baselined: number } {
  if (opts.writeBaseline) {
    try {
      writeBaseline(path.resolve(cwd, opts.writeBaseline), all, place);
    } catch (err) {
      errors.push(baselineWriteError(opts.writeBaseline, err));
    }
  }
  if (!opts.baseline) return { findings: all, baselined: 0 };
  const b = readBaseline(path.resolve(cwd, opts.baseline), opts.baseline);
  if (b.error) {
    errors.push(b.error);
    return { findings: all, baselined: 0 };
  }
  const { kept, baselined } = applyBaseline(all, b.counts!, place);
  return { findings: kept, baselined };
}

/** Findings in report order: file, line, column, rule, message. */
function byPlace(a: CheckFinding, b: CheckFinding): number {
  return (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

async function checkProject(opts: CheckOptions, inner: { skipDirs?: ReadonlySet<string> } = {}): Promise<CheckResult> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const paths = opts.paths ?? [];
  // a config outside the working directory is named by its absolute path, not `../../x`
  const shown = (p: string) => {
    const rel = toPosix(path.relative(cwd, p)) || ".";
    return rel.startsWith("../") ? toPosix(p) : rel;
  };
  const errors: CheckError[] = [];
  const mark = phaseTimer();
  const stdinPath = opts.stdin ? path.resolve(cwd, opts.stdin.path ?? "stdin.sql") : undefined;
  if (opts.stdin && paths.length > 0) {
    return empty({ baseDir: cwd, errors: [checkError("usage", "standard input cannot be checked together with other paths", undefined, "check the paths in another run, or name the file that standard input stands for with `--stdin-filename`")] });
  }
  if (opts.stdin && opts.changedSince !== undefined) {
    return empty({ baseDir: cwd, errors: [checkError("usage", "`--changed-since` selects files from git; standard input is one given text", undefined, "leave out `--changed-since` when checking standard input")] });
  }
  const stdinProblem = stdinPath ? stdinTargetProblem(opts.stdin!.path ?? "stdin.sql", stdinPath) : undefined;
  if (stdinProblem) {
    return empty({ baseDir: cwd, errors: [checkError("usage", stdinProblem.message, undefined, stdinProblem.help)] });
  }

  // 1. configuration: errors here stop the run (exit 2) before anything is evaluated
  let loaded: LoadedConfig | undefined;
  const configPath = opts.config === false ? undefined : opts.config !== undefined ? path.resolve(cwd, opts.config) : findConfig(stdinPath ? path.dirname(stdinPath) : searchStart(paths, cwd));
  if (configPath) {
    const r = await loadConfig(configPath, shown(configPath));
    if (!r.loaded) return empty({ errors: r.errors, baseDir: cwd, configPath });
    loaded = r.loaded;
  }
  const config = loaded?.config ?? {};
  const baseDir = loaded?.dir ?? cwd;
  const repoRoot = findRepoRoot(baseDir);
  const failOn = opts.failOn ?? config.fail_on ?? "error";
  const notes: CheckNote[] = [];
  const base = { baseDir, failOn, configPath, notes, ...(repoRoot ? { repoRoot } : {}) };
  // an error in the config, as the result's paths are: relative to the base directory (its
  // rendered text names the file as the user reaches it from the working directory)
  const inConfig = (e: CheckError): CheckError => (configPath ? { ...e, file: toPosix(path.relative(baseDir, configPath)) } : e);

  mark("config");
  // Results of earlier runs (see result-cache.ts): on by default in a built Warden; from
  // sources (no build id) only when asked for.
  const build = BUILD_ID ?? (opts.cache === true ? "source" : undefined);
  const cache = opts.cache !== false && build !== undefined ? ResultCache.open(opts.cacheDir ? path.resolve(cwd, opts.cacheDir) : path.join(cacheDir(baseDir), "results"), baseDir) : undefined;
  // The SQL parser (a large wasm module) and the policy's wasm compile in the background
  // while this thread resolves the policy, walks the tree and reads the files, unless the
  // cache may answer for every file (then neither is needed).
  let sqlReady: Promise<typeof import("../sql/index.js")> | undefined;
  const loadSql = () => {
    sqlReady ??= import("../sql/index.js").then(async (m) => {
      await m.initSqlParser({ tierUp: false });
      return m;
    });
    sqlReady.catch(() => {}); // awaited below; a run that stops early must not leave it unhandled
    return sqlReady;
  };
  const eager = !cache || cache.empty;
  if (eager) void loadSql();

  // 2. policy: CLI paths are relative to cwd, config paths to the config's directory
  const specs = opts.policy?.length ? opts.policy.map((p) => path.resolve(cwd, p)) : (config.policies ?? []).map((p) => path.resolve(baseDir, p));
  const policy = await resolvePolicy(specs, { cwd, cacheFrom: baseDir, ...(!opts.policy?.length && loaded ? { config: { file: shown(loaded.path), text: loaded.text, locate: loaded.locate } } : {}) });
  if (!policy.bundle) return empty({ ...base, errors: policy.errors });
  const origin = policy.bundle.origin;
  const bundleRead = readBundle(policy.bundle.bytes).then((read) => {
    if (!read.wasm) throw new Error("it has no policy.wasm (a rego-target bundle needs an OPA server)");
    return { wasm: read.wasm, manifest: read.manifest, bundleData: (read.data ?? {}) as Record<string, JsonValue> };
  });
  bundleRead.catch(() => {});
  let evaluatorReady: Promise<BundleEvaluator> | undefined;
  const loadEvaluator = () => {
    evaluatorReady ??= bundleRead.then(async (read) => (await import("./bundle-evaluator.js")).loadBundleEvaluator({ wasm: read.wasm, data: read.bundleData, manifest: read.manifest }));
    evaluatorReady.catch(() => {});
    return evaluatorReady;
  };
  if (eager) void loadEvaluator();

  // 3. files
  const selection = { cwd, baseDir, include: config.include ?? DEFAULT_INCLUDE, exclude: config.exclude ?? [], ...(repoRoot ? { repoRoot } : {}) };
  // standard input is selected as a file named on the command line is (`exclude` applies)
  // a project inside this one (a directory below with a config of its own) is checked in a
  // run of its own, with its config, unless a config was named for the whole run
  // (in such a split run, the directories of the projects found are left to their own runs)
  const nesting = inner.skipDirs ? { stopAtConfigs: true, skipDirs: inner.skipDirs, emptyOk: true } : opts.config === undefined && !stdinPath ? { stopAtConfigs: true } : {};
  const found = await discoverFiles({ ...selection, ...nesting, ...(stdinPath ? { paths: [stdinPath], stdinPath } : { paths }), ...(opts.changedSince !== undefined ? { changedSince: opts.changedSince } : {}) });
  if (found.nested.length > 0) {
    const skipDirs = new Set([...(inner.skipDirs ?? []), ...found.nested]);
    return checkProjects([{ paths, config: configPath ?? false, skipDirs }, ...found.nested.map((d) => ({ paths: [d], config: undefined }))], opts, cwd);
  }
  errors.push(...found.errors);
  notes.push(...found.notes);
  if (errors.some((e) => e.kind === "usage")) return empty({ ...base, errors });
  let discovered = found.files;
  if (loaded && (paths.length > 0 || stdinPath)) {
    // the config defines the project: named files are checked in its context (earlier
    // migrations build the catalog), so `warden check one.sql` agrees with a full run
    const named = new Set(discovered.map((f) => f.absPath));
    const project = await discoverFiles({ ...selection, ...nesting, paths: [] });
    const context = project.files.filter((f) => !named.has(f.absPath)).map((f) => ({ ...f, changed: false }));
    discovered = [...discovered, ...context].sort(byRelPath);
  }
  const files: { relPath: string; absPath: string; text: string; changed?: boolean }[] = [];
  for (const f of discovered) {
    const stdin = opts.stdin && f.absPath === stdinPath && f.changed !== false ? opts.stdin.content : undefined;
    const r = stdin === undefined ? readTextFile(f.absPath) : decodeText(stdin);
    if ("text" in r) files.push({ ...f, text: r.text });
    else if (f.changed !== false) {
      const at = r.line !== undefined ? { line: r.line, column: r.column ?? 1 } : {};
      const what = stdin === undefined ? "file" : "standard input";
      errors.push(checkError("read", `cannot read ${what}: ${r.reason}`, { file: f.relPath, ...at }, r.help));
    } else {
      // a context-only file is not reported on, so it cannot fail the run either; but the
      // catalog misses what it would have replayed, and that is said
      const message = `\`${f.relPath}\` is read only as context and cannot be read: ${r.reason}; what it would add to the catalog is missing`;
      const help = r.help ?? "make the file readable, or list it in `exclude`";
      notes.push({ message, file: f.relPath, help, rendered: `warning: ${message}\n  = help: ${help}` });
    }
  }
  mark("discover+read");

  // 4. the policy: its rule catalogue, then the configuration as data (no recompile)
  let wasm: Uint8Array;
  let bundleData: Record<string, JsonValue>;
  let manifest: unknown;
  // a bundle that cannot be read or loaded stops the run (exit 2), naming where it came from
  const policyError = (err: unknown) => empty({ ...base, errors: [checkError("policy", `cannot load the policy bundle (${origin}): ${err instanceof Error ? err.message : String(err)}`)] });
  try {
    ({ wasm, bundleData, manifest } = await bundleRead);
  } catch (err) {
    return policyError(err);
  }
  const catalogue = catalogueOf(manifest);
  const rules = new Map<string, RuleInfo>();
  for (const r of [...catalogue, ...ENGINE_RULES]) if (!rules.has(r.id)) rules.set(r.id, r);

  // a rule named in the config that no loaded policy knows is most likely a typo
  if (loaded && config.rules && catalogue.length > 0) {
    const configErrors: CheckError[] = [];
    for (const id of Object.keys(config.rules)) {
      if (rules.has(id)) continue;
      const at = loaded.locate(["rules", id], true);
      configErrors.push(
        inConfig(checkError("config", `unknown rule \`${id}\` in \`rules\``, { file: shown(loaded.path), text: loaded.text, ...at }, didYouMean(id, rules.keys()) ?? "`warden rules` lists the rules of the loaded policy")),
      );
    }
    if (configErrors.length) return empty({ ...base, errors: configErrors, rules: [...rules.values()] });
  }

  const wardenData = (bundleData.warden ?? {}) as Record<string, JsonValue>;
  // a constant the policy does not declare, or a value of another shape than the policy's,
  // would be ignored or break the rules that read it: both are configuration errors
  if (loaded && config.constants) {
    const declared = (wardenData.constants ?? {}) as Record<string, JsonValue>;
    const constantErrors: CheckError[] = [];
    for (const [name, value] of Object.entries(config.constants)) {
      if (!Object.hasOwn(declared, name)) {
        const names = Object.keys(declared);
        constantErrors.push(
          inConfig(checkError("config", `unknown constant \`${name}\` in \`constants\``, { file: shown(loaded.path), text: loaded.text, ...loaded.locate(["constants", name], true) }, didYouMean(name, names) ?? (names.length ? `the loaded policy declares: ${names.map((n) => `\`${n}\``).join(", ")}` : "the loaded policy declares no constants"))),
        );
        continue;
      }
      const want = shapeOf(declared[name]!);
      const got = shapeOf(value);
      // an empty list fits any list, and any list fits a policy's empty or mixed one
      const lists = Array.isArray(value) && Array.isArray(declared[name]);
      if (want !== got && !(lists && ((value as JsonValue[]).length === 0 || (declared[name] as JsonValue[]).length === 0 || want === "a list"))) {
        constantErrors.push(inConfig(checkError("config", `constant \`${name}\` must be ${want}, not ${got}`, { file: shown(loaded.path), text: loaded.text, ...loaded.locate(["constants", name]) }, `the policy's default is \`${JSON.stringify(declared[name])}\``)));
      }
    }
    if (constantErrors.length) return empty({ ...base, errors: constantErrors, rules: [...rules.values()] });
  }
  const classifications: Record<string, string[]> = { ...((wardenData.classifications ?? {}) as Record<string, string[]>) };
  for (const [name, patterns] of Object.entries(config.classifications ?? {})) classifications[name] = [...(classifications[name] ?? []), ...patterns];
  const maskingFunctions = [...DEFAULT_MASKING, ...(config.masking_functions ?? [])];
  const configData: Record<string, JsonValue> = { ...((wardenData.config ?? {}) as Record<string, JsonValue>) };
  if (config.rules) configData.rules = config.rules;
  if (config.retraining) configData.retraining = config.retraining as JsonValue;
  configData.masking_functions = maskingFunctions;
  if (config.pg_version !== undefined) configData.pg_version = config.pg_version;
  const data: JsonValue = {
    ...bundleData,
    warden: { ...wardenData, classifications, constants: { ...((wardenData.constants ?? {}) as Record<string, JsonValue>), ...(config.constants ?? {}) }, config: configData },
  };

  // (a dbt project's macro files hold Jinja macro definitions, not statements: not checked)
  const { models: modelPaths, macros: macroPaths } = await dbtPaths(files, baseDir);
  const sqlFiles = macroPaths.length ? files.filter((f) => !macroPaths.some((mp) => isUnder(f.relPath, mp)) || modelPaths.some((mp) => isUnder(f.relPath, mp))) : files;
  const typeRoot = typingRoot({ ...(loaded ? { configDir: baseDir } : {}), ...(repoRoot ? { repoRoot } : {}), cwd });
  const inputs = sqlFiles.map((f) => {
    const folderPath = typingPath(f.absPath, typeRoot);
    const type = fileTypeOf(f.relPath, { globs: config.files ?? {}, dbtModelPaths: modelPaths, text: f.text, folderPath });
    // each migrations folder replays into a catalog of its own (see migrationSet)
    const set = type === "migration" ? migrationSet(f.absPath, folderPath ?? f.relPath) : undefined;
    return { path: f.relPath, absPath: f.absPath, text: f.text, type, checked: f.changed !== false, ...(set !== undefined ? { set } : {}) };
  });
  if (found.since) {
    const sources = [...(configPath ? [configPath] : []), ...specs];
    markAffected(inputs, found.since, { selected: found.files, sources, baseDir, typeRoot, globs: config.files ?? {}, modelPaths });
  }
  const checkedIdx = inputs.flatMap((f, i) => (f.checked ? [i] : []));
  const extractOptions = {
    maskingFunctions,
    classifications,
    ...(config.placeholders ? { placeholders: config.placeholders } : {}),
    ...(config.pg_version !== undefined ? { pgVersion: config.pg_version } : {}),
  };

  // 5. the cache: which checked files are known already, and where each set's replay can resume
  const hits = new Map<number, CachedFile>();
  const ruleDefaults = (id: string) => rules.get(id);
  let keys: string[] = [];
  const resume = new Map<string, { catalog: Uint8Array; skip: number }>();
  if (cache) {
    const { keys: k, sets } = await fileKeys(inputs, cacheSeed({ build: build!, bundle: policy.bundle.bytes, data, extract: extractOptions }));
    keys = k;
    for (const i of checkedIdx) {
      const hit = cache.get(keys[i]!, inputs[i]!.path, ruleDefaults);
      if (hit) hits.set(i, hit);
    }
    for (const [set, idx] of hits.size < checkedIdx.length ? sets : []) {
      let n = idx.length;
      while (n > 0 && !cache.hasCatalog(keys[idx[n - 1]!]!)) n--;
      // the migrations before the resume point are not extracted: each checked one needs its entry
      if (n === 0 || !idx.slice(0, n).every((i) => !inputs[i]!.checked || hits.has(i))) continue;
      const catalog = cache.readCatalog(keys[idx[n - 1]!]!);
      if (catalog) resume.set(set, { catalog, skip: n });
    }
    const skipped = [...resume.values()].reduce((sum, r) => sum + r.skip, 0);
    mark(`cache (${hits.size} of ${checkedIdx.length} files known${skipped ? `, replay resumed after ${skipped} migrations` : ""})`);
  }

  // 6. facts, then one evaluation per file not known from the cache. With a worker, each
  // such document goes to it as soon as it is made (in small batches), so evaluation
  // overlaps fact extraction and little is left to evaluate when the facts are done.
  const documents: InputDocument[] = new Array(inputs.length);
  const raw = new Map<number, Finding[]>();
  let resumedAfter = 0;
  let sqlModule: typeof import("../sql/index.js") | undefined;
  // what extraction could not check in a file (e.g. a psql `\i` include), by file
  const unchecked = new Map<string, Note[]>();
  // dbt YAML files that could not be read (not inputs themselves: reported beside them)
  const yamlNotes: Note[] = [];
  const toEvaluate = checkedIdx.filter((i) => !hits.has(i));
  if (toEvaluate.length > 0) {
    let evaluator: BundleEvaluator;
    try {
      evaluator = await loadEvaluator();
    } catch (err) {
      return policyError(err);
    }
    const sql = await loadSql();
    sqlModule = sql;
    mark("policy+parser (waited)");
    evaluator.setData(data);
    // a second thread for evaluation, started now so that it is ready when the facts are
    const threads = process.env.WARDEN_THREADS === "1" ? 1 : 2;
    const worker = threads > 1 && toEvaluate.length >= PARALLEL_MIN_FILES ? (await import("./eval-worker.js")).startEvalWorker(wasm, data) : undefined;
    const wanted = new Set(toEvaluate);
    const remote: { idx: number[]; results: Promise<Finding[][]> }[] = [];
    let batch: number[] = [];
    const send = () => {
      if (!worker || batch.length === 0) return;
      const idx = batch;
      batch = [];
      const results = worker.evaluate(idx.map((i) => documents[i] as unknown as JsonValue));
      results.catch(() => {}); // awaited below
      remote.push({ idx, results });
    };
    const extracted = sql.extractProject(inputs, {
      rootDir: baseDir,
      ...extractOptions,
      ...(resume.size ? { resume } : {}),
      ...(cache ? { onSetDone: (_set: string, last: number, snapshot: () => Uint8Array) => cache.setCatalog(keys[last]!, snapshot()) } : {}),
      onDocument: (i, doc) => {
        documents[i] = doc;
        if (!worker || !wanted.has(i)) return;
        batch.push(i);
        if (batch.length >= EVAL_BATCH) send();
      },
    });
    send();
    resumedAfter = extracted.resumedAfter; // less when a saved catalog could not be restored
    for (const n of extracted.notes) {
      if (UNCHECKED_NOTES.has(n.kind)) unchecked.set(n.file, [...(unchecked.get(n.file) ?? []), n]);
      else if (n.kind === "dbt-yaml") yamlNotes.push(n);
    }
    mark("facts");
    // every file is extracted (so catalog facts match a full run); only checked ones are evaluated
    const evaluate = (i: number) => evaluator.findings(documents[i] as unknown as JsonValue);
    if (worker) {
      let failure: unknown;
      for (const r of remote) {
        try {
          const results = await r.results;
          r.idx.forEach((i, k) => raw.set(i, results[k]!));
        } catch (err) {
          failure ??= err;
        }
      }
      worker.close();
      // the worker is an optimisation: whatever went wrong there, evaluate here
      for (const i of toEvaluate) if (!raw.has(i)) raw.set(i, evaluate(i));
      if (failure === undefined) mark(`evaluate (${toEvaluate.length} files on the worker)`);
      else mark(`evaluate (worker failed: ${failure instanceof Error ? failure.message : String(failure)})`);
    } else {
      for (const i of toEvaluate) raw.set(i, evaluate(i));
      mark("evaluate");
    }
  }

  const ctx: FileContext = { rules, severityOf: (id, dflt) => config.rules?.[id] ?? dflt, ...(sqlModule ? { sqlText: sqlModule.blankNonSql } : {}) };
  const all: CheckFinding[] = [];
  const sources = new Map<string, string>();
  let statements = 0;
  let suppressed = 0;
  let done = 0;
  // a broken dbt YAML file is reported while a model is checked; its models are then not
  // cached, so that every run reports it until it is fixed (the YAML is no checked file)
  // (only for the dbt projects that have a checked model: with --changed-since, a project
  // read only as context is not this change's to report)
  if (yamlNotes.length) {
    const projectOf = dbtProjectFinder();
    const checkedProjects = new Set(inputs.filter((f) => f.checked && f.type === "dbt_model").map((f) => dbtProjectRoot(f.absPath, projectOf)));
    all.push(...yamlErrorFindings(yamlNotes.filter((n) => checkedProjects.has(dbtProjectRoot(path.resolve(baseDir, n.file), projectOf))), baseDir, ctx, sources));
  }
  for (const i of checkedIdx) {
    const input = inputs[i]!;
    let r = hits.get(i);
    if (!r) {
      const doc = documents[i]!;
      r = { ...fileFindings(input, doc, raw.get(i)!, ctx, unchecked.get(input.path) ?? []), statements: doc.statements.length };
    }
    if (!(yamlNotes.length && input.type === "dbt_model")) cache?.set(keys[i]!, r, ruleDefaults);
    statements += r.statements;
    suppressed += r.suppressed;
    if (r.findings.length > 0) {
      sources.set(input.path, input.text);
      all.push(...r.findings);
    }
    opts.onProgress?.(++done, checkedIdx.length);
  }
  // room for the entries of other runs over this project: twice its files, at least 2,000
  if (cache && toEvaluate.length > 0) cache.save(Math.max(2 * inputs.length, 2000));
  mark("findings");
  all.sort(byPlace);

  // 7. baseline: write the full set; leave out what a given baseline lists
  const { findings, baselined } = baselineStep(all, opts, cwd, errors, base);

  mark("baseline");
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const failing = findings.some((f) => fails(f.severity, failOn));
  return {
    ...base,
    findings,
    summary: { files: checkedIdx.length, statements, findings: findings.length, by_severity: bySeverity, suppressed, baselined },
    rules: [...rules.values()],
    errors,
    exitCode: errors.length > 0 ? 2 : failing ? 1 : 0,
    sources,
    ...(cache ? { cache: { known: hits.size, resumedAfter } } : {}),
  };
}

/**
 * With `--changed-since`, marks as checked the selected files whose findings a change may
 * have changed though their own text did not: every file when the config or a policy source
 * changed; a dbt project's models when its other YAML, JSON or SQL changed (schema YAML,
 * macros, dbt_project.yml, packages, target/manifest.json: what rendering reads, as the
 * result cache counts it); the migrations after a changed or removed one of the same
 * migrations folder (their catalog changed). Files outside the named paths stay context.
 */
function markAffected(
  inputs: { path: string; absPath: string; type: FileType; set?: string; checked: boolean }[],
  since: ChangedSince,
  at: { selected: readonly { absPath: string }[]; sources: string[]; baseDir: string; typeRoot: string; globs: Partial<Record<FileType, string[]>>; modelPaths: string[] },
): void {
  const selected = new Set(at.selected.map((f) => f.absPath));
  const mark = (i: number) => {
    if (selected.has(inputs[i]!.absPath)) inputs[i]!.checked = true;
  };
  const touched = [...since.changed, ...since.removed];
  const sources = at.sources.flatMap((p) => gitNames(p));
  if (touched.some((c) => sources.some((s) => c === s || c.startsWith(s + path.sep)))) {
    inputs.forEach((_, i) => mark(i));
    return;
  }

  // dbt: a model's project is its nearest dbt_project.yml's folder (else the one above models/)
  const projectOf = dbtProjectFinder();
  const models = new Map<string, number[]>(); // project folder (real) → its models
  const modelNames = new Set<string>();
  inputs.forEach((f, i) => {
    if (f.type !== "dbt_model") return;
    const root = dbtProjectRoot(realOr(f.absPath), projectOf);
    models.set(root, [...(models.get(root) ?? []), i]);
    for (const n of gitNames(f.absPath)) modelNames.add(n);
  });
  for (const [root, idx] of models) {
    const read = touched.some((c) => {
      if (modelNames.has(c) || !c.startsWith(root + path.sep)) return false;
      // the deepest project holding the file is its project
      if ([...models.keys()].some((r) => r.length > root.length && c.startsWith(r + path.sep))) return false;
      return isDbtProjectFile(toPosix(path.relative(root, c)));
    });
    if (read) idx.forEach(mark);
  }

  // migrations: each set replays in order, so a change reaches every later migration of its set
  const realBase = realOr(at.baseDir);
  const removed = [...since.removed].flatMap((c) => {
    const rel = path.relative(realBase, c);
    if (!/\.sql$/i.test(c) || rel.startsWith("..") || path.isAbsolute(rel)) return [];
    const relPath = toPosix(rel);
    const absPath = path.join(at.baseDir, rel);
    const folderPath = typingPath(absPath, at.typeRoot);
    if (fileTypeOf(relPath, { globs: at.globs, dbtModelPaths: at.modelPaths, folderPath }) !== "migration") return [];
    return [{ relPath, set: migrationSet(absPath, folderPath ?? relPath) }];
  });
  for (const [set, idx] of migrationSets(inputs)) {
    const changed = idx.findIndex((i) => gitNames(inputs[i]!.absPath).some((n) => since.changed.has(n)));
    let from = changed < 0 ? idx.length : changed + 1;
    for (const r of removed) {
      if (r.set !== set) continue;
      const next = idx.findIndex((i) => compareMigrations(inputs[i]!.path, r.relPath) > 0);
      if (next >= 0) from = Math.min(from, next);
    }
    idx.slice(from).forEach(mark);
  }
}

/** The exclusive end column of a span from `column` to the end of `line`'s text (at least one character). */
function toLineEnd(line: string, column: number): number {
  return Math.max(column + 1, line.trimEnd().length + 1);
}

/** The JSON shape of a constant, as an error names it: a list of strings, a number, … */
function shapeOf(v: JsonValue): string {
  if (Array.isArray(v)) {
    const kinds = [...new Set(v.map((x) => shapeOf(x).replace(/^an? /, "")))];
    return kinds.length === 1 ? `a list of ${kinds[0]}s` : "a list";
  }
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return typeof v === "string" ? "a string" : typeof v === "number" ? "a number" : "a boolean";
}

/** Findings on dbt YAML files that could not be read, at the position the YAML parser gave. */
function yamlErrorFindings(notes: Note[], baseDir: string, ctx: FileContext, sources: Map<string, string>): CheckFinding[] {
  const severity = ctx.severityOf("dbt-yaml-error", "warning");
  if (severity === "off") return [];
  const info = ctx.rules.get("dbt-yaml-error")!;
  return notes.map((n): CheckFinding => {
    let text = "";
    try {
      text = readFileSync(path.resolve(baseDir, n.file), "utf8");
      sources.set(n.file, text);
    } catch {
      // unreadable: the note says so; no code frame
    }
    const line = n.line ?? 1;
    const column = n.column ?? 1;
    const lineText = text.split(/\r\n|\r|\n/)[line - 1] ?? "";
    return { rule: "dbt-yaml-error", severity, message: n.message, file: n.file, line, column, end_line: line, end_column: toLineEnd(lineText, column), statement: -1, help: info.help, doc: info.doc, fingerprint: statementFingerprint(lineText) };
  });
}

interface FileContext {
  rules: Map<string, RuleInfo>;
  /** the text with what is not SQL blanked (see `blankNonSql`), when the SQL side is loaded */
  sqlText?: (text: string) => string;
  severityOf(id: string, dflt: Severity): Severity | "off";
}

/**
 * One file's findings: the policy's (with point locations widened to the name there),
 * parse errors, then suppressions applied and the engine's findings about them.
 */
function fileFindings(input: { path: string; text: string }, doc: InputDocument, raw: Finding[], ctx: FileContext, notes: Note[]): { findings: CheckFinding[]; suppressed: number } {
  let lines: string[] | undefined;
  const lineText = (n: number) => (lines ??= input.text.split(/\r\n|\r|\n/))[n - 1] ?? "";
  type Pending = Omit<CheckFinding, "file" | "help" | "doc" | "fingerprint"> & { help?: string };
  const pending: Pending[] = [];
  for (const f of raw) {
    const st = doc.statements[f.statement];
    const loc = f.location ?? st?.location ?? { line: 1, column: 1 };
    const sameAsStatement = st && loc.line === st.location.line && loc.column === st.location.column;
    let endLine = loc.end_line ?? (sameAsStatement ? st.location.end_line : undefined);
    let endColumn = loc.end_column ?? (sameAsStatement ? st.location.end_column : undefined);
    if (endLine === undefined || endColumn === undefined) {
      // a fact location is a start point (a column reference, a name): span the name there
      endLine = loc.line;
      endColumn = loc.column + nameLength(lineText(loc.line), loc.column);
    } else if (endLine < loc.line || (endLine === loc.line && endColumn <= loc.column)) {
      // an empty span (a rendered dbt model's statement maps to the start of its line): the line
      endLine = loc.line;
      endColumn = toLineEnd(lineText(loc.line), loc.column);
    }
    pending.push({ rule: f.rule, severity: f.severity, message: f.message, line: loc.line, column: loc.column, end_line: endLine, end_column: endColumn, statement: f.statement });
  }
  // parse errors: at the parser's position when it gave one (spanning the token there), else the statement
  const parseSeverity = ctx.severityOf("parse-error", "error");
  if (parseSeverity !== "off") {
    for (const st of doc.statements) {
      if (st.kind !== "unparsed") continue;
      const line = st.error?.line ?? st.location.line;
      const column = st.error?.column ?? st.location.column;
      const atStart = line === st.location.line && column === st.location.column;
      pending.push({
        rule: "parse-error",
        severity: parseSeverity,
        message: `cannot parse statement: ${st.error?.message ?? "syntax error"}`,
        line,
        column,
        end_line: atStart ? (st.location.end_line ?? line) : line,
        end_column: atStart ? (st.location.end_column ?? column + 1) : column + nameLength(lineText(line), column),
        statement: st.index,
      });
    }
  }
  // SQL the file runs from elsewhere: a finding on the line that runs it (no statement of its own)
  const uncheckedSeverity = ctx.severityOf("unchecked-sql", "warning");
  if (uncheckedSeverity !== "off") {
    for (const n of notes) {
      const line = n.line ?? 1;
      const column = n.column ?? 1;
      // a directive right above the command reaches the next statement (psql lines are not
      // statements): the finding goes with that statement, so the directive covers it
      const next = doc.statements.find((st) => !st.nested_in && (st.location.line > line || (st.location.line === line && st.location.column > column)));
      pending.push({ rule: "unchecked-sql", severity: uncheckedSeverity, message: n.message, line, column, end_line: line, end_column: toLineEnd(lineText(line), column), statement: next?.index ?? -1 });
    }
  }
  // directives are read from the SQL: not from COPY data rows or goose `Down` sections
  // (only a file that mentions a directive needs that blanking)
  const sqlText = ctx.sqlText && mentionsSuppression(input.text) ? ctx.sqlText(input.text) : input.text;
  const applied = applySuppressions(pending, parseSuppressions(sqlText, doc.statements), ctx.rules.keys());
  const kept: Pending[] = [...applied.kept];
  for (const e of applied.engine) {
    const severity = ctx.severityOf(e.rule, "warning");
    if (severity !== "off") kept.push({ ...e, severity, statement: -1 });
  }
  const fingerprints = new Map<number, string>();
  const plain = applied.kept.length;
  const findings = kept.map((p, k): CheckFinding => {
    let fingerprint = fingerprints.get(p.statement);
    if (fingerprint === undefined) {
      // engine findings about comments have no statement: their own line identifies them
      fingerprint = statementFingerprint(p.statement >= 0 ? (doc.statements[p.statement]?.text ?? "") : lineText(p.line));
      if (p.statement >= 0) fingerprints.set(p.statement, fingerprint);
    }
    const info = ctx.rules.get(p.rule);
    const help = p.help ?? info?.help ?? "";
    const docUrl = info?.doc ?? "";
    // the policy's and the parse-error findings (built above, all one shape) are copied field
    // by field in the same order: a spread of each cost more than the rest of this loop
    if (k < plain) {
      const { rule, severity, message, line, column, end_line, end_column, statement } = p;
      return { rule, severity, message, line, column, end_line, end_column, statement, file: input.path, help, doc: docUrl, fingerprint };
    }
    return { ...p, file: input.path, help, doc: docUrl, fingerprint };
  });
  return { findings, suppressed: applied.suppressed };
}

const NAME = /^(?:"(?:[^"]|"")*"|[\p{L}\p{N}_$]+|\*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[\p{L}\p{N}_$]+|\*))*/u;

/** Length (UTF-16 units) of the possibly qualified SQL name at 1-based `column`; at least 1. */
export function nameLength(line: string, column: number): number {
  const m = NAME.exec(line.slice(column - 1));
  return m ? Math.max(1, m[0].length) : 1;
}

/** `WARDEN_TIMING=1` prints how long each phase of a run took, on stderr (for benchmarks). */
function phaseTimer(): (phase: string) => void {
  if (!process.env.WARDEN_TIMING) return () => {};
  let last = performance.now();
  process.stderr.write(`timing: start-up ${last.toFixed(1)} ms\n`);
  return (phase) => {
    const now = performance.now();
    process.stderr.write(`timing: ${phase} ${(now - last).toFixed(1)} ms\n`);
    last = now;
  };
}
