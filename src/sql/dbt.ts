// dbt models: finds the project (dbt_project.yml, model paths, schema YAML, sources),
// renders model Jinja with nunjucks and a dbt context, maps rendered lines back to the
// original file, and feeds model outputs (with classification taint) into the catalog.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { Environment, Template } from "nunjucks";
import { globSync } from "tinyglobby";
import YAML from "yaml";
import type { DbtColumnInfo, DbtInfo, InputDocument, Location, Note, ObjectRef } from "./facts.js";
import type { Classes } from "./classify.js";
import { Catalog } from "./catalog.js";
import { taintOf } from "./resolve.js";

export interface DbtRender {
  sql: string;
  locate: (renderedOffset: number) => Location;
}

interface ModelYaml {
  tags: string[];
  materialized: string | null;
  /** `config: {enabled: …}` in the model's YAML, when set */
  enabled: boolean | null;
  columns: Record<string, DbtColumnInfo>;
}

interface ProjectInfo {
  dir: string; // relative to rootDir, "" for the root
  name: string;
  modelPaths: string[];
  vars: Record<string, unknown>;
  materialized: string | null;
  /** `models: {<project>: …}` of dbt_project.yml: configs by folder (`+enabled`, …) */
  modelsConfig: Record<string, unknown>;
  models: Map<string, ModelYaml>;
  compiled: Map<string, CompiledNode>; // original_file_path (relative to project) → manifest node
}

/** A model node of `target/manifest.json`: its compiled SQL and what it was compiled from. */
interface CompiledNode {
  sql: string;
  raw?: string; // raw_code (raw_sql before dbt 1.3)
  sha256?: string; // checksum of the model file as dbt read it
}

/** Where the Jinja renderer stopped, in the model file. */
export interface RenderError {
  message: string;
  line: number;
  column: number;
}

interface FileLike {
  path: string;
  absPath?: string;
  text: string;
}

const MARK = /\/\*@(\d+)@\*\//g;

/** Classifications named by a column's tags and meta. */
export function classificationsOf(tags: string[], meta: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const t of tags) if (t.toLowerCase() === "pii") out.add("pii");
  if (meta.pii === true || meta.contains_pii === true) out.add("pii");
  const c = meta.classification ?? meta.classifications;
  if (typeof c === "string") out.add(c.toLowerCase());
  else if (Array.isArray(c)) for (const x of c) if (typeof x === "string") out.add(x.toLowerCase());
  return [...out].sort();
}

function asStrings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

function columnsOf(list: unknown): Record<string, DbtColumnInfo> {
  const out: Record<string, DbtColumnInfo> = {};
  if (!Array.isArray(list)) return out;
  for (const c of list) {
    if (!c || typeof c !== "object" || typeof (c as { name?: unknown }).name !== "string") continue;
    const col = c as { name: string; tags?: unknown; meta?: unknown; config?: { tags?: unknown; meta?: unknown } };
    const tags = [...asStrings(col.tags), ...asStrings(col.config?.tags)];
    const meta = { ...((col.meta as Record<string, unknown>) ?? {}), ...((col.config?.meta as Record<string, unknown>) ?? {}) };
    out[col.name.toLowerCase()] = { tags, meta, classifications: classificationsOf(tags, meta) };
  }
  return out;
}

/**
 * `enabled` for a model from dbt_project.yml's `models:` config: the deepest folder (below
 * the model path) that sets `+enabled` (or `enabled`), else the project's, else null.
 */
function folderEnabled(proj: ProjectInfo, relInProject: string): boolean | null {
  const at = (cfg: Record<string, unknown>) => {
    const v = cfg["+enabled"] ?? cfg.enabled;
    return typeof v === "boolean" ? v : null;
  };
  let enabled = at(proj.modelsConfig);
  const parts = relInProject.split("/");
  const mp = proj.modelPaths.find((p) => relInProject.startsWith(p.replace(/\/$/, "") + "/"));
  const folders = parts.slice(mp ? mp.replace(/\/$/, "").split("/").length : 0, -1);
  let cfg: unknown = proj.modelsConfig;
  for (const f of folders) {
    cfg = cfg && typeof cfg === "object" ? (cfg as Record<string, unknown>)[f] : undefined;
    if (!cfg || typeof cfg !== "object") break;
    enabled = at(cfg as Record<string, unknown>) ?? enabled;
  }
  return enabled;
}

