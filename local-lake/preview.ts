/**
 * `npm run preview -- <layer>/<source>/<table> [--rows 10] [--stack local] [--data-dir .local-lake] [--engine trino] [--keep-servers]`
 * (gold: `gold/<model>`): schema and first rows of a local lake dataset, from its files or, with
 * `--engine trino`, through the Glue catalog as Athena reads it. See docs/local-lake.md.
 */
import { parseFlags, runMain } from "./lib/cli";
import { loadLakeStack } from "./lib/config";
import { defaultDataDir, lakeLayout } from "./lib/layout";
import { previewDataset, previewThroughEngine } from "./lib/preview";
import { openEngine } from "./lib/query";
import { Cell, formatTable } from "./lib/progress";

runMain(async () => {
    const spec = { rows: "number", "data-dir": "string", stack: "string", engine: "string", "keep-servers": "boolean" } as const;
    const { flags, positionals } = parseFlags(process.argv.slice(2), spec, "npm run preview");
    if (positionals.length !== 1) throw new Error("usage: npm run preview -- <layer>/<source>/<table> | gold/<model> [--rows N] [--stack local] [--data-dir DIR] [--engine trino] [--keep-servers]");
    if (flags.engine !== undefined && flags.engine !== "trino") throw new Error(`npm run preview: --engine must be trino (or left out to read the files), got "${flags.engine}"`);
    const stack = (flags.stack as string | undefined) ?? "local";
    const dataDir = (flags["data-dir"] as string | undefined) ?? defaultDataDir(stack);
    const rows = (flags.rows as number | undefined) ?? 10;
    let preview;
    if (flags.engine === "trino") {
        const { engine } = await openEngine({ stack, engine: "trino", dataDir, keepServers: flags["keep-servers"] === true });
        try {
            preview = await previewThroughEngine(engine, loadLakeStack(stack).spec, positionals[0], rows);
        } finally {
            await engine.close();
        }
    } else {
        preview = await previewDataset(lakeLayout(dataDir), positionals[0], rows);
    }
    const out = [
        preview.files ? `${preview.dataset} — ${preview.format}, ${preview.files} file(s) under ${preview.location}` : `${preview.dataset} — ${preview.format}, read by ${preview.location}`,
        "",
        formatTable(["column", "type"], preview.columns.map((c) => [c.name, c.type])),
        "",
        formatTable(
            preview.columns.map((c) => c.name),
            preview.rows.map((r) => preview.columns.map((c) => r[c.name] as Cell)),
        ),
        `(first ${preview.rows.length} row(s))`,
    ];
    process.stdout.write(`${out.join("\n")}\n`);
});
