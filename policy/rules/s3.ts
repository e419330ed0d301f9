import { UnknownValueError } from "@pulumi/policy";
import { parsePolicyDocument, Statement } from "../documents";
import { LakeResource, StackRule } from "../resource";

export const BUCKET = "aws:s3/bucket:Bucket";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LOGGING = "aws:s3/bucketLogging:BucketLogging";

/**
 * Reads a value that only links resources or adds evidence (correlation, inline settings): unknown
 * during preview reads as undefined. Values a verdict depends on are read directly, so an unknown one
 * raises UnknownValueError and the engine reports "can't run during preview" instead of a false violation.
 */
function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

/**
 * The access-log bucket is the only bucket that is not a data bucket (S3 server access logs can only
 * be delivered to SSE-S3 buckets). The component tags every bucket with its `layer` (its purpose) and
 * the log bucket `layer: logs`; any other bucket, tagged or not, is treated as data.
 */
export function isLogBucket(bucket: LakeResource): boolean {
    return known(() => bucket.props.tags?.layer) === "logs";
}

/**
 * Whether a companion resource (`bucket` property) configures `bucket`: by dependency when the CLI
 * reports one (ids are unknown during preview), else by the bucket's name or id.
 */
export function configures(companion: LakeResource, bucket: LakeResource): boolean {
    const deps = companion.propertyDependencies.bucket ?? [];
    if (deps.length > 0) return deps.includes(bucket.urn);
    const ref = known(() => companion.props.bucket);
    if (ref === undefined) return false;
    return ref === known(() => bucket.props.bucket) || ref === known(() => bucket.props.id);
}

const companions = (resources: readonly LakeResource[], type: string, bucket: LakeResource) =>
    resources.filter((r) => r.type === type && configures(r, bucket));

/** A finding message about `bucket`, or undefined when it complies. */
type BucketCheck = (bucket: LakeResource, resources: readonly LakeResource[]) => string | undefined;

/** Runs `check` per bucket with the stack's resources; a returned message is a finding on that bucket. */
function perBucket(check: BucketCheck): StackRule["check"] {
    return (resources) =>
        resources
            .filter((r) => r.type === BUCKET)
            .flatMap((bucket) => {
                const message = check(bucket, resources);
                return message === undefined ? [] : [{ urn: bucket.urn, message: `bucket ${bucket.name}: ${message}` }];
            });
}

/** `perBucket` over the data buckets only: the access-log bucket is skipped. */
function perDataBucket(check: BucketCheck): StackRule["check"] {
    return perBucket((bucket, resources) => (isLogBucket(bucket) ? undefined : check(bucket, resources)));
}

type SseRule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } };

export const s3BucketEncryption: StackRule = {
    kind: "stack",
    name: "s3-bucket-encryption",
    description: "Every bucket has default encryption: SSE-KMS with a customer key for data buckets, at least SSE-S3 for the access-log bucket.",
    level: "mandatory",
    check: perBucket((bucket, resources) => {
        const inline = known(() => {
            const d = bucket.props.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault;
            return d ? { applyServerSideEncryptionByDefault: { sseAlgorithm: d.sseAlgorithm, kmsMasterKeyId: d.kmsMasterKeyId } } : undefined;
        });
        const rules: SseRule[] = [...companions(resources, SSE, bucket).flatMap((c) => (c.props.rules ?? []) as SseRule[]), ...(inline ? [inline] : [])];
        const defaults = rules.map((r) => r.applyServerSideEncryptionByDefault).filter((d) => d !== undefined);
        if (defaults.length === 0) return "no default encryption (add a BucketServerSideEncryptionConfiguration)";
        const kms = defaults.some((d) => d.sseAlgorithm?.startsWith("aws:kms") && d.kmsMasterKeyId);
        if (isLogBucket(bucket)) return kms || defaults.some((d) => d.sseAlgorithm === "AES256") ? undefined : "unknown encryption algorithm";
        return kms ? undefined : `data bucket encrypted with ${defaults.map((d) => d.sseAlgorithm).join(", ")}; use aws:kms with the lake's KMS key`;
    }),
};

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3PublicAccessBlock: StackRule = {
    kind: "stack",
    name: "s3-public-access-block",
    description: "Every bucket has a public access block with all four settings on.",
    level: "mandatory",
    check: perBucket((bucket, resources) => {
        const blocks = companions(resources, PUBLIC_ACCESS_BLOCK, bucket);
        if (blocks.length === 0) return "no BucketPublicAccessBlock";
        const off = PUBLIC_ACCESS_FLAGS.filter((f) => !blocks.some((b) => b.props[f] === true));
        return off.length === 0 ? undefined : `public access block leaves ${off.join(", ")} off`;
    }),
};

