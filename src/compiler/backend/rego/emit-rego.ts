// IR → readable Rego v1 with the same entrypoints (data.warden.findings,
// data.warden.decision) and the same data.warden document as the wasm target.
// Every IR expression becomes a Rego term that is always defined (null for missing),
// because Rego's "undefined" would otherwise silently change what `not` and `!=` mean.
import type { Expr, JsonValue, MessagePart, PolicyIR, RuleIR, Step } from "../../ir/ir.js";
import { VERSION } from "../../../version.js";
import { globToRegexSource, likeToRegexSource } from "./patterns.js";

export class RegoEmitError extends Error {}

/** Top-level keys of data.warden that the bundle's data.json defines, read through null-safe rules. */
const WARDEN_DATA_KEYS = new Set(["classifications", "constants", "config", "catalogue"]);

const lit = (v: JsonValue): string => JSON.stringify(v);

interface Scope {
  /** IR local name → Rego variable. */
  locals: Map<string, string>;
}

class RuleEmitter {
  private counter = 0;
  /** data.* roots the policy reads outside data.warden (become `data_other_<key>` rules). */
  constructor(private readonly extraRoots: Set<string>) {}

  fresh(name: string): string {
    const base = name.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^([^a-z_])/, "_$1") || "v";
    return `${base}_${++this.counter}`;
  }

  path(base: string, path: (string | number)[]): string {
    return path.length === 0 ? base : `v_get(${base}, ${lit(path)})`;
  }

  /** An always-defined value term. */
  term(e: Expr, s: Scope): string {
    switch (e.op) {
      case "const":
        return lit(e.value);
      case "ref": {
        if (e.root === "input") return this.path("inp", e.path);
        if (e.root === "local") {
          const v = s.locals.get(e.name ?? "");
          return v === undefined ? "null" : this.path(v, e.path);
        }
        return this.dataRef(e.path);
      }
      case "==":
        return `v_eq(${this.term(e.left, s)}, ${this.term(e.right, s)})`;
      case "!=":
        return `v_not(v_eq(${this.term(e.left, s)}, ${this.term(e.right, s)}))`;
      case "<":
        return `v_lt(${this.term(e.left, s)}, ${this.term(e.right, s)})`;
      case "<=":
        return `v_le(${this.term(e.left, s)}, ${this.term(e.right, s)})`;
      case ">":
        return `v_lt(${this.term(e.right, s)}, ${this.term(e.left, s)})`;
      case ">=":
        return `v_le(${this.term(e.right, s)}, ${this.term(e.left, s)})`;
      case "in":
        return `v_in(${this.term(e.item, s)}, ${this.term(e.collection, s)})`;
      case "contains":
        return `v_contains(${this.term(e.collection, s)}, ${this.term(e.item, s)})`;
      case "contains_any":
        return `v_contains_any(${this.term(e.collection, s)}, ${this.term(e.items, s)})`;
      case "matches":
        return `v_regex(${lit(globToRegexSource(e.pattern))}, ${this.term(e.value, s)})`;
      case "like":
        return `v_regex(${lit(likeToRegexSource(e.pattern))}, ${this.term(e.value, s)})`;
      case "is":
        return `v_is(${this.term(e.column, s)}, ${lit(e.classification)})`;
      case "count":
        return `v_count(${this.term(e.value, s)})`;
      case "any":
      case "all": {
        const v = this.fresh(e.local);
        const inner: Scope = { locals: new Map(s.locals).set(e.local, v) };
        const coll = this.term(e.collection, s);
        // any: some element's body is exactly true; all: no element's body is anything else.
        return e.op === "any"
          ? `v_nonempty([1 | some ${v} in v_arr(${coll}); ${this.term(e.body, inner)} == true])`
          : `v_empty([1 | some ${v} in v_arr(${coll}); ${this.term(e.body, inner)} != true])`;
      }
      case "and":
        return `v_all_true([${e.args.map((a) => this.term(a, s)).join(", ")}])`;
      case "or":
        return `v_any_true([${e.args.map((a) => this.term(a, s)).join(", ")}])`;
      case "not":
        return `v_not(${this.term(e.arg, s)})`;
      case "list":
        return `[${e.items.map((x) => this.term(x, s)).join(", ")}]`;
    }
  }

  /** Body lines that hold exactly when `e` evaluates to true. */
  cond(e: Expr, s: Scope): string[] {
    switch (e.op) {
      case "and":
        return e.args.flatMap((a) => this.cond(a, s));
      case "==":
        return [`${this.term(e.left, s)} == ${this.term(e.right, s)}`];
      case "!=":
        return [`${this.term(e.left, s)} != ${this.term(e.right, s)}`];
      case "not":
        return [`${this.term(e.arg, s)} != true`];
      default:
        return [`${this.term(e, s)} == true`];
    }
  }

  private dataRef(path: (string | number)[]): string {
    const [first, second, ...rest] = path;
    if (first === "warden" && typeof second === "string" && WARDEN_DATA_KEYS.has(second)) return this.path(`data_${second}`, rest);
    if (typeof first === "string" && first !== "warden" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(first)) {
      this.extraRoots.add(first);
      return this.path(`data_other_${first}`, path.slice(1));
    }
    // Reading data.warden as a whole (or a key our own rules define) would make every rule
    // depend on itself in Rego; the front end never lowers to such a ref.
    throw new RegoEmitError(`the Rego target cannot read \`data.${path.join(".")}\``);
  }

  message(parts: MessagePart[], s: Scope): string {
    const items = parts.map((p) => (typeof p === "string" ? lit(p) : `render(${this.term(p, s)})`));
    if (items.length === 0) return lit("");
    if (parts.length === 1 && typeof parts[0] === "string") return items[0]!;
    return `concat("", [${items.join(", ")}])`;
  }

  rule(r: RuleIR): string {
    const s: Scope = { locals: new Map([["statement", "stmt"], ["statement_index", "i"]]) };
    const lines: string[] = [];
    const binding: string[] = [];
    lines.push(`applies(${lit(r.on)})`);
    lines.push(`severity := effective_severity(${lit(r.id)}, ${lit(r.severity)})`);
    lines.push("some i, stmt in statements");
    for (const step of r.body as Step[]) {
      if (step.kind === "filter") {
        lines.push(...this.cond(step.cond, s));
      } else {
        const v = this.fresh(step.local);
        lines.push(`some ${v}_i, ${v} in v_arr(${this.term(step.source, s)})`);
        s.locals = new Map(s.locals).set(step.local, v);
        binding.push(`${v}_i`);
      }
    }
    const o = r.outcome;
    const location = `location([${o.location.map((e) => this.term(e, s)).join(", ")}])`;
    const action = r.action === "mask" || r.action === "require_approval" ? lit(r.action) : "message_action(severity)";
    if (o.kind === "mask") {
      lines.push(`mask := mask_entry(${this.term(o.column, s)}, ${lit(o.method)})`);
      lines.push("message := mask_message(mask)");
    } else {
      lines.push(`message := ${this.message(o.message, s)}`);
    }
    const fields = [
      `"rule": ${lit(r.id)}`,
      `"severity": severity`,
      `"action": ${action}`,
      `"message": message`,
      `"statement": i`,
      `"location": ${location}`,
    ];
    if (o.kind === "mask") fields.push(`"mask": mask`);
    const where = `${r.span.file}:${r.span.start.line}:${r.span.start.column}`;
    const head = `raw contains [[i, ${lit(r.id)}, message], [${binding.join(", ")}], finding] if {`;
    const body = [...lines, "finding := {", ...fields.map((f) => `\t${f},`), "}"].map((l) => `\t${l}`);
    return [`# ${r.id}: ${oneLine(r.title)} (${where})`, head, ...body, "}"].join("\n");
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

const PRELUDE = String.raw`# ---------------------------------------------------------------------------
# Entrypoints

# Findings sorted by statement, rule id, message (Rego orders strings by bytes, which is
# code point order); for each (statement, rule, message) the first binding is kept.
findings := [f | some k in sort({r[0] | some r in raw}); f := first_binding(k)]

first_binding(k) := sort([[r[1], r[2]] | some r in raw; r[0] == k])[0][1]

decision := {
	"allow": v_empty([1 | some f in findings; f.action == "deny"]),
	"findings": findings,
	"masks": masks,
	"approvals": [{"rule": f.rule, "message": f.message, "statement": f.statement} |
		some f in findings
		f.action == "require_approval"
	],
}

mask_list := [f.mask | some f in findings; f.mask]

masks := [m | some j, m in mask_list; not mask_seen_before(j, m)]

mask_seen_before(j, m) if {
	some j2, m2 in mask_list
	j2 < j
	m2 == m
}

# ---------------------------------------------------------------------------
# Documents (null when missing, never undefined)

default inp := null

inp := input

statements := v_arr(v_get(inp, ["statements"]))

default data_classifications := null

data_classifications := data.warden.classifications

default data_constants := null

data_constants := data.warden.constants

default data_config := null

data_config := data.warden.config

default data_catalogue := null

data_catalogue := data.warden.catalogue

# ---------------------------------------------------------------------------
# Gate, configuration, severity and action

applies(on) if {
	v_get(inp, ["context"]) == "runtime"
	"runtime" in on
}

applies(on) if {
	v_get(inp, ["context"]) in {"ci", null}
	file_type := v_get(inp, ["file", "type"])
	is_string(file_type)
	file_type in on
}

rule_config(id) := v_get(data_config, ["rules", id])

# undefined when the configuration turns the rule off
effective_severity(id, sev) := s if {
	s := rule_config(id)
	s in {"error", "warning", "info"}
} else := sev if {
	rule_config(id) != "off"
}

message_action(sev) := "deny" if sev == "error"

message_action(sev) := "warn" if sev == "warning"

message_action(sev) := "info" if sev == "info"

location(candidates) := loc if {
	usable := [c |
		some c in candidates
		is_object(c)
		is_number(object.get(c, "line", null))
		is_number(object.get(c, "column", null))
	]
	count(usable) > 0
	first := usable[0]
	loc := object.filter(first, [key |
		some key in ["line", "column", "end_line", "end_column"]
		is_number(object.get(first, key, null))
	])
} else := null

mask_entry(col, method) := {
	"schema": string_or_null(v_get(col, ["schema"])),
	"table": string_or_null(v_get(col, ["table"])),
	"column": string_or_null(v_get(col, ["column"])),
	"method": method,
}

mask_message(m) := concat("", ["mask ", schema_name(m.schema), ".", render(m.table), ".", render(m.column), " with ", m.method])

string_or_null(x) := x if {
	is_string(x)
} else := null

schema_name(s) := s if {
	is_string(s)
} else := "public"

# ---------------------------------------------------------------------------
# Value semantics (docs/ir.md)

v_get(x, path) := object.get({"v": x}, array.concat(["v"], path), null)

v_arr(x) := x if {
	is_array(x)
} else := []

default v_eq(_, _) := false

v_eq(a, b) if a == b

default v_not(_) := false

v_not(x) if x != true

default v_all_true(_) := false

v_all_true(xs) if v_empty([1 | some x in xs; x != true])

default v_any_true(_) := false

v_any_true(xs) if v_nonempty([1 | some x in xs; x == true])

default v_empty(_) := false

v_empty(xs) if count(xs) == 0

default v_nonempty(_) := false

v_nonempty(xs) if count(xs) > 0

# Rego orders values of different types; Warden compares only two numbers or two strings.
default v_lt(_, _) := false

v_lt(a, b) if {
	comparable(a, b)
	a < b
}

default v_le(_, _) := false

v_le(a, b) if {
	comparable(a, b)
	a <= b
}

comparable(a, b) if {
	is_number(a)
	is_number(b)
}

comparable(a, b) if {
	is_string(a)
	is_string(b)
}

default v_in(_, _) := false

v_in(x, c) if {
	is_array(c)
	some y in c
	y == x
}

default v_contains(_, _) := false

v_contains(c, x) if v_in(x, c)

v_contains(c, x) if {
	is_string(c)
	is_string(x)
	indexof(c, x) >= 0
}

default v_contains_any(_, _) := false

v_contains_any(c, items) if {
	is_array(c)
	is_array(items)
	some x in items
	v_in(x, c)
}

v_contains_any(c, items) if {
	is_string(c)
	is_array(items)
	some x in items
	is_string(x)
	indexof(c, x) >= 0
}

default v_regex(_, _) := false

v_regex(re, x) if {
	is_string(x)
	regex.match(re, x)
}

default v_count(_) := 0

v_count(x) := count(x) if is_array(x)

v_count(x) := count(x) if is_object(x)

v_count(x) := count(x) if is_string(x)

# column is NAME: a tag on the column, or a classification pattern matching schema.table.column
default v_is(_, _) := false

v_is(col, name) if {
	is_object(col)
	tags := object.get(col, "classifications", null)
	is_array(tags)
	name in tags
}

v_is(col, name) if {
	qualified := qualified_name(col)
	patterns := v_get(data_classifications, [name])
	is_array(patterns)
	some p in patterns
	is_string(p)
	regex.match(glob_regex(padded_pattern(p)), qualified)
}

qualified_name(col) := concat(".", [schema_name(schema), table, column]) if {
	is_object(col)
	table := object.get(col, "table", null)
	is_string(table)
	column := object.get(col, "column", null)
	is_string(column)
	schema := object.get(col, "schema", null)
	schema_ok(schema)
}

schema_ok(s) if is_string(s)

schema_ok(s) if is_null(s)

padded_pattern(p) := concat("", ["*.*.", p]) if count(split(p, ".")) == 1

padded_pattern(p) := concat("", ["*.", p]) if count(split(p, ".")) == 2

padded_pattern(p) := p if count(split(p, ".")) >= 3

# glob → anchored regex: ** any run, * a run without dots, ? one character but a dot
glob_regex(p) := concat("", ["^", concat("[\\s\\S]*", [glob_part(part) | some part in split(p, "**")]), "$"])

glob_part(part) := replace(replace(regex.replace(part, "[\\\\.+()|\\[\\]{}^$]", "\\${0}"), "*", "[^.]*"), "?", "[^.]")

# ---------------------------------------------------------------------------
# Message rendering

render(x) := x if is_string(x)

render(x) := "" if is_null(x)

render(x) := "true" if x == true

render(x) := "false" if x == false

render(x) := format_int(x, 10) if safe_integer(x)

# other numbers keep the JSON text they arrived with
render(x) := json.marshal(x) if {
	is_number(x)
	not safe_integer(x)
}

render(x) := compact_json(x) if is_array(x)

render(x) := compact_json(x) if is_object(x)

safe_integer(x) if {
	is_number(x)
	x == round(x)
	abs(x) < 9007199254740992
}

# json.marshal sorts object keys like Warden but escapes <, >, & and U+2028/9 the HTML way
compact_json(x) := strings.replace_n({"\\u003c": "<", "\\u003e": ">", "\\u0026": "&", "\\u2028": "\u2028", "\\u2029": "\u2029"}, json.marshal(x))
`;

/** Readable Rego v1 for the policy: package `warden`, entrypoints `findings` and `decision`. */
export function emitRego(ir: PolicyIR): string {
  const extraRoots = new Set<string>();
  const em = new RuleEmitter(extraRoots);
  const rules = ir.rules.map((r) => em.rule(r));
  const header = [
    `# Generated by Warden ${VERSION} from ${ir.policies.length ? ir.policies.join(", ") : "no policy files"}; do not edit.`,
    "# Entrypoints: data.warden.findings and data.warden.decision. Reads data.warden.{classifications,",
    "# constants, config} from the bundle's data.json; semantics in docs/ir.md.",
    "package warden",
    "",
    "import rego.v1",
    "",
    "# ---------------------------------------------------------------------------",
    `# Rules (${ir.rules.length})`,
    "",
    "# raw holds [[statement, rule, message], binding, finding]; binding is the scan indices,",
    "# so the first binding in evaluation order sorts first.",
    "",
    ...(ir.rules.length === 0 ? ["raw := set()", ""] : []),
  ];
  const others = [...extraRoots].sort().flatMap((k) => [`default data_other_${k} := null`, "", `data_other_${k} := data.${k}`, ""]);
  return [...header, ...rules.flatMap((r) => [r, ""]), ...(others.length ? ["# other data documents the policy reads", "", ...others] : []), PRELUDE].join("\n");
}
