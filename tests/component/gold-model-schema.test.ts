import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { goldDeclarationSchema, loadGoldModels } from "../../packages/medallion-lake/src/model/gold-models";
import { GOLD_MODEL_SCHEMA_PATH, goldModelJsonSchema } from "../../packages/medallion-lake/src/model/json-schema";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const TICKIT = path.join(PROJECT_ROOT, "gold-models", "tickit");
const SQL = "SELECT CAST(month(saletime) AS INT) AS month, SUM(qtysold) AS tickets FROM ecomm_sales GROUP BY 1";
const VALID = { description: "Tickets per month.", partitionBy: ["month"], columns: { month: "Month", tickets: "Tickets" } };

/** The problems loadGoldModels reports for one model declared as `declaration`, as `path: message`. */
function problems(declaration: object): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gold-schema-"));
    fs.writeFileSync(path.join(dir, "monthly.sql"), SQL);
    fs.writeFileSync(path.join(dir, "monthly.yaml"), JSON.stringify(declaration));
    return loadGoldModels(dir, dir, new Map([["ecomm_sales", []]])).issues.map((i) => `${i.path}: ${i.message}`);
}

describe("schema/gold-model.schema.json", () => {
    it("is up to date with the declaration's zod schema (regenerate with npm run schema)", () => {
        const committed = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, GOLD_MODEL_SCHEMA_PATH), "utf8"));
        expect(committed).to.deep.equal(JSON.parse(JSON.stringify(goldModelJsonSchema())));
    });

    it("declares every field the loader takes, and refuses others", () => {
        const schema = goldModelJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
        expect(Object.keys(schema.properties)).to.have.members(["description", "partitionBy", "refresh", "columns", "declassify", "tests", "queries"]);
        expect(schema.required).to.have.members(["description", "columns"]);
        expect(schema.additionalProperties).to.equal(false);
    });

    const models = fs.readdirSync(TICKIT).filter((f) => f.endsWith(".yaml"));
    it("covers the five TICKIT models", () => expect(models).to.have.length(5));
    for (const file of models) {
        it(`accepts gold-models/tickit/${file}`, () => {
            const result = goldDeclarationSchema.safeParse(parseYaml(fs.readFileSync(path.join(TICKIT, file), "utf8")));
            expect(result.success, JSON.stringify(result.error?.issues)).to.equal(true);
        });
    }

    it("accepts the minimal declaration the malformed ones below start from", () => expect(problems(VALID)).to.deep.equal([]));

    const malformed: [string, object, RegExp][] = [
        ["a misspelt field", { ...VALID, partition_by: ["month"] }, /^gold\.models\[monthly\]: Unrecognized key: "partition_by"/],
        ["no description", { partitionBy: ["month"], columns: VALID.columns }, /^gold\.models\[monthly\]\.description: /],
        ["no columns", { description: "x" }, /^gold\.models\[monthly\]\.columns: /],
        ["an empty columns map", { ...VALID, partitionBy: [], columns: {} }, /^gold\.models\[monthly\]\.columns: declare every column the query returns/],
        ["an unknown refresh", { ...VALID, refresh: "sometimes" }, /^gold\.models\[monthly\]\.refresh: expected one of full, partitions/],
        ["a partition column not a lowercase identifier", { ...VALID, partitionBy: ["Month"] }, /^gold\.models\[monthly\]\.partitionBy\.0: /],
        ["an unknown test check", { ...VALID, tests: [{ check: "between", column: "month" }] }, /^gold\.models\[monthly\]\.tests\.0\.check: /],
        ["a range test without bounds", { ...VALID, tests: [{ check: "range", column: "tickets" }] }, /^gold\.models\[monthly\]\.tests\.0\.min: set min, max or both/],
        ["a query name with capitals", { ...VALID, queries: [{ name: "ByMonth", description: "x", sql: "SELECT 1" }] }, /^gold\.models\[monthly\]\.queries\.0\.name: /],
        ["a query without description", { ...VALID, queries: [{ name: "by-month", sql: "SELECT 1" }] }, /^gold\.models\[monthly\]\.queries\.0\.description: /],
    ];
    for (const [what, declaration, expected] of malformed) {
        it(`refuses ${what}, naming the field and the file`, () => {
            const found = problems(declaration);
            expect(found.some((p) => expected.test(p) && p.endsWith("(monthly.yaml)")), found.join("\n")).to.equal(true);
        });
    }
});
