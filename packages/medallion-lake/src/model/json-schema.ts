/**
 * The JSON Schemas of `medallion-lake:lake` (from the config's zod schema), of the lake spec (from
 * lake-spec-schema.ts, tied to the `LakeSpec` type) and of a gold model's declaration (from
 * gold-models.ts), generated so that none drifts.
 */
import { z } from "zod";
import { lakeCatalogSchema, lakeConfigSchema, PULUMI_INPUT } from "./config";
import { lakeSpecSchema } from "./lake-spec-schema";
import { goldDeclarationSchema } from "./gold-models";

/** Repository path of the generated schema file. */
export const JSON_SCHEMA_PATH = "schema/lake-config.schema.json";
/** Repository path of the generated schema of a lake's table catalog file (`catalog`). */
export const LAKE_CATALOG_SCHEMA_PATH = "schema/lake-catalog.schema.json";
/** Repository path of the generated lake spec schema. */
export const LAKE_SPEC_SCHEMA_PATH = "schema/lake-spec.schema.json";

/** Repository path of the generated schema of a gold model's declaration (`<model>.yaml`). */
export const GOLD_MODEL_SCHEMA_PATH = "schema/gold-model.schema.json";

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

/** JSON Schema of a file users write in YAML (input side: defaults shown, optional fields optional). */
function yamlJsonSchema(zodSchema: z.ZodType, title: string): object {
    const schema = z.toJSONSchema(zodSchema, {
        io: "input",
        unrepresentable: "any",
        override: (ctx) => {
            if (ctx.zodSchema === PULUMI_INPUT) Object.assign(ctx.jsonSchema, INPUT_BRANCH);
        },
    });
    return { ...(dropInputBranches(schema) as object), title };
}

/** JSON Schema of the config as users write it in YAML (`medallion-lake:lake`). */
export function lakeConfigJsonSchema(): object {
    return yamlJsonSchema(lakeConfigSchema, "medallion-lake:lake");
}

/** JSON Schema of a lake's table catalog file (`catalog`: docs/config.md "Table catalog"). */
export function lakeCatalogJsonSchema(): object {
    return yamlJsonSchema(lakeCatalogSchema, "medallion-lake table catalog");
}

/** JSON Schema of the lake spec the Glue jobs read (`--lake_spec`): what `lakeSpec()` emits. */
export function lakeSpecJsonSchema(): object {
    return { ...z.toJSONSchema(lakeSpecSchema, { io: "output" }), title: "medallion-lake lake spec" };
}

/** JSON Schema of a gold model's declaration, `<model>.yaml`, as authors write it (the schema `loadGoldModels` checks with). */
export function goldModelJsonSchema(): object {
    return { ...z.toJSONSchema(goldDeclarationSchema, { io: "input" }), title: "medallion-lake gold model declaration" };
}
