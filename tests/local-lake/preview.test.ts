import { DuckDBInstance } from "@duckdb/node-api";
import * as avro from "avsc";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { decimalText } from "../../local-lake/lib/avro";
import { goldPartitionFiles, parquetTables } from "../../local-lake/lib/lake-files";
import { lakeLayout } from "../../local-lake/lib/layout";
import { availableDatasets, catalogTableOf, parseDatasetPath, previewDataset } from "../../local-lake/lib/preview";
import { LakeSpec } from "medallion-lake";
import { rejection } from "../support/rejection";

describe("local lake: preview and lake folders", () => {
    let dir: string;
    const layout = () => lakeLayout(dir);

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lake-preview-"));
        const l = layout();
        // Bronze: an Avro file written with avsc (null codec), one batch folder.
        const batch = path.join(l.layers.bronze, "saas", "category", "ingest_date=2026-11-24", "batch_id=b1");
        fs.mkdirSync(batch, { recursive: true });
        const schema = { type: "record", name: "topLevelRecord", fields: [{ name: "catid", type: "int" }, { name: "catname", type: ["string", "null"] }] } as const;
        await new Promise<void>((resolve, reject) => {
            const encoder = avro.createFileEncoder(path.join(batch, "part-0.avro"), schema as unknown as avro.Schema, { codec: "null" });
            encoder.on("error", reject);
            encoder.on("finish", () => setTimeout(resolve, 50));
            for (let i = 1; i <= 30; i++) encoder.write({ catid: i, catname: i === 2 ? null : `cat${i}` });
            encoder.end();
        });
        // Silver and gold: Parquet, gold partitioned by year with two files in one partition.
        const instance = await DuckDBInstance.create(":memory:");
        const c = await instance.connect();
        fs.mkdirSync(path.join(l.layers.silver, "saas", "category"), { recursive: true });
        await c.run(`COPY (SELECT range::INT AS catid FROM range(5)) TO '${path.join(l.layers.silver, "saas", "category", "part-0.parquet")}' (FORMAT parquet)`);
        for (const [year, file] of [[2008, "a"], [2008, "b"], [2009, "a"]] as const) {
            const folder = path.join(l.layers.gold, "top_buyers", `year=${year}`);
            fs.mkdirSync(folder, { recursive: true });
            await c.run(`COPY (SELECT 1 AS rank) TO '${path.join(folder, `${file}.parquet`)}' (FORMAT parquet)`);
        }
        fs.mkdirSync(path.join(l.layers.gold, "_run_summaries"), { recursive: true });
        fs.writeFileSync(path.join(l.layers.gold, "_run_summaries", "b1.json"), "{}");
        c.closeSync();
        instance.closeSync();
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("parses dataset paths and explains the expected form", () => {
        expect(parseDatasetPath("silver/ecomm/sales")).to.deep.equal({ layer: "silver", parts: ["ecomm", "sales"] });
        expect(parseDatasetPath("/gold/sales_by_month/")).to.deep.equal({ layer: "gold", parts: ["sales_by_month"] });
        expect(() => parseDatasetPath("platinum/x")).to.throw('unknown layer "platinum"');
        expect(() => parseDatasetPath("silver/ecomm")).to.throw("expected <layer>/<source>/<table>");
        expect(() => parseDatasetPath("gold/a/b")).to.throw("gold/<model>");
        expect(() => parseDatasetPath("gold/_run_summaries")).to.throw("expected");
    });

    it("lists what exists, skipping the jobs' bookkeeping folders", () => {
        expect(availableDatasets(layout())).to.deep.equal(["bronze/saas/category", "silver/saas/category", "gold/top_buyers"]);
    });

    it("previews bronze Avro: schema and only the rows asked for", async () => {
        const p = await previewDataset(layout(), "bronze/saas/category", 3);
        expect(p.format).to.equal("avro");
        expect(p.columns).to.deep.equal([{ name: "catid", type: "int" }, { name: "catname", type: "string (nullable)" }]);
        expect(p.rows).to.deep.equal([{ catid: 1, catname: "cat1" }, { catid: 2, catname: null }, { catid: 3, catname: "cat3" }]);
    });

    it("previews Parquet with a LIMIT, partition columns included", async () => {
        const silver = await previewDataset(layout(), "silver/saas/category", 2);
        expect(silver.rows).to.have.length(2);
        expect(silver.columns).to.deep.equal([{ name: "catid", type: "integer" }]);
        const gold = await previewDataset(layout(), "gold/top_buyers", 10);
        expect(gold.files).to.equal(3);
        expect(gold.columns.map((c) => c.name)).to.deep.equal(["rank", "year"]);
    });

    it("a bad path lists the datasets that exist", async () => {
        const error = await rejection(previewDataset(layout(), "silver/saas/venue", 5));
        expect(error.message).to.contain('no parquet files for "silver/saas/venue"').and.to.contain("bronze/saas/category\n  silver/saas/category\n  gold/top_buyers");
    });

    it("counts files per gold partition", () => {
        expect(goldPartitionFiles(layout().layers.gold)).to.deep.equal([
            { model: "top_buyers", partition: "year=2008", files: 2 },
            { model: "top_buyers", partition: "year=2009", files: 1 },
        ]);
    });

    it("gives DuckDB the catalog's Parquet tables inside the lake folder, where Parquet exists", () => {
        const table = (Name: string, Location: string, classification = "parquet") => ({ table: { Name, Parameters: { classification }, StorageDescriptor: { Location } } });
        fs.mkdirSync(layout().catalogDir, { recursive: true });
        const saved = {
            databases: [
                {
                    database: { Name: "tickit_local_silver" },
                    tables: [
                        table("saas_category", "local:///silver/saas/category/"),
                        table("saas_venue", "local:///silver/saas/venue/"), // no files
                        table("escape", "local:///../../etc/"), // outside the lake folder
                    ],
                },
                { database: { Name: "tickit_local_bronze" }, tables: [table("saas_category", "local:///bronze/saas/category/", "avro")] },
                { database: { Name: "tickit_local_gold" }, tables: [table("top_buyers", `file://${layout().layers.gold}/top_buyers/`)] },
            ],
        };
        fs.writeFileSync(path.join(layout().catalogDir, "catalog.json"), JSON.stringify(saved));
        expect(parquetTables(layout())).to.deep.equal([
            { database: "tickit_local_silver", table: "saas_category", location: path.join(layout().layers.silver, "saas", "category") },
            { database: "tickit_local_gold", table: "top_buyers", location: path.join(layout().layers.gold, "top_buyers") },
        ]);
    });

    it("reads Avro decimals from two's complement bytes", () => {
        expect(decimalText(Buffer.from([0x04, 0xce]), 2)).to.equal("12.30");
        expect(decimalText(Buffer.from([0xff, 0x9c]), 2)).to.equal("-1.00");
        expect(decimalText(Buffer.from([0x05]), 2)).to.equal("0.05");
        expect(decimalText(Buffer.from([0x2a]), 0)).to.equal("42");
    });

    it("names a dataset's catalog table as Athena and Trino do", () => {
        const spec = { databases: { source: "t_local_source", bronze: "t_local_bronze", silver: "t_local_silver", gold: "t_local_gold" } } as unknown as LakeSpec;
        expect(catalogTableOf(spec, parseDatasetPath("bronze/ecomm/sales"))).to.deep.equal({ database: "t_local_bronze", table: "ecomm_sales" });
        expect(catalogTableOf(spec, parseDatasetPath("gold/top_buyers"))).to.deep.equal({ database: "t_local_gold", table: "top_buyers" });
        expect(() => parseDatasetPath("silver/_quarantine/x")).to.throw("expected <layer>/<source>/<table>");
    });
});
