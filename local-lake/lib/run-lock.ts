/**
 * One writer per data folder. Two runs on one folder interleave their jobs' writes and leave silver
 * and gold inconsistent, so every command that writes the lake takes `<data folder>/run.lock` first
 * and a second one is refused at once, naming the holder. The lock is a file created atomically
 * (written aside, then hard-linked into place: link(2) fails with EEXIST if it exists, and readers
 * never see it half-written) holding the holder's pid, host, start time and command. It is removed
 * on exit, on SIGINT/SIGTERM/SIGHUP and on errors; a lock left by a process that died anyway
 * (SIGKILL, a crash of the machine) is stale: its pid is not alive on this host, and the next run
 * takes it over and says so.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Name of the lock file in the data folder (`--reset` deletes the lake and catalog folders, never this). */
export const LOCK_FILE = "run.lock";

/** What the lock file holds. */
export interface LockHolder {
    pid: number;
    hostname: string;
    /** ISO time the lock was taken. */
    startedAt: string;
    /** What runs, for people: e.g. `npm run lake (stack local, --from gold)`. */
    purpose: string;
    /** The holder's command line (script and arguments). */
    command: string;
    /** Tells this holder's lock from a later one of the same pid. */
    token: string;
}

/** A lock this process holds. */
export interface HeldLock {
    /** The lock file. */
    file: string;
    holder: LockHolder;
    /** The stale lock this one replaced (its process was no longer running), if any. */
    tookOver?: LockHolder;
    /** Removes the lock file if it is still this lock's; safe to call more than once. */
    release(): void;
}

/** The data folder is in use: `holder` is who has it (undefined when its lock file cannot be read). */
export class DataDirLocked extends Error {
    constructor(
        readonly dataDir: string,
        readonly file: string,
        readonly holder: LockHolder | undefined,
        message: string,
    ) {
        super(message);
        this.name = "DataDirLocked";
    }
}

/** Whether `pid` is a running process on this host: signal 0 checks without sending (ESRCH: none; EPERM: someone else's). */
export function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code !== "ESRCH";
    }
}

function readHolder(file: string): LockHolder | undefined {
    try {
        const h = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockHolder>;
        const strings = [h.hostname, h.startedAt, h.purpose, h.command, h.token].every((v) => typeof v === "string");
        return Number.isInteger(h.pid) && strings ? (h as LockHolder) : undefined;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") throw e;
        return undefined;
    }
}

/** The holder in one line and its command, for the refusal and the takeover note. */
export function describeHolder(h: LockHolder, now: Date = new Date()): string {
    const ago = Math.max(0, Math.round((now.getTime() - Date.parse(h.startedAt)) / 1000));
    return `${h.purpose} — pid ${h.pid} on ${h.hostname}, started ${h.startedAt} (${ago} s ago), command: ${h.command}`;
}

/** What to print when `lock` replaced a stale lock, or undefined. */
export function takeoverNote(lock: HeldLock): string | undefined {
    return lock.tookOver && `note: took over the lock of a run that ended without releasing it (killed, or its machine crashed): ${describeHolder(lock.tookOver)}`;
}

/** Whether a lock is stale: its process is gone. Only a pid of this host can be checked. */
function isStale(h: LockHolder): boolean {
    return h.hostname === os.hostname() && !processAlive(h.pid);
}

function refusal(dataDir: string, file: string, holder: LockHolder | undefined): DataDirLocked {
    const who = holder
        ? `in use by ${describeHolder(holder)}`
        : `locked by ${file}, which cannot be read (damaged, or written by something else)`;
    const wait = holder
        ? holder.hostname === os.hostname()
            ? `Wait for it to end or stop it (kill ${holder.pid}), or use another --data-dir.`
            : `Its host is not this one (${os.hostname()}), so whether it still runs cannot be checked from here: wait for it to end, or use another --data-dir.`
        : "Use another --data-dir.";
    return new DataDirLocked(
        dataDir,
        file,
        holder,
        [
            `the data folder ${dataDir} is ${who}.`,
            `Two runs on one data folder corrupt the lake, so this one stops before touching it. ${wait}`,
            `If no run is using the folder (e.g. the pid now belongs to another program), delete ${file}.`,
        ].join("\n"),
    );
}

/** Creates `file` with `text`, or returns false if it exists; never leaves it half-written. */
function createExclusive(file: string, text: string): boolean {
    const aside = `${file}.${process.pid}.${randomUUID()}.tmp`;
    fs.writeFileSync(aside, text, { flag: "wx" });
    try {
        fs.linkSync(aside, file);
        return true;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw e;
    } finally {
        fs.rmSync(aside, { force: true });
    }
}

/**
 * Removes the stale lock `seen`, unless another run replaced it meanwhile: the file is moved aside
 * (rename is atomic) and compared; a fresh lock moved by mistake is linked back.
 */
function removeStale(file: string, seen: LockHolder): void {
    const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
    try {
        fs.renameSync(file, aside);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // another run removed it first
        throw e;
    }
    try {
        if (readHolder(aside)?.token !== seen.token) fs.linkSync(aside, file);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    } finally {
        fs.rmSync(aside, { force: true });
    }
}

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Takes the lock of `dataDir` (created if missing) for `purpose`, or throws {@link DataDirLocked}
 * naming the holder. A stale lock (its pid is not running on this host) is taken over and returned
 * in `tookOver`. Until released, exiting or a SIGINT/SIGTERM/SIGHUP releases it (the signal then
 * ends the process as it would have).
 */
export function acquireLock(dataDir: string, purpose: string): HeldLock {
    const dir = path.resolve(dataDir);
    const file = path.join(dir, LOCK_FILE);
    fs.mkdirSync(dir, { recursive: true });
    const holder: LockHolder = {
        pid: process.pid,
        hostname: os.hostname(),
        startedAt: new Date().toISOString(),
        purpose,
        command: [path.relative(process.cwd(), process.argv[1] ?? ""), ...process.argv.slice(2)].join(" "),
        token: randomUUID(),
    };
    let tookOver: LockHolder | undefined;
    // Each round takes the lock, refuses, or removes a stale lock (or sees it released) and tries again.
    // A held lock is refused before anything is written in the folder.
    for (let round = 0; ; round++) {
        if (!fs.existsSync(file) && createExclusive(file, `${JSON.stringify(holder, null, 2)}\n`)) break;
        let current: LockHolder | undefined;
        try {
            current = readHolder(file);
        } catch {
            current = undefined; // released between the attempt and the read
            if (round < 3) continue;
        }
        if (!current || !isStale(current) || round >= 3) throw refusal(dir, file, current);
        removeStale(file, current);
        tookOver = current;
    }

    let released = false;
    const release = () => {
        if (released) return;
        released = true;
        process.removeListener("exit", release);
        for (const s of SIGNALS) process.removeListener(s, onSignal);
        try {
            if (readHolder(file)?.token === holder.token) fs.rmSync(file, { force: true });
        } catch {
            // Already gone.
        }
    };
    const onSignal = (signal: NodeJS.Signals) => {
        release();
        // With no other listener left, the signal's default action (ending the process) applies again.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on("exit", release);
    for (const s of SIGNALS) process.on(s, onSignal);
    return { file, holder, tookOver, release };
}
