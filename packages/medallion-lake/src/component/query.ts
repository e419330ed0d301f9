/**
 * Query: the lake's Athena workgroup (enforced settings, SSE-KMS results, per-query scan cutoff,
 * pinned engine, CloudWatch metrics) and its named queries.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { namedQueries } from "../model/named-queries";
import { Layer } from "../model/naming";

export interface Query {
    workgroup: aws.athena.Workgroup;
    namedQueries: aws.athena.NamedQuery[];
}

export function createQuery(
    ctx: LakeContext,
    resultsBucket: pulumi.Output<string>,
    kmsKeyArn: pulumi.Output<string>,
    databases: Record<Layer, pulumi.Output<string>>,
    dependsOn: pulumi.Resource[],
): Query {
    const athena = ctx.config.athena;
    const workgroup = new aws.athena.Workgroup(
        `${ctx.name}-workgroup`,
        {
            name: ctx.prefix,
            description: `${ctx.prefix}: queries over the medallion lake`,
            forceDestroy: ctx.config.forceDestroy,
            configuration: {
                enforceWorkgroupConfiguration: true,
                publishCloudwatchMetricsEnabled: true,
                bytesScannedCutoffPerQuery: athena.bytesScannedCutoffPerQuery,
                engineVersion: { selectedEngineVersion: athena.engineVersion },
                resultConfiguration: {
                    outputLocation: pulumi.interpolate`s3://${resultsBucket}/`,
                    encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn },
                    expectedBucketOwner: ctx.accountId,
                },
            },
            tags: ctx.tags,
        },
        ctx.opts("infra", { dependsOn }),
    );
    const queries = namedQueries(ctx.spec).map(
        (q) =>
            new aws.athena.NamedQuery(
                `${ctx.name}-query-${q.name}`,
                { name: q.name, description: q.description, database: databases[q.layer], query: q.sql, workgroup: workgroup.name },
                ctx.opts(),
            ),
    );
    return { workgroup, namedQueries: queries };
}
