// `warden compile`: policy files → checked AST or IR (JSON on stdout), or any stage's
// output with --dump-after. Compile errors are printed with a code frame and exit 1;
// nothing is emitted then. Each emit kind is one function in `emitters`, so later
// targets (bundles, Rego) add an entry and an option without reshaping the command.
import { InvalidArgumentError, type Command } from "commander";
import pc from "picocolors";
import { type Diagnostic } from "../../diagnostics/diagnostic.js";
import { diagnosticsToJson, renderDiagnostic, plain, type Paint } from "../../diagnostics/render.js";
import { LineIndex } from "../../diagnostics/span.js";
import { loadPolicySources, runPipeline, STAGE_NAMES, stages, type CompileState, type PolicySource, type StageName } from "../../compiler/pipeline.js";
import type { RegisterCommand } from "./index.js";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { compileBundle, type BundleTarget } from "../../compiler/bundle/compile-bundle.js";
import type { SigningAlg } from "../../compiler/bundle/sign.js";

export type EmitKind = "ast" | "ir" | "wat";
export type DiagnosticFormat = "text" | "json";

export interface CompileCommandOptions {
  emit?: EmitKind;
  dumpAfter?: StageName;
  diagnosticFormat: DiagnosticFormat;
  /** Write an OPA bundle (gzipped tar) here. */
  output?: string;
  target?: BundleTarget;
  signingKey?: string;
  signingAlg?: SigningAlg;
  signingKeyId?: string;
}

export interface CommandIo {
  stdout(s: string): void;
  stderr(s: string): void;
  color: boolean;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** One function per emit kind: what to write for a successful compile. */
export const emitters: Record<EmitKind, { lastStage: StageName; emit(state: CompileState, io: CommandIo): void | Promise<void> }> = {
  ast: { lastStage: "check-types", emit: (s, io) => io.stdout(json(s.files)) },
  ir: { lastStage: "lower-rules", emit: (s, io) => io.stdout(json(s.ir)) },
  // policy.wasm as text; the wasm back end and wabt load only for this flag.
  wat: {
    lastStage: "lower-rules",
    emit: async (s, io) => {
      const [{ emitWasm }, { wasmToWat }] = await Promise.all([import("../../compiler/backend/wasm/emit-wasm.js"), import("../../compiler/backend/wasm/wat.js")]);
      io.stdout(await wasmToWat(emitWasm(s.ir!)));
    },
  },
};

/** Prints diagnostics as code frames (or JSON) on stderr. */
export function reportDiagnostics(ds: readonly Diagnostic[], sources: readonly PolicySource[], format: DiagnosticFormat, io: CommandIo): void {
  if (ds.length === 0) return;
  if (format === "json") {
    io.stderr(`${diagnosticsToJson(ds)}\n`);
    return;
  }
  const index = new Map(sources.map((s) => [s.path, new LineIndex(s.text)]));
  const paint: Paint = io.color ? pc : plain;
  io.stderr(ds.map((d) => renderDiagnostic(d, index, paint)).join("\n\n") + "\n");
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.filter((d) => d.severity === "warning").length;
  const parts = [errors && `${errors} error${errors === 1 ? "" : "s"}`, warnings && `${warnings} warning${warnings === 1 ? "" : "s"}`].filter(Boolean);
  if (parts.length) io.stderr(`\n${parts.join(", ")}\n`);
}

export async function runCompile(paths: string[], options: CompileCommandOptions, io: CommandIo): Promise<number> {
  const usage = bundleOptionsError(options);
  if (usage) {
    io.stderr(`error: ${usage}\n`);
    return 2;
  }
  const loaded = await loadPolicySources(paths);
  if (loaded.diagnostics.some((d) => d.severity === "error")) {
    reportDiagnostics(loaded.diagnostics, [], options.diagnosticFormat, io);
    return 2;
  }
  const stopAfter = options.dumpAfter ?? (options.emit && !options.output ? emitters[options.emit].lastStage : undefined);
  const state = runPipeline(loaded.sources, stopAfter ? { stopAfter } : {});
  const diagnostics = state.diagnostics.sorted();
  reportDiagnostics(diagnostics, loaded.sources, options.diagnosticFormat, io);
  if (state.diagnostics.hasErrors) return 1;
  if (options.dumpAfter) {
    const stage = stages.find((s) => s.name === options.dumpAfter)!;
    io.stdout(json(stage.output(state)));
  } else if (options.emit) await emitters[options.emit].emit(state, io);
  if (options.output && !options.dumpAfter && state.ir) return writeBundleFile(state.ir, options, io);
  if (options.dumpAfter || options.emit) return 0;
  if (state.ir) io.stderr(`compiled ${state.ir.rules.length} rule${state.ir.rules.length === 1 ? "" : "s"} from ${loaded.sources.length} file${loaded.sources.length === 1 ? "" : "s"}\n`);
  return 0;
}

/** Usage errors among the bundle options, checked before compiling anything. */
function bundleOptionsError(o: CompileCommandOptions): string | undefined {
  if (!o.output) {
    const stray = [o.target && "--target", o.signingKey && "--signing-key", o.signingAlg && "--signing-alg", o.signingKeyId && "--signing-key-id"].filter(Boolean);
    if (stray.length) return `${stray.map((x) => `\`${x}\``).join(", ")} ${stray.length === 1 ? "applies" : "apply"} only when writing a bundle with \`--output\``;
  }
  if (o.output && o.dumpAfter) return "`--output` and `--dump-after` cannot be combined";
  if ((o.signingAlg || o.signingKeyId) && !o.signingKey) return "`--signing-alg` and `--signing-key-id` need `--signing-key`";
  return undefined;
}

