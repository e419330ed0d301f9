/**
 * The local query engine: DuckDB over the lake's Parquet folders and Iceberg tables, addressed
 * exactly as Athena addresses the Glue Data Catalog (`"<database>"."<table>"`), so the component's
 * named queries and ad hoc SQL run unchanged on a laptop. One DuckDB schema per catalog database, one
 * view per table.
 */
import { DuckDBConnection, DuckDBDecimalValue, DuckDBInstance, DuckDBResultReader } from "@duckdb/node-api";
import type { IcebergFile, IcebergSnapshotFiles, IcebergType } from "./iceberg-snapshot";
import { QueryEngine, QueryOptions, QueryResult, quoteIdentifier, quoteLiteral } from "./engine";

/**
 * A table of the local catalog: where its Parquet files live (a folder, searched recursively), or,
 * for an Iceberg table, exactly which files make up the snapshot to read.
 */
export interface ParquetTable {
    database: string;
    table: string;
    /** Absolute folder path; Hive-style `key=value` sub-folders become columns. Of an Iceberg table, only named in errors. */
    location: string;
    /** An Iceberg table's snapshot (see local-lake/lib/iceberg-files.ts): the view reads these files, never the folder. */
    iceberg?: IcebergSnapshotFiles;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** The schemas that hold the catalog's databases. Pure, like {@link viewStatement}. */
export function schemaStatements(tables: ParquetTable[]): string[] {
    return [...new Set(tables.map((t) => t.database))].sort().map((db) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(db)}`);
}

/**
 * The view that exposes one table as `"<database>"."<table>"`: over all Parquet files below its
 * folder (`union_by_name` tolerates files written before a column was added), or over an Iceberg
 * snapshot's files (see {@link icebergSelect}).
 */
export function viewStatement(table: ParquetTable): string {
    const glob = `${table.location.replace(/\/+$/, "")}/**/*.parquet`;
    return (
        `CREATE OR REPLACE VIEW ${quoteIdentifier(table.database)}.${quoteIdentifier(table.table)} AS ` +
        (table.iceberg ? icebergSelect(table.iceberg) : `SELECT * FROM read_parquet(${quoteLiteral(glob)}, hive_partitioning = true, union_by_name = true)`)
    );
}

const ICEBERG_PRIMITIVES: Record<string, string> = {
    boolean: "BOOLEAN",
    int: "INTEGER",
    long: "BIGINT",
    float: "FLOAT",
    double: "DOUBLE",
    date: "DATE",
    time: "TIME",
    timestamp: "TIMESTAMP",
    timestamptz: "TIMESTAMPTZ",
    string: "VARCHAR",
    uuid: "UUID",
    binary: "BLOB",
};

/** The DuckDB type of an Iceberg primitive type (`decimal(10, 2)` -> `DECIMAL(10,2)`); nested types fail. */
export function duckDbType(type: IcebergType): string {
    if (typeof type === "string") {
        const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
        if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
        if (/^fixed\[\d+\]$/.test(type)) return "BLOB";
        if (Object.hasOwn(ICEBERG_PRIMITIVES, type)) return ICEBERG_PRIMITIVES[type];
    }
    throw new Error(`Iceberg type ${JSON.stringify(type)} has no DuckDB view yet (primitive types only)`);
}

const fileList = (files: IcebergFile[]) => `[${files.map((f) => quoteLiteral(f.path)).join(", ")}]`;

/**
 * The rows of an Iceberg snapshot: its data files, read by Parquet field id as Iceberg's column
 * projection requires (renamed columns keep their data, columns added later read as NULL, dropped ones
 * are not read: `schema` maps each field id to a column `c<id>` of the table's DuckDB type), minus the
 * rows whose (file, position) a position delete file lists. DuckDB's `filename` is the path as given
 * in the list and `file_row_number` counts from 0 like `pos`; delete files name data files by their
 * Iceberg URI (`file:/...`), hence the `files(uri, path)` table. No data files: an empty SELECT of
 * the table's columns.
 */
export function icebergSelect(snapshot: IcebergSnapshotFiles): string {
    const columns = snapshot.schema.map((f) => ({ id: f.id, name: quoteIdentifier(f.name), type: duckDbType(f.type), alias: `c${f.id}` }));
    if (snapshot.dataFiles.length === 0) return `SELECT ${columns.map((c) => `CAST(NULL AS ${c.type}) AS ${c.name}`).join(", ")} WHERE false`;
    const schema = `MAP {${columns.map((c) => `${c.id}: {name: ${quoteLiteral(c.alias)}, type: ${quoteLiteral(c.type)}, default_value: NULL}`).join(", ")}}`;
    const select =
        `SELECT ${columns.map((c) => `data.${c.alias} AS ${c.name}`).join(", ")} ` +
        `FROM read_parquet(${fileList(snapshot.dataFiles)}, schema = ${schema}, hive_partitioning = false, filename = 'file', file_row_number = true) AS data`;
    if (snapshot.deleteFiles.length === 0) return select;
    // Delete files by the spec's reserved field ids: 2147483546 file_path, 2147483545 pos (an optional `row` is not read).
    const deletes = `read_parquet(${fileList(snapshot.deleteFiles)}, schema = MAP {2147483546: {name: 'file_path', type: 'VARCHAR', default_value: NULL}, 2147483545: {name: 'pos', type: 'BIGINT', default_value: NULL}}, hive_partitioning = false)`;
    const files = `(VALUES ${snapshot.dataFiles.map((f) => `(${quoteLiteral(f.uri)}, ${quoteLiteral(f.path)})`).join(", ")}) AS files(uri, path)`;
    return (
        `${select} ANTI JOIN (SELECT files.path, deletes.pos FROM ${deletes} AS deletes JOIN ${files} ON deletes.file_path = files.uri) AS deleted ` +
        "ON data.file = deleted.path AND data.file_row_number = deleted.pos"
    );
}

/**
 * The data files of an Iceberg table that carry no Parquet field ids (files imported into a table
 * rather than written by Iceberg, read through a name mapping, which is not supported): checked
 * before the view is made, as DuckDB's field-id reading fails internally on them.
 */
async function filesWithoutFieldIds(connection: DuckDBConnection, snapshot: IcebergSnapshotFiles): Promise<string[]> {
    if (snapshot.dataFiles.length === 0) return [];
    const reader = await connection.runAndReadAll(
        `SELECT file_name FROM parquet_schema(${fileList(snapshot.dataFiles)}) GROUP BY file_name HAVING count(field_id) = 0 ORDER BY file_name`,
    );
    return reader.getRows().map((row) => String(row[0]));
}

/**
 * JS value of one DuckDB cell, with the conventions of the Athena client: integers as numbers
 * (bigint only beyond 2^53), decimals as strings (exact), dates and timestamps as their SQL text.
 */
export function toJsValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (typeof value === "bigint") {
        return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
    }
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
    if (value instanceof DuckDBDecimalValue) return value.toString();
    return String(value);
}

function readResult(reader: DuckDBResultReader): Pick<QueryResult, "columns" | "rows"> {
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const columns = names.map((name, i) => ({ name, type: types[i].toString().toLowerCase() }));
    const rows = reader.getRows().map((row) => {
        const out: Record<string, unknown> = {};
        names.forEach((name, i) => (out[name] = toJsValue(row[i])));
        return out;
    });
    return { columns, rows };
}

export class DuckDbQueryEngine implements QueryEngine {
    readonly name = "duckdb";

    private constructor(
        private readonly instance: DuckDBInstance,
        private readonly connection: DuckDBConnection,
    ) {}

    /** An in-memory DuckDB with a view per table. Fails naming the table whose files cannot be read. */
    static async open(tables: ParquetTable[]): Promise<DuckDbQueryEngine> {
        const instance = await DuckDBInstance.create(":memory:");
        const connection = await instance.connect();
        const engine = new DuckDbQueryEngine(instance, connection);
        try {
            for (const statement of schemaStatements(tables)) await connection.run(statement);
            for (const table of tables) {
                const expose = async () => {
                    const unmapped = table.iceberg ? await filesWithoutFieldIds(connection, table.iceberg) : [];
                    if (unmapped.length) throw new Error(`Iceberg data files without Parquet field ids are not supported: ${unmapped.join(", ")}`);
                    await connection.run(viewStatement(table));
                };
                await expose().catch((e: Error) => {
                    throw new Error(`DuckDB could not expose ${table.database}.${table.table} (${table.location}): ${e.message}`);
                });
            }
        } catch (e) {
            await engine.close();
            throw e;
        }
        return engine;
    }

    async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
        const started = Date.now();
        const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        let stopped: string | undefined;
        const stop = (why: string) => {
            stopped = why;
            this.connection.interrupt();
        };
        if (options.signal?.aborted) throw new Error("DuckDB query cancelled before it started");
        const onAbort = () => stop("cancelled");
        options.signal?.addEventListener("abort", onAbort, { once: true });
        const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`), timeoutMs);
        try {
            const reader = await this.connection.runAndReadAll(sql, options.parameters ?? []);
            return { ...readResult(reader), stats: { engine: this.name, elapsedMs: Date.now() - started } };
        } catch (e) {
            if (stopped) throw new Error(`DuckDB query ${stopped}`);
            throw new Error(`DuckDB query failed: ${(e as Error).message}`);
        } finally {
            clearTimeout(timer);
            options.signal?.removeEventListener("abort", onAbort);
        }
    }

    async close(): Promise<void> {
        this.connection.closeSync();
        this.instance.closeSync();
    }
}
