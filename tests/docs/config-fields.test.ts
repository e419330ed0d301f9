import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { JSON_SCHEMA_PATH } from "../../packages/medallion-lake/src/model/json-schema";
import { PROJECT_ROOT } from "../../stacks/stack-config";

/** Every field path of a JSON Schema, `a.b[].c`, through objects, arrays and unions. */
export function fieldPaths(node: any, at = ""): string[] {
    const found: string[] = [];
    for (const [key, prop] of Object.entries<any>(node?.properties ?? {})) {
        found.push(`${at}${key}`);
        for (const branch of [prop, ...(prop.anyOf ?? [])]) {
            found.push(...fieldPaths(branch, `${at}${key}.`));
            for (const item of [branch.items, ...(branch.items?.anyOf ?? [])].filter(Boolean)) found.push(...fieldPaths(item, `${at}${key}[].`));
        }
    }
    return [...new Set(found)];
}

describe("docs: the config reference", () => {
    it("walks nested objects, arrays and unions", () => {
        const schema = { properties: { a: { properties: { b: {} } }, c: { items: { anyOf: [{ type: "string" }, { properties: { d: {} } }] } } } };
        expect(fieldPaths(schema)).to.deep.equal(["a", "a.b", "c", "c[].d"]);
    });

    it("names every field of schema/lake-config.schema.json in README.md or docs/", () => {
        const schema = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, JSON_SCHEMA_PATH), "utf8"));
        const docs = ["README.md", ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).map((f) => path.join("docs", f))]
            .filter((f) => f.endsWith(".md"))
            .map((f) => fs.readFileSync(path.join(PROJECT_ROOT, f), "utf8"))
            .join("\n");
        const undocumented = fieldPaths(schema).filter((field) => !docs.includes(`\`${field.split(".").pop()!.replace("[]", "")}\``));
        expect(undocumented, `fields no doc names as \`field\`: ${undocumented.join(", ")}`).to.deep.equal([]);
    });
});
