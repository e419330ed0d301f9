import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseLakeConfig } from "medallion-lake";
import { lifecycleRules } from "../../packages/medallion-lake/src/component/storage";
import { runUnderMocks } from "../../local-lake/lib/mock-run";
import { loadStackConfig, PROJECT_ROOT } from "../../stacks/stack-config";
import { createLake } from "../../stacks/program";
import { rawLake } from "../support/helpers";

describe("environments", () => {
    it("a new environment needs only its Pulumi.<env>.yaml", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lake-env-"));
        try {
            const dev = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8");
            fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), dev.replace("cost-center: analytics-dev", "cost-center: analytics-staging"));
            const { config, secretKeys } = loadStackConfig("staging", dir);
            const run = await runUnderMocks({
                stack: "staging",
                config: { ...config, "medallion-lake:ecommDbPassword": "pw" },
                secretKeys: [...secretKeys, "medallion-lake:ecommDbPassword"],
                program: () => createLake({ baseDir: PROJECT_ROOT }).outputs(),
            });
            expect(run.outputs.databaseNames.gold).to.equal("tickit_staging_gold");
            expect(run.outputs.jobNames.bronze).to.equal("tickit-staging-bronze");
            expect(run.outputs.bucketNames.bronze).to.match(/^tickit-staging-bronze-[a-z0-9]{8}$/);
            const job = run.resources.find((r) => r.type === "aws:glue/job:Job")!;
            expect(job.inputs.tags).to.include({ environment: "staging", "cost-center": "analytics-staging" });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("dev and prod differ in retention as configured", () => {
        const dev = parseLakeConfig(rawLake("dev"), PROJECT_ROOT);
        const prod = parseLakeConfig(rawLake("prod"), PROJECT_ROOT);
        const noncurrent = (c: typeof dev) => lifecycleRules("silver", c).find((r) => r.noncurrentVersionExpiration)!.noncurrentVersionExpiration!.noncurrentDays;
        expect([noncurrent(dev), noncurrent(prod)]).to.deep.equal([7, 90]);
        const results = (c: typeof dev) => lifecycleRules("query-results", c).find((r) => r.id === "expire-query-results")!.expiration;
        expect([results(dev), results(prod)]).to.deep.equal([{ days: 3 }, { days: 30 }]);
        expect(lifecycleRules("gold", dev).some((r) => r.expiration && "days" in r.expiration)).to.equal(false);
        expect(lifecycleRules("assets", dev).find((r) => r.id === "expire-glue-temp")!.filter).to.deep.equal({ prefix: "temp/" });
    });
});

describe("bronze lifecycle and the silver read pattern", () => {
    it("keeps every bronze object in STANDARD: silver reads all of bronze on every run", () => {
        // STANDARD_IA and GLACIER_IR charge per GB retrieved (S3 storage classes), so no transitions.
        const config = parseLakeConfig(rawLake("prod"), PROJECT_ROOT);
        expect(lifecycleRules("bronze", config).filter((r) => "transitions" in r)).to.deep.equal([]);
    });
});
