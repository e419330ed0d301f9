import { expect } from "chai";
import { layerFigures, runFigures } from "../../benchmarks/figures";
import { LakeRunSummary } from "../../local-lake/lib/summary";

describe("benchmark figures", () => {
    it("counts the rows each layer's job consumed and its throughput", () => {
        const summary = {
            jobs: [
                { layer: "bronze", ms: 2000, peakRssKb: 1000, metrics: [] },
                { layer: "silver", ms: 4000, metrics: [] },
                { layer: "gold", ms: 0, metrics: [] },
            ],
            tables: [
                { layer: "bronze", table: "ecomm/sales", rows: 900 },
                { layer: "bronze", table: "saas/venue", rows: 100 },
                { layer: "silver", table: "ecomm/sales", rows: 880, quarantined: 15, duplicates: 5 },
                { layer: "silver", table: "saas/venue", rows: 100, quarantined: 0, duplicates: 0 },
                { layer: "gold", table: "sales_by_month", rows: 12 },
            ],
        } as unknown as LakeRunSummary;
        expect(layerFigures(summary)).to.deep.equal([
            { layer: "bronze", ms: 2000, rowsIn: 1000, rowsPerSecond: 500, peakRssBytes: 1024000 },
            { layer: "silver", ms: 4000, rowsIn: 1000, rowsPerSecond: 250, peakRssBytes: null },
            { layer: "gold", ms: 0, rowsIn: 980, rowsPerSecond: 0, peakRssBytes: null },
        ]);
    });

    it("adds up the run's wall time and reports the query step and Trino's start separately", () => {
        const steps = [
            { step: "prepare", ok: true, ms: 100, note: "" },
            { step: "bronze", ok: true, ms: 30_000, note: "" },
            { step: "query", ok: true, ms: 4_000, note: "" },
        ];
        expect(runFigures({ steps, trinoStartSeconds: 24.5 } as unknown as LakeRunSummary)).to.deep.equal({ totalMs: 34_100, queryStepMs: 4_000, trinoStartSeconds: 24.5 });
        expect(runFigures({ steps: steps.slice(0, 2) } as unknown as LakeRunSummary)).to.deep.equal({ totalMs: 30_100, queryStepMs: 0, trinoStartSeconds: null });
    });
});
