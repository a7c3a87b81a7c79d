// Golden files for the front end, beside their fixtures in fixtures/policies:
//   good/X.warden (or good/DIR/ as one compile) → X.ast.json (parser), X.ir.json (lowering + tests)
//   bad/X.warden  (or bad/DIR/)                 → X.diagnostics.txt (code frames, as the CLI prints)
// Regenerate with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileSources, type PolicySource } from "../../../src/compiler/pipeline.js";
import { renderDiagnostic } from "../../../src/diagnostics/render.js";
import { LineIndex, type Span } from "../../../src/diagnostics/span.js";
import { REPO_ROOT } from "../../helpers/run.js";

const ROOT = path.join(REPO_ROOT, "fixtures/policies");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Each top-level .warden file is a compile of its own; each directory is one compile of all its files. */
function units(kind: "good" | "bad"): { name: string; sources: PolicySource[] }[] {
  const dir = path.join(ROOT, kind);
  const out: { name: string; sources: PolicySource[] }[] = [];
  for (const e of readdirSync(dir).sort()) {
    const full = path.join(dir, e);
    const rel = (f: string) => path.relative(REPO_ROOT, f).split(path.sep).join("/");
    if (statSync(full).isDirectory()) {
      const files = readdirSync(full).filter((f) => f.endsWith(".warden")).sort();
      out.push({ name: e, sources: files.map((f) => ({ path: rel(path.join(full, f)), text: readFileSync(path.join(full, f), "utf8") })) });
    } else if (e.endsWith(".warden")) out.push({ name: e.slice(0, -".warden".length), sources: [{ path: rel(full), text: readFileSync(full, "utf8") }] });
  }
  return out;
}

/** Spans shortened to `file:line:col-line:col` so goldens stay readable. */
function compactSpans(v: unknown): string {
  return `${JSON.stringify(
    v,
    (k, x) => {
      if (k === "span" && x && typeof x === "object") {
        const s = x as Span;
        return `${s.file}:${s.start.line}:${s.start.column}-${s.end.line}:${s.end.column}`;
      }
      return x;
    },
    2,
  )}\n`;
}

function golden(file: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `missing golden ${path.relative(REPO_ROOT, file)}; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("front-end goldens", () => {
  for (const u of units("good")) {
    it(`good/${u.name} compiles without diagnostics and matches its AST and IR goldens`, () => {
      const r = compileSources(u.sources);
      expect(r.diagnostics).toEqual([]);
      golden(path.join(ROOT, "good", `${u.name}.ast.json`), compactSpans(r.files));
      golden(path.join(ROOT, "good", `${u.name}.ir.json`), compactSpans({ ir: r.ir, tests: r.tests }));
    });
  }
  for (const u of units("bad")) {
    it(`bad/${u.name} fails with the diagnostics of its golden`, () => {
      const r = compileSources(u.sources);
      expect(r.ir).toBeUndefined();
      expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
      const index = new Map(u.sources.map((s) => [s.path, new LineIndex(s.text)]));
      golden(path.join(ROOT, "bad", `${u.name}.diagnostics.txt`), r.diagnostics.map((d) => renderDiagnostic(d, index)).join("\n\n") + "\n");
    });
  }
});
