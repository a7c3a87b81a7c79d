// The floor of any Warden design built on libpg-query's wasm parser: one whole Node.js
// process that loads the parser, reads the given files and parses each once — no facts, no
// policy, no report. `bench/check.mjs` times it next to `warden check` and squawk, so the
// share of a cold run that the parser alone costs is measured in the same run.
import { readFileSync } from "node:fs";
import { loadModule, parseSync } from "libpg-query";

await loadModule();
let statements = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    statements += parseSync(readFileSync(file, "utf8")).stmts?.length ?? 0;
  } catch {
    failed++; // a file with a syntax error stops at its first one; Warden splits and goes on
  }
}
process.stdout.write(JSON.stringify({ files: process.argv.length - 2, statements, failed }) + "\n");
