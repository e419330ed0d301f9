import { expect } from "chai";
import { formatBytes, formatCount, formatDuration, formatTable, streamReporter } from "../../local-lake/lib/progress";
import { freshnessHours } from "medallion-lake";
import { loadLakeStack } from "../../local-lake/lib/config";
import { formatDrift, formatMetric, formatResult, formatSummary, goldFreshness, LakeRunSummary } from "../../local-lake/lib/summary";

describe("local lake: progress and summary formatting", () => {
    it("aligns a text table: numbers right, text left, NULL for missing values", () => {
        const text = formatTable(["table", "rows"], [["saas/category", 11], ["ecomm/sales", 172456], ["crm/users", null]], { groupDigits: true });
        expect(text.split("\n")).to.deep.equal([
            "table          rows",
            "-------------  -------",
            "saas/category       11",
            "ecomm/sales    172,456",
            "crm/users      NULL",
        ]);
    });

    it("prints query values as they are (no digit grouping) unless asked", () => {
        expect(formatTable(["eventid"], [[1234]]).split("\n")[2]).to.equal("   1234");
    });

    it("formats counts, durations and bytes", () => {
        expect(formatCount(172456)).to.equal("172,456");
        expect(formatCount(-1234567.5)).to.equal("-1,234,567.5");
        expect(formatCount(999)).to.equal("999");
        expect(formatDuration(850)).to.equal("850 ms");
        expect(formatDuration(12_345)).to.equal("12.3 s");
        expect(formatDuration(125_000)).to.equal("2 min 05 s");
        expect(formatBytes(512)).to.equal("512 B");
        expect(formatBytes(1536)).to.equal("1.5 KiB");
        expect(formatBytes(3 * 1024 ** 3)).to.equal("3.0 GiB");
    });

    it("turns a MEDALLION_METRIC object into one progress line", () => {
        const line = formatMetric({ event: "bronze_table", source: "ecomm", table: "sales", batch_id: "b1", rows: 3441, incremental: true, watermark_to: null, seconds: 2.5 });
        expect(line).to.equal("ecomm/sales  rows=3441  incremental=true  (2.5 s)");
        expect(formatMetric({ event: "gold_done", models: 5 })).to.equal("gold_done  models=5");
    });

    it("shows the first rows of a result and says how many were left out", () => {
        const text = formatResult(
            { columns: [{ name: "month", type: "integer" }, { name: "gross_sales", type: "decimal(18,2)" }], rows: [{ month: 1, gross_sales: "10.50" }, { month: 2, gross_sales: null }, { month: 3, gross_sales: "1.00" }], stats: { engine: "duckdb", elapsedMs: 12 } },
            2,
        );
        expect(text.split("\n")).to.deep.equal(["month  gross_sales", "-----  -----------", "    1  10.50", "    2  NULL", "(1 more rows not shown)", "(3 rows, 12 ms)"]);
    });

    const base: LakeRunSummary = {
        stack: "local", environment: "local", dataDir: "/tmp/x", scale: 1, batchId: "20261124T060000Z", ok: true,
        steps: [{ step: "prepare", ok: true, ms: 20, note: "stack local" }],
        jobs: [{ layer: "bronze", ms: 1000, peakRssKb: 1024 * 1024, metrics: [] }],
        tables: [{ layer: "silver", table: "ecomm/sales", rows: 3400, quarantined: 4, duplicates: 2 }],
        quality: [],
        queries: [],
    };

    it("summarizes a successful run: every step, rows per table, peak memory", () => {
        const text = formatSummary(base);
        expect(text).to.contain("prepare        ok");
        expect(text).to.contain("gold           not run");
        expect(text).to.match(/silver\s+ecomm\/sales\s+3,400\s+4\s+2/);
        expect(text).to.contain("peak memory per job: bronze 1.0 GiB");
        expect(text).to.contain("local lake ready");
        expect(text).to.not.contain("Would have alerted");
    });

    it("shows each silver table's changed and deleted rows, and deletes past the delete-share alarm's threshold", () => {
        const text = formatSummary({
            ...base,
            deleteShare: 0.1,
            tables: [
                { layer: "bronze", table: "shop/orders", rows: 8 },
                { layer: "silver", table: "shop/orders", rows: 8, quarantined: 0, duplicates: 0, changed: 1, deleted: 2, deleteShare: 0.2 },
                { layer: "silver", table: "shop/items", rows: 1000, quarantined: 0, duplicates: 0, changed: 0, deleted: 100, deleteShare: 0.1 },
            ],
        });
        const lines = text.split("\n");
        const header = lines.findIndex((l) => l.startsWith("layer"));
        expect(lines.slice(header, header + 5)).to.deep.equal([
            "layer   table        rows   quarantined  duplicates removed  changed  deleted",
            "------  -----------  -----  -----------  ------------------  -------  -------",
            "bronze  shop/orders      8",
            "silver  shop/orders      8            0                   0        1        2",
            "silver  shop/items   1,000            0                   0        0      100",
        ]);
        // 10% is not above the 10% threshold (the alarm's GreaterThanThreshold).
        expect(lines.filter((l) => l.startsWith("- "))).to.deep.equal([
            "- deletes shop/orders: 2 rows, 20.0% of the table (alarm above 10%; the keys: silver _deletes)",
        ]);
    });

    it("lists what would have alerted: the failed step and every failed rule with its effect", () => {
        const text = formatSummary({
            ...base, ok: false, failedStep: "silver", error: "silver job exited with code 1",
            quality: [
                { table: "ecomm/sales", rule: "range_qtysold", check: "range", severity: "error", passed: false, description: "qtysold >= 1 and <= 4", failedRows: 12 },
                { table: "ecomm/sales", rule: "known_qty", check: "acceptedValues", severity: "warn", passed: false, description: "qtysold in (1, 2)", failedRows: 3 },
                { table: "saas/category", rule: "row_count", check: "rowCount", severity: "error", passed: false, description: "row count <= 5", observed: 11 },
                { table: "saas/category", rule: "not_null_catid", check: "notNull", severity: "error", passed: true, description: "catid is not null", failedRows: 0 },
            ],
        });
        const alerts = text.split("\n").filter((l) => l.startsWith("- "));
        expect(alerts).to.deep.equal([
            "- silver job FAILED",
            "- data quality ecomm/sales range_qtysold (qtysold >= 1 and <= 4): 12 rows [error: rows quarantined]",
            "- data quality ecomm/sales known_qty (qtysold in (1, 2)): 3 rows [warn]",
            "- data quality saas/category row_count (row count <= 5): observed 11 [error: job failed, previous silver kept]",
        ]);
        expect(text).to.contain("Would have alerted (SNS topic on AWS):");
    });

    it("reports a gold freshness breach with the window of the component's alarm (never succeeded, or too long ago)", () => {
        // A daily schedule and 60-minute jobs: the alarm's window is 24 h plus three timeouts.
        const local = loadLakeStack("local").config;
        const hours = freshnessHours({ ...local, schedule: "cron(0 2 * * ? *)" });
        expect(hours).to.equal(27);
        const now = new Date("2026-12-02T12:00:00Z");
        const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
        const alerts = (lastSuccess: Date | undefined) =>
            formatSummary({ ...base, goldFreshness: goldFreshness(hours, lastSuccess, now) })
                .split("\n")
                .filter((l) => l.startsWith("- "));
        expect(alerts(undefined)).to.deep.equal(["- gold freshness: gold has never succeeded (alarm after 27 h)"]);
        expect(alerts(hoursAgo(30))).to.deep.equal(["- gold freshness: last success 2026-12-01T06:00:00.000Z, 30.0 h ago (alarm after 27 h)"]);
        expect(alerts(hoursAgo(27))).to.deep.equal([]);
        expect(alerts(hoursAgo(1))).to.deep.equal([]);
        // Without a schedule or alerts.freshnessHours there is no alarm on AWS, and nothing to report here.
        expect(goldFreshness(freshnessHours(local), undefined, now)).to.equal(undefined);
        expect(goldFreshness(freshnessHours({ ...local, alerts: { ...local.alerts, freshnessHours: 2 } }), hoursAgo(3), now)).to.deep.include({ hours: 2, ageHours: 3 });
    });

    it("names the failed step and its cause, and says earlier layers are intact", () => {
        const text = formatSummary({
            ...base, ok: false, failedStep: "gold", error: "gold job exited with code 1",
            steps: [...base.steps, { step: "gold", ok: false, ms: 5000, note: "gold job exited with code 1" }],
        });
        expect(text).to.match(/gold\s+FAILED\s+5\.0 s\s+gold job exited with code 1/);
        expect(text).to.contain('FAILED at step "gold"');
        expect(text).to.contain('Layers before "gold" are intact');
        expect(text).to.contain("`npm run lake -- --from gold` resumes there");
    });

    it("reporter indents details under their step", () => {
        let out = "";
        const reporter = streamReporter((t) => (out += t));
        reporter.stepStarted(3, 8, "load", "loading");
        reporter.detail("a\nb");
        reporter.stepEnded("load", true, 1500, "scale 1");
        expect(out).to.equal("[3/8] load — loading\n      a\n      b\n      done: load in 1.5 s (scale 1)\n");
    });

    it("formats source schema drift as one line, and nothing when there is none", () => {
        expect(formatDrift(null)).to.equal("");
        expect(formatDrift({ new: [], missing: [], retyped: [] })).to.equal("");
        expect(
            formatDrift({ new: [{ name: "venuecode", type: "varchar(8)" }], missing: ["venueseats"], retyped: [{ name: "catid", configured: "smallint", crawled: "bigint" }] }),
        ).to.equal("new venuecode varchar(8); missing venueseats; retyped catid smallint -> bigint");
    });
});
