/**
 * Pure figures of the history benchmark (`npm run bench -- --increments K`): what each increment of
 * source changes (new rows, rows updated in place, rows deleted: localdb/increment.py) cost silver and
 * gold next to the full build's cost, what the lake detected of them, what its reconcile key scans
 * and `reconcile: rows` re-reads cost, how far silver is from the sources afterwards, and what is
 * missing (changes silver did not apply, reconciled tables without a scan). The CLI is benchmarks/bench.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { DriftRows } from "../local-lake/lib/drift-rows";
import { listFiles } from "../local-lake/lib/lake-files";
import { LakeRunSummary } from "../local-lake/lib/summary";

/** Bronze's folder of key snapshots (`KEYS_FOLDER` of glue-scripts/medallion/reconcile.py). */
export const KEYS_FOLDER = "_keys";

/** What `localdb increment` did at the sources, per `<source>.<table>`. */
export interface SourceChanges {
    inserted: Record<string, number>;
    changed: Record<string, number>;
    deleted: Record<string, number>;
}


export interface IncrementFigures {
    /** 0 for the full build, then 1..K. */
    increment: number;
    /** Rows inserted, updated in place and deleted at the sources before the run (0 for the full build). */
    source: { inserted: number; changed: number; deleted: number };
    /** What silver's run summaries say it applied: `rows_inserted`, `rows_changed` and `rows_deleted`, summed over the tables. */
    detected: { inserted: number; changed: number; deleted: number };
    /**
     * The reconcile step of this run's bronze, summed over the tables that took a key snapshot: keys read and seconds
     * (`keys_read`, `key_scan_seconds`), the snapshot files' bytes, and a `rows` reconcile's re-read of changed rows
     * (`rows_reread`, `reread_seconds`; `wholeTableRereads`: tables re-read whole, `reread_whole_table`).
     */
    reconcile: { tables: number; keysRead: number; keyScanSeconds: number; snapshotBytes: number; rowsReread: number; rereadSeconds: number; wholeTableRereads: number };
    /** What the run left out, as sentences: source changes silver did not apply, reconciled tables that took no key snapshot, tables with drift. Empty: nothing. */
    missing: string[];
    /** Silver against the sources after the run: the sum over every table of DriftRows' three counts (the target is 0). */
    driftRows: number;
    /** The tables with drift and theirs (tables without are left out). */
    driftTables: DriftRows;
    silverMs: number;
    goldMs: number;
    /** Bronze rows the silver job read this run (every table's `bronze_rows`: only the new batches). */
    silverRowsRead: number;
    /** Bytes of the bronze files of this run's batches, key snapshots apart: what silver had to read of rows. */
    bronzeBytesRead: number;
    /** How the gold models were refreshed: `{ full: n, partitions: n, unchanged: n }`. */
    goldRefresh: Record<string, number>;
    /** (silver + gold) time relative to the full build's. */
    costVsFullBuild: number;
    /** The silver and gold jobs' floor measured right after this run (FloorFigures), or null when not measured. */
    floor: FloorFigures | null;
    /** (silver + gold) time relative to the floor's (silver + gold); null without a floor. */
    costVsFloor: number | null;
}

/** The floor of the silver and gold jobs (docs/performance.md): each entry script run with its tables opened and no rows. */
export interface FloorFigures {
    silverMs: number;
    goldMs: number;
}

/** What an increment measured outside the run summary: the source changes, the batch's bytes, the bronze run summaries and the drift. */
export interface IncrementInputs {
    changes?: SourceChanges;
    /** Bytes of the batch's bronze files (batchBytes). */
    bronzeBytes: { rows: number; keys: number };
    /** The bronze run summaries of the batch (one per table). */
    bronzeSummaries: Record<string, unknown>[];
    drift: DriftRows;
    /** The jobs' floor measured after the run (a floor run's summary, see floorFigures). */
    floor?: FloorFigures;
}

/** The floor of the silver and gold jobs from a floor run's summary (`runLocalLake({ from: "silver", floor: true })`). */
export function floorFigures(floorRun: LakeRunSummary): FloorFigures {
    return { silverMs: jobMs(floorRun, "silver"), goldMs: jobMs(floorRun, "gold") };
}

const jobMs = (summary: LakeRunSummary, layer: string) => summary.jobs.find((j) => j.layer === layer)?.ms ?? 0;
const total = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
const num = (v: unknown) => (typeof v === "number" ? v : 0);

