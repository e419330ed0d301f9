/**
 * `npm run query -- "<SQL>" [--stack local|dev|prod] [--engine duckdb|trino|athena] [--rows N] [--timeout SECONDS] [--data-dir DIR] [--keep-servers]`
 * Ad hoc SQL on the local lake (DuckDB, or Trino as Athena would run it) or on an AWS stack's lake (Athena). See docs/local-lake.md.
 */
import { parseFlags, runMain } from "./lib/cli";
import { formatBytes } from "./lib/progress";
import { EngineName, ENGINES, explainQueryError, openEngine } from "./lib/query";
import { formatResult } from "./lib/summary";

const FLAGS = { stack: "string", engine: "string", rows: "number", timeout: "number", "data-dir": "string", "keep-servers": "boolean" } as const;

runMain(async () => {
    const { flags, positionals } = parseFlags(process.argv.slice(2), FLAGS, "npm run query");
    if (positionals.length !== 1) throw new Error(`usage: npm run query -- "<SQL>" [--stack local|<aws stack>] [--engine ${ENGINES.join("|")}] [--rows N] [--timeout SECONDS] [--keep-servers]`);
    const engineFlag = flags.engine as string | undefined;
    if (engineFlag !== undefined && !(ENGINES as readonly string[]).includes(engineFlag)) throw new Error(`npm run query: --engine must be one of ${ENGINES.join(", ")}, got "${engineFlag}"`);
    const stack = (flags.stack as string | undefined) ?? "local";
    const { engine, target } = await openEngine({ stack, engine: engineFlag as EngineName | undefined, dataDir: flags["data-dir"] as string | undefined, keepServers: flags["keep-servers"] === true });
    process.stderr.write(`querying ${target}\n`);
    try {
        const timeout = flags.timeout as number | undefined;
        const result = await engine.query(positionals[0], timeout === undefined ? {} : { timeoutMs: timeout * 1000 }).catch((e: Error) => {
            throw explainQueryError(e, engine.name as EngineName);
        });
        const scanned = result.stats.bytesScanned === undefined ? "" : `, ${formatBytes(result.stats.bytesScanned)} scanned`;
        const id = result.stats.queryId ? `, query id ${result.stats.queryId}` : "";
        process.stdout.write(`${formatResult(result, (flags.rows as number | undefined) ?? 100)}\n${result.stats.engine}${scanned}${id}\n`);
    } finally {
        await engine.close();
    }
});
