// Rego back end: golden files (fixtures/ir/<name>.rego, regenerate with UPDATE_GOLDEN=1),
// structural checks, and the pattern translation checked against the interpreter.
// No OPA binary exists here, so the Rego itself is reviewed as a diff, not executed.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { emitRego, RegoEmitError } from "../../../src/compiler/backend/rego/emit-rego.js";
import { globToRegexSource, likeToRegexSource } from "../../../src/compiler/backend/rego/patterns.js";
import { globMatch, likeMatch, padClassificationPattern } from "../../../src/compiler/ir/interpret.js";
import { IR_FIXTURE_DIR, loadIrFixtures } from "../ir/fixtures.js";
import { c, data, filter, eq, local, policy, rule, scan, stmt } from "../ir/build.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

describe("golden Rego for fixtures/ir", () => {
  for (const fx of loadIrFixtures()) {
    it(fx.name, () => {
      const rego = emitRego(fx.ir);
      const file = join(IR_FIXTURE_DIR, `${fx.name}.rego`);
      if (UPDATE || !existsSync(file)) writeFileSync(file, rego);
      expect(rego).toBe(readFileSync(file, "utf8"));
    });
  }
});

/** Brackets balance outside string literals: a cheap guard against malformed output. */
function balanced(src: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === "#") {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (ch === '"') inString = true;
    else if ("([{".includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0 && !inString;
}

describe("emitRego", () => {
  it("emits a v1 module in package warden with both entrypoints", () => {
    for (const fx of loadIrFixtures()) {
      const rego = emitRego(fx.ir);
      expect(rego.split("\n").filter((l) => /^(package|import) /.test(l))).toEqual(["package warden", "import rego.v1"]);
      expect(rego).toMatch(/^findings := /m);
      expect(rego).toMatch(/^decision := \{$/m);
      expect(balanced(rego)).toBe(true);
      for (const r of fx.ir.rules) expect(rego).toContain(`raw contains [[i, ${JSON.stringify(r.id)}, message]`);
    }
  });

  it("renders a rule's steps in order with fresh variables for each binding", () => {
    const ir = policy([
      rule({
        id: "r",
        title: "T",
        body: [scan("col", stmt("reads")), filter(eq(local("col", "table"), c("t"))), scan("col", local("col", "tags"))],
        message: ["tag ", local("col")],
      }),
    ]);
    const rego = emitRego(ir);
    expect(rego).toContain(
      [
        "# r: T (test.warden:1:1)",
        "raw contains [[i, \"r\", message], [col_1_i, col_2_i], finding] if {",
        '\tapplies(["migration"])',
        '\tseverity := effective_severity("r", "error")',
        "\tsome i, stmt in statements",
        '\tsome col_1_i, col_1 in v_arr(v_get(stmt, ["reads"]))',
        '\tv_get(col_1, ["table"]) == "t"',
        '\tsome col_2_i, col_2 in v_arr(v_get(col_1, ["tags"]))',
        '\tmessage := concat("", ["tag ", render(col_2)])',
        "\tfinding := {",
        '\t\t"rule": "r",',
        '\t\t"severity": severity,',
        '\t\t"action": message_action(severity),',
        '\t\t"message": message,',
        '\t\t"statement": i,',
        '\t\t"location": location([v_get(stmt, ["location"])]),',
        "\t}",
        "}",
      ].join("\n"),
    );
  });

  it("reads constants through the null-safe data rules", () => {
    const rego = emitRego(policy([rule({ body: [filter(eq(data("warden", "constants", "k", 0), c(1)))] })]));
    expect(rego).toContain('\tv_get(data_constants, ["k",0]) == 1');
  });

  it("reads other data roots through their own rule", () => {
    const rego = emitRego(policy([rule({ body: [filter(eq(data("teams", "owners"), c(1)))] })]));
    expect(rego).toContain('\tv_get(data_other_teams, ["owners"]) == 1');
    expect(rego).toContain("default data_other_teams := null\n\ndata_other_teams := data.teams\n");
  });

  it("refuses refs that would make the module depend on itself", () => {
    expect(() => emitRego(policy([rule({ body: [filter(eq(data("warden"), c(1)))] })]))).toThrow(
      new RegoEmitError("the Rego target cannot read `data.warden`"),
    );
    expect(() => emitRego(policy([rule({ body: [filter(eq(data("warden", "findings"), c(1)))] })]))).toThrow(
      new RegoEmitError("the Rego target cannot read `data.warden.findings`"),
    );
  });

  it("a policy without rules still defines the entrypoints", () => {
    const rego = emitRego(policy([]));
    expect(rego).toContain("raw := set()");
    expect(balanced(rego)).toBe(true);
  });
});

describe("pattern translation agrees with the interpreter", () => {
  const subject = fc.array(fc.constantFrom("a", "b", ".", "_", "%", "\\", "*", "?", "😀", "\n", "(", "[", "$", "^", "|", "{"), { maxLength: 10 }).map((xs) => xs.join(""));
  const glob = fc.array(fc.constantFrom("a", "b", ".", "*", "**", "?", "😀", "\\", "(", "[", "]", "$", "^", "+", "{", "}", "|", "\n"), { maxLength: 8 }).map((xs) => xs.join(""));
  const like = fc.array(fc.constantFrom("a", ".", "%", "_", "\\", "\\%", "\\_", "😀", "*", "?", "(", "[", "$", "\n", "+"), { maxLength: 8 }).map((xs) => xs.join(""));
  it("glob", () => {
    fc.assert(fc.property(glob, subject, (p, s) => new RegExp(globToRegexSource(p), "u").test(s) === globMatch(p, s)), { numRuns: 5000 });
  });
  it("like", () => {
    fc.assert(fc.property(like, subject, (p, s) => new RegExp(likeToRegexSource(p), "u").test(s) === likeMatch(p, s)), { numRuns: 5000 });
  });
  it("classification padding as the Rego computes it (count of split on `.`)", () => {
    const padRego = (p: string): string => {
      const n = p.split(".").length;
      return n === 1 ? "*.*." + p : n === 2 ? "*." + p : p;
    };
    fc.assert(fc.property(glob, (p) => padRego(p) === padClassificationPattern(p)));
  });
  it("examples", () => {
    expect(globToRegexSource("public.*")).toBe("^public\\.[^.]*$");
    expect(globToRegexSource("**.email")).toBe("^[\\s\\S]*\\.email$");
    expect(globToRegexSource("a?b")).toBe("^a[^.]b$");
    expect(likeToRegexSource("tmp\\_%")).toBe("^tmp_[\\s\\S]*$");
    expect(likeToRegexSource("a.b_")).toBe("^a\\.b[\\s\\S]$");
  });
});