/** Sizes of the bronze files a batch wrote: rows under `<bronze>/<source>/<table>/ingest_date=*\/batch_id=<batchId>/`, key snapshots under `<bronze>/_keys/...`. */
export function batchBytes(bronzeDir: string, batchId: string): IncrementInputs["bronzeBytes"] {
    const sizes = { rows: 0, keys: 0 };
    for (const f of listFiles(bronzeDir, ".avro")) {
        if (path.basename(path.dirname(f)) !== `batch_id=${batchId}`) continue;
        const side = path.relative(bronzeDir, f).split(path.sep)[0] === KEYS_FOLDER ? "keys" : "rows";
        sizes[side] += fs.statSync(f).size;
    }
    return sizes;
}

/** One run's figures; `fullBuildMs` is the full build's silver + gold time (the run's own for increment 0). */
export function incrementFigures(increment: number, summary: LakeRunSummary, inputs: IncrementInputs, fullBuildMs?: number): IncrementFigures {
    const metrics = (layer: string, event: string) => (summary.jobs.find((j) => j.layer === layer)?.metrics ?? []).filter((m) => m.event === event);
    const goldRefresh: Record<string, number> = {};
    for (const m of metrics("gold", "gold_model")) {
        const how = String(m.refresh ?? "skipped");
        goldRefresh[how] = (goldRefresh[how] ?? 0) + 1;
    }
    const silverTables = metrics("silver", "silver_table");
    const silverSum = (field: string) => silverTables.reduce((n, m) => n + num(m[field]), 0);
    const scans = inputs.bronzeSummaries.filter((s) => typeof s.keys_read === "number");
    const driftTables = Object.fromEntries(Object.entries(inputs.drift).filter(([, d]) => d.onlySource + d.onlySilver + d.differ > 0));
    const ms = jobMs(summary, "silver") + jobMs(summary, "gold");
    const sum = (rows: Record<string, unknown>[], field: string) => rows.reduce((n, s) => n + num(s[field]), 0);
    const source = { inserted: total(inputs.changes?.inserted), changed: total(inputs.changes?.changed), deleted: total(inputs.changes?.deleted) };
    const detected = { inserted: silverSum("rows_inserted"), changed: silverSum("rows_changed"), deleted: silverSum("rows_deleted") };
    const missing = [
        ...(["changed", "deleted"] as const)
            .filter((what) => detected[what] < source[what])
            .map((what) => `${source[what] - detected[what]} of ${source[what]} rows ${what} at the sources not ${what} in silver`),
        ...inputs.bronzeSummaries
            .filter((s) => "keys_read" in s && s.keys_read === null)
            .map((s) => `${s.source}/${s.table}: reconciled, but no key snapshot this run: ${s.error ? `error: ${s.error}` : "not due (everyRuns)"}`),
        ...Object.entries(driftTables).map(([table, d]) => `${table}: ${d.onlySource} keys only at the source, ${d.onlySilver} only in silver, ${d.differ} rows differ`),
    ];
    return {
        increment,
        source,
        detected,
        reconcile: {
            tables: scans.length,
            keysRead: sum(scans, "keys_read"),
            keyScanSeconds: Number(sum(scans, "key_scan_seconds").toFixed(3)),
            snapshotBytes: inputs.bronzeBytes.keys,
            rowsReread: sum(scans, "rows_reread"),
            rereadSeconds: Number(sum(scans, "reread_seconds").toFixed(3)),
            wholeTableRereads: scans.filter((s) => s.reread_whole_table === true).length,
        },
        missing,
        driftRows: Object.values(inputs.drift).reduce((n, d) => n + d.onlySource + d.onlySilver + d.differ, 0),
        driftTables,
        silverMs: jobMs(summary, "silver"),
        goldMs: jobMs(summary, "gold"),
        silverRowsRead: silverSum("bronze_rows"),
        bronzeBytesRead: inputs.bronzeBytes.rows,
        goldRefresh,
        costVsFullBuild: Number((ms / (fullBuildMs ?? ms)).toFixed(3)),
        floor: inputs.floor ?? null,
        costVsFloor: inputs.floor ? Number((ms / (inputs.floor.silverMs + inputs.floor.goldMs)).toFixed(2)) : null,
    };
}
