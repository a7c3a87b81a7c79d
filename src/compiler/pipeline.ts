// The front end's pipeline: one visible, ordered list of named stages from policy
// sources to IR and tests. A stage reads and extends the shared state; the pipeline
// stops after the first stage that reports an error, so later stages see clean input.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { Diagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import { checkPolicies, type CheckedProgram } from "./check/check.js";
import { loadFactSchema, type FactSchema } from "./check/facts.js";
import type { JsonValue, PolicyIR, Scope } from "./ir/ir.js";
import { lowerProgram } from "./ir/lower.js";
import { jsonOf, type PolicyFileAst } from "./syntax/ast.js";
import { parsePolicy } from "./syntax/parse.js";

export interface PolicySource {
  path: string;
  text: string;
}

export interface TestCase {
  scope: Scope;
  sql: string;
  identity?: JsonValue;
  session?: JsonValue;
  intent?: string;
  /** Merged into the bundle data's `warden.config` for this case (objects deep-merged, anything else replaced). */
  config?: JsonValue;
  /** SQL replayed as an earlier migration in the same project, so its tables exist before the case's SQL. */
  catalog?: string;
  expect: { kind: "deny" | "warn" | "info" | "approval"; rule: string } | { kind: "allow" } | { kind: "mask"; column: string };
  span: Span;
}

export interface PolicyTest {
  rule: string;
  span: Span;
  cases: TestCase[];
}

export interface CompileResult {
  diagnostics: Diagnostic[];
  files?: PolicyFileAst[];
  /** Undefined when any error was reported. */
  ir?: PolicyIR;
  /** Undefined when any error was reported. */
  tests?: PolicyTest[];
}

export interface CompileOptions {
  /** A fact schema to type against (default: the one shipped in schema/). */
  schema?: FactSchema;
  /** Stop after this stage (by name); the state then holds that stage's output. */
  stopAfter?: StageName;
}

/** What the stages share; each stage fills in its part. */
export interface CompileState {
  sources: PolicySource[];
  schema: FactSchema;
  diagnostics: Diagnostics;
  files?: PolicyFileAst[];
  program?: CheckedProgram;
  ir?: PolicyIR;
  tests?: PolicyTest[];
}

export interface Stage {
  name: string;
  run(state: CompileState): void;
  /** The stage's output, for `--dump-after`. */
  output(state: CompileState): unknown;
}

export const stages = [
  {
    // Files are parsed independently; every syntax error of every file is reported.
    name: "parse-files",
    run(s) {
      s.files = s.sources.map((src) => {
        const r = parsePolicy(src.path, src.text);
        s.diagnostics.push(...r.diagnostics);
        return r.ast;
      });
    },
    output: (s) => s.files,
  },
  {
    // Needs whole, error-free ASTs of all files: names resolve across files
    // (rule ids, constants, classifications) and recovery-made partial trees would
    // only produce follow-on errors.
    name: "check-types",
    run(s) {
      const r = checkPolicies(s.files!, s.schema);
      s.diagnostics.push(...r.diagnostics.items);
      s.program = r.program;
    },
    output: (s) => s.files,
  },
  {
    // Only after a clean check: lowering relies on resolved names and valid clauses.
    name: "lower-rules",
    run(s) {
      s.ir = lowerProgram(s.program!, s.schema);
    },
    output: (s) => s.ir,
  },
  {
    // Last, so a test is only handed out when the rules it names compiled.
    name: "collect-tests",
    run(s) {
      s.tests = s.program!.tests.map((t) => ({
        rule: t.rule.name,
        span: t.span,
        cases: t.cases.map((c): TestCase => {
          const ex = c.expect;
          const expect: TestCase["expect"] =
            ex.kind === "allow" ? { kind: "allow" } : ex.kind === "mask" ? { kind: "mask", column: ex.column.map((x) => x.name).join(".") } : { kind: ex.kind, rule: ex.rule.name };
          return {
            scope: c.scope.name as Scope,
            sql: c.sql.value,
            ...(c.identity ? { identity: jsonOf(c.identity) } : {}),
            ...(c.session ? { session: jsonOf(c.session) } : {}),
            ...(c.intent ? { intent: c.intent.value } : {}),
            ...(c.config ? { config: jsonOf(c.config) } : {}),
            ...(c.catalog ? { catalog: jsonOf(c.catalog) as string } : {}),
            expect,
            span: c.span,
          };
        }),
      }));
    },
    output: (s) => s.tests,
  },
] as const satisfies readonly Stage[];

export type StageName = (typeof stages)[number]["name"];
export const STAGE_NAMES: readonly StageName[] = stages.map((s) => s.name);

/** Runs the stages in order; stops after an erroring stage or after `stopAfter`. */
export function runPipeline(sources: PolicySource[], options: CompileOptions = {}): CompileState {
  const state: CompileState = { sources, schema: options.schema ?? loadFactSchema(), diagnostics: new Diagnostics() };
  for (const stage of stages as readonly Stage[]) {
    stage.run(state);
    if (state.diagnostics.hasErrors || stage.name === options.stopAfter) break;
  }
  return state;
}

export function compileSources(sources: PolicySource[], options: CompileOptions = {}): CompileResult {
  const s = runPipeline(sources, options);
  const diagnostics = s.diagnostics.sorted();
  if (s.diagnostics.hasErrors) return { diagnostics, ...(s.files ? { files: s.files } : {}) };
  return { diagnostics, files: s.files, ir: s.ir, tests: s.tests };
}

/**
 * Reads policy sources from files and directories (directories: every `*.warden` below,
 * sorted, skipping dot-directories and node_modules). Problems become diagnostics:
 * an unreadable path is W1001, finding no policy file at all is W1002.
 */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export async function loadPolicySources(paths: string[]): Promise<{ sources: PolicySource[]; diagnostics: Diagnostic[] }> {
  const diags = new Diagnostics();
  const sources: PolicySource[] = [];
  const seen = new Set<string>();
  const add = async (file: string) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      diags.add("W1001", `cannot read \`${file}\`: ${reason(err)}`);
      return;
    }
    try {
      // strict: a Latin-1 byte in a string literal would otherwise become U+FFFD and the
      // policy would silently compare against a different string
      sources.push({ path: file, text: UTF8.decode(bytes) });
    } catch {
      diags.add("W1001", `cannot read \`${file}\`: it is not UTF-8 text`, undefined, "save the file as UTF-8");
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      diags.add("W1001", `cannot read \`${p}\`: ${reason(err)}`);
      continue;
    }
    if (st.isDirectory()) for (const f of await findPolicyFiles(p, diags)) await add(f);
    else await add(p);
  }
  if (sources.length === 0 && !diags.hasErrors) {
    diags.add("W1002", `no policy files in ${paths.map((p) => `\`${p}\``).join(", ") || "the given paths"}`, undefined, "policy files end in `.warden`");
  }
  return { sources, diagnostics: diags.items };
}

async function findPolicyFiles(dir: string, diags: Diagnostics): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    diags.add("W1001", `cannot read \`${dir}\`: ${reason(err)}`);
    return out;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      out.push(...(await findPolicyFiles(full, diags)));
    } else if (e.name.endsWith(".warden")) out.push(full);
  }
  return out;
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return err instanceof Error ? err.message : String(err);
}
