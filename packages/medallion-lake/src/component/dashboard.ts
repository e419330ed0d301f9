/**
 * The lake's CloudWatch dashboard: job durations and successes, rows per layer, bronze batches and
 * failed tables, quarantined rows and failed data-quality rules (the jobs' metrics, metrics.ts), the
 * alarms (freshness among them) and the Athena workgroup's bytes scanned. The body is a pure function of names.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { jobDimensions, METRICS, metricsNamespace } from "../model/metrics";
import { LAYERS } from "../model/naming";

export interface DashboardNames {
    lake: string;
    environment: string;
    region: string;
    workgroup: string;
    alarmArns: string[];
}

type MetricLine = (string | Record<string, string>)[];

/**
 * The query states Athena's `ProcessedBytes` comes in. Athena publishes it for DML queries only, with
 * the dimensions QueryState, QueryType and WorkGroup, and CloudWatch returns a metric only for its
 * exact dimension set, so each line names all three; a cancelled or failed query has scanned bytes
 * too (https://docs.aws.amazon.com/athena/latest/ug/query-metrics-viewing.html).
 */
export const ATHENA_FINAL_QUERY_STATES = ["SUCCEEDED", "FAILED", "CANCELLED"] as const;

/** The workgroup's bytes scanned, one line per final query state. */
export function athenaBytesScanned(workgroup: string): MetricLine[] {
    return ATHENA_FINAL_QUERY_STATES.map((state) => [
        "AWS/Athena",
        "ProcessedBytes",
        "WorkGroup",
        workgroup,
        "QueryType",
        "DML",
        "QueryState",
        state,
        { label: state.toLowerCase() },
    ]);
}

/** CloudWatch dashboard body (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html). */
export function dashboardBody(n: DashboardNames): object {
    const namespace = metricsNamespace(n.lake);
    const perLayer = (metric: string, layers: readonly string[] = LAYERS): MetricLine[] =>
        layers.map((layer) => [namespace, metric, ...Object.entries(jobDimensions(n.lake, n.environment, layer)).flat(), { label: layer }]);
    const widget = (title: string, metrics: MetricLine[], stat: string, x: number, y: number, stacked = false) => ({
        type: "metric",
        x,
        y,
        width: 12,
        height: 6,
        properties: { title, region: n.region, stat, period: 3600, view: "timeSeries", stacked, metrics },
    });
    return {
        widgets: [
            widget("Job duration (s)", perLayer(METRICS.jobSeconds), "Maximum", 0, 0),
            widget("Successful job runs", perLayer(METRICS.jobSucceeded), "Sum", 12, 0),
            widget("Rows written per layer", perLayer(METRICS.rowsWritten), "Sum", 0, 6),
            widget("Quarantined rows and failed data-quality rules (silver)", [...perLayer(METRICS.quarantinedRows, ["silver"]), ...perLayer(METRICS.qualityFailures, ["silver"])], "Sum", 12, 6),
            widget("Bronze batches written and failed tables", [...perLayer(METRICS.batchesWritten, ["bronze"]), ...perLayer(METRICS.tablesFailed, ["bronze"])], "Sum", 0, 12),
            // Stacked: the top of the stack is all the workgroup scanned, what Athena bills.
            widget("Athena bytes scanned", athenaBytesScanned(n.workgroup), "Sum", 12, 12, true),
            { type: "alarm", x: 0, y: 18, width: 24, height: 6, properties: { title: "Alarms (freshness, quarantine, data quality)", alarms: n.alarmArns } },
        ],
    };
}

export function createDashboard(ctx: LakeContext, workgroup: pulumi.Input<string>, alarms: aws.cloudwatch.MetricAlarm[]): aws.cloudwatch.Dashboard {
    return new aws.cloudwatch.Dashboard(
        `${ctx.name}-dashboard`,
        {
            dashboardName: ctx.prefix,
            dashboardBody: pulumi
                .all([ctx.region, workgroup, pulumi.all(alarms.map((a) => a.arn))])
                .apply(([region, wg, alarmArns]) => JSON.stringify(dashboardBody({ lake: ctx.config.name, environment: ctx.environment, region, workgroup: wg, alarmArns }))),
        },
        ctx.opts(),
    );
}
