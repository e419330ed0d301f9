/** Writes schema/lake-config.schema.json from the zod schema (`npm run schema`). */
import * as fs from "fs";
import * as path from "path";
import { JSON_SCHEMA_PATH, lakeConfigJsonSchema } from "../json-schema";

const target = path.resolve(__dirname, "..", "..", "..", JSON_SCHEMA_PATH);
fs.writeFileSync(target, JSON.stringify(lakeConfigJsonSchema(), null, 2) + "\n");
console.log(`wrote ${path.relative(process.cwd(), target)}`);
