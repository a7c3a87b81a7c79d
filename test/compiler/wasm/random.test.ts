// Property test: random IR policies (from a grammar of every op over the fact shape) and
// random inputs (kinds, nulls, unicode, escapes, non-integers) — wasm through the SDK must
// print exactly what the reference interpreter prints.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { emitWasm } from "../../../src/compiler/backend/wasm/emit-wasm.js";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import type { Expr, JsonValue, PolicyIR, RuleIR, Step, Scope } from "../../../src/compiler/ir/ir.js";
import { mismatch } from "./diff.js";
import { SPAN } from "./helpers.js";

// ---------------------------------------------------------------------------
// Inputs

const str = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("users", "email", "ssn", "public", "billing", "cards", "a.b", "", "é", "😀x", 'q"uote', "back\\slash", "tab\t", "nl\n", "\u0001", "100%", "_x", "ann", "dba") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 5 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }).filter((s) => !/[\ud800-\udfff]/.test(s)) },
);
const num = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.constantFrom(0.1, 1.5, -2.25, 1e21, 2 ** 53 + 2, 1e-7, 123456.789, 3),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const leaf = fc.oneof(fc.constant(null), fc.boolean(), num, str);
const key = fc.constantFrom("kind", "name", "schema", "table", "column", "line", "a", "é", "z");
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    leaf,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(key, tie("v"), { maxKeys: 3 }),
  ),
})).v;
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null));

const column = fc.record(
  {
    schema: maybe(fc.oneof(fc.constantFrom("public", "billing"), str, fc.constant(3) as fc.Arbitrary<string | number>)),
    table: maybe(fc.oneof(fc.constantFrom("users", "cards"), str)),
    column: maybe(fc.oneof(fc.constantFrom("email", "ssn", "id", "number"), str)),
    masked: maybe(fc.boolean()),
    classifications: fc.array(fc.constantFrom("pii", "pci", "secret", "x"), { maxLength: 2 }),
  },
  { requiredKeys: ["table", "column"] },
);
const location = fc.oneof(
  fc.record({ line: fc.oneof(fc.nat(500), num), column: fc.nat(80), end_line: fc.nat(500), end_column: maybe(fc.nat(80)) }, { requiredKeys: ["line", "column"] }),
  fc.constant(null),
  json,
);
const kinds = ["drop_table", "select", "delete", "update", "create_index", "grant", "alter_table", "truncate", "unknown"];
const statement = fc.record(
  {
    index: fc.nat(10),
    kind: fc.oneof(fc.constantFrom(...kinds), str),
    text: str,
    location,
    targets: fc.array(fc.record({ schema: maybe(str), name: fc.oneof(fc.constantFrom("users", "cards"), str) }), { maxLength: 3 }),
    reads: fc.array(column, { maxLength: 4 }),
    writes: fc.array(column, { maxLength: 2 }),
    has_where: maybe(fc.boolean()),
    limit: maybe(num),
    privileges: fc.array(fc.constantFrom("ALL", "SELECT", "INSERT"), { maxLength: 2 }),
    extra: json,
  },
  { requiredKeys: ["kind"] },
);
const input: fc.Arbitrary<JsonValue> = fc.record(
  {
    context: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("ci", "runtime") }, { weight: 1, arbitrary: fc.constantFrom(null, 5, "other") }),
    file: fc.record({ type: fc.constantFrom("migration", "migration", "dbt_model", "retraining", "sql", "other") }),
    statements: fc.oneof(
      { weight: 8, arbitrary: fc.array(fc.oneof({ weight: 6, arbitrary: statement }, { weight: 1, arbitrary: json }), { maxLength: 4 }) },
      { weight: 1, arbitrary: json },
    ),
    identity: fc.record({ user: str, roles: fc.array(fc.constantFrom("dba", "analyst", "migrator", "compliance"), { maxLength: 3 }) }),
    intent: str,
  },
  { requiredKeys: ["statements"] },
) as fc.Arbitrary<JsonValue>;

// ---------------------------------------------------------------------------
// IR

