/**
 * `npm run bench [-- --scales 1,10 --increments 3 --fraction 0.001 --data-dir .local-lake/bench --out out --stack local --stack-dir DIR]`:
 * runs the whole local lake from scratch at each scale and prints the run's wall time, Trino's start
 * time and the query step's time; per layer, wall time, rows and rows per second and the job's peak
 * memory; the bytes Spark reads to answer "gross sales per month" from gold versus from silver
 * (benchmarks/scan_bytes.py); and files per gold partition. Then the history benchmark: K
 * increments at the sources (localdb/increment.py: about `fraction` new rows, 0.05% of some tables'
 * rows updated in place, 0.01% deleted), each run from bronze, with per increment the silver and gold
 * time, the rows and bytes silver read, how gold refreshed, the cost relative to the full build, the
 * rows inserted/changed/deleted at the sources against those silver applied, the reconcile key scans'
 * keys, time and bytes and the rows a `reconcile: rows` re-read, silver's drift from the sources after
 * the run (benchmarks/drift_rows.py), and what is missing (changes not applied, scans not taken).
 * After the full build and after every increment the silver and gold jobs also run as their floor
 * (the same entry scripts and catalog, every table opened, no rows: docs/performance.md), and each
 * row prints its cost as `x floor` next to `x full build`.
 * Figures are printed and written to out/bench-<time>.json, never asserted.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseFlags, runMain } from "../local-lake/lib/cli";
import { tableRunSummaries } from "../local-lake/lib/lake-files";
import { lakeLayout, PROJECT_ROOT } from "../local-lake/lib/layout";
import { formatBytes, formatDuration, formatTable, stepEndLine, stepStartLine } from "../local-lake/lib/progress";
import { runPython } from "../local-lake/lib/python";
import { LakeSpec } from "medallion-lake";
import { addIncrement, startCatalog, stopCatalog, stopServers, stopTrino } from "../local-lake/lib/localdb";
import { LakeRunOptions, runLocalLake } from "../local-lake/lib/run-lake";
import { acquireLock, takeoverNote } from "../local-lake/lib/run-lock";
import { LakeRunSummary } from "../local-lake/lib/summary";
import { layerFigures, partitionFigures, runFigures, ScaleFigures, ScanSide } from "./figures";
import { driftRows } from "../local-lake/lib/drift-rows";
import { batchBytes, floorFigures, IncrementFigures, incrementFigures } from "./history";

/** The scan comparison, through the running local Glue catalog (silver and gold are Iceberg tables there). */
async function scanBytes(catalogEnv: Record<string, string>, spec: LakeSpec): Promise<ScaleFigures["scan"]> {
    const args = ["--silver-db", spec.databases.silver, "--gold-db", spec.databases.gold];
    const { stdout } = await runPython([path.join(PROJECT_ROOT, "benchmarks", "scan_bytes.py"), ...args], {
        label: "benchmarks/scan_bytes.py",
        env: catalogEnv,
    });
    const line = stdout.split("\n").find((l) => l.startsWith("SCAN_BYTES "));
    if (!line) throw new Error("benchmarks/scan_bytes.py printed no SCAN_BYTES line");
    const { gold: g, silver: s } = JSON.parse(line.slice("SCAN_BYTES ".length)) as { gold: ScanSide; silver: ScanSide };
    return { gold: g, silver: s, silverToGoldBytesRead: g.bytesRead > 0 ? s.bytesRead / g.bytesRead : Number.NaN, answersAgree: g.grossSales === s.grossSales && g.months === s.months };
}

function report(f: ScaleFigures): string {
    const layers = formatTable(
        ["layer", "wall time", "rows in", "rows/s", "peak memory"],
        f.layers.map((l) => [l.layer, formatDuration(l.ms), l.rowsIn, l.rowsPerSecond, l.peakRssBytes === null ? "n/a" : formatBytes(l.peakRssBytes)]),
        { groupDigits: true },
    );
    const scan = formatTable(
        ["monthly sales from", "bytes read", "file bytes selected", "files", "months", "gross sales"],
        (["gold", "silver"] as const).map((side) => [side, formatBytes(f.scan[side].bytesRead), formatBytes(f.scan[side].filesSize), f.scan[side].files, f.scan[side].months, f.scan[side].grossSales]),
    );
    const partitions = formatTable(
        ["gold model", "partitions", "min files", "avg files", "max files"],
        f.goldPartitions.map((p) => [p.model, p.partitions, p.minFiles, p.avgFiles, p.maxFiles]),
    );
    const trino = f.run.trinoStartSeconds === null ? "n/a" : `${f.run.trinoStartSeconds} s (overlapping the load and the jobs)`;
    return [
        `\n=== scale ${f.scale} ===`,
        `whole lake ${formatDuration(f.run.totalMs)}; Trino start ${trino}; query step (every named query on Trino) ${formatDuration(f.run.queryStepMs)}`,
        layers,
        "",
        scan,
        `silver reads ${f.scan.silverToGoldBytesRead.toFixed(1)}x the bytes gold reads for the same answer; answers agree: ${f.scan.answersAgree ? "yes" : "NO"}`,
        "",
        partitions,
    ].join("\n");
}

