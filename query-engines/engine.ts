/**
 * The query-engine interface shared by the local DuckDB engine and the Athena client, so that
 * `npm run query` and services run the same SQL against the local lake or an AWS stack.
 */

/** A double-quoted SQL identifier, as DuckDB, Trino and Athena all read it. */
export function quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
}

/** A single-quoted SQL string literal, as DuckDB, Trino and Athena all read it. */
export function quoteLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

/** One result column: its name and the engine's type name (for example `bigint`, `varchar`, `decimal(12,2)`). */
export interface QueryColumn {
    name: string;
    type: string;
}

/** A query's rows, typed per column (numbers, bigint, strings, booleans, null), with what it cost. */
export interface QueryResult {
    columns: QueryColumn[];
    rows: Record<string, unknown>[];
    stats: {
        /** Engine name, `duckdb` or `athena`. */
        engine: string;
        /** Engine query id where the engine has one (Athena's QueryExecutionId). */
        queryId?: string;
        /** Wall time from submit to last row, in milliseconds. */
        elapsedMs: number;
        /** Bytes the engine scanned, where it reports them. */
        bytesScanned?: number;
    };
}

export interface QueryOptions {
    /** Positional `?` parameters; never concatenated into the SQL text. */
    parameters?: (string | number | boolean)[];
    /** Cancels the query (and stops it in the engine). */
    signal?: AbortSignal;
    /** Gives up (and stops the query) after this many milliseconds. Default: engine specific. */
    timeoutMs?: number;
}

export interface QueryEngine {
    readonly name: string;
    query(sql: string, options?: QueryOptions): Promise<QueryResult>;
    close(): Promise<void>;
}
