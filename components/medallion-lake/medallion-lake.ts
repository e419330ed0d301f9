/**
 * `MedallionLake`: the whole AWS medallion lake (storage, catalog, sources, jobs, orchestration,
 * query, IAM) from one validated config. Everything that decides how many resources exist is a
 * plain value checked before the first resource is registered.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAlerts } from "./alerts";
import { AssetPlan, DEFAULT_SCRIPTS_DIR, planAssets, uploadAssets } from "./assets";
import { createCatalog } from "./catalog";
import { LakeConfig, LakeConfigError, parseLakeConfig } from "./config";
import { createContext } from "./context";
import { createRoles, PolicyScope } from "./iam";
import { createJobs } from "./jobs";
import { createEncryption } from "./kms";
import { LakeSpec, lakeSpec } from "./lake-spec";
import { BUCKET_PURPOSES, BucketPurpose, LAYERS, Layer } from "./naming";
import { createOrchestration } from "./orchestration";
import { createQuery } from "./query";
import { createDashboard } from "./dashboard";
import { createCrawlers, createSources } from "./sources";
import { createStorage } from "./storage";

export const MEDALLION_LAKE_TYPE = "medallion-lake:index:MedallionLake";

export interface MedallionLakeArgs {
    /** The raw `medallion-lake:lake` config object. Required; validated by `parseLakeConfig` (fields and defaults: README.md#config-reference). */
    config: unknown;
    /** Environment name, normally the Pulumi stack name (`dev`, `prod`). Required; lowercase letters, digits, hyphens, at most 16 characters. */
    environment: string;
    /**
     * Values of the sources' `passwordSecret` config keys, keyed by the key exactly as written in the
     * config. Default `{}`: then every source must use `secretArn`. Stored only in a new, KMS-encrypted
     * Secrets Manager secret (and as a Pulumi secret in state).
     */
    passwords?: Record<string, pulumi.Input<string>>;
    /** Directory holding `bronze_job.py`, `silver_job.py`, `gold_job.py` and the `medallion/` package. Default: the repository's `glue-scripts/`. */
    scriptsDir?: string;
}

/** Checks that every `passwordSecret` has a value. @throws LakeConfigError naming each missing key. */
export function checkPasswords(config: LakeConfig, passwords: Record<string, unknown>): void {
    const issues = config.sources.flatMap((s, i) =>
        s.passwordSecret && passwords[s.passwordSecret] === undefined
            ? [{ path: `sources[${i}].passwordSecret`, message: `no value for Pulumi secret "${s.passwordSecret}": run pulumi config set --secret ${s.passwordSecret} <password>` }]
            : [],
    );
    if (issues.length > 0) throw new LakeConfigError(issues);
}

export class MedallionLake extends pulumi.ComponentResource {
    /** The validated config, defaults applied. */
    readonly config: LakeConfig;
    /** The lake spec uploaded for the Glue jobs. */
    readonly spec: LakeSpec;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly kmsKeyAlias: pulumi.Output<string>;
    /** Bucket names per purpose (bronze, silver, gold, query-results, assets, logs). */
    readonly bucketNames: Record<BucketPurpose, pulumi.Output<string>>;
    readonly bucketArns: Record<BucketPurpose, pulumi.Output<string>>;
    /** Glue catalog database names (source metadata and one per layer). */
    readonly databaseNames: Record<"source" | Layer, pulumi.Output<string>>;
    readonly connectionNames: Record<string, pulumi.Output<string>>;
    /** Crawler names per source. */
    readonly crawlerNames: Record<string, pulumi.Output<string>>;
    readonly crawlerArns: Record<string, pulumi.Output<string>>;
    readonly jobNames: Record<Layer, pulumi.Output<string>>;
    readonly jobArns: Record<Layer, pulumi.Output<string>>;
    readonly jobRoleArns: Record<Layer, pulumi.Output<string>>;
    readonly crawlerRoleArn: pulumi.Output<string>;
    readonly securityConfigurationName: pulumi.Output<string>;
    readonly workflowName: pulumi.Output<string>;
    readonly workflowArn: pulumi.Output<string>;
    readonly workgroupName: pulumi.Output<string>;
    readonly workgroupArn: pulumi.Output<string>;
    /** Athena named query ids by query name. */
    readonly namedQueryIds: Record<string, pulumi.Output<string>>;
    /** `s3://` URI of the uploaded lake spec. */
    readonly lakeSpecUri: pulumi.Output<string>;
    /** Secrets Manager secret ARN per source. */
    readonly sourceSecretArns: Record<string, pulumi.Output<string>>;
    /** The SNS topic failed runs, crawls and alarms notify. */
    readonly alertTopicArn: pulumi.Output<string>;
    readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: MedallionLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate everything before super(): bad input must not register even the component.
        const config = parseLakeConfig(args.config);
        const spec = lakeSpec(config, args.environment);
        const passwords = args.passwords ?? {};
        checkPasswords(config, passwords);
        const plan: AssetPlan = planAssets(args.scriptsDir ?? DEFAULT_SCRIPTS_DIR, spec, config.gold.models);

        super(MEDALLION_LAKE_TYPE, name, {}, opts);
        this.config = config;
        this.spec = spec;

        const invokeOpts = { parent: this };
        const ctx = createContext(this, name, config, args.environment, spec, {
            accountId: aws.getCallerIdentityOutput({}, invokeOpts).accountId,
            region: aws.getRegionOutput({}, invokeOpts).region,
            partition: aws.getPartitionOutput({}, invokeOpts).partition,
        });

