/**
 * Alerts: the lake's SNS topic (encrypted with the lake key; only the lake's own EventBridge rules
 * and alarms may publish), the config's subscriptions with what SNS needs to deliver to a queue or a
 * function (a queue policy, a Lambda permission), EventBridge rules for the lake's failed Glue job runs
 * and crawls, and the freshness, quarantine, delete-share and data-quality alarms. Documents are pure
 * functions, tested on their own.
 *
 * Glue events: https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-glue.html
 * (Glue Job State Change, states FAILED/TIMEOUT/ERROR/STOPPED; Glue Crawler State Change, state Failed).
 * Topic policy for EventBridge with aws:SourceArn:
 * https://www.repost.aws/knowledge-center/sns-not-getting-eventbridge-notification (the key policy
 * an encrypted topic needs: kms.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { endpointPlacement, freshnessHours, SubscriptionProtocol } from "../model/alerts-config";
import { LakeConfigError } from "../model/config";
import { LakeContext } from "./context";
import { jobDimensions, METRICS, metricsNamespace } from "../model/metrics";
import { Layer } from "../model/naming";

/** Job states that alert (SUCCEEDED, RUNNING, STARTING and STOPPING do not). */
export const FAILED_JOB_STATES = ["FAILED", "TIMEOUT", "ERROR", "STOPPED"];

/** Event patterns of the lake's own failures: its jobs and its crawlers, nothing else in the account. */
export function failurePatterns(jobNames: string[], crawlerNames: string[]): { jobs: object; crawlers: object } {
    return {
        jobs: { source: ["aws.glue"], "detail-type": ["Glue Job State Change"], detail: { jobName: jobNames, state: FAILED_JOB_STATES } },
        crawlers: { source: ["aws.glue"], "detail-type": ["Glue Crawler State Change"], detail: { crawlerName: crawlerNames, state: ["Failed"] } },
    };
}

/** Input transformers turning an event into one readable line (lake, environment, what, state, run, error, console link). */
export function failureMessages(lake: string, environment: string): Record<"jobs" | "crawlers", aws.types.input.cloudwatch.EventTargetInputTransformer> {
    const console = "https://<region>.console.aws.amazon.com/glue/home?region=<region>";
    return {
        jobs: {
            inputPaths: { job: "$.detail.jobName", state: "$.detail.state", run: "$.detail.jobRunId", message: "$.detail.message", region: "$.region" },
            inputTemplate: `"medallion-lake ${lake} (${environment}): Glue job <job> <state>, run <run>: <message>. Console: ${console}#/v2/etl-configuration/jobs/view/<job>"`,
        },
        crawlers: {
            inputPaths: { crawler: "$.detail.crawlerName", state: "$.detail.state", message: "$.detail.errorMessage", region: "$.region" },
            inputTemplate: `"medallion-lake ${lake} (${environment}): Glue crawler <crawler> <state>: <message>. Console: ${console}#/v2/data-catalog/crawlers/view/<crawler>"`,
        },
    };
}

/** The lake's account, region and partition, as the AWS lookups report them. */
export interface LakeLocation {
    partition: string;
    region: string;
    accountId: string;
}

/** Name of the lake's alert topic. */
export function alertTopicName(prefix: string): string {
    return `${prefix}-alerts`;
}

/** ARN of the lake's alert topic, known before the topic exists (the key policy names it). */
export function alertTopicArn(prefix: string, at: LakeLocation): string {
    return `arn:${at.partition}:sns:${at.region}:${at.accountId}:${alertTopicName(prefix)}`;
}

/** Alarm names start with this, so the topic policy can allow exactly the lake's alarms. */
export function alarmPrefix(prefix: string): string {
    return `${prefix}-`;
}

/** Only the lake's EventBridge rules and CloudWatch alarms (in its account) may publish to the topic. */
export function topicPolicy(topicArn: string, ruleArns: string[], s: { partition: string; region: string; accountId: string; prefix: string }): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LakeEventRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
            },
            {
                Sid: "LakeAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: {
                    ArnLike: { "aws:SourceArn": `arn:${s.partition}:cloudwatch:${s.region}:${s.accountId}:alarm:${alarmPrefix(s.prefix)}*` },
                    StringEquals: { "aws:SourceAccount": s.accountId },
                },
            },
        ],
    };
}

/**
 * Why the lake cannot grant the topic delivery to an `sqs` or `lambda` endpoint: the queue's policy
 * and the function's permission can only be set from the lake's own account and region.
 */
export function placementProblem(protocol: "sqs" | "lambda", endpoint: string, lake: LakeLocation): string | undefined {
    const at = endpointPlacement(protocol, endpoint);
    if (at.partition === lake.partition && at.region === lake.region && at.accountId === lake.accountId) return undefined;
    return (
        `must be in the lake's account ${lake.accountId} and region ${lake.region} (partition ${lake.partition}), since the lake grants the topic delivery to it;` +
        ` got account ${at.accountId}, region ${at.region}, partition ${at.partition}`
    );
}

