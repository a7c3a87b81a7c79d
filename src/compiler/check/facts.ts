// The fact model as the checker sees it: schema/facts.schema.json (owned by the SQL
// side, read at compile time, never copied) turned into lazily built types, indexed
// by path and cached per file version so a schema edit is picked up without a restart.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { JsonValue } from "../ir/ir.js";

export type Kind = "string" | "number" | "boolean" | "array" | "object" | "null";
type Scalar = string | number | boolean | null;

/** A value type: what the checker knows about a path, a literal or a constant. */
export interface Ty {
  /** Unknown (data.*, untyped schema parts): every use is allowed. */
  readonly any: boolean;
  readonly kinds: ReadonlySet<Kind>;
  /** The allowed values when the schema lists them (`enum`). */
  readonly enumValues?: readonly Scalar[];
  /** The type of field `name`, or undefined when the object has no such field. */
  field(name: string): Ty | undefined;
  /** Declared field names (for "did you mean"). */
  fieldNames(): string[];
  /** Element type of an array. */
  items(): Ty;
}

const ALL_KINDS: ReadonlySet<Kind> = new Set(["string", "number", "boolean", "array", "object", "null"]);

export const ANY: Ty = {
  any: true,
  kinds: ALL_KINDS,
  field: () => ANY,
  fieldNames: () => [],
  items: () => ANY,
};

/** A type built by the checker (literals, lists, constants). */
export class SimpleTy implements Ty {
  readonly any = false;
  constructor(
    readonly kinds: ReadonlySet<Kind>,
    private readonly elem: Ty = ANY,
    private readonly props?: Map<string, Ty>,
  ) {}
  field(name: string): Ty | undefined {
    if (!this.props) return this.kinds.has("object") ? ANY : undefined;
    return this.props.get(name);
  }
  fieldNames(): string[] {
    return this.props ? [...this.props.keys()] : [];
  }
  items(): Ty {
    return this.elem;
  }
}

export const STRING = new SimpleTy(new Set(["string"]));
export const NUMBER = new SimpleTy(new Set(["number"]));
export const BOOLEAN = new SimpleTy(new Set(["boolean"]));
export const NULL = new SimpleTy(new Set(["null"]));

export function unionOf(tys: Ty[]): Ty {
  if (tys.length === 0) return ANY;
  if (tys.some((t) => t.any)) return ANY;
  if (tys.length === 1) return tys[0]!;
  const kinds = new Set<Kind>();
  for (const t of tys) for (const k of t.kinds) kinds.add(k);
  const arrays = tys.filter((t) => t.kinds.has("array"));
  return new SimpleTy(kinds, arrays.length ? unionOf(arrays.map((t) => t.items())) : ANY);
}

/** The type of a JSON value (constants, list literals). */
export function typeOfJson(v: JsonValue): Ty {
  if (v === null) return NULL;
  if (typeof v === "string") return STRING;
  if (typeof v === "number") return NUMBER;
  if (typeof v === "boolean") return BOOLEAN;
  if (Array.isArray(v)) return new SimpleTy(new Set(["array"]), unionOf(v.map(typeOfJson)));
  return new SimpleTy(new Set(["object"]), ANY, new Map(Object.entries(v).map(([k, x]) => [k, typeOfJson(x)])));
}

type SchemaNode = { [k: string]: unknown };

/** A type read from the JSON Schema; its fields and items are built on first use. */
class SchemaTy implements Ty {
  readonly any: boolean;
  readonly kinds: ReadonlySet<Kind>;
  readonly enumValues?: readonly Scalar[];
  private props?: Map<string, Ty>;
  private additional?: Ty | false;
  private elem?: Ty;

  constructor(
    private readonly node: SchemaNode,
    private readonly schema: FactSchema,
  ) {
    const kinds = new Set<Kind>();
    const types = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
    for (const t of types) kinds.add(t === "integer" ? "number" : (t as Kind));
    if (Array.isArray(node.enum)) {
      this.enumValues = node.enum as Scalar[];
      for (const v of node.enum) kinds.add(kindOf(v as Scalar));
    }
    if (kinds.size === 0) {
      if (node.properties || node.additionalProperties) kinds.add("object");
      else if (node.items) kinds.add("array");
    }
    this.any = kinds.size === 0;
    this.kinds = this.any ? ALL_KINDS : kinds;
  }

