import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "../../src/diagnostics/diagnostic.js";

describe("editDistance", () => {
  it("counts an adjacent swap as one edit", () => {
    expect(editDistance("kidn", "kind")).toBe(1);
    expect(editDistance("drop_tabel", "drop_table")).toBe(1);
  });
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("didYouMean", () => {
  it("suggests the nearest name within reach", () => {
    expect(didYouMean("kidn", ["kind", "text", "index"])).toBe("did you mean `kind`?");
  });
  it("suggests nothing when every name is far away", () => {
    expect(didYouMean("zzzz", ["kind", "text", "index"])).toBeUndefined();
    expect(didYouMean("x", [])).toBeUndefined();
  });
});
