/**
 * `npm run lake` as a library: the whole medallion lake on one machine, step by step — start the
 * source databases, load TICKIT, crawl, run the bronze, silver and gold Glue scripts on local Spark
 * with the component's own arguments, then run the component's named queries with DuckDB.
 * Every step is timed and reported; a failure names the step and leaves earlier layers intact.
 */
import * as fs from "fs";
import * as path from "path";
import { freshnessHours, namedQueries } from "medallion-lake";
import { quoteIdentifier, quoteLiteral } from "../../query-engines/engine";
import { TrinoQueryEngine } from "../../query-engines/trino";
import { localJobArguments, newBatchId, submitArgv } from "./arguments";
import { mapConcurrently } from "./concurrency";
import { LakeStack, loadLakeStack } from "./config";
import { goldRunSummary, lastGoldSuccess, tableRunSummaries, writeLakeSpec } from "./lake-files";
import { defaultDataDir, fileUri, lakeLayout, Layer } from "./layout";
import {
    CatalogServer,
    crawlSources,
    loadSources,
    saveCatalog,
    startCatalog,
    startServers,
    startTrino,
    stopCatalog,
    stopServers,
    stopTrino,
    waitForTrino,
} from "./localdb";
import { ownConnections, writeConnections } from "./own-sources";
import { formatCount, formatTable, Reporter, streamReporter } from "./progress";
import { ensureSetup, parseMetricLine, runPython } from "./python";
import { acquireLock, HeldLock, LOCK_FILE, takeoverNote } from "./run-lock";
import { formatDrift, formatMetric, formatResult, formatSummary, goldFreshness, JobRun, LakeRunSummary, QualityResult, QueryOutcome, RESUME_STEPS, ResumeStep, StepName, STEPS, TableRows } from "./summary";

export interface LakeRunOptions {
    /** Stack whose `Pulumi.<stack>.yaml` defines the lake; default `local`. */
    stack?: string;
    /** Absolute folder holding `Pulumi.<stack>.yaml`, where its relative paths (`catalog`, `gold.models`) start; default the repository root. */
    stackDir?: string;
    /** Multiplies the TICKIT size (1 = full size); default 1. */
    scale?: number;
    /** Seed of the generated tables (users, listing, sales); default: localdb's. */
    seed?: number;
    /** Start from scratch: empty lake and catalog, reloaded source databases. */
    reset?: boolean;
    /** Leave the servers (databases, Glue catalog, Trino) running after the run. */
    keepServers?: boolean;
    /** Data folder; default `.local-lake/` in the project (`.local-lake/stacks/<stack>/` for other stacks). */
    dataDir?: string;
    /** Batch id of this run; default: the start time (UTC). */
    batchId?: string;
    /** Rows printed per query result; default 20. */
    maxPrintedRows?: number;
    /** Also print every Spark log line. */
    verbose?: boolean;
    /** Resume at this step, keeping what earlier steps produced (e.g. after fixing a failed gold job). */
    from?: ResumeStep;
    /**
     * Read the stack's own source databases (the hosts of the stack file; logins from
     * `MEDALLION_<SOURCE>_USER` / `_PASSWORD`) instead of TICKIT on local servers: no database is
     * started, loaded or crawled. Default false.
     */
    ownSources?: boolean;
    /**
     * The gold models the gold job rebuilds (its `--models`); the others keep their gold tables, which
     * the named ones read where they read other models. Default: every model.
     */
    models?: string[];
    /**
     * Run the silver and gold jobs as their floor (benchmarks/bench.ts): the same entry scripts,
     * catalog and tables opened, then they end without reading a row (`MEDALLION_FLOOR`,
     * glue-scripts/medallion/floor.py; docs/performance.md); the query step is skipped. Use with
     * `from: "silver"`. Default false.
     */
    floor?: boolean;
    /**
     * The data folder's lock (see run-lock.ts), when the caller holds it across several runs (the
     * benchmark does); default: the run takes it before anything starts and releases it at the end.
     */
    lock?: HeldLock;
    /** Where progress and the summary go; default stdout. */
    reporter?: Reporter;
}

/** A failed run: which step, why, and everything the run did before. */
export class LakeStepFailed extends Error {
    constructor(
        readonly step: StepName,
        readonly cause: Error,
        readonly summary: LakeRunSummary,
    ) {
        super(`step "${step}" failed: ${cause.message}`);
    }
}

/** Whether `--from` skips a step: the source steps (load, crawl) and every layer before `from`. */
export function skippedByFrom(step: StepName, from: ResumeStep | undefined): boolean {
    if (!from || step === "prepare" || step === "start servers") return false;
    if (step === "load" || step === "crawl") return true;
    return STEPS.indexOf(step) < STEPS.indexOf(from);
}