/** Compiles the IR for the target, signs it when asked, and writes the bundle file. */
async function writeBundleFile(ir: NonNullable<CompileState["ir"]>, o: CompileCommandOptions, io: CommandIo): Promise<number> {
  const target = o.target ?? "wasm";
  let key: string | undefined;
  if (o.signingKey) {
    try {
      key = await readFile(o.signingKey, "utf8");
    } catch (err) {
      io.stderr(`error: cannot read signing key \`${o.signingKey}\`: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
      return 2;
    }
    // A secret file usually ends with a newline that is not part of the secret.
    if (!key.includes("-----BEGIN ")) key = key.replace(/\r?\n$/, "");
  }
  let bytes: Buffer;
  try {
    const signing = key === undefined ? undefined : { key, ...(o.signingAlg ? { alg: o.signingAlg } : {}), ...(o.signingKeyId ? { keyId: o.signingKeyId } : {}) };
    bytes = await compileBundle(ir, target, signing);
  } catch (err) {
    io.stderr(`error: cannot build the ${target} bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  try {
    await mkdir(path.dirname(o.output!), { recursive: true });
    await writeFile(o.output!, bytes);
  } catch (err) {
    const { writeReason } = await import("../../engine/errors.js");
    io.stderr(`error: cannot write \`${o.output}\`: ${writeReason(err)}\n  = help: pass \`--output\` a file in a writable directory\n`);
    return 2;
  }
  const signed = key === undefined ? "" : `, signed ${o.signingAlg ?? (key.includes("-----BEGIN ") ? "RS256" : "HS256")}`;
  io.stderr(`wrote ${o.output} (${target} bundle, ${ir.rules.length} rule${ir.rules.length === 1 ? "" : "s"}, ${bytes.length} bytes${signed})\n`);
  return 0;
}

export function choice<T extends string>(allowed: readonly T[], what: string) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`invalid ${what} \`${v}\`: use ${allowed.map((a) => `\`${a}\``).join(", ")}`);
    return v as T;
  };
}

export const registerCompile: RegisterCommand = (program: Command, setExit) => {
  program
    .command("compile")
    .description("compile policy files (*.warden; directories are searched recursively)")
    .argument("<paths...>", "policy files or directories")
    .option("--emit <kind>", "print the checked `ast` or the `ir` as JSON, or `wat` (policy.wasm as text), on stdout", choice(["ast", "ir", "wat"] as const, "emit kind"))
    .option("--dump-after <stage>", `print a stage's output as JSON and stop (${STAGE_NAMES.join(", ")})`, choice(STAGE_NAMES, "stage"))
    .option("--diagnostic-format <format>", "how to print diagnostics: text or json", choice(["text", "json"] as const, "format"), "text")
    .option("-o, --output <file>", "write an OPA bundle (gzipped tar) to this file")
    .option("--target <target>", "bundle policy: `wasm` (policy.wasm, default) or `rego` (readable Rego v1)", choice(["wasm", "rego"] as const, "target"))
    .option("--signing-key <file>", "sign the bundle: PEM private key file (RS256) or HMAC secret file (HS256)")
    .option("--signing-alg <alg>", "signature algorithm: RS256 or HS256 (default: RS256 for a PEM key, else HS256)", choice(["RS256", "HS256"] as const, "signing algorithm"))
    .option("--signing-key-id <id>", "key id written into the signature (`kid`)")
    .addHelpText(
      "after",
      "\nExamples:\n  warden compile policies/\n  warden compile policies/ -o bundle.tar.gz\n  warden compile team.warden --emit ir\n  warden compile policies/ -o bundle.tar.gz --signing-key key.pem\n" +
        "\nExit codes:\n  0  compiled\n  1  compile errors (nothing is emitted)\n  2  unreadable input or usage error\n",
    )
    .action(async (paths: string[], opts: CompileCommandOptions) => {
      const io: CommandIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), color: Boolean(process.stderr.isTTY) && pc.isColorSupported };
      setExit(await runCompile(paths, opts, io));
    });
};
