/**
 * `npm run lake` as a library: the whole medallion lake on one machine, step by step — start the
 * source databases, load TICKIT, crawl, run the bronze, silver and gold Glue scripts on local Spark
 * with the component's own arguments, then run the component's named queries with DuckDB.
 * Every step is timed and reported; a failure names the step and leaves earlier layers intact.
 */
import * as fs from "fs";
import * as path from "path";
import { namedQueries } from "../../components/medallion-lake";
import { DuckDbQueryEngine } from "../../query-engines/duckdb";
import { localJobArguments, newBatchId, submitArgv } from "./arguments";
import { LakeStack, loadLakeStack } from "./config";
import { goldRunSummary, lakeTables, readCatalog, tableRunSummaries } from "./lake-files";
import { defaultDataDir, lakeLayout, Layer } from "./layout";
import { crawlSources, loadSources, startServers, stopServers } from "./localdb";
import { formatCount, formatTable, Reporter, streamReporter } from "./progress";
import { ensureSetup, parseMetricLine, runPython } from "./python";
import { formatMetric, formatResult, formatSummary, JobRun, LakeRunSummary, QualityResult, QueryOutcome, RESUME_STEPS, ResumeStep, StepName, STEPS, TableRows } from "./summary";

export interface LakeRunOptions {
    /** Stack whose `Pulumi.<stack>.yaml` defines the lake; default `local`. */
    stack?: string;
    /** Folder holding `Pulumi.<stack>.yaml`; default the project root. */
    configRoot?: string;
    /** Multiplies the TICKIT size (1 = full size); default 1. */
    scale?: number;
    /** Seed of the generated tables (users, listing, sales); default: localdb's. */
    seed?: number;
    /** Start from scratch: empty lake and catalog, reloaded source databases. */
    reset?: boolean;
    /** Leave the database servers running after the run. */
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

/**
 * Whether `--from` skips a step: the source steps (load, crawl) and every layer before `from`;
 * the servers only run when bronze does (the other layers read the lake folders, not the sources).
 */
export function skippedByFrom(step: StepName, from: ResumeStep | undefined): boolean {
    if (!from || step === "prepare") return false;
    if (step === "load" || step === "crawl") return true;
    if (step === "start servers") return from !== "bronze";
    return STEPS.indexOf(step) < STEPS.indexOf(from);
}

const STEP_PURPOSE: Record<StepName, string> = {
    prepare: "reading the stack config and writing the lake spec",
    "start servers": "starting PostgreSQL and MariaDB on loopback",
    load: "loading TICKIT into the source databases",
    crawl: "reading table definitions from the sources into the local catalog (the Glue crawlers' job)",
    bronze: "bronze Glue job on local Spark: sources over JDBC -> Avro",
    silver: "silver Glue job on local Spark: Avro -> typed, deduplicated Parquet",
    gold: "gold Glue job on local Spark: silver -> partitioned Parquet models",
    query: "running the component's Athena named queries with DuckDB",
};

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
    let serversStarted = false;

    if (options.from && !RESUME_STEPS.includes(options.from)) throw new Error(`--from must be one of ${RESUME_STEPS.join(", ")}, got "${options.from}"`);
    if (options.from && options.reset) throw new Error("--from resumes a lake and --reset deletes it: use one of them");