/** Why a step does not run (`--from`, or `--own-sources` for the steps of the local TICKIT servers), or undefined. */
export function skipReason(step: StepName, options: Pick<LakeRunOptions, "from" | "ownSources" | "floor">): string | undefined {
    if (skippedByFrom(step, options.from)) return `skipped (--from ${options.from})`;
    if (options.floor && step === "query") return "skipped (the jobs' floor: no gold was written)";
    if (options.ownSources && step === "load") return "skipped (--own-sources: the sources are your databases)";
    if (options.ownSources && step === "crawl") return "skipped (--own-sources: Glue's crawlers read your databases on AWS; no drift report locally)";
    return undefined;
}

/** Whether a run needs the source databases: only bronze reads them (the other layers read the lake). */
export function needsSourceDatabases(from: ResumeStep | undefined): boolean {
    return !from || from === "bronze";
}

const STEP_PURPOSE: Record<StepName, string> = {
    prepare: "reading the stack config and writing the lake spec",
    "start servers": "starting the Glue Data Catalog (moto), Trino (in the background) and PostgreSQL/MariaDB on loopback",
    load: "loading TICKIT into the source databases",
    crawl: "reading table definitions from the sources into the Glue catalog's source database (the Glue crawlers' job)",
    bronze: "bronze Glue job on local Spark: sources over JDBC -> Avro",
    silver: "silver Glue job on local Spark: new bronze batches -> typed, deduplicated rows MERGEd into Iceberg tables",
    gold: "gold Glue job on local Spark: silver -> partitioned Iceberg models (whole or touched partitions)",
    query: "running every Athena named query of the component on Trino, through the Glue catalog",
};

/** Named queries in flight at once on the local Trino (2 cores: more only queue). */
const NAMED_QUERY_CONCURRENCY = 3;

const numberOr = (value: unknown): number | null => (typeof value === "number" ? value : null);

/** The `quality` list of a silver run summary as typed results. */
export function qualityResults(table: string, raw: unknown): QualityResult[] {
    if (!Array.isArray(raw)) return [];
    return raw.map((r: Record<string, unknown>) => ({
        table,
        rule: String(r.rule),
        check: String(r.check),
        severity: r.severity === "warn" ? "warn" : "error",
        passed: r.passed === true,
        description: String(r.description ?? ""),
        ...(typeof r.failed_rows === "number" ? { failedRows: r.failed_rows } : {}),
        ...("observed" in r ? { observed: numberOr(r.observed) } : {}),
    }));
}

