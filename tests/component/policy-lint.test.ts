/**
 * Every policy document the lake generates (the roles' inline and trust policies, the bucket, key and
 * topic policies, the consumer grants) linted against AWS's IAM action, resource-type and
 * condition-key tables by parliament (tests/support/lint_policies.py): a typo'd action, an ARN of
 * the wrong resource type or a condition key an action never carries fails the build, where AWS
 * would only deny the call at run time.
 */
import * as aws from "@pulumi/aws";
import { spawnSync } from "child_process";
import { expect } from "chai";
import * as path from "path";
import { MedallionLake } from "medallion-lake";
import { MockResource, MockRunResult, runUnderMocks } from "../../local-lake/lib/mock-run";
import { PROJECT_ROOT } from "../../stacks/stack-config";
import { runStack } from "../support/helpers";

type Kind = "identity" | "trust" | "resource" | "key";

interface Document {
    name: string;
    kind: Kind;
    policy: { Statement: unknown[] };
}

interface Finding {
    name: string;
    issue: string;
    detail: unknown;
}

/** Runs the checker; returns its findings (it exits 1 when there are any, 0 when none). */
function lint(documents: Document[]): Finding[] {
    const python = path.join(PROJECT_ROOT, ".venv", "bin", "python");
    const result = spawnSync(python, [path.join(PROJECT_ROOT, "tests", "support", "lint_policies.py")], { input: JSON.stringify(documents), encoding: "utf8" });
    if (result.status !== 0 && result.status !== 1) throw new Error(`lint_policies.py failed (${result.status}): ${result.stderr}`);
    const findings = JSON.parse(result.stdout) as Finding[];
    expect(result.status, "exit status").to.equal(findings.length > 0 ? 1 : 0);
    return findings;
}

function kindOf(r: MockResource, property: string, policy: { Statement: unknown[] }): Kind {
    if (property === "assumeRolePolicy") return "trust";
    if (r.type === "aws:kms/key:Key") return "key";
    return policy.Statement.some((s) => typeof s === "object" && s !== null && "Principal" in s) ? "resource" : "identity";
}

/** Every input of every resource that is a JSON policy document (a string with a Statement). */
function policyDocuments(run: MockRunResult, label: string): Document[] {
    const found: Document[] = [];
    const walk = (r: MockResource, value: unknown, at: string) => {
        if (typeof value === "string") {
            let parsed: unknown;
            try {
                parsed = JSON.parse(value);
            } catch {
                return;
            }
            if (parsed !== null && typeof parsed === "object" && "Statement" in parsed) {
                const policy = parsed as Document["policy"];
                found.push({ name: `${label} ${r.type} ${r.name} ${at}`, kind: kindOf(r, at, policy), policy });
            }
        } else if (value !== null && typeof value === "object") {
            for (const [k, v] of Object.entries(value)) walk(r, v, at ? `${at}.${k}` : k);
        }
    };
    for (const r of run.resources) walk(r, r.inputs, "");
    return found;
}

/** A lake built in code with what the stacks lack: CA certificates, and every kind of consumer grant. */
function grantsLake(): Promise<MockRunResult> {
    return runUnderMocks({
        stack: "test",
        config: { "aws:region": "eu-west-1" },
        program: () => {
            const lake = new MedallionLake("shop", {
                environment: "test",
                config: {
                    name: "shop",
                    network: { subnetId: "subnet-0a1b2c3d", availabilityZone: "eu-west-1a", securityGroupIds: ["sg-0a1b2c3d"] },
                    sources: [
                        {
                            name: "orders",
                            engine: "postgres",
                            host: "orders-db.internal",
                            database: "orders",
                            secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf",
                            caCertificate: "s3://shop-certs/rds-ca.pem",
                            tables: [{ name: "public.orders" }],
                        },
                    ],
                    protect: false,
                },
            });
            const analyst = new aws.iam.Role("analyst", { assumeRolePolicy: "{}" });
            lake.grantQuery(analyst, { layers: ["bronze", "silver", "gold"] });
            for (const layer of ["bronze", "silver", "gold"] as const) lake.grantRead(layer, analyst, { name: layer });
            return lake.outputs();
        },
    });
}

describe("every generated policy passes AWS's IAM tables (parliament)", function () {
    let documents: Document[];
    before(async () => {
        documents = [
            ...policyDocuments(await runStack("dev"), "dev"),
            ...policyDocuments(await runStack("prod"), "prod"),
            ...policyDocuments(await grantsLake(), "grants"),
        ];
    });

    it("collects the roles' inline and trust policies, the bucket, key and topic policies and the grants", () => {
        const count = (pattern: RegExp) => documents.filter((d) => pattern.test(d.name)).length;
        // Per lake: 5 roles (trust + inline: 3 layer jobs, the forget job, the crawlers), 6 bucket policies, 1 topic policy, 1 key policy.
        expect(count(/ aws:iam\/role:Role .* assumeRolePolicy$/)).to.equal(15);
        expect(count(/ aws:iam\/rolePolicy:RolePolicy lake-.*-policy policy$/)).to.equal(10);
        expect(count(/ aws:s3\/bucketPolicy:BucketPolicy /)).to.equal(18);
        expect(count(/ aws:sns\/topicPolicy:TopicPolicy /)).to.equal(3);
        expect(count(/ aws:kms\/key:Key /)).to.equal(3);
        expect(count(/ shop-(query|read)-grant-/)).to.equal(4);
        expect(documents.filter((d) => d.kind === "key")).to.have.length(3);
    });

    it("has no finding outside the commented allow-list", () => {
        expect(lint(documents)).to.deep.equal([]);
    });
});

