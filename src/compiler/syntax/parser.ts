// The Warden grammar as one chevrotain CstParser (LL(2), rules as class properties so a
// misspelt subrule is a type error), with error recovery so one run reports every
// syntax error. The CST is turned into the AST by build-ast.ts.
import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import * as T from "./tokens.js";

/** How a token type reads in a message: keywords and punctuation in backticks. */
export function describeTokenType(t: TokenType): string {
  const name = t.name;
  if (t === EOF) return "end of file";
  if (T.KEYWORDS.has(name.toLowerCase()) && name !== "Name") return `\`${name.toLowerCase()}\``;
  switch (name) {
    case "Identifier":
    case "Name":
      return "a name";
    case "StringLit":
    case "DoubleString":
    case "SingleString":
      return "a string";
    case "DocString":
    case "TripleString":
      return "a triple-quoted string";
    case "NumberLit":
      return "a number";
  }
  const pattern = t.PATTERN;
  if (pattern instanceof RegExp) return `\`${pattern.source.replace(/\\/g, "")}\``;
  return name;
}

export function describeToken(tok: IToken): string {
  if (tok.tokenType === EOF) return "end of file";
  const image = tok.image.length > 30 ? `${tok.image.slice(0, 27)}...` : tok.image;
  return `\`${image.replace(/\r?\n/g, " ")}\``;
}

/** Separates a message from its help inside chevrotain's single error string. */
export const HELP_SEPARATOR = "\u0000";

