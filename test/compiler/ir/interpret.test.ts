import { describe, expect, it } from "vitest";
import {
  classificationMatch,
  compareCodePoints,
  deepEqual,
  defaultData,
  evalExpr,
  evaluateDecision,
  evaluateFindings,
  globMatch,
  likeMatch,
  padClassificationPattern,
  qualifiedColumnName,
  renderValue,
  type Env,
} from "../../../src/compiler/ir/interpret.js";
import type { Expr, JsonValue } from "../../../src/compiler/ir/ir.js";
import { and, c, cmp, data, eq, filter, input, list, local, migration, not, or, policy, rule, scan, stmt } from "./build.js";

function ev(e: Expr, locals: Record<string, JsonValue> = {}, inputDoc: JsonValue = null, dataDoc: JsonValue = null): JsonValue {
  const env: Env = { input: inputDoc, data: dataDoc, locals: new Map(Object.entries(locals)) };
  return evalExpr(e, env);
}

const loc = (line: number, column: number): JsonValue => ({ line, column, end_line: line, end_column: column + 10 });

describe("ref", () => {
  const doc = { a: { b: [10, { c: "x" }] }, s: "str", n: null };
  it("follows keys and indices", () => {
    expect(ev(input("a", "b", 0), {}, doc)).toBe(10);
    expect(ev(input("a", "b", 1, "c"), {}, doc)).toBe("x");
    expect(ev(input(), {}, doc)).toEqual(doc);
  });
  it("reads missing, out-of-range and wrong-type steps as null", () => {
    expect(ev(input("zz"), {}, doc)).toBeNull();
    expect(ev(input("a", "b", 2), {}, doc)).toBeNull();
    expect(ev(input("a", "b", -1), {}, doc)).toBeNull();
    expect(ev(input("a", "b", "0"), {}, doc)).toBeNull(); // string key on an array
    expect(ev(input("a", 0), {}, doc)).toBeNull(); // index on an object
    expect(ev(input("s", "length"), {}, doc)).toBeNull(); // key of a string
    expect(ev(input("s", 0), {}, doc)).toBeNull(); // index of a string
    expect(ev(input("n", "x"), {}, doc)).toBeNull();
    expect(ev(input("x"), {}, null)).toBeNull();
  });
  it("does not see inherited properties", () => {
    expect(ev(input("constructor"), {}, {})).toBeNull();
    expect(ev(input("__proto__"), {}, {})).toBeNull();
    expect(ev(input("toString"), {}, {})).toBeNull();
  });
  it("reads data and locals; an unbound local is null", () => {
    expect(ev(data("warden", "constants", "k"), {}, null, { warden: { constants: { k: [1] } } })).toEqual([1]);
    expect(ev(local("col", "table"), { col: { table: "t" } })).toBe("t");
    expect(ev(local("nope"), {})).toBeNull();
  });
});

describe("comparison", () => {
  it("== is deep equality, key order irrelevant, numbers by value", () => {
    expect(ev(eq(c({ a: 1, b: [1, 2] }), c({ b: [1, 2], a: 1 })))).toBe(true);
    expect(ev(eq(c({ a: 1 }), c({ a: 1, b: null })))).toBe(false);
    expect(ev(eq(c([1, 2]), c([2, 1])))).toBe(false);
    expect(ev(eq(c(1), c(1.0)))).toBe(true);
    expect(ev(eq(c(1), c("1")))).toBe(false);
    expect(ev(eq(c(null), input("missing")))).toBe(true);
    expect(ev(eq(c([]), c({})))).toBe(false);
    expect(ev(eq(c(0), c(false)))).toBe(false);
    expect(ev(eq(c(""), c(null)))).toBe(false);
  });
  it("!= is the negation of ==", () => {
    expect(ev(cmp("!=", c(null), input("missing")))).toBe(false);
    expect(ev(cmp("!=", c("a"), input("missing")))).toBe(true);
    expect(ev(cmp("!=", c([1]), c([1])))).toBe(false);
  });
  it("orders two numbers or two strings; anything else is false", () => {
    expect(ev(cmp("<", c(1), c(2)))).toBe(true);
    expect(ev(cmp("<=", c(2), c(2)))).toBe(true);
    expect(ev(cmp(">", c(2), c(2)))).toBe(false);
    expect(ev(cmp(">=", c(-1.5), c(-2)))).toBe(true);
    expect(ev(cmp("<", c("a"), c("b")))).toBe(true);
    expect(ev(cmp("<", c("B"), c("a")))).toBe(true); // case-sensitive code points
    expect(ev(cmp("<", c("\uff5e"), c("\u{1f600}")))).toBe(true); // code point, not UTF-16 order
    expect(ev(cmp(">", c("\u{1f600}"), c("\uff5e")))).toBe(true);
    for (const op of ["<", "<=", ">", ">="] as const) {
      expect(ev(cmp(op, c(1), c("1")))).toBe(false);
      expect(ev(cmp(op, c(null), c(null)))).toBe(false);
      expect(ev(cmp(op, input("missing"), c(0)))).toBe(false);
      expect(ev(cmp(op, c([1]), c([1])))).toBe(false);
      expect(ev(cmp(op, c(true), c(false)))).toBe(false);
    }
  });
});

