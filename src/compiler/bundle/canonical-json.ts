// OPA's canonical form of a JSON document for bundle signatures: objects with keys
// sorted (byte order), no whitespace, strings escaped the way Go's encoding/json does
// (HTML escaping off), and numbers kept exactly as written in the file, because OPA
// parses data with json.Number and hashes the literal text.

export class CanonicalJsonError extends Error {}

/** Canonical text of the JSON document `text` (throws CanonicalJsonError on invalid JSON). */
export function canonicalJson(text: string): string {
  const p = new Parser(text);
  p.ws();
  const out = p.value();
  p.ws();
  if (p.i !== text.length) p.fail("unexpected text after the JSON value");
  return out;
}

/** Go's encoding/json string encoding with SetEscapeHTML(false). */
export function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c < 0x20) {
      if (c === 0x08) out += "\\b";
      else if (c === 0x0c) out += "\\f";
      else if (c === 0x0a) out += "\\n";
      else if (c === 0x0d) out += "\\r";
      else if (c === 0x09) out += "\\t";
      else out += "\\u00" + c.toString(16).padStart(2, "0");
    } else if (c === 0x2028 || c === 0x2029) out += "\\u" + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += "\ufffd"; // Go decodes a lone surrogate escape to U+FFFD
    else out += s[i];
  }
  return out + '"';
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new CanonicalJsonError(`${msg} at offset ${this.i}`);
  }

  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  value(): string {
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return goJsonString(this.string());
    for (const lit of ["true", "false", "null"]) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return lit;
      }
    }
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m) {
      this.i += m[0].length;
      return m[0];
    }
    return this.fail(c === undefined ? "unexpected end of JSON" : `unexpected character \`${c}\``);
  }

  object(): string {
    this.i++;
    const entries = new Map<string, string>();
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return "{}";
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expected a string key");
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail("expected `:`");
      this.i++;
      this.ws();
      entries.set(key, this.value()); // a repeated key keeps the last value, as Go's map does
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") break;
      if (c !== ",") this.fail("expected `,` or `}`");
    }
    const keys = [...entries.keys()].sort(byteOrder);
    return "{" + keys.map((k) => goJsonString(k) + ":" + entries.get(k)!).join(",") + "}";
  }

  array(): string {
    this.i++;
    const items: string[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return "[]";
    }
    for (;;) {
      this.ws();
      items.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") break;
      if (c !== ",") this.fail("expected `,` or `]`");
    }
    return "[" + items.join(",") + "]";
  }

  string(): string {
    this.i++;
    let out = "";
    for (;;) {
      const c = this.s.charCodeAt(this.i);
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("control character in string");
      if (c !== 0x5c) {
        out += this.s[this.i++];
        continue;
      }
      const e = this.s[this.i + 1];
      this.i += 2;
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const hex = this.s.slice(this.i, this.i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
          break;
        }
        default:
          this.i -= 2;
          this.fail("invalid escape");
      }
    }
  }
}
