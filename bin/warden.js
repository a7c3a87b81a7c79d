#!/usr/bin/env node
// Entry point of the `warden` command: loads the bundled CLI built by `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write("warden: the CLI is not built; run `npm run build` (npm install runs it for you)\n");
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
