// SQL → facts: the public API of Warden's SQL side (migrations, dbt models, retraining and plain SQL).
export { initSqlParser } from "./parser.js";
export { blankNonSql } from "./preprocess.js";
export type { ParserOptions } from "./parser.js";
export { extractProject, extractStatementFacts, fileTypeOf, makeClassifier, compareMigrations, DEFAULT_MASKING } from "./project.js";
export type { ExtractOptions, ProjectFile, StatementOptions } from "./project.js";
export type * from "./facts.js";