/** A Deny for every principal and every S3 action when `aws:SecureTransport` is false, on the bucket and its objects. */
export function isTlsOnlyStatement(s: Statement): boolean {
    const p = s.principals as unknown;
    const everyone = p === "*" || (typeof p === "object" && p !== null && [(p as Record<string, unknown>).AWS].flat().includes("*"));
    const allS3 = s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*");
    const secure = Object.entries(s.condition).some(
        ([op, kv]) => op === "Bool" && Object.entries(kv).some(([k, v]) => k.toLowerCase() === "aws:securetransport" && String(v) === "false"),
    );
    const coversBucket = s.resources.some((r) => r.startsWith("arn:") && !r.includes("/"));
    const coversObjects = s.resources.some((r) => r.endsWith("/*"));
    return s.effect === "Deny" && everyone && allS3 && secure && coversBucket && coversObjects;
}

export const s3TlsOnlyPolicy: StackRule = {
    kind: "stack",
    name: "s3-tls-only-policy",
    description: "Every bucket policy denies requests without TLS (aws:SecureTransport false) on the bucket and its objects.",
    level: "mandatory",
    check: perBucket((bucket, resources) => {
        const inline = known(() => bucket.props.policy);
        const docs = [...companions(resources, BUCKET_POLICY, bucket).map((p) => p.props.policy as unknown), ...(inline ? [inline] : [])];
        if (docs.length === 0) return "no bucket policy denying non-TLS requests";
        const problems: string[] = [];
        for (const doc of docs) {
            try {
                if (parsePolicyDocument(doc).some(isTlsOnlyStatement)) return undefined;
            } catch (e) {
                if (e instanceof UnknownValueError) throw e;
                problems.push((e as Error).message);
            }
        }
        return problems.length > 0 ? `bucket policy unreadable: ${problems.join("; ")}` : "bucket policy has no Deny on aws:SecureTransport=false for s3:* on the bucket and bucket/*";
    }),
};

type Versioning = { versioningConfiguration?: { status?: string } };

export const s3DataBucketVersioning: StackRule = {
    kind: "stack",
    name: "s3-data-bucket-versioning",
    description: "Every data bucket has versioning enabled, so an overwrite or delete can be undone.",
    level: "mandatory",
    check: perDataBucket((bucket, resources) => {
        const statuses = companions(resources, VERSIONING, bucket).map((v) => (v.props as Versioning).versioningConfiguration?.status);
        const inline = known(() => bucket.props.versioning?.enabled) === true;
        if (inline || statuses.includes("Enabled")) return undefined;
        return statuses.length === 0 ? "data bucket has no BucketVersioning" : `data bucket versioning is ${statuses.join(", ")}, not Enabled`;
    }),
};

export const s3DataBucketAccessLogging: StackRule = {
    kind: "stack",
    name: "s3-data-bucket-access-logging",
    description: "Data buckets deliver S3 server access logs to the log bucket, for an audit trail of reads and writes.",
    level: "advisory",
    check: perDataBucket((bucket, resources) => {
        const logged = companions(resources, LOGGING, bucket).length > 0 || known(() => bucket.props.logging?.targetBucket) !== undefined;
        return logged ? undefined : "no server access logging";
    }),
};

export const s3BucketNameNoAccountId: StackRule = {
    kind: "stack",
    name: "s3-bucket-name-no-account-id",
    description:
        "Bucket names carry no AWS account id (a 12-digit segment): bucket names are public (DNS, access-denied errors), so the component makes them unique with a stable random suffix instead.",
    level: "advisory",
    check: perBucket((bucket) => {
        const name = known(() => bucket.props.bucket);
        return typeof name === "string" && /(^|[-.])\d{12}([-.]|$)/.test(name) ? `name "${name}" contains an AWS account id` : undefined;
    }),
};

export const s3Rules = [s3BucketEncryption, s3PublicAccessBlock, s3TlsOnlyPolicy, s3DataBucketVersioning, s3DataBucketAccessLogging, s3BucketNameNoAccountId];
