// Temporary projects for `warden check` tests: files written into a fresh directory, a
// private policy cache, and a small policy of our own so the expected findings are exact.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const GATE_POLICY = `policy test.gate

classify pii: "*.email"
const blocked_tables = ["customers"]

rule no-drop {
  title "Dropping tables"
  doc "https://example.test/rules/no-drop"
  on migration, sql
  for t in statement.targets
  when statement.kind == "drop_table"
  deny "DROP TABLE {t.name} destroys data"
}

rule truncate-blocked {
  title "Truncating a blocked table"
  doc """
    Truncating a table that the team has listed in blocked_tables.

    Delete the rows you mean to delete instead.
    """
  on migration, sql
  for t in statement.targets
  when statement.kind == "truncate" and t.name in blocked_tables
  warn "TRUNCATE {t.name} empties a blocked table"
}

rule pii-read {
  title "Reading PII"
  on sql, retraining
  for r in statement.reads where r is pii
  info "reads PII column {r.table}.{r.column}"
}
`;

export function makeProject(files: Record<string, string>): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-check-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  const cache = mkdtempSync(path.join(tmpdir(), "warden-cache-"));
  return { dir, env: { XDG_CACHE_HOME: cache } };
}

/** A project checked with GATE_POLICY: one error, one warning, one info finding. */
export function gateProject(extra: Record<string, string> = {}, config = "policies: [policy/gate.warden]\n") {
  return makeProject({
    "warden.config.yaml": config,
    "policy/gate.warden": GATE_POLICY,
    "migrations/001_init.sql": "CREATE TABLE customers (id bigint, email text);\n",
    "migrations/002_drop.sql": "-- retire the old table\nDROP TABLE old_orders;\n",
    "sql/cleanup.sql": "SELECT 1;\n\nTRUNCATE customers;\n",
    "sql/report.sql": "SELECT id,\n       email\nFROM customers;\n",
    ...extra,
  });
}

/**
 * A rule whose finding depends on the catalog: a NOT NULL column without a default added to
 * a table that existed before the migration (so replay order and cached catalogs matter).
 */
export function requiredColumnRule(id: string, message: string): string {
  return `rule ${id} {
  title "Required column on an existing table"
  on migration
  for a in statement.actions
  when a.kind == "add_column" and a.not_null and not a.has_default and statement.targets[0].existed_before
  deny "${message}"
}
`;
}

/** Runs git in `dir` with a committer identity of its own (tests commit in fresh repositories). */
export const gitIn =
  (dir: string) =>
  (...args: string[]): string =>
    execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: dir, stdio: "pipe", encoding: "utf8" });
