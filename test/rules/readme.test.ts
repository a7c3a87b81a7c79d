// parseReadme: titles, sections, example fences and their JSON options.
import { describe, expect, it } from "vitest";
import { parseReadme } from "../../src/rules/readme.js";

const TEXT = [
  "# demo-rule", //1
  "", //2
  "One line summary", //3
  "that continues.", //4
  "", //5
  "## Problem", //6
  "```sql", //7
  "SELECT 1;", //8
  "```", //9
  "## Incorrect", //10
  "", //11
  '```sql {"scope": "sql", "identity": {"roles": ["a"]}}', //12
  "DELETE FROM t;", //13
  "DELETE FROM u;", //14
  "```", //15
  "## Correct", //16
  "```yaml", //17
  "a: 1", //18
  "```", //19
  "```sql", //20
  "DELETE FROM t WHERE id = 1;", //21
  "```", //22
].join("\n");

describe("parseReadme", () => {
  it("reads the id, the summary, the sections and only the Incorrect/Correct SQL examples", () => {
    const r = parseReadme(TEXT);
    expect(r.id).toBe("demo-rule");
    expect(r.summary).toBe("One line summary that continues.");
    expect(r.sections).toEqual(["Problem", "Incorrect", "Correct"]);
    expect(r.examples).toEqual([
      { kind: "incorrect", sql: "DELETE FROM t;\nDELETE FROM u;\n", line: 13, options: { scope: "sql", identity: { roles: ["a"] } } },
      { kind: "correct", sql: "DELETE FROM t WHERE id = 1;\n", line: 21, options: {} },
    ]);
    expect(r.problems).toEqual([]);
  });

  it("reports a missing title, bad options and an unterminated fence", () => {
    const r = parseReadme(["Title", "## Incorrect", "```sql {nope}", "x", "```", "## Correct", '```sql {"colour": 1}', "y", "```", "```sql", "z"].join("\n"));
    expect(r.id).toBeNull();
    expect(r.problems).toEqual([
      { line: 3, message: "example options after `sql` must be a JSON object" },
      { line: 7, message: "unknown example option `colour`" },
      { line: 10, message: "unterminated code fence" },
    ]);
  });
});
