/**
 * The local source databases, through the Python `localdb` CLI (local-lake/localdb): start/stop the
 * PostgreSQL and MariaDB servers, load TICKIT, crawl, and compute the expected gold results in SQL.
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

async function localdb(command: string, args: string[], options: LocalDbOptions): Promise<unknown> {
    const result = await runPython(["-m", "localdb", command, ...args], {
        env: { PYTHONPATH: path.join(PROJECT_ROOT, "local-lake") },
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
        env: { PYTHONPATH: path.join(PROJECT_ROOT, "local-lake") },
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

export function crawlSources(layout: LakeLayout, options: LocalDbOptions = {}): Promise<unknown> {
    return localdb("crawl", ["--data-dir", layout.sourcesDir, "--lake-spec", layout.specFile, "--catalog-dir", layout.catalogDir], options);
}

/** Every gold model computed independently in SQL on the source databases: `{ model: rows[] }`. */
export async function expectedGold(layout: LakeLayout, options: LocalDbOptions = {}): Promise<Record<string, Record<string, unknown>[]>> {
    return (await localdb("expected", ["--data-dir", layout.sourcesDir, "--lake-spec", layout.specFile], options)) as Record<
        string,
        Record<string, unknown>[]
    >;
}
