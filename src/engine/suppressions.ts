// `-- warden-ignore RULE[, RULE]: reason` (covers the next statement, or the statement on its
// line when it follows code there) and `-- warden-ignore-file RULE: reason` (covers the whole
// file). Only real `--` comments count: a lexical scan skips string literals, quoted names,
// block comments and dollar-quoted strings (but reads function and DO bodies, which are code).
// Suppressions without a reason, and ones that suppress nothing, become findings of their own.
import { didYouMean } from "../diagnostics/diagnostic.js";
import { LineIndex } from "../diagnostics/span.js";
import { dollarTag, isSpace, skipToken, type Tok } from "../sql/lexer.js";

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
  /** Index of the statement a `statement` suppression covers, or -1 when there is none. */
  statement: number;
  /** That statement and the ones nested in it (a function's or DO block's body). */
  covers: number[];
  /** The directive follows code on its line and covers that code's statement. */
  trailing: boolean;
  /**
   * Words after the rules that no comma joins to them, when there is no colon: more rule ids
   * missing their commas, or (when any is not a rule) a reason missing its colon.
   */
  loose?: { words: SuppressionRule[]; text: string };
}

export interface StatementSpan {
  index: number;
  /** The statement kind: decides whether its dollar-quoted strings are code bodies. */
  kind?: string;
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

const MENTION = /warden-ignore/i;

/** Whether a text mentions a directive at all (most files do not: nothing to read then). */
export function mentionsSuppression(text: string): boolean {
  return MENTION.test(text);
}
const DIRECTIVE = /^--\s*warden-ignore(-file)?(?=\s|:|$)/i;
/** Statements whose dollar-quoted strings are bodies of code, where `--` starts a real comment. */
const BODY_KINDS = new Set(["create_function", "create_procedure", "do"]);
/** Jinja (dbt) tags, skipped whole so that quotes in them do not open SQL strings. */
const JINJA_CLOSE: Record<string, string> = { "{": "}}", "%": "%}", "#": "#}" };

interface Pos {
  line: number;
  column: number;
}

function compare(a: Pos, line: number, column: number): number {
  return a.line !== line ? a.line - line : a.column - column;
}

/** The innermost statement whose span holds p (a nested statement rather than its function). */
function statementAt(statements: readonly StatementSpan[], p: Pos): StatementSpan | undefined {
  let best: StatementSpan | undefined;
  for (const s of statements) {
    const l = s.location;
    if (compare(p, l.line, l.column) < 0) continue;
    if (compare(p, l.end_line ?? l.line, l.end_column ?? Infinity) >= 0) continue;
    if (!best || compare(l, best.location.line, best.location.column) >= 0) best = s;
  }
  return best;
}

/**
 * Every suppression comment of a file, each tied to the statement it covers: the statement
 * of the code before it on its line, else the next statement (blank lines, comments and
 * text that is no statement, such as Jinja tags, may come between).
 */
export function parseSuppressions(text: string, statements: readonly StatementSpan[]): Suppression[] {
  if (!MENTION.test(text)) return [];
  const lines = new LineIndex(text);
  const out: Suppression[] = [];
  const tok: Tok = { end: 0, comment: false };

  // scans code in [from, to): the file, or a function body (opened by the token at `opener`)
  const scan = (from: number, to: number, opener: number): void => {
    // statement directives waiting for the next statement of this stretch of code
    const pending: Suppression[] = [];
    // the last significant token: where it starts (its statement) and ends (its line)
    let sigStart = opener;
    let sigEnd = opener < 0 ? -1 : from;
    const significant = (start: number, end: number): void => {
      sigStart = start;
      sigEnd = end;
      if (pending.length === 0) return;
      const st = statementAt(statements, lines.position(start));
      if (!st) return;
      for (const s of pending) s.statement = st.index;
      pending.length = 0;
    };
    let i = from;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        i++;
        continue;
      }
      if (c === 45 && text.charCodeAt(i + 1) === 45) {
        // a `--` comment runs to the end of its line (CR alone ends a line too)
        let end = i + 2;
        while (end < to && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
        const s = directive(text, i, end, lines);
        if (s) {
          out.push(s);
          if (s.scope === "statement") {
            if (sigEnd > i - lines.position(i).column + 1) {
              s.trailing = true;
              s.statement = statementAt(statements, lines.position(sigStart))?.index ?? -1;
            } else pending.push(s);
          }
        }
        i = end;
        continue;
      }
      const close = c === 123 ? JINJA_CLOSE[text[i + 1]!] : undefined;
      if (close) {
        const e = text.indexOf(close, i + 2);
        const end = e < 0 || e + 2 > to ? to : e + 2;
        if (close !== "#}") significant(i, end);
        i = end;
        continue;
      }
      skipToken(text, i, tok);
      const end = Math.min(tok.end, to);
      if (!tok.comment && c !== 59) {
        significant(i, end);
        const tag = c === 36 && end - i > 1 ? dollarTag(text, i) : null;
        if (tag) {
          const st = statementAt(statements, lines.position(i));
          if (st?.kind !== undefined && BODY_KINDS.has(st.kind)) {
            const bodyEnd = end - tag.length >= i + tag.length && text.startsWith(tag, end - tag.length) ? end - tag.length : end;
            scan(i + tag.length, bodyEnd, i);
            sigStart = i;
            sigEnd = end;
          }
        }
      }
      i = end;
    }
  };
  scan(0, text.length, -1);
  for (const s of out) {
    const st = s.statement >= 0 ? statements.find((x) => x.index === s.statement) : undefined;
    if (st) s.covers = statements.filter((x) => x === st || within(x, st)).map((x) => x.index);
  }
  return out;
}

