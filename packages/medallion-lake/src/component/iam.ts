/**
 * IAM: one role per layer job and one for the crawlers, each with a least-privilege inline policy
 * built by the pure functions below (S3 on the lake's buckets only, KMS on the lake key only,
 * catalog on the lake's databases only, secrets of the sources only, never `*` actions).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { s3ObjectArn } from "../model/jdbc-fields";
import { BucketPurpose, Layer } from "../model/naming";
import { ASSET_PREFIXES } from "./storage";
import { ICEBERG_LAYERS } from "../model/iceberg";

export interface Statement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}

/** Resolved names and ARNs the policies are scoped to. */
export interface PolicyScope {
    partition: string;
    region: string;
    accountId: string;
    bucketArns: Record<BucketPurpose, string>;
    keyArn: string;
    databases: Record<"source" | Layer, string>;
    connectionNames: string[];
    secretArns: string[];
    /** `s3://` locations of the sources' private CA certificates (`caCertificate`). */
    caCertificates: string[];
    /** Where the connections place their ENIs (config.network); undefined without a VPC. */
    network?: { subnetId: string; securityGroupIds: string[] };
    /** The CloudWatch namespace of the lake's own metrics (metrics.ts). */
    metricsNamespace: string;
}

export function glueAssumeRolePolicy(): object {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
}

export const CATALOG_READ = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"];
const CATALOG_WRITE = [
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:DeleteTable",
    "glue:CreatePartition",
    "glue:BatchCreatePartition",
    "glue:UpdatePartition",
    "glue:BatchUpdatePartition",
    "glue:DeletePartition",
    "glue:BatchDeletePartition",
];
/**
 * What a job's Glue-API registration of its output tables calls (glue-scripts/medallion/catalog.py):
 * on its own layer database and that database's tables only.
 */
const LAYER_REGISTRATION = ["glue:GetTable", "glue:CreateTable", "glue:UpdateTable", "glue:GetPartitions", "glue:BatchCreatePartition"];
/**
 * What Iceberg's Glue catalog calls for the tables of a silver or gold job (apache/iceberg
 * `aws/src/main/java/org/apache/iceberg/aws/glue/GlueCatalog.java` and `GlueTableOperations.java`;
 * https://iceberg.apache.org/docs/latest/aws/#glue-catalog): loading a table and every commit read
 * it (GetTable); a commit creates it (CreateTable) or swaps its metadata pointer (UpdateTable,
 * optimistic on the table's version id, so no lock table); creating a table without a LOCATION
 * first reads its database's location (GetDatabase, `defaultWarehouseLocation`). Not granted:
 * DeleteTable (only DROP TABLE, and commits under Lake Formation, call it) and GetTables (only
 * listing a namespace, SHOW TABLES, calls it); the jobs do neither. Snapshot expiry, orphan-file
 * cleanup and compaction are commits plus S3 (list, read, write, delete), which writers have.
 */
const ICEBERG_TABLES = ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"];
/** What reading another layer's Iceberg table calls: its metadata pointer (GetTable), nothing else. */
const ICEBERG_READ = ["glue:GetTable"];
/** What bronze's drift report reads of the crawled source tables. */
const SOURCE_SCHEMA_READ = ["glue:GetTable"];
const KMS_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:DescribeKey"];

type Account = Pick<PolicyScope, "partition" | "region" | "accountId">;

function glueArn(s: Account, resource: string): string {
    return `arn:${s.partition}:glue:${s.region}:${s.accountId}:${resource}`;
}

/** `actions` on the catalog, the given databases and their tables. */
export function catalogStatement(sid: string, s: Account, actions: string[], databases: string[]): Statement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: actions,
        Resource: [glueArn(s, "catalog"), ...databases.flatMap((d) => [glueArn(s, `database/${d}`), glueArn(s, `table/${d}/*`)])],
    };
}

/**
 * Writers also abort multipart uploads: Spark's S3 committers abort the uploads of failed tasks, and
 * AbortMultipartUpload is its own action, not part of PutObject.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions
 */
