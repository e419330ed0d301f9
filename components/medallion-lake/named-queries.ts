/**
 * Athena named queries for a lake: a preview per layer and at least one query per gold model.
 * SQL stays within what both Athena (Trino) and DuckDB accept: double-quoted identifiers, no
 * backticks, CAST, ORDER BY, LIMIT, scalar subqueries.
 */
import { LakeSpec } from "./lake-spec";
import { Layer, layerTableName } from "./naming";

/** The gold models built by glue-scripts/gold_job.py, each a table in the gold database. */
export const GOLD_MODELS = ["sales_by_month", "sales_by_category", "event_performance", "top_sellers", "top_buyers"] as const;
export type GoldModel = (typeof GOLD_MODELS)[number];

export interface NamedQuery {
    /** Unique within the lake's workgroup. */
    name: string;
    layer: Layer;
    description: string;
    sql: string;
}

const q = (...parts: string[]) => parts.map((p) => `"${p.replace(/"/g, '""')}"`).join(".");

/** Named queries for the lake; throws when the spec has no table to preview. */
export function namedQueries(spec: LakeSpec): NamedQuery[] {
    const source = spec.sources.find((s) => s.tables.length > 0);
    if (!source) throw new Error("namedQueries: the lake spec has no source tables to preview");
    const table = layerTableName(source.name, source.tables[0].name);
    const { bronze, silver, gold } = spec.databases;
    const g = (model: GoldModel) => q(gold, model);
    return [
        {
            name: "bronze-preview",
            layer: "bronze",
            description: `First 10 raw rows of ${source.name}.${source.tables[0].name} as ingested (with _ingested_at, _batch_id, _source).`,
            sql: `SELECT * FROM ${q(bronze, table)} LIMIT 10`,
        },
        {
            name: "silver-preview",
            layer: "silver",
            description: `First 10 typed, deduplicated rows of ${source.name}.${source.tables[0].name}.`,
            sql: `SELECT * FROM ${q(silver, table)} LIMIT 10`,
        },
        {
            name: "gold-sales-by-month",
            layer: "gold",
            description: "Gross sales, commission, tickets and orders per month.",
            sql:
                `SELECT "year", "month", "gross_sales", "commission", "tickets_sold", "orders", "avg_ticket_price" ` +
                `FROM ${g("sales_by_month")} ORDER BY "year", "month"`,
        },
        {
            name: "gold-sales-by-category",
            layer: "gold",
            description: "Sales per event category, biggest first.",
            sql:
                `SELECT "catgroup", "catname", "gross_sales", "commission", "tickets_sold", "orders", "avg_ticket_price" ` +
                `FROM ${g("sales_by_category")} ORDER BY "gross_sales" DESC, "catgroup", "catname"`,
        },
        {
            name: "gold-event-sell-through",
            layer: "gold",
            description: "The 20 events with the highest sell-through (tickets sold / tickets listed).",
            sql:
                `SELECT "eventid", "eventname", "catname", "venuename", "tickets_listed", "tickets_sold", "sell_through", "gross_sales" ` +
                `FROM ${g("event_performance")} WHERE "sell_through" IS NOT NULL ` +
                `ORDER BY "sell_through" DESC, "gross_sales" DESC, "eventid" LIMIT 20`,
        },
        {
            name: "gold-top-sellers-latest-year",
            layer: "gold",
            description: "Top 10 sellers by gross sales in the latest year with sales.",
            sql:
                `SELECT "year", "rank", "sellerid", "username", "firstname", "lastname", "city", "state", "gross_sales", "tickets_sold" ` +
                `FROM ${g("top_sellers")} WHERE "year" = (SELECT MAX("year") FROM ${g("top_sellers")}) ORDER BY "rank"`,
        },
        {
            name: "gold-top-buyers-latest-year",
            layer: "gold",
            description: "Top 10 buyers by total spent in the latest year with sales.",
            sql:
                `SELECT "year", "rank", "buyerid", "username", "firstname", "lastname", "city", "state", "total_spent", "tickets_bought", "orders" ` +
                `FROM ${g("top_buyers")} WHERE "year" = (SELECT MAX("year") FROM ${g("top_buyers")}) ORDER BY "rank"`,
        },
    ];
}
