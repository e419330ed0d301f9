/**
 * Storage: the bronze, silver and gold buckets, Athena query results, Glue assets and the server
 * access logs bucket, each hardened the same way with the v7 split S3 resources.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { LakeConfig } from "../model/config";
import { LakeContext, ResourceKind } from "./context";
import { BUCKET_PURPOSES, BUCKET_SUFFIX_LENGTH, BucketPurpose, bucketName } from "../model/naming";

/** Glue assets layout: scripts, lake spec and packages; Glue temp dir; Spark UI event logs. */
export const ASSET_PREFIXES = { scripts: "scripts/", temp: "temp/", sparkUi: "spark-ui/" } as const;

/** Days Glue temp files are kept in the assets bucket. */
export const TEMP_RETENTION_DAYS = 7;

/** Days an incomplete multipart upload is kept before S3 aborts it and deletes its parts. */
export const MULTIPART_ABORT_DAYS = 1;

/**
 * The whole bucket. An explicit empty prefix, not an empty `filter: {}`: the AWS provider warns that
 * an empty filter block will become an error (hashicorp/terraform-provider-aws#42714, #41710), and S3
 * reads `Filter.Prefix = ""` as every object.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
 */
export const WHOLE_BUCKET = { prefix: "" } as const;

export interface LifecycleRule {
    id: string;
    status: "Enabled";
    /** Always set (the whole bucket is WHOLE_BUCKET), never empty. */
    filter: { prefix: string };
    abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
    noncurrentVersionExpiration?: { noncurrentDays: number };
    /** `days` or `expiredObjectDeleteMarker`, never both: S3 rejects the two in one rule. */
    expiration?: { days: number } | { expiredObjectDeleteMarker: true };
}

/**
 * The lifecycle rules of a bucket. Pure, so the days are tested without registering resources.
 *
 * Every bucket is versioned, so a deleted or expired object leaves a delete marker over its
 * noncurrent versions; once those expire, the marker alone remains and is never removed unless a
 * rule says so. `expiredObjectDeleteMarker` cannot share a rule with `days`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html), hence a rule of
 * its own ("create a separate rule with only the ExpiredObjectDeleteMarker tag",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configuration-examples.html).
 *
 * No bucket changes storage class. Bronze in particular stays in STANDARD: silver rebuilds every
 * table from all of bronze on every run, and STANDARD_IA and GLACIER_IR charge per GB retrieved, so
 * tiering would bill a retrieval of all of bronze every night. Tiering can return, past a horizon
 * silver no longer reads, once silver reads only new batches.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html
 */
export function lifecycleRules(purpose: BucketPurpose, config: Pick<LakeConfig, "retention" | "athena">): LifecycleRule[] {
    const expire = (id: string, filter: { prefix: string }, days: number): LifecycleRule => ({ id, status: "Enabled", filter, expiration: { days } });
    const rules: LifecycleRule[] = [
        { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: WHOLE_BUCKET, abortIncompleteMultipartUpload: { daysAfterInitiation: MULTIPART_ABORT_DAYS } },
        { id: "expire-noncurrent-versions", status: "Enabled", filter: WHOLE_BUCKET, noncurrentVersionExpiration: { noncurrentDays: config.retention.noncurrentVersionDays } },
        { id: "remove-expired-delete-markers", status: "Enabled", filter: WHOLE_BUCKET, expiration: { expiredObjectDeleteMarker: true } },
    ];
    if (purpose === "query-results") rules.push(expire("expire-query-results", WHOLE_BUCKET, config.athena.resultRetentionDays));
    if (purpose === "logs") rules.push(expire("expire-access-logs", WHOLE_BUCKET, config.retention.accessLogDays));
    if (purpose === "assets") {
        rules.push(
            expire("expire-glue-temp", { prefix: ASSET_PREFIXES.temp }, TEMP_RETENTION_DAYS),
            expire("expire-spark-ui-logs", { prefix: ASSET_PREFIXES.sparkUi }, config.retention.sparkUiLogDays),
        );
    }
    return rules;
}

