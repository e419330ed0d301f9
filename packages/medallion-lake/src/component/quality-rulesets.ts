/**
 * Optional Glue Data Quality rulesets (`dataQuality.publishRulesets`): each table's declared rules
 * that have a DQDL equivalent (dqdl.ts), published so they show in the Glue console. Only
 * published: the silver job evaluates the rules, so no role gains a permission.
 *
 * Without a target table. CreateDataQualityRuleset takes `TargetTable` as optional
 * (https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDataQualityRuleset.html), but a target
 * must be an existing catalog table, and the silver Iceberg tables do not exist at the first
 * `pulumi up`: the silver job creates each one (CREATE TABLE AS SELECT) on its first run. Creating
 * them up front instead would make that CTAS fail and leave Pulumi and the job both owning the
 * table's definition; and a program cannot look a table up without failing when it is missing, so
 * gating on it would change the resources with AWS state and need a second `pulumi up`. The table
 * a ruleset is for is in its name, description and tags; an evaluation run names it as its data
 * source (StartDataQualityRulesetEvaluationRun, `DataSource.GlueTable`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { dqdlRuleset } from "../model/dqdl";
import { layerTableName } from "../model/naming";

/** The rulesets by silver table name (`<source>_<table>`); none unless `dataQuality.publishRulesets`. */
export function createQualityRulesets(ctx: LakeContext, silverDatabase: pulumi.Input<string>): Record<string, aws.glue.DataQualityRuleset> {
    if (!ctx.config.dataQuality.publishRulesets) return {};
    const entries = ctx.spec.sources.flatMap((source) =>
        source.tables.flatMap((table) => {
            const tableName = layerTableName(source.name, table.name);
            const { ruleset, skipped } = dqdlRuleset(`${source.name}.${table.name}`, table.rules, table.columns);
            for (const s of skipped) {
                pulumi.log.info(`${source.name}.${table.name}: rule ${s.rule} is not in the Glue Data Quality ruleset (${s.reason}); the silver job still checks it`);
            }
            if (ruleset === undefined) return [];
            const resource = new aws.glue.DataQualityRuleset(
                `${ctx.name}-dq-${tableName}`,
                {
                    name: `${ctx.prefix}-${tableName}`,
                    description: pulumi.interpolate`${ctx.prefix}: the declared data-quality rules of ${source.name}.${table.name} for silver table ${silverDatabase}.${tableName}, enforced by the silver job`,
                    ruleset,
                    tags: { ...ctx.tags, "silver-table": tableName },
                },
                ctx.opts(),
            );
            return [[tableName, resource] as const];
        }),
    );
    return Object.fromEntries(entries);
}
