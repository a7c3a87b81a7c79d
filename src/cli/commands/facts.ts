// `warden facts FILE...`: prints the fact documents (JSON) that policies see for SQL files,
// extracted the way `warden check` extracts them (configuration, catalog replay, dbt).
import path from "node:path";
import { Option } from "commander";
import { globSync } from "tinyglobby";
import type { RegisterCommand } from "./index.js";
import { usageMessage } from "../usage-errors.js";
import { findConfig, loadConfig } from "../../engine/config.js";
import { dbtModelPaths } from "../../engine/dbt-paths.js";
import { checkError } from "../../engine/errors.js";
import { readFileSync } from "node:fs";
import { decodeText, readTextFile, stdinTargetProblem } from "../../engine/read-text.js";
import { DEFAULT_MASKING, extractProject, fileTypeOf, initSqlParser, type FileType, type ProjectFile } from "../../sql/index.js";
import { migrationSet, typingPath, typingRoot } from "../../sql/files.js";
import { DEFAULT_INCLUDE, discoverFiles, findRepoRoot, toPosix } from "../../engine/discover.js";

const TYPES: FileType[] = ["migration", "dbt_model", "retraining", "sql"];


export const registerFacts: RegisterCommand = (program, setExit) => {
  program
    .command("facts")
    .description("print the fact documents (JSON) that policies see for SQL files")
    .argument("<file...>", "SQL files (migrations, dbt models, retraining or plain SQL); `-` reads SQL from standard input")
    .addOption(new Option("--type <type>", "treat every file as this type instead of inferring it from its path").choices(TYPES))
    .option("-c, --config <file>", "config file, as for `warden check` (default: warden.config.yaml found upward)")
    .option("--no-config", "ignore any configuration file")
    .option("--compact", "print one JSON document per line instead of an indented array")
    .option("--stdin-filename <path>", "with `-`: the file that standard input stands for (its type and project; default stdin.sql)")
    .option(
      "-p, --policy <paths>",
      "also apply the classifications (`classify`) of this policy: .warden files/directories or a bundle .tar.gz; comma-separated or repeated",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(",").filter(Boolean)],
    )
    .addHelpText(
      "after",
      "\nThe output is a JSON array with one input document per file, in argument order.\n" +
        "Earlier migrations of the same folder are replayed (not printed), and other files\n" +
        "see the migrations of their nearest migrations folder, so catalog facts such as\n" +
        "`existed_before` and `*` match `warden check`. Notes (skipped psql meta-commands,\n" +
        "placeholders, unavailable dbt macros) go to stderr. Classifications come from the\n" +
        "configuration and, with `--policy`, from that policy's `classify` declarations.\n\n" +
        "Examples:\n  warden facts db/migrations/V3__add_email.sql\n  echo 'SELECT email FROM users' | warden facts - --type retraining\n  warden facts --type retraining jobs/features.sql\n  warden facts models/marts/customers.sql --compact\n  warden facts --policy policies/ jobs/export.sql\n\nExit codes:\n  0  printed\n  2  unreadable input, configuration or usage error\n",
    )
    .action(async (files: string[], opts: { type?: FileType; config?: string | false; compact?: boolean; policy?: string[]; stdinFilename?: string }) => {
      const cwd = process.cwd();
      const usage = (message: string, help: string) => {
        process.stderr.write(usageMessage("facts", message, help));
        setExit(2);
      };
      if (files.filter((f) => f === "-").length > 1) return usage("`-` (standard input) is named more than once", "name it once");
      if (opts.stdinFilename !== undefined && !files.includes("-")) return usage("`--stdin-filename` names the file that standard input stands for, but no file is `-`", `pass \`-\` as the file: \`warden facts - --stdin-filename ${opts.stdinFilename}\``);
      // standard input stands for this file: its path gives the type, the project and the config
      const stdinPath = opts.stdinFilename ?? "stdin.sql";
      const fromStdin = files.includes("-") ? path.resolve(cwd, stdinPath) : undefined;
      const stdinProblem = fromStdin ? stdinTargetProblem(stdinPath, fromStdin) : undefined;
      if (stdinProblem) return usage(stdinProblem.message, stdinProblem.help);
      if (fromStdin && files.some((f) => f !== "-" && path.resolve(cwd, f) === fromStdin)) return usage(`\`${stdinPath}\` is named as a file and as what standard input stands for`, "name it once: as a file, or as `-` with `--stdin-filename`");
      files = files.map((f) => (f === "-" ? stdinPath : f));
      let config: { files?: Partial<Record<FileType, string[]>>; include?: string[]; exclude?: string[]; classifications?: Record<string, string[]>; masking_functions?: string[]; placeholders?: Record<string, string>; pg_version?: number } = {};
      let baseDir = cwd;
      const configPath = opts.config === false ? undefined : typeof opts.config === "string" ? path.resolve(cwd, opts.config) : findConfig(path.dirname(path.resolve(cwd, files[0] ?? ".")));
      if (configPath) {
        const r = await loadConfig(configPath, toPosix(path.relative(cwd, configPath)) || configPath);
        if (!r.loaded) {
          process.stderr.write(r.errors.map((e) => e.rendered).join("\n\n") + "\n");
          setExit(2);
          return;
        }
        config = r.loaded.config;
        baseDir = r.loaded.dir;
      }
      // the policy's own `classify` patterns, as `warden check` merges them (bundle data, then config)
      const classifications: Record<string, string[]> = {};
      if (opts.policy?.length) {
        const fromPolicy = await policyClassifications(opts.policy.map((p) => path.resolve(cwd, p)), cwd, baseDir);
        if ("error" in fromPolicy) {
          process.stderr.write(fromPolicy.error + "\n");
          setExit(2);
          return;
        }
        Object.assign(classifications, fromPolicy.classifications);
      }
      for (const [name, patterns] of Object.entries(config.classifications ?? {})) classifications[name] = [...(classifications[name] ?? []), ...patterns];
      const wanted: ProjectFile[] = [];
      for (const f of files) {
        const abs = path.resolve(cwd, f);
        const r = abs === fromStdin ? readStdin() : readTextFile(abs);
        if (!("text" in r)) {
          const at = r.line !== undefined ? { file: f, line: r.line, column: r.column ?? 1 } : {};
          const what = abs === fromStdin ? "standard input" : "file";
          process.stderr.write(checkError("read", r.line !== undefined ? `cannot read ${what}: ${r.reason}` : `cannot read \`${f}\`: ${r.reason}`, at, r.help).rendered + "\n");
          setExit(2);
          return;
        }
        const text = r.text;
        wanted.push({ path: toPosix(path.relative(baseDir, abs)), absPath: abs, text, type: "sql" });
      }
      const modelPaths = await dbtModelPaths(wanted.map((w) => ({ absPath: w.absPath! })), baseDir);
      const repoRoot = findRepoRoot(baseDir);
      const typeRoot = typingRoot({ ...(configPath ? { configDir: baseDir } : {}), ...(repoRoot ? { repoRoot } : {}), cwd });
      // a migration's set (its migrations folder) replays as `warden check` replays it
      const setOf = (abs: string, rel: string) => migrationSet(abs, typingPath(abs, typeRoot) ?? rel);
      for (const w of wanted) {
        w.type = opts.type ?? fileTypeOf(w.path, { globs: config.files ?? {}, dbtModelPaths: modelPaths, text: w.text, folderPath: typingPath(w.absPath!, typeRoot) });
        if (w.type === "migration") w.set = setOf(w.absPath!, w.path);
      }
      // context files: earlier migrations of the same folders and the other models of the dbt projects
      const all = new Map(wanted.map((w) => [w.absPath!, w]));
      const context: ProjectFile[] = [];
      const addContext = (a: string, rel: string, type: FileType) => {
        if (all.has(a)) return;
        // a context file that cannot be read is left out, as `warden check` leaves it out
        const r = readTextFile(a);
        if (!("text" in r)) return;
        const f: ProjectFile = { path: rel, absPath: a, text: r.text, type, ...(type === "migration" ? { set: setOf(a, rel) } : {}) };
        all.set(a, f);
        context.push(f);
      };
      const addDir = (dir: string, type: FileType) => {
        for (const abs of globSync("**/*.sql", { cwd: dir, absolute: true })) {
          const a = path.resolve(abs);
          addContext(a, toPosix(path.relative(baseDir, a)), type);
        }
      };
      for (const w of wanted) {
        if (w.type === "migration") addDir(w.set || path.dirname(w.absPath!), "migration");
        else if (w.type === "dbt_model") {
          const mp = modelPaths.find((p) => w.path.startsWith(p + "/"));
          if (mp) addDir(path.join(baseDir, mp), "dbt_model");
        }
      }
      // other files see the project's migrations, as in `warden check`: the catalog of the
      // nearest migrations folder (`*` expands, `existed_before` is known)
      if (wanted.some((w) => w.type !== "migration")) {
        const project = await discoverFiles({ cwd, baseDir, paths: [], include: config.include ?? DEFAULT_INCLUDE, exclude: config.exclude ?? [], stopAtConfigs: true, emptyOk: true, ...(repoRoot ? { repoRoot } : {}) });
        for (const f of project.files) {
          if (fileTypeOf(f.relPath, { globs: config.files ?? {}, dbtModelPaths: modelPaths, folderPath: typingPath(f.absPath, typeRoot) }) === "migration") addContext(f.absPath, f.relPath, "migration");
        }
      }
      await initSqlParser();
      const { documents, notes } = extractProject([...wanted, ...context], {
        rootDir: baseDir,
        maskingFunctions: [...DEFAULT_MASKING, ...(config.masking_functions ?? [])],
        classifications,
        ...(config.placeholders ? { placeholders: config.placeholders } : {}),
        ...(config.pg_version !== undefined ? { pgVersion: config.pg_version } : {}),
      });
      const shown = documents.slice(0, wanted.length);
      const wantedPaths = new Set(wanted.map((w) => w.path));
      for (const n of notes) {
        if (!wantedPaths.has(n.file)) continue;
        const at = n.line !== undefined ? `${n.file}:${n.line}:${n.column ?? 1}` : n.file;
        process.stderr.write(`${at}: note: ${n.message}\n`);
      }
      process.stdout.write(opts.compact ? shown.map((d) => JSON.stringify(d)).join("\n") + "\n" : JSON.stringify(shown, null, 2) + "\n");
      setExit(0);
    });
};

