import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LakeConfigError, parseLakeConfig } from "medallion-lake";
import { loadGoldModels, sqlReferences } from "../../packages/medallion-lake/src/model/gold-models";
import { rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const SILVER = new Map([
    ["ecomm_sales", ["salesid", "eventid", "qtysold", "saletime"]],
    ["saas_event", ["eventid", "eventname"]],
]);
const DECLARATION = "description: Tickets per month.\npartitionBy: [month]\ncolumns: { month: Month, tickets: Tickets }\n";
const MONTHLY = "SELECT CAST(month(saletime) AS INT) AS month, SUM(qtysold) AS tickets FROM ecomm_sales GROUP BY 1";

/** A folder of models: name -> [sql, yaml | undefined]. */
function folder(models: Record<string, [string, string | undefined]>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gold-models-"));
    for (const [name, [sql, yaml]] of Object.entries(models)) {
        fs.writeFileSync(path.join(dir, `${name}.sql`), sql);
        if (yaml !== undefined) fs.writeFileSync(path.join(dir, `${name}.yaml`), yaml);
    }
    return dir;
}

const problems = (models: Record<string, [string, string | undefined]>) => loadGoldModels(folder(models), "/", SILVER).issues.map((i) => `${i.path}: ${i.message}`);

describe("gold models", () => {
    it("loads the SQL and its declaration, defaults applied", () => {
        const { models, issues } = loadGoldModels(folder({ monthly: [MONTHLY, DECLARATION + "tests: [{ check: unique, columns: [month] }]\n"] }), "/", SILVER);
        expect(issues).to.deep.equal([]);
        expect(models[0]).to.deep.include({ name: "monthly", sql: MONTHLY, partitionBy: ["month"], queries: [] });
        expect(models[0].columns).to.deep.equal([{ name: "month", description: "Month" }, { name: "tickets", description: "Tickets" }]);
        expect(models[0].tests).to.deep.equal([{ check: "unique", columns: ["month"], severity: "error" }]);
    });

    it("rebuilds a model whole unless its declaration says refresh: partitions", () => {
        const { models, issues } = loadGoldModels(folder({ monthly: [MONTHLY, DECLARATION], again: [MONTHLY, DECLARATION + "refresh: partitions\n"] }), "/", SILVER);
        expect(issues).to.deep.equal([]);
        expect(models.map((m) => [m.name, m.refresh])).to.deep.equal([["again", "partitions"], ["monthly", "full"]]);
    });

    it("refuses refresh: partitions on an unpartitioned model, and an unknown refresh, naming the file", () => {
        const unpartitioned = "description: Tickets.\ncolumns: { month: Month, tickets: Tickets }\nrefresh: partitions\n";
        const [problem] = problems({ monthly: [MONTHLY, unpartitioned] });
        expect(problem).to.match(/^gold\.models\[monthly\]\.refresh: partitions needs partitionBy: only a partitioned model can have some of its partitions replaced \(.*monthly\.yaml\)$/);
        const [unknown] = problems({ monthly: [MONTHLY, DECLARATION + "refresh: incremental\n"] });
        expect(unknown).to.match(/^gold\.models\[monthly\]\.refresh: expected one of full, partitions \(.*monthly\.yaml\)$/);
    });

    it("refreshes by partition only TICKIT's sales_by_month: its year/month come from the sales rows alone, and it reads nothing else", () => {
        const models = parseLakeConfig(rawLake("dev"), PROJECT_ROOT).gold.models;
        expect(Object.fromEntries(models.map((m) => [m.name, m.refresh]))).to.deep.equal({
            event_performance: "full",
            sales_by_category: "full",
            sales_by_month: "partitions",
            top_buyers: "full",
            top_sellers: "full",
        });
    });

    it("refuses a missing folder, an empty folder, a missing file and a missing declaration", () => {
        expect(loadGoldModels("/no/such/folder", "/", SILVER).issues[0].message).to.equal("no folder /no/such/folder");
        expect(loadGoldModels(folder({}), "/", SILVER).issues[0].message).to.match(/^no \.sql files in /);
        expect(loadGoldModels(["/no/such.sql"], "/", SILVER).issues).to.deep.equal([{ path: "gold.models[0]", message: "no file /no/such.sql" }]);
        expect(problems({ monthly: [MONTHLY, undefined] })[0]).to.match(/^gold\.models\[monthly\]: no declaration .*monthly\.yaml: every model needs <model>\.yaml/);
    });

    it("refuses references to unknown tables and models, and qualified names", () => {
        expect(problems({ monthly: [MONTHLY.replace("ecomm_sales", "ecomm_salez"), DECLARATION] })).to.deep.equal([
            "gold.models[monthly]: monthly.sql reads unknown table(s) ecomm_salez (silver tables: ecomm_sales, saas_event; gold models: monthly)",
        ]);
        expect(problems({ monthly: [MONTHLY.replace("ecomm_sales", "tickit_dev_silver.ecomm_sales"), DECLARATION] })[0]).to.contain(
            "reads tickit_dev_silver.ecomm_sales: refer to silver tables by lake name",
        );
    });

    it("refuses a dependency cycle, naming it", () => {
        const a = "SELECT month, tickets FROM b";
        const b = "SELECT month, tickets FROM a";
        expect(problems({ a: [a, DECLARATION], b: [b, DECLARATION] })).to.deep.equal(["gold.models[b]: dependency cycle a -> b -> a: a model cannot read itself through other models"]);
    });

    it("refuses partition and test columns the declaration does not list, and unknown reference targets", () => {
        const yaml =
            "description: d\npartitionBy: [year]\ncolumns: { month: m, tickets: t }\n" +
            "tests:\n  - { check: notNull, column: nope }\n  - { check: reference, column: month, table: saas_events, key: eventid }\n  - { name: ref_nope, check: reference, column: month, table: saas_event, key: nope }\n";
        expect(problems({ monthly: [MONTHLY, yaml] })).to.deep.equal([
            'gold.models[monthly].partitionBy.0: "year" is not among the model\'s columns (month, tickets)',
            'gold.models[monthly].tests.0.column: "nope" is not among the model\'s columns (month, tickets)',
            'gold.models[monthly].tests.1.table: unknown silver table or gold model "saas_events"',
            'gold.models[monthly].tests.2.key: "nope" is not a column of saas_event',
        ]);
    });

    it("validates the declaration's shape, naming the file", () => {
        const [problem] = problems({ monthly: [MONTHLY, "description: d\ncolumns: { month: m }\ntests: [{ check: nearly, column: month }]\n"] });
        expect(problem).to.match(/^gold\.models\[monthly\]\.tests\.0\.check: .* \(.*monthly\.yaml\)$/);
        expect(problems({ Monthly: [MONTHLY, DECLARATION] })[0]).to.contain("must be <model>.sql with a model name of lowercase letters");
    });

    it("refuses an unknown {{ }} in a declared query and a query named like a preview", () => {
        const yaml = DECLARATION + "queries:\n  - { name: monthly-totals, description: d, sql: 'SELECT * FROM {{ this }}, {{ other }}' }\n";
        expect(problems({ monthly: [MONTHLY, yaml], other: [MONTHLY, DECLARATION + "queries:\n  - { name: gold-x, description: d, sql: 'SELECT 1' }\n"] })).to.deep.equal([]);
        const bad = DECLARATION + "queries:\n  - { name: monthly-preview, description: d, sql: 'SELECT * FROM {{ nothing }}' }\n";
        expect(problems({ monthly: [MONTHLY, bad] })).to.deep.equal([
            "gold.models[monthly].queries.0.sql: {{ nothing }} is neither this nor a gold model",
            "gold.models[monthly]: named query gold-monthly-preview is the preview of model monthly; choose another name",
        ]);
    });

    it("finds what a SELECT reads without CTE names, comments, strings or FROM inside functions", () => {
        const sql = `-- FROM nowhere
            WITH recent AS (SELECT * FROM ecomm_sales WHERE note <> 'from elsewhere'), top AS (SELECT 1 FROM recent)
            SELECT extract(YEAR FROM r.saletime), a IS DISTINCT FROM b FROM recent r JOIN saas_event e ON r.eventid = e.eventid`;
        expect(sqlReferences(sql)).to.deep.equal({ tables: ["ecomm_sales", "saas_event"] });
        expect(sqlReferences("DELETE FROM ecomm_sales").problem).to.equal("must be one SELECT statement (it may start with WITH)");
        expect(sqlReferences("SELECT 1; DROP TABLE x").problem).to.match(/one statement/);
    });

    it("fails parseLakeConfig with every problem, before anything is created", () => {
        const raw = rawLake("dev");
        raw.gold = { models: [folder({ monthly: [MONTHLY.replace("ecomm_sales", "ecomm_salez"), DECLARATION] }) + "/monthly.sql"] };
        expect(() => parseLakeConfig(raw, PROJECT_ROOT)).to.throw(LakeConfigError, /gold\.models\[monthly\]: monthly\.sql reads unknown table\(s\) ecomm_salez/);
    });

    it("resolves a relative folder against the base directory", () => {
        const dir = folder({ monthly: [MONTHLY, DECLARATION] });
        const raw = rawLake("dev");
        raw.gold = { models: path.basename(dir) };
        expect(parseLakeConfig(raw, path.dirname(dir)).gold.models.map((m) => m.name)).to.deep.equal(["monthly"]);
    });
});