/** Whether statement a lies inside statement b's span (a statement of b's body). */
function within(a: StatementSpan, b: StatementSpan): boolean {
  const l = a.location;
  const m = b.location;
  return compare(l, m.line, m.column) >= 0 && compare({ line: l.end_line ?? l.line, column: l.end_column ?? Infinity }, m.end_line ?? m.line, m.end_column ?? Infinity) <= 0;
}

/** The suppression a `--` comment at [start, end) holds, if it is a directive. */
function directive(text: string, start: number, end: number, lines: LineIndex): Suppression | undefined {
  const comment = text.slice(start, end);
  const m = DIRECTIVE.exec(comment);
  if (!m) return undefined;
  const { line, column } = lines.position(start);
  const rest = comment.slice(m[0].length);
  const colon = rest.indexOf(":");
  const list = colon < 0 ? rest : rest.slice(0, colon);
  const rules: SuppressionRule[] = [];
  const words: SuppressionRule[] = [];
  let looseFrom = -1;
  let prevEnd = 0;
  const re = /[^,\s]+/g;
  for (let r = re.exec(list); r; r = re.exec(list)) {
    const at = column + m[0].length + r.index;
    const word = { id: r[0], line, column: at, endColumn: at + r[0].length };
    // without a colon, the first word no comma joins to the list starts something else
    if (colon < 0 && looseFrom < 0 && rules.length > 0 && !list.slice(prevEnd, r.index).includes(",")) looseFrom = r.index;
    (looseFrom < 0 ? rules : words).push(word);
    prevEnd = r.index + r[0].length;
  }
  const scope = m[1] ? "file" : "statement";
  const s: Suppression = {
    scope,
    rules,
    reason: colon < 0 ? "" : rest.slice(colon + 1).trim(),
    line,
    column,
    endColumn: column + comment.length,
    statement: -1,
    covers: [],
    trailing: false,
  };
  if (words.length > 0) s.loose = { words, text: list.slice(looseFrom).trim() };
  return s;
}

/**
 * Drops the findings that suppressions cover and returns the engine findings about the
 * suppressions themselves. `knownRules` feeds "did you mean" help for misspelt ids, and
 * tells rule ids missing their commas from a reason missing its colon.
 */
export function applySuppressions<T extends { rule: string; statement: number }>(
  findings: T[],
  suppressions: readonly Suppression[],
  knownRules: Iterable<string>,
): { kept: T[]; suppressed: number; engine: EngineFinding[] } {
  const known = [...knownRules];
  const knownSet = new Set(known);
  // loose words that are all rule ids are rules (as a list without commas reads before a colon)
  const rulesOf = new Map<Suppression, SuppressionRule[]>();
  for (const s of suppressions) rulesOf.set(s, s.loose?.words.every((w) => knownSet.has(w.id)) ? [...s.rules, ...s.loose.words] : s.rules);
  const used = new Set<SuppressionRule>();
  const kept: T[] = [];
  let suppressed = 0;
  for (const f of findings) {
    let covered = false;
    for (const s of suppressions) {
      if (s.scope === "statement" && !s.covers.includes(f.statement)) continue;
      for (const r of rulesOf.get(s)!) {
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
  for (const s of suppressions) {
    const directive = s.scope === "file" ? "warden-ignore-file" : "warden-ignore";
    const rules = rulesOf.get(s)!;
    if (s.loose && rules === s.rules) {
      // `-- warden-ignore RULE reason words`: one finding about the colon, not one per word
      const first = s.loose.words[0]!;
      const last = s.loose.words[s.loose.words.length - 1]!;
      engine.push({
        rule: "suppression-without-reason",
        message: `missing \`:\` between the rules and the reason of \`${directive}\``,
        help: `write \`-- ${directive} ${rules.map((r) => r.id).join(", ")}: ${s.loose.text}\``,
        line: s.line,
        column: first.column,
        end_line: s.line,
        end_column: last.endColumn,
      });
    } else if (!s.reason) {
      engine.push({
        rule: "suppression-without-reason",
        message: `\`${directive}\` without a reason`,
        help: `say why after a colon: \`-- ${directive} ${rules[0]?.id ?? "RULE"}: reason\``,
        line: s.line,
        column: s.column,
        end_line: s.line,
        end_column: s.endColumn,
      });
    }
    if (rules.length === 0) {
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
    for (const r of rules) {
      if (used.has(r)) continue;
      const target =
        s.scope === "file"
          ? "in this file"
          : s.trailing
            ? s.statement < 0
              ? "(no statement on its line)"
              : "on the statement on its line"
            : s.statement < 0
              ? "(no statement follows it)"
              : "on the next statement";
      engine.push({
        rule: "unused-suppression",
        message: `\`${directive} ${r.id}\` suppresses nothing ${target}`,
        help: (knownSet.has(r.id) ? undefined : didYouMean(r.id, known)) ?? "remove it, or move it onto the comment lines right above the statement it is meant for",
        line: r.line,
        column: r.column,
        end_line: r.line,
        end_column: r.endColumn,
      });
    }
  }
  return { kept, suppressed, engine };
}
