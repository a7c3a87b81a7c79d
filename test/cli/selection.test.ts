// `warden check` reading files at the edges: files that are not regular files, and UTF-16 text.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeProject } from "../helpers/check-project.js";
import { runWarden } from "../helpers/run.js";

const brief = (stdout: string) =>
  (JSON.parse(stdout) as { findings: Record<string, unknown>[] }).findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}-${f.end_line}:${f.end_column}`);

describe("reading", () => {
  it.skipIf(process.platform === "win32")("reports a named pipe called *.sql as unreadable instead of waiting on it, and checks the rest", async () => {
    const p = makeProject({ "migrations/V1.sql": "DROP TABLE t;\n" });
    execFileSync("mkfifo", [path.join(p.dir, "migrations/V2.sql")]);
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("migrations/V2.sql: error: cannot read file: it is not a regular file (it is a named pipe)\n  = help: only regular files are read; leave it out with `exclude` in the config\n");
    expect(brief(r.stdout)).toEqual(["require-lock-timeout migrations/V1.sql:1:1-1:13", "ban-drop-table migrations/V1.sql:1:12-1:13"]);
    expect(r.code).toBe(2);
  });

  it("checks UTF-16 text behind its byte-order mark, with positions in the decoded text", async () => {
    const p = makeProject({});
    // a non-ASCII character before the finding, CRLF line endings (as SSMS saves them)
    const sql = "-- drop the café table\r\n  DROP TABLE café;\r\n";
    mkdirSync(path.join(p.dir, "migrations"));
    writeFileSync(path.join(p.dir, "migrations/V1__le.sql"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sql, "utf16le")]));
    writeFileSync(path.join(p.dir, "migrations/V2__be.sql"), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(sql, "utf16le").swap16()]));
    const r = await runWarden(["check", "--format", "json"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe("");
    expect(brief(r.stdout)).toEqual([
      "require-lock-timeout migrations/V1__le.sql:2:3-2:18",
      "ban-drop-table migrations/V1__le.sql:2:14-2:18",
      "require-lock-timeout migrations/V2__be.sql:2:3-2:18",
      "ban-drop-table migrations/V2__be.sql:2:14-2:18",
    ]);
    expect(r.code).toBe(1);
  });

  it("reports UTF-16 that is cut short or has an unpaired surrogate at its position, and UTF-16 without a mark with help", async () => {
    const p = makeProject({});
    const le = (s: string) => Buffer.from(s, "utf16le");
    writeFileSync(path.join(p.dir, "half.sql"), Buffer.concat([Buffer.from([0xff, 0xfe]), le("SELECT 1;\nSELECT"), Buffer.from([0x20])]));
    writeFileSync(path.join(p.dir, "lone.sql"), Buffer.concat([Buffer.from([0xff, 0xfe]), le("SELECT 1;\nSELECT '"), Buffer.from([0x00, 0xd8]), le("';\n")]));
    writeFileSync(path.join(p.dir, "nomark.sql"), le("SELECT 1;\n"));
    const r = await runWarden(["check"], { cwd: p.dir, env: p.env });
    expect(r.stderr).toBe(
      "half.sql:2:7: error: cannot read file: it is not UTF-16 LE text: it ends in half a code unit (an odd number of bytes)\n  = help: save the file as UTF-8, or as UTF-16 LE throughout\n\n" +
        "lone.sql:2:9: error: cannot read file: it is not UTF-16 LE text: code unit 0xd800 is an unpaired surrogate\n  = help: save the file as UTF-8, or as UTF-16 LE throughout\n\n" +
        "nomark.sql:1:2: error: cannot read file: it is a binary file, not SQL text (it contains NUL bytes)\n  = help: if it is UTF-16 text without a byte-order mark, save it as UTF-8 (or as UTF-16 with a byte-order mark)\n",
    );
    expect(r.code).toBe(2);
  });
});
