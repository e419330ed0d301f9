/**
 * The `alerts` config object: who is notified (SNS subscriptions, validated per protocol) and when
 * the freshness, quarantine and delete-share alarms fire. Pure: the schema and the default freshness window.
 */
import { z } from "zod";

export const SUBSCRIPTION_PROTOCOLS = ["email", "https", "sqs", "lambda"] as const;
export type SubscriptionProtocol = (typeof SUBSCRIPTION_PROTOCOLS)[number];

/** `arn:<partition>:<service>:<region>:<account>:`, the shape of a regional ARN's head. */
const ARN_HEAD = (service: string) => `arn:(aws(?:-[a-z]+)*):${service}:([a-z]{2,4}(?:-[a-z]+)+-\\d{1,2}):(\\d{12}):`;

/** What a subscription endpoint must look like, per protocol (nothing else reaches SNS or an ARN). */
export const ENDPOINT_PATTERNS: Record<SubscriptionProtocol, { re: RegExp; what: string }> = {
    email: { re: /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, what: "an email address" },
    https: { re: /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?(\?[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?$/, what: "an https:// URL" },
    // SQS queue names: 1-80 of letters, digits, - and _ (a FIFO queue's ends in .fifo, refused below).
    sqs: { re: new RegExp(`^${ARN_HEAD("sqs")}([A-Za-z0-9_-]{1,80})$`), what: "an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<queue>)" },
    // Function names: 1-64 of letters, digits, - and _; an optional version or alias qualifier.
    lambda: {
        re: new RegExp(`^${ARN_HEAD("lambda")}function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_-]{1,128}|\\$LATEST))?$`),
        what: "a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>[:<alias or version>])",
    },
};

/**
 * Why SNS could not deliver to `endpoint`, when it is plain from the config: a FIFO queue cannot
 * subscribe to the lake's standard topic (https://docs.aws.amazon.com/sns/latest/dg/fifo-topic-subscription.html).
 */
export function endpointProblem(protocol: SubscriptionProtocol, endpoint: string): string | undefined {
    if (protocol === "sqs" && /^arn:[^:]*:sqs:.*\.fifo$/.test(endpoint)) return "is a FIFO queue (.fifo), which cannot subscribe to the lake's standard SNS topic: use a standard queue";
    const p = ENDPOINT_PATTERNS[protocol];
    return p.re.test(endpoint) ? undefined : `must be ${p.what} for protocol ${protocol}`;
}

/** Partition, region and account of an `sqs` or `lambda` endpoint (valid per ENDPOINT_PATTERNS). */
export function endpointPlacement(protocol: "sqs" | "lambda", endpoint: string): { partition: string; region: string; accountId: string } {
    const m = ENDPOINT_PATTERNS[protocol].re.exec(endpoint);
    if (!m) throw new Error(`not ${ENDPOINT_PATTERNS[protocol].what}: ${endpoint}`);
    return { partition: m[1], region: m[2], accountId: m[3] };
}

/** CloudWatch evaluates at most 7 days of hourly periods. */
export const MAX_FRESHNESS_HOURS = 168;

export const alertsSchema = z
    .strictObject({
        subscriptions: z
            .array(
                z
                    .strictObject({
                        protocol: z.enum(SUBSCRIPTION_PROTOCOLS, { error: () => `expected one of ${SUBSCRIPTION_PROTOCOLS.join(", ")}` }).describe("How SNS delivers: email and https subscriptions must be confirmed; sqs and lambda endpoints get a queue policy (replacing any other) or a Lambda permission from the lake."),
                        endpoint: z.string().min(1).max(2048).describe("Email address, https:// URL, SQS queue ARN (a standard queue, not FIFO) or Lambda function ARN, matching the protocol. A queue or function must be in the lake's account and region: the lake grants the topic delivery to it."),
                    })
                    .superRefine((s, ctx) => {
                        const problem = endpointProblem(s.protocol, s.endpoint);
                        if (problem) ctx.addIssue({ code: "custom", path: ["endpoint"], message: problem });
                    }),
            )
            .max(20)
            .superRefine((subs, ctx) =>
                subs.forEach((s, i) => {
                    const first = subs.findIndex((t) => t.protocol === s.protocol && t.endpoint === s.endpoint);
                    if (first < i) ctx.addIssue({ code: "custom", path: [i, "endpoint"], message: `duplicate subscription: the same as alerts.subscriptions[${first}]` });
                }),
            )
            .default([])
            .describe("Who the lake's SNS topic notifies, at most 20, no subscription twice. Default: nobody (the topic and alarms still exist)."),
        freshnessHours: z
            .number()
            .int()
            .min(1)
            .max(MAX_FRESHNESS_HOURS, `must be at most ${MAX_FRESHNESS_HOURS} (CloudWatch evaluates at most 7 days of hourly periods)`)
            .optional()
            .describe("Alarm when the gold job has not succeeded for this many hours, 1 to 168. Default: the schedule's interval plus the three jobs' timeouts; no freshness alarm without a regular schedule."),
        quarantineShare: z
            .number()
            .gt(0)
            .max(1)
            .default(0.05)
            .describe("Alarm when a silver run quarantines more than this share of the rows of its bronze batches (0 < share <= 1). Default 0.05."),
        deleteShare: z
            .number()
            .gt(0)
            .max(1)
            .default(0.1)
            .describe(
                "Alarm (`<lake>-<env>-delete-share`) when a silver run deletes more than this share of a table's rows (0 < share <= 1; the DeleteShare metric, the largest of the run's tables). It warns of deletes the delete guard maxDeleteShare lets through; the deleted keys are in the silver database's _deletes table. Default 0.1.",
            ),
    })
    .prefault({})
    .describe("Alerts: SNS subscriptions and the freshness, quarantine and delete-share alarms.");

/**
 * Hours between two runs of a six-field Glue cron expression, when it is regular enough to tell
 * (every day at fixed hours, or every n hours); undefined otherwise.
 */
export function scheduleIntervalHours(schedule: string): number | undefined {
    const fields = /^cron\((.*)\)$/.exec(schedule)?.[1].split(" ");
    if (!fields || fields.length !== 6) return undefined;
    const [, hours, dayOfMonth, , dayOfWeek] = fields;
    const everyDay = ["*", "?"].includes(dayOfMonth) && ["*", "?"].includes(dayOfWeek);
    if (!everyDay) return dayOfWeek !== "*" && dayOfWeek !== "?" && /^[A-Z0-9]+$/i.test(dayOfWeek) ? 24 * 7 : undefined;
    if (hours === "*") return 1;
    const step = /^(\*|\d+)\/(\d+)$/.exec(hours);
    if (step) return Number(step[2]);
    if (/^\d+(,\d+)*$/.test(hours)) {
        const hs = hours.split(",").map(Number).sort((a, b) => a - b);
        return Math.max(...hs.map((h, i) => (i === 0 ? h + 24 - hs[hs.length - 1] : h - hs[i - 1])));
    }
    return undefined;
}

/**
 * The freshness window: `freshnessHours` when set, else the schedule's interval plus the three
 * jobs' timeouts (rounded up), capped at 168; undefined (no alarm) for an on-demand or irregular lake.
 */
export function freshnessHours(config: { schedule?: string; alerts: { freshnessHours?: number }; jobs: { timeoutMinutes: number } }): number | undefined {
    if (config.alerts.freshnessHours !== undefined) return config.alerts.freshnessHours;
    const interval = config.schedule ? scheduleIntervalHours(config.schedule) : undefined;
    if (interval === undefined) return undefined;
    return Math.min(MAX_FRESHNESS_HOURS, interval + Math.ceil((3 * config.jobs.timeoutMinutes) / 60));
}
