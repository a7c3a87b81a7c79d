import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyBaseline, baselineWriteError, readBaseline, writeBaseline } from "../../src/engine/baseline.js";
import { normaliseStatement, statementFingerprint } from "../../src/engine/fingerprint.js";
import type { CheckFinding } from "../../src/engine/types.js";

describe("normaliseStatement", () => {
  it("drops comments and collapses whitespace outside quoted text", () => {
    expect(normaliseStatement("DROP   TABLE -- why\n  /* a /* nested */ note */ t ;\n")).toBe("DROP TABLE t");
    expect(normaliseStatement("SELECT 'a  -- b',  \"x  y\", $f$ keep  -- this $f$, E'it\\'s  x'")).toBe("SELECT 'a  -- b', \"x  y\", $f$ keep  -- this $f$, E'it\\'s  x'");
    expect(normaliseStatement("select a-b, c/d, $1 from t")).toBe("select a-b, c/d, $1 from t");
  });

  it("gives the same fingerprint when only layout changes, another when the text changes", () => {
    expect(statementFingerprint("DROP TABLE t;")).toBe(statementFingerprint("  DROP\n\tTABLE t -- gone\n;"));
    expect(statementFingerprint("DROP TABLE t;")).not.toBe(statementFingerprint("DROP TABLE u;"));
    expect(statementFingerprint("DROP TABLE t;")).toMatch(/^[0-9a-f]{16}$/);
  });
});

const finding = (rule: string, file: string, text: string, line: number): CheckFinding => ({
  rule,
  severity: "error",
  message: `${rule} at ${line}`,
  file,
  line,
  column: 1,
  end_line: line,
  end_column: 2,
  help: "",
  doc: "",
  statement: 0,
  fingerprint: statementFingerprint(text),
});

describe("baseline", () => {
  it("round-trips and matches by rule, file and fingerprint, counting repeats", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-baseline-"));
    const file = path.join(dir, "baseline.json");
    const old = [finding("ban-drop-table", "m/1.sql", "DROP TABLE t;", 3), finding("pii", "r/a.sql", "SELECT email FROM c;", 1), finding("pii", "r/a.sql", "SELECT email FROM c;", 1)];
    writeBaseline(file, old);
    const json = JSON.parse(readFileSync(file, "utf8"));
    expect(json.version).toBe(1);
    expect(json.findings).toHaveLength(3);
    const { counts, error } = readBaseline(file, "baseline.json");
    expect(error).toBeUndefined();
    const now = [
      finding("ban-drop-table", "m/1.sql", "DROP  TABLE t;", 9), // moved and re-spaced: still known
      finding("ban-drop-table", "m/2.sql", "DROP TABLE t;", 3), // other file: new
      finding("pii", "r/a.sql", "SELECT email FROM c;", 1),
      finding("pii", "r/a.sql", "SELECT email FROM c;", 1),
      finding("pii", "r/a.sql", "SELECT email FROM c;", 1), // a third repeat: new
    ];
    const r = applyBaseline(now, counts!);
    expect(r.baselined).toBe(3);
    expect(r.kept.map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(["ban-drop-table m/2.sql:3", "pii r/a.sql:1"]);
  });

  it("rejects a file that is not a baseline", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-baseline-"));
    writeFileSync(path.join(dir, "x.json"), "{\"findings\": 3}");
    writeFileSync(path.join(dir, "y.json"), "not json");
    expect(readBaseline(path.join(dir, "x.json"), "x.json").error!.message).toBe("`x.json` is not a warden baseline");
    expect(readBaseline(path.join(dir, "y.json"), "y.json").error!.message).toBe("baseline is not valid JSON: unexpected `o`");
    expect(readBaseline(path.join(dir, "z.json"), "z.json").error!.message).toBe("cannot read baseline `z.json`: no such file or directory");
  });

  it("says how to get a baseline that is missing, and how to write one where it cannot", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-baseline-"));
    expect(readBaseline(path.join(dir, "z.json"), "z.json").error!.rendered).toBe(
      "error: cannot read baseline `z.json`: no such file or directory\n  = help: check the path (from the working directory), or write one with `warden check --write-baseline z.json`",
    );
    const notDir = Object.assign(new Error("ENOTDIR"), { code: "ENOTDIR" });
    expect(baselineWriteError("a.sql/b.json", notDir).rendered).toBe(
      "error: cannot write baseline `a.sql/b.json`: a part of its path is a file, not a directory\n  = help: pass `--write-baseline` a file in a writable directory",
    );
  });

  it("makes the directory it writes into", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-baseline-"));
    writeBaseline(path.join(dir, "ci/new/baseline.json"), [finding("r", "a.sql", "SELECT 1;", 1)]);
    expect(JSON.parse(readFileSync(path.join(dir, "ci/new/baseline.json"), "utf8")).findings).toHaveLength(1);
  });

  it("keys files from the repository root, and still matches entries written from the base directory", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-baseline-"));
    const repo = { baseDir: "/repo/db", repoRoot: "/repo" };
    writeBaseline(path.join(dir, "new.json"), [finding("r", "migrations/1.sql", "DROP TABLE t;", 1)], repo);
    expect(JSON.parse(readFileSync(path.join(dir, "new.json"), "utf8")).findings.map((e: { file: string }) => e.file)).toEqual(["db/migrations/1.sql"]);
    // the same file as a run from the repository root names it (several projects)
    const fromRoot = applyBaseline([finding("r", "db/migrations/1.sql", "DROP TABLE t;", 4)], readBaseline(path.join(dir, "new.json"), "new.json").counts!, { baseDir: "/repo", repoRoot: "/repo" });
    expect(fromRoot.baselined).toBe(1);
    // a baseline written before (file as the run reported it) still matches, once per entry
    writeBaseline(path.join(dir, "old.json"), [finding("r", "migrations/1.sql", "DROP TABLE t;", 1)]);
    const old = readBaseline(path.join(dir, "old.json"), "old.json").counts!;
    const twice = [finding("r", "migrations/1.sql", "DROP TABLE t;", 1), finding("r", "migrations/1.sql", "DROP TABLE t;", 2)];
    expect(applyBaseline(twice, old, repo)).toMatchObject({ baselined: 1, kept: [{ line: 2 }] });
    // no repository, or a file outside it: the path as reported
    writeBaseline(path.join(dir, "plain.json"), [finding("r", "migrations/1.sql", "x;", 1), finding("r", "/elsewhere/2.sql", "y;", 1)], { baseDir: "/repo/db" });
    writeBaseline(path.join(dir, "out.json"), [finding("r", "/elsewhere/2.sql", "y;", 1)], repo);
    expect(JSON.parse(readFileSync(path.join(dir, "plain.json"), "utf8")).findings.map((e: { file: string }) => e.file)).toEqual(["/elsewhere/2.sql", "migrations/1.sql"]);
    expect(JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8")).findings.map((e: { file: string }) => e.file)).toEqual(["/elsewhere/2.sql"]);
  });
});
