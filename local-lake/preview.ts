/**
 * `npm run preview -- <layer>/<source>/<table> [--rows 10] [--stack local] [--data-dir .local-lake]` (gold: `gold/<model>`):
 * schema and first rows of a local lake dataset. See docs/local-lake.md.
 */
import { parseFlags, runMain } from "./lib/cli";
import { defaultDataDir, lakeLayout } from "./lib/layout";
import { previewDataset } from "./lib/preview";
import { Cell, formatTable } from "./lib/progress";

runMain(async () => {
    const { flags, positionals } = parseFlags(process.argv.slice(2), { rows: "number", "data-dir": "string", stack: "string" }, "npm run preview");
    if (positionals.length !== 1) throw new Error("usage: npm run preview -- <layer>/<source>/<table> | gold/<model> [--rows N] [--stack local] [--data-dir DIR]");
    const dataDir = (flags["data-dir"] as string | undefined) ?? defaultDataDir((flags.stack as string | undefined) ?? "local");
    const preview = await previewDataset(lakeLayout(dataDir), positionals[0], (flags.rows as number | undefined) ?? 10);
    const out = [
        `${preview.dataset} — ${preview.format}, ${preview.files} file(s) under ${preview.location}`,
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
