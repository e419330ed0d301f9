import { expect } from "chai";
import { layerFigures } from "../../benchmarks/figures";
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
});
