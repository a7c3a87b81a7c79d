// The rule catalogue: one entry per rule of a compiled policy (id, severity, scopes,
// title, doc), with the area and README of its folder when it comes from a library.
import type { PolicyIR, Scope, Severity, Action } from "../compiler/ir/ir.js";
import path from "node:path";
import { readFileSync } from "node:fs";
import type { RuleLibrary } from "./library.js";
import { parseReadme } from "./readme.js";

export interface CatalogueEntry {
  id: string;
  severity: Severity;
  action: Action;
  on: Scope[];
  title: string;
  doc: string;
  /** Library area (`migrations`, `everywhere`, ...); "" outside a library folder. */
  area: string;
  /** The policy file that defines the rule, as given to the compiler. */
  source: string;
  line: number;
  /** The README's one-line summary, when the rule has a README. */
  summary: string | null;
}

export function buildCatalogue(ir: PolicyIR, library?: RuleLibrary): CatalogueEntry[] {
  const folders = new Map((library?.folders ?? []).map((f) => [f.id, f]));
  return ir.rules
    .map((r) => {
      const folder = folders.get(r.id);
      let summary: string | null = null;
      if (folder?.readmePath) summary = parseReadme(readFileSync(folder.readmePath, "utf8")).summary || null;
      return {
        id: r.id,
        severity: r.severity,
        action: r.action,
        on: [...r.on],
        title: r.title,
        doc: r.doc,
        area: folder?.area ?? areaOf(r.span.file),
        source: r.span.file,
        line: r.span.start.line,
        summary,
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function areaOf(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts.length >= 3 && path.basename(file) === "rule.warden" ? parts[parts.length - 3]! : "";
}

const ALL_SCOPES: readonly Scope[] = ["migration", "dbt_model", "retraining", "sql", "runtime"];

/** `ban-drop-table  error    migration,runtime  Dropping a table destroys its data` */
export function formatCatalogueText(entries: CatalogueEntry[]): string {
  const idWidth = Math.max(2, ...entries.map((e) => e.id.length));
  const sevWidth = Math.max(...entries.map((e) => e.severity.length), 8);
  const scopeText = entries.map((e) => (ALL_SCOPES.every((s) => e.on.includes(s)) ? "all" : e.on.join(",")));
  const scopeWidth = Math.max(5, ...scopeText.map((s) => s.length));
  return entries
    .map((e, i) => `${e.id.padEnd(idWidth)}  ${e.severity.padEnd(sevWidth)}  ${scopeText[i]!.padEnd(scopeWidth)}  ${e.title}`.trimEnd())
    .join("\n");
}