  private ensureProps(): void {
    if (this.props) return;
    this.props = new Map();
    const props = (this.node.properties ?? {}) as Record<string, SchemaNode>;
    for (const [k, v] of Object.entries(props)) this.props.set(k, this.schema.typeOf(v));
    const ap = this.node.additionalProperties;
    if (ap === false) this.additional = false;
    else if (ap && typeof ap === "object") this.additional = this.schema.typeOf(ap as SchemaNode);
    // No `additionalProperties` and no `properties`: an open object (e.g. dbt `meta`).
    else if (ap === true || !this.node.properties) this.additional = ANY;
    // Listed properties only: a typo must be caught, so undeclared fields are unknown.
    else this.additional = false;
  }

  field(name: string): Ty | undefined {
    if (this.any) return ANY;
    if (!this.kinds.has("object")) return undefined;
    this.ensureProps();
    return this.props!.get(name) ?? (this.additional === false ? undefined : this.additional);
  }

  fieldNames(): string[] {
    this.ensureProps();
    return [...this.props!.keys()];
  }

  items(): Ty {
    if (this.any) return ANY;
    this.elem ??= this.node.items && typeof this.node.items === "object" ? this.schema.typeOf(this.node.items as SchemaNode) : ANY;
    return this.elem;
  }
}

function kindOf(v: Scalar): Kind {
  return v === null ? "null" : (typeof v as Kind);
}

export class FactSchema {
  private readonly cache = new WeakMap<object, Ty>();
  private readonly byPath = new Map<string, Ty | undefined>();
  readonly input: Ty;
  readonly statement: Ty;

  constructor(private readonly doc: SchemaNode) {
    this.input = this.typeOf(doc);
    this.statement = this.input.field("statements")?.items() ?? ANY;
  }

  /** The type of a schema node, following local `$ref`s and merging `anyOf`/`oneOf`. */
  typeOf(node: SchemaNode): Ty {
    const hit = this.cache.get(node);
    if (hit) return hit;
    let ty: Ty;
    if (typeof node.$ref === "string") ty = this.typeOf(this.resolveRef(node.$ref));
    else if (Array.isArray(node.anyOf) || Array.isArray(node.oneOf)) {
      const alts = ((node.anyOf ?? node.oneOf) as SchemaNode[]).map((n) => this.typeOf(n));
      ty = alts.some((a) => a.kinds.has("object")) ? ANY : unionOf(alts);
    } else ty = new SchemaTy(node, this);
    this.cache.set(node, ty);
    return ty;
  }

  private resolveRef(ref: string): SchemaNode {
    if (!ref.startsWith("#/")) return {};
    let cur: unknown = this.doc;
    for (const part of ref.slice(2).split("/")) cur = (cur as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    return (cur && typeof cur === "object" ? cur : {}) as SchemaNode;
  }

  /** Top-level fields of the input document: the roots a policy may name directly. */
  inputRoots(): string[] {
    return this.input.fieldNames();
  }

  /**
   * The type at a path of the input, e.g. "statements[].reads[].column"
   * (undefined when the path does not exist). Memoised: the checker asks the same paths often.
   */
  at(dotted: string): Ty | undefined {
    if (this.byPath.has(dotted)) return this.byPath.get(dotted);
    let ty: Ty | undefined = this.input;
    for (const part of dotted.split(".")) {
      if (!ty) break;
      const m = /^([^[]*)((?:\[\])*)$/.exec(part)!;
      ty = m[1] ? ty.field(m[1]) : ty;
      for (let i = 0; i < m[2]!.length / 2 && ty; i++) ty = ty.items();
    }
    this.byPath.set(dotted, ty);
    return ty;
  }
}

/** The schema file shipped with Warden, found from this module's location (source or dist). */
export function defaultSchemaPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "schema", "facts.schema.json");
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("schema/facts.schema.json not found next to the warden installation");
    dir = up;
  }
}

const loaded = new Map<string, { mtimeMs: number; size: number; schema: FactSchema }>();

/** Loads (or reuses) the fact schema; reloads when the file changed on disk. */
export function loadFactSchema(file: string = defaultSchemaPath()): FactSchema {
  const st = statSync(file);
  const hit = loaded.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.schema;
  const schema = new FactSchema(JSON.parse(readFileSync(file, "utf8")) as SchemaNode);
  loaded.set(file, { mtimeMs: st.mtimeMs, size: st.size, schema });
  return schema;
}
