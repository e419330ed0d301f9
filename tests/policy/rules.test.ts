import { expect } from "chai";
import { evaluate, formatViolations } from "../../policy/evaluate";
import { policies } from "../../policy/pack";
import { LakeResource, stackFromUrn } from "../../policy/resource";
import { rules } from "../../policy/rules";
import { BRONZE, find, KEY_ARN, LOGS, remove, resource, roleS3Policy, SCOPED_S3_STATEMENTS, secureLake, tlsOnlyPolicy } from "./fixtures";

type Change = (lake: LakeResource[]) => void;
const LF_PERMISSIONS = "aws:lakeformation/permissions:Permissions";
const LF_SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings";

interface Case {
    /** Stack the lake is evaluated in; default `prod`. */
    stack?: string;
    /** What the change does, for the test title. */
    what: string;
    change: Change;
}
interface Violating extends Case {
    /** Logical name of the resource the violation must be reported on. */
    on: string;
    message: RegExp;
    /** Other rules the same change rightly trips. */
    alsoFires?: string[];
}

const props = (lake: LakeResource[], name: string) => find(lake, name).props;
const setRolePolicy = (statements: object[]): Change => (lake) => {
    props(lake, "glue-role-data").policy = roleS3Policy(statements);
};
const withSecret = (recoveryWindowInDays: number): Change => (lake) => {
    const stack = stackFromUrn(lake[0].urn);
    lake.push(resource(stack, "aws:secretsmanager/secret:Secret", "saas-secret", { name: "tickit/saas", kmsKeyId: KEY_ARN, recoveryWindowInDays }));
};
/** Renames a bucket and every companion that names it. */
const renameBucket = (from: string, to: string): Change => (lake) =>
    lake.forEach((r) => {
        for (const key of ["bucket", "targetBucket"]) if (r.props[key] === from) r.props[key] = to;
    });
const securityConfiguration = (lake: LakeResource[]) => props(lake, "glue-security").encryptionConfiguration;
const workgroupConfiguration = (lake: LakeResource[]) => props(lake, "workgroup").configuration;

