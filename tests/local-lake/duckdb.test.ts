import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DuckDbQueryEngine, schemaStatements, viewStatement } from "../../query-engines/duckdb";
import { rejection } from "../support/rejection";

describe("DuckDB query engine", () => {
    let dir: string;

    before(async () => {
        // A tiny partitioned Parquet table, laid out like the gold job writes it.
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "duckdb-engine-"));
        const table = path.join(dir, "gold", "sales_by_month");
        fs.mkdirSync(table, { recursive: true });
        const instance = await DuckDBInstance.create(":memory:");
        const writer = await instance.connect();
        await writer.run(
            `COPY (SELECT * FROM (VALUES (2008, 1, 100.50::DECIMAL(18,2), 3::BIGINT), (2008, 2, 20.00::DECIMAL(18,2), 0::BIGINT), (2009, 1, 7.25::DECIMAL(18,2), 1::BIGINT)) t(year, month, gross_sales, tickets_sold)) ` +
                `TO '${table}' (FORMAT parquet, PARTITION_BY (year, month))`,
        );
        writer.closeSync();
        instance.closeSync();
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes one schema per database and a quoted view per table", () => {
        const tables = [
            { database: "tickit_local_gold", table: "sales_by_month", location: "/lake/gold/sales_by_month/" },
            { database: "tickit_local_silver", table: "o'brien", location: "/lake/it's" },
        ];
        expect(schemaStatements(tables)).to.deep.equal(['CREATE SCHEMA IF NOT EXISTS "tickit_local_gold"', 'CREATE SCHEMA IF NOT EXISTS "tickit_local_silver"']);
        expect(viewStatement(tables[0])).to.equal(
            `CREATE OR REPLACE VIEW "tickit_local_gold"."sales_by_month" AS SELECT * FROM read_parquet('/lake/gold/sales_by_month/**/*.parquet', hive_partitioning = true, union_by_name = true)`,
        );
        expect(viewStatement(tables[1])).to.contain(`"o'brien"`).and.to.contain(`read_parquet('/lake/it''s/**/*.parquet'`);
    });

    it('answers SQL addressed as "<database>"."<table>", with Hive partitions as columns and exact decimals', async () => {
        const engine = await DuckDbQueryEngine.open([{ database: "tickit_local_gold", table: "sales_by_month", location: path.join(dir, "gold", "sales_by_month") }]);
        try {
            const result = await engine.query(
                `SELECT "year", "month", "gross_sales", "tickets_sold" FROM "tickit_local_gold"."sales_by_month" WHERE "year" = ? ORDER BY "month"`,
                { parameters: [2008] },
            );
            expect(result.rows).to.deep.equal([
                { year: 2008, month: 1, gross_sales: "100.50", tickets_sold: 3 },
                { year: 2008, month: 2, gross_sales: "20.00", tickets_sold: 0 },
            ]);
            expect(result.columns.find((c) => c.name === "gross_sales")?.type).to.equal("decimal(18,2)");
            expect(result.stats.engine).to.equal("duckdb");
        } finally {
            await engine.close();
        }
    });

    it("names the table whose folder has no Parquet files", async () => {
        const error = await rejection(DuckDbQueryEngine.open([{ database: "g", table: "missing_model", location: path.join(dir, "nowhere") }]));
        expect(error.message).to.contain("DuckDB could not expose g.missing_model").and.to.contain(path.join(dir, "nowhere"));
    });

    it("reports SQL errors and honours cancellation", async () => {
        const engine = await DuckDbQueryEngine.open([]);
        try {
            expect((await rejection(engine.query("SELECT * FROM no_such_table"))).message).to.match(/^DuckDB query failed: .*no_such_table/);
            const controller = new AbortController();
            controller.abort();
            expect((await rejection(engine.query("SELECT 1", { signal: controller.signal }))).message).to.equal("DuckDB query cancelled before it started");
            const slow = engine.query("SELECT count(*) FROM range(10000000000) a", { timeoutMs: 50 });
            expect((await rejection(slow)).message).to.equal("DuckDB query timed out after 50 ms");
        } finally {
            await engine.close();
        }
    });
});