describe("boolean positions", () => {
  it("only true is true", () => {
    for (const v of [null, 1, "true", [true], {}, false]) {
      expect(ev(and(c(v)))).toBe(false);
      expect(ev(or(c(v)))).toBe(false);
      expect(ev(not(c(v)))).toBe(true);
    }
    expect(ev(and(c(true), c(true)))).toBe(true);
    expect(ev(or(c(false), c(true)))).toBe(true);
    expect(ev(not(c(true)))).toBe(false);
  });
  it("empty and is true, empty or is false", () => {
    expect(ev(and())).toBe(true);
    expect(ev(or())).toBe(false);
  });
});

describe("in / contains / contains_any", () => {
  const inE = (item: JsonValue, coll: JsonValue): JsonValue => ev({ op: "in", item: c(item), collection: c(coll) });
  const containsE = (coll: JsonValue, item: JsonValue): JsonValue => ev({ op: "contains", collection: c(coll), item: c(item) });
  const anyE = (coll: JsonValue, items: JsonValue): JsonValue => ev({ op: "contains_any", collection: c(coll), items: c(items) });
  it("in: deep equality over an array, false otherwise", () => {
    expect(inE("a", ["b", "a"])).toBe(true);
    expect(inE({ x: [1] }, [{ x: [1] }])).toBe(true);
    expect(inE(null, [null])).toBe(true);
    expect(inE(null, [])).toBe(false);
    expect(inE("a", "abc")).toBe(false);
    expect(inE("a", { a: 1 })).toBe(false);
    expect(inE("a", null)).toBe(false);
  });
  it("contains: array element or substring", () => {
    expect(containsE(["x", "y"], "y")).toBe(true);
    expect(containsE([[1, 2]], [1, 2])).toBe(true);
    expect(containsE([], null)).toBe(false);
    expect(containsE("hello", "ell")).toBe(true);
    expect(containsE("hello", "")).toBe(true);
    expect(containsE("hello", "L")).toBe(false);
    expect(containsE("1", 1)).toBe(false);
    expect(containsE({ a: 1 }, "a")).toBe(false);
    expect(containsE(null, null)).toBe(false);
  });
  it("contains_any: some element of items", () => {
    expect(anyE(["dba", "x"], ["migrator", "dba"])).toBe(true);
    expect(anyE(["dba"], [])).toBe(false);
    expect(anyE([], ["dba"])).toBe(false);
    expect(anyE(["dba"], "dba")).toBe(false);
    expect(anyE(["dba"], null)).toBe(false);
    expect(anyE("select * from pg_shadow", ["pg_authid", "pg_shadow"])).toBe(true);
    expect(anyE("abc", [1, null, "zz"])).toBe(false);
    expect(anyE("abc", [1, "c"])).toBe(true);
    expect(anyE(null, ["a"])).toBe(false);
  });
});

