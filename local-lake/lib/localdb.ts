/**
 * The local servers, through the Python `localdb` CLI (local-lake/localdb): start/stop the
 * PostgreSQL and MariaDB servers, the Glue Data Catalog (moto) and Trino; load TICKIT and crawl.
 * Each command prints JSON on stdout and human progress on stderr.
 */
import * as path from "path";
import { LakeLayout, PROJECT_ROOT } from "./layout";
import { runPython } from "./python";

export interface LocalDbOptions {
    /** Each progress line of the command (its stderr). */
    onProgress?: (line: string) => void;
}

/** The command's JSON answer: the whole stdout, or its last line that parses (after stray prints). */
export function parseJsonOutput(stdout: string, command: string): unknown {
    const text = stdout.trim();
    try {
        return JSON.parse(text);
    } catch {
        const lastJson = text
            .split("\n")
            .reverse()
            .find((line) => /^[[{]/.test(line.trim()));
        if (lastJson) {
            try {
                return JSON.parse(lastJson);
            } catch {
                // fall through to the error naming the command
            }
        }
        throw new Error(`localdb ${command} printed no JSON result (stdout: ${text.slice(0, 300) || "empty"})`);
    }
}

// localdb reuses the jobs' catalog code (glue-scripts/medallion).
export const LOCALDB_ENV = { PYTHONPATH: [path.join(PROJECT_ROOT, "local-lake"), path.join(PROJECT_ROOT, "glue-scripts")].join(path.delimiter) };

async function localdb(command: string, args: string[], options: LocalDbOptions): Promise<unknown> {
    const result = await runPython(["-m", "localdb", command, ...args], {
        env: LOCALDB_ENV,
        label: `localdb ${command}`,
        onLine: (line, stream) => {
            if (stream === "stderr" && line.trim()) options.onProgress?.(line);
        },
    });
    return parseJsonOutput(result.stdout, command);
}

export function startServers(layout: LakeLayout, options: LocalDbOptions = {}): Promise<unknown> {
    return localdb("start", ["--data-dir", layout.sourcesDir], options);
}

export async function stopServers(layout: LakeLayout, options: LocalDbOptions = {}): Promise<void> {
    await runPython(["-m", "localdb", "stop", "--data-dir", layout.sourcesDir], {
        env: LOCALDB_ENV,
        label: "localdb stop",
        onLine: (line) => line.trim() && options.onProgress?.(line),
    });
}

export interface LoadOptions extends LocalDbOptions {
    scale: number;
    seed?: number;
    reset?: boolean;
}

export function loadSources(layout: LakeLayout, options: LoadOptions): Promise<unknown> {
    return localdb(
        "load",
        [
            "--data-dir", layout.sourcesDir,
            "--lake-spec", layout.specFile,
            "--scale", String(options.scale),
            ...(options.seed === undefined ? [] : ["--seed", String(options.seed)]),
            ...(options.reset ? ["--reset"] : []),
        ],
        options,
    );
}

/** One increment of source changes (localdb/increment.py): rows inserted past the watermarks, updated in place and deleted, per `<source>.<table>`. */
export async function addIncrement(
    layout: LakeLayout,
    fraction: number,
    options: LocalDbOptions = {},
): Promise<{ inserted: Record<string, number>; changed: Record<string, number>; deleted: Record<string, number> }> {
    const args = ["--data-dir", layout.sourcesDir, "--lake-spec", layout.specFile, "--fraction", String(fraction)];
    return (await localdb("increment", args, options)) as { inserted: Record<string, number>; changed: Record<string, number>; deleted: Record<string, number> };
}

export function crawlSources(layout: LakeLayout, options: LocalDbOptions = {}): Promise<unknown> {
    return localdb("crawl", ["--data-dir", layout.sourcesDir, "--lake-spec", layout.specFile, "--catalog-dir", layout.catalogDir], options);
}

/** The running local Glue Data Catalog (moto's server on loopback). */
export interface CatalogServer {
    endpoint: string;
    port: number;
    pid: number;
    log: string;
    /** What a job needs to use it through boto3: AWS_ENDPOINT_URL_GLUE, region, throwaway credentials. */
    env: Record<string, string>;
    /** It was already running (started by an earlier command with --keep-servers). */
    reused?: boolean;
}

/** Starts the local Glue catalog (or finds it running), restoring the saved catalog, and creates the lake's databases. */
export async function startCatalog(layout: LakeLayout, databases: string[], options: LocalDbOptions = {}): Promise<CatalogServer> {
    return (await localdb("catalog-start", ["--catalog-dir", layout.catalogDir, ...databases.flatMap((d) => ["--database", d])], options)) as CatalogServer;
}

/** Writes the running catalog to `<catalogDir>/catalog.json`, so a crash after this loses nothing. */
export function saveCatalog(layout: LakeLayout, options: LocalDbOptions = {}): Promise<unknown> {
    return localdb("catalog-save", ["--catalog-dir", layout.catalogDir], options);
}

export function stopCatalog(layout: LakeLayout, options: LocalDbOptions = {}): Promise<unknown> {
    return localdb("catalog-stop", ["--catalog-dir", layout.catalogDir], options);
}

/** A Trino server of the local lake: its URL and, once ready, how long it took to start. */
export interface TrinoServer {
    url: string;
    port: number;
    catalog: string;
    /** The Trino user of the job role, who reads classified columns clear; any other user sees them masked (docs/governance.md). */
    jobUser: string;
    log: string;
    startSeconds?: number;
    /** It was already running (started by an earlier command with --keep-servers). */
    reused?: boolean;
}

/** Launches Trino over the catalog at `glueEndpoint` without waiting for it (see {@link waitForTrino}). */
export async function startTrino(layout: LakeLayout, glueEndpoint: string, options: LocalDbOptions = {}): Promise<TrinoServer> {
    return (await localdb("trino-start", ["--data-dir", layout.trinoDir, "--glue-endpoint", glueEndpoint, "--lake-dir", layout.lakeDir], options)) as TrinoServer;
}

export async function waitForTrino(layout: LakeLayout, options: LocalDbOptions = {}): Promise<TrinoServer> {
    return (await localdb("trino-wait", ["--data-dir", layout.trinoDir], options)) as TrinoServer;
}

export function stopTrino(layout: LakeLayout, options: LocalDbOptions = {}): Promise<unknown> {
    return localdb("trino-stop", ["--data-dir", layout.trinoDir], options);
}
