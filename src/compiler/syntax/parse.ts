// The front door of the syntax layer: `parsePolicy(file, text)` lexes, parses with
// recovery and builds the AST, returning every lexical and syntax error of the file.
import type { IRecognitionException, IToken } from "chevrotain";
import { Diagnostics, didYouMean, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { LineIndex } from "../../diagnostics/span.js";
import type { Expr, PolicyFileAst } from "./ast.js";
import { AstBuilder } from "./build-ast.js";
import { HELP_SEPARATOR, parserInstance } from "./parser.js";
import * as T from "./tokens.js";

export interface ParseResult {
  ast: PolicyFileAst;
  diagnostics: Diagnostic[];
  /** `#` comments in source order (the formatter keeps them). */
  comments: IToken[];
  /** Expressions written inside parentheses (`fmt` keeps those parentheses). */
  parenthesized: ReadonlySet<Expr>;
}

const UNTERMINATED = new Set([T.UnterminatedDouble, T.UnterminatedSingle, T.UnterminatedTriple]);

export function parsePolicy(file: string, text: string): ParseResult {
  const index = new LineIndex(text);
  const diags = new Diagnostics();
  const lexed = T.wardenLexer().tokenize(text);
  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + e.length);
    const shown = ch.length > 20 ? `${ch.slice(0, 17)}...` : ch;
    diags.add("W0101", `unexpected character \`${shown}\``, index.span(file, e.offset, e.offset + e.length), helpForCharacter(ch));
  }
  for (const t of lexed.tokens) {
    if (!UNTERMINATED.has(t.tokenType)) continue;
    const closing = t.tokenType === T.UnterminatedTriple ? '"""' : t.image[0];
    diags.add("W0103", "unterminated string", index.span(file, t.startOffset, t.startOffset + t.image.length), `close it with \`${closing}\` on the same line`.replace(" on the same line", t.tokenType === T.UnterminatedTriple ? "" : " on the same line"));
  }

  const parser = parserInstance();
  parser.input = lexed.tokens;
  const cst = parser.file();
  // Recovery can trip twice over one token (e.g. a missing string, then a missing `=>`):
  // the first error at a position says it, the echoes would only repeat it.
  const reported = new Set<number>();
  for (const e of parser.errors) {
    const d = syntaxDiagnostic(e, file, index, text.length);
    const at = d.span?.start.offset ?? -1;
    if (reported.has(at)) continue;
    reported.add(at);
    diags.push(d);
  }

  const builder = new AstBuilder(file, index, diags);
  const ast = builder.buildFile(cst, file, text.length);
  const comments = (lexed.groups.comments ?? []) as IToken[];
  return { ast, diagnostics: diags.sorted(), comments, parenthesized: builder.parenthesized };
}

function helpForCharacter(ch: string): string | undefined {
  if (ch.startsWith("-")) return "rule ids are kebab-case words such as `no-drop-table`; expressions have no arithmetic";
  if (ch.startsWith("&") || ch.startsWith("|")) return "write `and` / `or`";
  if (ch.startsWith("!")) return "write `not`, or `!=` for inequality";
  if (ch.startsWith("/")) return "comments start with `#`";
  return undefined;
}

/** Words that start a declaration or a rule clause: a misspelt one is a plain name to the parser. */
const CLAUSE_WORDS = ["policy", "classify", "const", "rule", "test", "title", "doc", "severity", "on", "for", "when", "unless", "deny", "warn", "info", "mask", "require"];

function syntaxDiagnostic(e: IRecognitionException, file: string, index: LineIndex, length: number): Diagnostic {
  const [message, expected] = e.message.split(HELP_SEPARATOR);
  const t = e.token;
  // `titel "C"` inside a rule reads as an unexpected name: say which clause it resembles
  const guess = t.tokenType === T.Identifier && t.image.length >= 3 ? didYouMean(t.image, CLAUSE_WORDS) : undefined;
  const help = guess ?? expected;
  // At end of file chevrotain reports an EOF token with no offset: point at the end.
  const start = Number.isFinite(t.startOffset) ? t.startOffset : length;
  const end = Number.isFinite(t.endOffset) ? (t.endOffset as number) + 1 : length;
  return {
    code: "W0102",
    severity: "error",
    message: message ?? "syntax error",
    span: index.span(file, start, Math.max(end, start)),
    ...(help ? { help } : {}),
  };
}
