import { expect } from "chai";
import { crawlerPolicy, PolicyDocument, PolicyScope, jobPolicy, policySize, rolePolicyJson } from "../../packages/medallion-lake/src/component/iam";
import { LAKE_L_SCOPE, runStack } from "../support/helpers";

const scope: PolicyScope = {
    ...LAKE_L_SCOPE,
    metricsNamespace: "MedallionLake/l",
    connectionNames: ["l-saas"],
    secretArns: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCdEf"],
    caCertificates: [],
};

const glue = (resource: string) => `arn:aws:glue:eu-west-1:111122223333:${resource}`;

/** Every action of `service` the policy allows on exactly `resource`, sorted. */
function allowedOn(doc: PolicyDocument, resource: string, service: string): string[] {
    const actions = doc.Statement.filter((s) => ([] as string[]).concat(s.Resource).includes(resource)).flatMap((s) => s.Action);
    return [...new Set(actions.filter((a) => a.startsWith(`${service}:`)))].sort();
}

/** Every database (and table set) the policy grants any Glue action on. */
function glueDatabases(doc: PolicyDocument): string[] {
    const arns = doc.Statement.filter((s) => s.Action.some((a) => a.startsWith("glue:"))).flatMap((s) => ([] as string[]).concat(s.Resource));
    return [...new Set(arns.filter((r) => r.includes(":database/") || r.includes(":table/")))].sort();
}

// What the Glue-API registration of a layer's tables calls, per the catalog issue: nothing more.
const REGISTRATION = ["glue:BatchCreatePartition", "glue:CreateTable", "glue:GetPartitions", "glue:GetTable", "glue:UpdateTable"];

// Iceberg's Glue catalog adds to those, for silver and gold, the database lookup of CREATE TABLE
// without a LOCATION (GlueCatalog.defaultWarehouseLocation); its commits are GetTable, CreateTable,
// UpdateTable (GlueTableOperations), which registration already has.
const ICEBERG = ["glue:BatchCreatePartition", "glue:CreateTable", "glue:GetDatabase", "glue:GetPartitions", "glue:GetTable", "glue:UpdateTable"];

