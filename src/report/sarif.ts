// `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
// Paths are relative to the repository root (%SRCROOT%), as code scanning expects.
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { CheckResult, Severity } from "../engine/types.js";
import { hash } from "../engine/fingerprint.js";
import { VERSION } from "../version.js";
import { repoPath } from "./index.js";

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", info: "note" };
export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/**
 * A SARIF artifactLocation for a path relative to the base directory: a percent-encoded URI
 * reference relative to %SRCROOT% (the repository root, else the base directory), or an
 * absolute file URI for a file outside it.
 */
export function artifactLocation(result: CheckResult, file: string): { uri: string; uriBaseId?: string } {
  const root = result.repoRoot ?? result.baseDir;
  const abs = path.resolve(result.baseDir, file);
  const rel = path.relative(root, abs);
  if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: rel.split(path.sep).map(encodeSegment).join("/"), uriBaseId: "%SRCROOT%" };
}

/** RFC 3986: everything but unreserved characters percent-encoded as UTF-8 (`:` too, so a first segment is no scheme). */
function encodeSegment(s: string): string {
  // a lone surrogate has no UTF-8 form: encodeURIComponent would throw
  return encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"));
}

export function formatSarif(result: CheckResult): string {
  const rules = [...result.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const seen = new Map<string, number>();
  const results = result.findings.map((f) => {
    // stable across line moves: rule, file, statement text, and which repeat this is
    const base = `${f.rule}\0${repoPath(result, f)}\0${f.fingerprint}\0${f.message}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const r: Record<string, unknown> = {
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(result, f.file),
            region: { startLine: f.line, startColumn: f.column, endLine: f.end_line, endColumn: f.end_column },
          },
        },
      ],
      partialFingerprints: { "wardenFinding/v1": hash(`${base}\0${n}`) },
    };
    const i = index.get(f.rule);
    if (i !== undefined) r.ruleIndex = i;
    return r;
  });
  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: "warden",
        semanticVersion: VERSION,
        informationUri: "https://warden.dev",
        rules: rules.map((r) => {
          const help = r.help || r.title || r.id;
          return {
            id: r.id,
            shortDescription: { text: r.title || r.id },
            fullDescription: { text: help },
            ...(r.doc ? { helpUri: r.doc } : {}),
            help: r.doc ? { text: `${help}\n${r.doc}`, markdown: `${help}\n\n[Documentation](${r.doc})` } : { text: help },
            defaultConfiguration: { level: LEVEL[r.severity] },
            properties: { tags: ["warden", "database"] },
          };
        }),
      },
    },
    originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL((result.repoRoot ?? result.baseDir) + "/").href } },
    columnKind: "utf16CodeUnits",
    results,
    invocations: [
      {
        executionSuccessful: result.errors.length === 0,
        toolExecutionNotifications: result.errors.map((e) => ({
          level: "error",
          message: { text: e.message },
          ...(e.file
            ? { locations: [{ physicalLocation: { artifactLocation: artifactLocation(result, e.file), ...(e.line ? { region: { startLine: e.line, startColumn: e.column ?? 1 } } : {}) } }] }
            : {}),
        })),
      },
    ],
  };
  return JSON.stringify({ $schema: SARIF_SCHEMA, version: "2.1.0", runs: [run] }, null, 2) + "\n";
}
