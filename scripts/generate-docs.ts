/**
 * Writes the generated references, docs/config-reference.md and docs/gold-model-reference.md, from the
 * committed JSON Schemas (`npm run docs`; `npm run schema` regenerates the schemas first).
 * tests/docs/reference.test.ts fails when a committed reference differs from what this renders.
 */
import * as fs from "fs";
import * as path from "path";
import { ReferenceOptions, schemaReference } from "./schema-reference";

/** A generated document: the schema it is rendered from and the words around the tables. */
interface ReferenceDoc extends ReferenceOptions {
    /** Repository path of the JSON Schema. */
    schema: string;
    /** Repository path of the Markdown written. */
    doc: string;
}

export const REFERENCE_DOCS: ReferenceDoc[] = [
    {
        schema: "schema/lake-config.schema.json",
        doc: "docs/config-reference.md",
        title: "Config reference (`medallion-lake:lake`)",
        generatedBy: "`npm run schema` from schema/lake-config.schema.json (the zod schema of packages/medallion-lake/src/model/config.ts)",
        intro: [
            "Every field of the lake config, the object under `medallion-lake:lake` in `Pulumi.<env>.yaml`, with",
            "its type, constraints and default. The config is checked against these rules before anything is",
            "created, and a bad one is refused with every problem and its path. The narrative (names derived",
            "from the config, the committed stacks, adding an environment) is in [config.md](config.md); the",
            "same rules as JSON Schema, for editors, are in",
            "[`schema/lake-config.schema.json`](../schema/lake-config.schema.json). Gold model declarations",
            "(`<model>.yaml`) are in [gold-model-reference.md](gold-model-reference.md).",
        ].join("\n"),
    },
    {
        schema: "schema/gold-model.schema.json",
        doc: "docs/gold-model-reference.md",
        title: "Gold model reference (`<model>.yaml`)",
        generatedBy: "`npm run schema` from schema/gold-model.schema.json (the zod schema of packages/medallion-lake/src/model/gold-models.ts)",
        intro: [
            "Every field of a gold model's declaration, the `<model>.yaml` beside its `<model>.sql` (the file",
            "name is the model's name and gold table name), with its type, constraints and default. The",
            "component checks every declaration with this schema before anything is created, naming the file",
            "and the field. How models are written, tested and refreshed: [config.md](config.md#gold-models); how the gold job runs them: [glue-jobs.md](glue-jobs.md#gold-job-silver---gold-models);",
            "the same rules as JSON Schema, for editors, are in",
            "[`schema/gold-model.schema.json`](../schema/gold-model.schema.json).",
        ].join("\n"),
    },
];

/** Every reference as it should be committed, rendered from the schemas under `root`. */
export function referenceDocs(root: string): { doc: string; text: string }[] {
    return REFERENCE_DOCS.map((d) => ({ doc: d.doc, text: schemaReference(JSON.parse(fs.readFileSync(path.join(root, d.schema), "utf8")), d) }));
}

if (require.main === module) {
    const root = path.resolve(__dirname, "..");
    for (const { doc, text } of referenceDocs(root)) {
        fs.writeFileSync(path.join(root, doc), text);
        console.log(`wrote ${doc}`);
    }
}