export const OBJECT_WRITE = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];

function bucketStatements(sid: string, s: PolicyScope, purposes: BucketPurpose[], write: boolean): Statement[] {
    const arns = purposes.map((p) => s.bucketArns[p]);
    return [
        { Sid: `${sid}List`, Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: arns },
        {
            Sid: `${sid}Objects`,
            Effect: "Allow",
            Action: write ? OBJECT_WRITE : ["s3:GetObject"],
            Resource: arns.map((a) => `${a}/*`),
        },
    ];
}

/**
 * The ENIs Glue places in the connections' subnet, as scoped as EC2 allows (Service Authorization
 * Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
 * CreateNetworkInterface is checked against the new network-interface, the subnet and each security
 * group, so it gets exactly the configured subnet and groups; DeleteNetworkInterface only against the
 * network-interface, DescribeVpcAttribute against the vpc (not in the config, so any of the account's
 * in this region); the other Describe calls support no resource-level permissions and need "*".
 * The actions are those of AWS's AWSGlueServiceRole, which grants them all on "*"
 * (https://docs.aws.amazon.com/glue/latest/dg/create-service-policy.html).
 */
function networkInterfaceStatements(s: Account, network: NonNullable<PolicyScope["network"]>): Statement[] {
    const ec2 = (resource: string) => `arn:${s.partition}:ec2:${s.region}:${s.accountId}:${resource}`;
    return [
        {
            Sid: "CreateNetworkInterfaces",
            Effect: "Allow",
            Action: ["ec2:CreateNetworkInterface"],
            Resource: [ec2("network-interface/*"), ec2(`subnet/${network.subnetId}`), ...network.securityGroupIds.map((g) => ec2(`security-group/${g}`))],
        },
        { Sid: "DeleteNetworkInterfaces", Effect: "Allow", Action: ["ec2:DeleteNetworkInterface"], Resource: ec2("network-interface/*") },
        { Sid: "DescribeVpcAttributes", Effect: "Allow", Action: ["ec2:DescribeVpcAttribute"], Resource: ec2("vpc/*") },
        {
            Sid: "DescribeNetwork",
            Effect: "Allow",
            Action: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables"],
            Resource: "*",
        },
        {
            Sid: "TagGlueNetworkInterfaces",
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags"],
            Resource: ec2("network-interface/*"),
            Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["aws-glue-service-resource"] } },
        },
    ];
}

/** Connections, their secrets and (with a VPC) the ENI actions Glue needs to reach the sources. */
function sourceAccessStatements(s: PolicyScope): Statement[] {
    const statements: Statement[] = [
        { Sid: "SourceConnections", Effect: "Allow", Action: ["glue:GetConnection", "glue:GetConnections"], Resource: [glueArn(s, "catalog"), ...s.connectionNames.map((c) => glueArn(s, `connection/${c}`))] },
        { Sid: "SourceSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: s.secretArns },
    ];
    if (s.caCertificates.length > 0) {
        // Glue reads a connection's CUSTOM_JDBC_CERT with the role of the job or crawler using it.
        statements.push({ Sid: "SourceCaCertificates", Effect: "Allow", Action: ["s3:GetObject"], Resource: s.caCertificates.map((c) => s3ObjectArn(s.partition, c)) });
    }
    if (s.network) statements.push(...networkInterfaceStatements(s, s.network));
    return statements;
}

/** Logs to the (KMS-encrypted) Glue log groups and the lake key. */
export function commonStatements(s: PolicyScope): Statement[] {
    return [
        { Sid: "LakeKey", Effect: "Allow", Action: KMS_USE, Resource: s.keyArn },
        {
            Sid: "GlueLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"],
            Resource: [`arn:${s.partition}:logs:${s.region}:${s.accountId}:log-group:/aws-glue/*`, `arn:${s.partition}:logs:${s.region}:${s.accountId}:log-group:/aws-glue/*:*`],
        },
    ];
}

