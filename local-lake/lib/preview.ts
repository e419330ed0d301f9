/**
 * `npm run preview -- <layer>/<source>/<table>` (gold: `gold/<model>`): the schema and first rows
 * of one dataset of the local lake, reading as little as possible — like previewing S3 objects
 * instead of downloading them. Bronze is Avro (first block of the first file), silver and gold are
 * Parquet (DuckDB with LIMIT reads only the row groups it needs), or Iceberg tables (DuckDB reads the
 * current snapshot the saved catalog points to, never the folder's files).
 */
import * as path from "path";
import { LakeSpec } from "medallion-lake";
import { DuckDbQueryEngine } from "../../query-engines/duckdb";
import { quoteIdentifier } from "../../query-engines/engine";
import { QueryEngine } from "../../query-engines/engine";
import { previewAvro } from "./avro";
import { dataFolders, icebergTableAt, listFiles } from "./lake-files";
import { LakeLayout, Layer, LAYERS } from "./layout";

export interface DatasetPath {
    layer: Layer;
    /** `[source, table]` for bronze and silver, `[model]` for gold. */
    parts: string[];
}

const USAGE = "expected <layer>/<source>/<table> for bronze or silver (e.g. silver/ecomm/sales), or gold/<model> (e.g. gold/sales_by_month)";

/** Parses `silver/ecomm/sales`, `gold/sales_by_month`; errors say what is expected. */
export function parseDatasetPath(text: string): DatasetPath {
    const segments = text.replace(/^\/+|\/+$/g, "").split("/");
    const layer = segments[0] as Layer;
    if (!LAYERS.includes(layer)) throw new Error(`"${text}": unknown layer "${segments[0]}"; ${USAGE}`);
    const want = layer === "gold" ? 2 : 3;
    if (segments.length !== want || segments.some((s) => s === "" || s.startsWith("_") || s.startsWith("."))) {
        throw new Error(`"${text}": ${USAGE}`);
    }
    return { layer, parts: segments.slice(1) };
}

export function datasetFolder(layout: LakeLayout, dataset: DatasetPath): string {
    return path.join(layout.layers[dataset.layer], ...dataset.parts);
}

/** Every dataset that has files in the local lake, as preview paths (`bronze/saas/category`, `gold/sales_by_month`). */
export function availableDatasets(layout: LakeLayout): string[] {
    return LAYERS.flatMap((layer) => {
        const root = layout.layers[layer];
        const ext = layer === "bronze" ? ".avro" : ".parquet";
        if (layer === "gold") return dataFolders(root).filter((m) => listFiles(path.join(root, m), ext).length).map((m) => `gold/${m}`);
        return dataFolders(root).flatMap((source) =>
            dataFolders(path.join(root, source))
                .filter((table) => listFiles(path.join(root, source, table), ext).length)
                .map((table) => `${layer}/${source}/${table}`),
        );
    });
}

export interface Preview {
    dataset: string;
    format: "avro" | "parquet" | "iceberg";
    /** The files the preview read (Avro: the first file; Parquet and Iceberg: what DuckDB scans is decided by LIMIT). */
    location: string;
    files: number;
    columns: { name: string; type: string }[];
    rows: Record<string, unknown>[];
}

/** The catalog table of a dataset path, as Athena and Trino name it: `silver/ecomm/sales` -> `tickit_local_silver.ecomm_sales`. */
export function catalogTableOf(spec: LakeSpec, dataset: DatasetPath): { database: string; table: string } {
    return { database: spec.databases[dataset.layer], table: dataset.parts.join("_") };
}

/** The dataset's first rows through a query engine (Trino: as Athena reads it, through the catalog). */
export async function previewThroughEngine(engine: QueryEngine, spec: LakeSpec, text: string, limit: number): Promise<Preview> {
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`preview: the row limit must be a whole number >= 0, got ${limit}`);
    const { database, table } = catalogTableOf(spec, parseDatasetPath(text));
    const result = await engine.query(`SELECT * FROM ${quoteIdentifier(database)}.${quoteIdentifier(table)} LIMIT ${limit}`);
    return { dataset: text, format: text.startsWith("bronze/") ? "avro" : "parquet", location: `${engine.name} ${database}.${table}`, files: 0, columns: result.columns, rows: result.rows };
}

export async function previewDataset(layout: LakeLayout, text: string, limit: number): Promise<Preview> {
    if (!Number.isInteger(limit) || limit < 0) throw new Error(`preview: the row limit must be a whole number >= 0, got ${limit}`);
    const dataset = parseDatasetPath(text);
    const folder = datasetFolder(layout, dataset);
    const iceberg = dataset.layer === "bronze" ? undefined : icebergTableAt(layout, folder);
    const format = dataset.layer === "bronze" ? "avro" : "parquet";
    const files = iceberg ? iceberg.iceberg.dataFiles.map((f) => f.path) : listFiles(folder, `.${format}`);
    if (files.length === 0 && !iceberg) {
        const available = availableDatasets(layout);
        throw new Error(
            `no ${format} files for "${text}" in ${folder}. ` +
                (available.length ? `Datasets in the local lake:\n  ${available.join("\n  ")}` : "The local lake is empty: run `npm run lake` first."),
        );
    }
    if (format === "avro") {
        const { columns, rows } = await previewAvro(files[0], limit);
        return { dataset: text, format, location: files[0], files: files.length, columns, rows };
    }
    const table = { database: dataset.layer, table: dataset.parts.join("_"), location: folder, iceberg: iceberg?.iceberg };
    const engine = await DuckDbQueryEngine.open([table]);
    try {
        const result = await engine.query(`SELECT * FROM "${table.database}"."${table.table}" LIMIT ${limit}`);
        return { dataset: text, format: iceberg ? "iceberg" : format, location: folder, files: files.length, columns: result.columns, rows: result.rows };
    } finally {
        await engine.close();
    }
}