export async function runLocalLake(options: LakeRunOptions = {}): Promise<LakeRunSummary> {
    const reporter = options.reporter ?? streamReporter((t) => process.stdout.write(t));
    const stackName = options.stack ?? "local";
    const layout = lakeLayout(options.dataDir ?? defaultDataDir(stackName));
    const batchId = options.batchId ?? newBatchId();
    const summary: LakeRunSummary = {
        stack: stackName,
        environment: stackName,
        dataDir: layout.dataDir,
        scale: options.scale ?? 1,
        batchId,
        ok: false,
        steps: [],
        jobs: [],
        tables: [],
        quality: [],
        queries: [],
    };
    let stack: LakeStack | undefined;
    let catalog: CatalogServer | undefined;
    let databasesStarted = false;
    let trinoStarted = false;

    if (options.from && !RESUME_STEPS.includes(options.from)) throw new Error(`--from must be one of ${RESUME_STEPS.join(", ")}, got "${options.from}"`);
    if (options.from && options.reset) throw new Error("--from resumes a lake and --reset deletes it: use one of them");
    if (options.floor && options.from !== "silver") throw new Error("a floor run measures the silver and gold jobs of a built lake: pass from: \"silver\" with floor");
    // Before anything starts: a second run on the folder is refused here, naming the first.
    const lockFile = path.join(layout.dataDir, LOCK_FILE);
    if (options.lock && options.lock.file !== lockFile) throw new Error(`the lock passed is ${options.lock.file}, not the data folder's ${lockFile}`);
    const lock = options.lock ?? acquireLock(layout.dataDir, lakeRunPurpose(stackName, options));
    const takeover = takeoverNote(lock);
    if (takeover) reporter.print(takeover);

    const step = async (name: StepName, body: () => Promise<string | void>): Promise<void> => {
        const note = skipReason(name, options);
        if (note) {
            reporter.stepStarted(STEPS.indexOf(name) + 1, STEPS.length, name, note);
            summary.steps.push({ step: name, ok: true, ms: 0, note });
            return;
        }
        reporter.stepStarted(STEPS.indexOf(name) + 1, STEPS.length, name, STEP_PURPOSE[name]);
        const started = Date.now();
        try {
            const note = (await body()) ?? "";
            summary.steps.push({ step: name, ok: true, ms: Date.now() - started, note });
            reporter.stepEnded(name, true, Date.now() - started, note || undefined);
        } catch (e) {
            const error = e instanceof Error ? e : new Error(String(e));
            // The note is the first telling line; the full message goes to summary.error.
            const lines = error.message.split("\n");
            summary.steps.push({ step: name, ok: false, ms: Date.now() - started, note: (lines[1] ?? lines[0]).trim() });
            reporter.stepEnded(name, false, Date.now() - started);
            summary.failedStep = name;
            summary.error = error.message;
            throw new LakeStepFailed(name, error, summary);
        }
    };

    const runJob = async (layer: Layer) => {
        const lake = stack as LakeStack;
        const job: JobRun = { layer, ms: 0, metrics: [] };
        summary.jobs.push(job);
        const started = Date.now();
        const result = await runPython(submitArgv(layer, localJobArguments(layer, layout, lake.spec.environment, batchId, options.models)), {
            label: `${layer} job (glue-scripts/${layer}_job.py via local_submit.py)`,
            // The jobs register their tables in the local Glue catalog (locations as local:///, for Trino),
            // and publish their metrics to the same moto server's CloudWatch API, as on AWS (not kept).
            env: {
                ...(catalog as CatalogServer).env,
                AWS_ENDPOINT_URL_CLOUDWATCH: (catalog as CatalogServer).endpoint,
                MEDALLION_LOCAL_LAKE_ROOT: fileUri(layout.lakeDir),
                ...(options.floor ? { MEDALLION_FLOOR: "1" } : {}),
            },
            measureMemory: true,
            logFile: path.join(layout.logsDir, `${batchId}-${layer}.log`),
            onLine: (line) => {
                const metric = parseMetricLine(line);
                if (metric) {
                    job.metrics.push(metric);
                    reporter.detail(formatMetric(metric));
                } else if (options.verbose) {
                    reporter.detail(line);
                }
            },
        });
        job.ms = Date.now() - started;
        job.peakRssKb = result.peakRssKb;
        await saveCatalog(layout);
    };

    try {
        await step("prepare", async () => {
            stack = loadLakeStack(stackName, options.stackDir);
            if (options.models) checkModelNames(options.models, stack.config.gold.models.map((m) => m.name), stackName);
            await ensureSetup((line) => reporter.detail(line));
            summary.environment = stack.spec.environment;
            if (options.reset) {
                // Only the folders this runner owns; the source databases are reset by `load --reset`.
                for (const dir of [layout.lakeDir, layout.catalogDir]) fs.rmSync(dir, { recursive: true, force: true });
                reporter.detail(`--reset: removed ${layout.lakeDir} and ${layout.catalogDir}`);
            }
            fs.mkdirSync(layout.assetsDir, { recursive: true });
            writeLakeSpec(layout.specFile, stack.spec, stack.config.gold.models);
            if (options.ownSources) {
                // Checked before any server starts: every source needs its login in the environment.
                writeConnections(layout.connectionsFile, ownConnections(stack.config, process.env));
                const sources = stack.config.sources.map((s) => [s.name, s.engine, `${s.host}:${s.port}/${s.database}`, s.tables.map((t) => t.name).join(", ")]);
                reporter.detail(formatTable(["source", "engine", "your database", "tables"], sources));
            } else {
                const sources = stack.spec.sources.map((s) => [s.name, s.engine, s.engine === "mysql" ? "MariaDB" : "PostgreSQL", s.tables.map((t) => t.name).join(", ")]);
                reporter.detail(formatTable(["source", "engine (config)", "local server", "tables"], sources));
            }
            if (!options.ownSources && stack.spec.sources.some((s) => s.engine === "sqlserver")) {
                reporter.detail("note: there is no local SQL Server; PostgreSQL stands in for the sqlserver sources (same tables, same JDBC reads).");
            }
            reporter.detail(`lake spec: ${layout.specFile}`);
            return `stack ${stackName}, ${stack.spec.sources.length} sources, batch ${batchId}`;
        });
        const lake = stack as unknown as LakeStack;

        await step("start servers", async () => {
            const onProgress = (l: string) => reporter.detail(l);
            catalog = await startCatalog(layout, Object.values(lake.spec.databases), { onProgress });
            // Trino starts in the background (about 25 s) while the sources load and the jobs run.
            trinoStarted = true;
            const trino = await startTrino(layout, catalog.endpoint, { onProgress });
            const notes = [`Glue catalog ${catalog.endpoint}`, `Trino ${trino.url} (starting)`];
            if (needsSourceDatabases(options.from) && !options.ownSources) {
                databasesStarted = true;
                await startServers(layout, { onProgress });
                notes.push(`databases in ${layout.sourcesDir}`);
            }
            return notes.join(", ");
        });

        await step("load", async () => {
            await loadSources(layout, { scale: summary.scale, seed: options.seed, reset: options.reset, onProgress: (l) => reporter.detail(l) });
            return `scale ${summary.scale}`;
        });

        await step("crawl", async () => {
            // localdb prints what it found (table, columns, rows) as progress.
            const crawled = (await crawlSources(layout, { onProgress: (l) => reporter.detail(l) })) as unknown[];
            await saveCatalog(layout);
            return `${crawled.length} tables in the Glue database ${lake.spec.databases.source}`;
        });

        await step("bronze", async () => {
            await runJob("bronze");
            const bronzeSummaries = tableRunSummaries(lake.spec, layout.layers.bronze, batchId);
            const rows = bronzeSummaries.map((t): TableRows => ({ layer: "bronze", table: `${t.source}/${t.table}`, rows: numberOr(t.summary.rows) }));
            summary.tables.push(...rows);
            const drifted = bronzeSummaries.flatMap((t) => {
                const text = formatDrift(t.summary.drift);
                return text ? [`${t.source}/${t.table}: ${text}`] : [];
            });
            for (const line of drifted) reporter.detail(`source schema drift (crawled vs configured columns) ${line}`);
            const note = `${formatCount(rows.reduce((n, t) => n + (t.rows ?? 0), 0))} new rows in ${rows.length} tables`;
            return drifted.length ? `${note}, schema drift in ${drifted.length}` : note;
        });

        await step("silver", async () => {
            // The run summaries are read also when the job fails (an error-severity table rule).
            const collect = () => {
                const summaries = tableRunSummaries(lake.spec, layout.layers.silver, batchId);
                summary.quality.push(...summaries.flatMap((t) => qualityResults(`${t.source}/${t.table}`, t.summary.quality)));
                return summaries.map(
                    (t): TableRows => ({
                        layer: "silver",
                        table: `${t.source}/${t.table}`,
                        rows: numberOr(t.summary.silver_rows),
                        quarantined: numberOr(t.summary.quarantined_rows),
                        duplicates: numberOr(t.summary.duplicates_removed),
                        changed: numberOr(t.summary.rows_changed),
                        deleted: numberOr(t.summary.rows_deleted),
                        deleteShare: numberOr(t.summary.delete_share),
                    }),
                );
            };
            try {
                await runJob("silver");
            } catch (e) {
                collect();
                throw e;
            }
            const rows = collect();
            summary.tables.push(...rows);
            const quarantined = rows.reduce((n, t) => n + (t.quarantined ?? 0), 0);
            const failed = summary.quality.filter((q) => !q.passed).length;
            const rules = summary.quality.length ? `, ${summary.quality.length - failed}/${summary.quality.length} rules passed` : "";
            return `${formatCount(rows.reduce((n, t) => n + (t.rows ?? 0), 0))} rows in ${rows.length} tables, ${formatCount(quarantined)} quarantined${rules}`;
        });

        await step("gold", async () => {
            await runJob("gold");
            const models = Object.entries((goldRunSummary(layout.layers.gold, batchId)?.models ?? {}) as Record<string, { rows?: number; tests?: { rule: string; passed: boolean; severity: string }[] }>);
            const tests = models.flatMap(([, m]) => m.tests ?? []);
            const failed = models.flatMap(([name, m]) => (m.tests ?? []).filter((t) => !t.passed).map((t) => `${name}.${t.rule} (${t.severity})`));
            for (const [name, m] of models) reporter.detail(`${name}: ${formatCount(m.rows ?? 0)} rows`);
            return `${models.length} models, ${tests.length - failed.length}/${tests.length} tests passed${failed.length ? `; failed: ${failed.join(", ")}` : ""}`;
        });

        await step("query", async () => {
            const trino = await waitForTrino(layout, { onProgress: (l) => reporter.detail(l) });
            summary.trinoStartSeconds = trino.startSeconds;
            reporter.detail(`Trino ${trino.url} ready (started in ${trino.startSeconds} s); catalog "${trino.catalog}"`);
            // The lake's own checks read as the job role: classified columns clear.
            const engine = new TrinoQueryEngine({ server: trino.url, catalog: trino.catalog, user: trino.jobUser });
            const gold = quoteIdentifier(lake.spec.databases.gold);
            const models = (await engine.query(`SHOW TABLES FROM ${gold}`)).rows.map((r) => String(r.Table));
            if (models.length) {
                // One query for every model's count: each Trino query costs a planning round trip.
                const counts = await engine.query(models.map((m) => `SELECT ${quoteLiteral(m)} AS model, count(*) AS n FROM ${gold}.${quoteIdentifier(m)}`).join(" UNION ALL "));
                const byModel = new Map(counts.rows.map((r) => [String(r.model), numberOr(r.n)]));
                summary.tables.push(...models.map((model): TableRows => ({ layer: "gold", table: model, rows: byModel.get(model) ?? null })));
            }
            // The queries are independent and mostly wait on Trino's planning: a few run at once,
            // printed in the component's order.
            const queries = namedQueries(lake.spec);
            const settled = await mapConcurrently(queries, NAMED_QUERY_CONCURRENCY, (q) =>
                engine.query(q.sql).then(
                    (result) => ({ result }),
                    (error: Error) => ({ error }),
                ),
            );
            for (const [i, q] of queries.entries()) {
                const outcome: QueryOutcome = { name: q.name, layer: q.layer, description: q.description, sql: q.sql };
                summary.queries.push(outcome);
                reporter.print(`\n-- ${q.name} (${q.layer}): ${q.description}\n${q.sql}`);
                const ran = settled[i];
                if ("error" in ran) throw ran.error;
                outcome.result = ran.result;
                reporter.print(formatResult(ran.result, options.maxPrintedRows ?? 20));
            }
            return `${summary.queries.length} named queries run on Trino`;
        });
        summary.ok = true;
        return summary;
    } finally {
        // As the component's gold-freshness alarm: only with a window (a schedule or alerts.freshnessHours).
        const hours = stack ? freshnessHours(stack.config) : undefined;
        if (hours !== undefined) summary.goldFreshness = goldFreshness(hours, lastGoldSuccess(layout.layers.gold), new Date());
        if (stack) summary.deleteShare = stack.config.alerts.deleteShare; // as the component's delete-share alarm
        try {
            await stopLocalServers(layout, { databases: databasesStarted, trino: trinoStarted, catalog: !!catalog }, options.keepServers, reporter);
            reporter.print(formatSummary(summary));
        } finally {
            // Last: stopping the catalog saves it into the folder.
            if (!options.lock) lock.release();
        }
    }
}

