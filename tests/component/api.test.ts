/**
 * The TypeScript API: a lake built in code (not from YAML) and wired to other resources of the same
 * program, under the Pulumi mocks: Inputs, resource-option precedence, provider inheritance, grants.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { LakeConfigError, LakeDefinition, LakeReadGrant, MedallionLake } from "medallion-lake";
import { checkedInput } from "../../packages/medallion-lake/src/component/checked-input";
import { SECRET_ARN } from "../../packages/medallion-lake/src/model/config";
import { MockResource, MockRunResult, MOCK_ACCOUNT_ID, runUnderMocks } from "../../local-lake/lib/mock-run";

const T = {
    connection: "aws:glue/connection:Connection",
    key: "aws:kms/key:Key",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucket: "aws:s3/bucket:Bucket",
    randomString: "random:index/randomString:RandomString",
};

/** A lake config written in code: network, secret and key come from resources of the same program. */
function shopConfig(refs: { subnet: aws.ec2.Subnet; sg: aws.ec2.SecurityGroup; secret: aws.secretsmanager.Secret; key?: aws.kms.Key }): LakeDefinition {
    return {
        name: "shop",
        network: { subnetId: refs.subnet.id, availabilityZone: refs.subnet.availabilityZone, securityGroupIds: [refs.sg.id, "sg-0a1b2c3d"] },
        sources: [{ name: "orders", engine: "postgres", host: "orders-db.internal", database: "orders", secretArn: refs.secret.arn, tables: [{ name: "public.orders" }] }],
        kmsKeyArn: refs.key?.arn,
        protect: false,
    };
}

function network() {
    const subnet = new aws.ec2.Subnet("app-subnet", { vpcId: "vpc-0123", cidrBlock: "10.0.1.0/24", availabilityZone: "eu-west-1a" });
    const sg = new aws.ec2.SecurityGroup("glue-sg", { vpcId: "vpc-0123" });
    const secret = new aws.secretsmanager.Secret("orders-db-credentials", {});
    return { subnet, sg, secret };
}

const byName = (res: MockResource[], name: string) => {
    const found = res.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
};

/** The lake's own resources: everything below the component. */
function lakeChildren(res: MockResource[], componentName: string): MockResource[] {
    const component = res.find((r) => r.type === "medallion-lake:index:MedallionLake" && r.name === componentName)!;
    const below = new Set([component.urn]);
    const out: MockResource[] = [];
    for (const r of res) {
        if (below.has(r.parent)) {
            below.add(r.urn);
            out.push(r);
        }
    }
    return out;
}

