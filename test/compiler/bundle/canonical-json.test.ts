import { describe, expect, it } from "vitest";
import { canonicalJson, goJsonString, CanonicalJsonError } from "../../../src/compiler/bundle/canonical-json.js";
import { hashBundleFile } from "../../../src/compiler/bundle/sign.js";
import { createHash } from "node:crypto";

describe("canonicalJson (OPA's signature hashing form)", () => {
  it("sorts keys recursively and drops whitespace", () => {
    expect(canonicalJson('{ "b": [ {"z": 1, "a": 2} ], "a": null, "c": {"y": true, "x": false} }')).toBe(
      '{"a":null,"b":[{"a":2,"z":1}],"c":{"x":false,"y":true}}',
    );
  });
  it("keeps number literals exactly as written (OPA hashes json.Number text)", () => {
    expect(canonicalJson("[1.50, 1e3, -0, 123.45678911111111111111111111111111111111, 10E-2]")).toBe(
      "[1.50,1e3,-0,123.45678911111111111111111111111111111111,10E-2]",
    );
  });
  it("orders keys by bytes, so astral keys sort after U+FF5E", () => {
    expect(canonicalJson('{"\u{1f600}":1,"\uff5e":2,"B":3,"a":4}')).toBe('{"B":3,"a":4,"\uff5e":2,"\u{1f600}":1}');
  });
  it("escapes strings as Go does with HTML escaping off", () => {
    expect(goJsonString('<a href="x">&</a>')).toBe('"<a href=\\"x\\">&</a>"');
    expect(goJsonString("\u0000\u0001\b\f\n\r\t\u001f")).toBe('"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f"');
    expect(goJsonString("line\u2028sep\u2029")).toBe('"line\\u2028sep\\u2029"');
    expect(goJsonString("é😀/")).toBe('"é😀/"');
    expect(canonicalJson('"\\u00e9\\/\\ud83d\\ude00"')).toBe('"é/😀"');
    expect(canonicalJson('"\\ud800x"')).toBe('"\ufffdx"');
  });
  it("a repeated key keeps the last value", () => {
    expect(canonicalJson('{"a":1,"a":2}')).toBe('{"a":2}');
  });
  it.each([["{"], ["[1,]"], ['{"a" 1}'], ["01"], ["tru"], ['"\\x"'], ["1 2"], [""]])("rejects %s", (text) => {
    expect(() => canonicalJson(text)).toThrow(CanonicalJsonError);
  });
  it("hashes JSON files canonically and other files raw", () => {
    const sha = (s: string | Buffer): string => createHash("sha256").update(s).digest("hex");
    expect(hashBundleFile("/data.json", Buffer.from('{ "b": 1, "a": 2 }\n'))).toBe(sha('{"a":2,"b":1}'));
    expect(hashBundleFile("/x/data.json", Buffer.from("[ 1 ]"))).toBe(sha("[1]"));
    expect(hashBundleFile("/.manifest", Buffer.from('{"roots": ["warden"], "revision": ""}'))).toBe(sha('{"revision":"","roots":["warden"]}'));
    expect(hashBundleFile("/warden/policy.rego", Buffer.from("package warden\n"))).toBe(sha("package warden\n"));
    expect(hashBundleFile("/other.json", Buffer.from("{ }"))).toBe(sha("{ }"));
    expect(hashBundleFile("/data.json", Buffer.from("[1]"), "SHA-512")).toBe(createHash("sha512").update("[1]").digest("hex"));
  });
});