/**
 * What Spark with `--enable-glue-datacatalog` needs when its session starts: the Glue Hive client
 * looks up the `default` database and creates it when missing (AWSCatalogMetastoreClient in
 * awslabs/aws-glue-data-catalog-client-for-apache-hive-metastore), and Spark checks that no
 * `global_temp` database exists (SharedState in apache/spark), a GetDatabase that must be allowed
 * to answer "not found". Functions are loaded from `default`. Nothing else in the catalog.
 */
export function sparkCatalogStartupStatements(s: PolicyScope): Statement[] {
    return [
        { Sid: "SparkDefaultDatabase", Effect: "Allow", Action: ["glue:GetDatabase", "glue:CreateDatabase", "glue:GetDatabases"], Resource: [glueArn(s, "catalog"), glueArn(s, "database/default")] },
        {
            // GetUserDefinedFunctions is also checked against the functions themselves (resource type
            // userDefinedFunction, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsglue.html):
            // without their ARN it is always denied.
            Sid: "SparkDefaultFunctions",
            Effect: "Allow",
            Action: ["glue:GetUserDefinedFunctions"],
            Resource: [glueArn(s, "catalog"), glueArn(s, "database/default"), glueArn(s, "userDefinedFunction/default/*")],
        },
        { Sid: "SparkGlobalTempCheck", Effect: "Allow", Action: ["glue:GetDatabase"], Resource: [glueArn(s, "catalog"), glueArn(s, "database/global_temp")] },
    ];
}

/** What each layer job reads and writes. */
export const LAYER_IO: Record<Layer, { reads: ("source" | Layer)[]; writes: Layer }> = {
    bronze: { reads: ["source"], writes: "bronze" },
    silver: { reads: ["bronze"], writes: "silver" },
    gold: { reads: ["silver"], writes: "gold" },
};

/**
 * What a layer job calls on its own database and tables: the registration calls, and for an Iceberg
 * layer also those of Iceberg's Glue catalog (each action once).
 */
export function layerCatalogActions(layer: Layer): string[] {
    return ICEBERG_LAYERS.includes(layer) ? [...new Set([...LAYER_REGISTRATION, ...ICEBERG_TABLES])] : LAYER_REGISTRATION;
}

/**
 * Reading the Iceberg layers a job reads through Iceberg's Glue catalog (gold reads silver's tables:
 * an Iceberg table's current files are named by its metadata pointer in Glue, not by a folder).
 */
function icebergReadStatements(layer: Layer, s: PolicyScope): Statement[] {
    if (!ICEBERG_LAYERS.includes(layer)) return [];
    const reads = LAYER_IO[layer].reads.filter((r): r is Layer => r !== "source" && ICEBERG_LAYERS.includes(r));
    return reads.length > 0 ? [catalogStatement("IcebergRead", s, ICEBERG_READ, reads.map((r) => s.databases[r]))] : [];
}

/**
 * A Glue job's use of the assets bucket: list it, read the scripts, and write its own scratch and
 * Spark UI folders (`job`: a layer, or `forget`).
 */
export function assetStatements(s: PolicyScope, job: string): Statement[] {
    const assets = s.bucketArns.assets;
    return [
        { Sid: "AssetsList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: assets },
        { Sid: "AssetsRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${assets}/${ASSET_PREFIXES.scripts}*` },
        {
            Sid: "AssetsScratch",
            Effect: "Allow",
            Action: OBJECT_WRITE,
            Resource: [`${assets}/${ASSET_PREFIXES.temp}${job}/*`, `${assets}/${ASSET_PREFIXES.sparkUi}${job}/*`],
        },
    ];
}

/** Inline policy of a layer job's role. */
export function jobPolicy(layer: Layer, s: PolicyScope): PolicyDocument {
    const io = LAYER_IO[layer];
    const inputBuckets = io.reads.filter((r): r is Layer => r !== "source");
    const statements: Statement[] = [
        ...assetStatements(s, layer),
        ...(inputBuckets.length > 0 ? bucketStatements("Read", s, inputBuckets, false) : []),
        ...bucketStatements("Write", s, [io.writes], true),
        catalogStatement("LayerCatalog", s, layerCatalogActions(layer), [s.databases[io.writes]]),
        ...icebergReadStatements(layer, s),
        ...(layer === "bronze" ? [catalogStatement("SourceSchemaRead", s, SOURCE_SCHEMA_READ, [s.databases.source])] : []),
        ...sparkCatalogStartupStatements(s),
        ...commonStatements(s),
        {
            // PutMetricData has no resource-level permissions; the condition pins the Glue namespace.
            Sid: "GlueMetrics",
            Effect: "Allow",
            Action: ["cloudwatch:PutMetricData"],
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } },
        },
        {
            // The lake's own metrics (rows, quarantine, data quality, success), only in its namespace:
            // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
            Sid: "LakeMetrics",
            Effect: "Allow",
            Action: ["cloudwatch:PutMetricData"],
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": s.metricsNamespace } },
        },
    ];
    if (layer === "bronze") statements.push(...sourceAccessStatements(s));
    return { Version: "2012-10-17", Statement: statements };
}

