// Finds, parses and validates `warden.config.yaml` against schema/config.schema.json (ajv,
// draft 2020-12). Every error names the key, the file and its line:column from YAML node ranges.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Document, Node as YamlNode } from "yaml";

// the YAML library loads with the first config file: a run without one never pays for it
let Y: typeof import("yaml");

/** The yaml module; bundled as CommonJS, a dynamic import may hold it under `default`. */
export async function loadYaml(): Promise<typeof import("yaml")> {
  const m = await import("yaml");
  return "parseDocument" in m ? m : (m as unknown as { default: typeof import("yaml") }).default;
}
import type { JsonValue, Severity } from "../compiler/ir/ir.js";
import { didYouMean } from "../diagnostics/diagnostic.js";
import { checkError, fsReason } from "./errors.js";
import type { CheckError, FailOn, FileType } from "./types.js";
import schema from "../../schema/config.schema.json" with { type: "json" };

export const CONFIG_NAMES = ["warden.config.yaml", "warden.config.yml"];

export interface WardenConfig {
  policies?: string[];
  include?: string[];
  exclude?: string[];
  files?: Partial<Record<FileType, string[]>>;
  classifications?: Record<string, string[]>;
  masking_functions?: string[];
  retraining?: { allowed_schemas?: string[] };
  rules?: Record<string, "off" | Severity>;
  constants?: Record<string, JsonValue>;
  fail_on?: FailOn;
  pg_version?: number;
  placeholders?: Record<string, string>;
}

export interface LoadedConfig {
  config: WardenConfig;
  /** Absolute path of the file. */
  path: string;
  /** Where relative paths in the config (and finding paths) start. */
  dir: string;
  /** Locates a key path in the file, for errors found after validation. */
  locate(keyPath: (string | number)[], key?: boolean): { line: number; column: number; endLine: number; endColumn: number } | undefined;
  text: string;
}

/** `warden.config.yaml` in `startDir` or its nearest ancestor. */
export function findConfig(startDir: string, memo?: Map<string, string | null>): string | undefined {
  return configAbove(path.resolve(startDir), memo);
}

/** `findConfig` from an absolute, normalised directory (no path parsing on the way up). */
function configAbove(dir: string, memo: Map<string, string | null> | undefined): string | undefined {
  const known = memo?.get(dir);
  if (known !== undefined) return known ?? undefined;
  let found: string | undefined;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const name of CONFIG_NAMES) {
    if (existsSync(prefix + name)) {
      found = prefix + name;
      break;
    }
  }
  const parent = path.dirname(dir);
  if (found === undefined && parent !== dir) found = configAbove(parent, memo);
  // many files share their ancestors: each directory is looked at once per memo
  memo?.set(dir, found ?? null);
  return found;
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

let validator: Validator | undefined;
async function getValidator(): Promise<Validator> {
  if (!validator) {
    // ajv is loaded only when a config exists: it is a noticeable share of start-up.
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    validator = ajv.compile(schema) as Validator;
  }
  return validator;
}

/** Reads and validates a config file; `shown` is the path to print in errors. */
export async function loadConfig(file: string, shown: string): Promise<{ loaded?: LoadedConfig; errors: CheckError[] }> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const help =
      code === "ENOENT"
        ? "check the path (from the working directory), or leave out `--config` to use the nearest `warden.config.yaml`"
        : code === "EISDIR"
          ? `name the config file itself, e.g. \`${shown.replace(/\/$/, "")}/warden.config.yaml\``
          : "make the config file readable";
    return { errors: [checkError("config", `cannot read config file: ${fsReason(err)}`, { file: shown }, help)] };
  }
  Y ??= await loadYaml();
  const lineCounter = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const start = pos(e.pos[0]);
        const end = pos(Math.max(e.pos[1], e.pos[0] + 1));
        const message = yamlMessage(e.message);
        return checkError("config", `invalid YAML: ${message}`, { file: shown, text, line: start.line, column: start.col, endLine: end.line, endColumn: end.col });
      }),
    };
  }
  const data = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as unknown;

  const locate: LoadedConfig["locate"] = (keyPath, key = false) => {
    const node = nodeAt(doc, keyPath, key);
    if (!node?.range) return undefined;
    const start = pos(node.range[0]);
    const end = pos(Math.max(node.range[1], node.range[0] + 1));
    return { line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
  };
  const at = (keyPath: (string | number)[], key = false) => {
    const l = locate(keyPath, key) ?? { line: 1, column: 1, endLine: 1, endColumn: 2 };
    return { file: shown, text, ...l };
  };

  const validate = await getValidator();
  if (!validate(data)) {
    const errors: CheckError[] = [];
    const seen = new Set<string>();
    for (const e of validate.errors ?? []) {
      const err = describe(e, at, (keyPath) => keyPath.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined), data));
      if (!err || seen.has(err.rendered)) continue;
      seen.add(err.rendered);
      errors.push(err);
    }
    errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    return { errors };
  }
  return { loaded: { config: data as WardenConfig, path: file, dir: path.dirname(file), locate, text }, errors: [] };
}

