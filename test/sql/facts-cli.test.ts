// `warden facts`: prints the documents of the given files (catalog replay from sibling
// migrations), classifications from the configuration and --policy, notes on stderr, exit 2
// for unreadable input or a bad policy. Needs `npm run build`.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runWarden } from "../helpers/run.js";

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "warden-facts-"));
  mkdirSync(path.join(dir, "db/migrations"), { recursive: true });
  writeFileSync(path.join(dir, "db/migrations/V1__users.sql"), "CREATE TABLE users (id int, email text);\n");
  writeFileSync(path.join(dir, "db/migrations/V2__phone.sql"), "\\set x 1\nALTER TABLE users ADD COLUMN phone text NOT NULL;\n");
  writeFileSync(path.join(dir, "warden.config.yaml"), "classifications:\n  pii: ['users.email']\n");
  writeFileSync(path.join(dir, "q.sql"), "SELECT email FROM users;\n");
  return dir;
}

describe("warden facts", () => {
  it("prints one document per file with catalog facts from earlier migrations", async () => {
    const dir = project();
    const r = await runWarden(["facts", "db/migrations/V2__phone.sql"], { cwd: dir });
    expect(r.code).toBe(0);
    const docs = JSON.parse(r.stdout);
    expect(docs).toHaveLength(1);
    expect(docs[0].file).toEqual({ path: "db/migrations/V2__phone.sql", type: "migration" });
    const st = docs[0].statements[0];
    expect([st.kind, st.location]).toEqual(["alter_table", { line: 2, column: 1, end_line: 2, end_column: 49 }]);
    expect(st.targets[0]).toMatchObject({ name: "users", existed_before: true, columns: ["id", "email"], pii_columns: ["email"] });
    expect(r.stderr).toBe("db/migrations/V2__phone.sql:1:1: note: skipped psql meta-command `\\set`\n");
  });

  it("gives other files the catalog of their nearest migrations folder, as `warden check` does", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warden-facts-near-"));
    for (const [rel, text] of Object.entries({
      "svc/a/migrations/V1__users.sql": "CREATE TABLE users (id bigint, email text);\n",
      "svc/b/migrations/V1__users.sql": "CREATE TABLE users (id bigint, score int);\n",
      "svc/a/retraining/job.sql": "SELECT * FROM users;\n",
    })) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    const r = await runWarden(["facts", "svc/a/retraining/job.sql", "--compact"], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.file.type).toBe("retraining");
    expect(doc.statements[0].reads.map((x: { table: string; column: string }) => `${x.table}.${x.column}`)).toEqual(["users.id", "users.email"]);
  });

  it("reads `-` from standard input as the file --stdin-filename names, replacing it", async () => {
    const dir = project();
    // the buffer stands for V2: the earlier migration is replayed, the file on disk is not read
    const r = await runWarden(["facts", "-", "--stdin-filename", "db/migrations/V2__phone.sql", "--compact"], { cwd: dir, input: "ALTER TABLE users DROP COLUMN email;\n" });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.file).toEqual({ path: "db/migrations/V2__phone.sql", type: "migration" });
    expect(doc.statements.map((s: { kind: string; targets: { existed_before: boolean }[] }) => [s.kind, s.targets[0]!.existed_before])).toEqual([["alter_table", true]]);
    expect(r.stderr).toBe("");
    // default name, and the usage errors
    const plain = await runWarden(["facts", "-", "--compact"], { cwd: dir, input: "SELECT email FROM users;" });
    expect(JSON.parse(plain.stdout).file).toEqual({ path: "stdin.sql", type: "sql" });
    const orphan = await runWarden(["facts", "--stdin-filename", "x.sql", "q.sql"], { cwd: dir });
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain("but no file is `-`");
    const twice = await runWarden(["facts", "-", "-"], { cwd: dir, input: "SELECT 1;" });
    expect(twice.code).toBe(2);
    const latin1 = await runWarden(["facts", "-"], { cwd: dir, input: Buffer.from("SELECT 'caf\xe9';", "latin1") });
    expect(latin1.code).toBe(2);
    expect(latin1.stderr).toContain("stdin.sql:1:12: error: cannot read standard input: it is not UTF-8 text");
  });

  it("honours --type and --compact", async () => {
    const dir = project();
    const r = await runWarden(["facts", "--type", "retraining", "--compact", "q.sql"], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]!);
    expect(doc.file).toEqual({ path: "q.sql", type: "retraining" });
    expect(doc.statements[0].reads.map((x: { column: string; classifications?: string[] }) => [x.column, x.classifications])).toEqual([["email", ["pii"]]]);
  });

  it("applies the classifications of --policy on top of the configuration's", async () => {
    const dir = project();
    mkdirSync(path.join(dir, "policy"));
    writeFileSync(path.join(dir, "policy/data.warden"), 'policy acme.data\nclassify pii: "users.phone", "vault.*"\n');
    writeFileSync(path.join(dir, "copy.sql"), "CREATE TABLE vault AS SELECT id, email, phone FROM users;\n");
    const summary = (stdout: string) => {
      const st = JSON.parse(stdout)[0].statements[0];
      return {
        reads: st.reads.map((x: { column: string; classifications?: string[] }) => `${x.column}[${(x.classifications ?? []).join()}]`),
        approved: st.targets[0].approved_classifications ?? [],
        declared: st.writes.map((w: { column: string; declared_classifications?: string[] }) => `${w.column}[${(w.declared_classifications ?? []).join()}]`),
      };
    };
    const plain = await runWarden(["facts", "copy.sql"], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(summary(plain.stdout)).toEqual({ reads: ["id[]", "email[pii]", "phone[]"], approved: [], declared: ["id[]", "email[]", "phone[]"] });
    const withPolicy = await runWarden(["facts", "--policy", "policy", "copy.sql"], { cwd: dir });
    expect(withPolicy.code).toBe(0);
    expect(summary(withPolicy.stdout)).toEqual({ reads: ["id[]", "email[pii]", "phone[pii]"], approved: ["pii"], declared: ["id[pii]", "email[pii]", "phone[pii]"] });
  });

  it("exits 2 when the --policy does not compile or does not exist", async () => {
    const dir = project();
    writeFileSync(path.join(dir, "bad.warden"), 'policy acme.bad\nclassify pii "x"\n');
    const bad = await runWarden(["facts", "--policy", "bad.warden", "q.sql"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^bad\.warden:2:14: error\[W\d+\]: unexpected `"x"`\n/);
    const missing = await runWarden(["facts", "--policy", "nope.warden", "q.sql"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("error: cannot read policy `nope.warden`: no such file or directory\n");
  });

  it("exits 2 on an unreadable file", async () => {
    const dir = project();
    const r = await runWarden(["facts", "missing.sql"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: cannot read `missing.sql`: no such file or directory\n");
    expect(r.stdout).toBe("");
  });

  it("rejects an unknown --type", async () => {
    const r = await runWarden(["facts", "--type", "nope", "x.sql"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope");
  });
});
