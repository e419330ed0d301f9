/** Pure figures of a benchmark run (the CLI is benchmarks/bench.ts). */
import { goldPartitionFiles } from "../local-lake/lib/lake-files";
import { Layer, LAYERS } from "../local-lake/lib/layout";
import { LakeRunSummary } from "../local-lake/lib/summary";

export interface LayerFigures {
    layer: Layer;
    ms: number;
    /** Rows the job consumed: bronze — rows ingested; silver — bronze rows processed; gold — silver rows available. */
    rowsIn: number;
    rowsPerSecond: number;
    peakRssBytes: number | null;
}

export interface ScanSide {
    bytesRead: number;
    filesSize: number;
    files: number;
    months: number;
    grossSales: string;
}

/** The whole run: its wall time, the query step's, and how long Trino took to start (in the background). */
export interface RunFigures {
    totalMs: number;
    queryStepMs: number;
    trinoStartSeconds: number | null;
}

export interface ScaleFigures {
    scale: number;
    run: RunFigures;
    layers: LayerFigures[];
    scan: { gold: ScanSide; silver: ScanSide; silverToGoldBytesRead: number; answersAgree: boolean };
    goldPartitions: { model: string; partitions: number; minFiles: number; maxFiles: number; avgFiles: number }[];
}

/** Rows each layer's job consumed, from the run summary (see LayerFigures.rowsIn). */
export function layerFigures(summary: LakeRunSummary): LayerFigures[] {
    const sum = (layer: Layer, rows: (t: LakeRunSummary["tables"][number]) => number) =>
        summary.tables.filter((t) => t.layer === layer).reduce((n, t) => n + rows(t), 0);
    const rowsIn: Record<Layer, number> = {
        bronze: sum("bronze", (t) => t.rows ?? 0),
        silver: sum("silver", (t) => (t.rows ?? 0) + (t.quarantined ?? 0) + (t.duplicates ?? 0)),
        gold: sum("silver", (t) => t.rows ?? 0),
    };
    return LAYERS.map((layer) => {
        const job = summary.jobs.find((j) => j.layer === layer);
        const ms = job?.ms ?? 0;
        return {
            layer,
            ms,
            rowsIn: rowsIn[layer],
            rowsPerSecond: ms > 0 ? Math.round(rowsIn[layer] / (ms / 1000)) : 0,
            peakRssBytes: job?.peakRssKb === undefined ? null : job.peakRssKb * 1024,
        };
    });
}

export function runFigures(summary: LakeRunSummary): RunFigures {
    return {
        totalMs: summary.steps.reduce((n, s) => n + s.ms, 0),
        queryStepMs: summary.steps.find((s) => s.step === "query")?.ms ?? 0,
        trinoStartSeconds: summary.trinoStartSeconds ?? null,
    };
}

export function partitionFigures(goldDir: string): ScaleFigures["goldPartitions"] {
    const byModel = new Map<string, number[]>();
    for (const p of goldPartitionFiles(goldDir)) byModel.set(p.model, [...(byModel.get(p.model) ?? []), p.files]);
    return [...byModel].map(([model, files]) => ({
        model,
        partitions: files.length,
        minFiles: Math.min(...files),
        maxFiles: Math.max(...files),
        avgFiles: Number((files.reduce((a, b) => a + b, 0) / files.length).toFixed(2)),
    }));
}

