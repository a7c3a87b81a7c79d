// `warden test [PATHS]`: runs the `test` blocks of policy files (default: the built-in
// rules) and reports every case, the failing ones with file:line, expected and got,
// plus per-rule coverage. Exit 1 when a case fails (or, with --require-coverage, when a
// rule has no test case); 2 on usage errors or unreadable paths.
import type { RegisterCommand } from "./index.js";
import { defaultData } from "../../compiler/ir/interpret.js";
import { compileSources, loadPolicySources } from "../../compiler/pipeline.js";
import { builtinRulesDir, loadRuleLibrary, packageRoot, type PolicySource } from "../../rules/library.js";
import { renderDiagnostics } from "../../rules/builtin.js";
import { runPolicyTests, type TestRun } from "../../rules/test-runner.js";
import { harnessFor, ENGINES, type EngineName } from "../../rules/engines.js";

interface TestOptions {
  engine: string;
  requireCoverage?: boolean;
  format: string;
  quiet?: boolean;
}

export const registerTest: RegisterCommand = (program, setExit) => {
  program
    .command("test")
    .description("run the test blocks of policy files (default: the built-in rules)")
    .argument("[paths...]", "policy files or directories (default: the built-in rule library)")
    .option("--engine <engine>", `evaluate with: ${ENGINES.join(" or ")}`, ENGINES[0])
    .option("--require-coverage", "fail when a rule has no test case")
    .option("--format <format>", "output format: text or json", "text")
    .option("-q, --quiet", "print only failing cases and the summary")
    .addHelpText(
      "after",
      "\nExamples:\n  warden test\n  warden test policies/ --require-coverage\n  warden test policies/team.warden --engine interpreter\n" +
        "\nExit codes:\n  0  every case passed\n  1  failed cases, compile errors, or (--require-coverage) a rule without a case\n  2  unreadable input or usage error\n",
    )
    .action(async (paths: string[], opts: TestOptions) => {
      if (!(ENGINES as readonly string[]).includes(opts.engine)) {
        process.stderr.write(`error: unknown engine \`${opts.engine}\`\n  = help: use ${ENGINES.map((e) => `\`${e}\``).join(" or ")}\n`);
        return setExit(2);
      }
      if (opts.format !== "text" && opts.format !== "json") {
        process.stderr.write(`error: unknown format \`${opts.format}\`\n  = help: use \`text\` or \`json\`\n`);
        return setExit(2);
      }
      let sources: PolicySource[];
      if (paths.length === 0) {
        sources = loadRuleLibrary(builtinRulesDir(), packageRoot()).sources;
      } else {
        const loaded = await loadPolicySources(paths);
        if (loaded.diagnostics.length > 0) {
          process.stderr.write(`${renderDiagnostics(loaded.diagnostics, [])}\n`);
          return setExit(2);
        }
        sources = loaded.sources;
      }
      const result = compileSources(sources);
      if (!result.ir || !result.tests) {
        process.stderr.write(`${renderDiagnostics(result.diagnostics, sources)}\n`);
        return setExit(1);
      }
      const harness = await harnessFor(opts.engine as EngineName, result.ir);
      const run = await runPolicyTests(result.ir, result.tests, defaultData(result.ir), harness);
      const failed = run.results.filter((r) => !r.passed).length;
      const uncovered = run.coverage.filter((c) => c.cases === 0);
      if (opts.format === "json") {
        process.stdout.write(`${JSON.stringify(toJson(run), null, 2)}\n`);
      } else {
        process.stdout.write(formatText(run, { quiet: opts.quiet === true, requireCoverage: opts.requireCoverage === true }));
      }
      if (failed > 0 || (opts.requireCoverage && uncovered.length > 0)) setExit(1);
    });
};

function oneLine(sql: string, max = 60): string {
  const s = sql.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

function where(span: { file: string; start: { line: number; column: number } }): string {
  return `${span.file}:${span.start.line}:${span.start.column}`;
}

export function formatText(run: TestRun, opts: { quiet: boolean; requireCoverage: boolean }): string {
  const out: string[] = [];
  for (const r of run.results) {
    if (r.passed && opts.quiet) continue;
    const head = `${r.passed ? "ok  " : "FAIL"} ${where(r.span)}  ${r.scope} ${JSON.stringify(oneLine(r.sql))} => ${r.expected}`;
    out.push(head);
    if (!r.passed) {
      // the case's outcome depends on the tables it replays: show them with the failure
      if (r.catalog !== undefined) out.push(`       catalog:  ${JSON.stringify(oneLine(r.catalog))}`);
      out.push(`       expected: ${r.expected}`);
      out.push(`       got:      ${r.got ?? ""}`);
    }
  }
  const passed = run.results.filter((r) => r.passed).length;
  const failed = run.results.length - passed;
  if (out.length > 0) out.push("");
  out.push(`cases: ${passed} passed, ${failed} failed, ${run.results.length} total`);
  const covered = run.coverage.filter((c) => c.cases > 0).length;
  out.push(`coverage: ${covered} of ${run.coverage.length} rules have test cases`);
  for (const c of run.coverage) {
    if (c.cases === 0) out.push(`${where(c.span)}: ${opts.requireCoverage ? "error" : "warning"}: rule \`${c.rule}\` has no test case`);
  }
  for (const c of run.coverage) {
    if (c.cases > 0 && c.firing === 0) out.push(`${where(c.span)}: note: no case expects rule \`${c.rule}\` to fire`);
  }
  return `${out.join("\n")}\n`;
}

function toJson(run: TestRun) {
  return {
    cases: run.results.map((r) => ({
      rule: r.rule,
      file: r.span.file,
      line: r.span.start.line,
      column: r.span.start.column,
      scope: r.scope,
      sql: r.sql,
      ...(r.catalog !== undefined ? { catalog: r.catalog } : {}),
      expected: r.expected,
      passed: r.passed,
      ...(r.passed ? {} : { got: r.got ?? null }),
    })),
    coverage: run.coverage.map((c) => ({ rule: c.rule, file: c.span.file, line: c.span.start.line, cases: c.cases, firing: c.firing })),
    summary: {
      passed: run.results.filter((r) => r.passed).length,
      failed: run.results.filter((r) => !r.passed).length,
      rules: run.coverage.length,
      uncovered: run.coverage.filter((c) => c.cases === 0).map((c) => c.rule),
    },
  };
}