/** Per rule: changes that must make it fire (and nothing else), and compliant variants it must accept. */
const CASES: Record<string, { violating: Violating[]; compliant: Case[] }> = {
    "s3-bucket-encryption": {
        violating: [
            { what: "data bucket with SSE-S3", on: "bronze", message: /data bucket encrypted with AES256; use aws:kms/, change: (l) => (props(l, "bronze-sse").rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" }) },
            { what: "data bucket with aws:kms but no key", on: "bronze", message: /use aws:kms with the lake's KMS key/, change: (l) => delete props(l, "bronze-sse").rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId },
            { what: "bucket without encryption configuration", on: "logs", message: /no default encryption/, change: (l) => remove(l, "logs-sse") },
        ],
        compliant: [
            { what: "encryption through the deprecated V2 type token", change: (l) => (find(l, "bronze-sse").type = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2") },
            {
                what: "encryption inline on the bucket",
                change: (l) => {
                    remove(l, "bronze-sse");
                    props(l, "bronze").serverSideEncryptionConfiguration = { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN } } };
                },
            },
            { what: "companion correlated by dependency rather than by name (as under the CLI)", change: (l) => {
                const sse = find(l, "bronze-sse");
                sse.props.bucket = "unknown-during-preview";
                sse.propertyDependencies = { bucket: [find(l, "bronze").urn] };
            } },
        ],
    },
    "s3-public-access-block": {
        violating: [
            { what: "one setting off", on: "bronze", message: /leaves restrictPublicBuckets off/, change: (l) => (props(l, "bronze-pab").restrictPublicBuckets = false) },
            { what: "no public access block", on: "logs", message: /no BucketPublicAccessBlock/, change: (l) => remove(l, "logs-pab") },
            { what: "a block that belongs to another bucket", on: "bronze", message: /no BucketPublicAccessBlock/, change: (l) => (props(l, "bronze-pab").bucket = "someone-elses-bucket") },
        ],
        compliant: [
            {
                what: "an auto-named bucket whose block references its id",
                change: (l) => {
                    delete props(l, "bronze").bucket;
                    props(l, "bronze").id = "bronze-4f2a";
                    for (const c of ["bronze-sse", "bronze-pab", "bronze-policy", "bronze-versioning", "bronze-logging"]) props(l, c).bucket = "bronze-4f2a";
                },
            },
        ],
    },
    "s3-tls-only-policy": {
        violating: [
            { what: "no bucket policy", on: "bronze", message: /no bucket policy denying non-TLS/, change: (l) => remove(l, "bronze-policy") },
            {
                what: "Deny that only covers objects",
                on: "bronze",
                message: /no Deny on aws:SecureTransport=false/,
                change: (l) => {
                    const doc = JSON.parse(props(l, "bronze-policy").policy);
                    doc.Statement[0].Resource = [`arn:aws:s3:::${BRONZE}/*`];
                    props(l, "bronze-policy").policy = JSON.stringify(doc);
                },
            },
            { what: "condition on the wrong value", on: "logs", message: /no Deny on aws:SecureTransport=false/, change: (l) => (props(l, "logs-policy").policy = tlsOnlyPolicy(LOGS).replace('"false"', '"true"')) },
            { what: "unreadable policy", alsoFires: ["iam-no-wildcard-actions"], on: "bronze", message: /bucket policy unreadable: policy is not valid JSON/, change: (l) => (props(l, "bronze-policy").policy = "{not json") },
        ],
        compliant: [
            {
                what: "TLS Deny next to a scoped Allow for another account",
                change: (l) => (props(l, "bronze-policy").policy = tlsOnlyPolicy(BRONZE, [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BRONZE}/*` }])),
            },
        ],
    },
    "s3-data-bucket-versioning": {
        violating: [
            { what: "suspended versioning", on: "bronze", message: /versioning is Suspended, not Enabled/, change: (l) => (props(l, "bronze-versioning").versioningConfiguration.status = "Suspended") },
            { what: "no versioning", on: "bronze", message: /has no BucketVersioning/, change: (l) => remove(l, "bronze-versioning") },
        ],
        compliant: [{ what: "the access-log bucket without versioning (baseline has none)", change: () => undefined }],
    },
    "s3-data-bucket-access-logging": {
        violating: [{ what: "data bucket without access logging", on: "bronze", message: /no server access logging/, change: (l) => remove(l, "bronze-logging") }],
        compliant: [
            {
                what: "logging inline on the bucket",
                change: (l) => {
                    remove(l, "bronze-logging");
                    props(l, "bronze").logging = { targetBucket: LOGS };
                },
            },
        ],
    },
    "iam-no-wildcard-actions": {
        violating: [
            { what: "s3:*", on: "glue-role-data", message: /Statement\[0\] \(Sid "All"\): allows "s3:\*"/, change: setRolePolicy([{ Sid: "All", Effect: "Allow", Action: "s3:*", Resource: `arn:aws:s3:::${BRONZE}` }]) },
            { what: "* on a key", alsoFires: ["iam-s3-scoped-resources"], on: "glue-role-data", message: /allows "\*"/, change: setRolePolicy([{ Effect: "Allow", Action: ["kms:Decrypt", "*"], Resource: KEY_ARN }]) },
            { what: "NotAction", on: "glue-role-data", message: /NotAction grants every other action/, change: setRolePolicy([{ Effect: "Allow", NotAction: "iam:*", Resource: KEY_ARN }]) },
            { what: "an unreadable document", on: "glue-role-data", message: /policy: Statement\[0\]\.Effect must be Allow or Deny, got "allow"/, change: setRolePolicy([{ Effect: "allow", Action: "s3:GetObject", Resource: "*" }]) },
            { what: "AdministratorAccess attached", on: "glue-role-service", message: /AdministratorAccess, which grants wildcard actions/, change: (l) => (props(l, "glue-role-service").policyArn = "arn:aws:iam::aws:policy/AdministratorAccess") },
            {
                what: "inline role policy with s3:* (object-form document)",
                on: "glue-role",
                message: /inlinePolicies\[0\] \(data\) Statement\[0\]: allows "S3:\*"/,
                change: (l) => (props(l, "glue-role").inlinePolicies = [{ name: "data", policy: { version: "2012-10-17", statement: [{ effect: "Allow", action: ["S3:*"], resource: [`arn:aws:s3:::${BRONZE}`] }] } }]),
            },
        ],
        compliant: [
            { what: "prefix patterns such as s3:Get*", change: setRolePolicy([{ Effect: "Allow", Action: "s3:Get*", Resource: `arn:aws:s3:::${BRONZE}/*` }]) },
            { what: "Deny statements with s3:* (the TLS-only bucket policy)", change: () => undefined },
        ],
    },
    "iam-s3-scoped-resources": {
        violating: [
            { what: "S3 on Resource *", on: "glue-role-data", message: /S3 access on "\*"/, change: setRolePolicy([{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }]) },
            { what: "wildcard bucket name", on: "glue-role-data", message: /S3 access on "arn:aws:s3:::tickit-\*\/\*"/, change: setRolePolicy([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::tickit-*/*" }]) },
            { what: "NotResource", on: "glue-role-data", message: /NotResource reaches every other bucket/, change: setRolePolicy([{ Effect: "Allow", Action: "s3:GetObject", NotResource: `arn:aws:s3:::${LOGS}/*` }]) },
        ],
        compliant: [{ what: "non-S3 actions on *", change: setRolePolicy([...SCOPED_S3_STATEMENTS, { Effect: "Allow", Action: "glue:GetTable", Resource: "*" }]) }],
    },
    "glue-security-configuration-encryption": {
        violating: [
            { what: "bookmarks unencrypted", on: "glue-security", message: /jobBookmarksEncryption\.jobBookmarksEncryptionMode is "DISABLED", expected "CSE-KMS"/, change: (l) => (securityConfiguration(l).jobBookmarksEncryption = { jobBookmarksEncryptionMode: "DISABLED" }) },
            { what: "S3 with SSE-S3", on: "glue-security", message: /s3Encryption\.s3EncryptionMode is "SSE-S3"/, change: (l) => (securityConfiguration(l).s3Encryption = { s3EncryptionMode: "SSE-S3" }) },
            { what: "CloudWatch without a key", on: "glue-security", message: /cloudwatchEncryption has no kmsKeyArn/, change: (l) => delete securityConfiguration(l).cloudwatchEncryption.kmsKeyArn },
        ],
        compliant: [],
    },
    "glue-security-configuration-attached": {
        violating: [
            { what: "job without security configuration", on: "bronze-job", message: /Glue job bronze-job has no securityConfiguration/, change: (l) => delete props(l, "bronze-job").securityConfiguration },
            { what: "crawler naming an unknown configuration", on: "saas-crawler", message: /uses security configuration "elsewhere", which is not defined in this stack/, change: (l) => (props(l, "saas-crawler").securityConfiguration = "elsewhere") },
        ],
        compliant: [
            {
                what: "a job whose configuration name is unknown but whose dependency is the configuration (as under the CLI)",
                change: (l) => {
                    props(l, "bronze-job").securityConfiguration = "unknown-during-preview";
                    find(l, "bronze-job").propertyDependencies = { securityConfiguration: [find(l, "glue-security").urn] };
                },
            },
        ],
    },
    "glue-connection-no-plaintext-password": {
        violating: [
            { what: "PASSWORD property", on: "saas-connection", message: /connectionProperties\.PASSWORD holds a password/, change: (l) => (props(l, "saas-connection").connectionProperties.PASSWORD = "hunter2") },
            { what: "password in the JDBC URL", on: "saas-connection", message: /JDBC_CONNECTION_URL embeds a password/, change: (l) => (props(l, "saas-connection").connectionProperties.JDBC_CONNECTION_URL = "jdbc:postgresql://db:5432/tickit?user=etl&password=hunter2") },
            { what: "no secret", on: "saas-connection", message: /no SECRET_ID/, change: (l) => delete props(l, "saas-connection").connectionProperties.SECRET_ID },
        ],
        compliant: [
            {
                what: "credentials through authenticationConfiguration",
                change: (l) => {
                    delete props(l, "saas-connection").connectionProperties.SECRET_ID;
                    props(l, "saas-connection").authenticationConfiguration = { authenticationType: "BASIC", secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:saas" };
                },
            },
        ],
    },
    "glue-version-current": {
        violating: [
            { what: "Glue 4.0", on: "bronze-job", message: /glueVersion is "4\.0", use 5\.0 or later/, change: (l) => (props(l, "bronze-job").glueVersion = "4.0") },
            { what: "no version", on: "bronze-job", message: /glueVersion is "unset"/, change: (l) => delete props(l, "bronze-job").glueVersion },
        ],
        compliant: [{ what: "a later version", change: (l) => (props(l, "bronze-job").glueVersion = "5.1") }],
    },
    "glue-workers-non-production": {
        violating: [{ stack: "dev", what: "11 workers in dev", on: "bronze-job", message: /11 workers in non-production stack "dev"/, change: (l) => (props(l, "bronze-job").numberOfWorkers = 11) }],
        compliant: [
            { what: "11 workers in prod", change: (l) => (props(l, "bronze-job").numberOfWorkers = 11) },
            { stack: "dev", what: "exactly 10 workers in dev", change: (l) => (props(l, "bronze-job").numberOfWorkers = 10) },
        ],
    },
    "athena-enforce-workgroup-configuration": {
        violating: [{ what: "not enforced", on: "workgroup", message: /enforceWorkgroupConfiguration is not true/, change: (l) => (workgroupConfiguration(l).enforceWorkgroupConfiguration = false) }],
        compliant: [],
    },
    "athena-encrypt-results": {
        violating: [
            { what: "SSE_S3 results", on: "workgroup", message: /encryptionOption is "SSE_S3", expected SSE_KMS or CSE_KMS/, change: (l) => (workgroupConfiguration(l).resultConfiguration.encryptionConfiguration = { encryptionOption: "SSE_S3" }) },
            { what: "no result configuration", on: "workgroup", message: /encryptionOption is null/, change: (l) => delete workgroupConfiguration(l).resultConfiguration },
        ],
        compliant: [{ what: "CSE_KMS", change: (l) => (workgroupConfiguration(l).resultConfiguration.encryptionConfiguration.encryptionOption = "CSE_KMS") }],
    },
    "athena-bytes-scanned-cutoff": {
        violating: [
            { what: "no cutoff", on: "workgroup", message: /bytesScannedCutoffPerQuery is not set/, change: (l) => delete workgroupConfiguration(l).bytesScannedCutoffPerQuery },
            { what: "cutoff below Athena's minimum", on: "workgroup", message: /1000 is below Athena's minimum 10485760/, change: (l) => (workgroupConfiguration(l).bytesScannedCutoffPerQuery = 1000) },
        ],
        compliant: [{ what: "exactly 10 MB", change: (l) => (workgroupConfiguration(l).bytesScannedCutoffPerQuery = 10485760) }],
    },
    "prod-protect-data": {
        violating: [
            { what: "unprotected data bucket", on: "bronze", message: /not protected or retained on delete in production stack "prod"/, change: (l) => (find(l, "bronze").opts = {}) },
            { stack: "production", what: "unprotected catalog database", on: "bronze-db", message: /production stack "production"/, change: (l) => (find(l, "bronze-db").opts = { protect: false, retainOnDelete: false }) },
            { stack: "prod-eu", what: "unprotected KMS key", on: "key", message: /production stack "prod-eu"/, change: (l) => (find(l, "key").opts = {}) },
            { what: "unprotected access-log bucket (the audit trail)", on: "logs", message: /not protected or retained/, change: (l) => (find(l, "logs").opts = {}) },
            { what: "unprotected bucket-name suffix (replacing it replaces every bucket)", on: "bucket-suffix", message: /not protected or retained/, change: (l) => (find(l, "bucket-suffix").opts = {}) },
        ],
        compliant: [
            { what: "retained but not protected", change: (l) => (find(l, "bronze").opts = { retainOnDelete: true }) },
            { what: "protected but not retained", change: (l) => (find(l, "bronze").opts = { protect: true }) },
            { stack: "dev", what: "unprotected data in dev", change: (l) => l.forEach((r) => (r.opts = {})) },
            { stack: "production-copy", what: "a stack that only starts with 'production'", change: (l) => l.forEach((r) => (r.opts = {})) },
        ],
    },
    "s3-bucket-name-no-account-id": {
        violating: [
            { what: "account id as a name segment", on: "bronze", message: /name "tickit-prod-bronze-123456789012-us-east-1" contains an AWS account id/, change: renameBucket(BRONZE, "tickit-prod-bronze-123456789012-us-east-1") },
            { what: "account id at the start", on: "logs", message: /contains an AWS account id/, change: renameBucket(LOGS, "123456789012-logs") },
        ],
        compliant: [
            { what: "other digits in the name", change: renameBucket(BRONZE, "tickit-2026-bronze-k3x9q2ab") },
            { what: "an unknown name (preview)", change: (l) => delete props(l, "bronze").bucket },
        ],
    },
    "prod-no-force-destroy": {
        violating: [
            { what: "force-destroyable bucket", on: "logs", message: /forceDestroy is true in production stack "prod"/, change: (l) => (props(l, "logs").forceDestroy = true) },
            { what: "force-destroyable workgroup", on: "workgroup", message: /forceDestroy is true/, change: (l) => (props(l, "workgroup").forceDestroy = true) },
            { what: "secret deleted without recovery window", on: "saas-secret", message: /recoveryWindowInDays is 0/, change: withSecret(0) },
        ],
        compliant: [
            { stack: "dev", what: "force-destroy in dev", change: (l) => (props(l, "bronze").forceDestroy = true) },
            { what: "secret with a 7-day recovery window", change: withSecret(7) },
            { stack: "dev", what: "secret without recovery window in dev", change: withSecret(0) },
        ],
    },
    "sns-topic-encryption": {
        violating: [
            { what: "unencrypted topic", on: "alerts", message: /no kmsMasterKeyId/, change: (l) => delete props(l, "alerts").kmsMasterKeyId },
            { what: "topic on the AWS managed key", on: "alerts", message: /alias\/aws\/sns/, change: (l) => (props(l, "alerts").kmsMasterKeyId = "alias/aws/sns") },
        ],
        compliant: [],
    },
    "prod-alert-subscription": {
        violating: [
            { what: "production topic without subscription", on: "alerts", message: /no subscription in production stack "prod"/, change: (l) => remove(l, "alerts-0") },
            { what: "subscription to another topic", on: "alerts", message: /no subscription/, change: (l) => Object.assign(find(l, "alerts-0"), { propertyDependencies: {}, props: { ...props(l, "alerts-0"), topic: "arn:aws:sns:us-east-1:123456789012:other-alerts" } }) },
        ],
        compliant: [
            { stack: "dev", what: "dev topic without subscription", change: (l) => remove(l, "alerts-0") },
            { what: "subscription naming the topic by ARN (no dependency known)", change: (l) => {
                Object.assign(find(l, "alerts-0"), { propertyDependencies: {}, props: { ...props(l, "alerts-0"), topic: "arn:aws:sns:us-east-1:123456789012:tickit-prod-alerts" } });
            } },
        ],
    },
    "lake-no-consumer-grant-on-bronze": {
        violating: [
            {
                what: "a Lake Formation SELECT on the bronze tables to an analyst",
                on: "analyst-bronze",
                message: /grants arn:aws:iam::123456789012:role\/analyst access to bronze/,
                change: (l) => l.push(resource("prod", LF_PERMISSIONS, "analyst-bronze", { principal: "arn:aws:iam::123456789012:role/analyst", permissions: ["SELECT"], table: { databaseName: "tickit_prod_bronze", wildcard: true } })),
            },
            {
                what: "an LF-tag grant on layer bronze to another account",
                on: "share-bronze",
                message: /access to bronze/,
                change: (l) => l.push(resource("prod", LF_PERMISSIONS, "share-bronze", { principal: "444455556666", permissions: ["SELECT"], lfTagPolicy: { resourceType: "TABLE", expressions: [{ key: "tickit-prod-layer", values: ["silver", "bronze"] }] } })),
            },
            {
                what: "an analyst's role policy reading the bronze bucket",
                on: "analyst-policy",
                message: /reads the bronze bucket \(arn:aws:s3:::tickit-prod-bronze-k3x9q2ab\/\*\)/,
                change: (l) => l.push(resource("prod", "aws:iam/rolePolicy:RolePolicy", "analyst-policy", { role: "analyst", policy: roleS3Policy([{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BRONZE}/*` }]) })),
            },
        ],
        compliant: [
            {
                what: "the silver job's Lake Formation read of bronze (principal by the role's ARN)",
                change: (l) => {
                    l.push(resource("prod", "aws:iam/role:Role", "lake-silver-job-role", { assumeRolePolicy: "{}" }));
                    l.push(resource("prod", LF_PERMISSIONS, "silver-reads-bronze", { principal: "arn:aws:iam::123456789012:role/lake-silver-job-role-4f2a1b9", permissions: ["SELECT"], table: { databaseName: "tickit_prod_bronze", wildcard: true } }));
                    Object.assign(find(l, "lake-silver-job-role").props, { name: "lake-silver-job-role-4f2a1b9" });
                },
            },
            { what: "an analyst's Lake Formation grant on gold", change: (l) => l.push(resource("prod", LF_PERMISSIONS, "analyst-gold", { principal: "arn:aws:iam::123456789012:role/analyst", permissions: ["SELECT"], table: { databaseName: "tickit_prod_gold", wildcard: true } })) },
        ],
    },
    "lake-formation-no-s3-data-read": {
        violating: [
            {
                what: "an analyst reading the bronze bucket's objects in Lake Formation mode",
                on: "analyst-policy",
                alsoFires: ["lake-no-consumer-grant-on-bronze"],
                message: /reads data bucket objects directly .*grant through Lake Formation instead/,
                change: (l) => {
                    l.push(resource("prod", LF_SETTINGS, "lf-settings", { admins: ["arn:aws:iam::123456789012:role/lake-admin"] }));
                    l.push(resource("prod", "aws:iam/rolePolicy:RolePolicy", "analyst-policy", { role: "analyst", policy: roleS3Policy([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::${BRONZE}/*` }]) }));
                },
            },
        ],
        compliant: [
            { what: "the bronze job's own S3 access in Lake Formation mode", change: (l) => l.push(resource("prod", LF_SETTINGS, "lf-settings", { admins: ["arn:aws:iam::123456789012:role/lake-admin"] })) },
        ],
    },
    "kms-key-rotation": {
        violating: [{ what: "rotation off", on: "key", message: /enableKeyRotation is not true/, change: (l) => (props(l, "key").enableKeyRotation = false) }],
        compliant: [],
    },
};

function lakeWith(c: Case): LakeResource[] {
    const lake = secureLake(c.stack ?? "prod");
    c.change(lake);
    return lake;
}

describe("policy pack rules", () => {
    it("has violating and compliant cases for every rule, and no cases for unknown rules", () => {
        expect(Object.keys(CASES).sort()).to.deep.equal(rules.map((r) => r.name).sort());
        for (const [name, c] of Object.entries(CASES)) expect(c.violating, name).to.not.be.empty;
    });

    for (const stack of ["prod", "dev", "local"]) {
        it(`reports nothing, at any level, on the compliant fixture lake in stack ${stack}`, async () => {
            const violations = await evaluate(policies, secureLake(stack));
            expect(violations, formatViolations(violations)).to.deep.equal([]);
        });
    }

    for (const rule of rules) {
        describe(`${rule.name} (${rule.level})`, () => {
            for (const c of CASES[rule.name]?.violating ?? []) {
                it(`fires on ${c.what}`, async () => {
                    const lake = lakeWith(c);
                    const violations = await evaluate(policies, lake);
                    const mine = violations.filter((v) => v.policy === rule.name);
                    expect(mine.some((v) => v.urn === find(lake, c.on).urn && c.message.test(v.message)), formatViolations(violations)).to.equal(true);
                    expect(mine.every((v) => v.level === rule.level)).to.equal(true);
                    expect([...new Set(violations.map((v) => v.policy))].sort(), "no unrelated rule fires").to.deep.equal([rule.name, ...(c.alsoFires ?? [])].sort());
                });
            }
            it("stays quiet on the compliant fixture lake", async () => {
                const violations = (await evaluate(policies, secureLake("prod"))).filter((v) => v.policy === rule.name);
                expect(violations, formatViolations(violations)).to.deep.equal([]);
            });
            for (const c of CASES[rule.name]?.compliant ?? []) {
                it(`stays quiet on ${c.what}`, async () => {
                    const violations = (await evaluate(policies, lakeWith(c))).filter((v) => v.policy === rule.name);
                    expect(violations, formatViolations(violations)).to.deep.equal([]);
                });
            }
        });
    }
});
