/**
 * `npm run forget` as a library: erases one data subject from the local lake by running the forget
 * Glue job (glue-scripts/forget_job.py) on local Spark, with the local Glue catalog, while holding the
 * data folder's run lock so that no lake run writes beside it. See docs/erasure.md.
 */
import * as path from "path";
import { LakeSpec } from "../../packages/medallion-lake/src";
import { forgetDefaultArguments, forgetRunArguments } from "../../packages/medallion-lake/src/model/forget-arguments";
import { newBatchId } from "./arguments";
import { loadLakeStack } from "./config";
import { writeLakeSpec } from "./lake-files";
import { defaultDataDir, fileUri, lakeLayout, PROJECT_ROOT } from "./layout";
import { saveCatalog, startCatalog, stopCatalog } from "./localdb";
import { ensureSetup, parseMetricLine, PythonFailed, runPython } from "./python";
import { acquireLock, takeoverNote } from "./run-lock";

export interface ForgetOptions {
    /** `<source>.<table>` of the subject's rows. Required. */
    table: string;
    /**
     * The subject's primary key: one bare value for a one-column key (`42`), else one `column=value`
     * per key column (`userid=42`; also accepted for a one-column key). Required.
     */
    keys: string[];
    /** Stack whose `Pulumi.<stack>.yaml` defines the lake; default `local`. */
    stack?: string;
    /** Folder holding `Pulumi.<stack>.yaml`; default the repository root. */
    stackDir?: string;
    /** Data folder; default the stack's (`.local-lake/`, `.local-lake/stacks/<stack>/`). */
    dataDir?: string;
    /** Each line of progress; default none. */
    onLine?: (line: string) => void;
}

/** What the forget job reported (its `erasure` metric line). */
export type ErasureReport = Record<string, unknown> & { status: string; table: string; key_sha256: string };

/**
 * The `--key` values as the job's key object, checked against the table's primary key: a bare value
 * only for a one-column key, else each key column exactly once as `column=value`.
 * @throws Error naming the table's key columns and what is wrong.
 */
export function keyObject(spec: LakeSpec, table: string, keys: string[]): Record<string, string> {
    const [sourceName, tableName, ...rest] = table.split(".");
    const source = spec.sources.find((s) => s.name === sourceName);
    const found = rest.length === 0 ? source?.tables.find((t) => t.name === tableName) : undefined;
    if (!found) {
        const known = spec.sources.flatMap((s) => s.tables.map((t) => `${s.name}.${t.name}`)).join(", ");
        throw new Error(`--table ${table}: the lake has no such table (expected <source>.<table>, one of ${known})`);
    }
    const pk = found.primaryKey;
    if (pk.length === 0) throw new Error(`--table ${table}: the table declares no primaryKey, so its rows cannot be erased by key`);
    if (keys.length === 0) throw new Error(`--key is required: the value of ${table}'s primary key (${pk.join(", ")})`);
    const named = (k: string) => pk.find((c) => k.startsWith(`${c}=`));
    // `column=value` naming another of the table's columns is a mistake, not a value with a `=` in it.
    const other = keys.map((k) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(k)?.[1]).find((c) => c && !pk.includes(c) && found.columns.some((d) => d.name === c));
    if (other) throw new Error(`--key ${other}=...: ${other} is not in ${table}'s primary key (${pk.join(", ")})`);
    if (keys.length === 1 && pk.length === 1 && !named(keys[0])) return { [pk[0]]: keys[0] };
    const result: Record<string, string> = {};
    for (const k of keys) {
        const column = named(k);
        if (!column) throw new Error(`--key ${k}: expected <column>=<value> with a column of ${table}'s primary key (${pk.join(", ")})`);
        if (column in result) throw new Error(`--key ${column}=...: given twice`);
        result[column] = k.slice(column.length + 1);
    }
    const missing = pk.filter((c) => !(c in result));
    if (missing.length) throw new Error(`--key: ${table}'s primary key is (${pk.join(", ")}); missing ${missing.join(", ")}`);
    return result;
}

