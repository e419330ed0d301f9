/**
 * The lake's CloudWatch metrics: one namespace per lake, the metric names the Glue jobs publish
 * (glue-scripts/medallion/metrics.py) and their dimensions. The namespace travels to the jobs in the
 * lake spec and pins the jobs' `cloudwatch:PutMetricData` permission (iam.ts).
 */

/** `MedallionLake/<lake>`: environments are a dimension, so one dashboard query spans them. */
export function metricsNamespace(lake: string): string {
    return `MedallionLake/${lake}`;
}

/** Metric names, per job run (dimensions Lake, Environment, Layer) and per table (plus Table). */
export const METRICS = {
    /** Rows a job read: bronze from the sources, silver the rows of this run's bronze batches. */
    rowsRead: "RowsRead",
    /** Rows a job wrote to its layer: bronze the rows it ingested, silver the rows this run added or changed, gold the model rows. */
    rowsWritten: "RowsWritten",
    /** Bronze batches written (a table with no new rows writes none). */
    batchesWritten: "BatchesWritten",
    /** Bronze tables whose ingestion failed (the job ingests the others, then fails). */
    tablesFailed: "TablesFailed",
    /** Rows silver quarantined (type failures, null keys, error row rules). */
    quarantinedRows: "QuarantinedRows",
    /** Rows silver deleted: keys a full-load table's newest bronze batch no longer has. */
    rowsDeleted: "RowsDeleted",
    /** Rows deleted over the table's rows before the run (0..1); per job run, the largest of its tables' (statistic Maximum). */
    deleteShare: "DeleteShare",
    /** Rows silver changed in place: an existing key's row rewritten with different values. */
    rowsChanged: "RowsChanged",
    /** Data-quality rules that failed, any severity. */
    qualityFailures: "QualityFailures",
    /** 1 per successful job run. */
    jobSucceeded: "JobSucceeded",
    /** Seconds a job run took. */
    jobSeconds: "JobSeconds",
} as const;

/** The job-level dimensions of a metric, in CloudWatch's name/value map form. */
export function jobDimensions(lake: string, environment: string, layer: string): Record<string, string> {
    return { Lake: lake, Environment: environment, Layer: layer };
}
