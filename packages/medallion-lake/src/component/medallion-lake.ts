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
import { LakeConfig, LakeConfigError, parseLakeConfig, SECURITY_GROUP_ID, SUBNET_ID } from "../model/config";
import { checkForceDestroy, createContext } from "./context";
import { GrantScope, queryGrantPolicy, readGrantPolicy } from "./grants";
import { LakeDefinition, lakeConfigFromArgs } from "./lake-args";
import { attachGrant, grantLayers } from "./lake-grants";
import { createRoles, PolicyDocument, PolicyScope } from "./iam";
import { createJobs } from "./jobs";
import { createForgetJob, forgetScriptFiles } from "./forget-job";
import { createEncryption } from "./kms";
import { LakeSpec, lakeSpec } from "../model/lake-spec";
import { BUCKET_PURPOSES, BucketPurpose, LAYERS, Layer } from "../model/naming";
import { createOrchestration } from "./orchestration";
import { createQuery } from "./query";
import { createDashboard } from "./dashboard";
import { createQualityRulesets } from "./quality-rulesets";
import { createCrawlers, createSources } from "./sources";
import { createStorage } from "./storage";
import { createConsumerGrant, createLakeFormationAccess, createLakeFormationSettings, LakeFormation, lakeFormationGrantPolicy } from "./lake-formation";
import { Classification } from "../model/classification";

export const MEDALLION_LAKE_TYPE = "medallion-lake:index:MedallionLake";

/**
 * The component's args, shaped for Pulumi's schema inference (lake-args.ts) so that the same
 * component serves TypeScript and, through `pulumi package add`, Python, Go, .NET, Java and YAML.
 */
export interface MedallionLakeArgs {
    /**
     * The lake config: the fields of `medallion-lake:lake` (docs/config-reference.md), each
     * shorthand in its object form. Required; validated once, by `parseLakeConfig`, before any
     * resource is registered. Network ids, `secretArn`s and `kmsKeyArn` may be Inputs; they are
     * checked when their values are known.
     */
    config: LakeDefinition;
    /** Environment name, normally the Pulumi stack name (`dev`, `prod`). Required; lowercase letters, digits, hyphens, at most 16 characters. */
    environment: string;
    /**
     * Values of the sources' `passwordSecret` keys, keyed by the key exactly as written in the
     * config. Default: none, then every source must use `secretArn`. Stored only in a new,
     * KMS-encrypted Secrets Manager secret (and as a Pulumi secret in state).
     */
    passwords?: { [passwordSecret: string]: pulumi.Input<string> };
    /**
     * Absolute folder the config's relative paths (`catalog`, `gold.models`) start at: the folder of the
     * file the config came from (the stack file's, for `Pulumi.<stack>.yaml`), or the Pulumi project
     * folder. Default: none, and a relative path in the config is an error (never the working directory).
     */
    baseDir?: string;
    /** Directory holding the Glue entry scripts (`bronze_job.py`, `silver_job.py`, `gold_job.py`, `forget_job.py`), `requirements.txt` and the `medallion/` package. Default: the copy this package ships (`assets/glue-scripts/` of the installed `medallion-lake`). */
    scriptsDir?: string;
}

