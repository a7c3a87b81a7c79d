// One case per diagnostic code: a source that produces it, with the exact diagnostic.
// The last test fails when a code of the table has no case here.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileSources, loadPolicySources } from "../../src/compiler/pipeline.js";
import { CODES, type DiagnosticCode } from "../../src/diagnostics/codes.js";
import { diagLines } from "../compiler/front/helpers.js";

/** A policy file around `body`: the header is line 1, `body` starts on line 2. */
const file = (body: string) => `policy t\n${body}\n`;
/** A rule whose first extra line is line 5. */
const rule = (...lines: string[]) => file(["rule r {", '  title "t"', "  on all", ...lines.map((l) => `  ${l}`), "}"].join("\n"));

function diags(text: string | string[]): string[] {
  const texts = Array.isArray(text) ? text : [text];
  return diagLines(compileSources(texts.map((t, i) => ({ path: `f${i}.warden`, text: t }))).diagnostics);
}

const cases: Record<DiagnosticCode, { src: string | string[]; want: string[] }> = {
  W0101: { src: file("rule r @ {}"), want: ["W0101 2:8-2:9 unexpected character `@`"] },
  W0102: { src: file("rule r {\n  when a ==\n}"), want: ["W0102 4:1-4:2 unexpected `}` [expected one of a string, a number, `true`, `false`, `null`, `[`, `count`, `(` or a name]"] },
  W0103: { src: file('rule r {\n  title "t\n}'), want: ['W0103 3:9-3:11 unterminated string [close it with `"` on the same line]'] },
  W0201: {
    src: [rule('deny "x"'), rule('deny "y"')],
    want: ["W0201 2:6-2:7 rule `r` is already defined [the first is at f0.warden:2:6]"],
  },
  W0202: { src: file("const a = 1\nconst a = 2\nrule r {\n  title \"t\"\n  on all\n  when a == 1\n  deny \"x\"\n}"), want: ["W0202 3:7-3:8 constant `a` is already declared [the first is at f0.warden:2:7]"] },
  W0203: { src: file('classify pii: "*.email"\nclassify pii: "*.ssn"'), want: ["W0203 3:10-3:13 classification `pii` is declared twice in this file [the first is at f0.warden:2:10; list all its patterns in one `classify`]"] },
  W0204: { src: file('rule r {\n  on all\n  deny "x"\n}'), want: ['W0204 2:6-2:7 rule `r` has no title [add a line such as `title "Dropping a table destroys its data"`]'] },
  W0205: { src: file('rule Drop_Table {\n  title "t"\n  on all\n  deny "x"\n}'), want: ["W0205 2:6-2:16 invalid rule id `Drop_Table` [rule ids are kebab-case, such as `drop-table`]"] },
  W0206: { src: 'rule r {\n  title "t"\n  on all\n  deny "x"\n}\n', want: ["W0206 1:1-1:1 missing `policy` declaration [start the file with `policy <name>`, such as `policy acme.data_platform`]"] },
  W0301: { src: rule('when statement.kindd == "select"', 'deny "x"'), want: ["W0301 5:18-5:23 unknown field `kindd` in `statement` [did you mean `kind`?]"] },
  W0302: { src: rule('when identty.user == "x"', 'deny "x"'), want: ["W0302 5:8-5:15 unknown name `identty` [did you mean `identity`?]"] },
  W0303: { src: rule('when statement.kind == "drop_tabel"', 'deny "x"'), want: ["W0303 5:26-5:38 `statement.kind` is never `drop_tabel` [did you mean `drop_table`?]"] },
  W0304: { src: rule('when count(statement.reads) == "a"', 'deny "x"'), want: ['W0304 5:8-5:37 cannot compare `count(statement.reads)` (a number) with `"a"` (a string)'] },
  W0305: { src: rule("for c in statement.reads", "when c is pii", 'deny "x"'), want: ['W0305 6:13-6:16 unknown classification `pii` [declare it with `classify pii: "*.column_name"`]'] },
  W0306: { src: [rule('deny "x"'), file('test q {\n  sql "select 1" => allow\n}')], want: ["W0306 2:6-2:7 unknown rule `q` [did you mean `r`?]"] },
  W0307: {
    src: file('rule a {\n  title "t"\n  on all\n  for col in statement.reads\n  deny "x"\n}\nrule b {\n  title "t"\n  on all\n  when col.masked\n  deny "x"\n}'),
    want: ["W0307 11:8-11:11 `col` is not in scope here [`col` is bound by a `for` in rule `a`; bind it in this rule too]"],
  },
  W0308: { src: file('rule r {\n  title "t"\n  on migrations\n  deny "x"\n}'), want: ["W0308 4:6-4:16 unknown scope `migrations` [did you mean `migration`?]"] },
  W0309: { src: rule('when statement.text matches "***"', 'deny "x"'), want: ['W0309 5:31-5:36 invalid glob pattern `***` [`***` is not a glob operator: use `*` within a name part or `**` across dots]'] },
  W0310: { src: rule('deny "{statement.kidn}"'), want: ["W0310 5:20-5:24 unknown field `kidn` in `statement` [did you mean `kind`?]"] },
  W0311: { src: rule("for c in statement.reads", "mask c with hsh"), want: ["W0311 6:15-6:18 unknown mask method `hsh` [did you mean `hash`?]"] },
  W0312: { src: [rule('deny "x"'), file('test r {\n  runtime "drop table t" => warn r\n}')], want: ["W0312 3:29-3:35 rule `r` never reports `warn` [its findings are `deny`: expect `=> deny r`]"] },
  W0313: { src: rule("severity fatal", 'deny "x"'), want: ["W0313 5:12-5:17 invalid severity `fatal` [use `error`, `warning` or `info`]"] },
  W0314: { src: rule("for identity in statement.reads", 'deny "x"'), want: ["W0314 5:7-5:15 `identity` is already a root here [choose another name for this variable in rule `r`]"] },
  W0901: { src: file('const unused = 1\nrule r {\n  title "t"\n  on all\n  deny "x"\n}'), want: ["W0901 2:7-2:13 constant `unused` is never used [remove it, or use it in a rule]"] },
  W1001: { src: [], want: [] },
  W1002: { src: [], want: [] },
};

