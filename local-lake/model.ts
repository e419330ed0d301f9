/**
 * `npm run model -- <model> [--stack local] [--data-dir DIR] [--rows N]`
 * One gold model's SQL and tests on the running local Trino over the local silver, without Spark:
 * the loop of a model's author. See docs/local-lake.md.
 */
import { runMain } from "./lib/cli";
import { defaultDataDir, lakeLayout } from "./lib/layout";
import { findModel, loadModels, runModel } from "./lib/model";
import { parseModelArgs } from "./lib/model-args";
import { formatTable } from "./lib/progress";
import { formatResult } from "./lib/summary";

runMain(async () => {
    const started = Date.now();
    const args = parseModelArgs(process.argv.slice(2));
    const layout = lakeLayout(args.dataDir ?? defaultDataDir(args.stack));
    const { models, spec } = loadModels(args.stack, layout);
    const model = findModel(models, args.model, args.stack);
    const run = await runModel(model, models, spec, layout);
    process.stdout.write(`${formatResult(run.result, args.rows)}\n`);
    if (run.tests.length) {
        const rows = run.tests.map((t) => [t.test, t.check, t.severity, t.passed ? "passed" : "FAILED", t.found]);
        process.stdout.write(`\n${formatTable(["test", "check", "severity", "result", "found"], rows)}\n`);
    }
    const failed = run.tests.filter((t) => !t.passed && t.severity === "error");
    process.stdout.write(`\n${model.name} on Trino in ${((Date.now() - started) / 1000).toFixed(1)} s, ${process.uptime().toFixed(1)} s with the command's start (nothing written; \`npm run lake -- --from gold --models ${model.name}\` builds it)\n`);
    if (failed.length) throw new Error(`gold model ${model.name}: error-severity test(s) failed: ${failed.map((t) => `${t.test} (${t.found})`).join(", ")}; the gold job would not write it`);
});