/** The value of every `passwordSecret`, keyed by it. @throws LakeConfigError naming each missing key. */
export function resolvePasswords(config: LakeConfig, passwords: Record<string, pulumi.Input<string>>): Record<string, pulumi.Input<string>> {
    const resolved: Record<string, pulumi.Input<string>> = {};
    const issues = config.sources.flatMap((s, i) => {
        if (!s.passwordSecret) return [];
        const value = Object.hasOwn(passwords, s.passwordSecret) ? passwords[s.passwordSecret] : undefined;
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
    /**
     * Lake Formation mode: the classifications whose columns the grant may also read (`pii`,
     * `sensitive`). Default: none, the classified columns are excluded. Refused in IAM mode, whose
     * grants cover whole tables.
     */
    classifications?: Classification[];
    /** Suffix of the grant's logical name (`<lake>-<kind>-grant-<name>`). Default: its position among the lake's grants of that kind; name it to keep it stable when calls move. */
    name?: string;
}

/** Options of `grantQuery`. */
export interface QueryGrantOptions extends GrantOptions {
    /** Layers the role may query. Default `["gold"]`, the layer meant for consumers. */
    layers?: Layer[];
}

/** A value per layer (`bronze`, `silver`, `gold`). */
export interface LayerOutputs {
    /** Of the bronze layer. */
    bronze: pulumi.Output<string>;
    /** Of the silver layer. */
    silver: pulumi.Output<string>;
    /** Of the gold layer. */
    gold: pulumi.Output<string>;
}

/** The Glue catalog databases: the crawlers' source metadata and one per layer. */
export interface DatabaseOutputs extends LayerOutputs {
    /** The crawled source tables. */
    source: pulumi.Output<string>;
}

/**
 * What the lake holds besides its outputs. Kept off the class's properties: Pulumi's schema
 * inference reads every property of a component class as one of its outputs, and these (resources
 * keyed by purpose, the parsed config) have no schema type; the class exposes them as getters.
 */
interface LakeState {
    name: string;
    config: LakeConfig;
    spec: LakeSpec;
    buckets: Record<BucketPurpose, aws.s3.Bucket>;
    kmsKey: aws.kms.Key | undefined;
    workgroup: aws.athena.Workgroup;
    jobs: Record<Layer, aws.glue.Job>;
    forgetJob: aws.glue.Job;
    roles: { jobs: Record<Layer, aws.iam.Role>; crawler: aws.iam.Role };
    childOpts: () => pulumi.CustomResourceOptions;
    grantScope: pulumi.Output<GrantScope>;
    grantCounts: { read: number; query: number };
    /** Lake Formation mode's settings and tags; undefined in IAM mode. */
    lakeFormation: LakeFormation | undefined;
}
const states = new WeakMap<MedallionLake, LakeState>();
const stateOf = (lake: MedallionLake): LakeState => states.get(lake)!;

/**
 * The whole AWS medallion lake of one environment: S3 buckets (bronze Avro, silver and gold
 * Iceberg), the Glue catalog, connections, crawlers, jobs and workflow, the Athena workgroup, IAM
 * roles, encryption and alerts, from one validated config.
 */
export class MedallionLake extends pulumi.ComponentResource {
    /** The environment the lake is built for. */
    readonly environment: string;
    /** Name of the erasure job, run on demand (docs/erasure.md). */
    readonly forgetJobName: pulumi.Output<string>;
    /** ARN of the key the lake is encrypted with (its own or the configured one). */
    readonly kmsKeyArn: pulumi.Output<string>;
    /** `alias/<lake>-<env>` of the lake's own key; undefined with an existing key. */
    readonly kmsKeyAlias: pulumi.Output<string> | undefined;
    /** Bucket names per purpose (bronze, silver, gold, query-results, assets, logs). */
    readonly bucketNames: { [purpose: string]: pulumi.Output<string> };
    /** Bucket ARNs per purpose (bronze, silver, gold, query-results, assets, logs). */
    readonly bucketArns: { [purpose: string]: pulumi.Output<string> };
    /** Glue catalog database names (source metadata and one per layer). */
    readonly databaseNames: DatabaseOutputs;
    /** Glue connection name per source. */
    readonly connectionNames: { [source: string]: pulumi.Output<string> };
    /** Crawler names per source. */
    readonly crawlerNames: { [source: string]: pulumi.Output<string> };
    /** Crawler ARNs per source. */
    readonly crawlerArns: { [source: string]: pulumi.Output<string> };
    /** Glue job name per layer. */
    readonly jobNames: LayerOutputs;
    /** Glue job ARN per layer. */
    readonly jobArns: LayerOutputs;
    /** ARN of each layer job's IAM role. */
    readonly jobRoleArns: LayerOutputs;
    /** ARN of the crawlers' IAM role. */
    readonly crawlerRoleArn: pulumi.Output<string>;
    /** Name of the Glue security configuration (encryption of logs, bookmarks and Spark UI). */
    readonly securityConfigurationName: pulumi.Output<string>;
    /** Name of the Glue workflow that runs the crawlers and the jobs. */
    readonly workflowName: pulumi.Output<string>;
    /** ARN of the Glue workflow. */
    readonly workflowArn: pulumi.Output<string>;
    /** Name of the Athena workgroup every lake query runs in. */
    readonly workgroupName: pulumi.Output<string>;
    /** ARN of the Athena workgroup (what LakeQueryGrant takes). */
    readonly workgroupArn: pulumi.Output<string>;
    /** Athena named query ids by query name. */
    readonly namedQueryIds: { [query: string]: pulumi.Output<string> };
    /** `s3://` URI of the uploaded lake spec. */
    readonly lakeSpecUri: pulumi.Output<string>;
    /** Secrets Manager secret ARN per source. */
    readonly sourceSecretArns: { [source: string]: pulumi.Output<string> };
    /** The SNS topic failed runs, crawls and alarms notify. */
    readonly alertTopicArn: pulumi.Output<string>;
    /** Name of the CloudWatch dashboard. */
    readonly dashboardName: pulumi.Output<string>;
    /** Glue Data Quality ruleset names by silver table (`<source>_<table>`); empty unless `dataQuality.publishRulesets`. */
    readonly qualityRulesetNames: { [table: string]: pulumi.Output<string> };

    /** The validated config, defaults applied. */
    get config(): LakeConfig {
        return stateOf(this).config;
    }
    /** The lake spec uploaded for the Glue jobs. */
    get spec(): LakeSpec {
        return stateOf(this).spec;
    }
    /** The buckets per purpose (bronze, silver, gold, query-results, assets, logs). */
    get buckets(): Record<BucketPurpose, aws.s3.Bucket> {
        return stateOf(this).buckets;
    }
    /** The lake's KMS key; undefined when the config names an existing key (`kmsKeyArn`). */
    get kmsKey(): aws.kms.Key | undefined {
        return stateOf(this).kmsKey;
    }
    /** The Athena workgroup every lake query runs in. */
    get workgroup(): aws.athena.Workgroup {
        return stateOf(this).workgroup;
    }
    /** The Glue job per layer. */
    get jobs(): Record<Layer, aws.glue.Job> {
        return stateOf(this).jobs;
    }
    /** The erasure job, run on demand (docs/erasure.md). */
    get forgetJob(): aws.glue.Job {
        return stateOf(this).forgetJob;
    }
    /** The IAM roles of the layer jobs and of the crawlers. */
    get roles(): { jobs: Record<Layer, aws.iam.Role>; crawler: aws.iam.Role } {
        return stateOf(this).roles;
    }

    constructor(name: string, args: MedallionLakeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Validate everything before super(): bad input must not register even the component.
        const config = parseLakeConfig(lakeConfigFromArgs(args.config), args.baseDir);
        checkForceDestroy(config, opts);
        const spec = lakeSpec(config, args.environment);
        const passwords = resolvePasswords(config, args.passwords ?? {});
        const plan: AssetPlan = planAssets(args.scriptsDir ?? defaultScriptsDir(), spec, config.gold.models);
        const forgetScripts = forgetScriptFiles(args.scriptsDir ?? defaultScriptsDir());

        super(MEDALLION_LAKE_TYPE, name, {}, opts);
        this.environment = spec.environment;

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
        const lakeFormation = config.governance.lakeFormation ? createLakeFormationSettings(ctx) : undefined;
        const catalog = createCatalog(ctx, storage, lakeFormation ? [lakeFormation.settings] : []);
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
        const forget = createForgetJob(ctx, {
            assets,
            assetsBucket: storage.assets.bucket,
            assetsReady: storage.assets.ready,
            layerBuckets: { bronze: storage.bronze.bucket.bucket, silver: storage.silver.bucket.bucket, gold: storage.gold.bucket.bucket },
            scope,
            securityConfiguration: encryption.securityConfiguration.name,
            scriptFiles: forgetScripts,
        });
        if (lakeFormation) {
            const bucketArns = { bronze: storage.bronze.bucket.arn, silver: storage.silver.bucket.arn, gold: storage.gold.bucket.arn };
            createLakeFormationAccess(ctx, lakeFormation, { catalog, bucketArns, keyArn, roles: { ...roles.jobs, crawler: roles.crawler, forget: forget.role } });
        }
        const orchestration = createOrchestration(ctx, crawlers, jobs);
        const query = createQuery(
            ctx,
            storage["query-results"].bucket.bucket,
            keyArn,
            { bronze: catalog.bronze.name, silver: catalog.silver.name, gold: catalog.gold.name },
            storage["query-results"].ready,
        );

        const rulesets = createQualityRulesets(ctx, catalog.silver.name);
        const alerts = createAlerts(ctx, keyArn, [...Object.values(jobs), forget.job], crawlers);
        const dashboard = createDashboard(ctx, query.workgroup.name, alerts.alarms);

        const byPurpose = <T>(f: (p: BucketPurpose) => T) => Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, f(p)])) as Record<BucketPurpose, T>;
        const byLayer = <T>(f: (l: Layer) => T) => Object.fromEntries(LAYERS.map((l) => [l, f(l)])) as Record<Layer, T>;
        const bySource = <T>(f: (i: number) => T) => Object.fromEntries(config.sources.map((s, i) => [s.name, f(i)]));

        states.set(this, {
            name,
            config,
            spec,
            buckets: byPurpose((p) => storage[p].bucket),
            kmsKey: encryption.key,
            workgroup: query.workgroup,
            jobs,
            forgetJob: forget.job,
            roles: { jobs: roles.jobs, crawler: roles.crawler },
            childOpts: () => ctx.opts(),
            grantScope: pulumi
                .all([scope, query.workgroup.arn])
                .apply(([s, workgroupArn]) => ({ partition: s.partition, region: s.region, accountId: s.accountId, bucketArns: s.bucketArns, keyArn: s.keyArn, databases: s.databases, workgroupArn })),
            grantCounts: { read: 0, query: 0 },
            lakeFormation,
        });
        this.forgetJobName = forget.job.name;
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
     * Spark, EMR or another team's job. Returns the inline policy it attaches to the role
     * (`LakeReadGrant` attaches the same policy to a role given by name or ARN).
     */
    grantRead(layer: Layer, role: aws.iam.Role, options: GrantOptions = {}): aws.iam.RolePolicy {
        if (!LAYERS.includes(layer)) throw new Error(`grantRead: unknown layer "${String(layer)}", expected one of ${LAYERS.join(", ")}`);
        return this.grant("read", role, options, [layer], stateOf(this).grantScope.apply((s) => readGrantPolicy(layer, s)));
    }

    /**
     * Lets `role` run queries in the lake's Athena workgroup over `layers` (default gold) and read
     * their results, nothing else. Returns the inline policy it attaches to the role
     * (`LakeQueryGrant` attaches the same policy to a role given by name or ARN).
     */
    grantQuery(role: aws.iam.Role, options: QueryGrantOptions = {}): aws.iam.RolePolicy {
        const layers = grantLayers(options.layers);
        return this.grant("query", role, options, layers, stateOf(this).grantScope.apply((s) => queryGrantPolicy(layers, s)));
    }

    /**
     * The grant's inline policy; in Lake Formation mode without S3 access to the data (Lake Formation
     * vends it) and with the grant's Lake Formation permissions (lake-formation.ts).
     */
    private grant(kind: "read" | "query", role: aws.iam.Role, options: GrantOptions, layers: Layer[], policy: pulumi.Output<PolicyDocument>): aws.iam.RolePolicy {
        const state = stateOf(this);
        const lf = state.lakeFormation;
        if (!lf && options.classifications) throw new Error(`grant${kind === "read" ? "Read" : "Query"}: classifications need governance.lakeFormation: true (IAM-mode grants cover whole tables)`);
        const suffix = options.name ?? String(++state.grantCounts[kind]);
        const name = `${state.name}-${kind}-grant-${suffix}`;
        const document = lf
            ? pulumi.all([policy, state.grantScope]).apply(([d, s]) => lakeFormationGrantPolicy(d, LAYERS.map((l) => s.bucketArns[l]), s.keyArn, kind === "query"))
            : policy;
        if (lf) createConsumerGrant(name, role.arn, layers, options.classifications ?? [], lf, state.childOpts());
        return attachGrant(name, role.id, document, state.childOpts());
    }

    /** Every name and ARN a user or service needs, as one object (the stack exports it). */
    outputs(): Record<string, unknown> {
        return {
            environment: this.environment,
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
            forgetJobName: this.forgetJobName,
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
