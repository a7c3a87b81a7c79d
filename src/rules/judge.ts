// Decides whether one policy test case passed: what `=> deny R`, `=> allow` and
// `=> mask COL` mean, and how the outcome is described when it did not.
import type { Decision, Finding } from "../compiler/ir/ir.js";

export type Expectation =
  | { kind: "deny" | "warn" | "info" | "approval"; rule: string }
  | { kind: "allow" }
  | { kind: "mask"; column: string };

const ACTION_OF = { deny: "deny", warn: "warn", info: "info", approval: "require_approval" } as const;

export function describeExpectation(e: Expectation): string {
  if (e.kind === "allow") return "allow";
  if (e.kind === "mask") return `mask ${e.column}`;
  return `${e.kind} ${e.rule}`;
}

/**
 * `deny R` (warn, info, approval likewise): rule R yields a finding with that action.
 * `allow`: the test block's rule (`blockRule`) yields no finding at all.
 * `mask COL`: the decision masks a column whose `table.column`, `column` or
 * `schema.table.column` equals COL.
 */
export function judge(expect: Expectation, blockRule: string, decision: Decision): boolean {
  switch (expect.kind) {
    case "allow":
      return !decision.findings.some((f) => f.rule === blockRule);
    case "mask":
      return decision.masks.some((m) => maskNames(m.schema, m.table, m.column).includes(expect.column));
    default: {
      const action = ACTION_OF[expect.kind];
      return decision.findings.some((f) => f.rule === expect.rule && f.action === action);
    }
  }
}

function maskNames(schema: string | null, table: string | null, column: string | null): string[] {
  if (column === null) return [];
  const out = [column];
  if (table !== null) {
    out.push(`${table}.${column}`);
    out.push(`${schema ?? "public"}.${table}.${column}`);
  }
  return out;
}

/** What the case actually produced, for the failure report: the relevant findings first. */
export function describeOutcome(expect: Expectation, blockRule: string, decision: Decision): string {
  if (expect.kind === "mask") {
    if (decision.masks.length === 0) return "no masks";
    return `masks ${decision.masks.map((m) => `${m.table ?? ""}.${m.column ?? ""}`).join(", ")}`;
  }
  const focus = expect.kind === "allow" ? blockRule : expect.rule;
  const mine = decision.findings.filter((f) => f.rule === focus);
  if (mine.length > 0) return mine.map(describeFinding).join("; ");
  if (decision.findings.length === 0) return "allow (no findings)";
  const others = decision.findings.map((f) => `${f.action} ${f.rule}`);
  return `no finding from \`${focus}\` (other findings: ${[...new Set(others)].join(", ")})`;
}

export function describeFinding(f: Finding): string {
  return `${f.action} ${f.rule}: ${f.message}`;
}