const counts = (c: { inserted: number; changed: number; deleted: number }) => [c.inserted, c.changed, c.deleted].map((n) => n.toLocaleString("en-US")).join(" / ");

function historyReport(rows: IncrementFigures[]): string {
    const cost = formatTable(
        ["increment", "silver", "gold", "silver rows read", "bronze bytes read", "gold refresh", "x full build", "floor silver + gold", "x floor"],
        rows.map((r) => [
            r.increment === 0 ? "full build" : r.increment,
            formatDuration(r.silverMs),
            formatDuration(r.goldMs),
            r.silverRowsRead,
            formatBytes(r.bronzeBytesRead),
            Object.entries(r.goldRefresh).map(([how, n]) => `${how} ${n}`).join(", "),
            r.costVsFullBuild,
            r.floor ? `${formatDuration(r.floor.silverMs)} + ${formatDuration(r.floor.goldMs)}` : "n/a",
            r.costVsFloor ?? "n/a",
        ]),
        { groupDigits: true },
    );
    const truth = formatTable(
        ["increment", "source ins/chg/del", "silver ins/chg/del", "key scans", "keys read", "key scan time", "key snapshot bytes", "rows re-read", "re-read time", "drift rows"],
        rows.map((r) => [
            r.increment === 0 ? "full build" : r.increment,
            r.increment === 0 ? "" : counts(r.source),
            counts(r.detected),
            r.reconcile.tables,
            r.reconcile.keysRead,
            `${r.reconcile.keyScanSeconds} s`,
            formatBytes(r.reconcile.snapshotBytes),
            r.reconcile.wholeTableRereads ? `${r.reconcile.rowsReread} (${r.reconcile.wholeTableRereads} table(s) whole)` : r.reconcile.rowsReread,
            `${r.reconcile.rereadSeconds} s`,
            r.driftRows,
        ]),
        { groupDigits: true },
    );
    const missing = rows.flatMap((r) => r.missing.map((m) => `  ${r.increment === 0 ? "full build" : `increment ${r.increment}`}: ${m}`));
    return [
        "\nhistory: silver + gold per increment, next to the full build",
        cost,
        "\nhistory: source changes against what silver applied, the reconcile step (key scans; rows re-read by a `reconcile: rows`, in bronze's rows too), and silver's drift from the sources after the run",
        truth,
        "(key snapshot bytes: the snapshot's Avro files, keys and, for `rows`, hashes; the bytes the source sent over JDBC are not measured)",
        missing.length
            ? ["missing (an id-watermarked table keeps its in-place updates as drift without `reconcile: rows`, an incremental one its deletes without any `reconcile`):", ...missing].join("\n")
            : "missing: nothing (every source change applied, every reconciled table scanned, no drift)",
    ].join("\n");
}

const USAGE = [
    "npm run bench -- [flags]: the whole local lake from scratch at each scale, then the history benchmark (figures printed and written, never asserted)",
    "  --scales 1,10        TICKIT scales, from scratch each (default 1,10)",
    "  --increments K       increments at the sources after the full build, each run from bronze (default 3)",
    "  --fraction F         new rows per increment, a share of each incremental table's rows (default 0.001); 0.05% updated, 0.01% deleted",
    "  --data-dir DIR       the runs' data folders, DIR/scale-<s> (default .local-lake/bench)",
    "  --out DIR            where bench-<time>.json is written (default out)",
    "  --stack NAME         the stack file Pulumi.<NAME>.yaml (default local)",
    "  --stack-dir DIR      the folder of that stack file (default the repository), e.g. a copy with another reconcile",
].join("\n");

