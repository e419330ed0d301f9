/**
 * A table's `reconcile` setting: how an incremental table (watermarkColumn and primaryKey) follows
 * rows its source deleted (`keys`) or changed in place without moving the watermark (`rows`), which
 * reading above a watermark never sees. Off by default: a `keys` reconcile reads every key of the
 * source table (a full index scan), a `rows` reconcile every row (a full table scan computing a hash
 * per row), docs/iceberg.md "Incremental tables: reconcile".
 */
import { z } from "zod";

export const RECONCILE_COMPARES = ["keys", "rows"] as const;
export type ReconcileCompare = (typeof RECONCILE_COMPARES)[number];

/** A table's reconcile setting, defaults applied. */
export interface Reconcile {
    /** `keys`: delete the silver rows whose key the source no longer has; `rows`: also re-read the rows whose source hash changed. */
    compare: ReconcileCompare;
    /** Reconcile on every n-th bronze run of the table (and on the first run after the setting changes). Default 1: every run. */
    everyRuns: number;
}

const compare = z.enum(RECONCILE_COMPARES, { error: () => `expected one of ${RECONCILE_COMPARES.join(", ")}` });

export const reconcileSchema = z
    .union([
        compare,
        z.strictObject({
            compare: compare.describe(
                "keys: delete silver rows whose key the source no longer has; rows: also re-read the rows changed in place (by a hash the source computes per row).",
            ),
            everyRuns: z.number().int().min(1, "must be a whole number of runs, at least 1").optional().describe("Reconcile on every n-th bronze run of the table (and on the first run after the setting changes). Default 1, every run."),
        }),
    ])
    .optional()
    .describe(
        "Incremental tables (watermarkColumn and primaryKey): also read the source's keys (keys) or keys and row hashes (rows) and delete / re-read what differs; shorthand keys or rows, or { compare, everyRuns }. A keys reconcile reads every key of the source table (a full index scan), a rows reconcile every row (a full scan hashing each). Default: off, the table is append/update-only.",
    );

/** The setting with its defaults (`everyRuns` 1), or null when the table does not reconcile. */
export function normalizeReconcile(raw: z.output<typeof reconcileSchema>): Reconcile | null {
    if (raw === undefined) return null;
    if (typeof raw === "string") return { compare: raw, everyRuns: 1 };
    return { compare: raw.compare, everyRuns: raw.everyRuns ?? 1 };
}

/**
 * Why a table cannot reconcile, or undefined: it needs a watermarkColumn (a full-load table already
 * follows its source's deletes) and a primaryKey (the keys it compares).
 */
export function reconcileProblem(
    reconcile: Reconcile | null,
    table: { primaryKey?: readonly string[]; watermarkColumn?: string },
): { field: string; message: string } | undefined {
    if (!reconcile) return undefined;
    if (!table.watermarkColumn) {
        return { field: "watermarkColumn", message: "reconcile needs a watermarkColumn: a table without one is read whole each run and already follows its source's deletes" };
    }
    if (!table.primaryKey || table.primaryKey.length === 0) {
        return { field: "primaryKey", message: "reconcile needs a primaryKey: it compares the source's keys with silver's" };
    }
    return undefined;
}
