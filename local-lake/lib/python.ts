/**
 * Runs the project's Python (the localdb CLI, the Glue entry scripts through local_submit.py) with
 * the venv interpreter, streaming its lines to the caller and keeping what a failure report needs.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { PROJECT_ROOT } from "./layout";

export const VENV_PYTHON = path.join(PROJECT_ROOT, ".venv", "bin", "python");
export const JARS_DIR = path.join(PROJECT_ROOT, "glue-scripts", "jars", "lib");
const SETUP_HINT = "run `bash scripts/setup.sh` once (it installs the Python venv, the Spark jars and the database servers)";

/** Fails early, with the fix, when the one-time setup has not been run. */
export function checkSetup(): void {
    if (!fs.existsSync(VENV_PYTHON)) throw new Error(`the Python virtualenv ${VENV_PYTHON} is missing: ${SETUP_HINT}`);
    const jars = fs.existsSync(JARS_DIR) ? fs.readdirSync(JARS_DIR).filter((f) => f.endsWith(".jar")) : [];
    if (!jars.some((j) => j.startsWith("spark-avro"))) throw new Error(`the Spark jars in ${JARS_DIR} are missing: ${SETUP_HINT}`);
}

/**
 * Makes sure the one-time setup is done, running `scripts/setup.sh` (idempotent) when the venv or
 * the jars are missing, so `npm run lake` works on a fresh machine; its output goes to `onLine`.
 */
export async function ensureSetup(onLine: (line: string) => void): Promise<void> {
    try {
        checkSetup();
        return;
    } catch (e) {
        onLine(`${(e as Error).message.split(":")[0]}: running scripts/setup.sh (once)`);
    }
    await new Promise<void>((resolve, reject) => {
        const child = spawn("bash", [path.join(PROJECT_ROOT, "scripts", "setup.sh")], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
        readline.createInterface({ input: child.stdout }).on("line", onLine);
        readline.createInterface({ input: child.stderr }).on("line", onLine);
        child.on("error", (e) => reject(new Error(`could not run scripts/setup.sh: ${e.message}`)));
        child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`scripts/setup.sh failed (exit code ${code}); see its output above, fix and run it again`))));
    });
    checkSetup();
}

export interface PythonResult {
    stdout: string;
    /** The last lines of stderr and stdout, for error messages. */
    tail: string[];
    /** Peak resident memory of the process tree's largest process, when measured (kB). */
    peakRssKb?: number;
}

/**
 * The lines of a failed run's output that say why: exceptions, `Caused by`, errors — not the
 * stack frames around them. Falls back to the last lines when nothing looks like an error.
 */
export function failureHighlights(lines: string[], max = 6): string[] {
    const telling = lines.filter(
        (l) => !/^\s+at |^\s+\.\.\. \d+ more/.test(l) && /(Error|Exception|Caused by|failed|FAILED|Traceback)/.test(l),
    );
    const unique = [...new Set(telling.map((l) => l.trim()))];
    return (unique.length ? unique.slice(-max) : lines.slice(-max)).map((l) => (l.length > 400 ? `${l.slice(0, 400)}...` : l));
}

export class PythonFailed extends Error {
    constructor(
        readonly command: string,
        readonly exitCode: number | null,
        readonly tail: string[],
        readonly logFile?: string,
    ) {
        const how = exitCode === null ? "was killed by a signal" : `exited with code ${exitCode}`;
        const why = failureHighlights(tail);
        super(`${command} ${how}${why.length ? `:\n  ${why.join("\n  ")}` : ""}${logFile ? `\nfull log: ${logFile}` : ""}`);
    }
}

export const METRIC_PREFIX = "MEDALLION_METRIC ";
const RUSAGE_PREFIX = "MEDALLION_RUSAGE ";

/** The JSON object of a `MEDALLION_METRIC {...}` log line (anywhere in the line, after log4j prefixes), else undefined. */
export function parseMetricLine(line: string): Record<string, unknown> | undefined {
    const at = line.indexOf(METRIC_PREFIX);
    if (at < 0) return undefined;
    try {
        const value: unknown = JSON.parse(line.slice(at + METRIC_PREFIX.length).trim());
        return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Runs the command as a child of a tiny Python wrapper that reports the peak RSS of its process
 * tree (getrusage of waited-for children includes Spark's JVM), without needing /usr/bin/time.
 */
const RUSAGE_WRAPPER = [
    "import json, resource, subprocess, sys",
    "rc = subprocess.call(sys.argv[1:])",
    `print(${JSON.stringify(RUSAGE_PREFIX)} + json.dumps({"maxRssKb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}), file=sys.stderr)`,
    "sys.exit(rc)",
].join("\n");

export interface RunOptions {
    env?: Record<string, string>;
    /** Every output line as it arrives (stdout and stderr). */
    onLine?: (line: string, stream: "stdout" | "stderr") => void;
    /** Measure peak memory (see RUSAGE_WRAPPER). */
    measureMemory?: boolean;
    /** A short name for error messages, e.g. `localdb load`. */
    label?: string;
    /** Also write every output line to this file (created with its folder). */
    logFile?: string;
}

const TAIL_LINES = 200;

export function runPython(args: string[], options: RunOptions = {}): Promise<PythonResult> {
    checkSetup();
    const argv = options.measureMemory ? ["-c", RUSAGE_WRAPPER, VENV_PYTHON, ...args] : args;
    const label = options.label ?? `python ${args.join(" ")}`;
    if (options.logFile) fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
    return new Promise((resolve, reject) => {
        const child = spawn(VENV_PYTHON, argv, {
            cwd: PROJECT_ROOT,
            env: { ...process.env, PYTHONUNBUFFERED: "1", ...options.env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        const tail: string[] = [];
        let peakRssKb: number | undefined;
        const handle = (line: string, stream: "stdout" | "stderr") => {
            if (line.startsWith(RUSAGE_PREFIX)) {
                peakRssKb = Number(JSON.parse(line.slice(RUSAGE_PREFIX.length)).maxRssKb);
                return;
            }
            log?.write(`${line}\n`);
            if (stream === "stdout") stdout += `${line}\n`;
            tail.push(line);
            if (tail.length > TAIL_LINES) tail.shift();
            options.onLine?.(line, stream);
        };
        readline.createInterface({ input: child.stdout }).on("line", (line) => handle(line, "stdout"));
        readline.createInterface({ input: child.stderr }).on("line", (line) => handle(line, "stderr"));
        child.on("error", (e) => reject(new Error(`${label} could not start: ${e.message}`)));
        child.on("close", (code) => {
            log?.end();
            if (code === 0) resolve({ stdout, tail, peakRssKb });
            else reject(new PythonFailed(label, code, tail, options.logFile));
        });
    });
}
