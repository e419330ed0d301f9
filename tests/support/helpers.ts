/** Shared fixtures for the component tests: stack configs from the real YAML files, mocked runs. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { expect } from "chai";
import { LakeConfigError, parseLakeConfig } from "medallion-lake";
import { MockResource, MockRunResult, runUnderMocks } from "../../local-lake/lib/mock-run";
import { loadStackConfig, PROJECT_ROOT } from "../../stacks/stack-config";
import { createLake } from "../../stacks/program";

/** Plaintext test passwords for the stacks' passwordSecret keys; must never appear outside a secret. */
export const TEST_PASSWORDS: Record<string, string> = {
    "medallion-lake:ecommDbPassword": "ecomm-Pa55word-not-in-state",
    "medallion-lake:saasDbPassword": "saas-Pa55word-not-in-state",
    "medallion-lake:crmDbPassword": "crm-Pa55word-not-in-state",
};

/** The raw `medallion-lake:lake` object as `Pulumi.<env>.yaml` has it (naming its table catalog), read independently of the code under test. */
export function stackLake(env: string): any {
    return YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${env}.yaml`), "utf8")).config["medallion-lake:lake"];
}

/**
 * The lake of `Pulumi.<env>.yaml` as one self-contained config: its catalog's tables written into
 * the sources and its gold models by absolute path, without `catalog` (read independently of the
 * code under test), for tests that change a table.
 */
export function rawLake(env: string): any {
    const { catalog: named, ...lake } = stackLake(env);
    const file = path.join(PROJECT_ROOT, named);
    const catalog = YAML.parse(fs.readFileSync(file, "utf8"));
    return {
        ...lake,
        sources: lake.sources.map((s: any) => ({ ...s, tables: catalog.sources.find((c: any) => c.name === s.name).tables })),
        gold: { models: path.resolve(path.dirname(file), catalog.gold.models) },
    };
}

/** Runs the real program (`createLake`) for a stack under mocks. */
export async function runStack(env: string, lakeOverride?: unknown): Promise<MockRunResult> {
    const { config, secretKeys } = loadStackConfig(env);
    if (lakeOverride !== undefined) config["medallion-lake:lake"] = lakeOverride;
    return runUnderMocks({
        stack: env,
        config: { ...config, ...TEST_PASSWORDS },
        secretKeys: [...secretKeys, ...Object.keys(TEST_PASSWORDS)],
        program: () => createLake({ baseDir: PROJECT_ROOT }).outputs(),
    });
}

export function ofType(resources: MockResource[], type: string): MockResource[] {
    return resources.filter((r) => r.type === type);
}

export function one(resources: MockResource[], type: string, name: string): MockResource {
    const found = resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

/** A minimal valid lake config with `tablesPerSource` mysql tables per source. */
export function syntheticLake(sources: number, tablesPerSource: number): any {
    return {
        name: "synth",
        sources: Array.from({ length: sources }, (_, s) => ({
            name: `src${s}`,
            engine: "mysql",
            host: `db${s}.internal`,
            database: "shop",
            secretArn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:src${s}-AbCdEf`,
            tables: Array.from({ length: tablesPerSource }, (_, t) => `table${t}`),
        })),
        protect: false,
    };
}

/** The problems `parseLakeConfig` reports for `raw`, as `path: message` lines; fails when it accepts it. */
export function configIssues(raw: unknown): string[] {
    try {
        parseLakeConfig(raw, PROJECT_ROOT);
    } catch (e) {
        expect(e).to.be.instanceOf(LakeConfigError);
        return (e as LakeConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("expected parseLakeConfig to throw");
}

/**
 * The `--conf` value of an Iceberg job on Glue whose warehouse is `warehouse`, written out here (not
 * by the code under test) in the form AWS documents: one key, the settings joined by " --conf ".
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-iceberg.html
 */
export function icebergConf(warehouse: string): string {
    return (
        "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions" +
        " --conf spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog" +
        " --conf spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog" +
        " --conf spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO" +
        ` --conf spark.sql.catalog.glue_catalog.warehouse=${warehouse}`
    );
}

/** The account, buckets, key and databases of a lake `l` in eu-west-1, as the pure policy builders take them. */
export const LAKE_L_SCOPE = {
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
};
