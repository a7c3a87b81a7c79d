// Reads a rule's README.md: its title line, its sections, and the SQL examples under
// `## Incorrect` and `## Correct` that the docs tests run through the rule.
//
// An example fence may carry a JSON object after the language to give the context the
// SQL alone cannot: ```sql {"identity": {...}, "session": {...}, "intent": "...",
// "config": {...}, "catalog": {...}, "scope": "sql"}. Renderers show only the language.

import type { JsonValue } from "../compiler/ir/ir.js";

export interface ReadmeExample {
  kind: "incorrect" | "correct";
  sql: string;
  /** 1-based line of the first SQL line in the README. */
  line: number;
  options: ExampleOptions;
}

export interface ExampleOptions {
  scope?: string;
  identity?: JsonValue;
  session?: JsonValue;
  intent?: string;
  /** Merged into data.warden.config for this example. */
  config?: JsonValue;
  catalog?: JsonValue;
}

export interface ParsedReadme {
  /** The id on the first line (`# <id>`), or null when the first line is not a title. */
  id: string | null;
  /** The first paragraph after the title: the rule's one-line summary. */
  summary: string;
  sections: string[];
  examples: ReadmeExample[];
  problems: { line: number; message: string }[];
}

const OPTION_KEYS = new Set(["scope", "identity", "session", "intent", "config", "catalog"]);

export function parseReadme(text: string): ParsedReadme {
  const lines = text.split(/\r?\n/);
  const title = /^# (\S+)\s*$/.exec(lines[0] ?? "");
  const out: ParsedReadme = { id: title ? title[1]! : null, summary: "", sections: [], examples: [], problems: [] };
  let section = "";
  let i = 1;
  const summary: string[] = [];
  for (; i < lines.length && !lines[i]!.startsWith("## "); i++) {
    const l = lines[i]!.trim();
    if (l === "" && summary.length > 0) break;
    if (l !== "") summary.push(l);
  }
  out.summary = summary.join(" ");
  for (i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^## (.+?)\s*$/.exec(line);
    if (heading) {
      section = heading[1]!;
      out.sections.push(section);
      continue;
    }
    const fence = /^```(\S*)\s*(.*)$/.exec(line);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    if (end >= lines.length) out.problems.push({ line: i + 1, message: "unterminated code fence" });
    const kind = section === "Incorrect" ? "incorrect" : section === "Correct" ? "correct" : null;
    if (kind && fence[1] === "sql") {
      let options: ExampleOptions = {};
      if (fence[2]) {
        try {
          const parsed = JSON.parse(fence[2]) as unknown;
          if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
          for (const k of Object.keys(parsed)) {
            if (!OPTION_KEYS.has(k)) out.problems.push({ line: i + 1, message: `unknown example option \`${k}\`` });
          }
          options = parsed as ExampleOptions;
        } catch {
          out.problems.push({ line: i + 1, message: "example options after `sql` must be a JSON object" });
        }
      }
      out.examples.push({ kind, sql: lines.slice(start, end).join("\n") + "\n", line: start + 1, options });
    }
    i = end;
  }
  return out;
}
