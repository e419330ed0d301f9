import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadLakeStack } from "../../local-lake/lib/config";
import { lastGoldSuccess } from "../../local-lake/lib/lake-files";
import { PROJECT_ROOT } from "../../local-lake/lib/layout";
import { streamReporter } from "../../local-lake/lib/progress";
import { LakeStepFailed, needsSourceDatabases, runLocalLake, skippedByFrom } from "../../local-lake/lib/run-lake";
import { ResumeStep, STEPS } from "../../local-lake/lib/summary";
import { rejection } from "../support/rejection";

describe("local lake orchestrator: failures before any server starts", () => {
    it("names the prepare step and the missing stack file, and prints the summary", async () => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lake-prepare-"));
        let printed = "";
        try {
            const error = await rejection(runLocalLake({ stack: "nosuchstack", dataDir, reporter: streamReporter((t) => (printed += t)) }));
            expect(error).to.be.instanceOf(LakeStepFailed);
            expect((error as LakeStepFailed).step).to.equal("prepare");
            expect(error.message).to.contain("Pulumi.nosuchstack.yaml");
            expect(printed).to.contain('local lake FAILED at step "prepare"');
            expect(printed).to.match(/start servers\s+not run/);
            // Nothing was written for a stack that does not exist.
            expect(fs.existsSync(path.join(dataDir, "lake"))).to.equal(false);
        } finally {
            fs.rmSync(dataDir, { recursive: true, force: true });
        }
    });
});

describe("local lake: gold's last success", () => {
    it("is when the newest gold run summary was written (gold writes one only on success); none before the first", () => {
        const goldDir = fs.mkdtempSync(path.join(os.tmpdir(), "lake-gold-"));
        try {
            expect(lastGoldSuccess(goldDir)).to.equal(undefined);
            const summaries = path.join(goldDir, "_run_summaries");
            fs.mkdirSync(summaries);
            const times = { "run1.json": "2026-11-30T02:40:00Z", "run2.json": "2026-12-01T02:41:00Z" };
            for (const [file, time] of Object.entries(times)) {
                fs.writeFileSync(path.join(summaries, file), "{}");
                fs.utimesSync(path.join(summaries, file), new Date(time), new Date(time));
            }
            expect(lastGoldSuccess(goldDir)?.toISOString()).to.equal("2026-12-01T02:41:00.000Z");
        } finally {
            fs.rmSync(goldDir, { recursive: true, force: true });
        }
    });
});

describe("npm run lake command line", () => {
    it("exits non-zero naming the failed step", () => {
        const run = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "local-lake/run.ts", "--stack", "nosuchstack"], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
        });
        expect(run.status).to.equal(1);
        expect(run.stdout).to.contain('local lake FAILED at step "prepare"');
        expect(run.stderr).to.contain('error: npm run lake: step "prepare" failed');
    });

    it("rejects unknown flags", () => {
        const run = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--transpile-only", "local-lake/run.ts", "--scael", "2"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        expect(run.status).to.equal(1);
        expect(run.stderr).to.contain("npm run lake: unknown flag --scael");
    });
});

describe("local lake stack config", () => {
    it("reads the same stack file as pulumi up: local lake spec names", () => {
        const { spec } = loadLakeStack("local");
        expect(spec.databases).to.deep.equal({ source: "tickit_local_source", bronze: "tickit_local_bronze", silver: "tickit_local_silver", gold: "tickit_local_gold" });
        expect(spec.sources.map((s) => `${s.name}:${s.engine}:${s.tables.map((t) => t.name).join(",")}`)).to.deep.equal([
            "saas:postgres:category,venue,event",
            "ecomm:mysql:date,listing,sales",
            "crm:sqlserver:users",
        ]);
    });

    it("rejects an invalid stack file naming the file and the field", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "lake-config-"));
        try {
            fs.writeFileSync(
                path.join(root, "Pulumi.bad.yaml"),
                "config:\n  medallion-lake:lake:\n    name: tickit\n    sources:\n      - { name: saas, engine: oracle, host: h, database: d, username: u, passwordSecret: p, tables: [a.b] }\n",
            );
            expect(() => loadLakeStack("bad", root)).to.throw(/^Pulumi\.bad\.yaml: .*sources\[0\]\.engine/s);
            fs.writeFileSync(path.join(root, "Pulumi.empty.yaml"), "config:\n  aws:region: us-east-1\n");
            expect(() => loadLakeStack("empty", root)).to.throw('Pulumi.empty.yaml has no "medallion-lake:lake" config object');
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("local lake: resuming with --from", () => {
    const run = (from?: "bronze" | "silver" | "gold" | "query") => STEPS.filter((s) => !skippedByFrom(s, from));

    it("runs everything without --from", () => {
        expect(run()).to.deep.equal([...STEPS]);
    });

    it("skips the source steps and earlier layers; the catalog and Trino always start, the databases only for bronze", () => {
        expect(run("bronze")).to.deep.equal(["prepare", "start servers", "bronze", "silver", "gold", "query"]);
        expect(run("gold")).to.deep.equal(["prepare", "start servers", "gold", "query"]);
        expect(run("query")).to.deep.equal(["prepare", "start servers", "query"]);
        expect([undefined, "bronze", "silver", "gold", "query"].map((f) => needsSourceDatabases(f as ResumeStep | undefined))).to.deep.equal([true, true, false, false, false]);
    });

    it("refuses --from with --reset, and unknown steps", async () => {
        expect((await rejection(runLocalLake({ from: "gold", reset: true }))).message).to.contain("--from resumes a lake and --reset deletes it");
        expect((await rejection(runLocalLake({ from: "load" as "gold" }))).message).to.equal('--from must be one of bronze, silver, gold, query, got "load"');
    });
});
