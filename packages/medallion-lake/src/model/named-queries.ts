/**
 * Athena named queries for a lake: a bronze and a silver preview, and per gold model a preview plus
 * the queries its declaration lists. SQL stays within what both Athena (Trino) and DuckDB accept:
 * double-quoted identifiers, no backticks, CAST, ORDER BY, LIMIT, scalar subqueries.
 */
import { previewQueryName } from "./gold-models";
import { LakeSpec } from "./lake-spec";
import { Layer, layerTableName } from "./naming";

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
    const goldQueries = spec.gold.models.flatMap((m): NamedQuery[] => [
        {
            name: previewQueryName(m.name),
            layer: "gold",
            description: `First 10 rows of gold model ${m.name}, ordered by every column so that the same data gives the same answer.`,
            sql: `SELECT * FROM ${q(gold, m.name)} ORDER BY ${m.columns.map((c) => q(c.name)).join(", ")} LIMIT 10`,
        },
        ...m.queries.map((query) => ({
            name: `gold-${query.name}`,
            layer: "gold" as const,
            description: query.description,
            sql: query.sql.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, ref: string) => q(gold, ref === "this" ? m.name : ref)),
        })),
    ]);
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
        ...goldQueries,
    ];
}