/** Inline policy of the crawlers' role: write the source catalog database, reach the sources. */
export function crawlerPolicy(s: PolicyScope): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [catalogStatement("SourceCatalog", s, [...CATALOG_READ, ...CATALOG_WRITE, "glue:UpdateDatabase"], [s.databases.source]), ...sourceAccessStatements(s), ...commonStatements(s)],
    };
}

export interface Roles {
    jobs: Record<Layer, aws.iam.Role>;
    crawler: aws.iam.Role;
    /** Inline policies; jobs and crawlers must not start before these exist. */
    policies: aws.iam.RolePolicy[];
}

/**
 * IAM's quota on a role's inline policies: 10,240 characters in all, whitespace not counted
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const ROLE_INLINE_POLICY_QUOTA = 10_240;

/** Size of policy documents as IAM counts it against its quotas: their JSON without whitespace. */
export function policySize(documents: readonly object[]): number {
    return documents.reduce((n, d) => n + JSON.stringify(d).replace(/\s/g, "").length, 0);
}

/**
 * The JSON of a role's only inline policy.
 * @throws Error naming the role and the size when it exceeds IAM's quota, which AWS would otherwise
 * only report when PutRolePolicy fails in the middle of an update.
 */
export function rolePolicyJson(role: string, document: PolicyDocument): string {
    const size = policySize([document]);
    if (size > ROLE_INLINE_POLICY_QUOTA) {
        throw new Error(
            `IAM role ${role}: its inline policy is ${size} characters (whitespace not counted), over IAM's quota of ${ROLE_INLINE_POLICY_QUOTA} per role; ` +
                "it grows with each source (connection, secret, CA certificate): split the sources over several lakes",
        );
    }
    return JSON.stringify(document);
}

export function createRoles(ctx: LakeContext, scope: pulumi.Output<PolicyScope>): Roles {
    const role = (suffix: string, description: string, policy: pulumi.Output<PolicyDocument>) => {
        const name = `${ctx.name}-${suffix}-role`;
        const r = new aws.iam.Role(name, { description: `${ctx.prefix}: ${description}`, assumeRolePolicy: JSON.stringify(glueAssumeRolePolicy()), tags: ctx.tags }, ctx.opts());
        const p = new aws.iam.RolePolicy(`${ctx.name}-${suffix}-policy`, { role: r.id, policy: policy.apply((d) => rolePolicyJson(name, d)) }, ctx.opts("infra", { parent: r }));
        return { r, p };
    };
    const bronze = role("bronze-job", "Glue bronze job", scope.apply((s) => jobPolicy("bronze", s)));
    const silver = role("silver-job", "Glue silver job", scope.apply((s) => jobPolicy("silver", s)));
    const gold = role("gold-job", "Glue gold job", scope.apply((s) => jobPolicy("gold", s)));
    const crawler = role("crawler", "Glue source crawlers", scope.apply(crawlerPolicy));
    return {
        jobs: { bronze: bronze.r, silver: silver.r, gold: gold.r },
        crawler: crawler.r,
        policies: [bronze.p, silver.p, gold.p, crawler.p],
    };
}
