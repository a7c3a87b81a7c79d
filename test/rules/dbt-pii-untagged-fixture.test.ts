// dbt-pii-untagged on a real dbt project layout: YAML tags are per column, so a model
// that tags one PII output but not another is reported for the untagged one only.
import { describe, expect, it } from "vitest";
import { runCheck } from "../../src/engine/check.js";
import { REPO_ROOT } from "../helpers/run.js";

describe("dbt-pii-untagged over fixtures/sql/dbt (built-in bundle)", () => {
  it("reports exactly the PII outputs whose own column is not tagged", async () => {
    const result = await runCheck({ cwd: REPO_ROOT, paths: ["fixtures/sql/dbt"], config: false });
    const got = result.findings
      .filter((f) => f.rule === "dbt-pii-untagged")
      .map((f) => `${f.file}:${f.line} ${f.message}`)
      .sort();
    expect(got).toEqual([
      "fixtures/sql/dbt/models/marts/customer_contacts.sql:6 model column contact carries PII from stg_customers.email but is not tagged pii in the model's YAML",
      "fixtures/sql/dbt/models/pii/contacts_mixed.sql:5 model column national_number carries PII from stg_customers.ssn but is not tagged pii in the model's YAML",
      "fixtures/sql/dbt/models/pii/contacts_untagged.sql:4 model column contact carries PII from stg_customers.email but is not tagged pii in the model's YAML",
      "fixtures/sql/dbt/models/staging/stg_customers.sql:5 model column email carries PII from customers.email but is not tagged pii in the model's YAML",
    ]);
  });
});
