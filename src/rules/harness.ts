// The real harness of `warden test` and the docs tests: facts come from the SQL
// extractor exactly as `warden check` and the runtime enforcer build them, and the
// decision from the chosen engine (the compiled wasm bundle by default).
import type { Decision, Finding, JsonValue, PolicyIR } from "../compiler/ir/ir.js";
import { decisionFromFindings, evaluateDecision } from "../compiler/ir/interpret.js";
import { initSqlParser } from "../sql/parser.js";
import { extractProject, extractStatementFacts } from "../sql/project.js";
import type { FileType, InputDocument } from "../sql/facts.js";
import type { CaseContext, Harness } from "./test-runner.js";

export type EngineName = "wasm" | "interpreter";

const FILE_TYPES: readonly string[] = ["migration", "dbt_model", "retraining", "sql"];

type CatalogSpec = { tables?: Record<string, { columns?: ({ name: string; type?: { name: string } } | string)[] }> };

/** CREATE TABLE statements that replay a catalog given as `{tables: {"schema.t": {columns}}}`. */
export function catalogAsMigration(catalog: JsonValue | undefined): string {
  const spec = (catalog ?? {}) as CatalogSpec;
  const out: string[] = [];
  for (const [key, table] of Object.entries(spec.tables ?? {})) {
    const cols = (table.columns ?? []).map((c) => (typeof c === "string" ? `${c} text` : `${c.name} ${c.type?.name ?? "text"}`));
    out.push(`CREATE TABLE ${key} (${cols.join(", ")});`);
  }
  return out.join("\n");
}

/** The SQL a case's catalog replays: a test case's `catalog "SQL"` as written, or CREATE TABLEs for `{tables}`. */
export function catalogSql(catalog: JsonValue | undefined): string {
  return typeof catalog === "string" ? catalog : catalogAsMigration(catalog);
}

const CATALOG_PATH = "migrations/00000000_catalog.sql";

/**
 * The tables a runtime query sees when its catalog is given as SQL: the SQL is replayed
 * as a migration and the query read as a later file, so the tables it touches come back
 * with their columns as the catalog had them (the excerpt `warden check` builds too).
 */
function runtimeTables(sql: string, catalog: string, classifications: PolicyIR["data"]["classifications"]): CatalogSpec["tables"] {
  const { documents } = extractProject(
    [
      { path: CATALOG_PATH, text: catalog, type: "migration" as FileType },
      { path: "runtime.sql", text: sql, type: "sql" as FileType },
    ],
    { rootDir: process.cwd(), classifications },
  );
  assertCatalogParsed(documents[0]);
  return documents[1]?.catalog?.tables as CatalogSpec["tables"];
}

/** A catalog that does not parse would silently leave its tables out: the case errors instead. */
function assertCatalogParsed(doc: InputDocument | undefined): void {
  const bad = doc?.statements.find((st) => st.kind === "unparsed");
  if (!bad) return;
  const at = bad.error ? `${bad.error.line}:${bad.error.column}` : `${bad.location.line}:${bad.location.column}`;
  throw new Error(`cannot read the case's catalog at ${at}: ${bad.error?.message ?? "unparsed statement"}`);
}

/** The input document of one case, built the way `warden check` / the enforcer build theirs. */
export async function buildCaseInput(ir: PolicyIR, c: CaseContext): Promise<InputDocument> {
  await initSqlParser();
  const classifications = ir.data.classifications;
  if (c.scope === "runtime") {
    const tables = typeof c.catalog === "string" ? runtimeTables(c.sql, c.catalog, classifications) : ((c.catalog ?? {}) as CatalogSpec).tables;
    const statements = extractStatementFacts(c.sql, { classifications, tables: tables as never });
    const doc: InputDocument = { context: "runtime", statements };
    if (c.identity !== undefined) doc.identity = c.identity as InputDocument["identity"];
    if (c.session !== undefined) doc.session = c.session as InputDocument["session"];
    if (c.intent !== undefined && c.intent !== null) doc.intent = c.intent;
    return doc;
  }
  if (!FILE_TYPES.includes(c.scope)) throw new Error(`unknown test scope \`${c.scope}\``);
  const files = [];
  const setup = catalogSql(c.catalog);
  // A catalog is replayed as an earlier migration, so the case file sees those tables
  // as existing before it (not created in the same file).
  if (setup) files.push({ path: CATALOG_PATH, text: setup, type: "migration" as FileType });
  files.push({ path: c.path, text: c.sql, type: c.scope as FileType });
  const { documents } = extractProject(files, { rootDir: process.cwd(), classifications });
  if (setup) assertCatalogParsed(documents[0]);
  const doc = documents[documents.length - 1]!;
  if (c.identity !== undefined) doc.identity = c.identity as InputDocument["identity"];
  if (c.session !== undefined) doc.session = c.session as InputDocument["session"];
  if (c.intent !== undefined && c.intent !== null) doc.intent = c.intent;
  return doc;
}

/** Evaluates through the reference interpreter (development, differential tests). */
export function interpreterHarness(ir: PolicyIR): Harness {
  return {
    buildInput: async (c) => (await buildCaseInput(ir, c)) as unknown as JsonValue,
    evaluate: async (input, data) => evaluateDecision(ir, input, data),
  };
}

/** A findings function from an engine that only exposes `warden/findings`. */
export function decisionFrom(findings: Finding[]): Decision {
  return decisionFromFindings(findings);
}