describe("jobPolicy: Glue catalog", () => {
    for (const [layer, own, calls] of [["bronze", "l_bronze", REGISTRATION], ["silver", "l_silver", ICEBERG], ["gold", "l_gold", ICEBERG]] as const) {
        it(`${layer}: writes tables in its own database only, with exactly the ${layer === "bronze" ? "registration" : "registration and Iceberg catalog"} calls`, () => {
            const doc = jobPolicy(layer, scope);
            expect(allowedOn(doc, glue(`database/${own}`), "glue")).to.deep.equal(calls);
            expect(allowedOn(doc, glue(`table/${own}/*`), "glue")).to.deep.equal(calls);
            const expected = [`database/${own}`, `table/${own}/*`, "database/default", "database/global_temp"];
            if (layer === "bronze") expected.push("database/l_source", "table/l_source/*");
            if (layer === "gold") expected.push("database/l_silver", "table/l_silver/*");
            expect(glueDatabases(doc)).to.deep.equal(expected.map(glue).sort());
        });
    }

    it("gold reads silver's Iceberg tables through the catalog (their metadata pointer), and nothing more there", () => {
        const doc = jobPolicy("gold", scope);
        expect(allowedOn(doc, glue("database/l_silver"), "glue")).to.deep.equal(["glue:GetTable"]);
        expect(allowedOn(doc, glue("table/l_silver/*"), "glue")).to.deep.equal(["glue:GetTable"]);
        expect(allowedOn(jobPolicy("silver", scope), glue("database/l_bronze"), "glue")).to.deep.equal([]);
    });

    it("never lets a job drop or list lake tables: no code path of the jobs or of Iceberg's commits calls DeleteTable or GetTables", () => {
        for (const layer of ["bronze", "silver", "gold"] as const) {
            const doc = jobPolicy(layer, scope);
            for (const db of ["l_bronze", "l_silver", "l_gold"]) {
                for (const arn of [glue(`database/${db}`), glue(`table/${db}/*`)]) {
                    expect(allowedOn(doc, arn, "glue"), `${layer} on ${arn}`).to.not.include.members(["glue:DeleteTable"]);
                    expect(allowedOn(doc, arn, "glue"), `${layer} on ${arn}`).to.not.include.members(["glue:GetTables"]);
                }
            }
        }
    });

    it("bronze reads the crawled source tables for its drift report, and writes nothing there", () => {
        const doc = jobPolicy("bronze", scope);
        expect(allowedOn(doc, glue("database/l_source"), "glue")).to.deep.equal(["glue:GetTable"]);
        expect(allowedOn(doc, glue("table/l_source/*"), "glue")).to.deep.equal(["glue:GetTable"]);
    });

    it("grants GetUserDefinedFunctions on default's functions too, the userDefinedFunction resource type AWS checks it against", () => {
        // Service Authorization Reference, AWS Glue: GetUserDefinedFunctions needs catalog, database and userDefinedFunction.
        for (const layer of ["bronze", "silver", "gold"] as const) {
            const doc = jobPolicy(layer, scope);
            expect(allowedOn(doc, glue("userDefinedFunction/default/*"), "glue"), layer).to.deep.equal(["glue:GetUserDefinedFunctions"]);
            expect(allowedOn(doc, glue("database/default"), "glue"), layer).to.include("glue:GetUserDefinedFunctions");
        }
    });

    it("lets Spark's Glue catalog client start: look up (and create) default, check global_temp is absent", () => {
        // AWSCatalogMetastoreClient (aws-glue-data-catalog-client-for-apache-hive-metastore) and Spark's SharedState.
        for (const layer of ["bronze", "silver", "gold"] as const) {
            const doc = jobPolicy(layer, scope);
            expect(allowedOn(doc, glue("database/default"), "glue")).to.include.members(["glue:GetDatabase", "glue:CreateDatabase"]);
            expect(allowedOn(doc, glue("database/global_temp"), "glue")).to.deep.equal(["glue:GetDatabase"]);
        }
    });
});

