// User errors never throw: arbitrary text and token soup go through the whole front
// end (parse, check, lower, fmt) and come back as diagnostics.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPolicy } from "../../../src/compiler/fmt/format.js";
import { compileSources } from "../../../src/compiler/pipeline.js";

const vocabulary = [
  "policy", "p.q", "classify", "pii", ":", "const", "c", "=", "rule", "r-1", "test", "{", "}", "title", "doc", "severity", "error",
  "on", "all", "runtime", "for", "x", "in", "where", "when", "unless", "deny", "warn", "info", "mask", "with", "hash", "require",
  "approval", "allow", "as", "session", "intent", "and", "or", "not", "contains", "any", "matches", "like", "is", "count", "(", ")",
  "[", "]", ",", ".", "==", "!=", "<", ">=", "=>", "statement", "statement.kind", "statement.reads", "identity.roles", "data.x",
  '"drop_table"', "'a%'", '"{statement.kind}"', '"{bad"', '"""doc"""', "1", "-2.5", "true", "null", "#c\n", "\n", "@", '"open',
];

describe("robustness", () => {
  it("never throws on token soup", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 60 }), (toks) => {
        const text = toks.join(" ");
        const r = compileSources([{ path: "soup.warden", text }]);
        if (r.ir === undefined) expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
        for (const d of r.diagnostics) expect(d.span?.file).toBe("soup.warden");
        formatPolicy("soup.warden", text);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = compileSources([{ path: "any.warden", text }]);
        expect(Array.isArray(r.diagnostics)).toBe(true);
        formatPolicy("any.warden", text);
      }),
      { numRuns: 300 },
    );
  });
});
