// The fact schema: the committed JSON equals the generator's output, and every document the
// extractor produces (fixtures, the dbt fixture project, a corpus sample) validates against it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { globSync } from "tinyglobby";
import { beforeAll, describe, expect, it } from "vitest";
import { extractProject, extractStatementFacts, initSqlParser } from "../../src/sql/index.js";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const schemaText = readFileSync(path.join(repo, "schema/facts.schema.json"), "utf8");
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(JSON.parse(schemaText));

beforeAll(async () => {
  await initSqlParser();
});

const problems = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message}`));

describe("fact schema", () => {
  it("is up to date with scripts/gen-fact-schema.mjs", () => {
    const generated = execFileSync(process.execPath, [path.join(repo, "scripts/gen-fact-schema.mjs"), "--stdout"], { encoding: "utf8" });
    expect(schemaText).toBe(generated);
  });

  it("rejects a document that breaks it", () => {
    expect(problems({ context: "ci", statements: [{ index: 0, kind: "no_such_kind", text: "", location: { line: 1, column: 1 } }] })).not.toEqual([]);
  });

  it("accepts runtime documents", () => {
    const statements = extractStatementFacts("BEGIN; ALTER TABLE t ADD COLUMN a int DEFAULT random(); GRANT SELECT ON t TO PUBLIC; COPY (SELECT md5(x) FROM t) TO STDOUT; SET lock_timeout = 1; VACUUM FULL t; COMMIT; SELEC;");
    expect(problems({ context: "runtime", statements, identity: { user: "u", roles: [], groups: [] } })).toEqual([]);
  });

  it("accepts every document of the dbt fixture and a corpus sample", () => {
    const dbtRoot = path.join(repo, "fixtures/sql/dbt");
    const dbt = globSync("models/**/*.sql", { cwd: dbtRoot }).sort().map((p) => ({ path: p, text: readFileSync(path.join(dbtRoot, p), "utf8"), type: "dbt_model" as const }));
    const docs = extractProject(dbt, { rootDir: dbtRoot }).documents;
    const corpus = path.resolve(repo, "../shared/corpus/migrations");
    for (const project of ["lemmy", "harbor", "graphile-worker", "hatchet"]) {
      const dir = path.join(corpus, project);
      const files = globSync("**/*.sql", { cwd: dir }).sort().slice(0, 40).map((p) => ({ path: p, text: readFileSync(path.join(dir, p), "utf8"), type: "migration" as const }));
      docs.push(...extractProject(files, { rootDir: dir, classifications: { pii: ["*.email"] } }).documents);
    }
    const bad = docs.map((d) => [d.file?.path, problems(d)] as const).filter(([, p]) => p.length > 0);
    expect(bad).toEqual([]);
    expect(docs.length).toBeGreaterThan(100);
  });
});