/** Denies every request not made over TLS. */
export function denyInsecureTransport(bucketArn: string): object {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** The logs bucket lets the S3 logging service write, only for the lake's buckets in this account. */
export function accessLogDeliveryStatement(logsBucketArn: string, sourceBucketArns: string[], accountId: string): object {
    return {
        Sid: "S3ServerAccessLogDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${logsBucketArn}/*`,
        Condition: { ArnLike: { "aws:SourceArn": sourceBucketArns }, StringEquals: { "aws:SourceAccount": accountId } },
    };
}

export interface LakeBucket {
    bucket: aws.s3.Bucket;
    /** Resources that must exist before objects are written (encryption, ownership, policy). */
    ready: pulumi.Resource[];
}

export type Storage = Record<BucketPurpose, LakeBucket>;

const KIND: Record<BucketPurpose, ResourceKind> = {
    bronze: "data",
    silver: "data",
    gold: "data",
    logs: "data",
    "query-results": "infra",
    assets: "infra",
};

/**
 * The random suffix of the lake's bucket names, generated once and kept in state: it changes only when
 * a keeper (lake name, environment) changes, and then every bucket name changes anyway. Lowercase
 * letters and digits only, as bucket names allow. Protected and retained like the data: replacing it
 * would rename, that is replace, every bucket.
 * https://www.pulumi.com/registry/packages/random/api-docs/randomstring/
 */
export function createBucketSuffix(ctx: LakeContext): random.RandomString {
    return new random.RandomString(
        `${ctx.name}-bucket-suffix`,
        { length: BUCKET_SUFFIX_LENGTH, lower: true, numeric: true, upper: false, special: false, keepers: { lake: ctx.config.name, environment: ctx.environment } },
        ctx.opts("data"),
    );
}

export function createStorage(ctx: LakeContext, kmsKeyArn: pulumi.Output<string>): Storage {
    const suffix = createBucketSuffix(ctx).result;
    const make = (purpose: BucketPurpose): aws.s3.Bucket =>
        new aws.s3.Bucket(
            `${ctx.name}-${purpose}`,
            {
                bucket: suffix.apply((s) => bucketName(ctx.config.name, ctx.environment, purpose, s)),
                forceDestroy: ctx.config.forceDestroy,
                tags: { ...ctx.tags, layer: purpose },
            },
            ctx.opts(KIND[purpose]),
        );
    const buckets = Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, make(p)])) as Record<BucketPurpose, aws.s3.Bucket>;
    const loggedPurposes = BUCKET_PURPOSES.filter((p) => p !== "logs");

    const harden = (purpose: BucketPurpose, policyStatements: pulumi.Output<object[]>): LakeBucket => {
        const bucket = buckets[purpose];
        const opts = ctx.opts("infra", { parent: bucket });
        const n = `${ctx.name}-${purpose}`;
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${n}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    purpose === "logs"
                        ? // S3 server access logs can only be delivered to SSE-S3 buckets.
                          { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn }, bucketKeyEnabled: true },
                ],
            },
            opts,
        );
        const versioning = new aws.s3.BucketVersioning(`${n}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${n}-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            opts,
        );
        const ownership = new aws.s3.BucketOwnershipControls(`${n}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
        const policy = new aws.s3.BucketPolicy(
            `${n}-policy`,
            { bucket: bucket.id, policy: policyStatements.apply((Statement) => JSON.stringify({ Version: "2012-10-17", Statement })) },
            // The public access block must exist first, or S3 may evaluate the policy as public.
            { ...opts, dependsOn: [publicAccess] },
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${n}-lifecycle`,
            { bucket: bucket.id, rules: lifecycleRules(purpose, ctx.config) },
            // Lifecycle rules on noncurrent versions need versioning configured first.
            { ...opts, dependsOn: [versioning] },
        );
        return { bucket, ready: [encryption, versioning, publicAccess, ownership, policy] };
    };

    // The logs bucket's delivery policy must exist before the other buckets start logging to it.
    const logs = harden(
        "logs",
        pulumi
            .all([buckets.logs.arn, pulumi.all(loggedPurposes.map((p) => buckets[p].arn)), ctx.accountId])
            .apply(([arn, sources, account]) => [denyInsecureTransport(arn), accessLogDeliveryStatement(arn, sources, account)]),
    );
    const storage = { logs } as Storage;
    for (const purpose of loggedPurposes) {
        storage[purpose] = harden(purpose, buckets[purpose].arn.apply((arn) => [denyInsecureTransport(arn)]));
        new aws.s3.BucketLogging(
            `${ctx.name}-${purpose}-logging`,
            { bucket: buckets[purpose].id, targetBucket: buckets.logs.id, targetPrefix: `${purpose}/` },
            ctx.opts("infra", { parent: buckets[purpose], dependsOn: logs.ready }),
        );
    }
    return storage;
}