function listExpected(paths: TokenType[][][]): string {
  const firsts = new Set<string>();
  for (const alt of paths) for (const path of alt) if (path[0]) firsts.add(describeTokenType(path[0]));
  // `session` and `intent` are names too where a path may start: don't list them twice.
  if (firsts.has("a name")) {
    firsts.delete("`session`");
    firsts.delete("`intent`");
  }
  const names = [...firsts];
  if (names.length === 0) return "";
  if (names.length === 1) return `expected ${names[0]}`;
  return `expected one of ${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `unexpected ${describeToken(actual)}${HELP_SEPARATOR}expected ${describeTokenType(expected)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}${HELP_SEPARATOR}expected \`policy\`, \`classify\`, \`const\`, \`rule\` or \`test\``;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual }) {
    return `unexpected ${describeToken(actual[0]!)}${HELP_SEPARATOR}${listExpected(expectedPathsPerAlt)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    return `unexpected ${describeToken(actual[0]!)}${HELP_SEPARATOR}${listExpected([expectedIterationPaths])}`;
  },
};

export class WardenParser extends CstParser {
  constructor() {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 2,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: messages,
    });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.decl));
  });

  decl = this.RULE("decl", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.policyDecl) },
      { ALT: () => this.SUBRULE(this.classifyDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.ruleDecl) },
      { ALT: () => this.SUBRULE(this.testDecl) },
    ]);
  });

  policyDecl = this.RULE("policyDecl", () => {
    this.CONSUME(T.Policy);
    this.AT_LEAST_ONE_SEP({ SEP: T.Dot, DEF: () => this.CONSUME(T.Name) });
  });

  classifyDecl = this.RULE("classifyDecl", () => {
    this.CONSUME(T.Classify);
    this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.StringLit) });
  });

  constDecl = this.RULE("constDecl", () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.jsonValue);
  });

  ruleDecl = this.RULE("ruleDecl", () => {
    this.CONSUME(T.Rule);
    this.CONSUME(T.Name);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.clause));
    this.CONSUME(T.RBrace);
  });

  clause = this.RULE("clause", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.titleClause) },
      { ALT: () => this.SUBRULE(this.docClause) },
      { ALT: () => this.SUBRULE(this.severityClause) },
      { ALT: () => this.SUBRULE(this.onClause) },
      { ALT: () => this.SUBRULE(this.forClause) },
      { ALT: () => this.SUBRULE(this.whenClause) },
      { ALT: () => this.SUBRULE(this.unlessClause) },
      { ALT: () => this.SUBRULE(this.messageClause) },
      { ALT: () => this.SUBRULE(this.maskClause) },
    ]);
  });

  titleClause = this.RULE("titleClause", () => {
    this.CONSUME(T.Title);
    this.CONSUME(T.StringLit);
  });

  docClause = this.RULE("docClause", () => {
    this.CONSUME(T.Doc);
    this.OR([{ ALT: () => this.CONSUME(T.StringLit) }, { ALT: () => this.CONSUME(T.DocString) }]);
  });

  severityClause = this.RULE("severityClause", () => {
    this.CONSUME(T.Severity);
    this.CONSUME(T.Name);
  });

  onClause = this.RULE("onClause", () => {
    this.CONSUME(T.On);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Name) });
  });

  forClause = this.RULE("forClause", () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.path);
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expression);
    });
  });

  whenClause = this.RULE("whenClause", () => {
    this.CONSUME(T.When);
    this.SUBRULE(this.expression);
  });

  unlessClause = this.RULE("unlessClause", () => {
    this.CONSUME(T.Unless);
    this.SUBRULE(this.expression);
  });

  messageClause = this.RULE("messageClause", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Deny) },
      { ALT: () => this.CONSUME(T.Warn) },
      { ALT: () => this.CONSUME(T.Info) },
      {
        ALT: () => {
          this.CONSUME(T.Require);
          this.CONSUME(T.Approval);
        },
      },
    ]);
    this.OR2([{ ALT: () => this.CONSUME(T.StringLit) }, { ALT: () => this.CONSUME(T.DocString) }]);
  });

  maskClause = this.RULE("maskClause", () => {
    this.CONSUME(T.Mask);
    this.SUBRULE(this.path);
    this.CONSUME(T.With);
    this.CONSUME(T.Name);
  });

  testDecl = this.RULE("testDecl", () => {
    this.CONSUME(T.Test);
    this.CONSUME(T.Name);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.testCase));
    this.CONSUME(T.RBrace);
  });

  testCase = this.RULE("testCase", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.SUBRULE(this.jsonObject, { LABEL: "identity" });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Session);
      this.SUBRULE2(this.jsonObject, { LABEL: "session" });
    });
    this.OPTION3(() => {
      this.CONSUME(T.Intent);
      this.CONSUME2(T.StringLit, { LABEL: "intent" });
    });
    // `config` is a keyword only here (a contextual one, so `const config` and
    // `for config in ...` keep working). Any value parses; the checker wants an object.
    this.OPTION4({
      GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(1).image === "config",
      DEF: () => {
        this.CONSUME2(T.Identifier, { LABEL: "configKeyword" });
        this.SUBRULE(this.jsonValue, { LABEL: "config" });
      },
    });
    // `catalog "SQL"`: contextual too (tables named `catalog` stay ordinary names).
    // Any value parses so the checker can say what it wants (a string of SQL).
    this.OPTION5({
      GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(1).image === "catalog",
      DEF: () => {
        this.CONSUME3(T.Identifier, { LABEL: "catalogKeyword" });
        this.SUBRULE2(this.jsonValue, { LABEL: "catalog" });
      },
    });
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.expectation);
  });

  expectation = this.RULE("expectation", () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Deny) },
            { ALT: () => this.CONSUME(T.Warn) },
            { ALT: () => this.CONSUME(T.Info) },
            { ALT: () => this.CONSUME(T.Approval) },
          ]);
          this.CONSUME(T.Name, { LABEL: "rule" });
        },
      },
      { ALT: () => this.CONSUME(T.Allow) },
      {
        ALT: () => {
          this.CONSUME(T.Mask);
          this.AT_LEAST_ONE_SEP({ SEP: T.Dot, DEF: () => this.CONSUME2(T.Name, { LABEL: "column" }) });
        },
      },
    ]);
  });

  jsonValue = this.RULE("jsonValue", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Null) },
      { ALT: () => this.SUBRULE(this.jsonArray) },
      { ALT: () => this.SUBRULE(this.jsonObject) },
    ]);
  });

  jsonArray = this.RULE("jsonArray", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.jsonValue) });
    this.CONSUME(T.RBracket);
  });

  jsonObject = this.RULE("jsonObject", () => {
    this.CONSUME(T.LBrace);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.jsonEntry) });
    this.CONSUME(T.RBrace);
  });

  jsonEntry = this.RULE("jsonEntry", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Name) }, { ALT: () => this.CONSUME(T.StringLit) }]);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.jsonValue);
  });

  // Expressions, loosest first: or < and < not/any/all < comparison < operand.
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpr);
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.notExpr);
    });
  });

  notExpr = this.RULE("notExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.quantExpr) },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  // The body of `any`/`all` reaches as far right as it can, like a lambda.
  quantExpr = this.RULE("quantExpr", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Any) }, { ALT: () => this.CONSUME(T.All) }]);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.path);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.operand);
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(T.EqEq) },
              { ALT: () => this.CONSUME(T.NotEq) },
              { ALT: () => this.CONSUME(T.LtEq) },
              { ALT: () => this.CONSUME(T.GtEq) },
              { ALT: () => this.CONSUME(T.Lt) },
              { ALT: () => this.CONSUME(T.Gt) },
            ]);
            this.SUBRULE2(this.operand);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.In);
            this.SUBRULE3(this.operand);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Contains);
            this.OPTION2(() => this.CONSUME(T.Any));
            this.SUBRULE4(this.operand);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Matches);
            this.CONSUME(T.StringLit);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Like);
            this.CONSUME2(T.StringLit);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Is);
            this.CONSUME(T.Name);
          },
        },
      ]);
    });
  });

  operand = this.RULE("operand", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.Null) },
      { ALT: () => this.SUBRULE(this.listExpr) },
      { ALT: () => this.SUBRULE(this.countExpr) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.path) },
    ]);
  });

  listExpr = this.RULE("listExpr", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.operand) });
    this.CONSUME(T.RBracket);
  });

  countExpr = this.RULE("countExpr", () => {
    this.CONSUME(T.Count);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });

  parenExpr = this.RULE("parenExpr", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });

  // `session` and `intent` are keywords in test cases but roots in expressions.
  path = this.RULE("path", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.Session) },
      { ALT: () => this.CONSUME(T.Intent) },
    ]);
    this.MANY(() => this.SUBRULE(this.pathSegment));
  });

  pathSegment = this.RULE("pathSegment", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Dot);
          this.CONSUME(T.Name);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.CONSUME(T.NumberLit);
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });
}

/** The one parser instance: chevrotain parsers are reusable and costly to build. */
let instance: WardenParser | undefined;
export function parserInstance(): WardenParser {
  instance ??= new WardenParser();
  return instance;
}
