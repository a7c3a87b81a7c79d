// Property: whatever sequence of edits a project goes through (migrations appended, edited,
// removed in either of two services' migration sets; other SQL edited; configuration
// changed), a run answered partly or wholly from the result cache reports exactly what a run
// without it reports.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../src/engine/check.js";
import type { CheckResult } from "../../src/engine/types.js";
import { requiredColumnRule } from "../helpers/check-project.js";

const POLICY = `policy test.cacheprop

classify pii: "*.email"

${requiredColumnRule("required-on-existing", "adds required column {a.column} to {statement.targets[0].name}")}
rule drop {
  title "Dropping tables"
  on migration, sql
  for t in statement.targets
  when statement.kind == "drop_table"
  warn "drops {t.name}"
}

rule pii-read {
  title "Reading PII"
  on sql
  for r in statement.reads where r is pii
  info "reads {r.table}.{r.column}"
}
`;

const TABLES = ["users", "orders", "events"];
const statement = fc.oneof(
  fc.constantFrom(...TABLES).map((t) => `CREATE TABLE ${t} (id int, email text);`),
  fc.tuple(fc.constantFrom(...TABLES), fc.constantFrom("tier", "note", "email2")).map(([t, c]) => `ALTER TABLE ${t} ADD COLUMN ${c} text NOT NULL;`),
  fc.constantFrom(...TABLES).map((t) => `DROP TABLE ${t};`),
  fc.constantFrom(...TABLES).map((t) => `SELECT * FROM ${t};`),
  fc.constant("SELEC broken;"),
);
const sqlText = fc.array(statement, { minLength: 1, maxLength: 3 }).map((s) => s.join("\n") + "\n");

type Op = { kind: "append"; text: string; svc: number } | { kind: "edit"; at: number; text: string } | { kind: "remove"; at: number } | { kind: "query"; text: string } | { kind: "config"; pattern: string } | { kind: "severity"; level: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(sqlText, fc.constantFrom(0, 1)).map(([text, svc]) => ({ kind: "append" as const, text, svc })),
  fc.tuple(fc.nat(), sqlText).map(([at, text]) => ({ kind: "edit" as const, at, text })),
  fc.nat().map((at) => ({ kind: "remove" as const, at })),
  sqlText.map((text) => ({ kind: "query" as const, text })),
  fc.constantFrom("*.tier", "*.note", "orders.*").map((pattern) => ({ kind: "config" as const, pattern })),
  fc.constantFrom("off", "error", "info").map((level) => ({ kind: "severity" as const, level })),
);

const view = (r: CheckResult) => ({ findings: r.findings, summary: r.summary, exitCode: r.exitCode, errors: r.errors.map((e) => e.message) });

describe("result cache (property)", () => {
  it("agrees with an uncached run after any sequence of edits", async () => {
    const cacheHome = mkdtempSync(path.join(tmpdir(), "warden-cacheprop-home-"));
    const prev = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cacheHome;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(sqlText, { minLength: 1, maxLength: 3 }), fc.array(op, { minLength: 1, maxLength: 4 }), async (initial, ops) => {
          const dir = mkdtempSync(path.join(tmpdir(), "warden-cacheprop-"));
          const cacheDir = mkdtempSync(path.join(tmpdir(), "warden-cacheprop-results-"));
          // two services, a migration set each; sql/ is as near to one as to the other
          for (const svc of ["svc0", "svc1"]) mkdirSync(path.join(dir, svc, "migrations"), { recursive: true });
          mkdirSync(path.join(dir, "sql"));
          writeFileSync(path.join(dir, "policy.warden"), POLICY);
          const names: string[] = [];
          let next = 1;
          const add = (text: string, svc = 0) => {
            const name = `svc${svc}/migrations/V${next++}__m.sql`;
            names.push(name);
            writeFileSync(path.join(dir, name), text);
          };
          const patterns = ["*.phone"];
          let severity: string | undefined;
          const config = () =>
            writeFileSync(path.join(dir, "warden.config.yaml"), `policies: [policy.warden]\nclassifications:\n  pii: [${patterns.map((p) => `'${p}'`).join(", ")}]\n${severity ? `rules:\n  drop: ${severity}\n` : ""}`);
          config();
          initial.forEach((text, i) => add(text, i % 2));
          writeFileSync(path.join(dir, "sql/q.sql"), "SELECT * FROM users;\n");
          writeFileSync(path.join(dir, "svc1/q.sql"), "SELECT * FROM orders;\n");
          try {
            const check = async () => {
              const cached = await runCheck({ cwd: dir, cache: true, cacheDir });
              const fresh = await runCheck({ cwd: dir, cache: false });
              expect(view(cached)).toEqual(view(fresh));
            };
            await check();
            for (const o of ops) {
              if (o.kind === "append") add(o.text, o.svc);
              else if (o.kind === "edit" && names.length) writeFileSync(path.join(dir, names[o.at % names.length]!), o.text);
              else if (o.kind === "remove" && names.length > 1) rmSync(path.join(dir, names.splice(o.at % names.length, 1)[0]!));
              else if (o.kind === "query") writeFileSync(path.join(dir, "sql/q.sql"), o.text);
              else if (o.kind === "config") {
                patterns.push(o.pattern);
                config();
              } else if (o.kind === "severity") {
                severity = o.level;
                config();
              }
              await check();
            }
          } finally {
            rmSync(dir, { recursive: true, force: true });
            rmSync(cacheDir, { recursive: true, force: true });
          }
        }),
        { numRuns: 25, seed: 20261126 },
      );
    } finally {
      if (prev === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = prev;
      rmSync(cacheHome, { recursive: true, force: true });
    }
  }, 120_000);
});
