import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../local-lake/lib/layout";
import { streamReporter } from "../../local-lake/lib/progress";
import { runLocalLake } from "../../local-lake/lib/run-lake";
import { acquireLock, DataDirLocked, LOCK_FILE, LockHolder } from "../../local-lake/lib/run-lock";
import { rejection } from "../support/rejection";

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "lake-lock-"));

/** Every path under `dir` with its size and mtime, and the folder's own mtime: what "untouched" means. */
function snapshot(dir: string): string[] {
    const entries = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => {
        const p = path.join(e.parentPath, e.name);
        const st = fs.statSync(p);
        return `${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`;
    });
    return [`. ${fs.statSync(dir).mtimeMs}`, ...entries.sort()];
}

/** The pid of a process that has ended (spawnSync waits for it and reaps it). */
function deadPid(): number {
    const child = spawnSync(process.execPath, ["-e", ""]);
    expect(child.status).to.equal(0);
    return child.pid;
}

function writeLock(dir: string, holder: Partial<LockHolder>): void {
    const full: LockHolder = { pid: 1, hostname: os.hostname(), startedAt: "2026-05-01T10:00:00.000Z", purpose: "npm run lake (stack local)", command: "local-lake/run.ts", token: "t-1", ...holder };
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(full));
}

describe("local lake: the data folder's lock", () => {
    it("is a file holding pid, host, start time, purpose and command, removed on release; a released folder can be taken again", () => {
        const dir = tempDir();
        try {
            const before = Date.now();
            const lock = acquireLock(dir, "npm run lake (stack local)");
            expect(lock.file).to.equal(path.join(dir, LOCK_FILE));
            const held = JSON.parse(fs.readFileSync(lock.file, "utf8"));
            expect(held).to.include({ pid: process.pid, hostname: os.hostname(), purpose: "npm run lake (stack local)" });
            expect(Date.parse(held.startedAt)).to.be.within(before, Date.now());
            expect(held.command).to.be.a("string").and.not.equal("");
            expect(lock.tookOver).to.equal(undefined);
            lock.release();
            expect(fs.existsSync(lock.file)).to.equal(false);
            lock.release(); // twice is harmless
            // Nothing but the lock was ever left in the folder.
            expect(fs.readdirSync(dir)).to.deep.equal([]);
            acquireLock(dir, "again").release();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a second holder while held, naming the first (pid, host, start, purpose, command, folder), and leaves the folder untouched", () => {
        const dir = tempDir();
        const first = acquireLock(dir, "npm run lake (stack local, --from gold)");
        try {
            const untouched = snapshot(dir);
            let error: unknown;
            try {
                acquireLock(dir, "npm run lake (stack local)");
            } catch (e) {
                error = e;
            }
            expect(error).to.be.instanceOf(DataDirLocked);
            const message = (error as Error).message;
            expect(message).to.contain(`the data folder ${dir} is in use by npm run lake (stack local, --from gold)`);
            expect(message).to.contain(`pid ${process.pid} on ${os.hostname()}, started ${first.holder.startedAt}`);
            expect(message).to.contain(`command: ${first.holder.command}`);
            expect(message).to.contain(`kill ${process.pid}`);
            expect(message).to.contain(`delete ${first.file}`);
            expect((error as DataDirLocked).holder?.pid).to.equal(process.pid);
            expect(snapshot(dir)).to.deep.equal(untouched);
        } finally {
            first.release();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("takes over a stale lock, whose process is no longer running, and says whose it was", () => {
        const dir = tempDir();
        try {
            const pid = deadPid();
            writeLock(dir, { pid, purpose: "npm run lake (stack local)", startedAt: "2026-05-01T10:00:00.000Z" });
            const lock = acquireLock(dir, "npm run lake (stack local, --from silver)");
            expect(lock.tookOver).to.include({ pid, startedAt: "2026-05-01T10:00:00.000Z" });
            expect(JSON.parse(fs.readFileSync(lock.file, "utf8"))).to.include({ pid: process.pid, purpose: "npm run lake (stack local, --from silver)" });
            lock.release();
            expect(fs.readdirSync(dir)).to.deep.equal([]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("does not take over a lock of another host (its pid cannot be checked here) or an unreadable one", () => {
        const dir = tempDir();
        try {
            writeLock(dir, { pid: deadPid(), hostname: "other-host" });
            expect(() => acquireLock(dir, "x")).to.throw(DataDirLocked, /other-host.*\n.*Its host is not this one/);
            fs.writeFileSync(path.join(dir, LOCK_FILE), "not json");
            expect(() => acquireLock(dir, "x")).to.throw(DataDirLocked, new RegExp(`locked by ${path.join(dir, LOCK_FILE)}, which cannot be read`));
            expect(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).to.equal("not json");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("on release, leaves a lock that is no longer its own (taken over meanwhile) in place", () => {
        const dir = tempDir();
        try {
            const lock = acquireLock(dir, "x");
            writeLock(dir, { pid: process.pid, token: "someone-else" });
            lock.release();
            expect(JSON.parse(fs.readFileSync(lock.file, "utf8")).token).to.equal("someone-else");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is released when its process gets SIGTERM (which still ends it), and left stale, then taken over, after SIGKILL", async () => {
        const holderScript = `const { acquireLock } = require(${JSON.stringify(path.join(PROJECT_ROOT, "local-lake/lib/run-lock.ts"))});
            acquireLock(process.argv[1], "a run that gets a signal"); console.log("locked"); setInterval(() => {}, 1000);`;
        const holdThenSignal = async (dir: string, signal: NodeJS.Signals) => {
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", holderScript, dir], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] });
            await new Promise<void>((resolve, reject) => {
                child.stdout.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
                child.on("exit", (code) => reject(new Error(`holder exited early (${code})`)));
            });
            expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).pid).to.equal(child.pid);
            const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, s) => resolve(s)));
            child.kill(signal);
            return { pid: child.pid as number, endedBy: await ended };
        };
        const [termDir, killDir] = [tempDir(), tempDir()];
        try {
            const [term, kill] = await Promise.all([holdThenSignal(termDir, "SIGTERM"), holdThenSignal(killDir, "SIGKILL")]);
            expect(term.endedBy).to.equal("SIGTERM");
            expect(fs.readdirSync(termDir)).to.deep.equal([]);
            expect(kill.endedBy).to.equal("SIGKILL");
            expect(fs.existsSync(path.join(killDir, LOCK_FILE))).to.equal(true);
            const lock = acquireLock(killDir, "the next run");
            expect(lock.tookOver?.pid).to.equal(kill.pid);
            lock.release();
        } finally {
            for (const d of [termDir, killDir]) fs.rmSync(d, { recursive: true, force: true });
        }
    });
});

describe("npm run lake on a data folder another run holds", () => {
    /** A data folder as a run leaves it (a lake file, a catalog), held by a run of this process. */
    const heldFolder = () => {
        const dir = tempDir();
        fs.mkdirSync(path.join(dir, "lake", "silver"), { recursive: true });
        fs.writeFileSync(path.join(dir, "lake", "silver", "part-0.parquet"), "x");
        fs.mkdirSync(path.join(dir, "catalog"));
        fs.writeFileSync(path.join(dir, "catalog", "catalog.json"), "{}");
        return { dir, lock: acquireLock(dir, "npm run lake (stack local)") };
    };

    it("is refused at once, naming the running one, before printing, reading the stack or touching the folder", async () => {
        const { dir, lock } = heldFolder();
        try {
            const untouched = snapshot(dir);
            let printed = "";
            const started = Date.now();
            // --reset would delete lake/ and catalog/ first thing; a stack that does not exist would fail prepare.
            const error = await rejection(runLocalLake({ dataDir: dir, stack: "nosuchstack", reset: true, reporter: streamReporter((t) => (printed += t)) }));
            expect(Date.now() - started).to.be.below(1000);
            expect(error).to.be.instanceOf(DataDirLocked);
            expect(error.message).to.contain(`the data folder ${dir} is in use by npm run lake (stack local) — pid ${process.pid}`);
            expect(printed).to.equal("");
            expect(snapshot(dir)).to.deep.equal(untouched);
        } finally {
            lock.release();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("holds the lock while it runs, naming itself, and releases it when it fails", async () => {
        const dir = tempDir();
        try {
            let during: LockHolder | undefined;
            let second: Promise<Error> | undefined;
            const reporter = {
                ...streamReporter(() => undefined),
                stepStarted: () => {
                    during ??= JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8"));
                    second ??= rejection(runLocalLake({ dataDir: dir, reporter: streamReporter(() => undefined) }));
                },
            };
            // A stack that does not exist: prepare fails before any server starts.
            await rejection(runLocalLake({ dataDir: dir, stack: "nosuchstack", from: "gold", reporter }));
            expect(during).to.include({ pid: process.pid, purpose: "npm run lake (stack nosuchstack, --from gold)" });
            const refused = await (second as Promise<Error>);
            expect(refused).to.be.instanceOf(DataDirLocked);
            expect(refused.message).to.contain("in use by npm run lake (stack nosuchstack, --from gold)");
            expect(fs.existsSync(path.join(dir, LOCK_FILE))).to.equal(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the command exits non-zero with the holder's details and runs no step", () => {
        const { dir, lock } = heldFolder();
        try {
            const run = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "local-lake/run.ts", "--data-dir", dir], { cwd: PROJECT_ROOT, encoding: "utf8" });
            expect(run.status).to.equal(1);
            expect(run.stdout).to.equal("");
            expect(run.stderr).to.contain(`error: npm run lake: the data folder ${dir} is in use by npm run lake (stack local) — pid ${process.pid} on ${os.hostname()}, started ${lock.holder.startedAt}`);
        } finally {
            lock.release();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
