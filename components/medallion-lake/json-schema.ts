/** The JSON Schema of `medallion-lake:lake`, generated from the zod schema so the two never drift. */
import { z } from "zod";
import { lakeConfigSchema, PULUMI_INPUT } from "./config";

/** Repository path of the generated schema file. */
export const JSON_SCHEMA_PATH = "schema/lake-config.schema.json";

/** Marks the `pulumi.Input` branch of pass-through fields, which a YAML file cannot hold. */
const INPUT_BRANCH = { not: {}, $comment: "pulumi.Input" };

/** Replaces `anyOf: [literal, INPUT_BRANCH]` by the literal, recursively. */
function dropInputBranches(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(dropInputBranches);
    if (node === null || typeof node !== "object") return node;
    const entries = Object.entries(node).map(([k, v]) => [k, dropInputBranches(v)] as const);
    const out: Record<string, unknown> = Object.fromEntries(entries);
    if (Array.isArray(out.anyOf)) {
        const kept = out.anyOf.filter((branch) => (branch as { $comment?: string }).$comment !== INPUT_BRANCH.$comment);
        if (kept.length === 1) {
            const { anyOf: _dropped, ...rest } = out;
            return { ...(kept[0] as object), ...rest };
        }
        out.anyOf = kept;
    }
    return out;
}

/** JSON Schema of the config as users write it in YAML (input side: defaults shown, optional fields optional). */
export function lakeConfigJsonSchema(): object {
    const schema = z.toJSONSchema(lakeConfigSchema, {
        io: "input",
        unrepresentable: "any",
        override: (ctx) => {
            if (ctx.zodSchema === PULUMI_INPUT) Object.assign(ctx.jsonSchema, INPUT_BRANCH);
        },
    });
    return { ...(dropInputBranches(schema) as object), title: "medallion-lake:lake" };
}
