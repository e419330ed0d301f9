/**
 * `MedallionLake`: the whole AWS medallion lake (storage, catalog, sources, jobs, orchestration,
 * query, IAM) from one validated config. Everything that decides how many resources exist is a
 * plain value checked before the first resource is registered; ids and ARNs the lake only passes on
 * (network, secrets, an existing KMS key) may be `pulumi.Input`s from other resources.
 *
 * Resource options: the caller's `opts` win. `protect` / `retainOnDelete` set there apply to every
 * child and override the config's; providers, aliases and transforms reach every child through
 * `parent` (context.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAlerts } from "./alerts";
import { AssetPlan, defaultScriptsDir, planAssets, uploadAssets } from "./assets";
import { createCatalog } from "./catalog";
import { checkedInput } from "./checked-input";
import { LakeConfig, LakeConfigError, LakeConfigInput, parseLakeConfig, SECURITY_GROUP_ID, SUBNET_ID } from "../model/config";
import { checkForceDestroy, createContext } from "./context";
import { GrantScope, queryGrantPolicy, readGrantPolicy } from "./grants";
import { createRoles, PolicyScope } from "./iam";
import { createJobs } from "./jobs";
import { createEncryption } from "./kms";
import { LakeSpec, lakeSpec } from "../model/lake-spec";
import { BUCKET_PURPOSES, BucketPurpose, LAYERS, Layer } from "../model/naming";
import { createOrchestration } from "./orchestration";
import { createQuery } from "./query";
import { createDashboard } from "./dashboard";
import { createQualityRulesets } from "./quality-rulesets";
import { createCrawlers, createSources } from "./sources";
import { createStorage } from "./storage";

export const MEDALLION_LAKE_TYPE = "medallion-lake:index:MedallionLake";

export interface MedallionLakeArgs {
    /**
     * The lake config, as in `medallion-lake:lake` (fields and defaults: docs/config-reference.md).
     * Required; validated once, by `parseLakeConfig`, before any resource is registered. Network ids,
     * `secretArn`s and `kmsKeyArn` may be `pulumi.Input`s; they are checked when their values are known.
     */
    config: LakeConfigInput;
    /** Environment name, normally the Pulumi stack name (`dev`, `prod`). Required; lowercase letters, digits, hyphens, at most 16 characters. */
    environment: string;
    /**
     * Values of the sources' `passwordSecret` config keys: a map keyed by the key exactly as written
     * in the config, or a function the component calls with each such key after validating the config.
     * Default `{}`: then every source must use `secretArn`. Stored only in a new, KMS-encrypted Secrets
     * Manager secret (and as a Pulumi secret in state).
     */
    passwords?: Record<string, pulumi.Input<string>> | PasswordLookup;
    /** Directory holding `bronze_job.py`, `silver_job.py`, `gold_job.py`, `requirements.txt` and the `medallion/` package. Default: the copy this package ships (`assets/glue-scripts/` of the installed `medallion-lake`). */
    scriptsDir?: string;
}

/** Returns the password stored under a `passwordSecret` key, or undefined when there is none. */
export type PasswordLookup = (passwordSecret: string) => pulumi.Input<string> | undefined;

/** The value of every `passwordSecret`, keyed by it. @throws LakeConfigError naming each missing key. */
export function resolvePasswords(config: LakeConfig, passwords: Record<string, pulumi.Input<string>> | PasswordLookup): Record<string, pulumi.Input<string>> {
    const lookup = typeof passwords === "function" ? passwords : (key: string) => passwords[key];
    const resolved: Record<string, pulumi.Input<string>> = {};
    const issues = config.sources.flatMap((s, i) => {
        if (!s.passwordSecret) return [];
        const value = lookup(s.passwordSecret);
        if (value === undefined) {
            const key = s.passwordSecret;
            return [{ path: `sources[${i}].passwordSecret`, message: `no value for Pulumi secret "${key}": run pulumi config set --secret ${key} <password>` }];
        }
        resolved[s.passwordSecret] = value;
        return [];
    });
    if (issues.length > 0) throw new LakeConfigError(issues);
    return resolved;
}

