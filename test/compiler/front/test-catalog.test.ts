// A test case's `catalog "SQL"`: the checker wants a string; the pipeline hands it to the runner.
import { describe, expect, it } from "vitest";
import { compileSources } from "../../../src/compiler/pipeline.js";
import { diagLines } from "./helpers.js";

const RULE = 'policy t\nrule r {\n  title "t"\n  on all\n  deny "x"\n}\n';
const HELP = 'write the tables that exist before the case as SQL, such as `catalog "CREATE TABLE t (c varchar(10))"`';

function check(catalog: string) {
  return compileSources([
    { path: "a.warden", text: RULE },
    { path: "b.warden", text: `policy t\ntest r {\n  migration "ALTER TABLE t DROP COLUMN c" catalog ${catalog} => allow\n}\n` },
  ]);
}

describe("test-case `catalog`", () => {
  it("must be a string of SQL", () => {
    expect(diagLines(check("[1]").diagnostics)).toEqual([`W0312 3:51-3:54 \`catalog\` is a list, not a string of SQL [${HELP}]`]);
    expect(diagLines(check("{ tables: {} }").diagnostics)).toEqual([`W0312 3:51-3:65 \`catalog\` is an object, not a string of SQL [${HELP}]`]);
    expect(diagLines(check("null").diagnostics)).toEqual([`W0312 3:51-3:55 \`catalog\` is \`null\`, not a string of SQL [${HELP}]`]);
    expect(diagLines(check("12").diagnostics)).toEqual([`W0312 3:51-3:53 \`catalog\` is a number, not a string of SQL [${HELP}]`]);
    expect(diagLines(check("true").diagnostics)).toEqual([`W0312 3:51-3:55 \`catalog\` is a boolean, not a string of SQL [${HELP}]`]);
  });

  it("is handed to the runner as SQL text, absent when not written", () => {
    const r = check("'CREATE TABLE t (c int, \"d\" text)'");
    expect(r.diagnostics).toEqual([]);
    expect(r.tests![0]!.cases[0]!.catalog).toBe('CREATE TABLE t (c int, "d" text)');
    const none = compileSources([{ path: "a.warden", text: `${RULE}test r {\n  migration "x" => allow\n}\n` }]);
    expect(none.diagnostics).toEqual([]);
    expect("catalog" in none.tests![0]!.cases[0]!).toBe(false);
  });

  it("is SQL the checker does not read: an empty string or unparsable SQL still compiles", () => {
    expect(check('""').diagnostics).toEqual([]);
    expect(check('"CREATE TABLE ("').diagnostics).toEqual([]);
  });
});
