/**
 * Column classifications in the config and the gold model declarations (docs/governance.md): declared
 * on source columns from the fixed vocabulary, carried in the lake spec, and `declassify` checked
 * against the model's columns. The lineage itself is the gold job's (glue-scripts/tests/test_lineage.py).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lakeSpec, parseLakeConfig } from "../../packages/medallion-lake/src";
import { loadGoldModels } from "../../packages/medallion-lake/src/model/gold-models";
import { configIssues, rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const usersColumns = (raw: any) => raw.sources.find((s: any) => s.name === "crm").tables[0].columns;

describe("column classifications", () => {
    it("carries the stack's classifications into the lake spec, null where none is declared", () => {
        const spec = lakeSpec(parseLakeConfig(rawLake("local"), PROJECT_ROOT), "local");
        const users = spec.sources.find((s) => s.name === "crm")!.tables[0];
        const classified = Object.fromEntries(users.columns.filter((c) => c.classification).map((c) => [c.name, c.classification]));
        expect(classified).to.deep.equal({ username: "pii", firstname: "pii", lastname: "pii", city: "pii", state: "pii", email: "pii", phone: "pii" });
        expect(users.columns.find((c) => c.name === "userid")).to.deep.equal({ name: "userid", type: "int", format: null, classification: null });
        const sales = spec.sources.find((s) => s.name === "ecomm")!.tables.find((t) => t.name === "sales")!;
        expect(sales.columns.find((c) => c.name === "commission")?.classification).to.equal("sensitive");
    });

    it("refuses a classification outside the vocabulary, naming the column", () => {
        const raw = rawLake("local");
        usersColumns(raw).email = { type: "string", classification: "PII" };
        expect(configIssues(raw)).to.deep.equal(["sources[2].tables[0].columns.email.classification: expected one of pii, sensitive (docs/governance.md)"]);
    });

    it("takes { type, classification } without a format", () => {
        const raw = rawLake("local");
        usersColumns(raw).likejazz = { type: "boolean", classification: "sensitive" };
        const users = parseLakeConfig(raw, PROJECT_ROOT).sources[2].tables[0];
        expect(users.columns.find((c) => c.name === "likejazz")).to.deep.equal({ name: "likejazz", type: "boolean", format: null, classification: "sensitive" });
    });

    describe("declassify in a model's declaration", () => {
        const silver = new Map([["crm_users", ["userid", "lastname", "email"]]]);
        const sql = "SELECT lastname, COUNT(DISTINCT email) AS buyer_count FROM crm_users GROUP BY lastname";
        const load = (declassify: string) => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "declassify-"));
            fs.writeFileSync(path.join(dir, "families.sql"), sql);
            fs.writeFileSync(path.join(dir, "families.yaml"), `description: Buyers per family name.\ncolumns: { lastname: Family name, buyer_count: Buyers }\n${declassify}`);
            return loadGoldModels(dir, "/", silver);
        };

        it("is carried into the spec's model with its reason", () => {
            const { models, issues } = load("declassify: { buyer_count: aggregate count of distinct emails }\n");
            expect(issues).to.deep.equal([]);
            expect(models[0].declassify).to.deep.equal({ buyer_count: "aggregate count of distinct emails" });
        });

        it("defaults to none", () => {
            expect(load("").models[0].declassify).to.deep.equal({});
        });

        it("refuses a column the model does not declare, and a missing reason", () => {
            expect(load("declassify: { buyers: aggregate count }\n").issues.map((i) => `${i.path}: ${i.message}`)).to.deep.equal([
                'gold.models[families].declassify.buyers: "buyers" is not among the model\'s columns (lastname, buyer_count)',
            ]);
            expect(load('declassify: { buyer_count: "" }\n').issues.map((i) => i.path)).to.deep.equal(["gold.models[families].declassify.buyer_count"]);
        });
    });
});
