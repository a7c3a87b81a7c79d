// The tokens of the Warden policy language, in lexer priority order.
// Keywords are categorised as `Name` so that positions taking any word (a field after
// `.`, an object key, a rule id, a scope) accept them; `longer_alt: Identifier` keeps
// `mask-pii` or `format` one identifier rather than a keyword plus a tail.
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Any word: an identifier or a keyword (a category token, never produced by the lexer). */
export const Name = createToken({ name: "Name", pattern: Lexer.NA });

// Kebab-case words are single identifiers: the language has no minus operator.
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
  categories: [Name],
});

const keywordList: TokenType[] = [];
function keyword(word: string): TokenType {
  const t = createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Name],
  });
  keywordList.push(t);
  return t;
}

export const Policy = keyword("policy");
export const Classify = keyword("classify");
export const Const = keyword("const");
export const Rule = keyword("rule");
export const Test = keyword("test");
export const Title = keyword("title");
export const Doc = keyword("doc");
export const Severity = keyword("severity");
export const On = keyword("on");
export const For = keyword("for");
export const In = keyword("in");
export const Where = keyword("where");
export const When = keyword("when");
export const Unless = keyword("unless");
export const Deny = keyword("deny");
export const Warn = keyword("warn");
export const Info = keyword("info");
export const Mask = keyword("mask");
export const With = keyword("with");
export const Require = keyword("require");
export const Approval = keyword("approval");
export const Allow = keyword("allow");
export const As = keyword("as");
export const Session = keyword("session");
export const Intent = keyword("intent");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");
export const Contains = keyword("contains");
export const Any = keyword("any");
export const All = keyword("all");
export const Matches = keyword("matches");
export const Like = keyword("like");
export const Is = keyword("is");
export const Count = keyword("count");
export const True = keyword("true");
export const False = keyword("false");
export const Null = keyword("null");

export const KEYWORDS: ReadonlySet<string> = new Set(keywordList.map((t) => t.name.toLowerCase()));

/** A one-line string of either quoting: what the parser consumes where a string goes. */
export const StringLit = createToken({ name: "StringLit", pattern: Lexer.NA });
/** A triple-quoted string: only `doc` accepts one. */
export const DocString = createToken({ name: "DocString", pattern: Lexer.NA });

// Strings. The unterminated forms come after the terminated ones: the lexer reports
// them (W0103) and the parser sees an ordinary string, so parsing goes on.
export const TripleString = createToken({ name: "TripleString", pattern: /"""[\s\S]*?"""/, line_breaks: true, categories: [DocString] });
export const UnterminatedTriple = createToken({ name: "UnterminatedTriple", pattern: /"""[\s\S]*/, line_breaks: true, categories: [DocString] });
export const DoubleString = createToken({ name: "DoubleString", pattern: /"(?:[^"\\\r\n]|\\.)*"/, categories: [StringLit] });
export const SingleString = createToken({ name: "SingleString", pattern: /'(?:[^'\\\r\n]|\\.)*'/, categories: [StringLit] });
export const UnterminatedDouble = createToken({ name: "UnterminatedDouble", pattern: /"(?:[^"\\\r\n]|\\.)*\\?/, categories: [StringLit] });
export const UnterminatedSingle = createToken({ name: "UnterminatedSingle", pattern: /'(?:[^'\\\r\n]|\\.)*\\?/, categories: [StringLit] });

export const NumberLit = createToken({ name: "NumberLit", pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/ });

export const Arrow = createToken({ name: "Arrow", pattern: /=>/ });
export const EqEq = createToken({ name: "EqEq", pattern: /==/ });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/ });
export const LtEq = createToken({ name: "LtEq", pattern: /<=/ });
export const GtEq = createToken({ name: "GtEq", pattern: />=/ });
export const Lt = createToken({ name: "Lt", pattern: /</ });
export const Gt = createToken({ name: "Gt", pattern: />/ });
export const Assign = createToken({ name: "Assign", pattern: /=/ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /]/ });
export const LBrace = createToken({ name: "LBrace", pattern: /{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /}/ });

export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: "comments" });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\uFEFF]+/, group: Lexer.SKIPPED, line_breaks: true });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  TripleString,
  UnterminatedTriple,
  DoubleString,
  UnterminatedDouble,
  SingleString,
  UnterminatedSingle,
  NumberLit,
  Arrow,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Assign,
  Dot,
  Comma,
  Colon,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  // Longest first, so `info` is tried before `in` and `allow` before `all`.
  ...[...keywordList].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier,
  Name,
  StringLit,
  DocString,
];

let lexer: Lexer | undefined;

/** The one lexer, built on first use: building it costs start-up time commands without policies should not pay. */
export function wardenLexer(): Lexer {
  lexer ??= new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: true });
  return lexer;
}