/**
 * A finder of the folder of the dbt project a model belongs to (its path relative to
 * `rootDir`), relative to `rootDir` with `/`: the nearest one holding dbt_project.yml, else
 * the folder above `models/`. Answers are remembered by folder: models share their folders.
 */
export function dbtProjectDirs(rootDir: string): (rel: string) => string {
  const byFolder = new Map<string, string>();
  return (rel) => {
    const parts = rel.replace(/\\/g, "/").split("/");
    const folder = parts.slice(0, -1).join("/");
    let dir = byFolder.get(folder);
    if (dir !== undefined) return dir;
    for (let k = parts.length - 1; k >= 0 && dir === undefined; k--) {
      const d = parts.slice(0, k).join("/");
      if (existsSync(path.join(rootDir, d, "dbt_project.yml"))) dir = d;
    }
    if (dir === undefined) {
      const m = parts.lastIndexOf("models");
      dir = m > 0 ? parts.slice(0, m).join("/") : m === 0 ? "" : folder;
    }
    byFolder.set(folder, dir);
    return dir;
  };
}

export class DbtProject {
  private readonly projects = new Map<string, ProjectInfo>();
  private readonly modelNames = new Map<string, string>(); // path → model name

  constructor(
    private readonly rootDir: string,
    files: FileLike[],
    private readonly catalog: Catalog,
    private readonly notes: Note[],
    private readonly projectDir: (rel: string) => string = dbtProjectDirs(rootDir),
  ) {
    for (const f of files) this.modelNames.set(f.path, path.basename(f.path).replace(/\.sql$/i, ""));
    for (const f of files) this.projectOf(f.path);
  }

  /** The dbt project a model belongs to: nearest dbt_project.yml, else the folder above `models/`. */
  private projectOf(rel: string): ProjectInfo {
    const dir = this.projectDir(rel);
    const cached = this.projects.get(dir);
    if (cached) return cached;
    const abs = path.join(this.rootDir, dir);
    const cfg = this.readYaml(path.join(abs, "dbt_project.yml"), "its `model-paths`, `vars` and model config are not known") ?? {};
    const modelPaths = asStrings(cfg["model-paths"] ?? cfg["source-paths"]);
    const projName = typeof cfg.name === "string" ? cfg.name : path.basename(abs);
    const modelsCfg = (cfg.models as Record<string, Record<string, unknown>> | undefined)?.[projName] ?? {};
    const info: ProjectInfo = {
      dir,
      name: projName,
      modelPaths: modelPaths.length ? modelPaths : ["models"],
      vars: (cfg.vars as Record<string, unknown>) ?? {},
      materialized: typeof modelsCfg["+materialized"] === "string" ? (modelsCfg["+materialized"] as string) : typeof modelsCfg.materialized === "string" ? (modelsCfg.materialized as string) : null,
      modelsConfig: modelsCfg && typeof modelsCfg === "object" ? modelsCfg : {},
      models: new Map(),
      compiled: new Map(),
    };
    this.projects.set(dir, info);
    this.loadYaml(info, abs);
    this.loadManifest(info, abs);
    return info;
  }

