/**
 * A small hand-written lake that satisfies every rule: each per-rule test breaks one thing in a
 * fresh copy and expects exactly that rule to fire.
 */
import { LakeResource, makeUrn } from "../../policy/resource";

export const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
export const BRONZE = "tickit-prod-bronze-k3x9q2ab";
export const LOGS = "tickit-prod-logs-k3x9q2ab";

export function tlsOnlyPolicy(bucket: string, extra: object[] = []): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...extra,
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

export function roleS3Policy(statements: object[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

export const SCOPED_S3_STATEMENTS = [
    { Sid: "ReadWriteBronze", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${BRONZE}/*` },
    { Sid: "ListBronze", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: `arn:aws:s3:::${BRONZE}` },
    { Sid: "UseKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KEY_ARN },
];

type Opts = LakeResource["opts"];

export function resource(stack: string, type: string, name: string, props: Record<string, any>, opts: Opts = {}): LakeResource {
    return { type, name, urn: makeUrn(stack, "medallion-lake", type, name), props, opts, propertyDependencies: {} };
}

/** Compliant with every mandatory and advisory rule, in any stack. */
export function secureLake(stack: string): LakeResource[] {
    const keep = { protect: true, retainOnDelete: true };
    const r = (type: string, name: string, props: Record<string, any>, opts: Opts = {}) => resource(stack, type, name, props, opts);
    const sse = (bucket: string, sseAlgorithm: string, kmsMasterKeyId?: string) => ({
        bucket,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm, kmsMasterKeyId }, bucketKeyEnabled: true }],
    });
    const block = (bucket: string) => ({ bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    return [
        r("aws:kms/key:Key", "key", { enableKeyRotation: true, deletionWindowInDays: 30 }, keep),
        r("aws:s3/bucket:Bucket", "bronze", { bucket: BRONZE, tags: { layer: "bronze" } }, keep),
        r("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bronze-sse", sse(BRONZE, "aws:kms", KEY_ARN)),
        r("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bronze-pab", block(BRONZE)),
        r("aws:s3/bucketPolicy:BucketPolicy", "bronze-policy", { bucket: BRONZE, policy: tlsOnlyPolicy(BRONZE) }),
        r("aws:s3/bucketVersioning:BucketVersioning", "bronze-versioning", { bucket: BRONZE, versioningConfiguration: { status: "Enabled" } }),
        r("aws:s3/bucketLogging:BucketLogging", "bronze-logging", { bucket: BRONZE, targetBucket: LOGS, targetPrefix: "bronze/" }),
        r("aws:s3/bucket:Bucket", "logs", { bucket: LOGS, tags: { layer: "logs" } }, keep),
        r("random:index/randomString:RandomString", "bucket-suffix", { length: 8, special: false, upper: false, keepers: { lake: "tickit", environment: "prod" } }, keep),
        r("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "logs-sse", sse(LOGS, "AES256")),
        r("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-pab", block(LOGS)),
        r("aws:s3/bucketPolicy:BucketPolicy", "logs-policy", { bucket: LOGS, policy: tlsOnlyPolicy(LOGS) }),
        r("aws:iam/role:Role", "glue-role", {
            name: "tickit-prod-bronze-job-role",
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        }),
        r("aws:iam/rolePolicy:RolePolicy", "glue-role-data", { role: "tickit-prod-bronze-job-role", policy: roleS3Policy(SCOPED_S3_STATEMENTS) }),
        r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "glue-role-service", { role: "glue-role", policyArn: "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole" }),
        r("aws:glue/securityConfiguration:SecurityConfiguration", "glue-security", {
            name: "tickit-security",
            encryptionConfiguration: {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: KEY_ARN },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: KEY_ARN },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: KEY_ARN },
            },
        }),
        r("aws:glue/job:Job", "bronze-job", { name: "tickit-bronze", glueVersion: "5.0", workerType: "G.1X", numberOfWorkers: 2, securityConfiguration: "tickit-security" }),
        r("aws:glue/crawler:Crawler", "saas-crawler", { name: "tickit-saas", databaseName: "tickit_source", securityConfiguration: "tickit-security" }),
        r("aws:glue/connection:Connection", "saas-connection", {
            name: "tickit-saas",
            connectionType: "JDBC",
            connectionProperties: { JDBC_CONNECTION_URL: "jdbc:postgresql://saas-db:5432/tickit", SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:saas" },
        }),
        r("aws:glue/catalogDatabase:CatalogDatabase", "bronze-db", { name: "tickit_bronze" }, keep),
        r("aws:sns/topic:Topic", "alerts", { name: "tickit-prod-alerts", kmsMasterKeyId: KEY_ARN }),
        { ...r("aws:sns/topicSubscription:TopicSubscription", "alerts-0", { topic: "unknown-during-preview", protocol: "email", endpoint: "team@example.com" }), propertyDependencies: { topic: [makeUrn(stack, "medallion-lake", "aws:sns/topic:Topic", "alerts")] } },
        r("aws:athena/workgroup:Workgroup", "workgroup", {
            name: "tickit",
            configuration: {
                enforceWorkgroupConfiguration: true,
                bytesScannedCutoffPerQuery: 1073741824,
                resultConfiguration: { outputLocation: "s3://results/", encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: KEY_ARN } },
            },
        }),
    ];
}

export function find(lake: LakeResource[], name: string): LakeResource {
    const r = lake.find((x) => x.name === name);
    if (!r) throw new Error(`fixture has no resource named ${name}`);
    return r;
}

export function remove(lake: LakeResource[], name: string): void {
    lake.splice(lake.indexOf(find(lake, name)), 1);
}
