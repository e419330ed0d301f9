/** The arguments of `npm run model -- <model> [--stack local] [--data-dir DIR] [--rows N]` (the CLI is local-lake/model.ts). */
import { parseFlags } from "./cli";

export const MODEL_USAGE = "usage: npm run model -- <model> [--stack local] [--data-dir DIR] [--rows N]";

export interface ModelArgs {
    /** The gold model to run. */
    model: string;
    /** Stack whose models and local lake are used; default `local`. */
    stack: string;
    /** The local lake's data folder; default the stack's (`.local-lake/`). */
    dataDir?: string;
    /** Rows printed; default 20. */
    rows: number;
}

/** The parsed arguments; errors name what is wrong and the usage. */
export function parseModelArgs(argv: string[]): ModelArgs {
    const { flags, positionals } = parseFlags(argv, { stack: "string", "data-dir": "string", rows: "number" }, "npm run model");
    if (positionals.length !== 1) throw new Error(`npm run model: ${positionals.length ? `one model at a time, got ${positionals.join(", ")}` : "name the gold model to run"} (${MODEL_USAGE})`);
    const rows = (flags.rows as number | undefined) ?? 20;
    if (!Number.isInteger(rows) || rows < 0) throw new Error(`npm run model: --rows must be a whole number >= 0, got ${rows}`);
    return { model: positionals[0], stack: (flags.stack as string | undefined) ?? "local", dataDir: flags["data-dir"] as string | undefined, rows };
}
