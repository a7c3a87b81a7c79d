// Resolves the policy `warden check` evaluates: the precompiled built-in bundle, a prebuilt
// `.tar.gz` bundle, or `.warden` sources compiled on the fly and cached by content hash.
// The compiler is imported only on a cache miss, so a cached or prebuilt run never loads it.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { JsonValue, Severity } from "../compiler/ir/ir.js";
import { readBundle } from "../compiler/bundle/read-bundle.js";
import { BUILD_ID, VERSION } from "../version.js";
import { checkError, fsReason, type ErrorAt } from "./errors.js";
import { readTextFile } from "./read-text.js";
import type { CheckError, RuleInfo } from "./types.js";

export interface PolicyBundle {
  /** The gzipped bundle. */
  bytes: Buffer;
  /** Where it came from, for messages. */
  origin: string;
}

const BUNDLE_EXT = /\.(tar\.gz|tgz)$/;
export const BUILTIN_BUNDLE = "builtin.bundle.tar.gz";

/** dist/builtin.bundle.tar.gz next to the bundled CLI, or under the package root when run from src/. */
export function builtinBundlePath(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const p of [path.join(here, BUILTIN_BUNDLE), path.join(here, "../../dist", BUILTIN_BUNDLE)]) if (existsSync(p)) return p;
  return undefined;
}

/**
 * Where compiled policies are cached: `$XDG_CACHE_HOME/warden` when set, else
 * `node_modules/.cache/warden` in the nearest ancestor that has node_modules, else
 * `~/.cache/warden`.
 */
export function cacheDir(start: string): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg) return path.join(xdg, "warden");
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, "node_modules"))) return path.join(dir, "node_modules", ".cache", "warden");
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(os.homedir(), ".cache", "warden");
}

/** The config file whose `policies` list gave the specs: an error about one points at its entry. */
export interface PoliciesFrom {
  /** The config file as shown to the user. */
  file: string;
  text: string;
  locate(keyPath: (string | number)[]): { line: number; column: number; endLine: number; endColumn: number } | undefined;
}

/**
 * The bundle for `specs` (paths already resolved): none → built-in; one `.tar.gz` → that
 * bundle; otherwise `.warden` files/directories, compiled (or taken from the cache). With
 * `config`, the specs are its `policies` entries, in order.
 */
