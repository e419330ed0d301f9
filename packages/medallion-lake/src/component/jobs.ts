/**
 * Jobs: one Glue Spark job per layer (not per table), each running its entry script from the
 * assets bucket with the contract arguments from `jobArguments()` plus Glue system arguments, and
 * for silver and gold the Iceberg arguments from `icebergArguments()` (iceberg.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Assets } from "./assets";
import { LakeContext } from "./context";
import { icebergArguments } from "../model/iceberg";
import { jobArguments } from "../model/job-arguments";
import { LAYERS, Layer } from "../model/naming";
import { ASSET_PREFIXES } from "./storage";
import { lfTagKeys, TAGGING_LAYERS } from "../model/governance";

/**
 * Glue's own arguments for a layer job (the entry scripts ignore them). No continuous-logging switch:
 * Glue 5.0, the only version the config takes, logs in real time always and has no such argument.
 * https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging-enable.html
 */
export function systemArguments(layer: Layer, assetsBucket: string, extraPyFiles: string): Record<string, string> {
    return {
        "--job-language": "python",
        "--job-bookmark-option": "job-bookmark-enable",
        "--enable-metrics": "true",
        "--enable-observability-metrics": "true",
        "--enable-spark-ui": "true",
        "--spark-event-logs-path": `s3://${assetsBucket}/${ASSET_PREFIXES.sparkUi}${layer}/`,
        "--TempDir": `s3://${assetsBucket}/${ASSET_PREFIXES.temp}${layer}/`,
        "--extra-py-files": extraPyFiles,
        "--enable-glue-datacatalog": "true",
    };
}

export interface JobInputs {
    assets: Assets;
    assetsBucket: pulumi.Output<string>;
    layerBuckets: Record<Layer, pulumi.Output<string>>;
    roles: Record<Layer, aws.iam.Role>;
    /** Role policies that must exist before a job can run. */
    policies: pulumi.Resource[];
    securityConfiguration: pulumi.Output<string>;
    /** Glue connections the bronze job reads the sources through. */
    connectionNames: pulumi.Output<string>[];
}

export function createJobs(ctx: LakeContext, inputs: JobInputs): Record<Layer, aws.glue.Job> {
    const jobs = ctx.config.jobs;
    const make = (layer: Layer) =>
        new aws.glue.Job(
            `${ctx.name}-${layer}-job`,
            {
                name: `${ctx.prefix}-${layer}`,
                description: `${ctx.prefix}: ${layer} layer for all ${ctx.spec.sources.length} sources`,
                roleArn: inputs.roles[layer].arn,
                command: { name: "glueetl", pythonVersion: "3", scriptLocation: inputs.assets.scripts[layer] },
                glueVersion: jobs.glueVersion,
                workerType: jobs.workerType,
                numberOfWorkers: jobs.numberOfWorkers,
                timeout: jobs.timeoutMinutes,
                maxRetries: jobs.maxRetries,
                // One run at a time: a layer rewrites its tables, concurrent runs would race. A start past
                // the limit is refused with an error (ConcurrentRunsExceededException), not queued:
                // https://docs.aws.amazon.com/glue/latest/webapi/API_ExecutionProperty.html
                executionProperty: { maxConcurrentRuns: 1 },
                securityConfiguration: inputs.securityConfiguration,
                connections: layer === "bronze" ? pulumi.all(inputs.connectionNames) : undefined,
                defaultArguments: pulumi
                    .all([inputs.assets.lakeSpec, inputs.assets.package, inputs.assetsBucket, inputs.layerBuckets.bronze, inputs.layerBuckets.silver, inputs.layerBuckets.gold])
                    .apply(([lakeSpec, pkg, assets, bronze, silver, gold]) => ({
                        ...systemArguments(layer, assets, pkg),
                        // The gold job parses model SQL with sqlglot, installed by Glue with pip:
                        // https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html
                        ...(layer === "gold" && inputs.assets.pythonModules.length > 0 ? { "--additional-python-modules": inputs.assets.pythonModules.join(",") } : {}),
                        // Silver and gold are Iceberg tables; each job's warehouse is its own layer's bucket.
                        ...icebergArguments(layer, `s3://${{ bronze, silver, gold }[layer]}`),
                        ...jobArguments(layer, {
                            lakeSpec,
                            environment: ctx.environment,
                            bronzePath: `s3://${bronze}`,
                            silverPath: `s3://${silver}`,
                            goldPath: `s3://${gold}`,
                        }),
                        // Lake Formation mode: the LF-tag the job sets on its tables' classified columns (docs/governance.md).
                        ...(ctx.config.governance.lakeFormation && TAGGING_LAYERS.includes(layer) ? { "--lake_formation_tag": lfTagKeys(ctx.prefix).classification } : {}),
                    })),
                tags: { ...ctx.tags, layer },
            },
            ctx.opts("infra", { dependsOn: inputs.policies }),
        );
    return Object.fromEntries(LAYERS.map((l) => [l, make(l)])) as Record<Layer, aws.glue.Job>;
}
