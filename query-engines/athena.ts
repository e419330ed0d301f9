/**
 * Athena query client: runs SQL in a lake's Athena workgroup and returns typed rows through the
 * shared QueryEngine interface, so `npm run query` and services can target an AWS stack exactly
 * like the local DuckDB lake.
 */
import {
    AthenaClient,
    ColumnInfo,
    GetQueryExecutionCommand,
    GetQueryExecutionCommandOutput,
    GetQueryResultsCommand,
    GetQueryResultsCommandOutput,
    QueryExecution,
    StartQueryExecutionCommand,
    StartQueryExecutionCommandOutput,
    StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { QueryColumn, QueryEngine, QueryOptions, QueryResult } from "./engine";

export interface Backoff {
    /** First delay, in milliseconds. */
    initialMs: number;
    /** Delays never exceed this. */
    maxMs: number;
    /** Each delay is the previous one times this. */
    factor: number;
}

export interface AthenaEngineOptions {
    /** The lake's workgroup (stack output); its enforced result location and scan cutoff apply. */
    workGroup: string;
    /** Database for unqualified table names. The lake's named queries qualify every table, so optional. */
    database?: string;
    /** Data catalog, default `AwsDataCatalog`. */
    catalog?: string;
    /** A configured client; otherwise one is created for `region` (or the SDK's default region chain). */
    client?: AthenaClient;
    region?: string;
    /** Default per-query timeout, 10 minutes. A query's `timeoutMs` overrides it. */
    timeoutMs?: number;
    /** Status polling: 250 ms doubling up to 5 s by default. */
    poll?: Backoff;
    /** Throttling retries: up to `maxAttempts` calls per request, delays 200 ms doubling up to 10 s by default. */
    throttle?: Backoff & { maxAttempts: number };
    /** GetQueryResults page size, at most 1000 (the default). */
    pageSize?: number;
    /** Injectable for tests: waits `ms` or until `signal` aborts (then resolves early). */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** Injectable clock, milliseconds. */
    now?: () => number;
}

/** Athena-specific statistics on top of the shared ones. */
type SharedStats = QueryResult["stats"];

export interface AthenaQueryStats extends SharedStats {
    /** Athena's own engine run time. */
    engineExecutionTimeMs?: number;
    /** Athena's total time including queueing and planning. */
    totalExecutionTimeMs?: number;
}

export interface AthenaQueryResult extends QueryResult {
    stats: AthenaQueryStats;
}

/** Base class of every error this client throws; carries the query id once Athena assigned one. */
export class AthenaQueryError extends Error {
    constructor(
        message: string,
        readonly queryId?: string,
        readonly stats?: AthenaQueryStats,
    ) {
        super(message);
        this.name = new.target.name;
    }
}

/** Athena reported FAILED; `reason` is Athena's StateChangeReason / error message. */
export class AthenaQueryFailedError extends AthenaQueryError {
    constructor(
        readonly reason: string,
        queryId: string,
        stats: AthenaQueryStats,
        readonly errorCategory?: number,
        readonly errorType?: number,
    ) {
        super(`Athena query ${queryId} failed: ${reason}`, queryId, stats);
    }
}

/** Cancelled through the AbortSignal (the client then stopped the query) or by someone else in Athena. */
export class AthenaQueryCancelledError extends AthenaQueryError {}

/** The query outlived its timeout; the client stopped it in Athena. */
export class AthenaQueryTimeoutError extends AthenaQueryError {
    constructor(
        readonly timeoutMs: number,
        queryId: string | undefined,
        readonly stopError?: unknown,
    ) {
        super(
            `Athena query ${queryId ?? "(not started)"} timed out after ${timeoutMs} ms and was stopped` +
                (stopError ? ` (stopping it failed: ${String(stopError)})` : ""),
            queryId,
        );
    }
}

/** A parameter that cannot be passed as an Athena literal. */
export class AthenaParameterError extends AthenaQueryError {}

const DEFAULTS = {
    catalog: "AwsDataCatalog",
    timeoutMs: 10 * 60 * 1000,
    poll: { initialMs: 250, maxMs: 5000, factor: 2 },
    throttle: { initialMs: 200, maxMs: 10_000, factor: 2, maxAttempts: 6 },
    pageSize: 1000,
};

const THROTTLING_ERRORS = new Set(["ThrottlingException", "TooManyRequestsException"]);

export function isThrottlingError(err: unknown): boolean {
    const e = err as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
    return !!e && (THROTTLING_ERRORS.has(e.name ?? "") || e.$retryable?.throttling === true);
}

/** The delay before retry/poll number `attempt` (0-based). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
    return Math.min(backoff.maxMs, backoff.initialMs * Math.pow(backoff.factor, attempt));
}

/**
 * Encodes one positional parameter as the Athena literal that ExecutionParameters expects: strings
 * quoted with embedded quotes doubled (Athena binds them as values, the SQL text is never built
 * from them), numbers as finite numeric literals, booleans as TRUE/FALSE.
 */
export function toExecutionParameter(value: string | number | boolean, index: number): string {
    switch (typeof value) {
        case "string":
            return `'${value.replace(/'/g, "''")}'`;
        case "number":
            if (!Number.isFinite(value)) {
                throw new AthenaParameterError(`parameters[${index}]: ${value} is not a finite number`);
            }
            return String(value);
        case "boolean":
            return value ? "TRUE" : "FALSE";
        default:
            throw new AthenaParameterError(
                `parameters[${index}]: unsupported type ${typeof value} (use string, number or boolean)`,
            );
    }
}

/** The column's type name as the shared interface reports it: Athena's name, decimals with precision/scale. */
export function columnTypeName(column: ColumnInfo): string {
    const type = (column.Type ?? "varchar").toLowerCase();
    return type === "decimal" ? `decimal(${column.Precision ?? 38},${column.Scale ?? 0})` : type;
}

const INTEGER_TYPES = new Set(["tinyint", "smallint", "integer", "int"]);
const FLOAT_TYPES = new Set(["double", "real", "float"]);

/**
 * Converts one Athena cell (always a string, absent for NULL) by column type:
 * tinyint/smallint/integer -> number; bigint -> number when it is a safe integer, else bigint;
 * double/real -> number (NaN/Infinity included); boolean -> boolean; decimal -> string (keeps
 * precision); date -> `YYYY-MM-DD` string and timestamp -> Athena's text (no time-zone shift);
 * everything else (varchar, char, json, arrays, maps, rows) -> string as Athena renders it.
 */
export function convertAthenaValue(value: string | undefined, type: string): unknown {
    if (value === undefined) {
        return null;
    }
    const base = type.toLowerCase().replace(/\(.*$/, "");
    const invalid = () => new AthenaQueryError(`Athena returned ${JSON.stringify(value)} for a ${type} column`);
    if (INTEGER_TYPES.has(base) || base === "bigint") {
        if (!/^-?\d+$/.test(value)) {
            throw invalid();
        }
        const big = BigInt(value);
        return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    if (FLOAT_TYPES.has(base)) {
        const n = Number(value);
        if (value.trim() === "" || (Number.isNaN(n) && value !== "NaN")) {
            throw invalid();
        }
        return n;
    }
    if (base === "boolean") {
        if (value !== "true" && value !== "false") {
            throw invalid();
        }
        return value === "true";
    }
    return value;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
        if (signal?.aborted) {
            return resolve();
        }
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
    });

/** Runs SQL on Athena in one workgroup. See docs/athena.md. */
export class AthenaQueryEngine implements QueryEngine {
    readonly name = "athena";
    private readonly client: AthenaClient;
    private readonly ownsClient: boolean;
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    private readonly now: () => number;
    private readonly poll: Backoff;
    private readonly throttle: Backoff & { maxAttempts: number };

    constructor(private readonly options: AthenaEngineOptions) {
        if (!options.workGroup) {
            throw new AthenaQueryError("AthenaQueryEngine: workGroup is required (the lake stack's Athena workgroup output)");
        }
        const pageSize = options.pageSize ?? DEFAULTS.pageSize;
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
            throw new AthenaQueryError(`AthenaQueryEngine: pageSize must be an integer in 1..1000, got ${pageSize}`);
        }
        this.client = options.client ?? new AthenaClient(options.region ? { region: options.region } : {});
        this.ownsClient = !options.client;
        this.sleep = options.sleep ?? defaultSleep;
        this.now = options.now ?? Date.now;
        this.poll = options.poll ?? DEFAULTS.poll;
        this.throttle = options.throttle ?? DEFAULTS.throttle;
    }

    async query(sql: string, options: QueryOptions = {}): Promise<AthenaQueryResult> {
        const { signal } = options;
        const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULTS.timeoutMs;
        if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
            throw new AthenaQueryError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
        }
        const started = this.now();
        const parameters = (options.parameters ?? []).map(toExecutionParameter);

        const start = await this.sendOrCancel<StartQueryExecutionCommandOutput>(
            "before Athena returned a query id",
            new StartQueryExecutionCommand({
                QueryString: sql,
                WorkGroup: this.options.workGroup,
                QueryExecutionContext: {
                    Catalog: this.options.catalog ?? DEFAULTS.catalog,
                    ...(this.options.database ? { Database: this.options.database } : {}),
                },
                ...(parameters.length > 0 ? { ExecutionParameters: parameters } : {}),
            }),
            signal,
        );
        const queryId = start.QueryExecutionId;
        if (!queryId) {
            throw new AthenaQueryError("Athena StartQueryExecution returned no QueryExecutionId");
        }

        const execution = await this.waitForCompletion(queryId, started + timeoutMs, timeoutMs, signal);
        const statistics = execution.Statistics ?? {};
        const stats: AthenaQueryStats = {
            engine: this.name,
            queryId,
            elapsedMs: this.now() - started,
            bytesScanned: statistics.DataScannedInBytes,
            engineExecutionTimeMs: statistics.EngineExecutionTimeInMillis,
            totalExecutionTimeMs: statistics.TotalExecutionTimeInMillis,
        };
        const state = execution.Status?.State;
        if (state === "FAILED") {
            const reason =
                execution.Status?.AthenaError?.ErrorMessage ?? execution.Status?.StateChangeReason ?? "no reason given";
            throw new AthenaQueryFailedError(
                reason,
                queryId,
                stats,
                execution.Status?.AthenaError?.ErrorCategory,
                execution.Status?.AthenaError?.ErrorType,
            );
        }
        if (state === "CANCELLED") {
            throw new AthenaQueryCancelledError(
                `Athena query ${queryId} was cancelled in Athena` +
                    (execution.Status?.StateChangeReason ? `: ${execution.Status.StateChangeReason}` : ""),
                queryId,
                stats,
            );
        }

        const { columns, rows } = await this.fetchResults(queryId, execution.StatementType === "DML", signal);
        return { columns, rows, stats: { ...stats, elapsedMs: this.now() - started } };
    }

    async close(): Promise<void> {
        if (this.ownsClient) {
            this.client.destroy();
        }
    }

    /** Polls GetQueryExecution with backoff until a final state; stops the query on timeout or abort. */
    private async waitForCompletion(
        queryId: string,
        deadline: number,
        timeoutMs: number,
        signal: AbortSignal | undefined,
    ): Promise<QueryExecution> {
        for (let attempt = 0; ; attempt++) {
            if (signal?.aborted) {
                const stopError = await this.stop(queryId);
                throw new AthenaQueryCancelledError(
                    `Athena query ${queryId} cancelled and stopped` +
                        (stopError ? ` (stopping it failed: ${String(stopError)})` : ""),
                    queryId,
                );
            }
            const remaining = deadline - this.now();
            if (remaining <= 0) {
                throw new AthenaQueryTimeoutError(timeoutMs, queryId, await this.stop(queryId));
            }
            let execution: QueryExecution | undefined;
            try {
                ({ QueryExecution: execution } = await this.send<GetQueryExecutionCommandOutput>(
                    new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
                    signal,
                ));
            } catch (err) {
                if (signal?.aborted) {
                    continue; // the loop head stops the query
                }
                throw err;
            }
            const state = execution?.Status?.State;
            if (execution && (state === "SUCCEEDED" || state === "FAILED" || state === "CANCELLED")) {
                return execution;
            }
            await this.sleep(Math.min(backoffDelay(this.poll, attempt), Math.max(remaining, 0)), signal);
        }
    }

    /** Stops the query; returns the error if stopping failed so the caller can report it. */
    private async stop(queryId: string): Promise<unknown> {
        try {
            await this.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
            return undefined;
        } catch (err) {
            return err;
        }
    }

    /** Pages through GetQueryResults; a DML result's first row on the first page repeats the column names. */
    private async fetchResults(
        queryId: string,
        firstRowIsHeader: boolean,
        signal: AbortSignal | undefined,
    ): Promise<{ columns: QueryColumn[]; rows: Record<string, unknown>[] }> {
        let columns: QueryColumn[] | undefined;
        const rows: Record<string, unknown>[] = [];
        let nextToken: string | undefined;
        let first = true;
        do {
            const page = await this.sendOrCancel<GetQueryResultsCommandOutput>(
                `while reading the results of Athena query ${queryId}`,
                new GetQueryResultsCommand({
                    QueryExecutionId: queryId,
                    MaxResults: this.options.pageSize ?? DEFAULTS.pageSize,
                    ...(nextToken ? { NextToken: nextToken } : {}),
                }),
                signal,
            );
            columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c, i) => ({
                name: c.Name ?? `_col${i}`,
                type: columnTypeName(c),
            }));
            const pageRows = page.ResultSet?.Rows ?? [];
            for (const row of first && firstRowIsHeader ? pageRows.slice(1) : pageRows) {
                const data = row.Data ?? [];
                if (data.length !== columns.length) {
                    throw new AthenaQueryError(
                        `Athena query ${queryId}: result row has ${data.length} values for ${columns.length} columns`,
                        queryId,
                    );
                }
                const record: Record<string, unknown> = {};
                columns.forEach((column, i) => {
                    record[column.name] = convertAthenaValue(data[i].VarCharValue, column.type);
                });
                rows.push(record);
            }
            first = false;
            nextToken = page.NextToken;
        } while (nextToken);
        return { columns: columns ?? [], rows };
    }

    /** Sends a command, retrying throttling errors with backoff (the query itself is never re-submitted otherwise). */
    private async send<T>(command: { readonly input: object }, signal?: AbortSignal): Promise<T> {
        for (let attempt = 1; ; attempt++) {
            try {
                // The client's send is overloaded per command; one generic path keeps retry logic in one place.
                return (await (this.client.send as (c: unknown, o?: unknown) => Promise<T>).call(
                    this.client,
                    command,
                    signal ? { abortSignal: signal } : undefined,
                )) as T;
            } catch (err) {
                if (!isThrottlingError(err) || attempt >= this.throttle.maxAttempts) {
                    throw err;
                }
                await this.sleep(backoffDelay(this.throttle, attempt - 1), signal);
                if (signal?.aborted) {
                    throw err;
                }
            }
        }
    }

    /** `send`, turning any failure after `signal` aborted into a cancellation (the query is finished or unknown here). */
    private async sendOrCancel<T>(when: string, command: { readonly input: object }, signal?: AbortSignal): Promise<T> {
        if (signal?.aborted) {
            throw new AthenaQueryCancelledError(`Athena query cancelled ${when}`);
        }
        try {
            return await this.send<T>(command, signal);
        } catch (err) {
            if (signal?.aborted) {
                throw new AthenaQueryCancelledError(`Athena query cancelled ${when}`);
            }
            throw err;
        }
    }
}