/** Standard input as SQL text, with the checks a file gets. */
function readStdin(): ReturnType<typeof readTextFile> {
  try {
    return decodeText(readFileSync(0));
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}

/** `data.warden.classifications` of the policy `warden check --policy` would load. */
async function policyClassifications(specs: string[], cwd: string, baseDir: string): Promise<{ classifications: Record<string, string[]> } | { error: string }> {
  const { resolvePolicy } = await import("../../engine/policy.js");
  const { readBundle } = await import("../../compiler/bundle/read-bundle.js");
  const r = await resolvePolicy(specs, { cwd, cacheFrom: baseDir });
  if (!r.bundle) return { error: r.errors.map((e) => e.rendered).join("\n\n") };
  try {
    const data = (await readBundle(r.bundle.bytes)).data as { warden?: { classifications?: Record<string, unknown> } } | null;
    const out: Record<string, string[]> = {};
    for (const [name, patterns] of Object.entries(data?.warden?.classifications ?? {})) {
      if (Array.isArray(patterns)) out[name] = patterns.filter((p): p is string => typeof p === "string");
    }
    return { classifications: out };
  } catch (err) {
    return { error: `error: cannot read the policy bundle (${r.bundle.origin}): ${err instanceof Error ? err.message : String(err)}` };
  }
}
