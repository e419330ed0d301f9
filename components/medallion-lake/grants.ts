/**
 * Least-privilege grants to principals outside the lake (a BI service, a downstream job): the pure
 * policy documents here, attached by `MedallionLake.grantRead` / `grantQuery`.
 */
import { CATALOG_READ, catalogStatement, PolicyDocument, PolicyScope, Statement } from "./iam";
import { Layer } from "./naming";

/** Resolved names and ARNs a grant is scoped to. */
export interface GrantScope extends Pick<PolicyScope, "partition" | "region" | "accountId" | "bucketArns" | "keyArn" | "databases"> {
    workgroupArn: string;
}

/**
 * Reading a layer's tables: the catalog entries (Glue resource ARNs,
 * https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html), the objects of the
 * layer's bucket, and kms:Decrypt on the lake key, since the objects are SSE-KMS encrypted
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys).
 */
function layerReadStatements(layers: readonly Layer[], s: GrantScope, sid: string): Statement[] {
    const buckets = layers.map((l) => s.bucketArns[l]);
    return [
        catalogStatement(`${sid}Catalog`, s, CATALOG_READ, layers.map((l) => s.databases[l])),
        { Sid: `${sid}List`, Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: buckets },
        { Sid: `${sid}Objects`, Effect: "Allow", Action: ["s3:GetObject"], Resource: buckets.map((b) => `${b}/*`) },
    ];
}

/** Read-only access to one layer's tables and files (for Spark, EMR, a Glue job of another team). */
export function readGrantPolicy(layer: Layer, s: GrantScope): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [...layerReadStatements([layer], s, "Read"), { Sid: "LakeKeyDecrypt", Effect: "Allow", Action: ["kms:Decrypt"], Resource: s.keyArn }],
    };
}

/**
 * Querying `layers` through the lake's Athena workgroup, and nothing else: the query lifecycle and
 * named queries on this workgroup only
 * (https://docs.aws.amazon.com/athena/latest/ug/example-policies-workgroup.html), reading and
 * writing the enforced result location (Athena writes results as the caller, and GetQueryResults
 * also needs s3:GetObject there: https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html),
 * and the lake key: kms:Decrypt to read SSE-KMS tables and results, kms:GenerateDataKey to write
 * SSE-KMS results (https://docs.aws.amazon.com/athena/latest/ug/encryption.html).
 */
export function queryGrantPolicy(layers: readonly Layer[], s: GrantScope): PolicyDocument {
    if (layers.length === 0) throw new Error("grantQuery: layers must name at least one of bronze, silver, gold");
    const results = s.bucketArns["query-results"];
    return {
        Version: "2012-10-17",
        Statement: [
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
                ],
                Resource: s.workgroupArn,
            },
            ...layerReadStatements(layers, s, "Tables"),
            { Sid: "ResultsList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], Resource: results },
            {
                Sid: "ResultsObjects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: `${results}/*`,
            },
            { Sid: "LakeKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: s.keyArn },
        ],
    };
}
