// Robustness: every file of the shared corpus (migrations and dbt) extracts without an
// exception escaping, every statement is a fact or an `unparsed` fact; and property tests
// feed random and mutated SQL and Jinja: never a crash, never a hang.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { globSync } from "tinyglobby";
import { beforeAll, describe, expect, it } from "vitest";
import { extractProject, extractStatementFacts, initSqlParser, type InputDocument } from "../../src/sql/index.js";

const corpus = path.resolve(fileURLToPath(new URL("../../", import.meta.url)), "../shared/corpus");

beforeAll(async () => {
  await initSqlParser();
});

function run(dir: string, type: "migration" | "dbt_model") {
  const files = globSync("**/*.sql", { cwd: dir }).sort().map((p) => ({ path: p, text: readFileSync(path.join(dir, p), "utf8"), type }));
  const { documents } = extractProject(files, { rootDir: dir });
  return { files, documents };
}

const internal = (docs: InputDocument[]) => docs.flatMap((d) => d.statements.filter((s) => s.error?.message.startsWith("internal error")).map((s) => `${d.file?.path}: ${s.error?.message}`));

describe("corpus", () => {
  it("extracts every migration; the only unparsed statements are the two MySQL files", () => {
    const projects = globSync("*", { cwd: path.join(corpus, "migrations"), onlyDirectories: true }).map((p) => p.replace(/\/$/, "")).sort();
    let statements = 0;
    const unparsed: string[] = [];
    let files = 0;
    for (const p of projects) {
      const r = run(path.join(corpus, "migrations", p), "migration");
      files += r.files.length;
      expect(r.documents.length).toBe(r.files.length);
      expect(internal(r.documents)).toEqual([]);
      for (const d of r.documents) {
        statements += d.statements.length;
        for (const s of d.statements) if (s.kind === "unparsed") unparsed.push(`${p}/${d.file?.path}:${s.error?.line}:${s.error?.column} ${s.error?.dialect}`);
        // statement indexes are dense and spans ordered per file (nested ones sit inside their parent)
        expect(d.statements.map((s) => s.index)).toEqual(d.statements.map((_, i) => i));
      }
    }
    console.log(`corpus migrations: ${files} files, ${statements} statements, ${unparsed.length} unparsed`);
    expect(files).toBe(917);
    expect(unparsed).toEqual([
      "umami/db/postgresql/data-migrations/convert-utm-clid-columns.sql:37:8 mysql",
      "umami/db/postgresql/data-migrations/populate-revenue-table.sql:25:13 mysql",
    ]);
  });

  it("extracts every dbt model without an exception; jaffle_shop parses fully", () => {
    for (const p of ["jaffle_shop", "tuva", "cal-itp", "gitlab-analytics"]) {
      const r = run(path.join(corpus, "dbt", p), "dbt_model");
      expect(r.documents.length).toBe(r.files.length);
      expect(internal(r.documents)).toEqual([]);
      // a model can render to nothing (disabled, or wholly inside a false `{% if %}`)
      const empty = r.documents.filter((d) => d.statements.length === 0).length;
      const unparsed = r.documents.filter((d) => d.statements.some((s) => s.kind === "unparsed")).length;
      console.log(`corpus dbt ${p}: ${r.files.length} models, ${unparsed} with unparsed statements, ${empty} rendered empty`);
      if (p === "jaffle_shop") expect(unparsed).toBe(0);
    }
  });
});

const sqlPieces = [
  "SELECT", "FROM", "WHERE", "CREATE TABLE", "ALTER TABLE", "ADD COLUMN", "DROP", "INSERT INTO", "VALUES", "(", ")", ",", ";", "'", "''", '"', "$$", "$a$",
  "--", "/*", "*/", "\n", " ", "é", "😀", "\\", ":x", "::", "BEGIN", "COMMIT", "DO", "$$ BEGIN", "END $$", "t", "a.b", "*", "1", "E'\\''", "{{", "}}", "{%", "%}",
];
const soup = fc.array(fc.constantFrom(...sqlPieces), { maxLength: 40 }).map((a) => a.join(" "));

describe("property: never a crash, never a hang", () => {
  it("random token soup", () => {
    fc.assert(
      fc.property(soup, (sql) => {
        const st = extractStatementFacts(sql);
        for (const s of st) expect(s.location.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });

  it("random strings", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: "binary" }), (sql) => void extractStatementFacts(sql)), { numRuns: 400 });
  });

  it("mutated corpus statements", () => {
    const dir = path.join(corpus, "migrations/lemmy");
    const samples = globSync("**/*.sql", { cwd: dir }).sort().slice(0, 30).map((p) => readFileSync(path.join(dir, p), "utf8").slice(0, 2000));
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.nat(), fc.constantFrom(...sqlPieces), (text, a, b, piece) => {
        const i = a % (text.length + 1);
        const j = Math.min(text.length, i + (b % 20));
        const mutated = text.slice(0, i) + piece + text.slice(j);
        const r = extractProject([{ path: "m.sql", text: mutated, type: "migration" }], { rootDir: "." });
        expect(r.documents[0]!.statements.every((s) => s.kind !== "unparsed" || s.error !== undefined)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("random Jinja models", () => {
    const jinja = fc.array(fc.constantFrom(...sqlPieces, "{{ ref('a') }}", "{{ source('s','t') }}", "{% if x %}", "{% endif %}", "{% for c in cols %}", "{% endfor %}", "{{ var('v') }}", "{{ dbt_utils.star(ref('a')) }}", "{% set x = 1 %}", "{{ config(materialized='table') }}"), { maxLength: 30 }).map((a) => a.join(" "));
    fc.assert(
      fc.property(jinja, (text) => {
        const r = extractProject([{ path: "models/m.sql", text, type: "dbt_model" }], { rootDir: "/nonexistent" });
        expect(r.documents[0]!.statements.length).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });
});