    const step = async (name: StepName, body: () => Promise<string | void>): Promise<void> => {
        if (skippedByFrom(name, options.from)) {
            const note = `skipped (--from ${options.from})`;
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
        const result = await runPython(submitArgv(layer, localJobArguments(layer, layout, lake.spec.environment, batchId)), {
            label: `${layer} job (glue-scripts/${layer}_job.py via local_submit.py)`,
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
    };

    try {
        await step("prepare", async () => {
            stack = loadLakeStack(stackName, options.configRoot);
            await ensureSetup((line) => reporter.detail(line));
            summary.environment = stack.spec.environment;
            if (options.reset) {
                // Only the folders this runner owns; the source databases are reset by `load --reset`.
                for (const dir of [layout.lakeDir, layout.catalogDir]) fs.rmSync(dir, { recursive: true, force: true });
                reporter.detail(`--reset: removed ${layout.lakeDir} and ${layout.catalogDir}`);
            }
            fs.mkdirSync(layout.assetsDir, { recursive: true });
            fs.writeFileSync(layout.specFile, `${JSON.stringify(stack.spec, null, 2)}\n`);
            const sources = stack.spec.sources.map((s) => [s.name, s.engine, s.engine === "mysql" ? "MariaDB" : "PostgreSQL", s.tables.map((t) => t.name).join(", ")]);
            reporter.detail(formatTable(["source", "engine (config)", "local server", "tables"], sources));
            if (stack.spec.sources.some((s) => s.engine === "sqlserver")) {
                reporter.detail("note: there is no local SQL Server; PostgreSQL stands in for the sqlserver sources (same tables, same JDBC reads).");
            }
            reporter.detail(`lake spec: ${layout.specFile}`);
            return `stack ${stackName}, ${stack.spec.sources.length} sources, batch ${batchId}`;
        });
        const lake = stack as unknown as LakeStack;

        await step("start servers", async () => {
            serversStarted = true;
            await startServers(layout, { onProgress: (l) => reporter.detail(l) });
            return `data in ${layout.sourcesDir}`;
        });

        await step("load", async () => {
            await loadSources(layout, { scale: summary.scale, seed: options.seed, reset: options.reset, onProgress: (l) => reporter.detail(l) });
            return `scale ${summary.scale}`;
        });

        await step("crawl", async () => {
            // localdb prints what it found (table, columns, rows) as progress.
            await crawlSources(layout, { onProgress: (l) => reporter.detail(l) });
            const catalog = readCatalog(layout.catalogDir);
            return `${catalog.length} tables in ${layout.catalogDir}`;
        });

        await step("bronze", async () => {
            await runJob("bronze");
            const rows = tableRunSummaries(lake.spec, layout.layers.bronze, batchId).map(
                (t): TableRows => ({ layer: "bronze", table: `${t.source}/${t.table}`, rows: numberOr(t.summary.rows) }),
            );
            summary.tables.push(...rows);
            return `${formatCount(rows.reduce((n, t) => n + (t.rows ?? 0), 0))} new rows in ${rows.length} tables`;
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
            const orphans = Object.entries((goldRunSummary(layout.layers.gold, batchId)?.orphans ?? {}) as Record<string, unknown>)
                .filter(([, n]) => typeof n === "number" && n > 0)
                .map(([what, n]) => `${what}=${n}`);
            return orphans.length ? `orphans kept: ${orphans.join(", ")}` : "no orphans";
        });

        await step("query", async () => {
            const tables = lakeTables(lake.spec, layout);
            const engine = await DuckDbQueryEngine.open(tables);
            try {
                for (const model of tables.filter((t) => t.database === lake.spec.databases.gold)) {
                    const count = await engine.query(`SELECT count(*) AS n FROM "${model.database}"."${model.table}"`);
                    summary.tables.push({ layer: "gold", table: model.table, rows: numberOr(count.rows[0].n) });
                }
                for (const q of namedQueries(lake.spec)) {
                    const outcome: QueryOutcome = { name: q.name, layer: q.layer, description: q.description, sql: q.sql };
                    summary.queries.push(outcome);
                    reporter.print(`\n-- ${q.name} (${q.layer}): ${q.description}\n${q.sql}`);
                    if (q.layer === "bronze") {
                        outcome.skipped = "bronze is Avro, which DuckDB reads only through an extension it downloads (not offline); use `npm run preview -- bronze/<source>/<table>`";
                        reporter.print(`skipped: ${outcome.skipped}`);
                        continue;
                    }
                    outcome.result = await engine.query(q.sql);
                    reporter.print(formatResult(outcome.result, options.maxPrintedRows ?? 20));
                }
            } finally {
                await engine.close();
            }
            const ran = summary.queries.filter((q) => q.result).length;
            return `${ran} named queries run, ${summary.queries.length - ran} skipped`;
        });
        summary.ok = true;
        return summary;
    } finally {
        if (serversStarted && !options.keepServers) {
            await stopServers(layout).catch((e: Error) => reporter.detail(`warning: could not stop the database servers: ${e.message}`));
        } else if (serversStarted) {
            reporter.detail(`--keep-servers: the database servers keep running (stop: PYTHONPATH=local-lake .venv/bin/python -m localdb stop --data-dir ${layout.sourcesDir})`);
        }
        reporter.print(formatSummary(summary));
    }
}

