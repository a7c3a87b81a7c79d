// Hand-written rules over every IR operator, gate, outcome and configuration override,
// with literal expectations, each also checked against the reference interpreter.
import { describe, expect, it } from "vitest";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import type { Expr, JsonValue } from "../../../src/compiler/ir/ir.js";
import { agree, compile } from "./diff.js";
import { c, filter, local, policy, rule, scan, stmt } from "./helpers.js";

/** One rule per condition; the findings' rule ids say which conditions held for the one statement. */
async function holds(conds: Record<string, Expr>, statement: JsonValue, extra: Partial<ReturnType<typeof policy>["data"]> = {}): Promise<string[]> {
  const ir = policy(Object.entries(conds).map(([id, cond]) => rule(id, [filter(cond)], ["m"])), extra);
  const comp = await compile(ir);
  const input = { context: "ci", file: { type: "migration" }, statements: [statement] };
  const out = JSON.parse(agree(comp, ir, input)) as { rule: string }[];
  return out.map((f) => f.rule).sort();
}

const s = {
  kind: "drop_table",
  n: 3,
  f: 2.5,
  name: "Users",
  tags: ["a", "b", { k: [1, 2] }],
  text: "naïve 😀 text",
  col: { schema: null, table: "users", column: "email" },
  obj: { b: 1, a: 2 },
};

