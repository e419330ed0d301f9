/**
 * The local Athena: queries on a Trino server (the engine of Athena engine version 3) through its
 * HTTP protocol (`trino-client`), with the lake's tables resolved by Trino's Hive connector from the
 * (local) Glue Data Catalog, as Athena resolves them. Values follow the shared conventions: decimals
 * as exact strings, dates and timestamps as their SQL text, integers as numbers (bigint beyond 2^53).
 */
import { BasicAuth, QueryResult as TrinoResult, Trino } from "trino-client";
import { toExecutionParameter } from "./athena";
import { QueryColumn, QueryEngine, QueryOptions, QueryResult } from "./engine";

export interface TrinoEngineOptions {
    /** Server URL, for example `http://127.0.0.1:8080`. */
    server: string;
    /** Catalog the unqualified `"database"."table"` names resolve in; default `awsdatacatalog` (Athena's). */
    catalog?: string;
    /** Schema (Glue database) unqualified table names resolve in; default none (names are qualified). */
    schema?: string;
    /** Trino user name sent with each query; default `medallion-lake`. */
    user?: string;
    /** Default per-query timeout; default 10 minutes. A query's `timeoutMs` overrides it. */
    timeoutMs?: number;
}

/** A query Trino rejected or failed: Trino's message, error name (e.g. `TABLE_NOT_FOUND`) and query id. */
export class TrinoQueryError extends Error {
    constructor(
        message: string,
        readonly queryId?: string,
        readonly errorName?: string,
    ) {
        super(message);
        this.name = "TrinoQueryError";
    }
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** `sql` with positional `?` parameters bound as literals by Trino (EXECUTE IMMEDIATE ... USING). */
export function withParameters(sql: string, parameters: (string | number | boolean)[] = []): string {
    if (parameters.length === 0) return sql;
    return `EXECUTE IMMEDIATE '${sql.replace(/'/g, "''")}' USING ${parameters.map(toExecutionParameter).join(", ")}`;
}

/** Trino's type name in the shared interface's form: lowercase, `decimal(8,2)` (Trino writes `decimal(8, 2)`). */
export function typeName(type: string): string {
    return type.toLowerCase().replace(/,\s+/g, ",");
}

/** One cell as the shared interface returns it, by Trino type name. */
export function convertTrinoValue(value: unknown, type: string): unknown {
    if (value === null || value === undefined) return null;
    const base = type.toLowerCase().replace(/\(.*$/, "");
    if ((base === "double" || base === "real") && typeof value === "string") return Number(value); // NaN, Infinity
    if (base === "bigint" && typeof value === "string") {
        const big = BigInt(value);
        return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    return value;
}

export class TrinoQueryEngine implements QueryEngine {
    readonly name = "trino";
    private readonly client: Trino;

    constructor(private readonly options: TrinoEngineOptions) {
        this.client = Trino.create({
            server: options.server,
            catalog: options.catalog ?? "awsdatacatalog",
            schema: options.schema,
            source: "medallion-lake",
            auth: new BasicAuth(options.user ?? "medallion-lake"),
        });
    }

    async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
        const started = Date.now();
        const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        if (options.signal?.aborted) throw new TrinoQueryError("Trino query cancelled before it started");
        let queryId: string | undefined;
        let stopped: string | undefined;
        const stop = (why: string) => {
            stopped = why;
            if (queryId) this.client.cancel(queryId).catch(() => undefined);
        };
        const onAbort = () => stop("cancelled");
        options.signal?.addEventListener("abort", onAbort, { once: true });
        const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms and was stopped`), timeoutMs);
        let columns: QueryColumn[] = [];
        const rows: Record<string, unknown>[] = [];
        let last: TrinoResult | undefined;
        try {
            const results = await this.client.query(withParameters(sql, options.parameters));
            for await (const page of results) {
                last = page;
                queryId = page.id;
                if (stopped) break;
                if (page.error) throw new TrinoQueryError(`Trino query ${page.id} failed: ${page.error.message}`, page.id, page.error.errorName);
                if (page.columns) columns = page.columns.map((c) => ({ name: c.name, type: typeName(c.type) }));
                for (const cells of page.data ?? []) {
                    const row: Record<string, unknown> = {};
                    columns.forEach((c, i) => (row[c.name] = convertTrinoValue(cells[i], c.type)));
                    rows.push(row);
                }
            }
        } catch (e) {
            if (e instanceof TrinoQueryError) throw e;
            throw new TrinoQueryError(`Trino query failed (${this.options.server}): ${(e as Error).message}`, queryId);
        } finally {
            clearTimeout(timer);
            options.signal?.removeEventListener("abort", onAbort);
        }
        if (stopped) throw new TrinoQueryError(`Trino query ${queryId ?? "(not started)"} ${stopped}`, queryId);
        return {
            columns,
            rows,
            stats: { engine: this.name, queryId, elapsedMs: Date.now() - started, bytesScanned: last?.stats?.physicalInputBytes },
        };
    }

    async close(): Promise<void> {
        // Stateless over HTTP: nothing to release.
    }
}
