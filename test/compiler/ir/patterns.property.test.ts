// Property tests: glob, LIKE and code-point order against independent models
// (regular expressions with the `u` flag, and arrays of code points).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compareCodePoints, globMatch, likeMatch } from "../../../src/compiler/ir/interpret.js";

// Small alphabets so that random patterns and subjects actually match each other often.
const subjectChar = fc.constantFrom("a", "b", ".", "_", "%", "\\", "*", "?", "😀", "é");
const subject = fc.array(subjectChar, { maxLength: 10 }).map((xs) => xs.join(""));
const globPattern = fc.array(fc.constantFrom("a", "b", ".", "*", "**", "?", "😀", "_", "\\"), { maxLength: 8 }).map((xs) => xs.join(""));
const likePattern = fc.array(fc.constantFrom("a", "b", ".", "%", "_", "\\", "\\%", "\\_", "😀", "*"), { maxLength: 8 }).map((xs) => xs.join(""));

const escapeRe = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function globModel(pattern: string): RegExp {
  const cps = Array.from(pattern);
  let re = "";
  for (let i = 0; i < cps.length; i++) {
    if (cps[i] === "*" && cps[i + 1] === "*") {
      re += "[\\s\\S]*";
      i++;
    } else if (cps[i] === "*") re += "[^.]*";
    else if (cps[i] === "?") re += "[^.]";
    else re += escapeRe(cps[i]!);
  }
  return new RegExp(`^${re}$`, "u");
}

function likeModel(pattern: string): RegExp {
  const cps = Array.from(pattern);
  let re = "";
  for (let i = 0; i < cps.length; i++) {
    if (cps[i] === "\\") re += escapeRe(i + 1 < cps.length ? cps[++i]! : "\\");
    else if (cps[i] === "%") re += "[\\s\\S]*";
    else if (cps[i] === "_") re += "[\\s\\S]";
    else re += escapeRe(cps[i]!);
  }
  return new RegExp(`^${re}$`, "u");
}

describe("pattern properties", () => {
  it("globMatch agrees with the regex model", () => {
    fc.assert(fc.property(globPattern, subject, (p, s) => globMatch(p, s) === globModel(p).test(s)), { numRuns: 5000 });
  });
  it("likeMatch agrees with the regex model", () => {
    fc.assert(fc.property(likePattern, subject, (p, s) => likeMatch(p, s) === likeModel(p).test(s)), { numRuns: 5000 });
  });
  it("a string matches itself as a glob when it has no wildcards", () => {
    fc.assert(fc.property(subject.filter((s) => !/[*?]/.test(s)), (s) => globMatch(s, s)));
  });
  it("the models are not vacuous: both outcomes occur", () => {
    let yes = 0;
    let no = 0;
    fc.assert(fc.property(globPattern, subject, (p, s) => { if (globMatch(p, s)) yes++; else no++; }), { numRuns: 2000 });
    expect(yes).toBeGreaterThan(20);
    expect(no).toBeGreaterThan(20);
  });
});

describe("code point order", () => {
  const str = fc.string({ unit: fc.constantFrom("a", "z", "\uff5e", "\ue000", "\u{10000}", "\u{1f600}", "é", ""), maxLength: 6 });
  const model = (a: string, b: string): number => {
    const x = Array.from(a, (ch) => ch.codePointAt(0)!);
    const y = Array.from(b, (ch) => ch.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return Math.sign(x.length - y.length);
  };
  it("agrees with comparing arrays of code points", () => {
    fc.assert(fc.property(str, str, (a, b) => compareCodePoints(a, b) === model(a, b)), { numRuns: 5000 });
  });
  it("is the UTF-8 byte order", () => {
    fc.assert(
      fc.property(str, str, (a, b) => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))) === compareCodePoints(a, b)),
      { numRuns: 2000 },
    );
  });
});
