// `warden explain ID`: prints a built-in rule's documentation (its README), followed by
// its severity, scopes and where it is defined.
import { readFileSync } from "node:fs";
import type { RegisterCommand } from "./index.js";
import { didYouMean } from "../../diagnostics/diagnostic.js";
import { builtinRulesDir, displayPath, loadRuleLibrary, packageRoot } from "../../rules/library.js";
import { compileLibrary } from "../../rules/builtin.js";

export const registerExplain: RegisterCommand = (program, setExit) => {
  program
    .command("explain")
    .description("print the documentation of a built-in rule")
    .argument("<id>", "rule id, e.g. ban-drop-table (see `warden rules`)")
    .addHelpText("after", "\nExamples:\n  warden explain ban-drop-table\n  warden explain mask-pii\n\nExit codes:\n  0  printed\n  2  unknown rule id or usage error\n")
    .action((id: string) => {
      const library = loadRuleLibrary(builtinRulesDir(), packageRoot());
      const folder = library.folders.find((f) => f.id === id);
      if (!folder || !folder.readmePath) {
        const help = didYouMean(id, library.folders.filter((f) => f.readmePath).map((f) => f.id));
        process.stderr.write(`error: unknown rule \`${id}\`\n  = help: ${help ?? "run `warden rules` to list the rule ids"}\n`);
        setExit(2);
        return;
      }
      let text = readFileSync(folder.readmePath, "utf8");
      if (!text.endsWith("\n")) text += "\n";
      const { result } = compileLibrary();
      const rule = result.ir?.rules.find((r) => r.id === id);
      if (rule) {
        const source = folder.rulePath ? displayPath(folder.rulePath, packageRoot()) : rule.span.file;
        text += `\n---\nseverity: ${rule.severity}\nscopes: ${rule.on.join(", ")}\nrule: ${source}:${rule.span.start.line}\ndoc: ${rule.doc}\n`;
      }
      process.stdout.write(text);
    });
};