const LOCALS = ["statement", "statement_index", "col", "t", "x"];
const localPaths: Record<string, (string | number)[][]> = {
  statement: [[], ["kind"], ["targets"], ["targets", 0, "name"], ["reads"], ["location"], ["location", "line"], ["has_where"], ["limit"], ["text"], ["privileges"], ["index"], ["extra"], ["reads", 1], ["missing"], ["reads", -1], ["targets", 1.5]],
  statement_index: [[]],
  col: [[], ["table"], ["column"], ["schema"], ["masked"], ["name"], ["classifications"]],
  t: [[], ["name"], ["schema"], [0]],
  x: [[], ["a"], [0], ["kind"]],
};
const refExpr: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LOCALS).chain((name) => fc.constantFrom(...localPaths[name]!).map((path): Expr => ({ op: "ref", root: "local", name, path }))) },
  { weight: 1, arbitrary: fc.constantFrom<(string | number)[]>(["context"], ["file", "type"], ["identity", "roles"], ["identity", "user"], ["intent"], ["statements"], ["statements", 0, "kind"]).map((path): Expr => ({ op: "ref", root: "input", path })) },
  { weight: 1, arbitrary: fc.constantFrom<(string | number)[]>(["warden", "constants", "roles"], ["warden", "constants", "limit"], ["warden", "classifications", "pii"], ["warden", "config"], []).map((path): Expr => ({ op: "ref", root: "data", path })) },
);
const collection: fc.Arbitrary<Expr> = fc.oneof(
  fc.constantFrom<Expr>(
    { op: "ref", root: "local", name: "statement", path: ["reads"] },
    { op: "ref", root: "local", name: "statement", path: ["targets"] },
    { op: "ref", root: "local", name: "statement", path: ["writes"] },
    { op: "ref", root: "input", path: ["identity", "roles"] },
    { op: "ref", root: "local", name: "col", path: ["classifications"] },
  ),
  refExpr,
  json.map((value): Expr => ({ op: "const", value })),
);
const GLOBS = ["*", "*.email", "**", "users.*", "?ser*", "a.b", "", "é*", "*😀*", "**.ssn", "public.*.*", "drop_*", "*_table"];
const LIKES = ["%", "u%", "_sers", "%\\%%", "\\", "%é%", "", "drop%", "%a_"];

const exprs = fc.letrec<{ val: Expr; bool: Expr }>((tie) => {
  const val = tie("val");
  const bool = tie("bool");
  return {
    val: fc.oneof(
      { depthSize: "small", maxDepth: 3, depthIdentifier: "expr" },
      { weight: 3, arbitrary: refExpr },
      { weight: 2, arbitrary: json.map((value): Expr => ({ op: "const", value })) },
      { weight: 1, arbitrary: val.map((value): Expr => ({ op: "count", value })) },
      { weight: 1, arbitrary: fc.array(val, { maxLength: 3 }).map((items): Expr => ({ op: "list", items })) },
      { weight: 1, arbitrary: bool },
    ),
    bool: fc.oneof(
      { depthSize: "small", maxDepth: 3, depthIdentifier: "expr" },
      { weight: 3, arbitrary: fc.tuple(fc.constantFrom("==", "!=", "<", "<=", ">", ">=" as const), val, val).map(([op, left, right]): Expr => ({ op, left, right })) },
      { weight: 1, arbitrary: fc.tuple(val, collection).map(([item, coll]): Expr => ({ op: "in", item, collection: coll })) },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(collection, val), val).map(([coll, item]): Expr => ({ op: "contains", collection: coll, item })) },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(collection, val), fc.oneof(collection, val)).map(([coll, items]): Expr => ({ op: "contains_any", collection: coll, items })) },
      { weight: 1, arbitrary: fc.tuple(val, fc.constantFrom(...GLOBS)).map(([value, pattern]): Expr => ({ op: "matches", value, pattern })) },
      { weight: 1, arbitrary: fc.tuple(val, fc.constantFrom(...LIKES)).map(([value, pattern]): Expr => ({ op: "like", value, pattern })) },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(refExpr, val), fc.constantFrom("pii", "pci", "secret")).map(([column, classification]): Expr => ({ op: "is", column, classification })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom("any", "all" as const), fc.constantFrom("x", "col", "statement"), collection, bool).map(([op, l, coll, body]): Expr => ({ op, local: l, collection: coll, body })) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom("and", "or" as const), fc.array(bool, { maxLength: 3 })).map(([op, args]): Expr => ({ op, args })) },
      { weight: 1, arbitrary: bool.map((arg): Expr => ({ op: "not", arg })) },
      { weight: 1, arbitrary: refExpr },
    ),
  };
});

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.tuple(fc.constantFrom("col", "t", "x"), collection).map(([l, source]): Step => ({ kind: "scan", local: l, source, span: SPAN })),
  exprs.bool.map((cond): Step => ({ kind: "filter", cond, span: SPAN })),
);
const SCOPES: Scope[] = ["migration", "dbt_model", "retraining", "sql", "runtime"];
const statementLocation: Expr = { op: "ref", root: "local", name: "statement", path: ["location"] };

