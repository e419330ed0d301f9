/** The JSON Schema of `medallion-lake:lake`, generated from the zod schema so the two never drift. */
import { z } from "zod";
import { lakeConfigSchema } from "./config";

/** Repository path of the generated schema file. */
export const JSON_SCHEMA_PATH = "schema/lake-config.schema.json";

/** JSON Schema of the config as users write it (input side: defaults shown, optional fields optional). */
export function lakeConfigJsonSchema(): object {
    return {
        ...z.toJSONSchema(lakeConfigSchema, { io: "input" }),
        title: "medallion-lake:lake",
    };
}
