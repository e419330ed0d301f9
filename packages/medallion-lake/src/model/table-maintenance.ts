/**
 * The `tableMaintenance` config object: how the silver and gold jobs keep their Iceberg tables small
 * (snapshot expiry, orphan-file cleanup, compaction of small files). Pure: the schema, its defaults
 * (those of AWS Glue's Iceberg table optimizers) and the checks against the rest of the config.
 * The lake spec carries the values to the jobs, which run Iceberg's maintenance procedures.
 */
import { z } from "zod";

/**
 * The defaults. Snapshot retention 5 days keeping at least 1 snapshot, and orphan files deleted
 * after 3 days, as AWS Glue's Iceberg table optimizers default them
 * (https://docs.aws.amazon.com/glue/latest/webapi/API_IcebergRetentionConfiguration.html,
 * https://docs.aws.amazon.com/glue/latest/webapi/API_IcebergOrphanFileDeletionConfiguration.html);
 * compaction of a partition with at least 5 small files, as Iceberg's `rewrite_data_files`
 * (`min-input-files`) defaults it; Glue's compaction optimizer waits for 100
 * (https://docs.aws.amazon.com/prescriptive-guidance/latest/apache-iceberg-on-aws/maintenance-with-the-aws-glue-data-catalog-table-optimizer.html),
 * too many for a lake whose every run adds a few files per partition. Files under 32 MiB are small:
 * Iceberg's own bound (75% of its 512 MiB target) would call every file of a table under 384 MiB
 * small and rewrite the whole table at each compaction, a cost that grows with the table, not with
 * the runs. Data files are rewritten without their deleted rows once position deletes reach 30% of
 * the table's rows, Iceberg's `delete-ratio-threshold` default from 1.8 on (Glue 5.0's 1.7.1 lacks
 * the option; the jobs apply it to the table)
 * (https://iceberg.apache.org/javadoc/1.8.0/org/apache/iceberg/actions/SizeBasedDataRewriter.html).
 */
export const TABLE_MAINTENANCE_DEFAULTS = {
    snapshotRetentionDays: 5,
    snapshotsToKeep: 1,
    orphanFileRetentionDays: 3,
    compactionMinInputFiles: 5,
    compactionSmallFileMiB: 32,
    compactionDeleteRatio: 0.3,
} as const;

/** An integer of `unit`s, at least `min` (a fraction is reported as zod's "expected int"). */
const wholeNumber = (min: number, unit: string) =>
    z
        .number()
        .int()
        .min(min, `must be at least ${min} ${min === 1 ? unit.replace(/s$/, "") : unit}`);

export const tableMaintenanceSchema = z
    .strictObject({
        snapshotRetentionDays: wholeNumber(1, "days")
            .default(TABLE_MAINTENANCE_DEFAULTS.snapshotRetentionDays)
            .describe("Snapshots older than this many days are expired (and with them time travel to them, and the files only they reference). Integer >= 1. Default 5."),
        snapshotsToKeep: wholeNumber(1, "snapshots")
            .default(TABLE_MAINTENANCE_DEFAULTS.snapshotsToKeep)
            .describe("The newest this many snapshots of a table are always kept, however old. Integer >= 1. Default 1."),
        orphanFileRetentionDays: wholeNumber(1, "days")
            .default(TABLE_MAINTENANCE_DEFAULTS.orphanFileRetentionDays)
            .describe(
                "Files under a table's location that no snapshot references and that are older than this many days are deleted. Integer >= 1, and longer than jobs.timeoutMinutes (a shorter retention can delete the files of a write not yet committed). Default 3.",
            ),
        compactionMinInputFiles: wholeNumber(2, "files")
            .default(TABLE_MAINTENANCE_DEFAULTS.compactionMinInputFiles)
            .describe("A partition (or unpartitioned table) with at least this many small data files has its small files compacted. Integer >= 2. Default 5."),
        compactionSmallFileMiB: z
            .number()
            .positive("must be more than 0 MiB")
            // Iceberg's rewrite requires it below the 512 MiB target file size; 75% of it is Iceberg's own bound.
            .max(384, "must be at most 384 MiB (75% of Iceberg's 512 MiB target file size)")
            .default(TABLE_MAINTENANCE_DEFAULTS.compactionSmallFileMiB)
            .describe("Data files smaller than this many MiB are small: compaction packs them together and leaves bigger files as they are, so it costs in proportion to the runs' new files, not to the table. Number in (0, 384]. Default 32."),
        compactionDeleteRatio: z
            .number()
            .gt(0, "must be more than 0")
            .max(1, "must be at most 1")
            .default(TABLE_MAINTENANCE_DEFAULTS.compactionDeleteRatio)
            .describe("Once a table's position deletes (rows replaced by MERGEs) reach this fraction of its rows, its data files with deletes are rewritten without them. Number in (0, 1]. Default 0.3."),
    })
    .prefault({})
    .describe("Maintenance of the silver and gold Iceberg tables, run by their jobs: snapshot expiry, orphan-file cleanup, compaction of small files.");

export type TableMaintenance = z.output<typeof tableMaintenanceSchema>;

/**
 * Checks the maintenance settings against the jobs: orphan files must outlive any run of a job,
 * since a run writes its data files before it commits them, and a cleanup that sees them earlier
 * deletes them as orphans (Iceberg's `remove_orphan_files` warns of exactly this).
 * https://iceberg.apache.org/docs/latest/spark-procedures/#remove_orphan_files
 * @returns issues with their path in the stack file's lake config; empty when consistent.
 */
export function tableMaintenanceIssues(maintenance: TableMaintenance, jobs: { timeoutMinutes: number }): { path: (string | number)[]; message: string }[] {
    const retentionMinutes = maintenance.orphanFileRetentionDays * 24 * 60;
    if (retentionMinutes > jobs.timeoutMinutes) return [];
    return [
        {
            path: ["tableMaintenance", "orphanFileRetentionDays"],
            message: `${maintenance.orphanFileRetentionDays} day(s) is not longer than a job run may last (jobs.timeoutMinutes ${jobs.timeoutMinutes}): files a run has written but not yet committed would be deleted as orphans`,
        },
    ];
}
