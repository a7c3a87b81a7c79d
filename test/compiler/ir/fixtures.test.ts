// Every case in fixtures/ir runs through the reference interpreter; the expectations
// were written by hand from ir.ts, not produced by the interpreter.
import { describe, expect, it } from "vitest";
import { evaluateDecision, evaluateFindings } from "../../../src/compiler/ir/interpret.js";
import { loadIrFixtures } from "./fixtures.js";

const fixtures = loadIrFixtures();

it("has fixtures with cases that expect findings and cases that expect none", () => {
  const cases = fixtures.flatMap((f) => f.cases);
  expect(fixtures.length).toBeGreaterThanOrEqual(6);
  expect(cases.some((c) => c.findings.length > 0)).toBe(true);
  expect(cases.some((c) => c.findings.length === 0)).toBe(true);
});

for (const fx of fixtures) {
  describe(fx.name, () => {
    for (const cs of fx.cases) {
      it(cs.name, () => {
        const findings = evaluateFindings(fx.ir, cs.input, cs.data);
        // Compare JSON text: key order is part of the contract.
        expect(JSON.stringify(findings, null, 1)).toBe(JSON.stringify(cs.findings, null, 1));
        const decision = evaluateDecision(fx.ir, cs.input, cs.data);
        expect(JSON.stringify(decision)).toBe(JSON.stringify({ allow: cs.decision.allow, findings: cs.findings, masks: cs.decision.masks, approvals: cs.decision.approvals }));
      });
    }
  });
}