  /**
   * A YAML mapping, null for an absent or empty file. A file that cannot be read or parsed
   * (dbt would stop on it) gives a `dbt-yaml` note at the parser's position, since what it
   * declares (`lost`) is then missing from every finding.
   */
  private readYaml(abs: string, lost: string): Record<string, unknown> | null {
    const rel = path.relative(this.rootDir, abs).replace(/\\/g, "/");
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      this.notes.push({ file: rel, message: `cannot read this dbt YAML file (${err instanceof Error ? err.message : String(err)}); ${lost}`, kind: "dbt-yaml" });
      return null;
    }
    let doc: unknown;
    try {
      // duplicate keys: the last one wins, as in dbt's YAML loader
      doc = YAML.parse(text, { uniqueKeys: false });
    } catch (err) {
      const pos = (err as { linePos?: { line: number; col: number }[] }).linePos?.[0];
      const why = (err instanceof Error ? err.message : String(err)).replace(/ at line \d+, column \d+:[\s\S]*$/, "").trim();
      this.notes.push({ file: rel, ...(pos ? { line: pos.line, column: pos.col } : {}), message: `cannot parse this dbt YAML file: ${why.charAt(0).toLowerCase()}${why.slice(1)}; ${lost}`, kind: "dbt-yaml" });
      return null;
    }
    if (doc === null || doc === undefined) return null;
    if (typeof doc !== "object" || Array.isArray(doc)) {
      this.notes.push({ file: rel, line: 1, column: 1, message: `this dbt YAML file is not a mapping of keys to values; ${lost}`, kind: "dbt-yaml" });
      return null;
    }
    return doc as Record<string, unknown>;
  }

  private loadYaml(info: ProjectInfo, abs: string): void {
    const yamls: string[] = [];
    for (const mp of info.modelPaths) {
      const base = path.join(abs, mp);
      if (existsSync(base)) yamls.push(...globSync(["**/*.yml", "**/*.yaml"], { cwd: base, absolute: true }));
    }
    yamls.sort();
    for (const y of yamls) {
      const doc = this.readYaml(y, "the models, sources, tags and classifications it declares are not known");
      if (!doc) continue;
      for (const m of Array.isArray(doc.models) ? doc.models : []) {
        if (!m || typeof m.name !== "string") continue;
        const config = (m.config ?? {}) as Record<string, unknown>;
        info.models.set(m.name, {
          tags: [...asStrings(m.tags), ...asStrings(config.tags)],
          materialized: typeof config.materialized === "string" ? config.materialized : null,
          enabled: typeof config.enabled === "boolean" ? config.enabled : null,
          columns: columnsOf(m.columns),
        });
      }
      for (const s of Array.isArray(doc.sources) ? doc.sources : []) {
        if (!s || typeof s.name !== "string") continue;
        const schema = typeof s.schema === "string" ? s.schema : s.name;
        for (const t of Array.isArray(s.tables) ? s.tables : []) {
          if (!t || typeof t.name !== "string") continue;
          const ident = typeof t.identifier === "string" ? t.identifier : t.name;
          const cols = columnsOf(t.columns);
          const rel = this.catalog.create(schema.toLowerCase(), ident.toLowerCase(), "dbt_source", path.relative(this.rootDir, y), Object.keys(cols), false);
          for (const [name, c] of Object.entries(cols)) for (const k of c.classifications ?? []) rel.columns.get(name)?.classifications.add(k);
          this.catalog.aliases.set(`source:${s.name}.${t.name}`, `${schema.toLowerCase()}.${ident.toLowerCase()}`);
        }
      }
    }
  }

  private loadManifest(info: ProjectInfo, abs: string): void {
    const file = path.join(abs, "target", "manifest.json");
    if (!existsSync(file)) return;
    type Node = { resource_type?: string; package_name?: string; original_file_path?: string; compiled_code?: string; compiled_sql?: string; raw_code?: string; raw_sql?: string; checksum?: { name?: string; checksum?: string } };
    let m: { nodes?: Record<string, Node> };
    try {
      m = JSON.parse(readFileSync(file, "utf8")) as typeof m;
    } catch (err) {
      // every model is rendered from its own text instead, which is what the note says
      const why = err instanceof Error ? err.message : String(err);
      this.notes.push({ file: path.relative(this.rootDir, file).replace(/\\/g, "/"), message: `cannot read this dbt manifest (${why}); models are rendered from their own text`, kind: "dbt-manifest" });
      return;
    }
    for (const n of Object.values(m?.nodes ?? {})) {
      const sql = n?.compiled_code ?? n?.compiled_sql;
      if (n?.resource_type !== "model" || !n.original_file_path || typeof sql !== "string") continue;
      // a package's model may share a path with one of the project's own
      if (typeof n.package_name === "string" && n.package_name !== info.name) continue;
      const raw = n.raw_code ?? n.raw_sql;
      const sha256 = n.checksum?.name === "sha256" && typeof n.checksum.checksum === "string" ? n.checksum.checksum.toLowerCase() : undefined;
      info.compiled.set(n.original_file_path.replace(/\\/g, "/"), { sql, ...(typeof raw === "string" ? { raw } : {}), ...(sha256 ? { sha256 } : {}) });
    }
  }

  /** Upstream-first order of the given models (by the `ref()` calls in their text); returns indices. */
  order(models: readonly FileLike[]): number[] {
    const paths = models.map((f) => f.path);
    const byName = new Map<string, number>();
    paths.forEach((p, i) => byName.set(this.modelNames.get(p) ?? "", i));
    const deps = paths.map(() => new Set<number>());
    // the text being checked (standard input stands in for the file on disk)
    models.forEach(({ text }, i) => {
      for (const m of text.matchAll(/\bref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)/g)) {
        const j = byName.get(m[2] ?? m[1]!);
        if (j !== undefined && j !== i) deps[i]!.add(j);
      }
    });
    const out: number[] = [];
    const state = new Uint8Array(paths.length);
    const visit = (i: number) => {
      if (state[i] !== 0) return;
      state[i] = 1; // in progress: a cycle is cut here
      for (const d of deps[i]!) visit(d);
      state[i] = 2;
      out.push(i);
    };
    paths.map((_, i) => i).sort((a, b) => (paths[a]! < paths[b]! ? -1 : 1)).forEach(visit);
    return out;
  }

  /**
   * The model rendered for checking, or `disabled` when its `config(enabled=false)` (with the
   * project's vars) turns it off: dbt never builds such a model, so there is nothing to check.
   */
  render(file: FileLike): { render?: DbtRender; info: DbtInfo; error?: RenderError; disabled?: true } {
    const proj = this.projectOf(file.path);
    const model = this.modelNames.get(file.path) ?? path.basename(file.path, ".sql");
    const yml = proj.models.get(model);
    const info: DbtInfo = { model, materialized: yml?.materialized ?? proj.materialized ?? "view", tags: [...(yml?.tags ?? [])], columns: yml?.columns ?? {}, refs: [], sources: [] };
    const relInProject = path.relative(proj.dir, file.path).replace(/\\/g, "/");
    const node = proj.compiled.get(relInProject);
    const lines = file.text.split("\n");
    if (node && compiledFrom(node, file.text)) {
      // compiled SQL has no line correspondence: statements map to the same line number, clamped
      const rendered = node.sql;
      const starts = lineStarts(rendered);
      this.noteIfEmpty(file, rendered);
      return { render: { sql: rendered, locate: (off) => ({ line: Math.min(lineOf(starts, off), lines.length), column: 1 }) }, info };
    }
    if (node) {
      const manifest = path.join(proj.dir, "target", "manifest.json").replace(/\\/g, "/");
      this.notes.push({ file: file.path, message: `\`${manifest}\` is stale for this model (dbt compiled other text than the file has now); the model is rendered from its own text`, kind: "dbt-manifest" });
    }
    const marked = toNunjucks(markLines(file.text));
    // disabled in YAML or dbt_project.yml, unless the model's own config() enables it
    const state = { disabled: (yml?.enabled ?? folderEnabled(proj, relInProject)) === false };
    const ctx = this.context(proj, info, file.path, state);
    let template: Template;
    try {
      template = jinjaTemplate(marked);
    } catch (err) {
      return { info, error: renderError(err, file.text, 1) };
    }
    // a call to a macro we do not have fails the render: define it as a placeholder and retry
    for (let attempt = 0; ; attempt++) {
      try {
        const render = unmark(template.render(ctx), lines);
        if (state.disabled) return { info, disabled: true };
        this.noteIfEmpty(file, render.sql);
        return { render, info };
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const missing = /Unable to call `([A-Za-z_][A-Za-z0-9_]*)/.exec(msg);
        if (missing && attempt < 50 && !(missing[1]! in ctx)) {
          ctx[missing[1]!] = ctx.__placeholder(missing[1]!);
          continue;
        }
        const filter = /filter not found: ([A-Za-z_][A-Za-z0-9_]*)/.exec(msg);
        if (filter && attempt < 50) {
          // an adapter or package filter: let the value through unchanged
          jinjaEnv().addFilter(filter[1]!, (v: unknown) => v);
          this.notes.push({ file: file.path, message: `filter \`${filter[1]}\` is not available; values pass through it unchanged`, kind: "macro" });
          continue;
        }
        // a model its config has disabled is not built, whatever fails in it after that
        if (state.disabled) return { info, disabled: true };
        // runtime positions are 0-based (compile-time ones 1-based)
        return { info, error: renderError(err, file.text, 0) };
      }
    }
  }

  /** A model that renders to nothing but whitespace and comments has nothing to check: say so. */
  private noteIfEmpty(file: FileLike, sql: string): void {
    if (sql.replace(/\/\*[\s\S]*?\*\//g, "").replace(/--[^\n]*/g, "").trim() !== "") return;
    this.notes.push({ file: file.path, message: "the model renders to no SQL with the project's vars; nothing in it is checked", kind: "dbt-empty" });
  }

  private context(proj: ProjectInfo, info: DbtInfo, file: string, state: { disabled: boolean }): Record<string, unknown> & { __placeholder: (name: string) => unknown } {
    const notes = this.notes;
    const noted = new Set<string>();
    const placeholder = (name: string): unknown => {
      const ident = `warden_macro_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
      const fn = function () {
        if (!noted.has(name)) {
          noted.add(name);
          notes.push({ file, message: `macro \`${name}\` is not available; rendered as the placeholder \`${ident}\``, kind: "macro" });
        }
        return ident;
      };
      return new Proxy(fn, {
        get(target, prop) {
          if (prop === Symbol.toPrimitive || prop === "toString" || prop === "valueOf") return () => ident;
          if (typeof prop === "symbol" || prop === "apply" || prop === "call" || prop === "bind" || prop === "prototype" || prop === "length" || prop === "name") return Reflect.get(target, prop);
          if (prop === "then" || prop === "__keywords") return undefined;
          return placeholder(`${name}.${prop}`);
        },
      });
    };
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const ctx: Record<string, unknown> = {
      ref: (...args: unknown[]) => {
        const names = args.filter((a): a is string => typeof a === "string");
        const name = names[names.length - 1] ?? "";
        if (!info.refs!.includes(name)) info.refs!.push(name);
        return quote(name);
      },
      source: (src: unknown, table: unknown) => {
        const key = `${String(src)}.${String(table)}`;
        if (!info.sources!.includes(key)) info.sources!.push(key);
        const rel = this.catalog.aliases.get(`source:${key}`);
        if (rel) {
          const dot = rel.indexOf(".");
          return `${quote(rel.slice(0, dot))}.${quote(rel.slice(dot + 1))}`;
        }
        return `${quote(String(src).toLowerCase())}.${quote(String(table).toLowerCase())}`;
      },
      config: (...args: unknown[]) => {
        const kw = args[args.length - 1] as Record<string, unknown> | undefined;
        if (kw && typeof kw === "object") {
          if (typeof kw.materialized === "string") info.materialized = kw.materialized;
          for (const t of asStrings(kw.tags)) if (!info.tags!.includes(t)) info.tags!.push(t);
          if (typeof kw.schema === "string") info.schema = kw.schema;
          if (typeof kw.enabled === "boolean") state.disabled = !kw.enabled;
        }
        return "";
      },
      var: (name: unknown, dflt?: unknown) => {
        const v = proj.vars[String(name)];
        return v !== undefined ? v : dflt !== undefined ? dflt : placeholder(`var.${String(name)}`);
      },
      env_var: (_name: unknown, dflt?: unknown) => (dflt !== undefined ? dflt : ""),
      is_incremental: () => false,
      this: quote(info.model),
      target: { name: "dev", schema: "public", type: "postgres", database: "warden", profile_name: "warden", threads: 1 },
      adapter: {
        dispatch: (name: unknown) => placeholder(`adapter.dispatch.${String(name)}`),
        quote,
        get_relation: () => null,
        get_columns_in_relation: () => [],
        type: () => "postgres",
      },
      execute: false,
      run_started_at: { strftime: () => "2000-01-01", isoformat: () => "2000-01-01T00:00:00" },
      log: () => "",
      print: () => "",
      return: (v: unknown) => v,
      exceptions: { raise_compiler_error: () => "", warn: () => "" },
      invocation_id: "00000000-0000-0000-0000-000000000000",
      project_name: proj.name,
      model: { name: info.model, unique_id: `model.${proj.name}.${info.model}`, config: {} },
      builtins: {},
      modules: placeholder("modules"),
      dbt_utils: placeholder("dbt_utils"),
      dbt: placeholder("dbt"),
      dbt_expectations: placeholder("dbt_expectations"),
    };
    ctx.builtins = { ref: ctx.ref, source: ctx.source, config: ctx.config };
    Object.defineProperty(ctx, "__placeholder", { value: placeholder, enumerable: false });
    return ctx as Record<string, unknown> & { __placeholder: (name: string) => unknown };
  }

  /** Records a rendered model in the catalog (outputs + YAML + taint) and adds its writes. */
  afterModel(file: FileLike, doc: InputDocument, classes: Pick<Classes, "declared" | "approved">): void {
    const info = doc.dbt;
    if (!info) return;
    const last = [...doc.statements].reverse().find((s) => s.kind === "select" && !s.nested_in);
    const outputs: string[] = [];
    const taint = new Map<string, string[]>();
    if (last) {
      for (const r of last.reads) {
        if (!r.via.includes("select") || !r.output) continue;
        if (!outputs.includes(r.output)) outputs.push(r.output);
      }
      for (const o of outputs) taint.set(o, taintOf(last.reads.filter((r) => r.output === o && r.via.includes("select"))));
    }
    const yamlCols = info.columns ?? {};
    const complete = outputs.length > 0 && !outputs.includes("*");
    const rel = this.catalog.create(null, info.model, "dbt_model", file.path, complete ? outputs : Object.keys(yamlCols), complete);
    for (const [name, c] of Object.entries(yamlCols)) {
      const col = rel.columns.get(name) ?? (rel.columns.set(name, { name, classifications: new Set() }).get(name)!);
      for (const k of c.classifications ?? []) col.classifications.add(k);
    }
    for (const [name, cls] of taint) for (const k of cls) rel.columns.get(name)?.classifications.add(k);
    if (last) {
      // the model is an approved store for what its YAML tags its columns with (or a pattern naming it)
      const approved = new Set(classes.approved(null, info.model));
      for (const c of Object.values(yamlCols)) for (const k of c.classifications ?? []) approved.add(k);
      const target: ObjectRef = { schema: null, name: info.model, kind: info.materialized ?? "view" };
      if (approved.size) target.approved_classifications = [...approved].sort();
      last.targets.push(target);
      for (const o of outputs) {
        const sources = last.reads.filter((r) => r.output === o && r.via.includes("select")).map((r) => ({ ...r, via: ["select" as const] }));
        const col = rel.columns.get(o);
        const cls = col ? [...col.classifications].sort() : [];
        const w: InputDocument["statements"][number]["writes"][number] = { schema: null, table: info.model, column: o, sources, masked: sources.length > 0 && sources.every((s) => s.masked) };
        if (cls.length) w.classifications = cls;
        const declared = [...new Set([...(yamlCols[o]?.classifications ?? []), ...classes.declared(null, info.model, o)])].sort();
        if (declared.length) w.declared_classifications = declared;
        last.writes.push(w);
      }
    }
  }
}

