/**
 * The pack over every resource each committed stack config registers: a mandatory violation fails
 * and prints the rule and the resource; advisory findings are printed.
 */
import { expect } from "chai";
import { formatViolations } from "../../policy/evaluate";
import { committedStacks, PolicyRun, runPack } from "../../policy/check";

/** Resource types the rules inspect; each stack must register them, or a clean result would be vacuous. */
const INSPECTED_TYPES = [
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:kms/key:Key",
    "aws:glue/securityConfiguration:SecurityConfiguration",
    "aws:glue/job:Job",
    "aws:glue/crawler:Crawler",
    "aws:glue/connection:Connection",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:athena/workgroup:Workgroup",
    "aws:sns/topic:Topic",
];

describe("policy pack over every committed stack config", () => {
    const stacks = committedStacks();

    it("finds the committed stack configs by glob", () => {
        expect(stacks).to.include.members(["dev", "local", "prod"]);
    });

    for (const env of stacks) {
        describe(`Pulumi.${env}.yaml`, () => {
            let run: PolicyRun;
            before(async () => {
                run = await runPack(env);
            });

            it("registers every resource type the rules inspect", () => {
                const types = new Set(run.resources.map((r) => r.type));
                expect(INSPECTED_TYPES.filter((t) => !types.has(t))).to.deep.equal([]);
            });

            it("has no mandatory violation", () => {
                const advisory = run.violations.filter((v) => v.level === "advisory");
                if (advisory.length > 0) console.log(`      advisory findings for ${env}:\n${formatViolations(advisory)}`);
                const mandatory = run.violations.filter((v) => v.level === "mandatory");
                expect(mandatory, `mandatory policy violations in stack ${env}:\n${formatViolations(mandatory)}`).to.deep.equal([]);
            });
        });
    }
});
