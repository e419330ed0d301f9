/**
 * Pure figures of the history benchmark (`npm run bench -- --increments K`): what each increment of
 * new source rows cost silver and gold, next to the full build's cost. The CLI is benchmarks/bench.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { listFiles } from "../local-lake/lib/lake-files";
import { LakeRunSummary } from "../local-lake/lib/summary";

export interface IncrementFigures {
    /** 0 for the full build, then 1..K. */
    increment: number;
    /** Rows inserted at the sources before the run (0 for the full build). */
    sourceRowsInserted: number;
    silverMs: number;
    goldMs: number;
    /** Bronze rows the silver job read this run (every table's `bronze_rows`: only the new batches). */
    silverRowsRead: number;
    /** Bytes of the bronze files of this run's batches: what silver had to read. */
    bronzeBytesRead: number;
    /** How the gold models were refreshed: `{ full: n, partitions: n, unchanged: n }`. */
    goldRefresh: Record<string, number>;
    /** (silver + gold) time relative to the full build's. */
    costVsFullBuild: number;
}

const jobMs = (summary: LakeRunSummary, layer: string) => summary.jobs.find((j) => j.layer === layer)?.ms ?? 0;

/** Sizes of the bronze files a batch wrote: `<bronze>/<source>/<table>/ingest_date=*\/batch_id=<batchId>/`. */
export function batchBytes(bronzeDir: string, batchId: string): number {
    return listFiles(bronzeDir, ".avro")
        .filter((f) => path.basename(path.dirname(f)) === `batch_id=${batchId}`)
        .reduce((n, f) => n + fs.statSync(f).size, 0);
}

/** One run's figures; `fullBuildMs` is the full build's silver + gold time (the run's own for increment 0). */
export function incrementFigures(increment: number, summary: LakeRunSummary, sourceRowsInserted: number, bronzeBytesRead: number, fullBuildMs?: number): IncrementFigures {
    const metrics = (layer: string, event: string) => (summary.jobs.find((j) => j.layer === layer)?.metrics ?? []).filter((m) => m.event === event);
    const goldRefresh: Record<string, number> = {};
    for (const m of metrics("gold", "gold_model")) {
        const how = String(m.refresh ?? "skipped");
        goldRefresh[how] = (goldRefresh[how] ?? 0) + 1;
    }
    const ms = jobMs(summary, "silver") + jobMs(summary, "gold");
    return {
        increment,
        sourceRowsInserted,
        silverMs: jobMs(summary, "silver"),
        goldMs: jobMs(summary, "gold"),
        silverRowsRead: metrics("silver", "silver_table").reduce((n, m) => n + Number(m.bronze_rows ?? 0), 0),
        bronzeBytesRead,
        goldRefresh,
        costVsFullBuild: Number((ms / (fullBuildMs ?? ms)).toFixed(3)),
    };
}