describe("test-case `config`", () => {
  it("must be an object; its keys are not checked", () => {
    const t = (cfg: string) => diags([rule('deny "x"'), file(`test r {\n  sql "select 1" config ${cfg} => allow\n}`)]);
    expect(t("[1]")).toEqual(["W0312 3:25-3:28 `config` is a list, not an object [write an object, such as `config { retraining: { allowed_schemas: [\"features\"] } }`]"]);
    expect(t('"x"')).toEqual(["W0312 3:25-3:28 `config` is a string, not an object [write an object, such as `config { retraining: { allowed_schemas: [\"features\"] } }`]"]);
    expect(t("null")).toEqual(["W0312 3:25-3:29 `config` is `null`, not an object [write an object, such as `config { retraining: { allowed_schemas: [\"features\"] } }`]"]);
    expect(t("{ anything: { goes: [1, true] } }")).toEqual([]);
  });
});

describe("diagnostic codes", () => {
  for (const [code, c] of Object.entries(cases)) {
    if (code.startsWith("W10")) continue;
    it(`${code} ${CODES[code as DiagnosticCode].summary}`, () => {
      const got = diags(c.src);
      expect(got).toEqual(c.want);
      expect(got.some((g) => g.startsWith(code))).toBe(true);
    });
  }

  it("W1001 cannot read file", async () => {
    const r = await loadPolicySources(["does/not/exist.warden"]);
    expect(diagLines(r.diagnostics)).toEqual(["W1001 - cannot read `does/not/exist.warden`: no such file or directory"]);
    expect(r.sources).toEqual([]);
  });

  it("W1002 no policy files", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-empty-"));
    writeFileSync(path.join(dir, "notes.txt"), "not a policy");
    const r = await loadPolicySources([dir]);
    expect(diagLines(r.diagnostics)).toEqual([`W1002 - no policy files in \`${dir}\` [policy files end in \`.warden\`]`]);
  });

  it("has a case for every code in the table", () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(CODES).sort());
  });
});
