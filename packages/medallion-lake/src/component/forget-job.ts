/**
 * The forget (erasure) job: a Glue job run on demand (`aws glue start-job-run`, docs/erasure.md) that
 * erases one data subject from every layer (glue-scripts/forget_job.py), with its own role: read and
 * write the bronze, silver and gold buckets and their Iceberg tables, and permanently delete the
 * noncurrent object versions there (the buckets are versioned). Nothing else: no source connection,
 * no other bucket but its scripts and scratch space in the assets bucket.
 */
import * as aws from "@pulumi/aws";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Assets, fileKey } from "./assets";
import { LakeContext } from "./context";
import { forgetDefaultArguments } from "../model/forget-arguments";
import { icebergArguments } from "../model/iceberg";
import { assetStatements, catalogStatement, commonStatements, glueAssumeRolePolicy, layerCatalogActions, OBJECT_WRITE, PolicyDocument, PolicyScope, rolePolicyJson, sparkCatalogStartupStatements, Statement } from "./iam";
import { Layer } from "../model/naming";
import { ASSET_PREFIXES } from "./storage";

/** The name the job's scratch and Spark UI prefixes in the assets bucket take, as a layer's do. */
const JOB = "forget";
/** The layers the erasure rewrites. */
const ERASED_LAYERS: Layer[] = ["bronze", "silver", "gold"];
/** The entry script, and the gold job's script it imports (gold_job.refresh_models). */
export const FORGET_SCRIPTS = { entry: "forget_job.py", gold: "gold_job.py" } as const;

/**
 * The role's inline policy. Beyond what the layer jobs' writers have (list, read, write, delete on
 * each layer's bucket and the Iceberg tables of silver and gold), the noncurrent versions:
 * ListObjectVersions needs `s3:ListBucketVersions` on the bucket
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html) and deleting a
 * version (DeleteObjects with a VersionId) `s3:DeleteObjectVersion` on the object
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html).
 */
export function forgetJobPolicy(s: PolicyScope): PolicyDocument {
    const lake = ERASED_LAYERS.map((l) => s.bucketArns[l]);
    const statements: Statement[] = [
        ...assetStatements(s, JOB),
        { Sid: "LakeList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketVersions"], Resource: lake },
        { Sid: "LakeObjects", Effect: "Allow", Action: [...OBJECT_WRITE, "s3:DeleteObjectVersion"], Resource: lake.map((a) => `${a}/*`) },
        catalogStatement("IcebergTables", s, layerCatalogActions("gold"), [s.databases.silver, s.databases.gold]),
        ...sparkCatalogStartupStatements(s),
        ...commonStatements(s),
    ];
    return { Version: "2012-10-17", Statement: statements };
}

export interface ForgetJobInputs {
    assets: Assets;
    /** The assets bucket and what must exist before objects are uploaded to it. */
    assetsBucket: aws.s3.Bucket;
    assetsReady: pulumi.Resource[];
    layerBuckets: Record<Layer, pulumi.Output<string>>;
    scope: pulumi.Output<PolicyScope>;
    securityConfiguration: pulumi.Output<string>;
    /** The scripts, from `forgetScriptFiles`. */
    scriptFiles: string[];
}

export interface ForgetJob {
    job: aws.glue.Job;
    role: aws.iam.Role;
}

/** The job's Glue arguments besides the contract's: its Python modules and Iceberg's catalog. */
function glueArguments(assetsBucket: string, extraPyFiles: string, pythonModules: string[], silverBucket: string): Record<string, string> {
    return {
        "--job-language": "python",
        "--job-bookmark-option": "job-bookmark-disable",
        "--TempDir": `s3://${assetsBucket}/${ASSET_PREFIXES.temp}${JOB}/`,
        "--enable-spark-ui": "true",
        "--spark-event-logs-path": `s3://${assetsBucket}/${ASSET_PREFIXES.sparkUi}${JOB}/`,
        "--extra-py-files": extraPyFiles,
        "--enable-glue-datacatalog": "true",
        // The gold refresh parses model SQL with sqlglot, as the gold job does.
        ...(pythonModules.length > 0 ? { "--additional-python-modules": pythonModules.join(",") } : {}),
        // Silver's bucket as the warehouse: every table the job writes has its own location.
        ...icebergArguments("silver", `s3://${silverBucket}`),
    };
}

