/**
 * What a local lake run did, step by step and table by table, and how it is printed. Pure: the
 * orchestrator fills a LakeRunSummary and these functions turn it into text.
 */
import { QueryResult } from "../../query-engines/engine";
import { Layer } from "./layout";
import { Cell, formatBytes, formatDuration, formatTable } from "./progress";

export const STEPS = ["prepare", "start servers", "load", "crawl", "bronze", "silver", "gold", "query"] as const;
export type StepName = (typeof STEPS)[number];
/** Steps `--from` can resume at (see skippedByFrom in run-lake.ts). */
export const RESUME_STEPS = ["bronze", "silver", "gold", "query"] as const;
export type ResumeStep = (typeof RESUME_STEPS)[number];

export interface StepRecord {
    step: StepName;
    ok: boolean;
    ms: number;
    note: string;
}

/** Rows of one table in one layer after the run (quarantined/duplicates/changed/deleted: silver only). */
export interface TableRows {
    layer: Layer;
    /** `<source>/<table>` for bronze and silver, `<model>` for gold. */
    table: string;
    rows: number | null;
    quarantined?: number | null;
    duplicates?: number | null;
    /** Rows the run changed in place (an existing key's values; the run summary's `rows_changed`). */
    changed?: number | null;
    /** Rows the run deleted (a full-load table's keys its newest batch lacks; `rows_deleted`). */
    deleted?: number | null;
    /** `deleted` over the table's rows before the run (`delete_share`, the DeleteShare metric). */
    deleteShare?: number | null;
}

export interface JobRun {
    layer: Layer;
    ms: number;
    /** Peak resident memory of spark-submit's largest process (the driver JVM), in kB. */
    peakRssKb?: number;
    /** The job's `MEDALLION_METRIC` lines, in order. */
    metrics: Record<string, unknown>[];
}

export interface QueryOutcome {
    name: string;
    layer: Layer;
    description: string;
    sql: string;
    result?: QueryResult;
}

/** One data-quality rule's result for one table in the silver run (as the silver job wrote it). */
export interface QualityResult {
    /** `<source>/<table>`. */
    table: string;
    rule: string;
    check: string;
    severity: "error" | "warn";
    passed: boolean;
    description: string;
    /** Rows that failed a row rule or a unique rule. */
    failedRows?: number;
    /** The row count or the age in hours a rowCount or freshness rule saw. */
    observed?: number | null;
}

export interface LakeRunSummary {
    stack: string;
    environment: string;
    dataDir: string;
    scale: number;
    batchId: string;
    ok: boolean;
    failedStep?: StepName;
    error?: string;
    steps: StepRecord[];
    jobs: JobRun[];
    tables: TableRows[];
    /** Data-quality results of the silver run, for tables with rules. */
    quality: QualityResult[];
    queries: QueryOutcome[];
    /** Seconds from launching Trino to its first accepted query (it starts while the jobs run). */
    trinoStartSeconds?: number;
    /** Gold's freshness at the end of the run, when the stack has a freshness window (as its alarm on AWS). */
    goldFreshness?: GoldFreshness;
    /** The threshold of the component's delete-share alarm (`alerts.deleteShare`); no check without it. */
    deleteShare?: number;
}

/** When gold last succeeded (its newest run summary) against the stack's freshness window. */
export interface GoldFreshness {
    /** The window of the component's gold-freshness alarm (`freshnessHours` of alerts-config.ts). */
    hours: number;
    /** ISO time of gold's last success; undefined when it never succeeded. */
    lastSuccess?: string;
    /** Hours since then, at the end of the run (undefined: never succeeded). */
    ageHours?: number;
}

/** Gold's freshness at `now`, or undefined when there is no window (on AWS: no freshness alarm). */
export function goldFreshness(hours: number | undefined, lastSuccess: Date | undefined, now: Date): GoldFreshness | undefined {
    if (hours === undefined) return undefined;
    if (!lastSuccess) return { hours };
    return { hours, lastSuccess: lastSuccess.toISOString(), ageHours: (now.getTime() - lastSuccess.getTime()) / 3_600_000 };
}

/** The alert line of a freshness breach (never succeeded, or older than the window), else undefined. */
export function freshnessBreach(f: GoldFreshness | undefined): string | undefined {
    if (!f) return undefined;
    if (f.ageHours === undefined) return `- gold freshness: gold has never succeeded (alarm after ${f.hours} h)`;
    if (f.ageHours <= f.hours) return undefined;
    return `- gold freshness: last success ${f.lastSuccess}, ${f.ageHours.toFixed(1)} h ago (alarm after ${f.hours} h)`;
}

/** A bronze run summary's `drift` as one line (`new venuecode varchar(8); missing x; retyped y int -> string`), "" when none. */
export function formatDrift(drift: unknown): string {
    const d = (drift ?? {}) as { new?: { name: string; type: string }[]; missing?: string[]; retyped?: { name: string; configured: string; crawled: string }[] };
    return [
        d.new?.length ? `new ${d.new.map((c) => `${c.name} ${c.type}`).join(", ")}` : "",
        d.missing?.length ? `missing ${d.missing.join(", ")}` : "",
        d.retyped?.length ? `retyped ${d.retyped.map((c) => `${c.name} ${c.configured} -> ${c.crawled}`).join(", ")}` : "",
    ]
        .filter(Boolean)
        .join("; ");
}

