/**
 * Least-privilege grants to principals outside the lake (a BI service, a downstream job): the pure
 * policy documents here, attached by `MedallionLake.grantRead` / `grantQuery`.
 */
import { CATALOG_READ, catalogStatement, PolicyDocument, PolicyScope, Statement } from "./iam";
import { Layer } from "../model/naming";

/** Resolved names and ARNs a grant is scoped to. */
export interface GrantScope extends Pick<PolicyScope, "partition" | "region" | "accountId" | "bucketArns" | "keyArn" | "databases"> {
    workgroupArn: string;
}

/**
 * What a consumer reads of the catalog: the tables and partitions, and the listing of databases that
 * SHOW DATABASES, the Athena console's table tree, JDBC/ODBC drivers and BI tools start with
 * (glue:GetDatabases on the catalog; denied without it: OvertureMaps/data#205,
 * awsdocs/amazon-athena-user-guide#81). Glue lists only the databases the caller may read.
 */
const CONSUMER_CATALOG_READ = [...CATALOG_READ, "glue:GetDatabases"];

/**
 * Reading a layer's tables: the catalog entries (Glue resource ARNs,
 * https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html), the objects of the
 * layer's bucket, and kms:Decrypt on the lake key, since the objects are SSE-KMS encrypted
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys).
 */
function layerReadStatements(layers: readonly Layer[], s: GrantScope, sid: string): Statement[] {
    const buckets = layers.map((l) => s.bucketArns[l]);
    return [
        catalogStatement(`${sid}Catalog`, s, CONSUMER_CATALOG_READ, layers.map((l) => s.databases[l])),
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
 * Athena's metadata calls on the account's Glue Data Catalog, as Athena names it (`AwsDataCatalog`):
 * the console's database and table lists, the JDBC/ODBC drivers' DatabaseMetaData and BI tools
 * (e.g. metabase/metabase#53377) call them before any query. Each is checked against the
 * `datacatalog` resource type (Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonathena.html); what
 * they return is then limited by the Glue permissions, so to the granted layers.
 */
const ATHENA_CATALOG_METADATA = ["athena:GetDataCatalog", "athena:ListDatabases", "athena:GetDatabase", "athena:ListTableMetadata", "athena:GetTableMetadata"];

/**
 * Listing the account's data catalogs and workgroups: the console's catalog and workgroup pickers
 * and the JDBC driver's getCatalogs() call them. They support no resource-level permissions (same
 * reference: no resource type), so they can only be granted on "*"; they return names and
 * descriptions, no data. ListEngineVersions, the other such call, is only needed to edit workgroups.
 */
const ATHENA_LISTINGS = ["athena:ListDataCatalogs", "athena:ListWorkGroups"];

/**
 * Querying `layers` through the lake's Athena workgroup, and nothing else: the query lifecycle and
 * named queries on this workgroup only
 * (https://docs.aws.amazon.com/athena/latest/ug/example-policies-workgroup.html) and the query
 * statistics the console shows (GetQueryRuntimeStatistics), the metadata calls that tools make first
 * (above), reading and
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
                    "athena:GetQueryRuntimeStatistics",
                ],
                Resource: s.workgroupArn,
            },
            {
                Sid: "AthenaCatalogMetadata",
                Effect: "Allow",
                Action: ATHENA_CATALOG_METADATA,
                Resource: `arn:${s.partition}:athena:${s.region}:${s.accountId}:datacatalog/AwsDataCatalog`,
            },
            { Sid: "AthenaListings", Effect: "Allow", Action: ATHENA_LISTINGS, Resource: "*" },
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
