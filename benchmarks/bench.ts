/**
 * `npm run bench [-- --scales 1,10 --data-dir .local-lake/bench --out out]`: runs the whole local
 * lake from scratch at each scale and prints the run's wall time, Trino's start time and the query
 * step's time; per layer, wall time, rows and rows per second and the job's peak memory; the bytes Spark reads to answer "gross sales per month" from gold versus
 * from silver (benchmarks/scan_bytes.py); and files per gold partition. Figures are printed and
 * written to out/bench-<time>.json, never asserted.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseFlags, runMain } from "../local-lake/lib/cli";
import { lakeLayout, PROJECT_ROOT } from "../local-lake/lib/layout";
import { formatBytes, formatDuration, formatTable, stepEndLine, stepStartLine } from "../local-lake/lib/progress";
import { runPython } from "../local-lake/lib/python";
import { runLocalLake } from "../local-lake/lib/run-lake";
import { layerFigures, partitionFigures, runFigures, ScaleFigures, ScanSide } from "./figures";

async function scanBytes(silver: string, gold: string): Promise<ScaleFigures["scan"]> {
    const { stdout } = await runPython([path.join(PROJECT_ROOT, "benchmarks", "scan_bytes.py"), "--silver", silver, "--gold", gold], {
        label: "benchmarks/scan_bytes.py",
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

runMain(async () => {
    const { flags } = parseFlags(process.argv.slice(2), { scales: "string", "data-dir": "string", out: "string", stack: "string" }, "npm run bench");
    const scales = String(flags.scales ?? "1,10")
        .split(",")
        .map((s) => Number(s.trim()));
    if (scales.some((s) => !(s > 0))) throw new Error(`npm run bench: --scales must be positive numbers separated by commas, got "${flags.scales}"`);
    const baseDir = path.resolve(PROJECT_ROOT, (flags["data-dir"] as string | undefined) ?? ".local-lake/bench");
    const results: ScaleFigures[] = [];
    for (const scale of scales) {
        const dataDir = path.join(baseDir, `scale-${scale}`);
        process.stdout.write(`\nbench: scale ${scale} in ${dataDir} (from scratch)\n`);
        const summary = await runLocalLake({
            stack: (flags.stack as string | undefined) ?? "local",
            scale,
            reset: true,
            dataDir,
            // Step lines only: the figures below are the output.
            reporter: {
                stepStarted: (i, n, step, what) => process.stdout.write(`${stepStartLine(i, n, step, what)}\n`),
                stepEnded: (step, ok, ms, note) => process.stdout.write(`${stepEndLine(step, ok, ms, note)}\n`),
                detail: () => undefined,
                print: () => undefined,
            },
        });
        const layout = lakeLayout(dataDir);
        const figures: ScaleFigures = {
            scale,
            run: runFigures(summary),
            layers: layerFigures(summary),
            scan: await scanBytes(layout.layers.silver, layout.layers.gold),
            goldPartitions: partitionFigures(layout.layers.gold),
        };
        results.push(figures);
        process.stdout.write(`${report(figures)}\n`);
    }
    const outDir = path.resolve(PROJECT_ROOT, (flags.out as string | undefined) ?? "out");
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `bench-${new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.json`);
    fs.writeFileSync(file, `${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, results }, null, 2)}\n`);
    process.stdout.write(`\nfigures written to ${path.relative(process.cwd(), file)}\n`);
});