/** Whether a manifest node was compiled from `text`: dbt strips the file before it keeps or hashes it. */
function compiledFrom(node: CompiledNode, text: string): boolean {
  if (node.raw !== undefined) return node.raw === text || node.raw === text.trim();
  if (node.sha256 === undefined) return false;
  const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
  const stripped = text.trim();
  // dbt 1.10 and later hash the stripped text with whitespace runs compacted to one space
  return [text, stripped, stripped.split(/\s+/).join(" ")].some((t) => sha(t) === node.sha256);
}

/**
 * A render failure at the renderer's position in the model file. `base` is the origin of the
 * renderer's positions: nunjucks' parser counts from 1, its runtime from 0. Line markers sit at
 * line ends and add no lines; `{% do %}` rewrites shift columns, which are undone.
 */
function renderError(err: unknown, text: string, base: 0 | 1): RenderError {
  const e = err as { message?: unknown; lineno?: unknown; colno?: unknown };
  const raw = typeof e?.message === "string" ? e.message : String(err);
  const message = `cannot render the model's Jinja: ${raw
    .replace(/^\(unknown path\)\s*/, "")
    .replace(/^\[Line \d+(?:, Column \d+)?\]\s*/, "")
    .replace(/^Error:\s*/, "")
    .replace(/\s+/g, " ")
    .trim()}`;
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (typeof e?.lineno === "number" && Number.isFinite(e.lineno)) {
    const line = Math.min(Math.max(e.lineno + 1 - base, 1), lines.length);
    const col = typeof e.colno === "number" && Number.isFinite(e.colno) ? e.colno + 1 - base : 1;
    const column = Math.min(Math.max(originalColumn(lines[line - 1]!, col), 1), lines[line - 1]!.length + 1);
    return { message, line, column };
  }
  if (/end of file/.test(raw)) {
    // an unclosed block: where the file ends
    let line = lines.length;
    while (line > 1 && lines[line - 1]!.trim() === "") line--;
    return { message, line, column: lines[line - 1]!.length + 1 };
  }
  return { message, line: 1, column: 1 };
}

