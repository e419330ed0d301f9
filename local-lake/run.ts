/**
 * `npm run lake [-- --stack local --stack-dir . --scale 1 --seed 2008 --reset --keep-servers --data-dir .local-lake --from gold --models a,b --own-sources --verbose]`
 * The whole medallion lake on this machine; see docs/local-lake.md.
 */
import * as path from "path";
import { parseFlags, runMain } from "./lib/cli";
import { LakeStepFailed, runLocalLake } from "./lib/run-lake";
import { DataDirLocked } from "./lib/run-lock";
import { ResumeStep } from "./lib/summary";

const FLAGS = {
    stack: "string",
    "stack-dir": "string",
    scale: "number",
    seed: "number",
    reset: "boolean",
    "keep-servers": "boolean",
    "data-dir": "string",
    "batch-id": "string",
    rows: "number",
    verbose: "boolean",
    from: "string",
    models: "string",
    "own-sources": "boolean",
} as const;

runMain(async () => {
    const { flags, positionals } = parseFlags(process.argv.slice(2), FLAGS, "npm run lake");
    if (positionals.length) throw new Error(`npm run lake: unexpected argument "${positionals[0]}" (flags: ${Object.keys(FLAGS).map((f) => `--${f}`).join(", ")})`);
    if (flags.scale !== undefined && !((flags.scale as number) > 0)) throw new Error("npm run lake: --scale must be greater than 0");
    try {
        await runLocalLake({
            stack: flags.stack as string | undefined,
            // A folder given on the command line is relative to the shell's directory, like any CLI path.
            stackDir: flags["stack-dir"] === undefined ? undefined : path.resolve(flags["stack-dir"] as string),
            scale: flags.scale as number | undefined,
            seed: flags.seed as number | undefined,
            reset: flags.reset === true,
            keepServers: flags["keep-servers"] === true,
            dataDir: flags["data-dir"] as string | undefined,
            batchId: flags["batch-id"] as string | undefined,
            maxPrintedRows: flags.rows as number | undefined,
            verbose: flags.verbose === true,
            from: flags.from as ResumeStep | undefined,
            models: flags.models === undefined ? undefined : String(flags.models).split(",").map((m) => m.trim()).filter(Boolean),
            ownSources: flags["own-sources"] === true,
        });
    } catch (e) {
        // The summary (with the failed step) is already printed; keep the error short.
        if (e instanceof LakeStepFailed) throw new Error(`npm run lake: ${e.message.split("\n")[0]} (see above)`);
        if (e instanceof DataDirLocked) throw new Error(`npm run lake: ${e.message}`);
        throw e;
    }
});
