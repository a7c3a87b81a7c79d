// String literals: decoding as written (with a map back to source offsets, so that
// interpolated paths inside a message get exact spans) and encoding for `fmt`.

export interface DecodedString {
  value: string;
  quote: '"' | "'" | '"""';
  /** Source offset of the character that produced value[i] (i = value.length: the end). */
  offsetAt(i: number): number;
  terminated: boolean;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "'": "'", "\\": "\\" };

/** Decodes a string token's image found at source offset `start`. */
export function decodeString(image: string, start: number): DecodedString {
  if (image.startsWith('"""')) return decodeTriple(image, start);
  const quote = image[0] as '"' | "'";
  const terminated = image.length >= 2 && image.endsWith(quote) && !endsWithOddBackslashes(image.slice(1, -1));
  const body = terminated ? image.slice(1, -1) : image.slice(1);
  if (!body.includes("\\")) return { value: body, quote, offsetAt: (i) => start + 1 + i, terminated };
  let value = "";
  const offsets: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    const at = start + 1 + i;
    if (c === "\\" && i + 1 < body.length) {
      const n = body[i + 1]!;
      if (n in ESCAPES) {
        value += ESCAPES[n];
        offsets.push(at);
        i++;
        continue;
      }
      if (n === "u" && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(body.slice(i + 2, i + 6), 16));
        offsets.push(at);
        i += 5;
        continue;
      }
      // Any other backslash stays as written: LIKE and glob patterns use it themselves.
    }
    value += c;
    offsets.push(at);
  }
  offsets.push(start + 1 + body.length);
  return { value, quote, offsetAt: (i) => offsets[i]!, terminated };
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

/**
 * Triple-quoted strings take their content verbatim. When the content starts with a
 * line break (the block form), that break, a last line of only blanks, and the common
 * indentation of the non-blank lines are removed.
 */
function decodeTriple(image: string, start: number): DecodedString {
  const terminated = image.length >= 6 && image.endsWith('"""');
  const body = terminated ? image.slice(3, -3) : image.slice(3);
  const bodyStart = start + 3;
  const block = /^\r?\n/.exec(body);
  if (!block) {
    return { value: body, quote: '"""', offsetAt: (i) => bodyStart + i, terminated };
  }
  // Lines with their source offsets.
  const lines: { text: string; at: number }[] = [];
  let pos = block[0].length;
  while (pos <= body.length) {
    const nl = body.indexOf("\n", pos);
    const end = nl === -1 ? body.length : nl;
    const text = body.slice(pos, end).replace(/\r$/, "");
    lines.push({ text, at: bodyStart + pos });
    if (nl === -1) break;
    pos = nl + 1;
  }
  if (lines.length > 0 && lines[lines.length - 1]!.text.trim() === "") lines.pop();
  let indent = Infinity;
  for (const l of lines) if (l.text.trim() !== "") indent = Math.min(indent, l.text.length - l.text.trimStart().length);
  if (indent === Infinity) indent = 0;
  let value = "";
  const offsets: number[] = [];
  lines.forEach((l, n) => {
    if (n > 0) {
      value += "\n";
      offsets.push(l.at - 1);
    }
    const cut = l.text.trim() === "" ? l.text.length : indent;
    for (let i = cut; i < l.text.length; i++) {
      value += l.text[i];
      offsets.push(l.at + i);
    }
  });
  offsets.push(terminated ? start + image.length - 3 : start + image.length);
  return { value, quote: '"""', offsetAt: (i) => offsets[i]!, terminated };
}

function canBlock(value: string): boolean {
  if (value.includes('"""') || value.includes("\r")) return false;
  const lines = value.split("\n");
  if (lines.some((l) => /^[ \t]+$/.test(l))) return false;
  const nonBlank = lines.filter((l) => l !== "");
  return nonBlank.length === 0 || nonBlank.some((l) => !/^[ \t]/.test(l));
}

function canInline(value: string): boolean {
  return !/[\r\n]/.test(value) && !value.includes('"""') && !value.endsWith('"');
}

/**
 * Writes `value` back as a string literal in the given quoting (canonical escapes).
 * A triple-quoted value that cannot be written back verbatim falls back to `"`.
 * `indent` is the indentation of the line the literal starts on.
 */
export function encodeString(value: string, quote: '"' | "'" | '"""', indent = ""): string {
  if (quote === '"""') {
    if (value.includes("\n") && canBlock(value)) {
      const body = value
        .split("\n")
        .map((l) => (l === "" ? "" : indent + "  " + l))
        .join("\n");
      return `"""\n${body}\n${indent}  """`;
    }
    if (canInline(value)) return `"""${value}"""`;
  }
  const q = quote === "'" ? "'" : '"';
  let out = q;
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const next = chars[i + 1];
    if (c === q) out += "\\" + q;
    // A backslash before a character that is no escape reads back as itself:
    // keep LIKE patterns such as 'tmp\_%' as their authors write them.
    else if (c === "\\") out += next !== undefined && next >= " " && !(next in ESCAPES) && next !== "u" ? "\\" : "\\\\";
    else if (c === "\n") out += "\\n";
    else if (c === "\t") out += "\\t";
    else if (c === "\r") out += "\\r";
    else if (c < " ") out += "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
    else out += c;
  }
  return out + q;
}