/** The queue policy an SQS subscriber needs: only the lake's topic may send (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html). */
export function queuePolicy(queueArn: string, topicArn: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LakeAlertTopicSends",
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
            },
        ],
    };
}

/** The queue URL of a queue ARN (`https://sqs.<region>.<dnsSuffix>/<account>/<queue>`), which sqs.QueuePolicy takes. */
export function queueUrl(queueArn: string, dnsSuffix: string): string {
    const [, , , region, account, queue] = queueArn.split(":");
    return `https://sqs.${region}.${dnsSuffix}/${account}/${queue}`;
}

/** A function ARN split as lambda.Permission takes it: the unqualified ARN and the alias or version, if any. */
export function lambdaTarget(functionArn: string): { function: string; qualifier?: string } {
    const parts = functionArn.split(":");
    return parts.length === 8 ? { function: parts.slice(0, 7).join(":"), qualifier: parts[7] } : { function: functionArn };
}

export interface Alerts {
    topic: aws.sns.Topic;
    subscriptions: aws.sns.TopicSubscription[];
    /** What lets SNS deliver to the `sqs` and `lambda` subscriptions: a queue policy or a Lambda permission each. */
    deliveryGrants: (aws.sqs.QueuePolicy | aws.lambda.Permission)[];
    rules: aws.cloudwatch.EventRule[];
    alarms: aws.cloudwatch.MetricAlarm[];
}

/** @param jobs every Glue job of the lake (the layer jobs and the on-demand forget job): each failure notifies. */
export function createAlerts(ctx: LakeContext, keyArn: pulumi.Input<string>, jobs: aws.glue.Job[], crawlers: aws.glue.Crawler[]): Alerts {
    const topic = new aws.sns.Topic(`${ctx.name}-alerts`, { name: alertTopicName(ctx.prefix), kmsMasterKeyId: keyArn, tags: ctx.tags }, ctx.opts());
    const deliveryGrants: Alerts["deliveryGrants"] = [];
    const subscriptions = ctx.config.alerts.subscriptions.map((s, i) => {
        const name = `${ctx.name}-alerts-${i}`;
        const endpoint = s.protocol === "sqs" || s.protocol === "lambda" ? checkedEndpoint(ctx, s.protocol, s.endpoint, i) : pulumi.output(s.endpoint);
        const grant = grantDelivery(ctx, name, s.protocol, endpoint, topic);
        if (grant) deliveryGrants.push(grant);
        return new aws.sns.TopicSubscription(
            name,
            { topic: topic.arn, protocol: s.protocol, endpoint },
            ctx.opts("infra", { parent: topic, dependsOn: grant ? [grant] : [] }),
        );
    });

    const messages = failureMessages(ctx.config.name, ctx.environment);
    const patterns = pulumi
        .all([pulumi.all(jobs.map((j) => j.name)), pulumi.all(crawlers.map((c) => c.name))])
        .apply(([jobNames, crawlerNames]) => failurePatterns(jobNames, crawlerNames));
    const rules = (["jobs", "crawlers"] as const).map((what) => {
        const rule = new aws.cloudwatch.EventRule(
            `${ctx.name}-${what}-failed`,
            { name: `${ctx.prefix}-${what}-failed`, description: `${ctx.prefix}: failed Glue ${what} notify the lake's topic`, eventPattern: patterns.apply((p) => JSON.stringify(p[what])), tags: ctx.tags },
            ctx.opts(),
        );
        new aws.cloudwatch.EventTarget(`${ctx.name}-${what}-failed-target`, { rule: rule.name, arn: topic.arn, inputTransformer: messages[what] }, ctx.opts("infra", { parent: rule }));
        return rule;
    });
    new aws.sns.TopicPolicy(
        `${ctx.name}-alerts-policy`,
        {
            arn: topic.arn,
            policy: pulumi
                .all([topic.arn, pulumi.all(rules.map((r) => r.arn)), ctx.partition, ctx.region, ctx.accountId])
                .apply(([arn, ruleArns, partition, region, accountId]) => JSON.stringify(topicPolicy(arn, ruleArns, { partition, region, accountId, prefix: ctx.prefix }))),
        },
        ctx.opts("infra", { parent: topic }),
    );
    return { topic, subscriptions, deliveryGrants, rules, alarms: createAlarms(ctx, topic) };
}

/** An `sqs` or `lambda` endpoint once the lake's location is known. @throws LakeConfigError when it is elsewhere (placementProblem). */
function checkedEndpoint(ctx: LakeContext, protocol: "sqs" | "lambda", endpoint: string, i: number): pulumi.Output<string> {
    return pulumi.all([ctx.partition, ctx.region, ctx.accountId]).apply(([partition, region, accountId]) => {
        const problem = placementProblem(protocol, endpoint, { partition, region, accountId });
        if (problem) throw new LakeConfigError([{ path: `alerts.subscriptions[${i}].endpoint`, message: problem }]);
        return endpoint;
    });
}

