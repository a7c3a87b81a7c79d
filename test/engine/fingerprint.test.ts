// Statement normalisation behind fingerprints: comments dropped, whitespace collapsed,
// quoted text (including dollar quotes) kept verbatim, trailing `;` removed.
import { describe, expect, it } from "vitest";
import { hash, normaliseStatement, statementFingerprint } from "../../src/engine/fingerprint.js";

describe("normaliseStatement", () => {
  it("drops line and nested block comments and collapses whitespace", () => {
    expect(normaliseStatement("ALTER  TABLE t -- note\n\tADD /* a /* nested */ b */ COLUMN c int ;\n")).toBe("ALTER TABLE t ADD COLUMN c int");
  });
  it("keeps quoted text verbatim, with doubled quotes and E'' backslash escapes", () => {
    expect(normaliseStatement("SELECT 'a  --b', \"x  y\"\"z\", E'it\\'s  ok' ;")).toBe("SELECT 'a  --b', \"x  y\"\"z\", E'it\\'s  ok'");
    expect(normaliseStatement("SELECT 'it\\'  x'")).toBe("SELECT 'it\\' x'");
  });
  it("keeps dollar-quoted bodies verbatim and treats a lone `$` as text", () => {
    expect(normaliseStatement("DO $body$ BEGIN  -- keep\n END $body$;")).toBe("DO $body$ BEGIN  -- keep\n END $body$");
    expect(normaliseStatement("SELECT $$a  b$$, $1  +  $2")).toBe("SELECT $$a  b$$, $1 + $2");
    expect(normaliseStatement("SELECT $x")).toBe("SELECT $x");
  });
  it("runs an unterminated quote or comment to the end of the text", () => {
    expect(normaliseStatement("SELECT 'open  ")).toBe("SELECT 'open  ");
    expect(normaliseStatement("SELECT 1 /* open  ")).toBe("SELECT 1");
    expect(normaliseStatement("SELECT $t$ open  ")).toBe("SELECT $t$ open  ");
  });
});

describe("statementFingerprint", () => {
  it("is the first 16 hex digits of the SHA-256 of the normalised text", () => {
    expect(hash("abc")).toBe("ba7816bf8f01cfea");
    expect(statementFingerprint("  CREATE TABLE t (a int);  -- x")).toBe(hash("CREATE TABLE t (a int)"));
    expect(statementFingerprint("CREATE TABLE t (a int)")).not.toBe(statementFingerprint("CREATE TABLE u (a int)"));
  });
});
