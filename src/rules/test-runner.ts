// Runs the `test` blocks of a policy: each case's SQL becomes an input document (facts
// extracted with the case's scope), is evaluated, and its expectation is judged.
// The runner is engine-agnostic: `Harness` supplies fact extraction and evaluation, so
// `warden test` runs the compiled wasm bundle while unit tests may use the interpreter.
import type { Decision, JsonValue, PolicyIR } from "../compiler/ir/ir.js";
import type { PolicyTest } from "../compiler/pipeline.js";
import type { Span } from "../diagnostics/span.js";
import { describeExpectation, describeOutcome, judge, type Expectation } from "./judge.js";

/** Test blocks as the compiler hands them over (see compileSources). */
export type { PolicyTest, TestCase as PolicyTestCase } from "../compiler/pipeline.js";

/** What a harness needs to turn a case into an input document. */
export interface CaseContext {
  scope: string;
  sql: string;
  identity?: JsonValue;
  session?: JsonValue;
  intent?: string | null;
  /**
   * Tables that exist before the case, replayed as an earlier migration: SQL (a test
   * case's `catalog "..."`) or `{tables: {"schema.t": {columns}}}` (rule README examples).
   */
  catalog?: JsonValue;
  /** The path the SQL pretends to live at (decides e.g. the dbt model name). */
  path: string;
}

export interface Harness {
  buildInput(c: CaseContext): Promise<JsonValue>;
  evaluate(input: JsonValue, data: JsonValue): Promise<Decision>;
}

export interface CaseResult {
  /** The test block's rule. */
  rule: string;
  span: Span;
  scope: string;
  sql: string;
  /** The case's `config { ... }`, when it has one. */
  config?: JsonValue;
  /** The case's `catalog "..."`, when it has one. */
  catalog?: string;
  expected: string;
  passed: boolean;
  /** Set when the case failed: what it produced instead. */
  got?: string;
  /** Set when the case could not be evaluated at all (extraction or engine error). */
  error?: string;
  decision?: Decision;
}

export interface RuleCoverage {
  rule: string;
  span: Span;
  /** Cases in test blocks for this rule. */
  cases: number;
  /** Cases (in any block) that expect this rule to fire. */
  firing: number;
}

export interface TestRun {
  results: CaseResult[];
  coverage: RuleCoverage[];
  /** Test blocks naming a rule the policy does not define. */
  orphans: PolicyTest[];
}

/** Path a case's SQL is given: dbt models need to sit under models/ to be read as one. */
export function casePath(scope: string, rule: string): string {
  if (scope === "dbt_model") return `models/${rule.replace(/-/g, "_")}.sql`;
  if (scope === "retraining") return `retraining/${rule}.sql`;
  if (scope === "migration") return `migrations/${rule}.sql`;
  return `${rule}.sql`;
}

type JsonObject = { [k: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `over` merged into `base`: objects key by key, recursively; anything else (lists included) replaces. */
export function deepMerge(base: JsonValue | undefined, over: JsonValue): JsonValue {
  if (!isObject(base) || !isObject(over)) return over;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/**
 * The data document a case runs with: `data` itself, or with the case's `config { ... }`
 * merged into `warden.config` the way `warden.config.yaml` settings arrive there. `data`
 * is not modified, so the next case starts from the bundle's data again.
 */
export function withCaseConfig(data: JsonValue, config: JsonValue | undefined): JsonValue {
  if (config === undefined) return data;
  const root = isObject(data) ? data : {};
  const warden = isObject(root.warden) ? root.warden : {};
  return { ...root, warden: { ...warden, config: deepMerge(warden.config, config) } };
}

export async function runPolicyTests(ir: PolicyIR, tests: PolicyTest[], data: JsonValue, harness: Harness): Promise<TestRun> {
  const ruleIds = new Set(ir.rules.map((r) => r.id));
  const results: CaseResult[] = [];
  const orphans: PolicyTest[] = [];
  for (const block of tests) {
    if (!ruleIds.has(block.rule)) orphans.push(block);
    for (const c of block.cases) {
      const expect: Expectation = c.expect;
      const base = { rule: block.rule, span: c.span, scope: c.scope, sql: c.sql, ...(c.config !== undefined ? { config: c.config } : {}), ...(c.catalog !== undefined ? { catalog: c.catalog } : {}), expected: describeExpectation(expect) };
      let decision: Decision;
      try {
        const input = await harness.buildInput({
          scope: c.scope,
          sql: c.sql,
          identity: c.identity,
          session: c.session,
          intent: c.intent,
          ...(c.catalog !== undefined ? { catalog: c.catalog } : {}),
          path: casePath(c.scope, block.rule),
        });
        decision = await harness.evaluate(input, withCaseConfig(data, c.config));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        results.push({ ...base, passed: false, error: message, got: `error: ${message}` });
        continue;
      }
      const passed = judge(expect, block.rule, decision);
      results.push(passed ? { ...base, passed, decision } : { ...base, passed, decision, got: describeOutcome(expect, block.rule, decision) });
    }
  }
  const coverage: RuleCoverage[] = ir.rules.map((r) => {
    let cases = 0;
    let firing = 0;
    for (const block of tests) {
      for (const c of block.cases) {
        if (block.rule === r.id) cases++;
        if (c.expect.kind !== "allow" && c.expect.kind !== "mask" && c.expect.rule === r.id) firing++;
        else if (c.expect.kind === "mask" && block.rule === r.id) firing++;
      }
    }
    return { rule: r.id, span: r.span, cases, firing };
  });
  return { results, coverage, orphans };
}