/** Splits the repeatable `--key` flags off the others. */
export function splitKeys(argv: string[]): { keys: string[]; rest: string[] } {
    const keys: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--key") {
            const value = argv[++i];
            if (value === undefined || value === "") throw new Error("npm run forget: --key needs a value");
            keys.push(value);
        } else if (argv[i].startsWith("--key=")) {
            keys.push(argv[i].slice("--key=".length));
        } else {
            rest.push(argv[i]);
        }
    }
    return { keys, rest };
}

/** Runs the erasure; returns the job's report. A refusal (a key the lake never held) rejects with the job's message. */
export async function forget(options: ForgetOptions): Promise<ErasureReport> {
    const stackName = options.stack ?? "local";
    const onLine = options.onLine ?? (() => undefined);
    const layout = lakeLayout(options.dataDir ?? defaultDataDir(stackName));
    const stack = loadLakeStack(stackName, options.stackDir);
    const key = keyObject(stack.spec, options.table, options.keys);
    const lock = acquireLock(layout.dataDir, `npm run forget (stack ${stackName}, table ${options.table})`);
    let catalogStarted = false;
    try {
        const takeover = takeoverNote(lock);
        if (takeover) onLine(takeover);
        await ensureSetup(onLine);
        writeLakeSpec(layout.specFile, stack.spec, stack.config.gold.models);
        const catalog = await startCatalog(layout, Object.values(stack.spec.databases), { onProgress: onLine });
        catalogStarted = !catalog.reused;
        const args = {
            ...forgetDefaultArguments({
                lakeSpec: fileUri(layout.specFile),
                environment: stack.spec.environment,
                bronzePath: fileUri(layout.layers.bronze),
                silverPath: fileUri(layout.layers.silver),
                goldPath: fileUri(layout.layers.gold),
            }),
            ...forgetRunArguments(options.table, key),
            "--batch_id": `erasure-${newBatchId()}`,
        };
        let report: ErasureReport | undefined;
        const batchId = args["--batch_id"];
        await runPython([path.join(PROJECT_ROOT, "glue-scripts", "local_submit.py"), "forget", ...Object.entries(args).flat()], {
            label: "forget job (glue-scripts/forget_job.py via local_submit.py)",
            env: { ...catalog.env, AWS_ENDPOINT_URL_CLOUDWATCH: catalog.endpoint, MEDALLION_LOCAL_LAKE_ROOT: fileUri(layout.lakeDir) },
            logFile: path.join(layout.logsDir, `${batchId}-forget.log`),
            onLine: (line) => {
                const metric = parseMetricLine(line);
                if (metric?.event === "erasure") report = metric as unknown as ErasureReport;
            },
        }).catch((e: unknown) => {
            // A refused or invalid erasure: the job's own message, without the Spark log around it.
            const refusal = e instanceof PythonFailed ? e.tail.find((l) => l.includes("ErasureError: ")) : undefined;
            throw refusal ? new Error(refusal.slice(refusal.indexOf("ErasureError: ") + "ErasureError: ".length)) : e;
        });
        await saveCatalog(layout);
        if (!report) throw new Error("the forget job ended without its erasure report");
        return report;
    } finally {
        try {
            if (catalogStarted) await stopCatalog(layout).catch((e: Error) => onLine(`warning: could not stop the Glue catalog: ${e.message}`));
        } finally {
            lock.release();
        }
    }
}

/** The report for people: the status, then what each layer lost. */
export function formatReport(report: ErasureReport): string {
    const lines = [`${report.table}: ${report.status} (key sha256 ${report.key_sha256})`];
    for (const [layer, value] of Object.entries(report)) {
        if (["status", "table", "key_sha256", "event"].includes(layer)) continue;
        lines.push(`  ${layer}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    }
    return lines.join("\n");
}