export async function resolvePolicy(specs: string[], opts: { cwd: string; cacheFrom: string; config?: PoliciesFrom | undefined }): Promise<{ bundle?: PolicyBundle; errors: CheckError[] }> {
  const shown = (p: string) => path.relative(opts.cwd, p) || p;
  const from = opts.config;
  // where the config lists spec `i`, and the help for a path there that is not a policy
  const entry = (i: number): ErrorAt => (from ? { file: from.file, text: from.text, ...(from.locate(["policies", i]) ?? {}) } : {});
  const fromConfig = from ? "paths in `policies` are relative to the config file's directory: correct the entry or remove it" : undefined;
  if (specs.length === 0) {
    const p = builtinBundlePath();
    if (!p) return { errors: [checkError("policy", "the built-in rule bundle is missing", {}, "run `npm run build` to precompile it, or pass `--policy`")] };
    return { bundle: { bytes: readFileSync(p), origin: "built-in rules" }, errors: [] };
  }
  const bundles = specs.filter((s) => BUNDLE_EXT.test(s));
  if (bundles.length > 0) {
    if (specs.length > 1) {
      const what = from ? "`policies` takes" : "`--policy` takes";
      return { errors: [checkError(from ? "config" : "usage", `${what} either one bundle or \`.warden\` sources, not both`, entry(specs.findIndex((s) => BUNDLE_EXT.test(s))), `got ${specs.map((s) => `\`${shown(s)}\``).join(", ")}`)] };
    }
    try {
      return { bundle: { bytes: readFileSync(specs[0]!), origin: shown(specs[0]!) }, errors: [] };
    } catch (err) {
      return { errors: [checkError("policy", `cannot read bundle \`${shown(specs[0]!)}\`: ${fsReason(err)}`, entry(0), fromConfig)] };
    }
  }

  const sources = readSources(specs, shown, entry, fromConfig);
  if ("error" in sources) return { errors: [sources.error] };
  // the build id changes with the compiler's sources: a bundle cached by another build of
  // the same version is not reused (from the TypeScript sources there is none: the version)
  const h = createHash("sha256").update(`warden ${VERSION}${BUILD_ID ? ` ${BUILD_ID}` : ""}\n`);
  for (const s of sources.list) h.update(`${s.path}\n${s.text.length}\n${s.text}\n`);
  const key = h.digest("hex").slice(0, 32);
  const dir = cacheDir(opts.cacheFrom);
  const cached = path.join(dir, `${key}.tar.gz`);
  const hit = existsSync(cached) ? await readCached(cached) : undefined;
  if (hit) return { bundle: { bytes: hit, origin: specs.map(shown).join(", ") }, errors: [] };
  const compiled = await compilePolicy(sources.list);
  if ("errors" in compiled) return { errors: compiled.errors };
  try {
    mkdirSync(dir, { recursive: true });
    // write then rename, so a concurrent run never reads half a bundle
    // (unique per writer: containers sharing a cache volume may run with the same pid)
    const tmp = `${cached}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(tmp, compiled.bytes);
    renameSync(tmp, cached);
  } catch {
    // caching is an optimisation: a read-only cache directory must not fail the run
  }
  return { bundle: { bytes: compiled.bytes, origin: specs.map(shown).join(", ") }, errors: [] };
}

/**
 * A cached bundle, when it can be read as one (with its policy.wasm): a truncated or
 * damaged entry (a full disk, a killed writer on a shared volume) is the cache's fault, not
 * the policy's, so it is compiled again and rewritten rather than failing every run.
 */
async function readCached(file: string): Promise<Buffer | undefined> {
  try {
    const bytes = readFileSync(file);
    return (await readBundle(bytes)).wasm ? bytes : undefined;
  } catch {
    return undefined;
  }
}

class PolicyReadError extends Error {
  constructor(
    message: string,
    readonly help?: string,
    readonly at: ErrorAt = {},
    /** about the listed path itself, not a file under it */
    readonly entry = false,
  ) {
    super(message);
  }
}

function readSources(specs: string[], shown: (p: string) => string, entry: (i: number) => ErrorAt, fromConfig: string | undefined): { list: { path: string; text: string }[] } | { error: CheckError } {
  const list: { path: string; text: string }[] = [];
  const visit = (p: string, top: boolean) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith(".") || name === "node_modules") continue;
        const child = path.join(p, name);
        if (statSync(child).isDirectory() || name.endsWith(".warden")) visit(child, false);
      }
    } else if (p.endsWith(".warden")) {
      const r = readTextFile(p);
      if (!("text" in r)) {
        if (r.line === undefined) throw new PolicyReadError(`cannot read policy \`${shown(p)}\`: ${r.reason}`);
        throw new PolicyReadError(`cannot read policy file: ${r.reason}`, r.help, { file: shown(p), line: r.line, column: r.column ?? 1 });
      }
      list.push({ path: shown(p), text: r.text });
    } else if (top) {
      // a SQL file or a config given to --policy by mistake would only give parse errors
      const what = fromConfig ? "`policies` takes" : "`--policy` takes";
      throw new PolicyReadError(`\`${shown(p)}\` is not a policy`, `${what} \`.warden\` files, directories of them, or one bundle \`.tar.gz\``, undefined, true);
    }
  };
  for (const [i, s] of specs.entries()) {
    try {
      visit(s, true);
    } catch (err) {
      // an error about the entry itself points at it in the config; one inside a policy file at that file
      if (err instanceof PolicyReadError) return { error: checkError("policy", err.message, err.entry ? entry(i) : err.at, err.help) };
      return { error: checkError("policy", `cannot read policy \`${shown(s)}\`: ${fsReason(err)}`, entry(i), fromConfig) };
    }
  }
  if (list.length === 0) return { error: checkError("policy", `no policy files in ${specs.map((s) => `\`${shown(s)}\``).join(", ")}`, {}, "policy files end in `.warden`") };
  return { list };
}

async function compilePolicy(sources: { path: string; text: string }[]): Promise<{ bytes: Buffer } | { errors: CheckError[] }> {
  const [{ compileSources }, { emitWasm }, { writeBundle }, { renderDiagnostic }, { LineIndex }] = await Promise.all([
    import("../compiler/pipeline.js"),
    import("../compiler/backend/wasm/emit-wasm.js"),
    import("../compiler/bundle/index.js"),
    import("../diagnostics/render.js"),
    import("../diagnostics/span.js"),
  ]);
  const result = compileSources(sources);
  const errs = result.diagnostics.filter((d) => d.severity === "error");
  if (!result.ir || errs.length > 0) {
    const index = new Map(sources.map((s) => [s.path, new LineIndex(s.text)]));
    return {
      errors: errs.map((d) => {
        const e = checkError("policy", d.message, d.span ? { file: d.span.file, line: d.span.start.line, column: d.span.start.column } : {}, d.help);
        e.rendered = renderDiagnostic(d, index);
        return e;
      }),
    };
  }
  const wasm = emitWasm(result.ir);
  return { bytes: await writeBundle({ ir: result.ir, target: "wasm", wasm }) };
}

/** The rule catalogue of a bundle manifest (`metadata.warden.rules`). */
export function catalogueOf(manifest: unknown): RuleInfo[] {
  const rules = (manifest as { metadata?: { warden?: { rules?: unknown } } } | undefined)?.metadata?.warden?.rules;
  if (!Array.isArray(rules)) return [];
  const out: RuleInfo[] = [];
  for (const r of rules as Record<string, JsonValue>[]) {
    if (typeof r?.id !== "string") continue;
    // `doc` is a link for the built-in rules; a team's own rule may carry its doc as text,
    // whose first paragraph then serves as the help line (and there is no link)
    const text = typeof r.doc === "string" ? r.doc.trim() : "";
    const isLink = /^https?:\/\/\S+$/.test(text);
    const title = typeof r.title === "string" ? r.title : "";
    const firstParagraph = isLink ? "" : (text.split(/\n\s*\n/)[0] ?? "").replace(/\s+/g, " ").trim();
    out.push({
      id: r.id,
      title,
      severity: (["error", "warning", "info"].includes(String(r.severity)) ? r.severity : "error") as Severity,
      help: typeof r.help === "string" ? r.help : firstParagraph || title,
      doc: isLink ? text : "",
    });
  }
  return out;
}