describe("jobPolicy: S3 writes", () => {
    it("lets every writer abort its multipart uploads (Spark's committers abort failed ones), readers only read", () => {
        for (const [layer, input] of [["silver", "bronze"], ["gold", "silver"]] as const) {
            const doc = jobPolicy(layer, scope);
            expect(allowedOn(doc, `arn:aws:s3:::l-${layer}/*`, "s3")).to.deep.equal(["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
            expect(allowedOn(doc, `arn:aws:s3:::l-assets/temp/${layer}/*`, "s3")).to.include("s3:AbortMultipartUpload");
            expect(allowedOn(doc, `arn:aws:s3:::l-${input}/*`, "s3")).to.deep.equal(["s3:GetObject"]);
        }
        expect(allowedOn(jobPolicy("bronze", scope), "arn:aws:s3:::l-bronze/*", "s3")).to.include("s3:AbortMultipartUpload");
    });

    it("lets silver and gold list, read, write and delete their own Iceberg files (snapshot expiry and orphan-file cleanup delete), with the lake key", () => {
        for (const layer of ["silver", "gold"] as const) {
            const doc = jobPolicy(layer, scope);
            expect(allowedOn(doc, `arn:aws:s3:::l-${layer}`, "s3")).to.include("s3:ListBucket");
            expect(allowedOn(doc, `arn:aws:s3:::l-${layer}/*`, "s3")).to.include.members(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
            expect(allowedOn(doc, scope.keyArn, "kms")).to.include.members(["kms:Decrypt", "kms:GenerateDataKey"]);
        }
    });
});

describe("network interfaces of VPC connections", () => {
    const vpc: PolicyScope = { ...scope, network: { subnetId: "subnet-0a1b2c3d", securityGroupIds: ["sg-0a1b2c3d", "sg-0e0f0a0b"] } };
    const ec2 = (resource: string) => `arn:aws:ec2:eu-west-1:111122223333:${resource}`;

    for (const [role, doc] of [["bronze", jobPolicy("bronze", vpc)], ["crawler", crawlerPolicy(vpc)]] as const) {
        it(`${role}: creates ENIs only in the configured subnet with the configured security groups`, () => {
            const create = doc.Statement.filter((s) => s.Action.includes("ec2:CreateNetworkInterface"));
            expect(create.flatMap((s) => ([] as string[]).concat(s.Resource)).sort()).to.deep.equal(
                [ec2("network-interface/*"), ec2("subnet/subnet-0a1b2c3d"), ec2("security-group/sg-0a1b2c3d"), ec2("security-group/sg-0e0f0a0b")].sort(),
            );
        });

        it(`${role}: grants on "*" only the EC2 Describe calls that support no resource-level permissions`, () => {
            const onStar = doc.Statement.filter((s) => s.Resource === "*" || (Array.isArray(s.Resource) && s.Resource.includes("*"))).flatMap((s) => s.Action);
            expect(onStar.filter((a) => a.startsWith("ec2:")).sort()).to.deep.equal([
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeVpcs",
            ]);
            expect(allowedOn(doc, ec2("network-interface/*"), "ec2")).to.include("ec2:DeleteNetworkInterface");
            expect(allowedOn(doc, ec2("vpc/*"), "ec2")).to.deep.equal(["ec2:DescribeVpcAttribute"]);
        });
    }

    it("grants no EC2 action without a network", () => {
        for (const doc of [jobPolicy("bronze", scope), crawlerPolicy(scope)]) expect(doc.Statement.flatMap((s) => s.Action).filter((a) => a.startsWith("ec2:"))).to.deep.equal([]);
    });
});

describe("IAM's inline policy quota per role", () => {
    it("counts a policy as IAM does, without whitespace", () => {
        // {"a":"bc"} once the spaces (inside the string too) are dropped: 10 characters.
        expect(policySize([{ a: "b c" }])).to.equal(10);
        expect(policySize([{ a: "b c" }, { a: "b" }])).to.equal(19);
    });

    it("rejects a role policy over 10,240 characters, naming the role and the size, and passes one at the quota", () => {
        const over = { Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::b/${"x".repeat(10_200)}` }] } as const;
        const size = JSON.stringify(over).length; // no whitespace in it
        expect(size).to.be.greaterThan(10_240);
        expect(() => rolePolicyJson("lake-bronze-job-role", over as unknown as PolicyDocument)).to.throw(`IAM role lake-bronze-job-role: its inline policy is ${size} characters (whitespace not counted), over IAM's quota of 10240`);
        const at = { ...over, Statement: [{ ...over.Statement[0], Resource: `arn:aws:s3:::b/${"x".repeat(10_200 - (size - 10_240))}` }] };
        expect(rolePolicyJson("r", at as unknown as PolicyDocument)).to.equal(JSON.stringify(at));
    });

    it("a lake with many sources outgrows it in the bronze and crawler roles (each source adds its connection and secret)", () => {
        // 60 sources with created secrets: connection and secret ARNs as the component names them.
        const many: PolicyScope = {
            ...scope,
            connectionNames: Array.from({ length: 60 }, (_, i) => `lake-prod-source${i}`),
            secretArns: Array.from({ length: 60 }, (_, i) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:lake-prod/source${i}-AbCdEf`),
        };
        expect(() => rolePolicyJson("lake-bronze-job-role", jobPolicy("bronze", many))).to.throw(/^IAM role lake-bronze-job-role: its inline policy is \d+ characters/);
        expect(() => rolePolicyJson("lake-crawler-role", crawlerPolicy(many))).to.throw(/^IAM role lake-crawler-role: its inline policy is \d+ characters/);
        expect(() => rolePolicyJson("lake-silver-job-role", jobPolicy("silver", many))).not.to.throw();
    });

    it("the stacks' role policies stay under half of it", async () => {
        const run = await runStack("prod");
        const policies = run.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
        expect(policies).to.have.length(5); // bronze, silver, gold, forget jobs and the crawlers
        for (const p of policies) expect(p.inputs.policy.replace(/\s/g, "").length, p.name).to.be.below(10_240 / 2);
    });
});