/**
 * The forget job's script files (entry, gold), checked before any resource is registered.
 * @throws Error naming a script missing from `scriptsDir`.
 */
export function forgetScriptFiles(scriptsDir: string): string[] {
    const files = Object.values(FORGET_SCRIPTS).map((f) => path.join(scriptsDir, f));
    const missing = files.find((f) => !fs.existsSync(f));
    if (missing) throw new Error(`MedallionLake: the forget job's script not found at ${missing} (scriptsDir: ${scriptsDir})`);
    return files;
}

/** The forget job, its role and its scripts. */
export function createForgetJob(ctx: LakeContext, inputs: ForgetJobInputs): ForgetJob {
    const objectOpts = ctx.opts("infra", { parent: inputs.assetsBucket, dependsOn: inputs.assetsReady });
    const [entryFile] = inputs.scriptFiles;
    const entryObject = new aws.s3.BucketObjectv2(
        `${ctx.name}-forget-script`,
        { bucket: inputs.assetsBucket.id, key: fileKey(ASSET_PREFIXES.scripts, entryFile), source: new pulumi.asset.FileAsset(entryFile), contentType: "text/x-python", tags: ctx.tags },
        objectOpts,
    );
    const entry = pulumi.interpolate`s3://${entryObject.bucket}/${entryObject.key}`;
    // gold_job.py is the gold job's own upload (same content-hashed key): a second resource for the
    // same S3 object would delete it for both when either is removed.
    const gold = inputs.assets.scripts.gold;
    const roleName = `${ctx.name}-forget-job-role`;
    const role = new aws.iam.Role(roleName, { description: `${ctx.prefix}: Glue forget (erasure) job`, assumeRolePolicy: JSON.stringify(glueAssumeRolePolicy()), tags: ctx.tags }, ctx.opts());
    const policy = new aws.iam.RolePolicy(
        `${ctx.name}-forget-job-policy`,
        { role: role.id, policy: inputs.scope.apply((s) => rolePolicyJson(roleName, forgetJobPolicy(s))) },
        ctx.opts("infra", { parent: role }),
    );
    const job = new aws.glue.Job(
        `${ctx.name}-forget-job`,
        {
            name: `${ctx.prefix}-forget`,
            description: `${ctx.prefix}: erases one data subject (--table, --key) from every layer; run on demand (docs/erasure.md)`,
            roleArn: role.arn,
            command: { name: "glueetl", pythonVersion: "3", scriptLocation: entry },
            glueVersion: ctx.config.jobs.glueVersion,
            workerType: ctx.config.jobs.workerType,
            numberOfWorkers: ctx.config.jobs.numberOfWorkers,
            timeout: ctx.config.jobs.timeoutMinutes,
            // A failed erasure is resumed by running it again, by whoever started it: never retried blind.
            maxRetries: 0,
            // One erasure at a time: two would rewrite the same files.
            executionProperty: { maxConcurrentRuns: 1 },
            securityConfiguration: inputs.securityConfiguration,
            defaultArguments: pulumi
                .all([inputs.assets.lakeSpec, inputs.assets.package, gold, inputs.assetsBucket.bucket, inputs.layerBuckets.bronze, inputs.layerBuckets.silver, inputs.layerBuckets.gold])
                .apply(([lakeSpec, pkg, goldScript, assets, bronze, silver, goldBucket]) => ({
                    ...glueArguments(assets, `${pkg},${goldScript}`, inputs.assets.pythonModules, silver),
                    ...forgetDefaultArguments({ lakeSpec, environment: ctx.environment, bronzePath: `s3://${bronze}`, silverPath: `s3://${silver}`, goldPath: `s3://${goldBucket}` }),
                })),
            tags: { ...ctx.tags, layer: JOB },
        },
        ctx.opts("infra", { dependsOn: [policy] }),
    );
    return { job, role };
}
