/**
 * Lake Formation mode (`governance.lakeFormation`, docs/governance.md) under the mocks: the config's
 * validation, what the mode registers (settings, locations, LF-tags, each role's permissions, consumer
 * grants, shares), and that IAM-mode stacks register exactly what they did before the mode existed.
 */
import * as aws from "@pulumi/aws";
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { MedallionLake, parseLakeConfig } from "../../packages/medallion-lake/src";
import { MockResource, MockRunResult, runUnderMocks } from "../../local-lake/lib/mock-run";
import { configIssues, ofType, rawLake, runStack } from "../support/helpers";

const T = {
    settings: "aws:lakeformation/dataLakeSettings:DataLakeSettings",
    location: "aws:lakeformation/resource:Resource",
    permissions: "aws:lakeformation/permissions:Permissions",
    tag: "aws:lakeformation/lfTag:LfTag",
    resourceTags: "aws:lakeformation/resourceLfTags:ResourceLfTags",
    db: "aws:glue/catalogDatabase:CatalogDatabase",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    role: "aws:iam/role:Role",
};

const ADMIN = "arn:aws:iam::123456789012:role/lake-admin";
const DEPLOYER = "arn:aws:iam::123456789012:role/ci/deployer";
const SHARED = ["444455556666", "777788889999"];

const source = {
    name: "crm",
    engine: "postgres" as const,
    host: "crm.internal",
    database: "crm",
    secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-AbCdEf",
    tables: [{ name: "public.users", primaryKey: ["userid"], columns: { userid: { type: "int" }, email: { type: "string", classification: "pii" as const } } }],
};

describe("governance config", () => {
    const lake = (governance: unknown) => ({ name: "shop", sources: [source], protect: false, governance });

    it("defaults to IAM mode with no admins and no shares", () => {
        expect(parseLakeConfig({ name: "shop", sources: [source], protect: false }, undefined).governance).to.deep.equal({ lakeFormation: false, admins: [], shareWith: [] });
    });

    it("requires admins in Lake Formation mode, naming the field", () => {
        expect(configIssues(lake({ lakeFormation: true }))).to.deep.equal(["governance.admins: required with lakeFormation: true: the data-lake admins, including the role that deploys the stack"]);
    });

    it("refuses admins and shares in IAM mode", () => {
        expect(configIssues(lake({ admins: [ADMIN], shareWith: [SHARED[0]] }))).to.have.members([
            "governance.admins: only with lakeFormation: true (IAM mode sets no Lake Formation admins)",
            "governance.shareWith: only with lakeFormation: true: sharing goes through Lake Formation",
        ]);
    });

    for (const bad of [
        "arn:aws:sts::123456789012:assumed-role/deployer/session",
        "arn:aws:iam::123456789012:role/*",
        "arn:aws:iam::12345678901:role/short-account",
        "arn:aws:iam::123456789012:group/admins",
        "role/lake-admin",
        "arn:aws:iam::123456789012:role/a b",
    ]) {
        it(`refuses the admin "${bad}" at its index`, () => {
            const issues = configIssues(lake({ lakeFormation: true, admins: [ADMIN, bad] }));
            expect(issues.length).to.be.greaterThan(0);
            for (const i of issues) expect(i).to.match(/^governance\.admins\[1\]: must (be an IAM role or user ARN|not contain wildcards)/);
        });
    }

    for (const bad of ["12345678901", "1234567890123", "12345678901a", " 123456789012"]) {
        it(`refuses the account id "${bad}"`, () => {
            expect(configIssues(lake({ lakeFormation: true, admins: [ADMIN], shareWith: [bad] }))).to.deep.equal(["governance.shareWith[0]: must be a 12-digit AWS account id"]);
        });
    }

    it("refuses a repeated admin or account", () => {
        expect(configIssues(lake({ lakeFormation: true, admins: [ADMIN, ADMIN], shareWith: [SHARED[0], SHARED[0]] }))).to.have.members([
            `governance.admins[1]: "${ADMIN}" is already [0]`,
            `governance.shareWith[1]: "${SHARED[0]}" is already [0]`,
        ]);
    });

    it("refuses an unknown field", () => {
        expect(configIssues(lake({ lakeFormation: true, admins: [ADMIN], hybrid: true }))).to.deep.equal(["governance.hybrid: unknown field"]);
    });
});

