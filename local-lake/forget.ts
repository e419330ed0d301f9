/**
 * `npm run forget -- --table <source>.<table> --key <value> [--key <column>=<value> ...] [--stack local --stack-dir . --data-dir .local-lake]`
 * Erases one data subject from the local lake; see docs/erasure.md.
 */
import { parseFlags, runMain } from "./lib/cli";
import { forget, formatReport, splitKeys } from "./lib/forget";
import { DataDirLocked } from "./lib/run-lock";

const FLAGS = { stack: "string", "stack-dir": "string", "data-dir": "string", table: "string" } as const;

runMain(async () => {
    const { keys, rest } = splitKeys(process.argv.slice(2));
    const { flags, positionals } = parseFlags(rest, FLAGS, "npm run forget");
    if (positionals.length) throw new Error(`npm run forget: unexpected argument "${positionals[0]}"`);
    if (!flags.table) throw new Error("npm run forget: --table <source>.<table> is required");
    try {
        const report = await forget({
            table: flags.table as string,
            keys,
            stack: flags.stack as string | undefined,
            stackDir: flags["stack-dir"] as string | undefined,
            dataDir: flags["data-dir"] as string | undefined,
            onLine: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(`${formatReport(report)}\n`);
    } catch (e) {
        if (e instanceof DataDirLocked) throw new Error(`npm run forget: ${e.message}`);
        throw e;
    }
});