        const encryption = createEncryption(ctx);
        const storage = createStorage(ctx, encryption.key.arn);
        const catalog = createCatalog(ctx, storage);
        const sources = createSources(ctx, encryption.key.arn, passwords);
        const assets = uploadAssets(ctx, plan, storage.assets.bucket, storage.assets.ready);

        const scope: pulumi.Output<PolicyScope> = pulumi
            .all([
                ctx.partition,
                ctx.region,
                ctx.accountId,
                pulumi.all(Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, storage[p].bucket.arn]))),
                encryption.key.arn,
                pulumi.all(sources.map((s) => s.connection.name)),
                pulumi.all(sources.map((s) => s.secretArn)),
            ])
            .apply(([partition, region, accountId, bucketArns, keyArn, connectionNames, secretArns]) => ({
                partition,
                region,
                accountId,
                bucketArns: bucketArns as Record<BucketPurpose, string>,
                keyArn,
                databases: spec.databases,
                connectionNames,
                secretArns,
                caCertificates: config.sources.flatMap((s) => (s.caCertificate ? [s.caCertificate] : [])),
                vpc: config.network !== undefined,
                metricsNamespace: spec.metricsNamespace,
            }));
        const roles = createRoles(ctx, scope);

        const crawlers = createCrawlers(ctx, sources, roles.crawler.arn, catalog.source.name, encryption.securityConfiguration.name);
        const jobs = createJobs(ctx, {
            assets,
            assetsBucket: storage.assets.bucket.bucket,
            layerBuckets: { bronze: storage.bronze.bucket.bucket, silver: storage.silver.bucket.bucket, gold: storage.gold.bucket.bucket },
            roles: roles.jobs,
            policies: roles.policies,
            securityConfiguration: encryption.securityConfiguration.name,
            connectionNames: sources.map((s) => s.connection.name),
        });
        const orchestration = createOrchestration(ctx, crawlers, jobs);
        const query = createQuery(
            ctx,
            storage["query-results"].bucket.bucket,
            encryption.key.arn,
            { bronze: catalog.bronze.name, silver: catalog.silver.name, gold: catalog.gold.name },
            storage["query-results"].ready,
        );

        const alerts = createAlerts(ctx, encryption.key.arn, jobs, crawlers);
        const dashboard = createDashboard(ctx, query.workgroup.name, alerts.alarms);

        const byPurpose = <T>(f: (p: BucketPurpose) => T) => Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, f(p)])) as Record<BucketPurpose, T>;
        const byLayer = <T>(f: (l: Layer) => T) => Object.fromEntries(LAYERS.map((l) => [l, f(l)])) as Record<Layer, T>;
        const bySource = <T>(f: (i: number) => T) => Object.fromEntries(config.sources.map((s, i) => [s.name, f(i)]));

        this.kmsKeyArn = encryption.key.arn;
        this.kmsKeyAlias = encryption.alias.name;
        this.bucketNames = byPurpose((p) => storage[p].bucket.bucket);
        this.bucketArns = byPurpose((p) => storage[p].bucket.arn);
        this.databaseNames = { source: catalog.source.name, ...byLayer((l) => catalog[l].name) };
        this.connectionNames = bySource((i) => sources[i].connection.name);
        this.crawlerNames = bySource((i) => crawlers[i].name);
        this.crawlerArns = bySource((i) => crawlers[i].arn);
        this.sourceSecretArns = bySource((i) => sources[i].secretArn);
        this.jobNames = byLayer((l) => jobs[l].name);
        this.jobArns = byLayer((l) => jobs[l].arn);
        this.jobRoleArns = byLayer((l) => roles.jobs[l].arn);
        this.crawlerRoleArn = roles.crawler.arn;
        this.securityConfigurationName = encryption.securityConfiguration.name;
        this.workflowName = orchestration.workflow.name;
        this.workflowArn = orchestration.workflow.arn;
        this.workgroupName = query.workgroup.name;
        this.workgroupArn = query.workgroup.arn;
        this.namedQueryIds = Object.fromEntries(query.namedQueries.map((q) => [q.name, q.id] as const)) as Record<string, pulumi.Output<string>>;
        this.lakeSpecUri = assets.lakeSpec;
        this.alertTopicArn = alerts.topic.arn;
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs(this.outputs());
    }

    /** Every name and ARN a user or service needs, as one object (the stack exports it). */
    outputs(): Record<string, unknown> {
        return {
            environment: this.spec.environment,
            kmsKeyArn: this.kmsKeyArn,
            kmsKeyAlias: this.kmsKeyAlias,
            bucketNames: this.bucketNames,
            bucketArns: this.bucketArns,
            databaseNames: this.databaseNames,
            connectionNames: this.connectionNames,
            crawlerNames: this.crawlerNames,
            crawlerArns: this.crawlerArns,
            sourceSecretArns: this.sourceSecretArns,
            jobNames: this.jobNames,
            jobArns: this.jobArns,
            jobRoleArns: this.jobRoleArns,
            crawlerRoleArn: this.crawlerRoleArn,
            securityConfigurationName: this.securityConfigurationName,
            workflowName: this.workflowName,
            workflowArn: this.workflowArn,
            workgroupName: this.workgroupName,
            workgroupArn: this.workgroupArn,
            namedQueryIds: this.namedQueryIds,
            lakeSpecUri: this.lakeSpecUri,
            alertTopicArn: this.alertTopicArn,
            dashboardName: this.dashboardName,
        };
    }
}