/** What a stack registers, comparable across runs: URN, inputs (assets by their JSON: their paths), options, dependencies. */
const registered = (run: MockRunResult) =>
    run.resources
        .map((r) => ({ urn: r.urn, inputs: JSON.parse(JSON.stringify(r.inputs)), protect: r.protect, retainOnDelete: r.retainOnDelete, dependencies: [...r.dependencies].sort() }))
        .sort((a, b) => a.urn.localeCompare(b.urn));

describe("IAM mode (the default) registers what it did before Lake Formation mode", function () {
    const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "stack-urns.json"), "utf8")) as Record<string, string[]>;

    for (const env of ["dev", "prod"]) {
        it(`${env}: exactly the recorded URNs, none of Lake Formation`, async () => {
            const run = await runStack(env);
            expect(run.resources.map((r) => r.urn).sort()).to.deep.equal([...fixture[env]].sort());
            expect(run.resources.filter((r) => r.type.startsWith("aws:lakeformation/"))).to.deep.equal([]);
        });
    }

    it("dev with governance.lakeFormation: false spelt out: the same resources, inputs and options", async () => {
        const implicit = await runStack("dev");
        const explicit = await runStack("dev", { ...rawLake("dev"), governance: { lakeFormation: false } });
        expect(registered(explicit)).to.deep.equal(registered(implicit));
    });

    it("refuses a grant naming classifications in IAM mode", async () => {
        let error: unknown;
        await runUnderMocks({
            stack: "test",
            config: { "aws:region": "eu-west-1" },
            program: () => {
                const lake = new MedallionLake("shop", { environment: "test", config: { name: "shop", sources: [source], protect: false } });
                try {
                    lake.grantQuery(new aws.iam.Role("analyst", { assumeRolePolicy: "{}" }), { classifications: ["pii"] });
                } catch (e) {
                    error = e;
                }
                return {};
            },
        });
        expect(String(error)).to.match(/grantQuery: classifications need governance.lakeFormation: true/);
    });
});

