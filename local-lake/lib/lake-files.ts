/**
 * Reading the local lake folders: which tables exist (for DuckDB), the jobs' run summaries, the
 * local catalog the crawl step wrote, and how the gold files are spread over partitions.
 */
import * as fs from "fs";
import * as path from "path";
import { LakeSpec } from "../../components/medallion-lake";
import { ParquetTable } from "../../query-engines/duckdb";
import { LakeLayout } from "./layout";

/** Every file below `dir` whose name ends with `suffix` (absolute paths, sorted); [] when `dir` is missing. */
export function listFiles(dir: string, suffix: string): string[] {
    if (!fs.existsSync(dir)) return [];
    const found: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) found.push(...listFiles(full, suffix));
        else if (entry.name.endsWith(suffix)) found.push(full);
    }
    return found.sort();
}

/** Sub-folders of `dir` that hold data (names starting with `_` or `.` are the jobs' bookkeeping). */
export function dataFolders(dir: string): string[] {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !/^[_.]/.test(e.name))
        .map((e) => e.name)
        .sort();
}

const hasParquet = (dir: string) => listFiles(dir, ".parquet").length > 0;

/**
 * The queryable tables of the local lake, named as the jobs register them in the Glue catalog on
 * AWS: silver `<source>_<table>` (plus `<source>_<table>_quarantine` where rows were quarantined)
 * and gold `<model>`. Only folders that hold Parquet files (bronze is Avro: not queryable here).
 */
export function lakeTables(spec: LakeSpec, layout: LakeLayout): ParquetTable[] {
    const silver = layout.layers.silver;
    const tables: ParquetTable[] = [];
    for (const source of spec.sources) {
        for (const table of source.tables) {
            const name = `${source.name}_${table.name}`;
            tables.push({ database: spec.databases.silver, table: name, location: path.join(silver, source.name, table.name) });
            tables.push({
                database: spec.databases.silver,
                table: `${name}_quarantine`,
                location: path.join(silver, "_quarantine", source.name, table.name),
            });
        }
    }
    for (const model of dataFolders(layout.layers.gold)) {
        tables.push({ database: spec.databases.gold, table: model, location: path.join(layout.layers.gold, model) });
    }
    return tables.filter((t) => hasParquet(t.location));
}

function readJson(file: string): unknown {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`cannot read ${file}: ${(e as Error).message}`);
    }
}

/** A bronze or silver run summary of one table for one batch (fields as the job wrote them). */
export interface TableSummary {
    source: string;
    table: string;
    summary: Record<string, unknown>;
}

/** `<layer>/_run_summaries/<source>/<table>/<batchId>.json` for every table of the spec that has one. */
export function tableRunSummaries(spec: LakeSpec, layerDir: string, batchId: string): TableSummary[] {
    return spec.sources.flatMap((s) =>
        s.tables
            .map((t) => ({ source: s.name, table: t.name, file: path.join(layerDir, "_run_summaries", s.name, t.name, `${batchId}.json`) }))
            .filter((t) => fs.existsSync(t.file))
            .map((t) => ({ source: t.source, table: t.table, summary: readJson(t.file) as Record<string, unknown> })),
    );
}

/** The gold job's `<gold>/_run_summaries/<batchId>.json`, if written. */
export function goldRunSummary(goldDir: string, batchId: string): Record<string, unknown> | undefined {
    const file = path.join(goldDir, "_run_summaries", `${batchId}.json`);
    return fs.existsSync(file) ? (readJson(file) as Record<string, unknown>) : undefined;
}

/** One table of the local catalog the crawl step wrote. */
export interface CatalogEntry {
    database: string;
    name: string;
    source: string;
    sourceTable: string;
    columns: { name: string; type: string }[];
    rowCount: number | null;
}

export function readCatalog(catalogDir: string): CatalogEntry[] {
    return dataFolders(catalogDir).flatMap((database) =>
        listFiles(path.join(catalogDir, database), ".json").map((file) => {
            const entry = readJson(file) as Partial<CatalogEntry>;
            return {
                database,
                name: entry.name ?? path.basename(file, ".json"),
                source: entry.source ?? "",
                sourceTable: entry.sourceTable ?? "",
                columns: entry.columns ?? [],
                rowCount: typeof entry.rowCount === "number" ? entry.rowCount : null,
            };
        }),
    );
}

/** Files per partition folder of each gold model: `{ model, partition: "year=2008/month=1", files }`. */
export function goldPartitionFiles(goldDir: string): { model: string; partition: string; files: number }[] {
    return dataFolders(goldDir).flatMap((model) => {
        const counts = new Map<string, number>();
        for (const file of listFiles(path.join(goldDir, model), ".parquet")) {
            const partition = path.relative(path.join(goldDir, model), path.dirname(file)) || ".";
            counts.set(partition, (counts.get(partition) ?? 0) + 1);
        }
        return [...counts].map(([partition, files]) => ({ model, partition, files }));
    });
}

/** The batch folders bronze has written: `<source>/<table>/ingest_date=.../batch_id=<id>`. */
export function bronzeBatches(bronzeDir: string): string[] {
    return [...new Set(listFiles(bronzeDir, ".avro").map((f) => path.relative(bronzeDir, path.dirname(f))))];
}
