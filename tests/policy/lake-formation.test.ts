/**
 * The pack's lake-access rules (policy/rules/lake-formation.ts) over the dev stack under the mocks,
 * in both modes, with consumer grants made through the component and around it.
 */
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { PolicyRun, runPack } from "../../policy/check";
import { createLake } from "../../stacks/program";
import { PROJECT_ROOT } from "../../stacks/stack-config";
import { MedallionLake } from "../../packages/medallion-lake/src";

const LF = { lakeFormation: true, admins: ["arn:aws:iam::123456789012:role/lake-admin"], shareWith: ["444455556666"] };
const RULES = ["lake-no-consumer-grant-on-bronze", "lake-formation-no-s3-data-read"];

/** The dev stack with `governance` and whatever `grants` adds for an `analyst` role. */
function dev(governance: object | undefined, grants: (lake: MedallionLake, analyst: aws.iam.Role) => void): Promise<PolicyRun> {
    return runPack("dev", {
        change: (lake) => {
            if (governance) lake.governance = governance;
        },
        program: () => {
            const lake = createLake({ baseDir: PROJECT_ROOT });
            grants(lake, new aws.iam.Role("analyst", { name: "analyst", assumeRolePolicy: "{}" }));
            return lake.outputs();
        },
    });
}

/** `rule resource-name` of each finding of the two rules. */
const findings = (run: PolicyRun) =>
    run.violations.filter((v) => RULES.includes(v.policy)).map((v) => `${v.policy} ${v.urn.split("::").pop()}`).sort();

describe("lake access rules", function () {
    it("pass a Lake Formation-mode stack whose consumer queries gold", async () => {
        const run = await dev(LF, (lake, analyst) => lake.grantQuery(analyst, { name: "analyst" }));
        expect(run.violations.filter((v) => v.level === "mandatory")).to.deep.equal([]);
    });

    it("refuse a Lake Formation grant on bronze to a consumer, and S3 reads of the data buckets in that mode", async () => {
        const run = await dev(LF, (lake, analyst) => {
            lake.grantQuery(analyst, { name: "raw", layers: ["bronze", "gold"] });
            const gold = lake.bucketArns.gold;
            new aws.iam.RolePolicy("analyst-direct", {
                role: analyst.id,
                policy: gold.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: `${arn}/*` }] })),
            });
        });
        expect(findings(run)).to.deep.equal(
            [
                "lake-no-consumer-grant-on-bronze lake-query-grant-raw-lf-databases",
                "lake-no-consumer-grant-on-bronze lake-query-grant-raw-lf-tables",
                "lake-formation-no-s3-data-read analyst-direct",
            ].sort(),
        );
    });

    it("refuse an IAM-mode read grant on bronze, and allow one on gold", async () => {
        const run = await dev(undefined, (lake, analyst) => {
            lake.grantRead("bronze", analyst, { name: "raw" });
            lake.grantRead("gold", analyst, { name: "gold" });
        });
        expect(findings(run)).to.deep.equal(["lake-no-consumer-grant-on-bronze lake-read-grant-raw"]);
    });
});
