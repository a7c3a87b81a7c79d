import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSources } from "../../../src/compiler/pipeline.js";
import type { RuleIR } from "../../../src/compiler/ir/ir.js";
import { stripSpans } from "./helpers.js";

const EXAMPLE = readFileSync(new URL("../../../fixtures/policies/good/example.warden", import.meta.url), "utf8");

function compileRule(lines: string[], extra = ""): RuleIR {
  const text = `policy t\n${extra}\nrule r {\n  title "T"\n${lines.map((l) => `  ${l}`).join("\n")}\n}\n`;
  const r = compileSources([{ path: "t.warden", text }]);
  expect(r.diagnostics).toEqual([]);
  return stripSpans(r.ir!.rules[0]!);
}

const stmt = (...path: (string | number)[]) => ({ op: "ref", root: "local", name: "statement", path });
const STMT_LOC = stmt("location");

describe("lowering", () => {
  it("lowers for/where to scan + filter, when to filter, unless to filter(not)", () => {
    const r = compileRule(["on runtime", "for c in statement.reads where c.masked", "when c.column == \"a\"", "unless c.star", 'warn "w"'], "");
    expect(r.body).toEqual([
      { kind: "scan", local: "c", source: stmt("reads") },
      { kind: "filter", cond: { op: "ref", root: "local", name: "c", path: ["masked"] } },
      { kind: "filter", cond: { op: "==", left: { op: "ref", root: "local", name: "c", path: ["column"] }, right: { op: "const", value: "a" } } },
      { kind: "filter", cond: { op: "not", arg: { op: "ref", root: "local", name: "c", path: ["star"] } } },
    ]);
    expect(r.severity).toBe("warning");
    expect(r.action).toBe("warn");
  });

  it("orders locations innermost for-variable first, statement.location last", () => {
    const r = compileRule(["on all", "for t in statement.targets", "for c in statement.reads", 'deny "{t.name}.{c.column}"']);
    expect(r.outcome).toEqual({
      kind: "message",
      message: [{ op: "ref", root: "local", name: "t", path: ["name"] }, ".", { op: "ref", root: "local", name: "c", path: ["column"] }],
      location: [{ op: "ref", root: "local", name: "c", path: ["location"] }, { op: "ref", root: "local", name: "t", path: ["location"] }, STMT_LOC],
    });
    expect(r.on).toEqual(["migration", "dbt_model", "retraining", "sql", "runtime"]);
  });

  it("maps roots: input fields, data (under warden), constants, quantifier locals", () => {
    const r = compileRule(
      ["on sql, migration, sql", "when data.config.strict and file.path matches \"**\" and identity.roles contains any admins", "when any a in statement.actions: a.kind == \"add_column\" and count(a) > 0", 'info "x"'],
      'const admins = ["root"]',
    );
    expect(r.on).toEqual(["sql", "migration"]);
    expect(r.body[0]).toEqual({
      kind: "filter",
      cond: {
        op: "and",
        args: [
          { op: "ref", root: "data", path: ["warden", "config", "strict"] },
          { op: "matches", value: { op: "ref", root: "input", path: ["file", "path"] }, pattern: "**" },
          { op: "contains_any", collection: { op: "ref", root: "input", path: ["identity", "roles"] }, items: { op: "ref", root: "data", path: ["warden", "constants", "admins"] } },
        ],
      },
    });
    expect(r.body[1]).toEqual({
      kind: "filter",
      cond: {
        op: "any",
        local: "a",
        collection: stmt("actions"),
        body: {
          op: "and",
          args: [
            { op: "==", left: { op: "ref", root: "local", name: "a", path: ["kind"] }, right: { op: "const", value: "add_column" } },
            { op: ">", left: { op: "count", value: { op: "ref", root: "local", name: "a", path: [] } }, right: { op: "const", value: 0 } },
          ],
        },
      },
    });
    expect(r.severity).toBe("info");
  });

  it("keeps a list with paths as a list expression and folds constant lists", () => {
    const r = compileRule(["on all", 'when statement.kind in ["select", statement.text]', 'when statement.kind in ["insert"]', 'require approval "ok?"']);
    expect(r.body.map((s) => (s.kind === "filter" ? s.cond : null))).toEqual([
      { op: "in", item: stmt("kind"), collection: { op: "list", items: [{ op: "const", value: "select" }, stmt("text")] } },
      { op: "in", item: stmt("kind"), collection: { op: "const", value: ["insert"] } },
    ]);
    expect([r.action, r.severity]).toEqual(["require_approval", "warning"]);
  });

  it("lowers the design sketch: data, mask outcome, severity override, tests", () => {
    const r = compileSources([{ path: "example.warden", text: EXAMPLE }]);
    expect(r.diagnostics).toEqual([]);
    const ir = r.ir!;
    expect(ir.policies).toEqual(["acme.data_platform"]);
    expect(ir.data).toEqual({ classifications: { pii: ["*.email", "*.ssn", "public.customers.phone"] }, constants: { migrators: ["dba", "migrator"] }, config: {} });
    expect(ir.rules.map((x) => [x.id, x.severity, x.action])).toEqual([
      ["ban-drop-table", "error", "deny"],
      ["ddl-requires-migrator", "error", "deny"],
      ["pii-unmasked-read", "error", "deny"],
      ["mask-pii", "info", "mask"],
    ]);
    const mask = stripSpans(ir.rules[3]!.outcome);
    expect(mask).toEqual({ kind: "mask", column: { op: "ref", root: "local", name: "col", path: [] }, method: "hash", location: [{ op: "ref", root: "local", name: "col", path: ["location"] }, STMT_LOC] });
    expect(ir.rules[0]!.span.start.line).toBe(4);
    expect(stripSpans(r.tests)).toEqual([
      {
        rule: "ddl-requires-migrator",
        cases: [
          { scope: "runtime", sql: "CREATE INDEX CONCURRENTLY i ON t (a)", identity: { roles: ["analyst"] }, expect: { kind: "deny", rule: "ddl-requires-migrator" } },
          { scope: "runtime", sql: "CREATE INDEX CONCURRENTLY i ON t (a)", identity: { roles: ["dba"] }, expect: { kind: "allow" } },
        ],
      },
    ]);
  });

  it("merges a classification declared in two files", () => {
    const a = 'policy a\nclassify pii: "*.email", "*.ssn"\n';
    const b = 'policy b\nclassify pii: "*.ssn", "*.phone"\nrule r {\n  title "t"\n  on all\n  for c in statement.reads\n  when c is pii\n  deny "x"\n}\n';
    const r = compileSources([
      { path: "a.warden", text: a },
      { path: "b.warden", text: b },
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.ir!.data.classifications).toEqual({ pii: ["*.email", "*.ssn", "*.phone"] });
    expect(r.ir!.policies).toEqual(["a", "b"]);
  });

  it("emits no IR and no tests when any error exists", () => {
    const r = compileSources([{ path: "x.warden", text: 'policy x\nrule r {\n  title "t"\n  on all\n  when statement.kind == 1\n  deny "x"\n}\n' }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["W0304"]);
    expect(r.ir).toBeUndefined();
    expect(r.tests).toBeUndefined();
  });
});

describe("enum values through constants", () => {
  it("checks a list constant compared with an enum where it is used", () => {
    const text = 'policy t\nconst ddl = ["create_table", "alter_tabel"]\nrule r {\n  title "t"\n  on all\n  when statement.kind in ddl\n  deny "x"\n}\n';
    const r = compileSources([{ path: "t.warden", text }]);
    expect(r.diagnostics.map((d) => [d.code, d.message, d.help, d.span?.start.line, d.span?.start.column])).toEqual([
      ["W0303", "`statement.kind` is never `alter_tabel` (from constant `ddl`)", "did you mean `alter_table`?", 6, 26],
    ]);
  });
});