describe("MedallionLake from TypeScript", function () {
    describe("wired to other resources, with the caller's provider and options", () => {
        let run: MockRunResult;
        let ids: Record<string, any>;
        before(async () => {
            run = await runUnderMocks({
                stack: "test",
                config: { "aws:region": "eu-west-1" },
                program: () => {
                    const refs = { ...network(), key: new aws.kms.Key("shared-key", {}) };
                    const eu = new aws.Provider("eu", { region: "eu-west-1" });
                    const lake = new MedallionLake("shop", { config: shopConfig(refs), environment: "test" }, { providers: { aws: eu }, protect: true, retainOnDelete: true });
                    const analyst = new aws.iam.Role("analyst", { assumeRolePolicy: "{}" });
                    lake.grantQuery(analyst);
                    lake.grantRead("silver", analyst, { name: "silver-reader" });
                    new LakeReadGrant("ml-silver", { role: "arn:aws:iam::123456789012:role/teams/ml-training", layer: "silver", lake });
                    return {
                        ...lake.outputs(),
                        subnetId: refs.subnet.id,
                        sgId: refs.sg.id,
                        secretArn: refs.secret.arn,
                        keyArn: refs.key.arn,
                        providerUrn: eu.urn,
                        providerId: eu.id,
                        analystName: analyst.name,
                        exposed: {
                            bucket: lake.buckets.gold.bucket,
                            workgroup: lake.workgroup.name,
                            job: lake.jobs.silver.name,
                            role: lake.roles.jobs.gold.name,
                            crawlerRole: lake.roles.crawler.name,
                            kmsKey: lake.kmsKey === undefined,
                        },
                    };
                },
            });
            ids = run.outputs;
        });

        it("hands the Inputs on: subnet, availability zone and security groups to the connection, the secret ARN, the existing key", () => {
            const connection = run.resources.find((r) => r.type === T.connection)!;
            expect(connection.inputs.physicalConnectionRequirements).to.deep.equal({
                subnetId: ids.subnetId,
                availabilityZone: "eu-west-1a",
                securityGroupIdLists: [ids.sgId, "sg-0a1b2c3d"],
            });
            expect(ids.subnetId).to.match(/^subnet-[0-9a-f]+$/);
            expect(connection.inputs.connectionProperties.SECRET_ID).to.equal(ids.secretArn);
            expect(ids.sourceSecretArns).to.deep.equal({ orders: ids.secretArn });
            expect(ids.kmsKeyArn).to.equal(ids.keyArn);
            expect(ids.kmsKeyAlias).to.equal(undefined);
            expect(ids.exposed.kmsKey).to.equal(true);
            // Only the caller's key exists: the lake creates none.
            expect(run.resources.filter((r) => r.type === T.key).map((r) => r.name)).to.deep.equal(["shared-key"]);
            const bronzeSse = run.resources.find((r) => r.name === "shop-bronze-encryption")!;
            expect(bronzeSse.inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).to.equal(ids.keyArn);
        });

        it("exposes the buckets, workgroup, jobs and roles", () => {
            expect(ids.exposed.bucket).to.equal(ids.bucketNames.gold);
            expect(ids.exposed.workgroup).to.equal("shop-test");
            expect(ids.exposed.job).to.equal(ids.jobNames.silver);
            expect(ids.exposed.role).to.equal(byName(run.resources, "shop-gold-job-role").id);
            expect(ids.exposed.crawlerRole).to.equal(byName(run.resources, "shop-crawler-role").id);
        });

        it("every AWS resource of the lake, and its invokes, use the caller's provider", () => {
            const ref = `${ids.providerUrn}::${ids.providerId}`;
            const children = lakeChildren(run.resources, "shop").filter((r) => r.custom);
            const awsChildren = children.filter((r) => r.type.startsWith("aws:"));
            expect(awsChildren.length).to.be.greaterThan(40);
            for (const r of awsChildren) expect(r.provider, `${r.type} ${r.name}`).to.equal(ref);
            // The random suffix is not an AWS resource: it keeps the default random provider.
            expect(byName(run.resources, "shop-bucket-suffix").provider).not.to.equal(ref);
            // The account, region and partition lookups run through it too.
            expect(run.invokes.map((i) => i.token).sort()).to.deep.equal([
                "aws:index/getCallerIdentity:getCallerIdentity",
                "aws:index/getPartition:getPartition",
                "aws:index/getRegion:getRegion",
            ]);
            for (const invoke of run.invokes) expect(invoke.provider, invoke.token).to.equal(ref);
        });

        it("the caller's protect and retainOnDelete reach every child, over the config's protect: false", () => {
            const children = lakeChildren(run.resources, "shop").filter((r) => r.custom);
            for (const r of children) {
                expect(r.protect, `${r.name} protect`).to.equal(true);
                expect(r.retainOnDelete, `${r.name} retainOnDelete`).to.equal(true);
            }
            // Resources outside the lake keep their own options.
            expect(byName(run.resources, "analyst").protect).to.equal(false);
        });

        it("grantQuery: the workgroup's query actions, the catalog metadata tools list first, gold's tables and files, the results location and the key, nothing else", () => {
            const grant = byName(run.resources, "shop-query-grant-1");
            expect(grant.type).to.equal(T.rolePolicy);
            expect(grant.inputs.role).to.equal(byName(run.resources, "analyst").id);
            const doc = JSON.parse(grant.inputs.policy);
            const account = `eu-west-1:${MOCK_ACCOUNT_ID}`;
            const gold = `arn:aws:s3:::${ids.bucketNames.gold}`;
            const results = `arn:aws:s3:::${ids.bucketNames["query-results"]}`;
            expect(doc.Statement).to.deep.equal([
                {
                    Sid: "AthenaWorkgroup",
                    Effect: "Allow",
                    Action: [
                        "athena:GetWorkGroup",
                        "athena:StartQueryExecution",
                        "athena:StopQueryExecution",
                        "athena:GetQueryExecution",
                        "athena:BatchGetQueryExecution",
                        "athena:ListQueryExecutions",
                        "athena:GetQueryResults",
                        "athena:GetQueryResultsStream",
                        "athena:GetNamedQuery",
                        "athena:BatchGetNamedQuery",
                        "athena:ListNamedQueries",
                        "athena:GetQueryRuntimeStatistics",
                    ],
                    Resource: ids.workgroupArn,
                },
                {
                    Sid: "AthenaCatalogMetadata",
                    Effect: "Allow",
                    Action: ["athena:GetDataCatalog", "athena:ListDatabases", "athena:GetDatabase", "athena:ListTableMetadata", "athena:GetTableMetadata"],
                    Resource: `arn:aws:athena:${account}:datacatalog/AwsDataCatalog`,
                },
                { Sid: "AthenaListings", Effect: "Allow", Action: ["athena:ListDataCatalogs", "athena:ListWorkGroups"], Resource: "*" },
                {
                    Sid: "TablesCatalog",
                    Effect: "Allow",
                    Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:GetDatabases"],
                    Resource: [`arn:aws:glue:${account}:catalog`, `arn:aws:glue:${account}:database/shop_test_gold`, `arn:aws:glue:${account}:table/shop_test_gold/*`],
                },
                { Sid: "TablesList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: [gold] },
                { Sid: "TablesObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${gold}/*`] },
                { Sid: "ResultsList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], Resource: results },
                {
                    Sid: "ResultsObjects",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                    Resource: `${results}/*`,
                },
                { Sid: "LakeKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: ids.keyArn },
            ]);
            expect(ids.workgroupArn).to.equal(`arn:aws:athena:eu-west-1:${MOCK_ACCOUNT_ID}:workgroup/shop-test`);
        });

        it("grantRead(layer): that layer's catalog and bucket read-only, and decrypt with the lake key", () => {
            const doc = JSON.parse(byName(run.resources, "shop-read-grant-silver-reader").inputs.policy);
            const silver = `arn:aws:s3:::${ids.bucketNames.silver}`;
            const text = JSON.stringify(doc);
            for (const other of ["bronze", "gold", "query-results", "assets", "logs"]) expect(text).not.to.contain(ids.bucketNames[other]);
            expect(text).not.to.contain("athena:");
            expect(doc.Statement.map((s: any) => [s.Sid, s.Action, s.Resource])).to.deep.equal([
                [
                    "ReadCatalog",
                    ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:GetDatabases"],
                    [`arn:aws:glue:eu-west-1:${MOCK_ACCOUNT_ID}:catalog`, `arn:aws:glue:eu-west-1:${MOCK_ACCOUNT_ID}:database/shop_test_silver`, `arn:aws:glue:eu-west-1:${MOCK_ACCOUNT_ID}:table/shop_test_silver/*`],
                ],
                ["ReadList", ["s3:ListBucket", "s3:GetBucketLocation"], [silver]],
                ["ReadObjects", ["s3:GetObject"], [`${silver}/*`]],
                ["LakeKeyDecrypt", ["kms:Decrypt"], ids.keyArn],
            ]);
        });

        it("LakeReadGrant, given the lake and a role ARN, attaches grantRead's policy to the role's name", () => {
            const method = byName(run.resources, "shop-read-grant-silver-reader");
            const resource = byName(run.resources, "ml-silver-policy");
            expect(resource.parent).to.equal(byName(run.resources, "ml-silver").urn);
            expect(resource.inputs.role).to.equal("ml-training");
            expect(JSON.parse(resource.inputs.policy)).to.deep.equal(JSON.parse(method.inputs.policy));
        });
    });

    describe("option precedence and checks", () => {
        const build = (configPatch: Partial<LakeDefinition>, opts: pulumi.ComponentResourceOptions, extra?: (lake: MedallionLake) => void) =>
            runUnderMocks({
                stack: "test",
                config: {},
                program: () => {
                    const lake = new MedallionLake("shop", { config: { ...shopConfig(network()), ...configPatch }, environment: "test" }, opts);
                    extra?.(lake);
                    return lake.outputs();
                },
            });

        it("without caller options the config decides: protect everything, retain only data", async () => {
            const run = await build({ protect: true }, {});
            const children = lakeChildren(run.resources, "shop").filter((r) => r.custom);
            expect(children.every((r) => r.protect)).to.equal(true);
            expect(byName(run.resources, "shop-gold").retainOnDelete).to.equal(true);
            expect(byName(run.resources, "shop-bucket-suffix").retainOnDelete).to.equal(true);
            expect(byName(run.resources, "shop-workgroup").retainOnDelete).to.equal(false);
        });

        it("the caller's protect: false wins over the config's protect: true", async () => {
            const run = await build({ protect: true }, { protect: false });
            const children = lakeChildren(run.resources, "shop").filter((r) => r.custom);
            expect(children.filter((r) => r.protect).map((r) => r.name)).to.deep.equal([]);
            // retainOnDelete left unset by the caller: the config's (default: protect) still applies to data.
            expect(byName(run.resources, "shop-gold").retainOnDelete).to.equal(true);
        });

        it("forceDestroy is refused when the caller's options protect the data", async () => {
            let error: unknown;
            try {
                await build({ forceDestroy: true }, { retainOnDelete: true });
            } catch (e) {
                error = e;
            }
            expect(error).to.be.instanceOf(LakeConfigError);
            expect((error as LakeConfigError).issues[0].path).to.equal("forceDestroy");
        });

        it("passes the caller's aliases on, and names every child <name>-… under the component, so a rename reaches the children", async () => {
            // The engine derives the children's aliases from the parent's alias specs, replacing the
            // parent's name at the start of a child's name; under the mocks only their inputs are visible.
            const run = await build({}, { aliases: [{ name: "old-shop" }] });
            const component = run.resources.find((r) => r.type === "medallion-lake:index:MedallionLake")!;
            expect(component.aliases).to.have.length(1);
            expect((component.aliases[0] as { spec: { name: string } }).spec.name).to.equal("old-shop");
            const children = lakeChildren(run.resources, "shop");
            expect(children.length).to.be.greaterThan(40);
            for (const r of children) expect(r.name.startsWith("shop-"), r.name).to.equal(true);
        });

        it("an Input is checked like a literal once known: a wildcard secret ARN fails naming the field", async () => {
            // Unit level: under the mocks a failed apply leaves the run pending instead of ending it.
            // `promise()` is the Output's internal promise, the usual way to await an Output in tests.
            const settle = (o: pulumi.Output<string>) => (o as unknown as { promise(): Promise<string> }).promise();
            const wildcard = checkedInput(Promise.resolve("arn:aws:secretsmanager:us-east-1:123456789012:secret:*"), SECRET_ARN, "sources[0].secretArn");
            let error: unknown;
            await settle(wildcard).catch((e) => (error = e));
            expect(error).to.be.instanceOf(LakeConfigError);
            expect((error as LakeConfigError).issues).to.deep.equal([
                { path: "sources[0].secretArn", message: 'must be a Secrets Manager secret ARN (no wildcards) (got "arn:aws:secretsmanager:us-east-1:123456789012:secret:*")' },
            ]);
            const fine = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-AbCdEf";
            expect(await settle(checkedInput(pulumi.output(fine), SECRET_ARN, "x"))).to.equal(fine);
        });

        it("grants need known layers", async () => {
            let error: unknown;
            try {
                await build({}, {}, (lake) => lake.grantQuery(new aws.iam.Role("r", { assumeRolePolicy: "{}" }), { layers: ["platinum" as never] }));
            } catch (e) {
                error = e;
            }
            expect(String(error)).to.contain("grantQuery: layers must be some of bronze, silver, gold, got [platinum]");
        });
    });
});
