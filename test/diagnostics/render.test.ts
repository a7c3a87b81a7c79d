import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../src/diagnostics/diagnostic.js";
import { noteIndent, renderDiagnostic } from "../../src/diagnostics/render.js";
import { LineIndex } from "../../src/diagnostics/span.js";

describe("renderDiagnostic", () => {
  it("puts `= help:` under the frame's `|` when line numbers have two digits", () => {
    const text = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n");
    const index = new LineIndex(text);
    const ds = new Diagnostics();
    const d = ds.add("W0302", "unknown name `x`", index.span("p.warden", text.indexOf("line 11"), text.indexOf("line 11") + 4), "declare it first");
    const out = renderDiagnostic(d, new Map([["p.warden", index]])).split("\n");
    expect(out).toEqual([
      "p.warden:11:1: error[W0302]: unknown name `x`",
      "   |",
      "11 | line 11",
      "   | ^^^^",
      "   = help: declare it first",
    ]);
  });

  it("indents notes by the widest line number the frame shows", () => {
    expect(noteIndent(8, 8)).toBe("  ");
    expect(noteIndent(8, 10)).toBe("   ");
    expect(noteIndent(8, 40)).toBe("   ");
    expect(noteIndent(99, 99)).toBe("   ");
    expect(noteIndent(99, 100)).toBe("    ");
  });
});
