/**
 * `npm run model` without servers: its arguments, the errors for an unknown model, a lake not built
 * and servers not running, and how a model reading another model resolves it. Its Trino results
 * against the gold job's are checked in the e2e test (tests/local-lake/e2e.test.ts).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { LakeSpec } from "../../packages/medallion-lake/src";
import { GoldModelConfig } from "../../packages/medallion-lake/src/model/gold-models";
import { lakeLayout } from "../../local-lake/lib/layout";
import { findModel, loadModels, modelQuery, runningTrino, testsQuery } from "../../local-lake/lib/model";
import { parseModelArgs } from "../../local-lake/lib/model-args";
import { checkModelNames } from "../../local-lake/lib/run-lake";
import { rejection } from "../support/rejection";

const model = (name: string, sql: string, tests: GoldModelConfig["tests"] = []): GoldModelConfig => ({
    name,
    file: `/x/${name}.sql`,
    sql,
    description: name,
    partitionBy: [],
    refresh: "full",
    columns: [{ name: "n", description: "" }],
    tests,
    queries: [],
    declassify: {},
});
const spec = { databases: { source: "src", bronze: "b", silver: "tickit_local_silver", gold: "tickit_local_gold" } } as unknown as LakeSpec;

describe("npm run model: arguments", () => {
    it("takes one model and optional --stack, --data-dir and --rows", () => {
        expect(parseModelArgs(["sales_by_month"])).to.deep.equal({ model: "sales_by_month", stack: "local", dataDir: undefined, rows: 20 });
        expect(parseModelArgs(["top_buyers", "--rows", "5", "--data-dir", "/tmp/x", "--stack", "dev"])).to.deep.equal({ model: "top_buyers", stack: "dev", dataDir: "/tmp/x", rows: 5 });
    });

    it("refuses no model, two models, a bad --rows and an unknown flag, with the usage", () => {
        expect(() => parseModelArgs([])).to.throw("npm run model: name the gold model to run (usage: npm run model -- <model>");
        expect(() => parseModelArgs(["a", "b"])).to.throw("one model at a time, got a, b");
        expect(() => parseModelArgs(["a", "--rows", "1.5"])).to.throw("--rows must be a whole number >= 0, got 1.5");
        expect(() => parseModelArgs(["a", "--engine", "duckdb"])).to.throw("unknown flag --engine");
    });

    it("names the stack's models for an unknown one", () => {
        const models = [model("sales_by_month", "SELECT 1 AS n"), model("top_buyers", "SELECT 1 AS n")];
        expect(findModel(models, "top_buyers", "local").name).to.equal("top_buyers");
        expect(() => findModel(models, "sales", "local")).to.throw('no gold model "sales" in stack local; its models: sales_by_month, top_buyers');
        expect(() => findModel([], "sales", "dev")).to.throw("stack dev declares no gold models");
    });

    it("npm run lake --models: names the stack's models for an unknown one or none", () => {
        expect(() => checkModelNames(["top_buyers"], ["sales_by_month", "top_buyers"], "local")).to.not.throw();
        expect(() => checkModelNames(["nope", "top_buyers"], ["sales_by_month", "top_buyers"], "local")).to.throw("--models: no gold model nope in stack local; its models: sales_by_month, top_buyers");
        expect(() => checkModelNames([], ["sales_by_month"], "local")).to.throw("--models: name at least one gold model; its models: sales_by_month");
    });
});

describe("npm run model: the model's query", () => {
    const base = model("monthly", "SELECT count(*) AS n FROM ecomm_sales;");
    const reader = model("best", "WITH t AS (SELECT n FROM monthly) SELECT max(n) AS n FROM t", [{ check: "notNull", column: "n", severity: "error" }]);

    it("runs a model over silver as written, and a model reading another over that model's gold table", () => {
        expect(modelQuery(base, [base, reader], spec)).to.equal("SELECT count(*) AS n FROM ecomm_sales");
        const query = modelQuery(reader, [base, reader], spec);
        expect(query).to.equal(`WITH "monthly" AS (SELECT * FROM "tickit_local_gold"."monthly")\nSELECT * FROM (\n${reader.sql}\n) AS "best"`);
    });

    it("computes every test in one query over the model's rows, a reference to a model in gold", () => {
        const tested = model("m", "SELECT 1 AS n", [
            { check: "range", column: "n", min: 1, severity: "error" },
            { check: "reference", column: "n", table: "monthly", key: "n", severity: "warn" },
            { check: "acceptedValues", column: "n", values: ["a'b", 2, true], severity: "error" },
        ]);
        const sql = testsQuery(tested, [base, tested], spec) ?? "";
        expect(sql).to.contain('count_if("n" < 1) AS t0');
        expect(sql).to.contain('NOT IN (SELECT "n" FROM "tickit_local_gold"."monthly" WHERE "n" IS NOT NULL)) AS t1');
        expect(sql).to.contain(`count_if("n" NOT IN ('a''b', 2, TRUE)) AS t2`);
        expect(testsQuery(base, [base], spec)).to.equal(undefined);
    });
});

describe("npm run model: without a lake or its servers", () => {
    let dataDir: string;
    beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "model-cmd-"))));
    afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    it("says to build the lake when it was never built", () => {
        expect(() => loadModels("local", lakeLayout(dataDir))).to.throw(/no local lake in .*: build it with `npm run lake -- --keep-servers`/);
    });

    it("says which command starts the servers when the catalog or Trino is not running", async () => {
        const layout = lakeLayout(dataDir);
        expect((await rejection(runningTrino(layout))).message).to.match(/the local Glue catalog of .* is not running: start the servers with `npm run lake -- --keep-servers`/);
        // A catalog entry whose process is gone, as after a reboot.
        fs.mkdirSync(layout.catalogDir, { recursive: true });
        fs.writeFileSync(path.join(layout.catalogDir, "server.json"), JSON.stringify({ endpoint: "http://127.0.0.1:1", pid: 2 ** 22 + 17 }));
        expect((await rejection(runningTrino(layout))).message).to.contain("the local Glue catalog of");
        // A live catalog (this process stands in for it) but no Trino answering.
        fs.writeFileSync(path.join(layout.catalogDir, "server.json"), JSON.stringify({ endpoint: "http://127.0.0.1:1", pid: process.pid }));
        expect((await rejection(runningTrino(layout))).message).to.contain("the local Trino of");
        fs.mkdirSync(layout.trinoDir, { recursive: true });
        fs.writeFileSync(path.join(layout.trinoDir, "server.json"), JSON.stringify({ url: "http://127.0.0.1:9", catalog: "awsdatacatalog" }));
        expect((await rejection(runningTrino(layout))).message).to.match(/the local Trino of .* \(http:\/\/127\.0\.0\.1:9\) does not answer .*npm run lake -- --from query --keep-servers/);
    });
});