let jinja: Environment | undefined;
let jinjaModule: typeof import("nunjucks") | undefined;

/**
 * The Jinja engine, loaded on the first model that needs rendering. Not at start-up:
 * nunjucks' Jinja compatibility patches built-in prototypes, which measurably slows
 * string loops in the whole process (the SQL lexer among them) even in runs with no dbt.
 */
function jinjaEnv(): Environment {
  if (jinja) return jinja;
  const nunjucks = createRequire(import.meta.url)("nunjucks") as typeof import("nunjucks");
  // dev: errors keep the renderer's line and column as numbers
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false, dev: true });
  nunjucks.installJinjaCompat();
  // dbt's own filters
  env.addFilter("as_bool", (v: unknown) => v === true || v === "true" || v === "True");
  env.addFilter("as_number", (v: unknown) => Number(v));
  env.addFilter("as_text", (v: unknown) => String(v ?? ""));
  env.addFilter("as_native", (v: unknown) => v);
  jinja = env;
  jinjaModule = nunjucks;
  return env;
}

/** A model's template, compiled (a syntax error throws here, with 1-based positions). */
function jinjaTemplate(src: string): Template {
  const env = jinjaEnv();
  return new jinjaModule!.Template(src, env, undefined, true);
}

const DO_TAG = /\{%(-?)(\s*)do(\s)/g;
const DO_SET = "set warden_do_result =";

/**
 * Jinja syntax nunjucks lacks, rewritten to equivalents: `{% do x %}` evaluates x. The
 * whitespace is kept, so lines stay where they were.
 */
function toNunjucks(template: string): string {
  return dropTrailingCommas(template).replace(DO_TAG, `{%$1$2${DO_SET}$3`);
}

/**
 * Jinja (Python) allows a comma before the `)`, `]` or `}` that closes a call, list or dict
 * (`config(partition_by={'field': 'dt',},)`); nunjucks does not. Inside tags such a comma
 * becomes a space, so columns stay where they were. Strings are skipped.
 */
function dropTrailingCommas(template: string): string {
  if (!/,\s*[)\]}]/.test(template)) return template;
  const out = template.split("");
  let i = 0;
  const n = template.length;
  while (i < n) {
    const open = template.indexOf("{", i);
    if (open < 0) break;
    const d = template[open + 1];
    if (d !== "{" && d !== "%") {
      i = open + 1;
      continue;
    }
    const close = d === "{" ? "}}" : "%}";
    let depth = 0; // brackets opened inside the tag
    let comma = -1; // a comma waiting to see what follows it
    let j = open + 2;
    for (; j < n; j++) {
      const c = template[j]!;
      if (c === "'" || c === '"') {
        comma = -1;
        for (j++; j < n && template[j] !== c; j++) if (template[j] === "\\") j++;
        continue;
      }
      if (depth === 0 && template.startsWith(close, j)) break;
      if (c === ",") comma = j;
      else if (c === ")" || c === "]" || c === "}") {
        if (comma >= 0) out[comma] = " ";
        comma = -1;
        depth = Math.max(0, depth - 1);
      } else if (c === "(" || c === "[" || c === "{") {
        comma = -1;
        depth++;
      } else if (!/\s/.test(c)) comma = -1;
    }
    i = j + 2;
  }
  return out.join("");
}