describe("matches / like", () => {
  const m = (v: JsonValue, pattern: string): JsonValue => ev({ op: "matches", value: c(v), pattern });
  const l = (v: JsonValue, pattern: string): JsonValue => ev({ op: "like", value: c(v), pattern });
  it("glob", () => {
    expect(m("public.users", "public.*")).toBe(true);
    expect(m("public.users.email", "public.*")).toBe(false);
    expect(m("public.users.email", "public.**")).toBe(true);
    expect(m("public.users.email", "**.email")).toBe(true);
    expect(m("email", "**email")).toBe(true);
    expect(m("tmp_1", "tmp_?")).toBe(true);
    expect(m("tmp.", "tmp?")).toBe(false);
    expect(m("tmp_12", "tmp_?")).toBe(false);
    expect(m("😀", "?")).toBe(true); // one code point, two UTF-16 units
    expect(m("", "*")).toBe(true);
    expect(m("", "?")).toBe(false);
    expect(m("Users", "users")).toBe(false);
    expect(m("a+b(c)", "a+b(c)")).toBe(true); // regex metacharacters are literal
    expect(m(null, "*")).toBe(false);
    expect(m(12, "*")).toBe(false);
    expect(m(["a"], "*")).toBe(false);
  });
  it("like", () => {
    expect(l("tmp_orders", "tmp\\_%")).toBe(true);
    expect(l("tmpXorders", "tmp\\_%")).toBe(false);
    expect(l("tmpXorders", "tmp_%")).toBe(true);
    expect(l("a.b", "a%")).toBe(true); // % crosses dots
    expect(l("100%", "100\\%")).toBe(true);
    expect(l("1000", "100\\%")).toBe(false);
    expect(l("a\\", "a\\")).toBe(true); // trailing escape is a literal backslash
    expect(l("a\\b", "a\\\\b")).toBe(true);
    expect(l("", "%")).toBe(true);
    expect(l("", "_")).toBe(false);
    expect(l("😀", "_")).toBe(true);
    expect(l("ABC", "abc")).toBe(false);
    expect(l(null, "%")).toBe(false);
    expect(l(true, "%")).toBe(false);
  });
  it("exported helpers agree", () => {
    expect(globMatch("*.users.*", "public.users.email")).toBe(true);
    expect(likeMatch("%users%", "public.users.email")).toBe(true);
  });
});

describe("is", () => {
  const cls = { pii: ["email", "users.phone", "public.customers.ssn", 7 as unknown as string, "*.secret_*"] };
  const dataDoc = { warden: { classifications: cls } };
  const isE = (col: JsonValue, name = "pii"): JsonValue =>
    ev({ op: "is", column: c(col), classification: name }, {}, null, dataDoc);
  it("pads patterns on the left", () => {
    expect(padClassificationPattern("email")).toBe("*.*.email");
    expect(padClassificationPattern("users.email")).toBe("*.users.email");
    expect(padClassificationPattern("s.users.email")).toBe("s.users.email");
    expect(padClassificationPattern("a.b.c.d")).toBe("a.b.c.d");
  });
  it("qualifies with public when schema is null", () => {
    expect(qualifiedColumnName({ table: "t", column: "c" })).toBe("public.t.c");
    expect(qualifiedColumnName({ schema: "s", table: "t", column: "c" })).toBe("s.t.c");
    expect(qualifiedColumnName({ schema: 3, table: "t", column: "c" })).toBeNull();
    expect(qualifiedColumnName({ table: null, column: "c" })).toBeNull();
    expect(qualifiedColumnName({ table: "t", column: 1 })).toBeNull();
    expect(qualifiedColumnName("public.t.c")).toBeNull();
  });
  it("matches patterns", () => {
    expect(isE({ schema: "app", table: "users", column: "email" })).toBe(true);
    expect(isE({ schema: null, table: "users", column: "phone" })).toBe(true);
    expect(isE({ table: "customers", column: "ssn" })).toBe(true);
    expect(isE({ schema: "other", table: "customers", column: "ssn" })).toBe(false);
    expect(isE({ schema: "s", table: "t", column: "secret_key" })).toBe(true);
    expect(isE({ schema: "s", table: "t", column: "Email" })).toBe(false);
    expect(isE({ schema: "s", table: "t", column: "name" })).toBe(false);
    expect(isE({ table: null, column: "email" })).toBe(false);
  });
  it("matches tags", () => {
    expect(isE({ table: null, column: null, classifications: ["pii"] })).toBe(true);
    expect(isE({ table: "t", column: "x", classifications: ["secret"] })).toBe(false);
    expect(isE({ table: "t", column: "x", classifications: "pii" })).toBe(false);
    expect(isE({ table: "t", column: "x", classifications: ["secret"] }, "secret")).toBe(true);
  });
  it("non-objects and unknown classifications are false", () => {
    expect(isE(null)).toBe(false);
    expect(isE("public.users.email")).toBe(false);
    expect(isE({ table: "users", column: "email" }, "unknown")).toBe(false);
    expect(classificationMatch({ table: "u", column: "email" }, "pii", "email")).toBe(false); // not an array
    expect(classificationMatch({ table: "u", column: "email" }, "pii", ["email"])).toBe(true);
  });
});