describe("Lake Formation mode", function () {
    let run: MockRunResult;
    let res: MockResource[];
    const named = (type: string, name: string) => {
        const found = res.filter((r) => r.type === type && r.name === name);
        expect(found, `${type} ${name}`).to.have.length(1);
        return found[0];
    };

    before(async () => {
        run = await runUnderMocks({
            stack: "test",
            config: { "aws:region": "eu-west-1" },
            program: () => {
                const lake = new MedallionLake("shop", {
                    environment: "test",
                    config: { name: "shop", sources: [source], protect: false, governance: { lakeFormation: true, admins: [ADMIN, DEPLOYER], shareWith: SHARED } },
                });
                const role = (name: string) => new aws.iam.Role(name, { name, assumeRolePolicy: "{}" });
                lake.grantQuery(role("analyst"), { name: "analyst" });
                lake.grantQuery(role("support"), { name: "support", layers: ["silver", "gold"], classifications: ["pii"] });
                lake.grantRead("silver", role("spark"), { name: "spark" });
                return lake.outputs();
            },
        });
        res = run.resources;
    });

    it("sets the named admins, no IAMAllowedPrincipals defaults and cross-account version 4, and never deletes the account's settings", () => {
        const settings = ofType(res, T.settings);
        expect(settings).to.have.length(1);
        expect(settings[0].inputs.admins).to.deep.equal([ADMIN, DEPLOYER]);
        expect(settings[0].inputs.createDatabaseDefaultPermissions).to.deep.equal([]);
        expect(settings[0].inputs.createTableDefaultPermissions).to.deep.equal([]);
        expect(settings[0].inputs.parameters).to.deep.equal({ CROSS_ACCOUNT_VERSION: "4" });
        expect(settings[0].retainOnDelete).to.equal(true);
    });

    it("creates the catalog databases after the settings, so they get no IAMAllowedPrincipals permissions", () => {
        const settings = ofType(res, T.settings)[0].urn;
        const dbs = ofType(res, T.db);
        expect(dbs).to.have.length(4);
        for (const db of dbs) expect(db.dependencies, db.name).to.include(settings);
    });

    it("registers the three data buckets in Lake Formation-only mode with a role that may use them and the lake key", () => {
        const locations = ofType(res, T.location);
        expect(locations.map((l) => l.inputs.arn).sort()).to.deep.equal(["bronze", "silver", "gold"].map((l) => run.outputs.bucketArns[l]).sort());
        const role = named(T.role, "shop-lf-location-role");
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).to.deep.equal({ Service: "lakeformation.amazonaws.com" });
        for (const l of locations) {
            expect(l.inputs.hybridAccessEnabled, l.name).to.equal(false);
            expect(l.inputs.roleArn).to.equal(`arn:aws:iam::123456789012:role/${role.id}`);
            expect(l.inputs.useServiceLinkedRole).to.equal(undefined);
        }
        const policy = JSON.parse(named(T.rolePolicy, "shop-lf-location-policy").inputs.policy);
        const objects = policy.Statement.find((s: any) => s.Sid === "DataObjects");
        expect(objects.Resource.sort()).to.deep.equal(["bronze", "silver", "gold"].map((l) => `${run.outputs.bucketArns[l]}/*`).sort());
        expect(policy.Statement.find((s: any) => s.Sid === "LakeKey").Resource).to.equal(run.outputs.kmsKeyArn);
    });

    it("declares the lake's two LF-tags, keyed by the lake and environment, and tags each layer database with its layer", () => {
        expect(ofType(res, T.tag).map((t) => [t.inputs.key, t.inputs.values])).to.have.deep.members([
            ["shop-test-layer", ["bronze", "silver", "gold"]],
            ["shop-test-classification", ["unclassified", "pii", "sensitive"]],
        ]);
        expect(ofType(res, T.resourceTags).map((t) => [t.inputs.database.name, t.inputs.lfTags])).to.have.deep.members([
            ["shop_test_bronze", [{ key: "shop-test-layer", value: "bronze" }]],
            ["shop_test_silver", [{ key: "shop-test-layer", value: "silver" }]],
            ["shop_test_gold", [{ key: "shop-test-layer", value: "gold" }]],
        ]);
    });

    /** Every named-resource permission of `principal`: `<kind>:<target> <PERMS>` lines. */
    const grantsOf = (principal: string) =>
        ofType(res, T.permissions)
            .filter((p) => p.inputs.principal === principal && !p.inputs.lfTagPolicy)
            .map((p) => {
                const i = p.inputs;
                const target = i.database
                    ? `database:${i.database.name}`
                    : i.table
                      ? `tables:${i.table.databaseName}.${i.table.wildcard ? "*" : i.table.name}`
                      : i.dataLocation
                        ? `location:${i.dataLocation.arn}`
                        : `lftag:${i.lfTag.key}=${i.lfTag.values.join("|")}`;
                return `${target} ${[...i.permissions].sort().join(",")}`;
            })
            .sort();

    it("gives each job role Lake Formation permissions on exactly its layers, and the crawlers the source database", () => {
        const roles = run.outputs.jobRoleArns;
        const bucket = (l: string) => run.outputs.bucketArns[l];
        expect(grantsOf(roles.bronze)).to.deep.equal(
            [
                "database:shop_test_bronze CREATE_TABLE,DESCRIBE",
                "database:shop_test_source DESCRIBE",
                `location:${bucket("bronze")} DATA_LOCATION_ACCESS`,
                "tables:shop_test_bronze.* ALTER,DELETE,DESCRIBE,INSERT,SELECT",
                "tables:shop_test_source.* DESCRIBE,SELECT",
            ].sort(),
        );
        expect(grantsOf(roles.silver)).to.deep.equal(
            [
                "database:shop_test_bronze DESCRIBE",
                "database:shop_test_silver CREATE_TABLE,DESCRIBE",
                `location:${bucket("silver")} DATA_LOCATION_ACCESS`,
                "lftag:shop-test-classification=unclassified|pii|sensitive ASSOCIATE,DESCRIBE",
                "tables:shop_test_bronze.* DESCRIBE,SELECT",
                "tables:shop_test_silver.* ALTER,DELETE,DESCRIBE,INSERT,SELECT",
            ].sort(),
        );
        expect(grantsOf(roles.gold)).to.deep.equal(
            [
                "database:shop_test_gold CREATE_TABLE,DESCRIBE",
                "database:shop_test_silver DESCRIBE",
                `location:${bucket("gold")} DATA_LOCATION_ACCESS`,
                "lftag:shop-test-classification=unclassified|pii|sensitive ASSOCIATE,DESCRIBE",
                "tables:shop_test_gold.* ALTER,DELETE,DESCRIBE,INSERT,SELECT",
                "tables:shop_test_silver.* DESCRIBE,SELECT",
            ].sort(),
        );
        expect(grantsOf(run.outputs.crawlerRoleArn)).to.deep.equal(
            ["database:shop_test_source ALTER,CREATE_TABLE,DESCRIBE", "tables:shop_test_source.* ALTER,DELETE,DESCRIBE,DROP,INSERT,SELECT"].sort(),
        );
    });

    it("lets the forget (erasure) job write every layer, through its own role", () => {
        const forget = ofType(res, T.permissions).find((p) => /^shop-lf-forget-/.test(p.name))!.inputs.principal;
        const bucket = (l: string) => run.outputs.bucketArns[l];
        expect(grantsOf(forget)).to.deep.equal(
            ["bronze", "silver", "gold"]
                .flatMap((l) => [`database:shop_test_${l} CREATE_TABLE,DESCRIBE`, `location:${bucket(l)} DATA_LOCATION_ACCESS`, `tables:shop_test_${l}.* ALTER,DELETE,DESCRIBE,INSERT,SELECT`])
                .sort(),
        );
        expect(Object.values(run.outputs.jobRoleArns)).to.not.include(forget);
        expect(JSON.parse(named(T.rolePolicy, "shop-forget-job-lf-policy").inputs.policy).Statement.flatMap((s: any) => s.Action)).to.deep.equal(["lakeformation:GetDataAccess"]);
    });

    it("grants nothing through IAMAllowedPrincipals and no permission with a grant option", () => {
        for (const p of ofType(res, T.permissions)) {
            expect(p.inputs.principal, p.name).to.not.equal("IAM_ALLOWED_PRINCIPALS");
            expect(p.inputs.permissionsWithGrantOptions ?? [], p.name).to.deep.equal([]);
        }
    });

    it("creates every Lake Formation grant after the settings that make the deployer an admin", () => {
        const settings = ofType(res, T.settings)[0].urn;
        for (const r of [...ofType(res, T.permissions), ...ofType(res, T.location), ...ofType(res, T.tag), ...ofType(res, T.resourceTags)]) {
            expect(r.dependencies, r.name).to.include(settings);
        }
    });

    it("adds lakeformation:GetDataAccess to every job role, and the LF-tag calls to silver's and gold's only", () => {
        const actions = (layer: string) => JSON.parse(named(T.rolePolicy, `shop-${layer}-job-lf-policy`).inputs.policy).Statement.flatMap((s: any) => s.Action).sort();
        expect(actions("bronze")).to.deep.equal(["lakeformation:GetDataAccess"]);
        for (const layer of ["silver", "gold"]) {
            expect(actions(layer)).to.deep.equal(
                ["lakeformation:AddLFTagsToResource", "lakeformation:GetDataAccess", "lakeformation:GetResourceLFTags", "lakeformation:RemoveLFTagsFromResource"].sort(),
            );
        }
    });

    it("passes the silver and gold jobs the classification LF-tag key, and the bronze job none", () => {
        const jobs = ofType(res, "aws:glue/job:Job");
        const tagArg = (layer: string) => jobs.find((j) => j.name === `shop-${layer}-job`)!.inputs.defaultArguments["--lake_formation_tag"];
        expect(tagArg("bronze")).to.equal(undefined);
        expect(tagArg("silver")).to.equal("shop-test-classification");
        expect(tagArg("gold")).to.equal("shop-test-classification");
    });

    /** The LF-tag policy grants of `principal`: resource type -> expression. */
    const tagPolicies = (principal: string) =>
        Object.fromEntries(
            ofType(res, T.permissions)
                .filter((p) => p.inputs.principal === principal && p.inputs.lfTagPolicy)
                .map((p) => [p.inputs.lfTagPolicy.resourceType, { permissions: [...p.inputs.permissions].sort(), expressions: p.inputs.lfTagPolicy.expressions }]),
        );

    it("turns a default query grant into DESCRIBE on gold's database and SELECT on gold's unclassified columns, by LF-tag", () => {
        expect(tagPolicies("arn:aws:iam::123456789012:role/analyst")).to.deep.equal({
            DATABASE: { permissions: ["DESCRIBE"], expressions: [{ key: "shop-test-layer", values: ["gold"] }] },
            TABLE: {
                permissions: ["DESCRIBE", "SELECT"],
                expressions: [
                    { key: "shop-test-layer", values: ["gold"] },
                    { key: "shop-test-classification", values: ["unclassified"] },
                ],
            },
        });
    });

    it("lets a grant that names pii see pii columns of its layers, and still no sensitive one", () => {
        expect(tagPolicies("arn:aws:iam::123456789012:role/support").TABLE.expressions).to.deep.equal([
            { key: "shop-test-layer", values: ["silver", "gold"] },
            { key: "shop-test-classification", values: ["unclassified", "pii"] },
        ]);
        expect(tagPolicies("arn:aws:iam::123456789012:role/spark").TABLE.expressions).to.deep.equal([
            { key: "shop-test-layer", values: ["silver"] },
            { key: "shop-test-classification", values: ["unclassified"] },
        ]);
    });

    it("gives consumers no S3 access to the data buckets and no IAM data grant, only GetDataAccess", () => {
        const data = ["bronze", "silver", "gold"].flatMap((l) => [run.outputs.bucketArns[l], `${run.outputs.bucketArns[l]}/*`]);
        for (const name of ["shop-query-grant-analyst", "shop-query-grant-support", "shop-read-grant-spark"]) {
            const doc = JSON.parse(named(T.rolePolicy, name).inputs.policy);
            const resources = doc.Statement.flatMap((s: any) => [].concat(s.Resource));
            expect(resources.filter((r: string) => data.includes(r)), name).to.deep.equal([]);
            expect(doc.Statement.find((s: any) => s.Sid === "LakeFormationDataAccess"), name).to.deep.include({ Action: ["lakeformation:GetDataAccess"], Resource: "*" });
        }
        // The query grant still reads and writes its results, encrypted with the lake key; the read grant needs no key.
        const query = JSON.parse(named(T.rolePolicy, "shop-query-grant-analyst").inputs.policy);
        expect(query.Statement.flatMap((s: any) => [].concat(s.Resource))).to.include.members([run.outputs.bucketArns["query-results"], run.outputs.kmsKeyArn]);
        const read = JSON.parse(named(T.rolePolicy, "shop-read-grant-spark").inputs.policy);
        expect(read.Statement.flatMap((s: any) => [].concat(s.Resource))).to.not.include(run.outputs.kmsKeyArn);
    });

    it("shares gold with each listed account: DESCRIBE on the gold database, SELECT on its unclassified columns", () => {
        for (const account of SHARED) {
            expect(grantsOf(account)).to.deep.equal(["database:shop_test_gold DESCRIBE"]);
            expect(tagPolicies(account)).to.deep.equal({
                TABLE: {
                    permissions: ["DESCRIBE", "SELECT"],
                    expressions: [
                        { key: "shop-test-layer", values: ["gold"] },
                        { key: "shop-test-classification", values: ["unclassified"] },
                    ],
                },
            });
        }
    });

    it("gives no principal anything on bronze but the bronze, silver and forget jobs", () => {
        const onBronze = ofType(res, T.permissions).filter(
            (p) => p.inputs.database?.name === "shop_test_bronze" || p.inputs.table?.databaseName === "shop_test_bronze" || p.inputs.lfTagPolicy?.expressions?.some((e: any) => e.values.includes("bronze")),
        );
        const forget = named(T.permissions, "shop-lf-forget-bronze-db").inputs.principal;
        expect([...new Set(onBronze.map((p) => p.inputs.principal))].sort()).to.deep.equal([run.outputs.jobRoleArns.bronze, run.outputs.jobRoleArns.silver, forget].sort());
    });
});