const ruleArb = (i: number): fc.Arbitrary<RuleIR> =>
  fc
    .record({
      severity: fc.constantFrom("error", "warning", "info" as const),
      action: fc.constantFrom("deny", "warn", "info", "mask", "require_approval" as const),
      on: fc.subarray(SCOPES, { minLength: 3 }),
      body: fc.array(step, { maxLength: 2 }),
      message: fc.array(fc.oneof(str, exprs.val), { maxLength: 4 }),
      location: fc.array(exprs.val, { maxLength: 2 }),
      column: fc.oneof(fc.constantFrom<Expr>({ op: "ref", root: "local", name: "col", path: [] }), exprs.val),
      method: fc.constantFrom("hash", "redact", "partial", "null" as const),
      suffix: fc.constantFrom("a", "b", "é", ""),
    })
    .map((r): RuleIR => ({
      id: `r${i}${r.suffix}`,
      title: "t",
      doc: "",
      severity: r.severity,
      action: r.action,
      on: r.on,
      body: r.body,
      outcome:
        r.action === "mask"
          ? { kind: "mask", column: r.column, method: r.method, location: [...r.location, statementLocation] }
          : { kind: "message", message: r.message, location: [...r.location, statementLocation] },
      span: SPAN,
    }));

const policyArb: fc.Arbitrary<PolicyIR> = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc
    .record({
      rules: fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(i))),
      pii: fc.subarray(["*.email", "email", "users.ssn", "public.users.*", "**", "billing.cards.number", "é*", 7 as unknown as string]),
      pci: fc.subarray(["cards.*", "*.number"]),
      roles: fc.array(fc.constantFrom("dba", "migrator", "compliance"), { maxLength: 2 }),
      limit: num,
      overrides: fc.array(fc.tuple(fc.nat(n), fc.constantFrom("off", "error", "warning", "info", "bogus")), { maxLength: 2 }),
    })
    .map((g): PolicyIR => ({
      policies: ["random"],
      rules: g.rules,
      data: {
        classifications: { pii: g.pii, pci: g.pci },
        constants: { roles: g.roles, limit: g.limit },
        config: { rules: Object.fromEntries(g.overrides.filter(([k]) => k < n).map(([k, v]) => [g.rules[k]!.id, v])) },
      },
    })),
);

// ---------------------------------------------------------------------------

describe("random policies and inputs", () => {
  it("wasm and interpreter agree on 10,000+ generated inputs", async () => {
    const INPUTS_PER_POLICY = 40;
    const RUNS = 260;
    let checked = 0;
    let withFindings = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, fc.array(input, { minLength: INPUTS_PER_POLICY, maxLength: INPUTS_PER_POLICY }), async (ir, inputs) => {
        const p = await loadPolicy(emitWasm(ir));
        const data = defaultData(ir);
        p.setData(data as object);
        const c = {
          evaluate: (inp: JsonValue, ep: string) => JSON.stringify((p.evaluate(inp, ep) as { result: unknown }[])[0]!.result),
          setData: () => {},
        };
        for (const inp of inputs) {
          const m = mismatch(c, ir, inp, data);
          if (m) throw new Error(`${m}\n  input ${JSON.stringify(inp)}\n  ir ${JSON.stringify(ir.rules)}`);
          checked++;
          if (c.evaluate(inp, "warden/findings") !== "[]") withFindings++;
        }
      }),
      { numRuns: RUNS, seed: 20260601, endOnFailure: true },
    );
    expect(checked).toBeGreaterThanOrEqual(10_000);
    // Agreement on empty results alone would prove little: most inputs must produce findings.
    expect(withFindings / checked).toBeGreaterThan(0.2);
    console.log(`random: ${checked} inputs, ${withFindings} with findings`);
  }, 600_000);
});
