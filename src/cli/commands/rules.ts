// `warden rules`: the catalogue of built-in rules, one line each (id, severity, scopes,
// title) or the full catalogue as JSON.
import type { RegisterCommand } from "./index.js";
import { buildCatalogue, formatCatalogueText } from "../../rules/catalogue.js";
import { compileLibrary, renderDiagnostics } from "../../rules/builtin.js";

export const registerRules: RegisterCommand = (program, setExit) => {
  program
    .command("rules")
    .description("list the built-in rules: id, severity, scopes and title")
    .option("--format <format>", "output format: text or json", "text")
    .addHelpText("after", "\nExamples:\n  warden rules\n  warden rules --format json\n  warden explain ban-drop-table\n\nExit codes:\n  0  listed\n  2  usage error\n")
    .action((opts: { format: string }) => {
      if (opts.format !== "text" && opts.format !== "json") {
        process.stderr.write(`error: unknown format \`${opts.format}\`\n  = help: use \`text\` or \`json\`\n`);
        setExit(2);
        return;
      }
      const { library, result } = compileLibrary();
      if (!result.ir) {
        process.stderr.write(`${renderDiagnostics(result.diagnostics, library.sources)}\nerror: the built-in rules do not compile\n`);
        setExit(1);
        return;
      }
      const entries = buildCatalogue(result.ir, library);
      process.stdout.write(opts.format === "json" ? `${JSON.stringify(entries, null, 2)}\n` : `${formatCatalogueText(entries)}\n`);
    });
};
