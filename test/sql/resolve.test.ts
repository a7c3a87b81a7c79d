// Column reads and writes: resolution through aliases, CTEs, joins, subqueries and `*`,
// masking, `via`, classifications and write sources — exact, one case per resolution rule.
import { beforeAll, describe, expect, it } from "vitest";
import { extractStatementFacts, initSqlParser, type ColumnRead, type Statement } from "../../src/sql/index.js";

beforeAll(async () => {
  await initSqlParser();
});

const catalog = { users: { columns: ["id", "email", "name", "ssn"] }, orders: { columns: ["id", "user_id", "total"] } };
const opts = { classifications: { pii: ["*.email", "public.users.ssn"] }, tables: catalog };
const fmt = (r: ColumnRead) =>
  [`${r.schema ? r.schema + "." : ""}${r.table}.${r.column}`, r.output ?? "-", r.via.join("+"), r.masked ? `masked:${r.masking_function}` : "", r.star ? "star" : "", (r.classifications ?? []).join("+")].join(" ").trimEnd();
const reads = (sql: string, o: object = opts) => extractStatementFacts(sql, o)[0]!.reads.map(fmt);
const writes = (s: Statement) => s.writes.map((w) => `${w.table}.${w.column}${w.classifications ? " [" + w.classifications.join("+") + "]" : ""} <- ${w.sources.map((x) => `${x.table}.${x.column}${x.masked ? "(masked)" : ""}`).join(",")}`);

describe("reads", () => {
  const cases: [string, string, string[]][] = [
    ["alias", "SELECT u.email AS e FROM users u", ["users.email e select   pii"]],
    ["unqualified with the catalog", "SELECT total FROM users JOIN orders ON orders.user_id = users.id", ["orders.user_id - join", "users.id - join", "orders.total total select"]],
    ["schema-qualified table", "SELECT a FROM s.t", ["s.t.a a select"]],
    ["CTE", "WITH c AS (SELECT email AS mail FROM users) SELECT mail FROM c", ["users.email mail select   pii"]],
    ["CTE with column names", "WITH c(m) AS (SELECT email FROM users) SELECT m FROM c", ["users.email m select   pii"]],
    ["subquery in FROM", "SELECT s.x FROM (SELECT name AS x FROM users) s", ["users.name x select"]],
    ["subquery in WHERE", "SELECT name FROM users WHERE id IN (SELECT user_id FROM orders)", ["users.id - where", "orders.user_id - where", "users.name name select"]],
    ["scalar subquery output", "SELECT (SELECT max(total) FROM orders) AS m", ["orders.total m select"]],
    ["star with catalog", "SELECT * FROM orders", ["orders.id id select  star", "orders.user_id user_id select  star", "orders.total total select  star"]],
    ["star without catalog", "SELECT * FROM events", ["events.* * select  star"]],
    ["qualified star", "SELECT o.* FROM orders o JOIN users u ON u.id = o.user_id", ["users.id - join", "orders.user_id - join", "orders.id id select  star", "orders.user_id user_id select  star", "orders.total total select  star"]],
    ["masked", "SELECT md5(email) AS h, sha256(ssn::text) FROM users", ["users.email h select masked:md5  pii", "users.ssn sha256 select masked:sha256  pii"]],
    ["anon.* is masking", "SELECT anon.partial(ssn, 1, 'x', 1) FROM users", ["users.ssn partial select masked:anon.partial  pii"]],
    ["masked through a subquery", "SELECT h FROM (SELECT md5(email) AS h FROM users) x", ["users.email h select masked:md5  pii"]],
    ["not masked by other functions", "SELECT lower(email) FROM users", ["users.email lower select   pii"]],
    ["where, group, having, order", "SELECT name, count(*) FROM users WHERE ssn IS NOT NULL GROUP BY name HAVING max(id) > 1 ORDER BY name", ["users.ssn - where   pii", "users.name - group+order", "users.id - having", "users.name name select"]],
    ["order by an output alias", "SELECT email AS e FROM users ORDER BY e", ["users.email - order   pii", "users.email e select   pii"]],
    ["union", "SELECT email FROM users UNION SELECT name FROM users", ["users.email email select   pii", "users.name email select"]],
    ["returning", "DELETE FROM users WHERE id = 1 RETURNING email", ["users.id - where", "users.email email returning   pii"]],
    ["copy a table", "COPY users (email) TO STDOUT", ["users.email email copy   pii"]],
    ["copy a query", "COPY (SELECT ssn FROM users) TO '/tmp/x'", ["users.ssn ssn copy   pii"]],
    ["ambiguous without catalog", "SELECT a FROM x, y", ["null.a a select"]],
    ["lateral", "SELECT l.t FROM users u, LATERAL (SELECT total AS t FROM orders o WHERE o.user_id = u.id) l", ["orders.user_id - where", "users.id - where", "orders.total t select"]],
  ];
  it.each(cases)("%s", (_name, sql, expected) => {
    expect(reads(sql)).toEqual(expected);
  });

  // `*` over a table of unknown columns cannot be expanded, but a named column read from it
  // passes through to that table (dbt seeds, tables no migration creates)
  const throughStar: [string, string, string[]][] = [
    ["CTE over an unknown table", "WITH s AS (SELECT * FROM events) SELECT id AS event_id, email FROM s", ["events.id event_id select", "events.email email select   pii"]],
    [
      "CTE chain, qualified and in WHERE",
      "WITH a AS (SELECT * FROM raw.events), b AS (SELECT * FROM a) SELECT b.kind FROM b WHERE b.email IS NOT NULL",
      ["raw.events.email - where", "raw.events.kind kind select"],
    ],
    ["subquery", "SELECT x.id, md5(x.email) AS h FROM (SELECT * FROM events) x", ["events.id id select", "events.email h select masked:md5  pii"]],
    ["nested subqueries", "SELECT id FROM (SELECT * FROM (SELECT * FROM events) a) b", ["events.id id select"]],
    ["CTE renamed then expanded again", "WITH s AS (SELECT * FROM events), r AS (SELECT id AS event_id FROM s) SELECT * FROM r", ["events.id event_id select"]],
    ["a known table beside it keeps its columns", "SELECT s.total, s.kind FROM (SELECT o.*, e.* FROM orders o, events e) s", ["orders.total total select", "events.kind kind select"]],
    ["two unknown tables make it ambiguous", "WITH s AS (SELECT * FROM events, clicks) SELECT id FROM s", ["null.id id select"]],
    ["two unknown stars, qualified", "SELECT s.id FROM (SELECT e.*, c.* FROM events e JOIN clicks c ON c.eid = e.id) s", ["clicks.eid - join", "events.id - join", "null.id id select"]],
    ["a known table: named columns through its * are not star reads", "WITH s AS (SELECT * FROM users) SELECT email FROM s", ["users.email email select   pii"]],
    ["the unexpanded star itself is still one read", "WITH s AS (SELECT * FROM events) SELECT * FROM s", ["events.* * select  star"]],
  ];
  it.each(throughStar)("through an unknown *: %s", (_name, sql, expected) => {
    expect(reads(sql)).toEqual(expected);
  });

  it("configurable masking functions", () => {
    expect(reads("SELECT my_mask(email) FROM users", { ...opts, maskingFunctions: ["my_mask"] })).toEqual(["users.email my_mask select masked:my_mask  pii"]);
    expect(reads("SELECT md5(email) FROM users", { ...opts, maskingFunctions: ["my_mask"] })).toEqual(["users.email md5 select   pii"]);
  });

  it("gives reads their position", () => {
    const s = extractStatementFacts("SELECT\n  u.email\nFROM users u", opts)[0]!;
    expect(s.reads[0]!.location).toEqual({ line: 2, column: 3 });
    expect(s.relations).toEqual([{ schema: null, name: "users", kind: "table", location: { line: 3, column: 6 } }]);
  });
});