/** A Lake Formation-mode lake with every kind of consumer grant: the registration role, the jobs' Lake Formation policies, the grants without S3. */
function lakeFormationLake(): Promise<MockRunResult> {
    return runUnderMocks({
        stack: "test",
        config: { "aws:region": "eu-west-1" },
        program: () => {
            const lake = new MedallionLake("shop", {
                environment: "test",
                config: {
                    name: "shop",
                    sources: [{ name: "orders", engine: "postgres", host: "orders-db.internal", database: "orders", secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf", tables: [{ name: "public.orders" }] }],
                    protect: false,
                    governance: { lakeFormation: true, admins: ["arn:aws:iam::123456789012:role/lake-admin"], shareWith: ["444455556666"] },
                },
            });
            const analyst = new aws.iam.Role("analyst", { assumeRolePolicy: "{}" });
            lake.grantQuery(analyst, { layers: ["silver", "gold"], classifications: ["pii"] });
            lake.grantRead("gold", analyst, { name: "gold" });
            return lake.outputs();
        },
    });
}

describe("Lake Formation mode's policies pass AWS's IAM tables (parliament)", function () {
    it("has no finding in the registration role, the jobs' Lake Formation policies or the grants", async () => {
        const documents = policyDocuments(await lakeFormationLake(), "lf");
        const names = documents.map((d) => d.name);
        expect(names.filter((n) => / shop-(lf-location-(role|policy)|(bronze|silver|gold)-job-lf-policy|(query|read)-grant-)/.test(n))).to.have.length(7);
        expect(lint(documents)).to.deep.equal([]);
    });
});

describe("lint_policies.py fails on what AWS cannot authorize", () => {
    const identity = (Statement: unknown[]): Document[] => [{ name: "case", kind: "identity", policy: { Version: "2012-10-17", Statement } as Document["policy"] }];
    const issues = (docs: Document[]) => lint(docs).map((f) => f.issue);

    it("a typo'd action: UNKNOWN_ACTION", () => {
        expect(issues(identity([{ Effect: "Allow", Action: ["glue:GetTabel"], Resource: "arn:aws:glue:eu-west-1:111122223333:catalog" }]))).to.include("UNKNOWN_ACTION");
    });

    it("an action granted only on ARNs of another resource type: RESOURCE_MISMATCH (the old GetUserDefinedFunctions statement)", () => {
        const old = { Effect: "Allow", Action: ["glue:GetUserDefinedFunctions"], Resource: ["arn:aws:glue:eu-west-1:111122223333:catalog", "arn:aws:glue:eu-west-1:111122223333:database/default"] };
        expect(issues(identity([old]))).to.deep.equal(["RESOURCE_MISMATCH"]);
        expect(issues(identity([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::bucket" }]))).to.deep.equal(["RESOURCE_MISMATCH"]);
    });

    it('"*" for an action that supports resource-level permissions: RESOURCE_STAR (the old ENI statement)', () => {
        expect(issues(identity([{ Effect: "Allow", Action: ["ec2:CreateNetworkInterface"], Resource: "*" }]))).to.deep.equal(["RESOURCE_STAR"]);
    });

    it("a condition key the action never carries: UNKNOWN_CONDITION_FOR_ACTION, also in a key policy", () => {
        const statement = {
            Effect: "Allow",
            Principal: { Service: "logs.eu-west-1.amazonaws.com" },
            Action: ["kms:DescribeKey"],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111122223333:log-group:/aws-glue/*" } },
        };
        expect(issues([{ name: "key", kind: "key", policy: { Version: "2012-10-17", Statement: [statement] } as Document["policy"] }])).to.deep.equal(["UNKNOWN_CONDITION_FOR_ACTION"]);
    });

    it("the allow-list is by kind: an identity policy without a Resource is still MALFORMED, a key policy's * only passes as a key policy", () => {
        expect(issues(identity([{ Effect: "Allow", Action: ["s3:GetObject"] }]))).to.include("MALFORMED");
        const star = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["kms:Decrypt"], Resource: "*" };
        const policy = { Version: "2012-10-17", Statement: [star] } as Document["policy"];
        expect(issues([{ name: "key", kind: "key", policy }])).to.deep.equal([]);
        expect(issues([{ name: "bucket", kind: "resource", policy }])).to.deep.equal(["RESOURCE_STAR"]);
    });
});