function describe(e: AjvError, at: (p: (string | number)[], key?: boolean) => Parameters<typeof checkError>[2], valueAt: (p: (string | number)[]) => unknown): CheckError | undefined {
  const keyPath = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const name = keyName(keyPath);
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const full = [...keyPath, key];
      const known = Object.keys(propertiesAt(keyPath));
      const where = name ? ` in \`${name}\`` : "";
      return checkError("config", `unknown key \`${key}\`${where}`, at(full, true), didYouMean(key, known) ?? `known keys: ${known.map((k) => `\`${k}\``).join(", ")}`);
    }
    case "propertyNames": {
      const key = String(e.params.propertyName);
      const what = keyPath[0] === "rules" ? "rule id" : "classification name";
      const help = keyPath[0] === "rules" ? "rule ids are kebab-case, e.g. `ban-drop-table`" : "classification names are lowercase identifiers, e.g. `pii`";
      return checkError("config", `invalid ${what} \`${key}\` in \`${name}\``, at([...keyPath, key], true), help);
    }
    case "pattern":
      // only propertyNames patterns exist in the schema; their propertyNames error says it better
      return undefined;
    case "type": {
      const want = String(e.params.type);
      const noun = want === "array" ? "a list" : want === "object" ? "a mapping" : want === "integer" ? "an integer" : `a ${want}`;
      // the two common slips: a quoted number, and one value where a list is wanted
      const value = valueAt(keyPath);
      const help =
        want === "integer" && typeof value === "string" && /^\d+$/.test(value.trim())
          ? `write the number without quotes: \`${value.trim()}\``
          : want === "array" && (typeof value === "string" || typeof value === "number")
            ? `write a list, even of one: \`[${JSON.stringify(value)}]\``
            : undefined;
      return checkError("config", `${name ? `\`${name}\`` : "the config file"} must be ${noun}`, at(keyPath), help);
    }
    case "enum": {
      const values = (e.params.allowedValues as unknown[]).map(String);
      const allowed = values.map((v) => `\`${v}\``).join(", ");
      const value = valueAt(keyPath);
      return checkError("config", `\`${name}\` must be one of ${allowed}`, at(keyPath), typeof value === "string" ? suggestValue(value, values) : undefined);
    }
    case "minimum":
    case "maximum":
      return checkError("config", `\`${name}\` must be ${e.keyword === "minimum" ? "at least" : "at most"} ${String(e.params.limit)}`, at(keyPath));
    default:
      return checkError("config", `${name ? `\`${name}\`` : "the config file"} ${e.message ?? "is invalid"}`, at(keyPath));
  }
}

/** A near miss (`of` → `off`), or the one allowed value the written one abbreviates (`warn` → `warning`). */
function suggestValue(value: string, allowed: string[]): string | undefined {
  const near = didYouMean(value, allowed);
  if (near) return near;
  const longer = value.length >= 2 ? allowed.filter((a) => a.startsWith(value.toLowerCase())) : [];
  return longer.length === 1 ? `did you mean \`${longer[0]}\`?` : undefined;
}

/** `files.migration[0]` style name of a key path. */
export function keyName(keyPath: (string | number)[]): string {
  let s = "";
  for (const k of keyPath) s += typeof k === "number" ? `[${k}]` : s ? `.${k}` : k;
  return s;
}

function propertiesAt(keyPath: (string | number)[]): Record<string, unknown> {
  let s = schema as { properties?: Record<string, unknown> };
  for (const k of keyPath) {
    const next = s.properties?.[String(k)] as typeof s | undefined;
    if (!next) return {};
    s = next;
  }
  return s.properties ?? {};
}

function nodeAt(doc: Document, keyPath: (string | number)[], key: boolean): YamlNode | undefined {
  if (keyPath.length === 0) return (doc.contents as YamlNode | null) ?? undefined;
  if (!key) {
    const n = doc.getIn(keyPath, true);
    if (n && typeof n === "object" && "range" in (n as object)) return n as YamlNode;
  }
  // the key node of the last segment: find its pair in the parent mapping
  const parent = keyPath.length === 1 ? doc.contents : doc.getIn(keyPath.slice(0, -1), true);
  if (!Y.isMap(parent)) return undefined;
  const last = keyPath[keyPath.length - 1];
  for (const item of parent.items) {
    if (Y.isPair(item) && Y.isScalar(item.key) && String(item.key.value) === String(last)) return item.key as YamlNode;
  }
  return undefined;
}

function yamlMessage(m: string): string {
  const first = m.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "").replace(/\.$/, "");
  return first.charAt(0).toLowerCase() + first.slice(1);
}
