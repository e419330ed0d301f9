import { isProductionStack, LakeResource, ResourceRule, StackRule } from "../resource";

const JOB = "aws:glue/job:Job";
const CRAWLER = "aws:glue/crawler:Crawler";
const SECURITY_CONFIGURATION = "aws:glue/securityConfiguration:SecurityConfiguration";
const CONNECTION = "aws:glue/connection:Connection";

/** Encryption settings a Glue security configuration must carry, and the mode each must use. */
const REQUIRED_ENCRYPTION = [
    { block: "s3Encryption", mode: "s3EncryptionMode", expected: "SSE-KMS" },
    { block: "cloudwatchEncryption", mode: "cloudwatchEncryptionMode", expected: "SSE-KMS" },
    { block: "jobBookmarksEncryption", mode: "jobBookmarksEncryptionMode", expected: "CSE-KMS" },
] as const;

export const glueSecurityConfigurationEncryption: ResourceRule = {
    kind: "resource",
    name: "glue-security-configuration-encryption",
    description: "Glue security configurations encrypt S3 output (SSE-KMS), CloudWatch logs (SSE-KMS) and job bookmarks (CSE-KMS) with a KMS key.",
    level: "mandatory",
    types: [SECURITY_CONFIGURATION],
    check(r) {
        const config = (r.props.encryptionConfiguration ?? {}) as Record<string, Record<string, unknown> | undefined>;
        return REQUIRED_ENCRYPTION.flatMap(({ block, mode, expected }) => {
            const b = config[block];
            if (b?.[mode] !== expected) return [`encryptionConfiguration.${block}.${mode} is ${JSON.stringify(b?.[mode] ?? null)}, expected "${expected}"`];
            return b.kmsKeyArn ? [] : [`encryptionConfiguration.${block} has no kmsKeyArn`];
        });
    },
};

/** Whether `ref` (a job's or crawler's `securityConfiguration`) names `sc`: by dependency, else by name. */
function refersTo(user: LakeResource, sc: LakeResource): boolean {
    const deps = user.propertyDependencies.securityConfiguration ?? [];
    if (deps.length > 0) return deps.includes(sc.urn);
    return user.props.securityConfiguration !== undefined && user.props.securityConfiguration === sc.props.name;
}

export const glueJobsUseSecurityConfiguration: StackRule = {
    kind: "stack",
    name: "glue-security-configuration-attached",
    description: "Every Glue job and crawler runs with a security configuration defined in the same stack (whose encryption the rule above checks).",
    level: "mandatory",
    check(resources) {
        const configs = resources.filter((r) => r.type === SECURITY_CONFIGURATION);
        return resources
            .filter((r) => r.type === JOB || r.type === CRAWLER)
            .flatMap((r) => {
                const kind = r.type === JOB ? "Glue job" : "crawler";
                if (configs.some((sc) => refersTo(r, sc))) return [];
                if (!r.props.securityConfiguration) return [{ urn: r.urn, message: `${kind} ${r.name} has no securityConfiguration` }];
                return [{ urn: r.urn, message: `${kind} ${r.name} uses security configuration "${r.props.securityConfiguration}", which is not defined in this stack` }];
            });
    },
};

/** Keys of Glue connection properties that would hold a password in plaintext (Glue stores them readable by anyone with GetConnection). */
const PASSWORD_KEY = /passw(or)?d|^pass$/i;

export const glueConnectionNoPlaintextPassword: ResourceRule = {
    kind: "resource",
    name: "glue-connection-no-plaintext-password",
    description: "Glue connections take credentials from Secrets Manager (SECRET_ID), never a password property or a password in the JDBC URL.",
    level: "mandatory",
    types: [CONNECTION],
    check(r) {
        const props = (r.props.connectionProperties ?? {}) as Record<string, unknown>;
        const out = Object.keys(props)
            .filter((k) => PASSWORD_KEY.test(k))
            .map((k) => `connectionProperties.${k} holds a password; store it in Secrets Manager and set SECRET_ID`);
        const url = props.JDBC_CONNECTION_URL;
        if (typeof url === "string" && /[?;&]password=/i.test(url)) out.push("JDBC_CONNECTION_URL embeds a password");
        const jdbc = (r.props.connectionType ?? "JDBC") === "JDBC";
        const secret = props.SECRET_ID ?? (r.props.authenticationConfiguration as { secretArn?: unknown } | undefined)?.secretArn;
        if (jdbc && !secret) out.push("JDBC connection has no SECRET_ID (or authenticationConfiguration.secretArn)");
        return out;
    },
};

/** `"4.0"` -> 4; a missing version means AWS's oldest default. */
const glueVersion = (v: unknown) => (typeof v === "string" ? Number.parseFloat(v) : 0);

export const glueVersionCurrent: ResourceRule = {
    kind: "resource",
    name: "glue-version-current",
    description: "Glue jobs run Glue 5.0 or later (Spark 3.5, Python 3.11); older versions lose support first.",
    level: "advisory",
    types: [JOB],
    check(r) {
        return glueVersion(r.props.glueVersion) >= 5 ? [] : [`glueVersion is ${JSON.stringify(r.props.glueVersion ?? "unset")}, use 5.0 or later`];
    },
};

export const MAX_NON_PRODUCTION_WORKERS = 10;

export const glueWorkersNonProduction: ResourceRule = {
    kind: "resource",
    name: "glue-workers-non-production",
    description: `Non-production Glue jobs use at most ${MAX_NON_PRODUCTION_WORKERS} workers, to bound the cost of test runs.`,
    level: "advisory",
    types: [JOB],
    check(r, stack) {
        const n = r.props.numberOfWorkers;
        return !isProductionStack(stack) && typeof n === "number" && n > MAX_NON_PRODUCTION_WORKERS
            ? [`${n} workers in non-production stack "${stack}" (more than ${MAX_NON_PRODUCTION_WORKERS})`]
            : [];
    },
};

export const glueRules = [glueSecurityConfigurationEncryption, glueJobsUseSecurityConfiguration, glueConnectionNoPlaintextPassword, glueVersionCurrent, glueWorkersNonProduction];