/** The column in the original line of `col` in its `toNunjucks` rewrite. */
function originalColumn(origLine: string, col: number): number {
  let shift = 0;
  for (const m of origLine.matchAll(DO_TAG)) {
    const start = m.index! + 2 + m[1]!.length + m[2]!.length; // where `do` is
    if (col - 1 < start + shift) break;
    if (col - 1 < start + shift + DO_SET.length) return start + 1; // inside the rewrite: at `do`
    shift += DO_SET.length - 2;
  }
  return col - shift;
}

/** Appends `/*@n@*\/` to every original line that ends outside a Jinja tag or comment. */
function markLines(text: string): string {
  const out: string[] = [];
  let inTag: string | null = null; // closing delimiter we are waiting for
  let line = 1;
  let i = 0;
  const n = text.length;
  let last = 0;
  while (i < n) {
    if (inTag) {
      const close = text.indexOf(inTag, i);
      const nl = text.indexOf("\n", i);
      if (close >= 0 && (nl < 0 || close < nl)) {
        i = close + 2;
        inTag = null;
        continue;
      }
      if (nl < 0) break;
      i = nl + 1;
      line++;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      const d = text[i + 1];
      if (d === "{") inTag = "}}";
      else if (d === "%") inTag = "%}";
      else if (d === "#") inTag = "#}";
      if (inTag) {
        i += 2;
        continue;
      }
    }
    if (c === 10) {
      const cr = i > 0 && text.charCodeAt(i - 1) === 13 ? 1 : 0;
      out.push(text.slice(last, i - cr), `/*@${line}@*/`, text.slice(i - cr, i + 1));
      last = i + 1;
      line++;
    }
    i++;
  }
  out.push(text.slice(last));
  if (!inTag) out.push(`/*@${line}@*/`);
  return out.join("");
}

