/**
 * Alerts, metrics permissions and the dashboard: the pure config functions, then the dev and prod
 * stacks under Pulumi mocks (topic, policy, subscriptions, EventBridge rules, alarms, dashboard, IAM, key policy).
 */
import { expect } from "chai";
import { parseLakeConfig } from "medallion-lake";
import { alarmSpecs, placementProblem } from "../../packages/medallion-lake/src/component/alerts";
import { freshnessHours, scheduleIntervalHours } from "../../packages/medallion-lake/src/model/alerts-config";
import { MockResource, MockRunResult, MOCK_ACCOUNT_ID } from "../../local-lake/lib/mock-run";
import { configIssues, ofType, one, rawLake, runStack } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf";
const minimal = (extra: object = {}) => ({
    name: "shop",
    sources: [{ name: "pg", engine: "postgres", host: "db", database: "d", secretArn: SECRET, tables: ["public.orders"] }],
    ...extra,
});

describe("alerts config", () => {
    it("defaults to no subscriptions, a 5% quarantine share and a 10% delete share", () => {
        expect(parseLakeConfig(minimal(), PROJECT_ROOT).alerts).to.deep.equal({ subscriptions: [], quarantineShare: 0.05, deleteShare: 0.1 });
        expect(parseLakeConfig(minimal({ alerts: { deleteShare: 1 } }), PROJECT_ROOT).alerts.deleteShare).to.equal(1);
    });

    it("accepts each protocol's endpoint and names every bad one", () => {
        const good = [
            { protocol: "email", endpoint: "team@example.com" },
            { protocol: "https", endpoint: "https://hooks.example.com/lake?x=1" },
            { protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:123456789012:alerts" },
            { protocol: "sqs", endpoint: "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:alerts" },
            { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:123456789012:function:notify" },
            { protocol: "lambda", endpoint: "arn:aws-cn:lambda:cn-north-1:123456789012:function:notify:live" },
        ];
        expect(parseLakeConfig(minimal({ alerts: { subscriptions: good } }), PROJECT_ROOT).alerts.subscriptions).to.deep.equal(good);
        const SQS = "must be an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<queue>) for protocol sqs";
        const LAMBDA = "must be a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>[:<alias or version>]) for protocol lambda";
        const bad = [
            { protocol: "email", endpoint: "not-an-address" },
            { protocol: "https", endpoint: "http://hooks.example.com/lake" },
            { protocol: "https", endpoint: "https://evil.example.com/a b" },
            { protocol: "sqs", endpoint: "arn:aws:sns:us-east-1:123456789012:topic" },
            { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:123456789012:function:*" },
            { protocol: "sms", endpoint: "+15550100" },
            // The parts of an ARN the lake builds a queue URL and a grant from: partition, region, account.
            { protocol: "sqs", endpoint: "arn:awsx:sqs:us-east-1:123456789012:alerts" },
            { protocol: "sqs", endpoint: "arn:aws:sqs:useast1:123456789012:alerts" },
            { protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:12345678901:alerts" },
            { protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:123456789012:a/b" },
            { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1::function:notify" },
            { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:123456789012:function:notify:live:extra" },
        ];
        expect(configIssues(minimal({ alerts: { subscriptions: bad, quarantineShare: 0, freshnessHours: 200, deleteShare: 1.5 } }))).to.deep.equal([
            "alerts.subscriptions[0].endpoint: must be an email address for protocol email",
            "alerts.subscriptions[1].endpoint: must be an https:// URL for protocol https",
            "alerts.subscriptions[2].endpoint: must be an https:// URL for protocol https",
            `alerts.subscriptions[3].endpoint: ${SQS}`,
            `alerts.subscriptions[4].endpoint: ${LAMBDA}`,
            "alerts.subscriptions[5].protocol: expected one of email, https, sqs, lambda",
            `alerts.subscriptions[6].endpoint: ${SQS}`,
            `alerts.subscriptions[7].endpoint: ${SQS}`,
            `alerts.subscriptions[8].endpoint: ${SQS}`,
            `alerts.subscriptions[9].endpoint: ${SQS}`,
            `alerts.subscriptions[10].endpoint: ${LAMBDA}`,
            `alerts.subscriptions[11].endpoint: ${LAMBDA}`,
            "alerts.freshnessHours: must be at most 168 (CloudWatch evaluates at most 7 days of hourly periods)",
            "alerts.quarantineShare: Too small: expected number to be >0",
            "alerts.deleteShare: Too big: expected number to be <=1",
        ]);
        expect(configIssues(minimal({ alerts: { deleteShare: 0 } }))).to.deep.equal(["alerts.deleteShare: Too small: expected number to be >0"]);
    });

    it("sets the delete-share alarm's threshold from alerts.deleteShare", () => {
        const specs = alarmSpecs({ config: parseLakeConfig(minimal({ alerts: { deleteShare: 0.25 } }), PROJECT_ROOT), environment: "dev", prefix: "shop-dev" });
        expect(specs.find((a) => a.key === "deletes")).to.deep.include({ name: "shop-dev-delete-share", metricName: "DeleteShare", threshold: 0.25 });
    });

    it("refuses a FIFO queue, which cannot subscribe to a standard topic, and a subscription given twice", () => {
        const fifo = { protocol: "sqs", endpoint: "arn:aws:sqs:us-east-1:123456789012:alerts.fifo" };
        const email = { protocol: "email", endpoint: "team@example.com" };
        expect(configIssues(minimal({ alerts: { subscriptions: [email, fifo] } }))).to.deep.equal([
            "alerts.subscriptions[1].endpoint: is a FIFO queue (.fifo), which cannot subscribe to the lake's standard SNS topic: use a standard queue",
        ]);
        expect(configIssues(minimal({ alerts: { subscriptions: [email, { ...email, endpoint: "other@example.com" }, email] } }))).to.deep.equal([
            "alerts.subscriptions[2].endpoint: duplicate subscription: the same as alerts.subscriptions[0]",
        ]);
    });

    it("grants delivery only to a queue or function in the lake's own account, region and partition", () => {
        const lake = { partition: "aws", region: "us-east-1", accountId: MOCK_ACCOUNT_ID };
        expect(placementProblem("sqs", `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT_ID}:alerts`, lake)).to.equal(undefined);
        expect(placementProblem("lambda", `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT_ID}:function:notify:live`, lake)).to.equal(undefined);
        expect(placementProblem("sqs", "arn:aws:sqs:us-east-1:210987654321:alerts", lake)).to.equal(
            `must be in the lake's account ${MOCK_ACCOUNT_ID} and region us-east-1 (partition aws), since the lake grants the topic delivery to it; got account 210987654321, region us-east-1, partition aws`,
        );
        expect(placementProblem("lambda", `arn:aws:lambda:eu-west-1:${MOCK_ACCOUNT_ID}:function:notify`, lake)).to.contain("got account 123456789012, region eu-west-1, partition aws");
        expect(placementProblem("sqs", `arn:aws-us-gov:sqs:us-east-1:${MOCK_ACCOUNT_ID}:alerts`, lake)).to.contain("partition aws-us-gov");
    });

    it("derives the freshness window from the schedule and the job timeouts", () => {
        expect(scheduleIntervalHours("cron(0 2 * * ? *)")).to.equal(24);
        expect(scheduleIntervalHours("cron(15 */6 * * ? *)")).to.equal(6);
        expect(scheduleIntervalHours("cron(0 2,14 * * ? *)")).to.equal(12);
        expect(scheduleIntervalHours("cron(0 1,5,22 * * ? *)")).to.equal(17);
        expect(scheduleIntervalHours("cron(0 * * * ? *)")).to.equal(1);
        expect(scheduleIntervalHours("cron(0 2 ? * MON *)")).to.equal(168);
        expect(scheduleIntervalHours("cron(0 2 1 * ? *)")).to.equal(undefined);
        const config = (schedule: string | undefined, hours?: number) => ({ schedule, alerts: { freshnessHours: hours }, jobs: { timeoutMinutes: 60 } });
        expect(freshnessHours(config("cron(0 2 * * ? *)"))).to.equal(27);
        expect(freshnessHours(config("cron(0 2 ? * MON *)"))).to.equal(168);
        expect(freshnessHours(config("cron(0 2 * * ? *)", 8))).to.equal(8);
        expect(freshnessHours(config(undefined))).to.equal(undefined);
        expect(freshnessHours(config(undefined, 30))).to.equal(30);
    });
});

/** The resource name at the end of an ARN (`...:alarm:x` or `.../x`). */
const lastSegment = (arn: string) => arn.replace(/^.*[:/]/, "");

const T = {
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    job: "aws:glue/job:Job",
    crawler: "aws:glue/crawler:Crawler",
    key: "aws:kms/key:Key",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
    permission: "aws:lambda/permission:Permission",
};

/** What SNS needs to deliver to an SQS queue, written out as the SNS guide shows it (subscribe-sqs-queue-to-sns-topic). */
const sqsDelivery = (queueArn: string, topicArn: string) => ({
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: queueArn,
    Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
});

for (const env of ["dev", "prod"]) {
    describe(`alerts, metrics and dashboard (${env} stack)`, function () {
        const raw = rawLake(env);
        let run: MockRunResult;
        let res: MockResource[];
        before(async () => {
            run = await runStack(env);
            res = run.resources;
        });

        it("has one topic, encrypted with the lake key, that only the lake's rules and alarms may publish to", () => {
            const [topic] = ofType(res, T.topic);
            expect(ofType(res, T.topic)).to.have.length(1);
            expect(topic.inputs).to.include({ name: `tickit-${env}-alerts`, kmsMasterKeyId: run.outputs.kmsKeyArn });
            const policy = JSON.parse(ofType(res, T.topicPolicy)[0].inputs.policy);
            const ruleArns: string[] = policy.Statement[0].Condition.ArnEquals["aws:SourceArn"];
            expect(ofType(res, T.rule)).to.have.length(2);
            const [events, alarms] = policy.Statement;
            expect(events).to.deep.include({ Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: run.outputs.alertTopicArn });
            expect(ruleArns.map(lastSegment)).to.have.members([`tickit-${env}-jobs-failed`, `tickit-${env}-crawlers-failed`]);
            expect(alarms.Principal).to.deep.equal({ Service: "cloudwatch.amazonaws.com" });
            expect(alarms.Condition.ArnLike["aws:SourceArn"]).to.equal(`arn:aws:cloudwatch:us-east-1:${MOCK_ACCOUNT_ID}:alarm:tickit-${env}-*`);
            expect(alarms.Condition.StringEquals["aws:SourceAccount"]).to.equal(MOCK_ACCOUNT_ID);
            expect(policy.Statement).to.have.length(2);
        });

        it("subscribes exactly the config's endpoints", () => {
            const subs = ofType(res, T.subscription).map((s) => ({ protocol: s.inputs.protocol, endpoint: s.inputs.endpoint, topic: s.inputs.topic }));
            expect(subs).to.deep.equal(raw.alerts.subscriptions.map((s: object) => ({ ...s, topic: run.outputs.alertTopicArn })));
        });

        it("lets the topic send to each SQS subscriber's queue, and subscribes it only after", () => {
            const queues: string[] = raw.alerts.subscriptions.filter((s: { protocol: string }) => s.protocol === "sqs").map((s: { endpoint: string }) => s.endpoint);
            expect(queues.length, "prod subscribes a queue, dev none").to.equal(env === "prod" ? 1 : 0);
            const policies = ofType(res, T.queuePolicy);
            expect(policies).to.have.length(queues.length);
            for (const queue of queues) {
                const policy = policies.find((p) => JSON.parse(p.inputs.policy).Statement[0].Resource === queue)!;
                const [, , , region, account, name] = queue.split(":");
                expect(policy.inputs.queueUrl).to.equal(`https://sqs.${region}.amazonaws.com/${account}/${name}`);
                expect(JSON.parse(policy.inputs.policy).Statement).to.deep.equal([{ Sid: "LakeAlertTopicSends", ...sqsDelivery(queue, run.outputs.alertTopicArn) }]);
                const sub = ofType(res, T.subscription).find((s) => s.inputs.endpoint === queue)!;
                expect(sub.dependencies).to.include(policy.urn);
            }
            expect(ofType(res, T.permission)).to.deep.equal([]);
        });

        it("routes the lake's failed jobs and crawls (and nothing else) to the topic with a readable message", () => {
            const jobNames = ofType(res, T.job).map((j) => j.inputs.name);
            const crawlerNames = ofType(res, T.crawler).map((c) => c.inputs.name);
            const jobs = JSON.parse(one(res, T.rule, "lake-jobs-failed").inputs.eventPattern);
            expect(jobs.detail.jobName).to.have.members(jobNames);
            expect({ ...jobs, detail: { ...jobs.detail, jobName: "…" } }).to.deep.equal({ source: ["aws.glue"], "detail-type": ["Glue Job State Change"], detail: { jobName: "…", state: ["FAILED", "TIMEOUT", "ERROR", "STOPPED"] } });
            // The three layer jobs and the on-demand forget job: a failed erasure alerts too.
            expect(jobNames).to.have.length(4);
            const crawlers = JSON.parse(one(res, T.rule, "lake-crawlers-failed").inputs.eventPattern);
            expect(crawlers.detail.crawlerName).to.have.members(crawlerNames);
            expect({ ...crawlers, detail: { ...crawlers.detail, crawlerName: "…" } }).to.deep.equal({ source: ["aws.glue"], "detail-type": ["Glue Crawler State Change"], detail: { crawlerName: "…", state: ["Failed"] } });
            for (const what of ["jobs", "crawlers"]) {
                const target = one(res, T.target, `lake-${what}-failed-target`);
                expect(target.inputs.arn).to.equal(run.outputs.alertTopicArn);
                const template: string = target.inputs.inputTransformer.inputTemplate;
                expect(template).to.contain(`medallion-lake tickit (${env})`).and.to.contain("<state>").and.to.contain("console.aws.amazon.com");
                for (const placeholder of template.match(/<(\w+)>/g) ?? []) {
                    expect(target.inputs.inputTransformer.inputPaths, placeholder).to.have.property(placeholder.slice(1, -1));
                }
            }
            expect(one(res, T.target, "lake-jobs-failed-target").inputs.inputTransformer.inputTemplate).to.contain("run <run>: <message>");
        });

        it("alarms on gold freshness (a daily schedule: 24 h plus three job timeouts), quarantined share, delete share and failed rules, notifying the topic", () => {
            const alarms: Record<string, any> = Object.fromEntries(ofType(res, T.alarm).map((a) => [a.inputs.name, a.inputs]));
            expect(Object.keys(alarms).sort()).to.deep.equal([
                `tickit-${env}-data-quality`,
                `tickit-${env}-delete-share`,
                `tickit-${env}-gold-freshness`,
                `tickit-${env}-quarantine-share`,
            ]);
            for (const a of Object.values(alarms)) {
                expect(a.alarmActions).to.deep.equal([run.outputs.alertTopicArn]);
                expect(a.okActions).to.deep.equal([run.outputs.alertTopicArn]);
            }
            const dims = (layer: string) => ({ Lake: "tickit", Environment: env, Layer: layer });
            expect(raw.schedule).to.equal("cron(0 2 * * ? *)");
            const hours = 24 + Math.ceil((3 * raw.jobs.timeoutMinutes) / 60); // dev 60 min: 27 h
            expect(alarms[`tickit-${env}-gold-freshness`]).to.deep.include({
                namespace: "MedallionLake/tickit", metricName: "JobSucceeded", dimensions: dims("gold"), period: 3600,
                evaluationPeriods: hours, datapointsToAlarm: hours, threshold: 1, comparisonOperator: "LessThanThreshold", treatMissingData: "breaching",
            });
            const share = alarms[`tickit-${env}-quarantine-share`];
            expect(share).to.include({ threshold: 0.05, comparisonOperator: "GreaterThanThreshold" });
            expect(share.metricQueries.map((q: { id: string }) => q.id)).to.deep.equal(["q", "r", "share"]);
            expect(share.metricQueries[0].metric).to.include({ metricName: "QuarantinedRows" });
            expect(share.metricQueries[0].metric.dimensions).to.deep.equal(dims("silver"));
            expect(alarms[`tickit-${env}-data-quality`]).to.include({ metricName: "QualityFailures", threshold: 0 });
            // The share silver_job.py publishes per run (its largest table's), against the 10% default.
            expect(alarms[`tickit-${env}-delete-share`]).to.deep.include({
                namespace: "MedallionLake/tickit", metricName: "DeleteShare", dimensions: dims("silver"), statistic: "Maximum", period: 3600,
                evaluationPeriods: 1, threshold: 0.1, comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching",
            });
        });

        it("lets the job roles put metrics only in the lake's namespace, and the alert publishers use the key", () => {
            const puts = (p: { inputs: Record<string, any> }) => JSON.parse(p.inputs.policy).Statement.filter((s: { Action: string[] }) => s.Action.includes("cloudwatch:PutMetricData"));
            const jobPolicies = ofType(res, T.rolePolicy).filter((r) => r.name.includes("job"));
            for (const p of jobPolicies.filter((r) => !r.name.includes("forget"))) {
                expect(puts(p).map((s: { Condition: object }) => s.Condition), p.name).to.deep.equal([
                    { StringEquals: { "cloudwatch:namespace": "Glue" } },
                    { StringEquals: { "cloudwatch:namespace": "MedallionLake/tickit" } },
                ]);
            }
            // The forget job publishes no metrics (its failures reach the topic through EventBridge).
            const forget = jobPolicies.filter((r) => r.name.includes("forget"));
            expect(forget).to.have.length(1);
            expect(puts(forget[0])).to.deep.equal([]);
            const keyPolicy = JSON.parse(ofType(res, T.key)[0].inputs.policy);
            const forService = (service: string) => keyPolicy.Statement.filter((s: { Principal: { Service?: unknown } }) => JSON.stringify(s.Principal.Service ?? "").includes(service));
            const [events] = forService("events.amazonaws.com");
            const [alarms] = forService("cloudwatch.amazonaws.com");
            expect(forService("events.amazonaws.com")).to.have.length(1);
            expect(forService("cloudwatch.amazonaws.com")).to.have.length(1);
            for (const s of [events, alarms]) expect(s).to.deep.include({ Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" });
            // EventBridge's KMS requests for an encrypted topic carry no aws:SourceAccount or
            // aws:SourceArn (SNS developer guide, "Key management"): a condition on either denies
            // every delivery. It is held to the lake's topic by the encryption context SNS passes.
            expect(events.Principal).to.deep.equal({ Service: "events.amazonaws.com" });
            expect(JSON.stringify(events.Condition)).to.not.match(/aws:Source(Account|Arn)/i);
            expect(events.Condition).to.deep.equal({ StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": run.outputs.alertTopicArn } });
            expect(alarms.Principal).to.deep.equal({ Service: "cloudwatch.amazonaws.com" });
            expect(alarms.Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } });
        });

        it("has a dashboard of job durations and successes, rows per layer, bronze batches and failures, quarantine, alarms and Athena bytes scanned", () => {
            const dashboard = ofType(res, T.dashboard);
            expect(dashboard).to.have.length(1);
            expect(run.outputs.dashboardName).to.equal(`tickit-${env}`);
            const body = JSON.parse(dashboard[0].inputs.dashboardBody);
            const titles = body.widgets.map((w: { properties: { title: string } }) => w.properties.title);
            expect(titles).to.include.members(["Job duration (s)", "Successful job runs", "Rows written per layer", "Athena bytes scanned"]);
            // CloudWatch returns a metric only for the exact dimension set it was published with, and
            // Athena publishes ProcessedBytes (DML queries only) per QueryState, QueryType and WorkGroup
            // (Athena user guide, "Monitor query metrics with CloudWatch").
            const athena = body.widgets.find((w: { properties: { title: string } }) => w.properties.title === "Athena bytes scanned");
            const lines = athena.properties.metrics.map((m: (string | object)[]) => {
                const [namespace, metric, ...rest] = m.filter((x): x is string => typeof x === "string");
                const dims = Object.fromEntries(rest.flatMap((_, i) => (i % 2 === 0 ? [[rest[i], rest[i + 1]]] : [])));
                return { namespace, metric, dims };
            });
            expect(lines).to.deep.equal(
                ["SUCCEEDED", "FAILED", "CANCELLED"].map((state) => ({
                    namespace: "AWS/Athena",
                    metric: "ProcessedBytes",
                    dims: { QueryState: state, QueryType: "DML", WorkGroup: run.outputs.workgroupName },
                })),
            );
            expect(athena.properties).to.include({ stat: "Sum", stacked: true });
            const rows = body.widgets.find((w: { properties: { title: string } }) => w.properties.title === "Rows written per layer");
            expect(rows.properties.metrics[1]).to.deep.equal(["MedallionLake/tickit", "RowsWritten", "Lake", "tickit", "Environment", env, "Layer", "silver", { label: "silver" }]);
            expect(rows.properties.metrics[0]).to.deep.equal(["MedallionLake/tickit", "RowsWritten", "Lake", "tickit", "Environment", env, "Layer", "bronze", { label: "bronze" }]);
            const bronze = body.widgets.find((w: { properties: { title: string } }) => w.properties.title === "Bronze batches written and failed tables");
            expect(bronze.properties.metrics.map((m: string[]) => [m[1], m[7]])).to.deep.equal([
                ["BatchesWritten", "bronze"],
                ["TablesFailed", "bronze"],
            ]);
            const alarms = body.widgets.find((w: { type: string }) => w.type === "alarm");
            expect(alarms.properties.alarms.map(lastSegment)).to.have.members(ofType(res, T.alarm).map((a) => a.inputs.name));
        });
    });
}

describe("alerts to an SQS queue and a Lambda function (dev stack with both)", function () {
    const QUEUE = `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT_ID}:lake-alerts`;
    const FUNCTION = `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT_ID}:function:page-oncall`;
    let run: MockRunResult;
    before(async () => {
        const lake = rawLake("dev");
        lake.alerts.subscriptions = [
            { protocol: "sqs", endpoint: QUEUE },
            { protocol: "lambda", endpoint: FUNCTION },
            { protocol: "lambda", endpoint: `${FUNCTION}:live` },
        ];
        run = await runStack("dev", lake);
    });

    it("gives the queue a policy letting only the lake's topic send", () => {
        const [policy] = ofType(run.resources, T.queuePolicy);
        expect(ofType(run.resources, T.queuePolicy)).to.have.length(1);
        expect(policy.inputs.queueUrl).to.equal(`https://sqs.us-east-1.amazonaws.com/${MOCK_ACCOUNT_ID}/lake-alerts`);
        expect(JSON.parse(policy.inputs.policy).Statement).to.deep.equal([{ Sid: "LakeAlertTopicSends", ...sqsDelivery(QUEUE, run.outputs.alertTopicArn) }]);
    });

    it("lets SNS invoke each function (and alias) only for the lake's topic, before subscribing it", () => {
        const permissions = ofType(run.resources, T.permission).map((p) => p.inputs);
        expect(permissions).to.deep.equal([
            { action: "lambda:InvokeFunction", function: FUNCTION, principal: "sns.amazonaws.com", sourceArn: run.outputs.alertTopicArn },
            { action: "lambda:InvokeFunction", function: FUNCTION, qualifier: "live", principal: "sns.amazonaws.com", sourceArn: run.outputs.alertTopicArn },
        ]);
        for (const [i, p] of ofType(run.resources, T.permission).entries()) {
            const sub = ofType(run.resources, T.subscription).find((s) => s.inputs.endpoint === (i === 0 ? FUNCTION : `${FUNCTION}:live`))!;
            expect(sub.inputs.protocol).to.equal("lambda");
            expect(sub.dependencies).to.include(p.urn);
        }
    });
});
