/**
 * The local query engine: DuckDB over the lake's Parquet folders, addressed exactly as Athena
 * addresses the Glue Data Catalog (`"<database>"."<table>"`), so the component's named queries and
 * ad hoc SQL run unchanged on a laptop. One DuckDB schema per catalog database, one view per table.
 */
import { DuckDBConnection, DuckDBDecimalValue, DuckDBInstance, DuckDBResultReader } from "@duckdb/node-api";
import { QueryEngine, QueryOptions, QueryResult, quoteIdentifier, quoteLiteral } from "./engine";

/** A table of the local catalog: where its Parquet files live (a folder, searched recursively). */
export interface ParquetTable {
    database: string;
    table: string;
    /** Absolute folder path; Hive-style `key=value` sub-folders become columns. */
    location: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** The schemas that hold the catalog's databases. Pure, like {@link viewStatement}. */
export function schemaStatements(tables: ParquetTable[]): string[] {
    return [...new Set(tables.map((t) => t.database))].sort().map((db) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(db)}`);
}

/**
 * The view that exposes one table as `"<database>"."<table>"` over all Parquet files below its
 * folder. `union_by_name` tolerates files written before a column was added.
 */
export function viewStatement(table: ParquetTable): string {
    const glob = `${table.location.replace(/\/+$/, "")}/**/*.parquet`;
    return (
        `CREATE OR REPLACE VIEW ${quoteIdentifier(table.database)}.${quoteIdentifier(table.table)} AS ` +
        `SELECT * FROM read_parquet(${quoteLiteral(glob)}, hive_partitioning = true, union_by_name = true)`
    );
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
                await connection.run(viewStatement(table)).catch((e: Error) => {
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
