import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPolicy } from "../../../src/compiler/fmt/format.js";
import { parsePolicy } from "../../../src/compiler/syntax/parse.js";
import { REPO_ROOT } from "../../helpers/run.js";
import { stripSpans } from "./helpers.js";

function fmt(text: string): string {
  const r = formatPolicy("t.warden", text);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.output!;
}

function wardenFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const full = path.join(dir, e);
    if (statSync(full).isDirectory()) out.push(...wardenFiles(full));
    else if (e.endsWith(".warden")) out.push(full);
  }
  return out;
}

describe("fmt", () => {
  it("prints the canonical layout and keeps every comment", () => {
    const src = [
      "# Header comment",
      "policy   acme.x   # trailing on policy",
      "const a = 1",
      'classify pii: "*.email",',
      '   "*.ssn"',
      "rule r-1 {   # after brace",
      "  title 'single \"quoted\"'",
      '  doc """',
      "      Line one.",
      "        indented",
      '      """',
      "  on migration,runtime",
      "      # before when",
      '  when (statement.kind == "select" and (not statement.has_where or statement.limit > 10))',
      "    and any t in statement.targets: t.name like 'tmp\\_%'",
      "  when (all r in statement.reads: r.masked) and ((statement.kind != null))",
      '  deny "x {statement.kind} {{literal}}"',
      "# before closing",
      "}",
      "test r-1 {",
      '  sql "select 1" as {roles:["a"], "odd key": {n: -1.50}} session {} => deny r-1 # trailing case',
      "  sql 'x' intent 'etl' config {retraining:{allowed_schemas:[ 'features' ]}} => allow",
      "  migration   'ALTER TABLE t ALTER COLUMN c TYPE int'  config {}   catalog   \"CREATE TABLE t (c smallint)\"   =>  allow",
      "}",
      "# final comment",
      "",
    ].join("\n");
    expect(fmt(src)).toBe(
      [
        "# Header comment",
        "policy acme.x  # trailing on policy",
        "",
        "const a = 1",
        'classify pii: "*.email", "*.ssn"',
        "",
        "rule r-1 {  # after brace",
        "  title 'single \"quoted\"'",
        '  doc """',
        "    Line one.",
        "      indented",
        '    """',
        "  on migration, runtime",
        "  # before when",
        "  when (statement.kind == \"select\" and (not statement.has_where or statement.limit > 10)) and any t in statement.targets: t.name like 'tmp\\_%'",
        "  when (all r in statement.reads: r.masked) and (statement.kind != null)",
        '  deny "x {statement.kind} {{literal}}"',
        "  # before closing",
        "}",
        "",
        "test r-1 {",
        '  sql "select 1" as { roles: ["a"], "odd key": { n: -1.5 } } session {} => deny r-1  # trailing case',
        "  sql 'x' intent 'etl' config { retraining: { allowed_schemas: ['features'] } } => allow",
        "  migration 'ALTER TABLE t ALTER COLUMN c TYPE int' config {} catalog \"CREATE TABLE t (c smallint)\" => allow",
        "}",
        "",
        "# final comment",
        "",
      ].join("\n"),
    );
  });

  it("keeps the author's parentheses around compound expressions and adds those the tree needs", () => {
    const rule = (w: string) => fmt(`policy p\nrule r {\n  when ${w}\n}\n`).split("\n")[3];
    expect(rule("(a and b) and c")).toBe("  when (a and b) and c");
    expect(rule("a or (b and c)")).toBe("  when a or (b and c)");
    expect(rule("a or b and c")).toBe("  when a or (b and c)");
    expect(rule("not (any x in p: x) and y")).toBe("  when not (any x in p: x) and y");
    expect(rule("not any x in p: x")).toBe("  when not (any x in p: x)");
    expect(rule("not (a == 1)")).toBe("  when not (a == 1)");
    expect(rule("not a == 1")).toBe("  when not a == 1");
    expect(rule('not ("public" in xs)')).toBe('  when not ("public" in xs)');
    expect(rule("(not a) == b")).toBe("  when (not a) == b");
    expect(rule("(any x in p: x) or y")).toBe("  when (any x in p: x) or y");
    expect(rule("y or (any x in p: x or z)")).toBe("  when y or (any x in p: x or z)");
    expect(rule("y or any x in p: x or z")).toBe("  when y or any x in p: x or z");
    expect(rule("(any t in ts: t.c) or (any r in rs: r.c)")).toBe("  when (any t in ts: t.c) or (any r in rs: r.c)");
    expect(rule("((a == 1)) and (((b)))")).toBe("  when (a == 1) and b");
    expect(rule("(a or b)")).toBe("  when (a or b)");
    expect(rule("any x in p: (x.a or x.b)")).toBe("  when any x in p: (x.a or x.b)");
    // Around a single operand, and directly inside count(...), parentheses are dropped.
    expect(rule("count((a)) in [(1), (b == c)]")).toBe("  when count(a) in [1, (b == c)]");
    expect(rule("count((a or b)) > (0)")).toBe("  when count(a or b) > 0");
  });

  it("keeps blank lines between declarations and between clauses, one for a run", () => {
    const src = [
      "# header",
      "",
      "",
      "policy p",
      "# roles",
      "const a = 1",
      "const b = 2",
      "",
      "",
      "",
      "# kinds",
      "const c = 3",
      "",
      "classify pii: \"*.email\"",
      "rule r {",
      "",
      "  title \"T\"",
      "  on all",
      "",
      "",
      "  # the filter",
      "  when a",
      "  # the outcome",
      "",
      "  deny \"x\"",
      "",
      "  # closing note",
      "",
      "}",
      "test r {",
      "  sql \"a\" => allow",
      "",
      "  sql \"b\" => deny r  # second",
      "  sql \"c\" => allow",
      "}",
      "",
      "",
      "# end",
      "",
      "# really",
      "",
    ].join("\n");
    const want = [
      "# header",
      "",
      "policy p",
      "",
      "# roles",
      "const a = 1",
      "const b = 2",
      "",
      "# kinds",
      "const c = 3",
      "",
      "classify pii: \"*.email\"",
      "",
      "rule r {",
      "  title \"T\"",
      "  on all",
      "",
      "  # the filter",
      "  when a",
      "  # the outcome",
      "",
      "  deny \"x\"",
      "",
      "  # closing note",
      "}",
      "",
      "test r {",
      "  sql \"a\" => allow",
      "",
      "  sql \"b\" => deny r  # second",
      "  sql \"c\" => allow",
      "}",
      "",
      "# end",
      "",
      "# really",
      "",
    ].join("\n");
    expect(fmt(src)).toBe(want);
    expect(fmt(want)).toBe(want);
  });

  it("adds no blank line for elements that shared a line in the source", () => {
    expect(fmt('policy p\n\nrule r { title "T"\n\n  on all  when a deny "x" }\n')).toBe('policy p\n\nrule r {\n  title "T"\n\n  on all\n  when a\n  deny "x"\n}\n');
  });

  it("wraps a long classification list", () => {
    const pats = Array.from({ length: 12 }, (_, i) => `"*.column_number_${i}"`);
    expect(fmt(`policy p\nclassify pii: ${pats.join(", ")}\n`)).toBe(
      [
        "policy p",
        "",
        "classify pii:",
        `  ${pats.slice(0, 4).join(", ")},`,
        `  ${pats.slice(4, 8).join(", ")},`,
        `  ${pats.slice(8).join(", ")}`,
        "",
      ].join("\n"),
    );
  });

  it("keeps the author's line breaks in a wrapped classification list", () => {
    const grouped = ["classify pii:", '  "*.email", "*.email_address",', '  "*.phone",', `  ${Array.from({ length: 9 }, (_, i) => `"*.id_column_${i}"`).join(", ")}`];
    expect(fmt(`policy p\n\n${grouped.join("\n")}\n`)).toBe(
      ["policy p", "", "classify pii:", '  "*.email", "*.email_address",', '  "*.phone",', `  ${Array.from({ length: 5 }, (_, i) => `"*.id_column_${i}"`).join(", ")},`, `  ${Array.from({ length: 4 }, (_, i) => `"*.id_column_${i + 5}"`).join(", ")}`, ""].join("\n"),
    );
    // A list that fits on one line is printed on one line.
    expect(fmt('policy p\nclassify pii:\n  "*.a",\n  "*.b"\n')).toBe('policy p\n\nclassify pii: "*.a", "*.b"\n');
  });

  it("refuses a file with syntax errors", () => {
    const r = formatPolicy("bad.warden", "rule r {");
    expect(r.output).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["W0102"]);
  });

  it("is idempotent and meaning-preserving on the fixtures and the rule library", () => {
    const files = [...wardenFiles(path.join(REPO_ROOT, "fixtures/policies/good")), ...wardenFiles(path.join(REPO_ROOT, "rules"))];
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const once = fmt(text);
      expect(fmt(once), f).toBe(once);
      expect(stripSpans(parsePolicy(f, once).ast.decls), f).toEqual(stripSpans(parsePolicy(f, text).ast.decls));
    }
  });

  // Generated policies in varied layouts: random spacing, line breaks, comments,
  // redundant parentheses, both quote styles.
  const ws = fc.constantFrom(" ", "  ", "\n    ", " # note\n  ", "\t", "\n\n  ");
  const word = fc.constantFrom("a", "col", "x_1", "statement", "identity", "session", "migrators");
  const field = fc.constantFrom("kind", "in", "info", "table", "not_null", "all", "x-y");
  const pathArb = fc.tuple(word, fc.array(fc.oneof(field.map((f) => `.${f}`), fc.nat(20).map((n) => `[${n}]`)), { maxLength: 3 })).map(([r, s]) => r + s.join(""));
  const strBody = fc.string({ unit: fc.constantFrom("a", "Z", " ", "{", "}", "%", "_", "\\", "é", "'", '"', "\n", "\t", "\\n"), maxLength: 8 });
  const dq = strBody.map((s) => JSON.stringify(s));
  const sq = fc.string({ unit: fc.constantFrom("a", "b", " ", "%", "_", "\\_", '"', "\\'"), maxLength: 6 }).map((s) => `'${s}'`);
  const msg = fc.array(fc.oneof(fc.constantFrom("text ", "{{", "}}", "; "), pathArb.map((p) => `{${p}}`)), { maxLength: 4 }).map((parts) => `"${parts.join("")}"`);
  const num = fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)));
  const { expr } = fc.letrec<{ expr: string; operand: string }>((tie) => ({
    operand: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      pathArb,
      dq,
      sq,
      num,
      fc.constantFrom("true", "false", "null"),
      fc.array(tie("operand"), { maxLength: 3 }).map((xs) => `[${xs.join(", ")}]`),
      tie("expr").map((e) => `count(${e})`),
      tie("expr").map((e) => `(${e})`),
    ),
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      tie("operand"),
      fc.tuple(tie("operand"), fc.constantFrom("==", "!=", "<", "<=", ">", ">=", "in", "contains", "contains any"), ws, tie("operand")).map(([a, op, w, b]) => `${a} ${op}${w}${b}`),
      fc.tuple(tie("operand"), fc.constantFrom("matches", "like"), fc.oneof(dq, sq)).map(([a, op, p]) => `${a} ${op} ${p}`),
      fc.tuple(tie("operand"), word).map(([a, c]) => `${a} is ${c}`),
      tie("expr").map((e) => `not ${e}`),
      fc.tuple(fc.constantFrom("any", "all"), pathArb, tie("expr")).map(([q, p, e]) => `${q} v in ${p}: ${e}`),
      fc.tuple(tie("expr"), fc.constantFrom("and", "or"), ws, tie("expr")).map(([a, op, w, b]) => `${a} ${op}${w}${b}`),
    ),
  }));
  const clause = fc.oneof(
    dq.map((s) => `title ${s}`),
    fc.constantFrom('doc """\n    Para one.\n\n      indented\n    """', "doc 'short'", 'doc """inline"""'),
    fc.constantFrom("severity error", "severity info"),
    fc.constantFrom("on all", "on migration, runtime", "on sql,dbt_model"),
    fc.tuple(pathArb, fc.option(expr)).map(([p, w]) => `for c in ${p}${w ? ` where ${w}` : ""}`),
    expr.map((e) => `when ${e}`),
    expr.map((e) => `unless ${e}`),
    fc.tuple(fc.constantFrom("deny", "warn", "info", "require approval"), fc.oneof(msg, sq)).map(([a, m]) => `${a} ${m}`),
    fc.tuple(pathArb, fc.constantFrom("hash", "null", "redact")).map(([p, m]) => `mask ${p} with ${m}`),
  );
  const json = fc.letrec<{ v: string }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      dq,
      num,
      fc.constantFrom("true", "null"),
      fc.array(tie("v"), { maxLength: 3 }).map((xs) => `[${xs.join(",")}]`),
      fc.array(fc.tuple(fc.oneof(word, dq), tie("v")), { maxLength: 3 }).map((es) => `{${es.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
    ),
  })).v;
  // What ends a clause or test case: a line break, blank lines, or a comment between.
  const lineBreak = fc.constantFrom("\n", "\n\n", "\n\n\n", "\n  # c\n\n", "\n\n  # c\n");
  const testCase = fc
    .tuple(fc.constantFrom("runtime", "sql", "migration"), dq, fc.option(json), fc.option(json), fc.option(dq), fc.option(json), fc.option(fc.oneof(dq, sq)), fc.constantFrom("=> allow", "=> deny r-1", "=> mask customers.email", "=> approval r", "=> mask email"))
    .map(([s, q, id, se, it, cf, ca, ex]) =>
      [s, q, id && id.startsWith("{") ? `as ${id}` : "", se && se.startsWith("{") ? `session ${se}` : "", it ? `intent ${it}` : "", cf ? `config ${cf}` : "", ca ? `catalog ${ca}` : "", ex].filter(Boolean).join(" "),
    );
  const decl = fc.oneof(
    fc.array(fc.oneof(dq, sq), { minLength: 1, maxLength: 3 }).map((ps) => `classify pii: ${ps.join(", ")}`),
    json.map((v) => `const k = ${v}`),
    fc.tuple(fc.array(fc.tuple(clause, lineBreak), { maxLength: 6 }), ws).map(([cs, w]) => `rule r-1 {${w}${cs.map(([c, b]) => `${c}${b}`).join("  ")}}`),
    fc.array(fc.tuple(testCase, lineBreak), { maxLength: 3 }).map((cs) => `test r-1 {\n${cs.map(([c, b]) => `  ${c}${b}`).join("")}}`),
  );
  const policy = fc
    .tuple(fc.array(fc.tuple(decl, fc.constantFrom("\n# between\n", "\n", "\n\n", "\n\n\n# between\n\n")), { maxLength: 5 }), fc.boolean())
    .map(([ds, comment]) => `${comment ? "# top\n\n" : ""}policy p.q\n${ds.map(([d, sep]) => `${d}${sep}`).join("")}`);

  it("property: parse(fmt(p)) equals parse(p) modulo spans, and fmt(fmt(p)) == fmt(p)", () => {
    fc.assert(
      fc.property(policy, (p) => {
        const parsed = parsePolicy("p.warden", p);
        if (parsed.diagnostics.some((d) => d.severity === "error")) return; // only well-formed text has a format
        const once = fmt(p);
        expect(stripSpans(parsePolicy("p.warden", once).ast)).toEqual(stripSpans(parsed.ast));
        expect(fmt(once)).toBe(once);
      }),
      { numRuns: 400 },
    );
  });

  it("the generator produces mostly well-formed policies (the property is not vacuous)", () => {
    const samples = fc.sample(policy, { numRuns: 200, seed: 7 });
    const ok = samples.filter((p) => !parsePolicy("p.warden", p).diagnostics.some((d) => d.severity === "error"));
    expect(ok.length).toBeGreaterThan(150);
  });
});