function lineStarts(t: string): number[] {
  const s = [0];
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) s.push(i + 1);
  return s;
}

function lineOf(starts: number[], off: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Strips the line markers from rendered SQL; each rendered line maps to the original line of the next marker. */
function unmark(rendered: string, origLines: string[]): DbtRender {
  const parts: string[] = [];
  const markerAt: { off: number; line: number }[] = [];
  let last = 0;
  let outLen = 0;
  for (const m of rendered.matchAll(MARK)) {
    parts.push(rendered.slice(last, m.index));
    outLen += m.index! - last;
    markerAt.push({ off: outLen, line: Number(m[1]) });
    last = m.index! + m[0].length;
  }
  parts.push(rendered.slice(last));
  const sql = parts.join("");
  const starts = lineStarts(sql);
  // rendered line → original line: the first marker at or after the line's end
  const map: number[] = [];
  let k = 0;
  for (let l = 0; l < starts.length; l++) {
    const lineEnd = l + 1 < starts.length ? starts[l + 1]! - 1 : sql.length;
    while (k < markerAt.length && markerAt[k]!.off < starts[l]!) k++;
    const mk = markerAt[k];
    map.push(mk && mk.off <= lineEnd ? mk.line : mk ? mk.line : origLines.length);
  }
  return {
    sql,
    locate: (off) => {
      const rl = lineOf(starts, off);
      const line = Math.max(1, Math.min(map[rl - 1] ?? 1, origLines.length));
      const renderedLine = sql.slice(starts[rl - 1]!, rl < starts.length ? starts[rl]! - 1 : sql.length);
      const orig = (origLines[line - 1] ?? "").replace(/\r$/, "");
      // exact column when the line came through unchanged, else the line's first character
      const column = renderedLine === orig ? off - starts[rl - 1]! + 1 : orig.length - orig.trimStart().length + 1;
      return { line, column };
    },
  };
}
