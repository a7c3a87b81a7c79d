// `-- warden-ignore RULE[, RULE]: reason` (covers the statement right after the comment
// block) and `-- warden-ignore-file RULE: reason` (covers the whole file). Suppressions
// without a reason, and ones that suppress nothing, become findings of their own.
import { didYouMean } from "../diagnostics/diagnostic.js";

export interface SuppressionRule {
  id: string;
  line: number;
  column: number;
  endColumn: number;
}

export interface Suppression {
  scope: "statement" | "file";
  rules: SuppressionRule[];
  reason: string;
  line: number;
  column: number;
  endColumn: number;
  /** Index of the statement a `statement` suppression covers, or -1 when none follows. */
  statement: number;
}

export interface StatementSpan {
  index: number;
  location: { line: number; column: number; end_line?: number; end_column?: number };
}

export interface EngineFinding {
  rule: "unused-suppression" | "suppression-without-reason";
  message: string;
  help: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
}

const DIRECTIVE = /^(\s*--\s*)warden-ignore(-file)?(?=\s|:|$)(.*)$/;
const COMMENT_LINE = /^\s*--/;

/** Every suppression comment of a file, each tied to the statement it covers. */
export function parseSuppressions(text: string, statements: readonly StatementSpan[]): Suppression[] {
  if (!text.includes("warden-ignore")) return [];
  const lines = text.split(/\r\n|\r|\n/);
  const out: Suppression[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) continue;
    const line = i + 1;
    const keywordEnd = m[1]!.length + "warden-ignore".length + (m[2] ? m[2].length : 0);
    const rest = m[3]!;
    const colon = rest.indexOf(":");
    const list = colon < 0 ? rest : rest.slice(0, colon);
    const reason = colon < 0 ? "" : rest.slice(colon + 1).trim();
    const rules: SuppressionRule[] = [];
    const re = /[^,\s]+/g;
    for (let r = re.exec(list); r; r = re.exec(list)) {
      const column = keywordEnd + r.index + 1;
      rules.push({ id: r[0], line, column, endColumn: column + r[0].length });
    }
    const scope = m[2] ? "file" : "statement";
    out.push({
      scope,
      rules,
      reason,
      line,
      column: m[1]!.search(/--/) + 1,
      endColumn: lines[i]!.length + 1,
      statement: scope === "statement" ? coveredStatement(line, lines, statements) : -1,
    });
  }
  return out;
}

/**
 * The statement a `warden-ignore` on `line` covers: the one on the first line after the
 * comment block that holds the directive (the block may also be the start of the
 * statement's own text, when its location includes leading comments).
 */
function coveredStatement(line: number, lines: string[], statements: readonly StatementSpan[]): number {
  let next = line + 1;
  while (next <= lines.length && COMMENT_LINE.test(lines[next - 1]!)) next++;
  if (next > lines.length) return -1;
  for (const s of statements) {
    const start = s.location.line;
    const end = s.location.end_line ?? start;
    if (start > next || end < next) continue;
    if (start > line) return s.index;
    // the statement starts at or before the directive: only comments may lie in between
    let onlyComments = true;
    for (let l = start; l <= line; l++) if (!COMMENT_LINE.test(lines[l - 1]!)) onlyComments = false;
    if (onlyComments) return s.index;
  }
  return -1;
}

/**
 * Drops the findings that suppressions cover and returns the engine findings about the
 * suppressions themselves. `knownRules` feeds "did you mean" help for misspelt ids.
 */
export function applySuppressions<T extends { rule: string; statement: number }>(
  findings: T[],
  suppressions: readonly Suppression[],
  knownRules: Iterable<string>,
): { kept: T[]; suppressed: number; engine: EngineFinding[] } {
  const used = new Set<SuppressionRule>();
  const kept: T[] = [];
  let suppressed = 0;
  for (const f of findings) {
    let covered = false;
    for (const s of suppressions) {
      if (s.scope === "statement" && s.statement !== f.statement) continue;
      for (const r of s.rules) {
        if (r.id === f.rule) {
          used.add(r);
          covered = true;
        }
      }
    }
    if (covered) suppressed++;
    else kept.push(f);
  }
  const engine: EngineFinding[] = [];
  const known = [...knownRules];
  for (const s of suppressions) {
    const directive = s.scope === "file" ? "warden-ignore-file" : "warden-ignore";
    if (!s.reason) {
      engine.push({
        rule: "suppression-without-reason",
        message: `\`${directive}\` without a reason`,
        help: `say why after a colon: \`-- ${directive} ${s.rules[0]?.id ?? "RULE"}: reason\``,
        line: s.line,
        column: s.column,
        end_line: s.line,
        end_column: s.endColumn,
      });
    }
    if (s.rules.length === 0) {
      engine.push({
        rule: "unused-suppression",
        message: `\`${directive}\` names no rule`,
        help: `name the rules it covers: \`-- ${directive} RULE: reason\``,
        line: s.line,
        column: s.column,
        end_line: s.line,
        end_column: s.endColumn,
      });
    }
    for (const r of s.rules) {
      if (used.has(r)) continue;
      const target = s.scope === "file" ? "in this file" : s.statement < 0 ? "(no statement follows it)" : "on the next statement";
      engine.push({
        rule: "unused-suppression",
        message: `\`${directive} ${r.id}\` suppresses nothing ${target}`,
        help: (known.includes(r.id) ? undefined : didYouMean(r.id, known)) ?? "remove it, or move it onto the comment lines right above the statement it is meant for",
        line: r.line,
        column: r.column,
        end_line: r.line,
        end_column: r.endColumn,
      });
    }
  }
  return { kept, suppressed, engine };
}
