/**
 * Reading the local lake: the saved Glue catalog (which tables exist, where, in which format), the
 * jobs' run summaries, and how the bronze and gold files are spread over folders. Writing its assets:
 * the lake spec and the gold models' SQL beside it, as the component uploads them.
 */
import * as fs from "fs";
import * as path from "path";
import { GoldModelConfig, goldModelFile, LakeSpec } from "medallion-lake";
import { ParquetTable } from "../../query-engines/duckdb";
import type { IcebergSnapshotFiles } from "../../query-engines/iceberg-snapshot";
import { icebergFiles, icebergLocalPath } from "./iceberg-files";
import { LakeLayout } from "./layout";

/** Writes the lake spec to `specFile` and each gold model's SQL beside it, where the spec says. */
export function writeLakeSpec(specFile: string, spec: LakeSpec, models: GoldModelConfig[]): void {
    fs.mkdirSync(path.dirname(specFile), { recursive: true });
    fs.writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
    for (const model of models) {
        const file = path.join(path.dirname(specFile), goldModelFile(model));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, model.sql);
    }
}

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

/** A table of the saved local Glue catalog (`<catalogDir>/catalog.json`, written after every step). */
export interface CatalogTable {
    database: string;
    table: string;
    /** `iceberg` for Iceberg tables, else `classification`: avro, parquet, or the source engine for crawled tables. */
    format: string;
    /** The location the catalog records (`local:///...`, `s3://...`, or the source table). */
    location: string;
    /** Of an Iceberg table: its current metadata file, as the `metadata_location` parameter records it. */
    metadataLocation?: string;
    columns: { name: string; type: string }[];
    partitionKeys: string[];
}

interface SavedCatalog {
    databases: { database: { Name: string }; tables: { table: GlueTableInput }[] }[];
}
interface GlueTableInput {
    Name: string;
    Parameters?: Record<string, string>;
    PartitionKeys?: { Name: string }[];
    StorageDescriptor?: { Location?: string; Columns?: { Name: string; Type: string }[] };
}

/** Every table of the saved local catalog; [] before the first run. */
export function readCatalog(layout: LakeLayout): CatalogTable[] {
    const file = path.join(layout.catalogDir, "catalog.json");
    if (!fs.existsSync(file)) return [];
    const saved = readJson(file) as SavedCatalog;
    return saved.databases.flatMap(({ database, tables }) =>
        tables.map(({ table }) => {
            // Iceberg's GlueCatalog marks its tables so (Parameters table_type, metadata_location).
            const iceberg = table.Parameters?.table_type?.toUpperCase() === "ICEBERG";
            return {
                database: database.Name,
                table: table.Name,
                format: iceberg ? "iceberg" : (table.Parameters?.classification ?? ""),
                location: table.StorageDescriptor?.Location ?? "",
                ...(iceberg ? { metadataLocation: table.Parameters?.metadata_location ?? "" } : {}),
                columns: (table.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name, type: c.Type })),
                partitionKeys: (table.PartitionKeys ?? []).map((k) => k.Name),
            };
        }),
    );
}

/**
 * The folder of a catalog location of the local lake: `local:///<path>` is relative to the lake
 * folder (Trino's local file system root), `file://` is absolute. Anything else is not local.
 */
export function localFolder(layout: LakeLayout, location: string): string | undefined {
    const url = new URL(location);
    const relative = decodeURIComponent(url.pathname);
    if (url.protocol === "local:") {
        const folder = path.resolve(layout.lakeDir, `.${relative}`);
        return folder.startsWith(layout.lakeDir + path.sep) ? folder : undefined;
    }
    return url.protocol === "file:" ? path.resolve(relative) : undefined;
}

/** A table DuckDB reads as an Iceberg snapshot. */
export type IcebergTable = ParquetTable & { iceberg: IcebergSnapshotFiles };

/** An Iceberg table of the catalog with the files of its current snapshot, for DuckDB; fails naming the table. */
function icebergTable(layout: LakeLayout, t: CatalogTable): IcebergTable {
    const name = `${t.database}.${t.table}`;
    if (!t.metadataLocation) throw new Error(`Iceberg table ${name} has no metadata_location in the catalog`);
    try {
        const iceberg = icebergFiles(t.metadataLocation);
        const location = (t.location && localFolder(layout, t.location)) || icebergLocalPath(t.metadataLocation);
        return { database: t.database, table: t.table, location, iceberg };
    } catch (e) {
        throw new Error(`cannot read Iceberg table ${name}: ${(e as Error).message}`);
    }
}

/**
 * The catalog's tables DuckDB reads, for DuckDB: Parquet tables (silver, quarantine, gold) with their
 * folders, where Parquet exists; Iceberg tables with the files of their current snapshot (an Iceberg
 * table without data files is still a table: DuckDB exposes it empty). Fails naming an Iceberg
 * table whose metadata cannot be read.
 */
export function parquetTables(layout: LakeLayout): ParquetTable[] {
    return readCatalog(layout).flatMap((t) => {
        if (t.format === "iceberg") return [icebergTable(layout, t)];
        const location = t.format === "parquet" ? localFolder(layout, t.location) : undefined;
        return location && listFiles(location, ".parquet").length > 0 ? [{ database: t.database, table: t.table, location }] : [];
    });
}

/** The saved catalog's Iceberg table located at `folder` (absolute), with its current snapshot's files; undefined when none is. */
export function icebergTableAt(layout: LakeLayout, folder: string): IcebergTable | undefined {
    const found = readCatalog(layout).find((t) => t.format === "iceberg" && t.location && localFolder(layout, t.location) === path.resolve(folder));
    return found && icebergTable(layout, found);
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

/** When the gold job last succeeded: the time its newest run summary was written (it writes one only on success); undefined when never. */
export function lastGoldSuccess(goldDir: string): Date | undefined {
    const times = listFiles(path.join(goldDir, "_run_summaries"), ".json").map((f) => fs.statSync(f).mtimeMs);
    return times.length ? new Date(Math.max(...times)) : undefined;
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
