/**
 * Orchestration: a Glue workflow whose start (the schedule, or on demand) runs every crawler and
 * the bronze job side by side, then silver after bronze, then gold after silver.
 *
 * The crawlers are off the critical path: bronze reads the sources through their connections, not
 * the crawled tables, so a crawl only documents a source (and feeds the bronze job's drift report
 * against the configured columns). One failing crawl must not stop every source's ingestion, and
 * Glue predicates cannot say "after every crawl finished, whatever its state" (one AND/ANY list of
 * conditions), so nothing waits for the crawls. The drift report compares with the catalog as the
 * last finished crawl left it.
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-jobs-trigger.html#aws-glue-api-jobs-trigger-Predicate
 */
import * as aws from "@pulumi/aws";
import { LakeContext } from "./context";
import { Layer } from "../model/naming";

export interface Orchestration {
    workflow: aws.glue.Workflow;
    triggers: aws.glue.Trigger[];
}

export function createOrchestration(ctx: LakeContext, crawlers: aws.glue.Crawler[], jobs: Record<Layer, aws.glue.Job>): Orchestration {
    const workflow = new aws.glue.Workflow(
        `${ctx.name}-workflow`,
        {
            name: ctx.prefix,
            description: `${ctx.prefix}: crawl sources and run bronze side by side, then silver, gold`,
            maxConcurrentRuns: 1,
            tags: ctx.tags,
        },
        ctx.opts(),
    );
    const trigger = (suffix: string, args: Omit<aws.glue.TriggerArgs, "workflowName" | "tags">) =>
        new aws.glue.Trigger(`${ctx.name}-${suffix}-trigger`, { name: `${ctx.prefix}-${suffix}`, workflowName: workflow.name, tags: ctx.tags, ...args }, ctx.opts());

    const startActions = [...crawlers.map((c) => ({ crawlerName: c.name })), { jobName: jobs.bronze.name }];
    const schedule = ctx.config.schedule;
    const start = trigger(
        "start",
        schedule ? { type: "SCHEDULED", schedule, startOnCreation: true, actions: startActions } : { type: "ON_DEMAND", actions: startActions },
    );
    // Conditional triggers are created activated (startOnCreation) so the chain runs unattended.
    const after = (layer: Layer, previous: Layer) =>
        trigger(layer, {
            type: "CONDITIONAL",
            startOnCreation: true,
            predicate: { logical: "AND", conditions: [{ jobName: jobs[previous].name, state: "SUCCEEDED", logicalOperator: "EQUALS" }] },
            actions: [{ jobName: jobs[layer].name }],
        });
    return { workflow, triggers: [start, after("silver", "bronze"), after("gold", "silver")] };
}