/**
 * What SNS needs to deliver to the endpoint: a queue policy for `sqs` (SQS has one policy per
 * queue: the lake's replaces any other), a Lambda permission for `lambda`; nothing for email and https.
 */
function grantDelivery(ctx: LakeContext, name: string, protocol: SubscriptionProtocol, checked: pulumi.Output<string>, topic: aws.sns.Topic): aws.sqs.QueuePolicy | aws.lambda.Permission | undefined {
    if (protocol !== "sqs" && protocol !== "lambda") return undefined;
    if (protocol === "sqs") {
        return new aws.sqs.QueuePolicy(
            `${name}-queue-policy`,
            {
                queueUrl: pulumi.all([checked, ctx.dnsSuffix]).apply(([arn, dnsSuffix]) => queueUrl(arn, dnsSuffix)),
                policy: pulumi.all([checked, topic.arn]).apply(([arn, topicArn]) => JSON.stringify(queuePolicy(arn, topicArn))),
            },
            ctx.opts("infra", { parent: topic }),
        );
    }
    const target = checked.apply(lambdaTarget);
    return new aws.lambda.Permission(
        `${name}-invoke`,
        { action: "lambda:InvokeFunction", function: target.function, qualifier: target.qualifier, principal: "sns.amazonaws.com", sourceArn: topic.arn },
        ctx.opts("infra", { parent: topic }),
    );
}

/** CloudWatch alarm arguments of the lake, without the topic (pure, so tests read them directly). */
export function alarmSpecs(ctx: Pick<LakeContext, "config" | "environment" | "prefix">): (Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions"> & { key: string })[] {
    const namespace = metricsNamespace(ctx.config.name);
    const dims = (layer: Layer) => jobDimensions(ctx.config.name, ctx.environment, layer);
    const name = (what: string) => `${alarmPrefix(ctx.prefix)}${what}`;
    const specs: (Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions"> & { key: string })[] = [
        {
            key: "quarantine",
            name: name("quarantine-share"),
            alarmDescription: `A silver run of ${ctx.prefix} quarantined more than ${ctx.config.alerts.quarantineShare * 100}% of the rows of its bronze batches.`,
            comparisonOperator: "GreaterThanThreshold",
            threshold: ctx.config.alerts.quarantineShare,
            evaluationPeriods: 1,
            treatMissingData: "notBreaching",
            metricQueries: [
                { id: "q", metric: { namespace, metricName: METRICS.quarantinedRows, dimensions: dims("silver"), period: 3600, stat: "Sum" } },
                { id: "r", metric: { namespace, metricName: METRICS.rowsRead, dimensions: dims("silver"), period: 3600, stat: "Sum" } },
                { id: "share", expression: "q / IF(r > 0, r, 1)", label: "quarantined share", returnData: true },
            ],
        },
        {
            // The jobs publish a share per run (the largest of its tables'), so the alarm needs no
            // metric math; Maximum keeps one table's share when two runs fall in the hour.
            // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
            key: "deletes",
            name: name("delete-share"),
            alarmDescription: `A silver run of ${ctx.prefix} deleted more than ${ctx.config.alerts.deleteShare * 100}% of a table's rows (the DeleteShare metric per Table; the keys: the silver database's _deletes table).`,
            namespace,
            metricName: METRICS.deleteShare,
            dimensions: dims("silver"),
            statistic: "Maximum",
            period: 3600,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: ctx.config.alerts.deleteShare,
            treatMissingData: "notBreaching",
        },
        {
            key: "quality",
            name: name("data-quality"),
            alarmDescription: `Data-quality rules of ${ctx.prefix} failed in a silver run (see the silver run summary).`,
            namespace,
            metricName: METRICS.qualityFailures,
            dimensions: dims("silver"),
            statistic: "Sum",
            period: 3600,
            evaluationPeriods: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold: 0,
            treatMissingData: "notBreaching",
        },
    ];
    const hours = freshnessHours(ctx.config);
    if (hours !== undefined) {
        specs.push({
            key: "freshness",
            name: name("gold-freshness"),
            alarmDescription: `The gold job of ${ctx.prefix} has not succeeded for ${hours} hours.`,
            namespace,
            metricName: METRICS.jobSucceeded,
            dimensions: dims("gold"),
            statistic: "Sum",
            period: 3600,
            evaluationPeriods: hours,
            datapointsToAlarm: hours,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            // No success in an hour is no data point: every such hour counts against freshness.
            treatMissingData: "breaching",
        });
    }
    return specs;
}

function createAlarms(ctx: LakeContext, topic: aws.sns.Topic): aws.cloudwatch.MetricAlarm[] {
    return alarmSpecs(ctx).map(
        ({ key, ...args }) => new aws.cloudwatch.MetricAlarm(`${ctx.name}-${key}-alarm`, { ...args, alarmActions: [topic.arn], okActions: [topic.arn], tags: ctx.tags }, ctx.opts()),
    );
}
