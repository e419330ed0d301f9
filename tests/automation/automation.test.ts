import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { expect } from "chai";
import * as YAML from "yaml";
import { LakeConfigError } from "medallion-lake";
import {
    ConcurrentUpdateError,
    EnvironmentNotFoundError,
    EnvironmentStamper,
    OperationCancelledError,
    MIN_PULUMI_CLI_VERSION,
    PulumiCliMissingError,
    PulumiCliRunner,
    PulumiCliTooOldError,
    cliVersionProblem,
    UpdateFailedError,
    engineMessage,
    environmentSettings,
    plainOutputs,
} from "../../stacks/automation";
import { rejection } from "../support/rejection";
import { FakeRunner, settle } from "./fake-runner";

// The SDK builds its errors from an internal CommandResult; use the real classes so the mapping is tested against them.
const { CommandResult } = require("@pulumi/pulumi/automation/cmd");
const { createCommandError } = require("@pulumi/pulumi/automation/errors");
const sdkError = (stderr: string, stdout = ""): Error => createCommandError(new CommandResult(stdout, stderr, 255));

const ROOT = path.resolve(__dirname, "../..");
const stackFile = (env: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${env}.yaml`), "utf8")).config;
const devLake = () => structuredClone(stackFile("dev")["medallion-lake:lake"]);

describe("environmentSettings (config -> stack settings)", () => {
    it("keeps the lake object structured, sets the region and stores passwords as secrets", () => {
        const lake = devLake();
        const settings = environmentSettings({ env: "qa", lake, baseDir: ROOT, region: "eu-west-1", secrets: { ecommDbPassword: "s3cret!" } });
        expect(settings.stackName).to.equal("qa");
        expect(Object.keys(settings.config).sort()).to.deep.equal(["aws:region", "medallion-lake:ecommDbPassword", "medallion-lake:lake"]);
        const lakeValue = settings.config["medallion-lake:lake"];
        expect(lakeValue.secret).to.equal(false);
        expect(lakeValue.objectValue).to.deep.equal(stackFile("dev")["medallion-lake:lake"]);
        expect(JSON.parse(lakeValue.value)).to.deep.equal(stackFile("dev")["medallion-lake:lake"]);
        expect(settings.config["aws:region"]).to.deep.equal({ value: "eu-west-1", secret: false });
        expect(settings.config["medallion-lake:ecommDbPassword"]).to.deep.equal({ value: "s3cret!", secret: true });
        // The validated config comes back too, with defaults applied (mysql's port).
        expect(settings.lake.sources.find((s) => s.name === "ecomm")?.port).to.equal(3306);
    });

    it("leaves region and secrets alone when not given, and accepts namespaced secret names", () => {
        expect(Object.keys(environmentSettings({ env: "dev", lake: devLake(), baseDir: ROOT }).config)).to.deep.equal(["medallion-lake:lake"]);
        const settings = environmentSettings({ env: "dev", lake: devLake(), baseDir: ROOT, secrets: { "medallion-lake:ecommDbPassword": "x" } });
        expect(settings.config["medallion-lake:ecommDbPassword"]).to.deep.equal({ value: "x", secret: true });
    });

    it("rejects an invalid lake with the component's error, naming the path", () => {
        const lake = devLake();
        lake.sources[1].engine = "oracle";
        const err = (() => {
            try {
                environmentSettings({ env: "dev", lake, baseDir: ROOT });
            } catch (e) {
                return e as LakeConfigError;
            }
            throw new Error("expected LakeConfigError");
        })();
        expect(err).to.be.instanceOf(LakeConfigError);
        expect(err.issues).to.deep.include({ path: "sources[1].engine", message: "expected one of postgres, mysql, sqlserver" });
    });

    it("rejects a bad environment name, unknown secrets, empty secrets and a bad region, all at once", () => {
        expect(() => environmentSettings({ env: "Dev_1", lake: devLake(), baseDir: ROOT })).to.throw(LakeConfigError, /environment: "Dev_1"/);
        try {
            environmentSettings({ env: "dev", lake: devLake(), baseDir: ROOT, region: "mars", secrets: { crmPassword: "x", ecommDbPassword: "" } });
            expect.fail("expected LakeConfigError");
        } catch (e) {
            expect((e as LakeConfigError).issues.map((i) => i.path)).to.deep.equal(["secrets.crmPassword", "secrets.ecommDbPassword", "region"]);
            expect((e as Error).message).to.contain("no source names it in passwordSecret (expected one of: medallion-lake:ecommDbPassword)");
        }
    });
});

describe("EnvironmentStamper", () => {
    it("validates before anything runs: invalid config rejects with LakeConfigError and the runner is never called", async () => {
        const runner = new FakeRunner();
        const lake = devLake();
        delete lake.name;
        const err = await rejection(new EnvironmentStamper(runner).stampEnvironment({ env: "dev", lake, baseDir: ROOT }));
        expect(err).to.be.instanceOf(LakeConfigError);
        expect(err.message).to.contain("name: required");
        expect(runner.log).to.deep.equal([]);
    });

    it("serializes operations on the same stack and runs different stacks in parallel", async () => {
        const runner = new FakeRunner();
        const stamper = new EnvironmentStamper(runner);
        const first = stamper.stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT });
        const second = stamper.previewEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT });
        const other = stamper.stampEnvironment({ env: "qa", lake: devLake(), baseDir: ROOT });
        await settle();
        expect(runner.log).to.deep.equal(["start dev", "start qa"]);

        runner.pending[0].done.resolve({ workGroup: "tickit-dev" });
        expect(await first).to.deep.equal({ workGroup: "tickit-dev" });
        await settle();
        expect(runner.log).to.deep.equal(["start dev", "start qa", "end dev", "start dev"]);

        runner.pending[2].done.resolve({});
        expect(await second).to.deep.equal({ changeSummary: { create: 1 } });
        runner.pending[1].done.resolve({ workGroup: "tickit-qa" });
        expect(await other).to.deep.equal({ workGroup: "tickit-qa" });
    });

    it("keeps the queue going after a failed operation", async () => {
        const runner = new FakeRunner();
        const stamper = new EnvironmentStamper(runner);
        const first = stamper.destroyEnvironment({ env: "dev" });
        const second = stamper.environmentOutputs({ env: "dev" });
        await settle();
        runner.pending[0].done.reject(sdkError("error: [409] Conflict: Another update is currently in progress."));
        expect(await rejection(first)).to.be.instanceOf(ConcurrentUpdateError);
        await settle();
        expect(runner.log).to.deep.equal(["start dev", "end dev", "start dev"]);
        runner.pending[1].done.resolve({ bronzeBucket: "b" });
        expect(await second).to.deep.equal({ bronzeBucket: "b" });
    });

    it("does not start an operation whose signal is already aborted", async () => {
        const runner = new FakeRunner();
        const controller = new AbortController();
        controller.abort();
        const err = await rejection(new EnvironmentStamper(runner).stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT, signal: controller.signal }));
        expect(err).to.be.instanceOf(OperationCancelledError);
        expect((err as OperationCancelledError).stage).to.equal("before start");
        expect(runner.log).to.deep.equal([]);
    });

    it("cancels a queued operation without running it, and the queue behind it still runs in order", async () => {
        const runner = new FakeRunner();
        const stamper = new EnvironmentStamper(runner);
        const controller = new AbortController();
        const first = stamper.stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT });
        const queued = stamper.stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT, signal: controller.signal });
        const third = stamper.environmentOutputs({ env: "dev" });
        await settle();
        controller.abort();
        const err = await rejection(queued);
        expect(err).to.be.instanceOf(OperationCancelledError);
        expect((err as OperationCancelledError).stage).to.equal("while queued");
        expect(runner.log).to.deep.equal(["start dev"]);

        runner.pending[0].done.resolve({});
        await first;
        await settle();
        expect(runner.log).to.deep.equal(["start dev", "end dev", "start dev"]);
        runner.pending[1].done.resolve({ n: 3 });
        expect(await third).to.deep.equal({ n: 3 });
    });

    it("passes the signal to the running operation and reports the interruption as a cancellation", async () => {
        const runner = new FakeRunner();
        const controller = new AbortController();
        const running = new EnvironmentStamper(runner).stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT, signal: controller.signal });
        await settle();
        expect(runner.pending[0].io.signal).to.equal(controller.signal);
        controller.abort();
        const err = await rejection(running);
        expect(err).to.be.instanceOf(OperationCancelledError);
        expect((err as OperationCancelledError).stage).to.equal("while running");
        expect(runner.log).to.deep.equal(["start dev", "end dev"]);
    });

    it("maps the SDK's errors to typed errors with the engine's message", async () => {
        const runner = new FakeRunner();
        const stamper = new EnvironmentStamper(runner);

        runner.fail = sdkError("error: no stack named 'dev' found");
        const notFound = await rejection(stamper.stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT }));
        expect(notFound).to.be.instanceOf(EnvironmentNotFoundError);
        expect(notFound.message).to.contain('"dev"');

        runner.fail = sdkError("error: the stack is currently locked by 1 lock(s).");
        expect(await rejection(stamper.stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT }))).to.be.instanceOf(ConcurrentUpdateError);

        runner.fail = sdkError(
            "error: update failed\n",
            "Diagnostics:\n  aws:s3:BucketV2 (bronze):\n    error: creating S3 Bucket (tickit-dev-bronze): BucketAlreadyExists\n",
        );
        const failed = await rejection(stamper.stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT }));
        expect(failed).to.be.instanceOf(UpdateFailedError);
        expect((failed as UpdateFailedError).engineMessage).to.equal("creating S3 Bucket (tickit-dev-bronze): BucketAlreadyExists");
        expect(failed.message).to.equal('up of environment "dev" failed: creating S3 Bucket (tickit-dev-bronze): BucketAlreadyExists');
        expect((failed as UpdateFailedError).output).to.contain("Diagnostics:");
    });

    it("extracts the engine's error lines, falling back to stderr", () => {
        expect(engineMessage("code: 1\n stdout: \n stderr: boom happened\n err?: \n")).to.equal("boom happened");
        expect(engineMessage("  error: a\n  error: b\n  error: a\nerror: update failed")).to.equal("a; b");
    });
});

describe("plainOutputs", () => {
    it("returns output values and masks secrets", () => {
        expect(
            plainOutputs({
                workgroupName: { value: "tickit-dev", secret: false },
                buckets: { value: { bronze: "b" }, secret: false },
                token: { value: "plaintext!", secret: true },
            }),
        ).to.deep.equal({ workgroupName: "tickit-dev", buckets: { bronze: "b" }, token: "[secret]" });
    });
});

describe("PulumiCliRunner without the Pulumi CLI", () => {
    const settings = () => environmentSettings({ env: "dev", lake: devLake(), baseDir: ROOT });

    it("says the CLI is missing and how to install it (pulumiHome without a CLI)", async () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
        const err = await rejection(new PulumiCliRunner({ pulumiHome: home }).up(settings(), {}));
        expect(err).to.be.instanceOf(PulumiCliMissingError);
        expect((err as PulumiCliMissingError).detail).to.equal(`${path.join(home, "bin", "pulumi")} does not exist`);
        expect(err.message).to.contain("Install it").and.to.contain("pulumi version");
    });

    it("reports a missing `pulumi` on PATH through the public API, before touching the stack", async () => {
        const saved = process.env.PATH;
        process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
        try {
            const err = await rejection(new EnvironmentStamper().stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT }));
            expect(err).to.be.instanceOf(PulumiCliMissingError);
            expect((err as PulumiCliMissingError).detail).to.equal("no `pulumi` executable on PATH");
            expect((err as PulumiCliMissingError).environment).to.equal("dev");
        } finally {
            process.env.PATH = saved;
        }
    });
});

describe("the Pulumi CLI's version", () => {
    it("is checked against the minimum that has `config set-all --json` (3.202.0)", () => {
        expect(MIN_PULUMI_CLI_VERSION).to.equal("3.202.0");
        for (const ok of ["v3.202.0", "3.202.0", "v3.202.1", "v3.210.0", "v3.248.0", "v4.0.0", "v3.203.0-alpha.1\n"]) expect(cliVersionProblem(ok), ok).to.equal(undefined);
        for (const old of ["v3.201.9", "v3.180.0", "v2.25.2", "v3.202.0-alpha.1"]) expect(cliVersionProblem(old), old).to.equal(old);
        expect(cliVersionProblem("dev build")).to.equal('an unreadable version "dev build"');
    });

    /** A directory with a fake `pulumi` that prints `version` for `pulumi version`, logs every call and fails anything else. */
    function fakePulumi(version: string): { dir: string; calls: () => string[] } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        const log = path.join(dir, "calls.log");
        const script = `#!/bin/sh\necho "$*" >> "${log}"\nif [ "$1" = version ]; then echo "${version}"; exit 0; fi\necho "error: fake pulumi cannot $1" >&2\nexit 1\n`;
        fs.writeFileSync(path.join(dir, "pulumi"), script, { mode: 0o755 });
        return { dir, calls: () => fs.readFileSync(log, "utf8").trim().split("\n") };
    }

    async function stampWith(pulumiDir: string): Promise<Error> {
        const saved = process.env.PATH;
        process.env.PATH = `${pulumiDir}${path.delimiter}${saved}`;
        try {
            return await rejection(new EnvironmentStamper().stampEnvironment({ env: "dev", lake: devLake(), baseDir: ROOT }));
        } finally {
            process.env.PATH = saved;
        }
    }

    it("reports an older CLI as PulumiCliTooOldError before running anything but `pulumi version`", async () => {
        const fake = fakePulumi("v3.180.0");
        const err = await stampWith(fake.dir);
        expect(err).to.be.instanceOf(PulumiCliTooOldError);
        expect(err).to.include({ environment: "dev", found: "3.180.0", minimum: "3.202.0" });
        expect(err.message).to.contain("needs Pulumi CLI 3.202.0 or newer").and.to.contain("reports 3.180.0");
        expect(fake.calls()).to.deep.equal(["version"]);
    });

    it("lets a new enough CLI through to the stack commands", async () => {
        const fake = fakePulumi("v3.210.0");
        const err = await stampWith(fake.dir);
        expect(err).to.not.be.instanceOf(PulumiCliTooOldError);
        expect(fake.calls().length).to.be.greaterThan(1);
    });
});
