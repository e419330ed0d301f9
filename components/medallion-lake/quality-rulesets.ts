/**
 * Optional Glue Data Quality rulesets (`dataQuality.publishRulesets`): each table's declared rules
 * that have a DQDL equivalent (dqdl.ts), published on its silver catalog table so they show in the
 * Glue console. Only published: the silver job evaluates the rules, so no role gains a permission.
 * https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDataQualityRuleset.html
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { dqdlRuleset } from "./dqdl";
import { layerTableName } from "./naming";

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
                    description: `${ctx.prefix}: the declared data-quality rules of ${source.name}.${table.name}, enforced by the silver job`,
                    ruleset,
                    targetTable: { databaseName: silverDatabase, tableName },
                    tags: ctx.tags,
                },
                ctx.opts(),
            );
            return [[tableName, resource] as const];
        }),
    );
    return Object.fromEntries(entries);
}