describe("count / quantifiers / list", () => {
  const count = (v: JsonValue): JsonValue => ev({ op: "count", value: c(v) });
  it("count", () => {
    expect(count([1, 2, 3])).toBe(3);
    expect(count({ a: 1, b: 2 })).toBe(2);
    expect(count("héllo😀")).toBe(6);
    expect(count("")).toBe(0);
    expect(count(null)).toBe(0);
    expect(count(42)).toBe(0);
    expect(count(true)).toBe(0);
  });
  it("any / all", () => {
    const anyE = (coll: JsonValue): JsonValue =>
      ev({ op: "any", local: "x", collection: c(coll), body: cmp(">", local("x"), c(2)) });
    const allE = (coll: JsonValue): JsonValue =>
      ev({ op: "all", local: "x", collection: c(coll), body: cmp(">", local("x"), c(2)) });
    expect(anyE([1, 3])).toBe(true);
    expect(anyE([1, 2])).toBe(false);
    expect(anyE([])).toBe(false);
    expect(anyE(null)).toBe(false);
    expect(anyE({ a: 5 })).toBe(false);
    expect(allE([3, 4])).toBe(true);
    expect(allE([3, 1])).toBe(false);
    expect(allE([])).toBe(true);
    expect(allE(null)).toBe(true);
    expect(allE("abc")).toBe(true);
  });
  it("a quantifier's local shadows an outer one and does not leak", () => {
    const e = and(
      { op: "any", local: "x", collection: c([1]), body: eq(local("x"), c(1)) },
      eq(local("x"), c("outer")),
    );
    expect(ev(e, { x: "outer" })).toBe(true);
  });
  it("list evaluates its items", () => {
    expect(ev(list(c(1), input("a"), input("missing")), {}, { a: "A" })).toEqual([1, "A", null]);
    expect(ev(list())).toEqual([]);
  });
});

