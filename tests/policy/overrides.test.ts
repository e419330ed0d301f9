/**
 * Bad input and faults beyond config validation: every way of overriding one of the component's
 * secure defaults is either refused with a clear error or reported by the pack.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { formatViolations, Violation } from "../../policy/evaluate";
import { LakeResource } from "../../policy/resource";
import { MedallionLake } from "medallion-lake";
import { PolicyRun, runPack } from "../../policy/check";
import { rejection } from "../support/rejection";
import { PROJECT_ROOT } from "../../stacks/stack-config";

/** `policy resource-name` for each violation at `level`, sorted. */
function findings(run: PolicyRun, level: Violation["level"]): string[] {
    const nameOf = new Map(run.resources.map((r) => [r.urn, r.name]));
    return run.violations
        .filter((v) => v.level === level)
        .map((v) => `${v.policy} ${nameOf.get(v.urn) ?? v.urn}`)
        .sort();
}

const namesOf = (resources: LakeResource[], type: string) => resources.filter((r) => r.type === type).map((r) => r.name);

const DATA_BUCKETS = ["lake-assets", "lake-bronze", "lake-gold", "lake-logs", "lake-query-results", "lake-silver"];
const DATABASES = ["lake-bronze-db", "lake-gold-db", "lake-silver-db", "lake-source-db"];
// The layer jobs and the on-demand forget job, sorted as the findings are.
const JOBS = ["lake-bronze-job", "lake-forget-job", "lake-gold-job", "lake-silver-job"];

describe("overriding the component's secure defaults", () => {
    it("prod config with protect and retainOnDelete off: the pack reports every bucket, catalog database and the key", async () => {
        const run = await runPack("prod", {
            change: (lake) => {
                lake.protect = false;
                lake.retainOnDelete = false;
            },
        });
        expect(namesOf(run.resources, "aws:s3/bucket:Bucket").sort()).to.deep.equal(DATA_BUCKETS);
        expect(findings(run, "mandatory")).to.deep.equal(
            [...DATA_BUCKETS, ...DATABASES, "lake-key", "lake-bucket-suffix"].map((n) => `prod-protect-data ${n}`).sort(),
            formatViolations(run.violations),
        );
    });

    it("a dev-style config (unprotected, force-destroy) deployed to a production-named stack is reported, not silently accepted", async () => {
        const run = await runPack("dev", { stack: "prod-eu" });
        const expected = [
            ...[...DATA_BUCKETS, ...DATABASES, "lake-key", "lake-bucket-suffix"].map((n) => `prod-protect-data ${n}`),
            ...[...DATA_BUCKETS, "lake-workgroup", "lake-ecomm-secret"].map((n) => `prod-no-force-destroy ${n}`),
        ].sort();
        expect(findings(run, "mandatory")).to.deep.equal(expected, formatViolations(run.violations));
    });

    it("force-destroy while data is protected is refused by the component with the field named", async () => {
        const err = await rejection(runPack("prod", { change: (lake) => (lake.forceDestroy = true) }));
        expect(err.message).to.include("forceDestroy: cannot be true while data is protected or retained");
    });

    it("a plaintext source password is refused, pointing at passwordSecret / secretArn", async () => {
        const err = await rejection(runPack("dev", { change: (lake) => (lake.sources[1].password = "hunter2") }));
        expect(err.message).to.include("sources[1].password");
        expect(err.message).to.include("plaintext passwords are not allowed");
    });

    it("an Athena cutoff below Athena's minimum is refused", async () => {
        const err = await rejection(runPack("dev", { change: (lake) => (lake.athena.bytesScannedCutoffPerQuery = 1000) }));
        expect(err.message).to.include("athena.bytesScannedCutoffPerQuery");
    });

    it("an older Glue version, where the jobs fail at import, is refused by the component with the field named", async () => {
        // The pack's glue-version-current still reports jobs made outside the component (rules.test.ts).
        const err = await rejection(runPack("dev", { change: (lake) => (lake.jobs.glueVersion = "4.0") }));
        expect(err.message).to.include('jobs.glueVersion: expected "5.0": the jobs need Glue 5.0');
    });

    it("more than 10 workers is advisory in dev and quiet in prod", async () => {
        const workers = (lake: any) => (lake.jobs.numberOfWorkers = 20);
        const dev = await runPack("dev", { change: workers });
        expect(findings(dev, "advisory")).to.deep.equal(JOBS.map((n) => `glue-workers-non-production ${n}`));
        const prod = await runPack("prod", { change: workers });
        expect(findings(prod, "advisory")).to.deep.equal([]);
    });

    it("weakening children through the component's resource options (transformations) is reported per resource", async () => {
        const weaken: pulumi.ResourceTransformation = ({ name, props, opts }) => {
            const p = { ...props };
            switch (name) {
                case "lake-silver-public-access":
                    p.restrictPublicBuckets = false;
                    break;
                case "lake-gold-encryption":
                    p.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
                    break;
                case "lake-bronze-versioning":
                    p.versioningConfiguration = { status: "Suspended" };
                    break;
                case "lake-assets-policy":
                    p.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" }] });
                    break;
                case "lake-gold-job-policy":
                    p.policy = pulumi.output(props.policy).apply((doc: string) => {
                        const d = JSON.parse(doc);
                        d.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "*" });
                        return JSON.stringify(d);
                    });
                    break;
                case "lake-bronze-job":
                    delete p.securityConfiguration;
                    break;
                case "lake-saas-connection":
                    p.connectionProperties = pulumi.output(props.connectionProperties).apply((c: object) => ({ ...c, PASSWORD: "hunter2" }));
                    break;
                case "lake-workgroup":
                    p.configuration = pulumi.output(props.configuration).apply((c: object) => ({ ...c, enforceWorkgroupConfiguration: false }));
                    break;
                default:
                    return undefined;
            }
            return { props: p, opts };
        };
        const run = await runPack("prod", {
            program: () =>
                new MedallionLake("lake", { config: new pulumi.Config("medallion-lake").requireObject("lake"), environment: "prod", baseDir: PROJECT_ROOT }, { transformations: [weaken] }).outputs(),
        });
        expect(findings(run, "mandatory")).to.deep.equal(
            [
                "s3-public-access-block lake-silver",
                "s3-bucket-encryption lake-gold",
                "s3-data-bucket-versioning lake-bronze",
                "s3-tls-only-policy lake-assets",
                "iam-no-wildcard-actions lake-gold-job-policy",
                "iam-s3-scoped-resources lake-gold-job-policy",
                "glue-security-configuration-attached lake-bronze-job",
                "glue-connection-no-plaintext-password lake-saas-connection",
                "athena-enforce-workgroup-configuration lake-workgroup",
            ].sort(),
            formatViolations(run.violations),
        );
    });
});
