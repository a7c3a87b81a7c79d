// The built-in library's layout contract: one folder per rule, named by its id, holding
// the rule and its README; every README documents a rule and every rule has a README
// and a test block; the README follows the documented shape.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileLibrary } from "../../src/rules/builtin.js";
import { builtinRulesDir, displayPath, loadRuleLibrary, packageRoot } from "../../src/rules/library.js";
import { parseReadme } from "../../src/rules/readme.js";
import { parsePolicy } from "../../src/compiler/syntax/parse.js";

const AREAS = ["migrations", "everywhere", "governance", "runtime"];
const { library, result } = compileLibrary();
const ir = result.ir!;

describe("built-in rule library layout", () => {
  it("compiles without diagnostics", () => {
    expect(result.diagnostics).toEqual([]);
    expect(ir.rules.length).toBe(43);
  });

  it("keeps shared declarations in rules/classifications.warden and rules/constants.warden", () => {
    const top = library.sources.map((s) => s.path).filter((p) => !p.includes("/rule.warden"));
    expect(top).toEqual(["rules/classifications.warden", "rules/constants.warden"]);
    expect(ir.data.constants["migrator_roles"]).toEqual(["dba", "migrator"]);
    expect(ir.data.constants["pii_reader_roles"]).toEqual(["compliance", "dpo"]);
    for (const p of ["*.email", "*.phone", "*.ssn", "*.date_of_birth", "*.dob", "*.first_name", "*.last_name", "*.full_name", "*.address", "*.street_address", "*.ip_address", "*.passport_number", "*.credit_card", "*.card_number", "*.iban", "*.tax_id"]) {
      expect(ir.data.classifications["pii"]).toContain(p);
    }
  });

  it("has a folder with rule.warden and README.md for every rule, in a known area", () => {
    const byId = new Map(library.folders.map((f) => [f.id, f]));
    for (const rule of ir.rules) {
      const folder = byId.get(rule.id);
      expect(folder, `rule ${rule.id} has no folder`).toBeDefined();
      expect(AREAS).toContain(folder!.area);
      expect(folder!.rulePath, `${rule.id}: rule.warden`).not.toBeNull();
      expect(folder!.readmePath, `${rule.id}: README.md`).not.toBeNull();
      expect(rule.span.file).toBe(displayPath(folder!.rulePath!, packageRoot()));
    }
  });

  it("has a rule for every folder (no README without a rule)", () => {
    const ids = new Set(ir.rules.map((r) => r.id));
    const orphans = library.folders.filter((f) => !ids.has(f.id)).map((f) => f.id);
    expect(orphans).toEqual([]);
  });

  it("defines exactly its own rule and test block in each rule.warden", () => {
    for (const f of library.folders) {
      const parsed = parsePolicy(f.rulePath!, readFileSync(f.rulePath!, "utf8"));
      const rules = parsed.ast.decls.filter((d) => d.kind === "rule").map((d) => (d.kind === "rule" ? d.id.name : ""));
      const tests = parsed.ast.decls.filter((d) => d.kind === "test").map((d) => (d.kind === "test" ? d.rule.name : ""));
      expect(rules, f.id).toEqual([f.id]);
      expect(tests, f.id).toEqual([f.id]);
    }
  });

  it("gives every rule a title and its doc URL", () => {
    for (const r of ir.rules) {
      expect(r.title.length, r.id).toBeGreaterThan(10);
      expect(r.doc).toBe(`https://warden.dev/rules/${r.id}`);
    }
  });

  it("writes every README in the documented shape", () => {
    for (const f of library.folders) {
      const readme = parseReadme(readFileSync(f.readmePath!, "utf8"));
      expect(readme.id, f.readmePath!).toBe(f.id);
      expect(readme.problems, f.id).toEqual([]);
      expect(readme.summary.length, f.id).toBeGreaterThan(10);
      for (const s of ["Problem", "Why it hurts in production", "Safe alternative", "Incorrect", "Correct"]) expect(readme.sections, `${f.id}: ## ${s}`).toContain(s);
      expect(readme.examples.filter((e) => e.kind === "incorrect").length, f.id).toBeGreaterThan(0);
      expect(readme.examples.filter((e) => e.kind === "correct").length, f.id).toBeGreaterThan(0);
    }
  });

  it("reports a folder that lacks its README or its rule", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const os = await import("node:os");
    const dir = mkdtempSync(path.join(os.tmpdir(), "warden-lib-"));
    mkdirSync(path.join(dir, "migrations", "only-rule"), { recursive: true });
    mkdirSync(path.join(dir, "migrations", "only-doc"), { recursive: true });
    writeFileSync(path.join(dir, "migrations", "only-rule", "rule.warden"), "policy x\n");
    writeFileSync(path.join(dir, "migrations", "only-doc", "README.md"), "# only-doc\n");
    const lib = loadRuleLibrary(dir, dir);
    expect(lib.folders.map((f) => [f.id, f.area, f.rulePath !== null, f.readmePath !== null])).toEqual([
      ["only-doc", "migrations", false, true],
      ["only-rule", "migrations", true, false],
    ]);
    expect(lib.sources.map((s) => s.path)).toEqual(["migrations/only-rule/rule.warden"]);
  });

  it("finds the library next to the package", () => {
    expect(builtinRulesDir()).toBe(path.join(packageRoot(), "rules"));
  });

  it("lists every rule in docs/rules.md with its severity, scopes and title", () => {
    const doc = readFileSync(path.join(packageRoot(), "docs", "rules.md"), "utf8");
    const all = ["migration", "dbt_model", "retraining", "sql", "runtime"];
    for (const r of ir.rules) {
      const folder = library.folders.find((f) => f.id === r.id)!;
      const scopes = all.every((x) => r.on.includes(x as never)) ? "all" : r.on.join(", ");
      expect(doc, r.id).toContain(`| [\`${r.id}\`](../rules/${folder.area}/${r.id}/README.md) | ${r.severity} | ${scopes} | ${r.title} |`);
    }
    const rows = doc.split("\n").filter((l) => l.startsWith("| [`"));
    expect(rows.length).toBe(ir.rules.length);
  });
});
