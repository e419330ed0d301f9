/**
 * Orchestration: a Glue workflow that runs every crawler (on the schedule, or on demand), then
 * bronze once all crawls succeeded, then silver, then gold.
 */
import * as aws from "@pulumi/aws";
import { LakeContext } from "./context";
import { Layer } from "./naming";

export interface Orchestration {
    workflow: aws.glue.Workflow;
    triggers: aws.glue.Trigger[];
}

export function createOrchestration(ctx: LakeContext, crawlers: aws.glue.Crawler[], jobs: Record<Layer, aws.glue.Job>): Orchestration {
    const workflow = new aws.glue.Workflow(
        `${ctx.name}-workflow`,
        {
            name: ctx.prefix,
            description: `${ctx.prefix}: crawl sources, then bronze, silver, gold`,
            maxConcurrentRuns: 1,
            tags: ctx.tags,
        },
        ctx.opts(),
    );
    const trigger = (suffix: string, args: Omit<aws.glue.TriggerArgs, "workflowName" | "tags">) =>
        new aws.glue.Trigger(`${ctx.name}-${suffix}-trigger`, { name: `${ctx.prefix}-${suffix}`, workflowName: workflow.name, tags: ctx.tags, ...args }, ctx.opts());

    const schedule = ctx.config.schedule;
    const start = trigger(
        "start",
        schedule
            ? { type: "SCHEDULED", schedule, startOnCreation: true, actions: crawlers.map((c) => ({ crawlerName: c.name })) }
            : { type: "ON_DEMAND", actions: crawlers.map((c) => ({ crawlerName: c.name })) },
    );
    // Conditional triggers are created activated (startOnCreation) so the chain runs unattended.
    const bronze = trigger("bronze", {
        type: "CONDITIONAL",
        startOnCreation: true,
        predicate: { logical: "AND", conditions: crawlers.map((c) => ({ crawlerName: c.name, crawlState: "SUCCEEDED", logicalOperator: "EQUALS" })) },
        actions: [{ jobName: jobs.bronze.name }],
    });
    const after = (layer: Layer, previous: Layer) =>
        trigger(layer, {
            type: "CONDITIONAL",
            startOnCreation: true,
            predicate: { logical: "AND", conditions: [{ jobName: jobs[previous].name, state: "SUCCEEDED", logicalOperator: "EQUALS" }] },
            actions: [{ jobName: jobs[layer].name }],
        });
    return { workflow, triggers: [start, bronze, after("silver", "bronze"), after("gold", "silver")] };
}