/** A metric line as one progress line: `saas/category  rows_read=11  rows_written=11  (2.1 s)`. */
export function formatMetric(metric: Record<string, unknown>): string {
    const label =
        typeof metric.table === "string"
            ? [metric.source, metric.table].filter((p) => typeof p === "string" && p).join("/")
            : typeof metric.model === "string"
              ? metric.model
              : String(metric.event ?? "");
    const timing = ["seconds", "elapsed_seconds", "duration_seconds"].find((k) => typeof metric[k] === "number");
    const skip = new Set(["source", "table", "model", "job", "layer", "batch_id", "event", ...(timing ? [timing] : [])]);
    const fields = Object.entries(metric)
        .filter(([k, v]) => !skip.has(k) && (typeof v === "number" || typeof v === "string" || typeof v === "boolean"))
        .map(([k, v]) => `${k}=${v}`);
    const time = timing ? `  (${formatDuration(Number(metric[timing]) * 1000)})` : "";
    return `${label}  ${fields.join("  ")}${time}`.trim();
}

/** The first `maxRows` rows of a query result as a text table, saying how many were left out. */
export function formatResult(result: QueryResult, maxRows: number): string {
    const shown = result.rows.slice(0, maxRows);
    const table = formatTable(
        result.columns.map((c) => c.name),
        shown.map((row) => result.columns.map((c) => row[c.name] as Cell)),
    );
    const more = result.rows.length > shown.length ? `\n(${result.rows.length - shown.length} more rows not shown)` : "";
    return `${table}${more}\n(${result.rows.length} row${result.rows.length === 1 ? "" : "s"}, ${formatDuration(result.stats.elapsedMs)})`;
}

/** The alert lines of the silver tables whose deletes pass the delete-share alarm's threshold (as its alarm on AWS). */
export function deleteShareBreaches(tables: TableRows[], threshold: number | undefined): string[] {
    if (threshold === undefined) return [];
    return tables
        .filter((t) => t.layer === "silver" && (t.deleteShare ?? 0) > threshold)
        .map((t) => `- deletes ${t.table}: ${t.deleted} rows, ${((t.deleteShare ?? 0) * 100).toFixed(1)}% of the table (alarm above ${threshold * 100}%; the keys: silver _deletes)`);
}

/** What would have alerted on AWS (the lake's SNS topic): a failed step, gold freshness, large deletes and every failed rule. */
export function formatAlerts(summary: LakeRunSummary): string[] {
    const failedRules = summary.quality.filter((q) => !q.passed);
    const stale = freshnessBreach(summary.goldFreshness);
    const lines = [
        ...(summary.failedStep ? [`- ${summary.failedStep} job FAILED`] : []),
        ...(stale ? [stale] : []),
        ...deleteShareBreaches(summary.tables, summary.deleteShare),
        ...failedRules.map((q) => {
            const found = q.failedRows !== undefined ? `${q.failedRows} rows` : `observed ${q.observed ?? "no rows"}`;
            const effect = q.severity === "warn" ? "warn" : ["rowCount", "unique", "freshness"].includes(q.check) ? "error: job failed, previous silver kept" : "error: rows quarantined";
            return `- data quality ${q.table} ${q.rule} (${q.description}): ${found} [${effect}]`;
        }),
    ];
    return lines.length ? ["", "Would have alerted (SNS topic on AWS):", ...lines] : [];
}

/** The end-of-run summary: steps with times, rows per layer and table, jobs' peak memory, alerts. */
export function formatSummary(summary: LakeRunSummary): string {
    const steps = formatTable(
        ["step", "status", "time", "note"],
        STEPS.map((name) => {
            const record = summary.steps.find((s) => s.step === name);
            if (!record) return [name, "not run", "", ""];
            return [name, record.ok ? "ok" : "FAILED", formatDuration(record.ms), record.note];
        }),
    );
    const rows = summary.tables.length
        ? formatTable(
              ["layer", "table", "rows", "quarantined", "duplicates removed", "changed", "deleted"],
              summary.tables.map((t) => {
                  const silverOnly = (n: number | null | undefined) => n ?? (t.layer === "silver" ? null : "");
                  return [t.layer, t.table, t.rows, silverOnly(t.quarantined), silverOnly(t.duplicates), silverOnly(t.changed), silverOnly(t.deleted)];
              }),
              { groupDigits: true },
          )
        : "(no table reached a layer)";
    const memory = summary.jobs
        .filter((j) => j.peakRssKb !== undefined)
        .map((j) => `${j.layer} ${formatBytes((j.peakRssKb ?? 0) * 1024)}`)
        .join(", ");
    const total = summary.steps.reduce((ms, s) => ms + s.ms, 0);
    const status = summary.ok
        ? `local lake ready in ${formatDuration(total)} (stack ${summary.stack}, batch ${summary.batchId}, data in ${summary.dataDir})`
        : `local lake FAILED at step "${summary.failedStep}" after ${formatDuration(total)}: ${summary.error}\n` +
          `Layers before "${summary.failedStep}" are intact in ${summary.dataDir}; fix the cause and re-run` +
          ((RESUME_STEPS as readonly string[]).includes(summary.failedStep ?? "") ? ` (\`npm run lake -- --from ${summary.failedStep}\` resumes there).` : ".");
    return ["", "Summary", steps, "", rows, ...(memory ? ["", `peak memory per job: ${memory}`] : []), ...formatAlerts(summary), "", status].join("\n");
}