/** The connections' subnet and security groups the ENI permissions are scoped to; undefined without a VPC. */
function networkScope(config: LakeConfig): pulumi.Output<PolicyScope["network"]> {
    const network = config.network;
    if (!network) return pulumi.output(undefined);
    // Checked as createSources checks them: they end up in ARNs.
    const subnetId = checkedInput(network.subnetId, SUBNET_ID, "network.subnetId");
    const securityGroupIds = pulumi.all(network.securityGroupIds.map((id, i) => checkedInput(id, SECURITY_GROUP_ID, `network.securityGroupIds[${i}]`)));
    return pulumi.all([subnetId, securityGroupIds]).apply(([subnetId, securityGroupIds]) => ({ subnetId, securityGroupIds }));
}

/** Options of a grant. */
export interface GrantOptions {
    /** Suffix of the grant's logical name (`<lake>-<kind>-grant-<name>`). Default: its position among the lake's grants of that kind; name it to keep it stable when calls move. */
    name?: string;
}

/** Options of `grantQuery`. */
export interface QueryGrantOptions extends GrantOptions {
    /** Layers the role may query. Default `["gold"]`, the layer meant for consumers. */
    layers?: Layer[];
}

export class MedallionLake extends pulumi.ComponentResource {
    /** The validated config, defaults applied. */
    readonly config: LakeConfig;
    /** The lake spec uploaded for the Glue jobs. */
    readonly spec: LakeSpec;
    /** The buckets per purpose (bronze, silver, gold, query-results, assets, logs). */
    readonly buckets: Record<BucketPurpose, aws.s3.Bucket>;
    /** The lake's KMS key; undefined when the config names an existing key (`kmsKeyArn`). */
    readonly kmsKey: aws.kms.Key | undefined;
    /** The Athena workgroup every lake query runs in. */
    readonly workgroup: aws.athena.Workgroup;
    /** The Glue job per layer. */
    readonly jobs: Record<Layer, aws.glue.Job>;
    /** The IAM roles of the layer jobs and of the crawlers. */
    readonly roles: { jobs: Record<Layer, aws.iam.Role>; crawler: aws.iam.Role };
    /** ARN of the key the lake is encrypted with (its own or the configured one). */
    readonly kmsKeyArn: pulumi.Output<string>;
    /** `alias/<lake>-<env>` of the lake's own key; undefined with an existing key. */
    readonly kmsKeyAlias: pulumi.Output<string> | undefined;
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
    /** Glue Data Quality ruleset names by silver table (`<source>_<table>`); empty unless `dataQuality.publishRulesets`. */
    readonly qualityRulesetNames: Record<string, pulumi.Output<string>>;

    private readonly resourceName: string;
    private readonly childOpts: () => pulumi.CustomResourceOptions;
    private readonly grantScope: pulumi.Output<GrantScope>;
    private readonly grantCounts = { read: 0, query: 0 };

