/** Writes schema/lake-config.schema.json, schema/lake-catalog.schema.json, schema/lake-spec.schema.json and schema/gold-model.schema.json (`npm run schema`). */
import * as fs from "fs";
import * as path from "path";
import { GOLD_MODEL_SCHEMA_PATH, goldModelJsonSchema, JSON_SCHEMA_PATH, LAKE_CATALOG_SCHEMA_PATH, LAKE_SPEC_SCHEMA_PATH, lakeCatalogJsonSchema, lakeConfigJsonSchema, lakeSpecJsonSchema } from "../src/model/json-schema";

for (const [file, schema] of [
    [JSON_SCHEMA_PATH, lakeConfigJsonSchema()],
    [LAKE_CATALOG_SCHEMA_PATH, lakeCatalogJsonSchema()],
    [LAKE_SPEC_SCHEMA_PATH, lakeSpecJsonSchema()],
    [GOLD_MODEL_SCHEMA_PATH, goldModelJsonSchema()],
] as const) {
    const target = path.resolve(__dirname, "..", "..", "..", file);
    fs.writeFileSync(target, JSON.stringify(schema, null, 2) + "\n");
    console.log(`wrote ${file}`);
}