/** `--models` names models of the stack, at least one; else an error listing the stack's models. */
export function checkModelNames(names: string[], known: string[], stack: string): void {
    const unknown = names.filter((n) => !known.includes(n));
    if (names.length === 0 || unknown.length) {
        throw new Error(`--models: ${unknown.length ? `no gold model ${unknown.join(", ")} in stack ${stack}` : "name at least one gold model"}; its models: ${known.join(", ") || "none"}`);
    }
}

/** What a run's lock names it, e.g. `npm run lake (stack local, --from gold)`. */
function lakeRunPurpose(stack: string, options: Pick<LakeRunOptions, "from" | "reset" | "ownSources">): string {
    const flags = [options.from ? `--from ${options.from}` : "", options.reset ? "--reset" : "", options.ownSources ? "--own-sources" : ""].filter(Boolean);
    return `npm run lake (stack ${[stack, ...flags].join(", ")})`;
}


/** Stops what the run started (the catalog last: stopping saves it), or says how to stop it with --keep-servers. */
async function stopLocalServers(
    layout: ReturnType<typeof lakeLayout>,
    started: { databases: boolean; trino: boolean; catalog: boolean },
    keep: boolean | undefined,
    reporter: Reporter,
): Promise<void> {
    const stoppers: [boolean, string, () => Promise<unknown>, string][] = [
        [started.trino, "Trino", () => stopTrino(layout), `trino-stop --data-dir ${layout.trinoDir}`],
        [started.databases, "the database servers", () => stopServers(layout), `stop --data-dir ${layout.sourcesDir}`],
        [started.catalog, "the Glue catalog", () => stopCatalog(layout), `catalog-stop --catalog-dir ${layout.catalogDir}`],
    ];
    for (const [wasStarted, what, stop, command] of stoppers) {
        if (!wasStarted) continue;
        if (keep) {
            reporter.detail(`--keep-servers: ${what} keep running (stop: PYTHONPATH=local-lake:glue-scripts .venv/bin/python -m localdb ${command})`);
        } else {
            await stop().catch((e: Error) => reporter.detail(`warning: could not stop ${what}: ${e.message}`));
        }
    }
}
