import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { layerFigures, runFigures } from "../../benchmarks/figures";
import { batchBytes, floorFigures, incrementFigures } from "../../benchmarks/history";
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

    describe("history increments", () => {
        // A fabricated increment: sales is id-watermarked with reconcile: rows (3 rows re-read), listing
        // reconciled but not due this run, venue a full load.
        const summary = {
            jobs: [
                {
                    layer: "silver",
                    ms: 3000,
                    metrics: [
                        { event: "silver_table", table: "sales", bronze_rows: 40, rows_inserted: 38, rows_changed: 0, rows_deleted: 2 },
                        { event: "silver_table", table: "venue", bronze_rows: 201, rows_inserted: 0, rows_changed: 1, rows_deleted: 1 },
                        { event: "silver_rules", table: "sales", rows_deleted: 99 },
                    ],
                },
                { layer: "gold", ms: 1000, metrics: [{ event: "gold_model", refresh: "partitions" }, { event: "gold_model", refresh: "partitions" }, { event: "gold_model" }] },
            ],
        } as unknown as LakeRunSummary;
        const inputs = {
            changes: { inserted: { "ecomm.sales": 38, "saas.venue": 0 }, changed: { "ecomm.sales": 5, "saas.venue": 1 }, deleted: { "ecomm.sales": 2, "saas.venue": 1 } },
            bronzeBytes: { rows: 9000, keys: 1200 },
            bronzeSummaries: [
                { source: "ecomm", table: "sales", rows: 41, keys_read: 1800, key_scan_seconds: 0.25, rows_reread: 3, reread_seconds: 0.5, reread_whole_table: false },
                { source: "ecomm", table: "listing", rows: 20, keys_read: null, key_scan_seconds: null, error: null },
                { source: "saas", table: "venue", rows: 201 },
            ],
            drift: { "ecomm/sales": { onlySource: 0, onlySilver: 1, differ: 5 }, "saas/venue": { onlySource: 0, onlySilver: 0, differ: 0 } },
        };

        it("sets the source changes against what silver applied, the reconcile step, the drift and what is missing", () => {
            expect(incrementFigures(2, summary, inputs, 8000)).to.deep.equal({
                increment: 2,
                source: { inserted: 38, changed: 6, deleted: 3 },
                detected: { inserted: 38, changed: 1, deleted: 3 },
                reconcile: { tables: 1, keysRead: 1800, keyScanSeconds: 0.25, snapshotBytes: 1200, rowsReread: 3, rereadSeconds: 0.5, wholeTableRereads: 0 },
                missing: [
                    "5 of 6 rows changed at the sources not changed in silver",
                    "ecomm/listing: reconciled, but no key snapshot this run: not due (everyRuns)",
                    "ecomm/sales: 0 keys only at the source, 1 only in silver, 5 rows differ",
                ],
                driftRows: 6,
                driftTables: { "ecomm/sales": { onlySource: 0, onlySilver: 1, differ: 5 } },
                silverMs: 3000,
                goldMs: 1000,
                silverRowsRead: 241,
                bronzeBytesRead: 9000,
                goldRefresh: { partitions: 2, skipped: 1 },
                costVsFullBuild: 0.5,
                floor: null,
                costVsFloor: null,
            });
        });

        it("sets the increment's silver + gold time against the floor measured after it", () => {
            const floorRun = { jobs: [{ layer: "silver", ms: 1200, metrics: [] }, { layer: "gold", ms: 800, metrics: [] }] } as unknown as LakeRunSummary;
            const floor = floorFigures(floorRun);
            expect(floor).to.deep.equal({ silverMs: 1200, goldMs: 800 });
            const f = incrementFigures(1, summary, { ...inputs, floor }, 8000);
            // (3000 + 1000) / (1200 + 800)
            expect([f.costVsFloor, f.floor]).to.deep.equal([2, { silverMs: 1200, goldMs: 800 }]);
        });

        it("gives the full build no source changes and its own cost as the unit", () => {
            const f = incrementFigures(0, summary, { ...inputs, changes: undefined, drift: {} });
            expect(f.source).to.deep.equal({ inserted: 0, changed: 0, deleted: 0 });
            expect([f.driftRows, f.costVsFullBuild]).to.deep.equal([0, 1]);
            expect(f.missing).to.deep.equal(["ecomm/listing: reconciled, but no key snapshot this run: not due (everyRuns)"]);
        });

        it("counts a batch's row files apart from its key snapshot and from other batches", () => {
            const bronze = fs.mkdtempSync(path.join(os.tmpdir(), "bench-bronze-"));
            const write = (rel: string, bytes: number) => {
                fs.mkdirSync(path.dirname(path.join(bronze, rel)), { recursive: true });
                fs.writeFileSync(path.join(bronze, rel), Buffer.alloc(bytes));
            };
            write("ecomm/sales/ingest_date=2026-01-02/batch_id=b2/part-0.avro", 100);
            write("ecomm/sales/ingest_date=2026-01-02/batch_id=b2/part-1.avro", 50);
            write("ecomm/sales/ingest_date=2026-01-01/batch_id=b1/part-0.avro", 7);
            write("_keys/ecomm/sales/ingest_date=2026-01-02/batch_id=b2/part-0.avro", 30);
            write("_keys/ecomm/sales/_schedule.json", 5);
            try {
                expect(batchBytes(bronze, "b2")).to.deep.equal({ rows: 150, keys: 30 });
            } finally {
                fs.rmSync(bronze, { recursive: true, force: true });
            }
        });
    });
});