describe("writes", () => {
  it("INSERT ... SELECT maps outputs to target columns with taint", () => {
    const s = extractStatementFacts("INSERT INTO archive (id, contact) SELECT id, email FROM users", opts)[0]!;
    expect(writes(s)).toEqual(["archive.id <- users.id", "archive.contact [pii] <- users.email"]);
  });
  it("a masking function stops the taint", () => {
    const s = extractStatementFacts("INSERT INTO archive (contact) SELECT md5(email) FROM users", opts)[0]!;
    expect(writes(s)).toEqual(["archive.contact <- users.email(masked)"]);
    expect(s.writes[0]!.masked).toBe(true);
  });
  it("INSERT without a column list uses the catalog's columns", () => {
    const s = extractStatementFacts("INSERT INTO orders SELECT 1, id, 2 FROM users", opts)[0]!;
    expect(writes(s)).toEqual(["orders.id <- ", "orders.user_id <- users.id", "orders.total <- "]);
  });
  it("UPDATE ... SET writes with sources", () => {
    const s = extractStatementFacts("UPDATE orders SET total = u.id FROM users u WHERE u.id = orders.user_id", opts)[0]!;
    expect(writes(s)).toEqual(["orders.total <- users.id"]);
    expect(s.reads.map(fmt)).toEqual(["users.id - where", "orders.user_id - where", "users.id total set"]);
  });
  it("CREATE TABLE AS writes the new table and its taint", () => {
    const s = extractStatementFacts("CREATE TABLE contacts AS SELECT name, email AS mail FROM users", opts)[0]!;
    expect(writes(s)).toEqual(["contacts.name <- users.name", "contacts.mail [pii] <- users.email"]);
  });
  it("a view over a PII column carries the taint to its readers", () => {
    const all = extractStatementFacts("CREATE VIEW v AS SELECT email AS contact FROM users; SELECT contact FROM v;", opts);
    expect(all[1]!.reads.map(fmt)).toEqual(["v.contact contact select   pii"]);
  });
  it("COPY FROM writes the listed columns", () => {
    const s = extractStatementFacts("COPY users (id, email) FROM STDIN", opts)[0]!;
    expect(writes(s)).toEqual(["users.id <- ", "users.email [pii] <- "]);
  });
  it("ON CONFLICT DO UPDATE writes through EXCLUDED", () => {
    const s = extractStatementFacts("INSERT INTO users (id, email) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET email = excluded.email", opts)[0]!;
    expect(writes(s)).toEqual(["users.id <- ", "users.email [pii] <- ", "users.email [pii] <- users.email"]);
  });
});