describe("operators", () => {
  it("compare: deep equality, numbers by value, ordering of numbers and strings only", async () => {
    expect(
      await holds(
        {
          "eq-str": { op: "==", left: stmt("kind"), right: c("drop_table") },
          "eq-num": { op: "==", left: stmt("n"), right: c(3.0) },
          "eq-deep": { op: "==", left: stmt("tags"), right: c(["a", "b", { k: [1, 2] }]) },
          "eq-obj-order": { op: "==", left: stmt("obj"), right: c({ a: 2, b: 1 }) },
          "eq-null-missing": { op: "==", left: stmt("missing"), right: c(null) },
          "ne": { op: "!=", left: stmt("n"), right: c("3") },
          "lt-num": { op: "<", left: stmt("f"), right: stmt("n") },
          "le-eq": { op: "<=", left: stmt("n"), right: c(3) },
          "gt-str": { op: ">", left: c("b"), right: c("a") },
          "ge-codepoint": { op: ">=", left: c("😀"), right: c("\uffff") },
          "lt-mixed": { op: "<", left: c(1), right: c("2") },
          "lt-null": { op: "<", left: stmt("missing"), right: c(1) },
        },
        s,
      ),
    ).toEqual(["eq-deep", "eq-null-missing", "eq-num", "eq-obj-order", "eq-str", "ge-codepoint", "gt-str", "le-eq", "lt-num", "ne"]);
  });

  it("in, contains, contains_any over arrays and strings", async () => {
    expect(
      await holds(
        {
          "in-arr": { op: "in", item: c({ k: [1, 2] }), collection: stmt("tags") },
          "in-str": { op: "in", item: c("a"), collection: c("abc") },
          "contains-arr": { op: "contains", collection: stmt("tags"), item: c("b") },
          "contains-sub": { op: "contains", collection: stmt("text"), item: c("😀 t") },
          "contains-num": { op: "contains", collection: stmt("text"), item: c(1) },
          "any-arr": { op: "contains_any", collection: stmt("tags"), items: c(["z", "a"]) },
          "any-str": { op: "contains_any", collection: stmt("text"), items: c([1, "ïve"]) },
          "any-none": { op: "contains_any", collection: stmt("tags"), items: c(["z"]) },
          "any-notarr": { op: "contains_any", collection: stmt("tags"), items: c("a") },
        },
        s,
      ),
    ).toEqual(["any-arr", "any-str", "contains-arr", "contains-sub", "in-arr"]);
  });

  it("matches, like, count, list, not/and/or, any/all", async () => {
    expect(
      await holds(
        {
          "glob-star": { op: "matches", value: c("public.users.email"), pattern: "public.*.email" },
          "glob-star-nodot": { op: "matches", value: c("a.b.c"), pattern: "a.*" },
          "glob-dstar": { op: "matches", value: c("a.b.c"), pattern: "a.**" },
          "glob-quest": { op: "matches", value: stmt("name"), pattern: "?sers" },
          "like-pct": { op: "like", value: stmt("text"), pattern: "na_ve%" },
          "like-esc": { op: "like", value: c("100%"), pattern: "100\\%" },
          "like-case": { op: "like", value: stmt("name"), pattern: "users" },
          "like-num": { op: "like", value: stmt("n"), pattern: "%" },
          "count-str": { op: "==", left: { op: "count", value: stmt("text") }, right: c(12) },
          "count-obj": { op: "==", left: { op: "count", value: stmt("obj") }, right: c(2) },
          "count-null": { op: "==", left: { op: "count", value: stmt("nothing") }, right: c(0) },
          "list": { op: "==", left: { op: "list", items: [stmt("n"), stmt("kind")] }, right: c([3, "drop_table"]) },
          "not-null": { op: "not", arg: stmt("missing") },
          "and": { op: "and", args: [c(true), { op: "==", left: stmt("n"), right: c(3) }] },
          "or-empty": { op: "or", args: [] },
          "and-empty": { op: "and", args: [] },
          "any-q": { op: "any", local: "x", collection: stmt("tags"), body: { op: "==", left: local("x"), right: c("b") } },
          "all-q": { op: "all", local: "x", collection: stmt("tags"), body: { op: "!=", left: local("x"), right: c("z") } },
          "all-null": { op: "all", local: "x", collection: stmt("missing"), body: c(false) },
          "any-null": { op: "any", local: "x", collection: stmt("missing"), body: c(true) },
        },
        s,
      ),
    ).toEqual(["all-null", "all-q", "and", "and-empty", "any-q", "count-null", "count-obj", "count-str", "glob-dstar", "glob-quest", "glob-star", "like-esc", "like-pct", "list", "not-null"]);
  });

  it("is: column tags, padded patterns, schema defaulting to public", async () => {
    const data = { classifications: { pii: ["email", "crm.users.phone"], secret: ["users.*"] } };
    expect(
      await holds(
        {
          "pii-email": { op: "is", column: stmt("col"), classification: "pii" },
          "secret": { op: "is", column: stmt("col"), classification: "secret" },
          "tagged": { op: "is", column: c({ table: 1, column: 2, classifications: ["pci"] }), classification: "pci" },
          "phone-public": { op: "is", column: c({ table: "users", column: "phone" }), classification: "pii" },
          "phone-crm": { op: "is", column: c({ schema: "crm", table: "users", column: "phone" }), classification: "pii" },
          "bad-schema": { op: "is", column: c({ schema: 1, table: "users", column: "email" }), classification: "pii" },
          "unknown-class": { op: "is", column: stmt("col"), classification: "nope" },
        },
        s,
        data,
      ),
    ).toEqual(["phone-crm", "pii-email", "secret", "tagged"]);
  });

  it("is: answers are not carried from one evaluation to the next", async () => {
    // Same-length texts put the column object at the same address in every evaluation, and
    // two rules ask the same question, so a kept answer would show.
    const ir = policy(
      ["a", "b"].map((id) => rule(id, [filter({ op: "is", column: stmt("col"), classification: "pii" })], ["m"])),
      { classifications: { pii: ["*.email"] } },
    );
    const comp = await compile(ir);
    const doc = (column: string) => ({ context: "ci", file: { type: "migration" }, statements: [{ col: { table: "users", column } }] });
    const ids = (input: unknown) => (JSON.parse(comp.evaluate(input, "warden/findings")) as { rule: string }[]).map((f) => f.rule);
    expect(ids(doc("email"))).toEqual(["a", "b"]);
    expect(ids(doc("emaix"))).toEqual([]);
    expect(ids(doc("email"))).toEqual(["a", "b"]);
    comp.setData({ warden: { ...(defaultData(ir) as { warden: object }).warden, classifications: { pii: ["*.emaix"] } } });
    expect(ids(doc("email"))).toEqual([]);
    expect(ids(doc("emaix"))).toEqual(["a", "b"]);
  });
});