    constructor(name: string, args: MedallionLakeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate everything before super(): bad input must not register even the component.
        const config = parseLakeConfig(args.config);
        checkForceDestroy(config, opts);
        const spec = lakeSpec(config, args.environment);
        const passwords = resolvePasswords(config, args.passwords ?? {});
        const plan: AssetPlan = planAssets(args.scriptsDir ?? defaultScriptsDir(), spec, config.gold.models);

        super(MEDALLION_LAKE_TYPE, name, {}, opts);
        this.resourceName = name;
        this.config = config;
        this.spec = spec;

        const invokeOpts = { parent: this };
        const partition = aws.getPartitionOutput({}, invokeOpts);
        const ctx = createContext(
            this,
            name,
            config,
            args.environment,
            spec,
            {
                accountId: aws.getCallerIdentityOutput({}, invokeOpts).accountId,
                region: aws.getRegionOutput({}, invokeOpts).region,
                partition: partition.partition,
                dnsSuffix: partition.dnsSuffix,
            },
            opts,
        );

        const encryption = createEncryption(ctx);
        const keyArn = encryption.keyArn;
        const storage = createStorage(ctx, keyArn);
        const catalog = createCatalog(ctx, storage);
        const sources = createSources(ctx, keyArn, passwords);
        const assets = uploadAssets(ctx, plan, storage.assets.bucket, storage.assets.ready);

        const scope: pulumi.Output<PolicyScope> = pulumi
            .all([
                ctx.partition,
                ctx.region,
                ctx.accountId,
                pulumi.all(Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, storage[p].bucket.arn]))),
                keyArn,
                pulumi.all(sources.map((s) => s.connection.name)),
                pulumi.all(sources.map((s) => s.secretArn)),
                networkScope(config),
            ])
            .apply(([partition, region, accountId, bucketArns, keyArn, connectionNames, secretArns, network]) => ({
                partition,
                region,
                accountId,
                bucketArns: bucketArns as Record<BucketPurpose, string>,
                keyArn,
                databases: spec.databases,
                connectionNames,
                secretArns,
                caCertificates: config.sources.flatMap((s) => (s.caCertificate ? [s.caCertificate] : [])),
                network,
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
            keyArn,
            { bronze: catalog.bronze.name, silver: catalog.silver.name, gold: catalog.gold.name },
            storage["query-results"].ready,
        );

        const rulesets = createQualityRulesets(ctx, catalog.silver.name);
        const alerts = createAlerts(ctx, keyArn, jobs, crawlers);
        const dashboard = createDashboard(ctx, query.workgroup.name, alerts.alarms);

        const byPurpose = <T>(f: (p: BucketPurpose) => T) => Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, f(p)])) as Record<BucketPurpose, T>;
        const byLayer = <T>(f: (l: Layer) => T) => Object.fromEntries(LAYERS.map((l) => [l, f(l)])) as Record<Layer, T>;
        const bySource = <T>(f: (i: number) => T) => Object.fromEntries(config.sources.map((s, i) => [s.name, f(i)]));

        this.childOpts = () => ctx.opts();
        this.buckets = byPurpose((p) => storage[p].bucket);
        this.kmsKey = encryption.key;
        this.workgroup = query.workgroup;
        this.jobs = jobs;
        this.roles = { jobs: roles.jobs, crawler: roles.crawler };
        this.grantScope = pulumi
            .all([scope, query.workgroup.arn])
            .apply(([s, workgroupArn]) => ({ partition: s.partition, region: s.region, accountId: s.accountId, bucketArns: s.bucketArns, keyArn: s.keyArn, databases: s.databases, workgroupArn }));
        this.kmsKeyArn = keyArn;
        this.kmsKeyAlias = encryption.alias?.name;
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
        this.qualityRulesetNames = Object.fromEntries(Object.entries(rulesets).map(([table, r]) => [table, r.name]));
        this.registerOutputs(this.outputs());
    }

    /**
     * Lets `role` read one layer's tables and files directly (Glue catalog, S3, kms:Decrypt), for
     * Spark, EMR or another team's job. Returns the inline policy it attaches to the role.
     */
    grantRead(layer: Layer, role: aws.iam.Role, options: GrantOptions = {}): aws.iam.RolePolicy {
        if (!LAYERS.includes(layer)) throw new Error(`grantRead: unknown layer "${String(layer)}", expected one of ${LAYERS.join(", ")}`);
        return this.grant("read", role, options, this.grantScope.apply((s) => readGrantPolicy(layer, s)));
    }

    /**
     * Lets `role` run queries in the lake's Athena workgroup over `layers` (default gold) and read
     * their results, nothing else. Returns the inline policy it attaches to the role.
     */
    grantQuery(role: aws.iam.Role, options: QueryGrantOptions = {}): aws.iam.RolePolicy {
        const layers = options.layers ?? ["gold"];
        const unknown = layers.filter((l) => !LAYERS.includes(l));
        if (unknown.length > 0 || layers.length === 0) throw new Error(`grantQuery: layers must be some of ${LAYERS.join(", ")}, got [${layers.join(", ")}]`);
        return this.grant("query", role, options, this.grantScope.apply((s) => queryGrantPolicy(layers, s)));
    }

    private grant(kind: "read" | "query", role: aws.iam.Role, options: GrantOptions, policy: pulumi.Output<object>): aws.iam.RolePolicy {
        const suffix = options.name ?? String(++this.grantCounts[kind]);
        return new aws.iam.RolePolicy(
            `${this.resourceName}-${kind}-grant-${suffix}`,
            { role: role.id, policy: policy.apply((d) => JSON.stringify(d)) },
            this.childOpts(),
        );
    }

    /** Every name and ARN a user or service needs, as one object (the stack exports it). */
    outputs(): Record<string, unknown> {
        return {
            environment: this.spec.environment,
            kmsKeyArn: this.kmsKeyArn,
            // No alias with an existing key (config kmsKeyArn); an undefined output would only warn.
            ...(this.kmsKeyAlias ? { kmsKeyAlias: this.kmsKeyAlias } : {}),
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
            qualityRulesetNames: this.qualityRulesetNames,
        };
    }
}