describe("renderValue", () => {
  it.each<[JsonValue, string]>([
    ["text", "text"],
    ["", ""],
    [null, ""],
    [true, "true"],
    [false, "false"],
    [0, "0"],
    [-0, "0"],
    [42, "42"],
    [-7, "-7"],
    [1.5, "1.5"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e-7, "1e-7"],
    [123456789012, "123456789012"],
    [2 ** 53 - 1, "9007199254740991"],
    [2 ** 53, "9007199254740992"],
    [1e21, "1e+21"],
    [-1e21, "-1e+21"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [[1, "a", null, true], '[1,"a",null,true]'],
    [[], "[]"],
    [{}, "{}"],
    [{ b: 1, a: [2.5, { d: null, c: "x" }] }, '{"a":[2.5,{"c":"x","d":null}],"b":1}'],
    [{ "2": 1, "10": 2, b: 3 }, '{"10":2,"2":1,"b":3}'],
    [["q\"uote", "back\\slash", "nl\n", "tab\t", "\u0001", "é😀"], '["q\\"uote","back\\\\slash","nl\\n","tab\\t","\\u0001","é😀"]'],
    [{ "\u{1f600}": 1, "\uff5e": 2 }, '{"\uff5e":2,"\u{1f600}":1}'],
    [[1e21, -0], "[1e+21,0]"],
  ])("%j renders as %s", (v, s) => {
    expect(renderValue(v)).toBe(s);
  });
});

describe("compareCodePoints", () => {
  it("orders astral characters after all BMP characters", () => {
    const xs = ["\u{1f600}", "\uff5e", "a", "", "ab", "\u{10000}", "\ue000"];
    expect([...xs].sort(compareCodePoints)).toEqual(["", "a", "ab", "\ue000", "\uff5e", "\u{10000}", "\u{1f600}"]);
    // JavaScript's default order differs exactly here
    expect([...xs].sort()).not.toEqual([...xs].sort(compareCodePoints));
  });
  it("is zero only for equal strings", () => {
    expect(compareCodePoints("a", "a")).toBe(0);
    expect(compareCodePoints("a", "b")).toBe(-1);
    expect(compareCodePoints("b", "a")).toBe(1);
    expect(compareCodePoints("a", "ab")).toBe(-1);
    expect(compareCodePoints("\u{1f601}", "\u{1f600}")).toBe(1);
  });
});

describe("deepEqual", () => {
  it("distinguishes types", () => {
    expect(deepEqual(null, null)).toBe(true);
    expect(deepEqual([null], [null])).toBe(true);
    expect(deepEqual({ a: undefined as unknown as JsonValue }, { b: 1 })).toBe(false);
    expect(deepEqual("1", 1)).toBe(false);
  });
});

describe("rules", () => {
  const drop = rule({
    id: "ban-drop",
    on: ["migration", "runtime"],
    body: [filter(eq(stmt("kind"), c("drop_table")))],
    message: ["DROP TABLE ", stmt("targets", 0, "name"), " destroys data"],
  });
  const dropStmt = (name: string, line = 1): JsonValue => ({
    kind: "drop_table",
    targets: [{ schema: null, name }],
    location: loc(line, 1),
  });

  it("emits one finding per surviving statement with the statement location", () => {
    const ir = policy([drop]);
    const got = evaluateFindings(ir, migration({ kind: "select", location: loc(1, 1) }, dropStmt("users", 3)));
    expect(got).toEqual([
      {
        rule: "ban-drop",
        severity: "error",
        action: "deny",
        message: "DROP TABLE users destroys data",
        statement: 1,
        location: { line: 3, column: 1, end_line: 3, end_column: 11 },
      },
    ]);
    expect(Object.keys(got[0]!)).toEqual(["rule", "severity", "action", "message", "statement", "location"]);
  });

  it("expect none: no statement matches", () => {
    expect(evaluateFindings(policy([drop]), migration({ kind: "select" }))).toEqual([]);
  });

  it("no statements, or statements not an array, gives nothing", () => {
    const ir = policy([rule({ on: ["migration"] })]);
    expect(evaluateFindings(ir, { context: "ci", file: { type: "migration" } })).toEqual([]);
    expect(evaluateFindings(ir, { context: "ci", file: { type: "migration" }, statements: { 0: {} } })).toEqual([]);
    expect(evaluateFindings(ir, null)).toEqual([]);
    expect(evaluateFindings(ir, migration())).toEqual([]);
  });

  describe("gate", () => {
    const ir = policy([rule({ id: "mig", on: ["migration"] }), rule({ id: "rt", on: ["runtime"] }), rule({ id: "both", on: ["dbt_model", "runtime"] })]);
    const ids = (inp: JsonValue): string[] => evaluateFindings(ir, inp).map((f) => f.rule);
    it("ci and absent context use file.type", () => {
      expect(ids({ context: "ci", file: { type: "migration" }, statements: [{}] })).toEqual(["mig"]);
      expect(ids({ file: { type: "migration" }, statements: [{}] })).toEqual(["mig"]);
      expect(ids({ context: null, file: { type: "dbt_model" }, statements: [{}] })).toEqual(["both"]);
      expect(ids({ context: "ci", file: { type: "sql" }, statements: [{}] })).toEqual([]);
      expect(ids({ context: "ci", statements: [{}] })).toEqual([]);
      expect(ids({ context: "ci", file: { type: ["migration"] }, statements: [{}] })).toEqual([]);
    });
    it("runtime context uses on: runtime, ignoring file.type", () => {
      expect(ids({ context: "runtime", statements: [{}] })).toEqual(["both", "rt"]);
      expect(ids({ context: "runtime", file: { type: "migration" }, statements: [{}] })).toEqual(["both", "rt"]);
    });
    it("an unknown context applies nothing", () => {
      expect(ids({ context: "batch", file: { type: "migration" }, statements: [{}] })).toEqual([]);
      expect(ids({ context: 1, file: { type: "migration" }, statements: [{}] })).toEqual([]);
    });
  });

  describe("configuration", () => {
    const ir = policy([
      rule({ id: "d", action: "deny" }),
      rule({ id: "w", action: "warn" }),
      rule({ id: "i", action: "info" }),
      rule({ id: "a", action: "require_approval", severity: "warning" }),
      rule({ id: "m", mask: { column: c({ table: "t", column: "c" }), method: "redact" } }),
    ]);
    const run = (rules: JsonValue): [string, string, string][] =>
      evaluateFindings(ir, migration({}), { warden: { config: { rules } } }).map((f) => [f.rule, f.severity, f.action]);
    it("defaults", () => {
      expect(run({})).toEqual([
        ["a", "warning", "require_approval"],
        ["d", "error", "deny"],
        ["i", "info", "info"],
        ["m", "error", "mask"],
        ["w", "warning", "warn"],
      ]);
    });
    it("severity overrides change the action of message rules only", () => {
      expect(run({ d: "warning", w: "error", i: "warning", a: "error", m: "info" })).toEqual([
        ["a", "error", "require_approval"],
        ["d", "warning", "warn"],
        ["i", "warning", "warn"],
        ["m", "info", "mask"],
        ["w", "error", "deny"],
      ]);
    });
    it("off drops a rule; other values are ignored", () => {
      expect(run({ d: "off", w: "OFF", i: 3, a: { severity: "error" }, m: "off" })).toEqual([
        ["a", "warning", "require_approval"],
        ["i", "info", "info"],
        ["w", "warning", "warn"],
      ]);
    });
    it("config.rules of the wrong type is ignored", () => {
      expect(evaluateFindings(ir, migration({}), { warden: { config: { rules: ["d"] } } })).toHaveLength(5);
      expect(evaluateFindings(ir, migration({}), { warden: { config: null } })).toHaveLength(5);
    });
    it("the data argument replaces the default data entirely", () => {
      const withConst = policy([rule({ body: [filter(eq(data("warden", "constants", "k"), c(1)))] })], { constants: { k: 1 } });
      expect(evaluateFindings(withConst, migration({}))).toHaveLength(1);
      expect(evaluateFindings(withConst, migration({}), { warden: { constants: { k: 2 } } })).toHaveLength(0);
      expect(evaluateFindings(withConst, migration({}), {})).toHaveLength(0);
    });
    it("the policy's own config applies by default", () => {
      const off = policy([rule({ id: "d" })], { config: { rules: { d: "off" } } });
      expect(evaluateFindings(off, migration({}))).toEqual([]);
    });
  });

  describe("location", () => {
    const mk = (...candidates: Expr[]) => policy([rule({ body: [scan("col", stmt("reads"))], message: [local("col", "column")], location: candidates })]);
    const statement = (reads: JsonValue): JsonValue => ({ location: { line: 9, column: 2 }, reads });
    it("picks the first candidate with numeric line and column", () => {
      const ir = mk(local("col", "location"));
      const got = evaluateFindings(ir, migration(statement([
        { column: "a", location: { line: 10, column: 5, end_line: 10, end_column: 6, extra: 1 } },
        { column: "b", location: { line: "10", column: 5 } },
        { column: "c", location: { line: 10 } },
        { column: "d", location: { line: 11, column: 1, end_line: "x" } },
        { column: "e" },
      ])));
      expect(got.map((f) => [f.message, f.location])).toEqual([
        ["a", { line: 10, column: 5, end_line: 10, end_column: 6 }],
        ["b", { line: 9, column: 2 }],
        ["c", { line: 9, column: 2 }],
        ["d", { line: 11, column: 1 }],
        ["e", { line: 9, column: 2 }],
      ]);
      expect(Object.keys(got[0]!.location!)).toEqual(["line", "column", "end_line", "end_column"]);
    });
    it("is null when no candidate applies", () => {
      const got = evaluateFindings(mk(), migration({ reads: [{ column: "a" }], location: "1:1" }));
      expect(got[0]!.location).toBeNull();
    });
  });

  describe("mask", () => {
    const ir = policy([
      rule({ id: "mask-pii", on: ["runtime"], body: [scan("col", stmt("reads"))], mask: { column: local("col"), method: "hash" } }),
    ]);
    it("renders the mask message and entry; schema null reads public in the message only", () => {
      const d = evaluateDecision(ir, {
        context: "runtime",
        statements: [{ reads: [{ schema: null, table: "users", column: "email" }, { schema: "crm", table: "c", column: "ssn", masked: false }] }],
      });
      expect(d.findings.map((f) => f.message)).toEqual(["mask crm.c.ssn with hash", "mask public.users.email with hash"]);
      expect(d.masks).toEqual([
        { schema: "crm", table: "c", column: "ssn", method: "hash" },
        { schema: null, table: "users", column: "email", method: "hash" },
      ]);
      expect(Object.keys(d.findings[0]!)).toEqual(["rule", "severity", "action", "message", "statement", "location", "mask"]);
      expect(d.allow).toBe(true);
      expect(d.approvals).toEqual([]);
    });
    it("copies only string names; a non-object column masks nulls", () => {
      const d = evaluateDecision(ir, { context: "runtime", statements: [{ reads: [{ table: 5, column: "x" }, "oops"] }] });
      expect(d.findings.map((f) => [f.message, f.mask])).toEqual([
        // sorted by message: " " (U+0020) before "x"
        ["mask public.. with hash", { schema: null, table: null, column: null, method: "hash" }],
        ["mask public..x with hash", { schema: null, table: null, column: "x", method: "hash" }],
      ]);
    });
    it("masks are deduplicated across statements, in finding order", () => {
      const col = { schema: "s", table: "t", column: "c" };
      const d = evaluateDecision(ir, { context: "runtime", statements: [{ reads: [col] }, { reads: [col, col] }] });
      expect(d.findings.map((f) => f.statement)).toEqual([0, 1]);
      expect(d.masks).toEqual([{ ...col, method: "hash" }]);
    });
  });

  describe("decision", () => {
    const ir = policy([
      rule({ id: "need-approval", action: "require_approval", severity: "warning", message: ["needs sign-off: ", stmt("kind")] }),
      rule({ id: "no-delete", body: [filter(eq(stmt("kind"), c("delete")))], message: ["no"] }),
    ]);
    it("approvals list require_approval findings; allow is false exactly with a deny", () => {
      const d = evaluateDecision(ir, migration({ kind: "update" }, { kind: "delete" }));
      expect(d.allow).toBe(false);
      expect(d.approvals).toEqual([
        { rule: "need-approval", message: "needs sign-off: update", statement: 0 },
        { rule: "need-approval", message: "needs sign-off: delete", statement: 1 },
      ]);
      expect(d.findings).toEqual(evaluateFindings(ir, migration({ kind: "update" }, { kind: "delete" })));
      expect(Object.keys(d)).toEqual(["allow", "findings", "masks", "approvals"]);
    });
    it("allow stays true when the deny rule is downgraded", () => {
      const d = evaluateDecision(ir, migration({ kind: "delete" }), { warden: { config: { rules: { "no-delete": "warning" } } } });
      expect(d.allow).toBe(true);
      expect(d.findings.map((f) => f.action)).toEqual(["require_approval", "warn"]);
    });
    it("an empty input allows", () => {
      expect(evaluateDecision(ir, {})).toEqual({ allow: true, findings: [], masks: [], approvals: [] });
    });
  });

  describe("dedup and order", () => {
    it("dedups on (rule, statement, message) keeping the first binding's location", () => {
      const ir = policy([rule({ id: "r", body: [scan("t", stmt("targets"))], message: ["touches ", local("t", "name")], location: [local("t", "loc")] })]);
      const got = evaluateFindings(ir, migration({ targets: [{ name: "a", loc: { line: 1, column: 1 } }, { name: "a", loc: { line: 2, column: 2 } }, { name: "b" }] }));
      expect(got.map((f) => [f.message, f.location])).toEqual([
        ["touches a", { line: 1, column: 1 }],
        ["touches b", null],
      ]);
    });
    it("merges findings of two rules that share an id (the checker forbids it; the semantics stay total)", () => {
      const ir = policy([rule({ id: "x", message: ["same"] }), rule({ id: "x", action: "warn", message: ["same"] })]);
      expect(evaluateFindings(ir, migration({})).map((f) => [f.rule, f.action])).toEqual([["x", "deny"]]);
    });
    it("does not merge equal messages of different statements or rules", () => {
      const ir = policy([rule({ id: "x" }), rule({ id: "y" })]);
      expect(evaluateFindings(ir, migration({}, {})).map((f) => `${f.statement}:${f.rule}`)).toEqual(["0:x", "0:y", "1:x", "1:y"]);
    });
    it("sorts by statement, rule id, message in code point order", () => {
      const ir = policy([
        rule({ id: "z-rule", body: [scan("n", c(["\u{1f600}", "\uff5e", "B", "a"]))], message: [local("n")] }),
        rule({ id: "a-rule", body: [filter(eq(local("statement_index"), c(1)))] , message: ["only second"] }),
        rule({ id: "\u{1f600}-rule" }),
        rule({ id: "\uff5e-rule" }),
      ]);
      const got = evaluateFindings(ir, migration({}, {}));
      expect(got.map((f) => `${f.statement} ${f.rule} ${f.message}`)).toEqual([
        "0 z-rule B",
        "0 z-rule a",
        "0 z-rule \uff5e",
        "0 z-rule \u{1f600}",
        "0 \uff5e-rule m",
        "0 \u{1f600}-rule m",
        "1 a-rule only second",
        "1 z-rule B",
        "1 z-rule a",
        "1 z-rule \uff5e",
        "1 z-rule \u{1f600}",
        "1 \uff5e-rule m",
        "1 \u{1f600}-rule m",
      ]);
    });
  });

  describe("scans", () => {
    it("nest in order and see earlier locals; a non-array source yields nothing", () => {
      const ir = policy([
        rule({
          body: [scan("t", stmt("targets")), scan("c", local("t", "cols")), filter(cmp("!=", local("c"), c("id")))],
          message: [local("t", "name"), ".", local("c"), " #", local("statement_index")],
        }),
      ]);
      const got = evaluateFindings(ir, migration({ targets: [{ name: "b", cols: ["id", "x", "y"] }, { name: "a", cols: "x" }, { name: "c", cols: ["z"] }] }));
      expect(got.map((f) => f.message)).toEqual(["b.x #0", "b.y #0", "c.z #0"]);
    });
    it("a message interpolating a missing value renders it empty", () => {
      const ir = policy([rule({ message: ["user ", input("identity", "user"), " ran ", stmt("kind"), " with ", stmt("limit")] })]);
      expect(evaluateFindings(ir, migration({ kind: "select", limit: 1e21 }))[0]!.message).toBe("user  ran select with 1e+21");
    });
  });

  it("defaultData lays out the catalogue", () => {
    const ir = policy([rule({ id: "x", title: "T", doc: "D", on: ["migration", "runtime"], action: "warn" })], {
      classifications: { pii: ["email"] },
      constants: { k: [1] },
      config: { rules: { x: "info" } },
    });
    expect(defaultData(ir)).toEqual({
      warden: {
        classifications: { pii: ["email"] },
        constants: { k: [1] },
        config: { rules: { x: "info" } },
        catalogue: { x: { title: "T", severity: "warning", on: ["migration", "runtime"], doc: "D" } },
      },
    });
  });
});
