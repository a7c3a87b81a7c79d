import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Expr, RuleDecl } from "../../../src/compiler/syntax/ast.js";
import { parsePolicy } from "../../../src/compiler/syntax/parse.js";
import { diagLines, stripSpans } from "./helpers.js";

const EXAMPLE = readFileSync(new URL("../../../fixtures/policies/good/example.warden", import.meta.url), "utf8");

function ruleOf(src: string): RuleDecl {
  const r = parsePolicy("t.warden", `policy t\nrule r {\n${src}\n}\n`);
  expect(diagLines(r.diagnostics)).toEqual([]);
  const rule = r.ast.decls[1];
  if (rule?.kind !== "rule") throw new Error("no rule");
  return rule;
}

function whenOf(expr: string): Expr {
  const c = ruleOf(`when ${expr}`).clauses[0];
  if (c?.kind !== "when") throw new Error("no when");
  return stripSpans(c.cond);
}

const p = (root: string, ...fields: string[]) => ({ kind: "path", root: { name: root }, segments: fields.map((name) => ({ kind: "field", name })) });

describe("parsePolicy", () => {
  it("accepts the design sketch without diagnostics", () => {
    const r = parsePolicy("example.warden", EXAMPLE);
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.decls.map((d) => d.kind)).toEqual(["policy", "classify", "const", "rule", "rule", "rule", "rule", "test"]);
    const test = r.ast.decls[7]!;
    if (test.kind !== "test") throw new Error();
    expect(test.cases).toHaveLength(2);
    expect(stripSpans(test.cases[0]!.identity)).toEqual({
      kind: "object",
      entries: [{ key: { name: "roles" }, value: { kind: "array", items: [{ kind: "scalar", value: "analyst", quote: '"' }] } }],
    });
    expect(stripSpans(test.cases[1]!.expect)).toEqual({ kind: "allow" });
  });

  it("gives every node the span of its text", () => {
    const r = parsePolicy("example.warden", EXAMPLE);
    const rule = r.ast.decls[3]!;
    expect(rule.span.start).toEqual({ line: 4, column: 1, offset: EXAMPLE.indexOf("rule ban-drop-table") });
    expect(rule.span.end.line).toBe(10);
    expect(rule.span.end.column).toBe(2);
    if (rule.kind !== "rule") throw new Error();
    const msg = rule.clauses[4]!;
    if (msg.kind !== "message") throw new Error();
    const path = msg.message.parts[1];
    if (typeof path !== "object") throw new Error();
    // `{statement.targets[0].name}` inside the string on line 9: the span covers the path, not the braces
    const line9 = EXAMPLE.split("\n")[8]!;
    const col = line9.indexOf("statement.targets") + 1;
    expect(path.span.start).toMatchObject({ line: 9, column: col });
    expect(path.span.end).toMatchObject({ line: 9, column: col + "statement.targets[0].name".length });
    expect(path.segments[1]!.span.start.column).toBe(col + "statement.targets".length);
    expect(path.segments[1]!.span.end.column).toBe(col + "statement.targets[0]".length);
  });

  it("binds or < and < not < comparison", () => {
    expect(whenOf("not a == 1 and b or c")).toEqual({
      kind: "or",
      args: [{ kind: "and", args: [{ kind: "not", arg: { kind: "compare", op: "==", left: p("a"), right: { kind: "literal", value: 1 } } }, p("b")] }, p("c")],
    });
    expect(whenOf("a and (b or c)")).toEqual({ kind: "and", args: [p("a"), { kind: "or", args: [p("b"), p("c")] }] });
    expect(whenOf("(a and b) and c")).toEqual({ kind: "and", args: [{ kind: "and", args: [p("a"), p("b")] }, p("c")] });
  });

  it("parses every comparison operator form", () => {
    expect(whenOf("x contains any [1, y]")).toEqual({ kind: "contains", any: true, collection: p("x"), item: { kind: "list", items: [{ kind: "literal", value: 1 }, p("y")] } });
    expect(whenOf("x matches 'a.*'")).toEqual({ kind: "matches", value: p("x"), pattern: { value: "a.*", quote: "'" } });
    expect(whenOf("x like 'a\\_%'")).toEqual({ kind: "like", value: p("x"), pattern: { value: "a\\_%", quote: "'" } });
    expect(whenOf("c is pii")).toEqual({ kind: "is", value: p("c"), classification: { name: "pii" } });
    expect(whenOf("count(s.reads) >= -2.5")).toEqual({ kind: "compare", op: ">=", left: { kind: "count", arg: p("s", "reads") }, right: { kind: "literal", value: -2.5 } });
    expect(whenOf("any r in s.reads: r.masked and all v in r.via: v != null")).toEqual({
      kind: "quant",
      quant: "any",
      variable: { name: "r" },
      collection: p("s", "reads"),
      body: { kind: "and", args: [p("r", "masked"), { kind: "quant", quant: "all", variable: { name: "v" }, collection: p("r", "via"), body: { kind: "compare", op: "!=", left: p("v"), right: { kind: "literal", value: null } } }] },
    });
  });

  it("takes keywords as field names and keeps info/in/index apart", () => {
    expect(whenOf("session.info.in == index")).toEqual({ kind: "compare", op: "==", left: p("session", "info", "in"), right: p("index") });
    expect(whenOf("s.a[0][12].b")).toEqual({
      kind: "path",
      root: { name: "s" },
      segments: [
        { kind: "field", name: "a" },
        { kind: "index", index: 0 },
        { kind: "index", index: 12 },
        { kind: "field", name: "b" },
      ],
    });
  });

  it("splits messages into text and paths, with escaped braces", () => {
    const c = ruleOf(`deny "a {{b}} {x.y}{z}!"`).clauses[0]!;
    if (c.kind !== "message") throw new Error();
    expect(stripSpans(c.message.parts)).toEqual(["a {b} ", p("x", "y"), p("z"), "!"]);
    const single = ruleOf(`warn 'no {interp}'`).clauses[0]!;
    if (single.kind !== "message") throw new Error();
    expect(single.action).toBe("warn");
    expect(single.message.parts).toEqual(["no {interp}"]);
  });

  it("dedents triple-quoted doc strings", () => {
    const c = ruleOf(`  doc """\n    First line.\n      indented\n\n    last\n    """`).clauses[0]!;
    if (c.kind !== "doc") throw new Error();
    expect(c.text).toMatchObject({ value: "First line.\n  indented\n\nlast", quote: '"""' });
    const inline = ruleOf(`doc """  keep "quotes" """`).clauses[0]!;
    if (inline.kind !== "doc") throw new Error();
    expect(inline.text.value).toBe('  keep "quotes" ');
  });

  it("parses all test expectations and options", () => {
    const r = parsePolicy(
      "t.warden",
      `test r {\n  sql "A" => warn r\n  runtime 'B' as {user: "u", "odd key": [1, true, null]} session {environment: "prod"} intent "etl" => approval r\n  dbt_model "C" => mask customers.email\n  migration "D" => info other-rule\n}\n`,
    );
    expect(r.diagnostics).toEqual([]);
    const t = r.ast.decls[0]!;
    if (t.kind !== "test") throw new Error();
    expect(stripSpans(t.cases.map((c) => c.expect))).toEqual([
      { kind: "warn", rule: { name: "r" } },
      { kind: "approval", rule: { name: "r" } },
      { kind: "mask", column: [{ name: "customers" }, { name: "email" }] },
      { kind: "info", rule: { name: "other-rule" } },
    ]);
    expect(t.cases[1]!.intent?.value).toBe("etl");
    expect(stripSpans(t.cases[1]!.session)).toEqual({ kind: "object", entries: [{ key: { name: "environment" }, value: { kind: "scalar", value: "prod", quote: '"' } }] });
    expect(t.cases[1]!.identity?.kind === "object" && t.cases[1]!.identity.entries[1]!.key.name).toBe("odd key");
  });

  it("parses a test case's `config { ... }`, a keyword only there", () => {
    const r = parsePolicy(
      "t.warden",
      `const config = 1\nrule r {\n  for config in data.config.xs\n  when config == data.config.y\n}\ntest r {\n  sql "A" as {} intent "x" config { retraining: { allowed_schemas: ["features"] } } => deny r\n  sql "B" config [1] => allow\n}\n`,
    );
    expect(r.diagnostics).toEqual([]);
    const [k, rule, t] = r.ast.decls;
    expect(k!.kind === "const" && k.name.name).toBe("config");
    expect(rule!.kind === "rule" && rule.clauses[0]!.kind === "for" && rule.clauses[0].variable.name).toBe("config");
    if (t!.kind !== "test") throw new Error();
    expect(t.cases[0]!.intent?.value).toBe("x");
    expect(stripSpans(t.cases[0]!.config)).toEqual({
      kind: "object",
      entries: [{ key: { name: "retraining" }, value: { kind: "object", entries: [{ key: { name: "allowed_schemas" }, value: { kind: "array", items: [{ kind: "scalar", value: "features", quote: '"' }] } }] } }],
    });
    // The parser takes any value; the checker asks for an object.
    expect(stripSpans(t.cases[1]!.config)).toEqual({ kind: "array", items: [{ kind: "scalar", value: 1 }] });
    expect(t.cases[0]!.config!.span.start).toMatchObject({ line: 7, column: 35 });
  });

  it("wants `config` after the other test-case options, before `=>`", () => {
    const r = parsePolicy("t.warden", 'test r {\n  sql "A" config {} as {} => allow\n}\n');
    // (The second error is recovery's usual follow-on, as for `session {} as {}`.)
    expect(diagLines(r.diagnostics)).toEqual(["W0102 2:21-2:23 unexpected `as` [expected `=>`]", "W0102 2:27-2:29 unexpected `=>` [expected end of file]"]);
  });

  it("parses a test case's `catalog \"SQL\"`, last of the options and a keyword only there", () => {
    const r = parsePolicy(
      "t.warden",
      `const catalog = 1\nrule r {\n  for catalog in statement.targets\n  when catalog.name == "catalog"\n}\ntest r {\n  migration "ALTER TABLE t ALTER COLUMN c TYPE int" as {} config {} catalog "CREATE TABLE t (c smallint)" => deny r\n  sql "B" catalog 'CREATE TABLE catalog (id int)' => allow\n  sql "C" catalog [1] => allow\n}\n`,
    );
    expect(r.diagnostics).toEqual([]);
    const [k, rule, t] = r.ast.decls;
    expect(k!.kind === "const" && k.name.name).toBe("catalog");
    expect(rule!.kind === "rule" && rule.clauses[0]!.kind === "for" && rule.clauses[0].variable.name).toBe("catalog");
    if (t!.kind !== "test") throw new Error();
    expect(stripSpans(t.cases[0]!.catalog)).toEqual({ kind: "scalar", value: "CREATE TABLE t (c smallint)", quote: '"' });
    expect(stripSpans(t.cases[0]!.config)).toEqual({ kind: "object", entries: [] });
    expect(t.cases[0]!.catalog!.span.start).toMatchObject({ line: 7, column: 77 });
    expect(t.cases[0]!.catalog!.span.end).toMatchObject({ line: 7, column: 106 });
    expect(stripSpans(t.cases[1]!.catalog)).toEqual({ kind: "scalar", value: "CREATE TABLE catalog (id int)", quote: "'" });
    // The parser takes any value; the checker asks for a string.
    expect(stripSpans(t.cases[2]!.catalog)).toEqual({ kind: "array", items: [{ kind: "scalar", value: 1 }] });
    expect(t.cases[2]!.config).toBeUndefined();
  });

  it("wants `catalog` after the other test-case options, before `=>`", () => {
    const r = parsePolicy("t.warden", 'test r {\n  sql "A" catalog "" config {} => allow\n}\n');
    expect(diagLines(r.diagnostics)).toEqual([
      "W0102 2:22-2:28 unexpected `config` [expected `=>`]",
      // (Recovery's follow-on errors: it resumes inside the misplaced clause.)
      "W0102 2:29-2:30 unexpected `{` [expected a string]",
      "W0102 2:32-2:34 unexpected `=>` [expected end of file]",
    ]);
  });

  it("reports every syntax error of a file in one run, with positions", () => {
    const src = [
      "policy acme.bad", // 1
      "rule a-b {", // 2
      '  title "x"', // 3
      "  when statement.kind ==", // 4
      '  deny "oops {statement.kind"', // 5
      "}", // 6
      "rule c @ {", // 7
      '  title "unterminated', // 8
      "  on runtime", // 9
      "}", // 10
      "rule d {", // 11
      "  when a &&& b", // 12
      "  deny 'x'", // 13
      "}", // 14
      "",
    ].join("\n");
    const r = parsePolicy("bad.warden", src);
    expect(diagLines(r.diagnostics)).toEqual([
      "W0102 5:3-5:7 unexpected `deny` [expected one of a string, a number, `true`, `false`, `null`, `[`, `count`, `(` or a name]",
      "W0310 5:14-5:15 unclosed `{` in message [close it with `}`, or write `{{` for a literal brace]",
      "W0101 7:8-7:9 unexpected character `@`",
      'W0103 8:9-8:22 unterminated string [close it with `"` on the same line]',
      "W0101 12:10-12:13 unexpected character `&&&` [write `and` / `or`]",
      "W0102 12:14-12:15 unexpected `b` [expected `}`]",
    ]);
  });

  it("reports a missing closing brace at the end of the file", () => {
    const r = parsePolicy("e.warden", "rule r {\n  title \"t\"\n");
    expect(diagLines(r.diagnostics)).toEqual(["W0102 3:1-3:1 unexpected end of file [expected `}`]"]);
  });
});
