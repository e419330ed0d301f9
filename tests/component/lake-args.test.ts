/**
 * The pure halves of the multi-language component: the args' mapping to the config (lake-args.ts)
 * and the grants' checks of a role and of a lake's outputs (lake-grants.ts).
 */
import { expect } from "chai";
import { LakeDefinition, lakeConfigFromArgs, LakeConfigError, parseLakeConfig } from "../../packages/medallion-lake/src";
import { grantLayers, grantRoleName, grantScopeFromTarget, ResolvedGrantTarget } from "../../packages/medallion-lake/src/component/lake-grants";

const source = <T,>(tables: T[]) => ({ name: "orders", engine: "postgres" as const, host: "db.internal", database: "orders", secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-AbCdEf", tables });

describe("lakeConfigFromArgs", () => {
    it("drops undefined fields, which the config's strict objects would refuse as unknown", () => {
        const args: LakeDefinition = {
            name: "shop",
            schedule: undefined,
            sources: [source([{ name: "public.orders", primaryKey: ["id"], watermarkColumn: undefined, columns: { id: { type: "bigint" }, at: { type: "timestamp", format: "yyyy-MM-dd" } } }])],
        };
        expect(lakeConfigFromArgs(args)).to.deep.equal({
            name: "shop",
            sources: [{ ...source([]), tables: [{ name: "public.orders", primaryKey: ["id"], columns: { id: { type: "bigint" }, at: { type: "timestamp", format: "yyyy-MM-dd" } } }] }],
        });
    });

    it("gives the config validation a rule of another check's field, which it refuses with the rule's path", () => {
        const args: LakeDefinition = { name: "shop", sources: [source([{ name: "public.orders", columns: { id: { type: "int" } }, rules: [{ check: "notNull", column: "id", min: 1 }] }])] };
        expect(() => parseLakeConfig(lakeConfigFromArgs(args), undefined))
            .to.throw(LakeConfigError)
            .with.property("issues")
            .that.deep.includes({ path: "sources[0].tables[0].rules[0].min", message: "unknown field" });
    });

    it("maps gold.modelsFolder to the config's folder form, and refuses it together with models", () => {
        expect(lakeConfigFromArgs({ name: "shop", sources: [], gold: { modelsFolder: "/srv/gold" } }).gold).to.deep.equal({ models: "/srv/gold" });
        expect(lakeConfigFromArgs({ name: "shop", sources: [], gold: { models: ["/srv/a.sql"] } }).gold).to.deep.equal({ models: ["/srv/a.sql"] });
        expect(() => lakeConfigFromArgs({ name: "shop", sources: [], gold: { modelsFolder: "/srv/gold", models: ["/srv/a.sql"] } }))
            .to.throw(LakeConfigError)
            .with.property("issues")
            .that.deep.equals([{ path: "gold.modelsFolder", message: "set either modelsFolder or models, not both" }]);
    });

    it("passes the stack file's shorthands through unchanged, to the schema that takes them", () => {
        const raw = { name: "shop", sources: [source(["public.orders", { name: "public.items", watermarkColumn: "id", primaryKey: ["id"], reconcile: "keys", columns: { id: "int" } }])] };
        expect(lakeConfigFromArgs(raw as unknown as LakeDefinition)).to.deep.equal(raw);
    });
});

describe("grants from a role name or ARN and a lake's outputs", () => {
    const target: ResolvedGrantTarget = {
        bucketArns: { bronze: "arn:aws:s3:::shop-dev-bronze-k3x9q2ab", silver: "arn:aws:s3:::shop-dev-silver-k3x9q2ab", gold: "arn:aws:s3:::shop-dev-gold-k3x9q2ab", "query-results": "arn:aws:s3:::shop-dev-query-results-k3x9q2ab" },
        databaseNames: { source: "shop_dev_source", bronze: "shop_dev_bronze", silver: "shop_dev_silver", gold: "shop_dev_gold" },
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0b0e3b9c-1f2d-4c5e-9a8b-7c6d5e4f3a2b",
        workgroupArn: "arn:aws:athena:eu-west-1:123456789012:workgroup/shop-dev",
    };

    it("takes a role name, or the name of a role ARN with or without a path", () => {
        expect(grantRoleName("bi-reader")).to.equal("bi-reader");
        expect(grantRoleName("arn:aws:iam::123456789012:role/bi-reader")).to.equal("bi-reader");
        expect(grantRoleName("arn:aws-us-gov:iam::123456789012:role/teams/bi/bi-reader")).to.equal("bi-reader");
    });

    it("refuses what is neither, naming the value", () => {
        for (const bad of ["", "bi reader", "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::*:role/x", "r".repeat(65)]) {
            expect(() => grantRoleName(bad), bad).to.throw(/^role: expected an IAM role name .* got "/);
        }
    });

    it("scopes the grant to the partition, Region and account the workgroup ARN names", () => {
        const scope = grantScopeFromTarget(target);
        expect([scope.partition, scope.region, scope.accountId]).to.deep.equal(["aws", "eu-west-1", "123456789012"]);
        expect(scope.databases.gold).to.equal("shop_dev_gold");
        expect(scope.bucketArns["query-results"]).to.equal("arn:aws:s3:::shop-dev-query-results-k3x9q2ab");
    });

    it("refuses wildcards, missing layers and a key of another Region, listing each", () => {
        const bad = {
            ...target,
            bucketArns: { ...target.bucketArns, gold: "arn:aws:s3:::*" },
            databaseNames: { bronze: "shop_dev_bronze", silver: "shop_dev_silver" },
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/0b0e3b9c-1f2d-4c5e-9a8b-7c6d5e4f3a2b",
        };
        expect(() => grantScopeFromTarget(bad)).to.throw(
            [
                "the lake's outputs for a grant are not valid:",
                '  lake.bucketArns.gold: expected an S3 bucket ARN (arn:aws:s3:::<bucket>), got "arn:aws:s3:::*"',
                "  lake.databaseNames.gold: expected a Glue database name (lowercase letters, digits and _), got undefined",
                `  lake.kmsKeyArn: the key must be in the lake's partition, Region and account (aws, eu-west-1, 123456789012, from lake.workgroupArn), got "${bad.kmsKeyArn}"`,
            ].join("\n"),
        );
        expect(() => grantScopeFromTarget({ ...target, workgroupArn: "arn:aws:athena:eu-west-1:123456789012:workgroup/*" })).to.throw(/lake\.workgroupArn: expected an Athena workgroup ARN/);
    });

    it("queries gold by default, and refuses no layer or an unknown one", () => {
        expect(grantLayers(undefined)).to.deep.equal(["gold"]);
        expect(() => grantLayers([])).to.throw(/layers must be some of bronze, silver, gold, got \[\]/);
        expect(() => grantLayers(["platinum"])).to.throw(/got \[platinum\]/);
    });
});
