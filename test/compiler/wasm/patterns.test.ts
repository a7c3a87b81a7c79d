// Property test of the runtime's pattern matchers (glob, LIKE, classification patterns)
// against the interpreter, over random patterns and subjects from a small adversarial alphabet.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Expr, RuleIR } from "../../../src/compiler/ir/ir.js";
import { compile, mismatch } from "./diff.js";
import { defaultData } from "../../../src/compiler/ir/interpret.js";
import { filter, policy, rule, stmt } from "./helpers.js";

const piece = (chars: string[]) => fc.array(fc.constantFrom(...chars), { maxLength: 7 }).map((a) => a.join(""));
const globPattern = piece(["a", "b", ".", "*", "*", "?", "é", "😀"]);
const likePattern = piece(["a", "b", ".", "%", "_", "\\", "é", "😀"]);
const subject = piece(["a", "b", ".", "é", "😀", "%", "_", "\\", "*"]);

describe("pattern matchers", () => {
  it("agree with the interpreter on random globs, LIKE patterns and classification patterns", async () => {
    let checked = 0;
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(globPattern, { minLength: 4, maxLength: 4 }),
        fc.array(likePattern, { minLength: 4, maxLength: 4 }),
        fc.array(globPattern, { maxLength: 4 }),
        fc.array(fc.record({ s: subject, col: fc.record({ schema: fc.oneof(subject, fc.constant(null)), table: subject, column: subject }) }), { minLength: 25, maxLength: 25 }),
        async (globs, likes, classes, statements) => {
          const rules: RuleIR[] = [
            ...globs.map((pattern, i) => rule(`g${i}`, [filter({ op: "matches", value: stmt("s"), pattern })], [pattern])),
            ...likes.map((pattern, i) => rule(`l${i}`, [filter({ op: "like", value: stmt("s"), pattern })], [pattern])),
            rule("is", [filter({ op: "is", column: stmt("col"), classification: "c" } as Expr)], ["c"]),
          ];
          const ir = policy(rules, { classifications: { c: classes } });
          const c = await compile(ir);
          const input = { context: "ci", file: { type: "migration" }, statements };
          const m = mismatch(c, ir, input, defaultData(ir));
          if (m) throw new Error(`${m}\n  globs ${JSON.stringify(globs)} likes ${JSON.stringify(likes)} classes ${JSON.stringify(classes)}`);
          checked += statements.length;
          matched += (JSON.parse(c.evaluate(input, "warden/findings")) as unknown[]).length;
        },
      ),
      { numRuns: 120, seed: 7 },
    );
    expect(checked).toBe(120 * 25);
    // Both outcomes must be well represented for the agreement to mean something.
    expect(matched).toBeGreaterThan(1000);
    expect(matched).toBeLessThan(checked * 9 - 1000);
  }, 300_000);
});
