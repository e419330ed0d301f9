import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { jobArguments, lakeSpec, LAYERS, parseLakeConfig } from "medallion-lake";
import { PROJECT_ROOT } from "../../stacks/stack-config";
import { rawLake } from "../support/helpers";

describe("lakeSpec", () => {
    const spec = lakeSpec(parseLakeConfig(rawLake("dev"), PROJECT_ROOT), "dev");

    it("names the databases and connections from lake and environment", () => {
        expect(spec.lake).to.equal("tickit");
        expect(spec.environment).to.equal("dev");
        expect(spec.databases).to.deep.equal({ source: "tickit_dev_source", bronze: "tickit_dev_bronze", silver: "tickit_dev_silver", gold: "tickit_dev_gold" });
        expect(spec.sources.map((s) => [s.name, s.engine, s.database, s.connectionName])).to.deep.equal([
            ["saas", "postgres", "tickit", "tickit-dev-saas"],
            ["ecomm", "mysql", "tickit", "tickit-dev-ecomm"],
            ["crm", "sqlserver", "tickit", "tickit-dev-crm"],
        ]);
    });

    it("describes every table with short name, source name, crawled name, keys and columns", () => {
        const event = spec.sources[0].tables[2];
        expect(event).to.deep.include({
            name: "event",
            sourceTable: "saas.event",
            catalogTable: "saas_tickit_saas_event",
            primaryKey: ["eventid"],
            watermarkColumn: "eventid",
            partitionColumn: null,
            dateColumn: "starttime",
        });
        expect(event.columns[5]).to.deep.equal({ name: "starttime", type: "timestamp", format: "yyyy-MM-dd HH:mm:ss", classification: null });
        expect(spec.sources[1].tables.map((t) => t.catalogTable)).to.deep.equal(["ecomm_tickit_date", "ecomm_tickit_listing", "ecomm_tickit_sales"]);
        expect(spec.sources[2].tables[0].name).to.equal("users");
    });

    it("gives untyped string tables empty keys and columns", () => {
        const raw = rawLake("dev");
        raw.sources[0].tables[0] = "saas.category"; // saas.event stays: a sales rule references it
        delete raw.gold;
        const t = lakeSpec(parseLakeConfig(raw, PROJECT_ROOT), "dev").sources[0].tables[0];
        expect(t).to.deep.equal({ name: "category", sourceTable: "saas.category", catalogTable: "saas_tickit_saas_category", primaryKey: [], watermarkColumn: null, partitionColumn: null, dateColumn: null, columns: [], rules: [], maxDeleteShare: 0.5, reconcile: null });
    });

    it("tells the gold job how to refresh each model, and carries the table maintenance settings", () => {
        const month = spec.gold.models.find((m) => m.name === "sales_by_month")!;
        expect(month).to.deep.include({ partitionBy: ["year", "month"], refresh: "partitions" });
        expect(spec.gold.models.find((m) => m.name === "top_buyers")!.refresh).to.equal("full");
        expect(spec.tableMaintenance).to.deep.equal({ snapshotRetentionDays: 5, snapshotsToKeep: 1, orphanFileRetentionDays: 3, compactionMinInputFiles: 5, compactionSmallFileMiB: 32, compactionDeleteRatio: 0.3 });
    });

    it("gives each table its delete guard share: its own, else the lake's (default 0.5)", () => {
        const raw = rawLake("dev");
        delete raw.gold;
        const event = raw.sources[0].tables[2]; // a sales rule references it
        raw.sources[0].tables = [{ name: "saas.category", maxDeleteShare: 0.9 }, "saas.venue", event];
        expect(lakeSpec(parseLakeConfig(raw, PROJECT_ROOT), "dev").sources[0].tables.map((t) => t.maxDeleteShare)).to.deep.equal([0.9, 0.5, 0.5]);
        raw.maxDeleteShare = 0.2;
        expect(lakeSpec(parseLakeConfig(raw, PROJECT_ROOT), "dev").sources[0].tables.map((t) => t.maxDeleteShare)).to.deep.equal([0.9, 0.2, 0.2]);
    });

    it("carries each table's reconcile with everyRuns filled in, null when off", () => {
        const raw = rawLake("dev");
        delete raw.gold;
        raw.sources[0].tables = [
            { name: "saas.category", primaryKey: ["id"], watermarkColumn: "id", reconcile: "keys" },
            { name: "saas.venue", primaryKey: ["id"], watermarkColumn: "id", reconcile: { compare: "keys", everyRuns: 24 } },
            raw.sources[0].tables[2], // saas.event, which a sales rule references
        ];
        expect(lakeSpec(parseLakeConfig(raw, PROJECT_ROOT), "dev").sources[0].tables.map((t) => t.reconcile)).to.deep.equal([
            { compare: "keys", everyRuns: 1 },
            { compare: "keys", everyRuns: 24 },
            null,
        ]);
    });

    it("is plain JSON (round-trips unchanged)", () => {
        expect(JSON.parse(JSON.stringify(spec))).to.deep.equal(spec);
    });

    it("rejects an invalid environment", () => {
        expect(() => lakeSpec(parseLakeConfig(rawLake("dev"), PROJECT_ROOT), "Dev")).to.throw(/environment/);
    });
});

describe("jobArguments agrees with glue-scripts/medallion/job_arguments.json", () => {
    const contract = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "glue-scripts", "medallion", "job_arguments.json"), "utf8")).jobs;
    const paths = { lakeSpec: "s3://a/spec.json", environment: "dev", bronzePath: "s3://b", silverPath: "s3://s", goldPath: "s3://g" };

    it("covers exactly the layers of the contract (and the forget job, see forget-job.test.ts)", () => {
        expect(Object.keys(contract)).to.have.members([...LAYERS, "forget"]);
    });

    for (const layer of LAYERS) {
        it(`${layer}: every required name present, nothing outside required + optional`, () => {
            const names = Object.keys(jobArguments(layer, paths));
            expect(names.every((n) => n.startsWith("--")), "leading --").to.equal(true);
            const bare = names.map((n) => n.slice(2));
            expect(bare).to.include.members(contract[layer].required);
            const allowed = [...contract[layer].required, ...contract[layer].optional];
            expect(bare.filter((n) => !allowed.includes(n))).to.deep.equal([]);
        });
    }

    it("passes each path to the argument of the same meaning", () => {
        expect(jobArguments("silver", paths)).to.deep.equal({ "--lake_spec": "s3://a/spec.json", "--environment": "dev", "--bronze_path": "s3://b", "--silver_path": "s3://s" });
        expect(jobArguments("gold", paths)["--gold_path"]).to.equal("s3://g");
        expect(() => jobArguments("platinum" as never, paths)).to.throw(/unknown layer "platinum"/);
    });
});
