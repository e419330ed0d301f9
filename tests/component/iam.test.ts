import { expect } from "chai";
import { PolicyDocument, PolicyScope, jobPolicy } from "../../components/medallion-lake/iam";

const scope: PolicyScope = {
    partition: "aws",
    region: "eu-west-1",
    accountId: "111122223333",
    bucketArns: {
        bronze: "arn:aws:s3:::l-bronze",
        silver: "arn:aws:s3:::l-silver",
        gold: "arn:aws:s3:::l-gold",
        "query-results": "arn:aws:s3:::l-query-results",
        assets: "arn:aws:s3:::l-assets",
        logs: "arn:aws:s3:::l-logs",
    },
    keyArn: "arn:aws:kms:eu-west-1:111122223333:key/k",
    databases: { source: "l_source", bronze: "l_bronze", silver: "l_silver", gold: "l_gold" },
    metricsNamespace: "MedallionLake/l",
    connectionNames: ["l-saas"],
    secretArns: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCdEf"],
    caCertificates: [],
    vpc: false,
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