describe("rules", () => {
  const reads = [
    { schema: null, table: "users", column: "email" },
    { schema: "public", table: "users", column: "email" },
    { schema: "crm", table: "t", column: "ssn" },
  ];
  const ir = policy(
    [
      rule("pii-read", [scan("col", stmt("reads")), filter({ op: "is", column: local("col"), classification: "pii" })], [
        local("col", "table"), ".", local("col", "column"), " #", local("statement_index"), " ", stmt("meta"),
      ], { severity: "warning", action: "warn", on: ["retraining", "runtime"] }),
      rule("mask-pii", [scan("col", stmt("reads")), filter({ op: "is", column: local("col"), classification: "pii" })], [], {
        action: "mask",
        on: ["runtime"],
        outcome: { kind: "mask", column: local("col"), method: "hash", location: [local("col", "loc"), stmt("location")] },
      }),
      rule("needs-approval", [filter({ op: "==", left: stmt("kind"), right: c("delete") })], ["delete by ", { op: "ref", root: "input", path: ["identity", "user"] }], {
        action: "require_approval",
        on: ["runtime"],
      }),
      rule("ban-delete", [filter({ op: "==", left: stmt("kind"), right: c("delete") })], ["no"], { on: ["migration"] }),
    ],
    { classifications: { pii: ["email", "ssn"] } },
  );
  const runtime = {
    context: "runtime",
    identity: { user: "ann" },
    statements: [
      { kind: "select", reads, meta: { z: [1.5, null, true], a: "é\n" }, location: { line: 1, column: 1, end_line: 1, end_column: 9, extra: 1 } },
      { kind: "delete", reads: [reads[0]], location: { line: 2, column: 1 } },
    ],
  };

  it("scans, dedup, masks, approvals, message rendering, locations", async () => {
    const comp = await compile(ir);
    const got = JSON.parse(agree(comp, ir, runtime));
    expect(got).toEqual([
      { rule: "mask-pii", severity: "error", action: "mask", message: "mask crm.t.ssn with hash", statement: 0, location: { line: 1, column: 1, end_line: 1, end_column: 9 }, mask: { schema: "crm", table: "t", column: "ssn", method: "hash" } },
      { rule: "mask-pii", severity: "error", action: "mask", message: "mask public.users.email with hash", statement: 0, location: { line: 1, column: 1, end_line: 1, end_column: 9 }, mask: { schema: null, table: "users", column: "email", method: "hash" } },
      { rule: "pii-read", severity: "warning", action: "warn", message: "t.ssn #0 {\"a\":\"é\\n\",\"z\":[1.5,null,true]}", statement: 0, location: { line: 1, column: 1, end_line: 1, end_column: 9 } },
      { rule: "pii-read", severity: "warning", action: "warn", message: "users.email #0 {\"a\":\"é\\n\",\"z\":[1.5,null,true]}", statement: 0, location: { line: 1, column: 1, end_line: 1, end_column: 9 } },
      { rule: "mask-pii", severity: "error", action: "mask", message: "mask public.users.email with hash", statement: 1, location: { line: 2, column: 1 }, mask: { schema: null, table: "users", column: "email", method: "hash" } },
      { rule: "needs-approval", severity: "error", action: "require_approval", message: "delete by ann", statement: 1, location: { line: 2, column: 1 } },
      { rule: "pii-read", severity: "warning", action: "warn", message: "users.email #1 ", statement: 1, location: { line: 2, column: 1 } },
    ]);
    const decision = JSON.parse(comp.evaluate(runtime, "warden/decision"));
    expect(decision.allow).toBe(true);
    expect(decision.masks).toEqual([
      { schema: "crm", table: "t", column: "ssn", method: "hash" },
      { schema: null, table: "users", column: "email", method: "hash" },
    ]);
    expect(decision.approvals).toEqual([{ rule: "needs-approval", message: "delete by ann", statement: 1 }]);
  });

  it("gates on context and file type", async () => {
    const comp = await compile(ir);
    const ci = { ...runtime, context: "ci", file: { type: "migration" } };
    expect(JSON.parse(agree(comp, ir, ci)).map((f: { rule: string }) => f.rule)).toEqual(["ban-delete"]);
    expect(agree(comp, ir, { ...ci, context: null, file: { type: "retraining" } })).toContain("pii-read");
    expect(agree(comp, ir, { ...ci, context: "nightly" })).toBe("[]");
    expect(JSON.parse(comp.evaluate(ci, "warden/decision")).allow).toBe(false);
  });

  it("applies configuration overrides and classifications from data without recompiling", async () => {
    const comp = await compile(ir);
    const base = defaultData(ir) as { warden: Record<string, unknown> };
    const ci = { ...runtime, context: "ci", file: { type: "migration" } };
    const demoted = { warden: { ...base.warden, config: { rules: { "ban-delete": "info" } } } };
    comp.setData(demoted);
    const f = JSON.parse(agree(comp, ir, ci, demoted));
    expect(f.map((x: { severity: string; action: string }) => [x.severity, x.action])).toEqual([["info", "info"]]);
    expect(JSON.parse(comp.evaluate(ci, "warden/decision")).allow).toBe(true);

    const off = { warden: { ...base.warden, config: { rules: { "ban-delete": "off", "pii-read": "error" } } } };
    comp.setData(off);
    expect(agree(comp, ir, ci, off)).toBe("[]");
    expect(JSON.parse(agree(comp, ir, runtime, off)).filter((x: { rule: string }) => x.rule === "pii-read")[0].action).toBe("deny");

    // Reclassify: only `ssn` is PII now, so the email reads stop matching.
    const reclassified = { warden: { ...base.warden, classifications: { pii: ["ssn"] } } };
    comp.setData(reclassified);
    const masks = JSON.parse(agree(comp, ir, runtime, reclassified)).filter((x: { rule: string }) => x.rule === "mask-pii");
    expect(masks.map((x: { message: string }) => x.message)).toEqual(["mask crm.t.ssn with hash"]);
  });
});
