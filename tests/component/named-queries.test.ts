import { expect } from "chai";
import { DuckDBInstance } from "@duckdb/node-api";
import { lakeSpec, namedQueries, parseLakeConfig } from "medallion-lake";
import { rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const spec = lakeSpec(parseLakeConfig(rawLake("dev"), PROJECT_ROOT), "dev");
const queries = namedQueries(spec);

describe("namedQueries", () => {
    it("has a bronze and a silver preview, and per gold model a preview plus the queries its declaration lists", () => {
        expect(queries.map((q) => q.name)).to.deep.equal([
            "bronze-preview",
            "silver-preview",
            "gold-event-performance-preview",
            "gold-event-sell-through",
            "gold-sales-by-category-preview",
            "gold-sales-by-category",
            "gold-sales-by-month-preview",
            "gold-sales-by-month",
            "gold-top-buyers-preview",
            "gold-top-buyers-latest-year",
            "gold-top-sellers-preview",
            "gold-top-sellers-latest-year",
        ]);
        expect(queries.find((q) => q.name === "gold-top-sellers-preview")!.sql).to.equal(
            'SELECT * FROM "tickit_dev_gold"."top_sellers" ORDER BY "rank", "sellerid", "username", "firstname", "lastname", "city", "state", "gross_sales", "tickets_sold", "year" LIMIT 10',
        );
    });

    it("replaces {{ this }} in a declared query with the model's table in the gold database", () => {
        expect(queries.find((q) => q.name === "gold-top-buyers-latest-year")!.sql).to.equal(
            'SELECT "year", "rank", "buyerid", "username", "firstname", "lastname", "city", "state", "total_spent", "tickets_bought", "orders" ' +
                'FROM "tickit_dev_gold"."top_buyers" WHERE "year" = (SELECT MAX("year") FROM "tickit_dev_gold"."top_buyers") ORDER BY "rank"',
        );
    });

    it("addresses bronze and silver tables as <source>_<table> in their layer database", () => {
        expect(queries.find((q) => q.layer === "bronze")!.sql).to.equal('SELECT * FROM "tickit_dev_bronze"."saas_category" LIMIT 10');
        expect(queries.find((q) => q.layer === "silver")!.sql).to.equal('SELECT * FROM "tickit_dev_silver"."saas_category" LIMIT 10');
    });

    it("uses no backticks and has a description for every query", () => {
        for (const q of queries) {
            expect(q.sql).not.to.contain("`");
            expect(q.description.length).to.be.greaterThan(10);
        }
    });

    it("runs unchanged in DuckDB against tables with the contract's columns", async () => {
        const db = await DuckDBInstance.create(":memory:");
        const c = await db.connect();
        const ddl: Record<string, string> = {
            "tickit_dev_bronze.saas_category": "catid SMALLINT, catgroup VARCHAR, _ingested_at TIMESTAMP, _batch_id VARCHAR, _source VARCHAR",
            "tickit_dev_silver.saas_category": "catid SMALLINT, catgroup VARCHAR, _ingested_at TIMESTAMP, _batch_id VARCHAR",
            "tickit_dev_gold.sales_by_month":
                "year INTEGER, month INTEGER, gross_sales DECIMAL(18,2), commission DECIMAL(18,2), tickets_sold BIGINT, orders BIGINT, avg_ticket_price DECIMAL(18,2)",
            "tickit_dev_gold.sales_by_category":
                "catgroup VARCHAR, catname VARCHAR, gross_sales DECIMAL(18,2), commission DECIMAL(18,2), tickets_sold BIGINT, orders BIGINT, avg_ticket_price DECIMAL(18,2)",
            "tickit_dev_gold.event_performance":
                "year INTEGER, month INTEGER, eventid INTEGER, eventname VARCHAR, catname VARCHAR, venueid INTEGER, venuename VARCHAR, venuecity VARCHAR, venuestate VARCHAR, tickets_listed BIGINT, tickets_sold BIGINT, sell_through DOUBLE, gross_sales DECIMAL(18,2)",
            "tickit_dev_gold.top_sellers":
                "year INTEGER, rank INTEGER, sellerid INTEGER, username VARCHAR, firstname VARCHAR, lastname VARCHAR, city VARCHAR, state VARCHAR, gross_sales DECIMAL(18,2), tickets_sold BIGINT",
            "tickit_dev_gold.top_buyers":
                "year INTEGER, rank INTEGER, buyerid INTEGER, username VARCHAR, firstname VARCHAR, lastname VARCHAR, city VARCHAR, state VARCHAR, total_spent DECIMAL(18,2), tickets_bought BIGINT, orders BIGINT",
        };
        for (const schema of ["tickit_dev_bronze", "tickit_dev_silver", "tickit_dev_gold"]) await c.run(`CREATE SCHEMA "${schema}"`);
        for (const [table, cols] of Object.entries(ddl)) await c.run(`CREATE TABLE ${table.replace(/(\w+)\.(\w+)/, '"$1"."$2"')} (${cols})`);
        await c.run(`INSERT INTO "tickit_dev_gold"."top_sellers" VALUES (2007, 1, 9, 'u9', 'A', 'B', 'C', 'NY', 10.00, 2), (2008, 2, 7, 'u7', 'A', 'B', 'C', 'NY', 5.00, 1), (2008, 1, 8, 'u8', 'A', 'B', 'C', 'NY', 50.00, 4)`);
        for (const q of queries) {
            const reader = await c.runAndReadAll(q.sql);
            expect(reader.columnNames().length, q.name).to.be.greaterThan(0);
        }
        const top = await c.runAndReadAll(queries.find((q) => q.name === "gold-top-sellers-latest-year")!.sql);
        expect(top.getRowObjectsJson().map((r) => [r.year, r.rank, r.sellerid])).to.deep.equal([[2008, 1, 8], [2008, 2, 7]]);
        c.closeSync();
    });
});