runMain(async () => {
    const { flags } = parseFlags(
        process.argv.slice(2),
        { scales: "string", increments: "string", fraction: "string", "data-dir": "string", out: "string", stack: "string", "stack-dir": "string", help: "boolean" },
        "npm run bench",
    );
    if (flags.help) {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    const scales = String(flags.scales ?? "1,10")
        .split(",")
        .map((s) => Number(s.trim()));
    if (scales.some((s) => !(s > 0))) throw new Error(`npm run bench: --scales must be positive numbers separated by commas, got "${flags.scales}"`);
    const baseDir = path.resolve(PROJECT_ROOT, (flags["data-dir"] as string | undefined) ?? ".local-lake/bench");
    const results: (ScaleFigures & { history: IncrementFigures[] })[] = [];
    const increments = Number(flags.increments ?? 3);
    const fraction = Number(flags.fraction ?? 0.001);
    if (!Number.isInteger(increments) || increments < 0) throw new Error(`npm run bench: --increments must be a whole number >= 0, got "${flags.increments}"`);
    if (!(fraction > 0 && fraction <= 1)) throw new Error(`npm run bench: --fraction must be in (0, 1], got "${flags.fraction}"`);
    for (const scale of scales) {
        const dataDir = path.join(baseDir, `scale-${scale}`);
        // One lock across the scale's runs and the writes between them (the increments at the sources).
        const lock = acquireLock(dataDir, `npm run bench (scale ${scale})`);
        process.stdout.write(`\nbench: scale ${scale} in ${dataDir} (from scratch, then ${increments} increments of ${fraction * 100}% new rows, updates and deletes)\n`);
        const takeover = takeoverNote(lock);
        if (takeover) process.stdout.write(`${takeover}\n`);
        const run = (options: Partial<LakeRunOptions>): Promise<LakeRunSummary> =>
            runLocalLake({
                stack: (flags.stack as string | undefined) ?? "local",
                stackDir: flags["stack-dir"] === undefined ? undefined : path.resolve(String(flags["stack-dir"])),
                scale,
                dataDir,
                keepServers: true,
                lock,
                // Step lines only: the figures below are the output.
                reporter: {
                    stepStarted: (i, n, step, what) => process.stdout.write(`${stepStartLine(i, n, step, what)}\n`),
                    stepEnded: (step, ok, ms, note) => process.stdout.write(`${stepEndLine(step, ok, ms, note)}\n`),
                    detail: () => undefined,
                    print: () => undefined,
                },
                ...options,
            });
        const layout = lakeLayout(dataDir);
        try {
            const summary = await run({ reset: true });
            const spec = JSON.parse(fs.readFileSync(layout.specFile, "utf8")) as LakeSpec;
            const catalog = await startCatalog(layout, []); // the run's, still running
            const figures: ScaleFigures = {
                scale,
                run: runFigures(summary),
                layers: layerFigures(summary),
                scan: await scanBytes(catalog.env, spec),
                goldPartitions: partitionFigures(layout.layers.gold),
            };
            process.stdout.write(`${report(figures)}\n`);
            const measured = async (batchId: string) => ({
                bronzeBytes: batchBytes(layout.layers.bronze, batchId),
                bronzeSummaries: tableRunSummaries(spec, layout.layers.bronze, batchId).map((t) => t.summary),
                drift: await driftRows(catalog.env, spec.databases.silver, layout),
                // The floor of the jobs on the lake as this run left it, measured right after it.
                floor: floorFigures(await run({ from: "silver", floor: true })),
            });
            const history = [incrementFigures(0, summary, await measured(summary.batchId))];
            const fullBuildMs = history[0].silverMs + history[0].goldMs;
            for (let k = 1; k <= increments; k++) {
                const changes = await addIncrement(layout, fraction);
                const increment = await run({ from: "bronze" });
                history.push(incrementFigures(k, increment, { changes, ...(await measured(increment.batchId)) }, fullBuildMs));
            }
            process.stdout.write(`${historyReport(history)}\n`);
            results.push({ ...figures, history });
        } finally {
            for (const stop of [stopTrino, stopServers, stopCatalog]) await stop(layout).catch(() => undefined);
            lock.release();
        }
    }
    const outDir = path.resolve(PROJECT_ROOT, (flags.out as string | undefined) ?? "out");
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `bench-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, results }, null, 2)}\n`);
    process.stdout.write(`\nfigures written to ${path.relative(process.cwd(), file)}\n`);
});
