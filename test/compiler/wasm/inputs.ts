// Input documents for differential tests: facts extracted from real SQL in the shared
// corpus (through src/sql), re-dressed for every context and file type, plus hand-made
// statements that reach the corners (masks, approvals, odd values).
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { extractProject, initSqlParser, type ProjectFile } from "../../../src/sql/index.js";
import type { JsonValue, PolicyIR } from "../../../src/compiler/ir/ir.js";

const corpus = path.resolve(__dirname, "../../../../shared/corpus/migrations");

function sqlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sqlFiles(p, out);
    else if (name.endsWith(".sql")) out.push(p);
  }
  return out;
}

let corpusDocs: JsonValue[] | null = null;

/** Facts of up to `limit` corpus migration files (every 6th file, so all projects appear). */
export async function corpusInputs(ir: PolicyIR, limit = 150): Promise<JsonValue[]> {
  if (corpusDocs) return corpusDocs;
  await initSqlParser();
  const files: ProjectFile[] = sqlFiles(corpus)
    .filter((_, i) => i % 6 === 0)
    .slice(0, limit)
    .map((p) => ({ path: path.relative(corpus, p), text: readFileSync(p, "utf8"), type: "migration" }));
  const { documents } = extractProject(files, { rootDir: corpus, classifications: ir.data.classifications });
  corpusDocs = JSON.parse(JSON.stringify(documents)) as JsonValue[];
  return corpusDocs;
}

type Doc = { [k: string]: JsonValue };

/** The same statements seen from every scope, with identities that do and do not hold roles. */
export function redress(doc: JsonValue): JsonValue[] {
  const d = doc as Doc;
  const out: JsonValue[] = [d];
  for (const type of ["sql", "retraining", "dbt_model"]) out.push({ ...d, file: { ...(d.file as Doc), type } });
  out.push({ ...d, context: "runtime", file: null, identity: { user: "ann", roles: ["analyst"], groups: [] }, intent: "retraining" });
  out.push({ ...d, context: "runtime", file: null, identity: { user: "bob", roles: ["dba", "migrator", "compliance"], groups: ["ops"] } });
  return out;
}

const handMade: JsonValue[] = [
  {
    context: "runtime",
    identity: { user: "eve \"x\" \\ é😀", roles: [], groups: [] },
    session: { environment: "production", application: "psql" },
    statements: [
      {
        index: 0, kind: "select", text: "select * from users", location: { line: 1, column: 1, end_line: 1, end_column: 20 },
        reads: [
          { schema: null, table: "users", column: "email", masked: false, via: "*" },
          { schema: "public", table: "users", column: "ssn", masked: true, via: null },
          { schema: "billing", table: "cards", column: "number", masked: false, classifications: ["pci", "pii"] },
          { schema: 7, table: "users", column: "email" },
        ],
        targets: [], writes: [], actions: [], has_where: false, limit: null,
      },
      { index: 1, kind: "delete", text: "delete from users", location: { line: 2, column: 1 }, targets: [{ schema: null, name: "users" }], has_where: false },
      { index: 2, kind: "drop_table", text: "drop table x", location: { line: 3.5, column: -1 }, targets: [{ schema: "s", name: "x\u0001\n" }], cascade: true },
      { index: 3, kind: "grant", privileges: ["ALL"], grantees: ["PUBLIC"], location: null },
      null,
      { kind: 42, location: "nowhere" },
    ],
  },
  { context: "ci", file: { path: "m/1.sql", type: "migration" }, statements: [] },
  { context: "other", statements: [{ kind: "drop_table" }] },
  { statements: { kind: "drop_table" } },
  { context: "ci", file: { type: "migration" } },
];

/** Corpus facts in every dress plus the hand-made documents. */
export async function allInputs(ir: PolicyIR): Promise<JsonValue[]> {
  const docs = await corpusInputs(ir);
  return [...docs.flatMap(redress), ...handMade];
}

/** Synchronous small sample for per-policy tests (needs corpusInputs awaited once before). */
export function sampleInputs(ir: PolicyIR): JsonValue[] {
  const docs = corpusDocs ?? [];
  void ir;
  return [...docs.slice(0, 40).flatMap(redress), ...handMade];
}
