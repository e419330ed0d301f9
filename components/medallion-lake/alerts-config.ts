/**
 * The `alerts` config object: who is notified (SNS subscriptions, validated per protocol) and when
 * the freshness and quarantine alarms fire. Pure: the schema and the default freshness window.
 */
import { z } from "zod";

export const SUBSCRIPTION_PROTOCOLS = ["email", "https", "sqs", "lambda"] as const;
export type SubscriptionProtocol = (typeof SUBSCRIPTION_PROTOCOLS)[number];

/** What a subscription endpoint must look like, per protocol (nothing else reaches SNS). */
export const ENDPOINT_PATTERNS: Record<SubscriptionProtocol, { re: RegExp; what: string }> = {
    email: { re: /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, what: "an email address" },
    https: { re: /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?(\?[A-Za-z0-9._~%!$&'()*+,;=:@/?-]*)?$/, what: "an https:// URL" },
    sqs: { re: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/, what: "an SQS queue ARN" },
    lambda: { re: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/, what: "a Lambda function ARN" },
};

/** CloudWatch evaluates at most 7 days of hourly periods. */
export const MAX_FRESHNESS_HOURS = 168;

export const alertsSchema = z
    .strictObject({
        subscriptions: z
            .array(
                z
                    .strictObject({
                        protocol: z.enum(SUBSCRIPTION_PROTOCOLS, { error: () => `expected one of ${SUBSCRIPTION_PROTOCOLS.join(", ")}` }).describe("email, https, sqs or lambda."),
                        endpoint: z.string().min(1).max(2048).describe("Email address, https:// URL, SQS queue ARN or Lambda function ARN, matching the protocol."),
                    })
                    .superRefine((s, ctx) => {
                        const p = ENDPOINT_PATTERNS[s.protocol];
                        if (!p.re.test(s.endpoint)) ctx.addIssue({ code: "custom", path: ["endpoint"], message: `must be ${p.what} for protocol ${s.protocol}` });
                    }),
            )
            .max(20)
            .default([])
            .describe("Who the lake's SNS topic notifies. Default: nobody (the topic and alarms still exist)."),
        freshnessHours: z
            .number()
            .int()
            .min(1)
            .max(MAX_FRESHNESS_HOURS, `must be at most ${MAX_FRESHNESS_HOURS} (CloudWatch evaluates at most 7 days of hourly periods)`)
            .optional()
            .describe("Alarm when the gold job has not succeeded for this many hours. Default: derived from schedule (its interval plus the jobs' timeouts); no freshness alarm without a schedule."),
        quarantineShare: z
            .number()
            .gt(0)
            .max(1)
            .default(0.05)
            .describe("Alarm when a silver run quarantines more than this share of the rows of its bronze batches (0 < share <= 1). Default 0.05."),
    })
    .prefault({})
    .describe("Alerts: SNS subscriptions and the freshness and quarantine alarms.");

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
