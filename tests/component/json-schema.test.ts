import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { lakeConfigJsonSchema } from "medallion-lake";
import { JSON_SCHEMA_PATH, LAKE_CATALOG_SCHEMA_PATH, LAKE_SPEC_SCHEMA_PATH, lakeCatalogJsonSchema, lakeSpecJsonSchema } from "../../packages/medallion-lake/src/model/json-schema";
import { lakeSpecSchema } from "../../packages/medallion-lake/src/model/lake-spec-schema";
import { lakeSpec, parseLakeConfig } from "medallion-lake";
import { rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

describe("schema/lake-config.schema.json", () => {
    const committed = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, JSON_SCHEMA_PATH), "utf8"));

    it("is up to date with the zod schema (regenerate with npm run schema)", () => {
        expect(committed).to.deep.equal(JSON.parse(JSON.stringify(lakeConfigJsonSchema())));
    });

    it("documents every field, with the defaults", () => {
        const undocumented: string[] = [];
        const walk = (node: any, at: string) => {
            for (const [key, prop] of Object.entries<any>(node.properties ?? {})) {
                if (!prop.description && !prop.anyOf?.every((b: any) => b.description || b.type === "object")) undocumented.push(`${at}${key}`);
                walk(prop, `${at}${key}.`);
                if (prop.items) walk(prop.items.anyOf ? prop.items.anyOf.find((b: any) => b.type === "object") : prop.items, `${at}${key}[].`);
            }
        };
        walk(committed, "");
        expect(undocumented).to.deep.equal([]);
        expect(committed.properties.jobs.properties.workerType.default).to.equal("G.1X");
        expect(committed.properties.protect.default).to.equal(true);
        expect(committed.required).to.have.members(["name", "sources"]);
    });
});

describe("schema/lake-catalog.schema.json", () => {
    it("is up to date with the catalog's zod schema (regenerate with npm run schema)", () => {
        const committed = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, LAKE_CATALOG_SCHEMA_PATH), "utf8"));
        expect(committed).to.deep.equal(JSON.parse(JSON.stringify(lakeCatalogJsonSchema())));
        expect(committed.required).to.deep.equal(["sources"]);
    });
});

describe("schema/lake-spec.schema.json", () => {
    const committed = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, LAKE_SPEC_SCHEMA_PATH), "utf8"));

    it("is up to date with the lake spec's schema (regenerate with npm run schema)", () => {
        expect(committed).to.deep.equal(JSON.parse(JSON.stringify(lakeSpecJsonSchema())));
    });

    for (const env of ["dev", "prod", "local"]) {
        it(`holds the spec lakeSpec() emits for the ${env} stack, with no field it does not declare`, () => {
            const result = lakeSpecSchema.safeParse(lakeSpec(parseLakeConfig(rawLake(env), PROJECT_ROOT), env));
            expect(result.success, JSON.stringify(result.error?.issues)).to.equal(true);
        });
    }

    it("declares the fields the Glue jobs' parser requires", () => {
        // The component always emits `gold` too; the parser reads a spec without it as no models.
        expect(committed.required).to.have.members(["lake", "environment", "databases", "metricsNamespace", "sources", "tableMaintenance", "gold"]);
        expect(committed.properties.tableMaintenance.required).to.have.members(["snapshotRetentionDays", "snapshotsToKeep", "orphanFileRetentionDays", "compactionMinInputFiles", "compactionSmallFileMiB", "compactionDeleteRatio"]);
        expect(committed.properties.tableMaintenance.additionalProperties).to.equal(false);
        const model = committed.properties.gold.properties.models.items;
        expect(model.required).to.include("refresh");
        expect(model.properties.refresh.enum).to.deep.equal(["full", "partitions"]);
        const table = committed.properties.sources.items.properties.tables.items;
        expect(table.required).to.include.members(["name", "sourceTable", "catalogTable", "primaryKey", "columns"]);
        expect(table.additionalProperties).to.equal(false);
    });
});
