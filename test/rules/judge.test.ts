// The meaning of test-case expectations: deny/warn/info/approval R, allow, mask COL.
import { describe, expect, it } from "vitest";
import type { Decision, Finding } from "../../src/compiler/ir/ir.js";
import { describeOutcome, judge } from "../../src/rules/judge.js";

function finding(rule: string, action: Finding["action"], message = "m"): Finding {
  return { rule, severity: action === "deny" ? "error" : "warning", action, message, statement: 0, location: null };
}

function decision(findings: Finding[], masks: Decision["masks"] = []): Decision {
  return { allow: !findings.some((f) => f.action === "deny"), findings, masks, approvals: [] };
}

describe("judge", () => {
  it("deny R passes only when R yields a deny finding", () => {
    expect(judge({ kind: "deny", rule: "a" }, "a", decision([finding("a", "deny")]))).toBe(true);
    expect(judge({ kind: "deny", rule: "a" }, "a", decision([finding("a", "warn")]))).toBe(false);
    expect(judge({ kind: "deny", rule: "a" }, "a", decision([finding("b", "deny")]))).toBe(false);
    expect(judge({ kind: "warn", rule: "a" }, "a", decision([finding("a", "warn")]))).toBe(true);
    expect(judge({ kind: "approval", rule: "a" }, "a", decision([finding("a", "require_approval")]))).toBe(true);
    expect(judge({ kind: "info", rule: "a" }, "a", decision([finding("a", "warn")]))).toBe(false);
  });

  it("allow passes when the block's rule yields nothing, whatever other rules do", () => {
    expect(judge({ kind: "allow" }, "a", decision([]))).toBe(true);
    expect(judge({ kind: "allow" }, "a", decision([finding("b", "deny")]))).toBe(true);
    expect(judge({ kind: "allow" }, "a", decision([finding("a", "info")]))).toBe(false);
  });

  it("mask COL matches table.column, column or schema.table.column", () => {
    const d = decision([], [{ schema: null, table: "customers", column: "email", method: "hash" }]);
    expect(judge({ kind: "mask", column: "customers.email" }, "m", d)).toBe(true);
    expect(judge({ kind: "mask", column: "email" }, "m", d)).toBe(true);
    expect(judge({ kind: "mask", column: "public.customers.email" }, "m", d)).toBe(true);
    expect(judge({ kind: "mask", column: "users.email" }, "m", d)).toBe(false);
    expect(judge({ kind: "mask", column: "customers.phone" }, "m", d)).toBe(false);
  });

  it("describes what a failing case produced", () => {
    expect(describeOutcome({ kind: "deny", rule: "a" }, "a", decision([]))).toBe("allow (no findings)");
    expect(describeOutcome({ kind: "deny", rule: "a" }, "a", decision([finding("b", "deny"), finding("c", "warn"), finding("b", "deny", "n")]))).toBe(
      "no finding from `a` (other findings: deny b, warn c)",
    );
    expect(describeOutcome({ kind: "allow" }, "a", decision([finding("a", "warn", "too wide")]))).toBe("warn a: too wide");
    expect(describeOutcome({ kind: "mask", column: "t.c" }, "a", decision([]))).toBe("no masks");
    expect(describeOutcome({ kind: "mask", column: "t.c" }, "a", decision([], [{ schema: null, table: "t", column: "d", method: "hash" }]))).toBe("masks t.d");
  });
});
