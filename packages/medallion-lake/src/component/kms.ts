/**
 * Encryption: the lake's customer-managed KMS key (rotation on) and the Glue security
 * configuration that makes jobs and crawlers use it for S3, CloudWatch Logs and job bookmarks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alertTopicArn } from "./alerts";
import { KMS_KEY_ARN } from "../model/config";
import { checkedInput } from "./checked-input";
import { LakeContext } from "./context";

/** Days a deleted key stays recoverable (KMS allows 7..30). */
export const KEY_DELETION_WINDOW_DAYS = 30;

/**
 * The key policy: the account administers the key through IAM (so roles need explicit kms grants),
 * CloudWatch Logs may use it only for the Glue log groups the security configuration encrypts, and
 * the alert publishers may use it for the encrypted alert topic `alertTopicArn`
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html):
 * - EventBridge only for that topic. Its requests to an encrypted topic carry no `aws:SourceAccount`
 *   or `aws:SourceArn` (the SNS guide: those conditions are not supported for EventBridge to encrypted
 *   topics; awslabs/landing-zone-accelerator-on-aws#407), so such a condition fails every delivery.
 *   SNS passes the topic ARN as encryption context `aws:sns:topicArn`, which AWS's own key policies
 *   for services publishing to encrypted topics condition on (Amazon GameLift FlexMatch guide, "Set up
 *   an SNS topic with server-side encryption"). `kms:ViaService` is not used: no AWS document shows
 *   it on EventBridge's requests for an encrypted topic.
 * - CloudWatch alarms of this account (`aws:SourceAccount`, which alarms do send).
 */
export function keyPolicy(accountId: string, region: string, partition: string, alertTopicArn: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // AWS's default key policy statement: without it the key becomes unmanageable.
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsForGlueLogGroups",
                Effect: "Allow",
                Principal: { Service: `logs.${region}.amazonaws.com` },
                // No kms:Describe*: those requests carry no encryption context, so the condition never matched them.
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: {
                    ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:/aws-glue/*` },
                },
            },
            {
                Sid: "EventBridgeUsesKeyForAlertTopic",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": alertTopicArn } },
            },
            {
                Sid: "AlarmsUseKeyForAlertTopic",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}

export interface Encryption {
    /** The key the lake created; undefined when the config names an existing key (`kmsKeyArn`). */
    key?: aws.kms.Key;
    alias?: aws.kms.Alias;
    /** ARN of the key everything is encrypted with (created or existing). */
    keyArn: pulumi.Output<string>;
    securityConfiguration: aws.glue.SecurityConfiguration;
}

export function createEncryption(ctx: LakeContext): Encryption {
    const existing = ctx.config.kmsKeyArn;
    const created = existing === undefined ? createKey(ctx) : undefined;
    const keyArn = created ? created.key.arn : checkedInput(existing!, KMS_KEY_ARN, "kmsKeyArn");
    const securityConfiguration = new aws.glue.SecurityConfiguration(
        `${ctx.name}-security`,
        {
            name: `${ctx.prefix}-security`,
            encryptionConfiguration: {
                s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: keyArn },
                cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: keyArn },
                jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: keyArn },
            },
        },
        ctx.opts(),
    );
    return { ...created, keyArn, securityConfiguration };
}

/** The lake's own key (rotation on, `keyPolicy`) and its alias `alias/<lake>-<env>`. */
function createKey(ctx: LakeContext): { key: aws.kms.Key; alias: aws.kms.Alias } {
    const key = new aws.kms.Key(
        `${ctx.name}-key`,
        {
            description: `medallion-lake ${ctx.prefix}: lake data, Glue logs and bookmarks, Athena results`,
            enableKeyRotation: true,
            deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
            policy: pulumi
                .all([ctx.accountId, ctx.region, ctx.partition])
                .apply(([accountId, region, partition]) => JSON.stringify(keyPolicy(accountId, region, partition, alertTopicArn(ctx.prefix, { accountId, region, partition })))),
            tags: ctx.tags,
        },
        ctx.opts("data"),
    );
    const alias = new aws.kms.Alias(`${ctx.name}-key-alias`, { name: `alias/${ctx.prefix}`, targetKeyId: key.keyId }, ctx.opts());
    return { key, alias };
}
