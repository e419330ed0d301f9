/**
 * The lake spec's schema, for its JSON Schema (`schema/lake-spec.schema.json`, `npm run schema`),
 * which documents the contract between `lakeSpec()` and the Glue jobs' parser (medallion/spec.py).
 * The compile-time checks at the bottom tie it to the `LakeSpec` interfaces in both directions, so
 * a field added to, removed from or retyped in the spec fails `tsc` until this schema follows.
 */
import { z } from "zod";
import { ENGINES } from "./config";
import { LakeSpec } from "./lake-spec";
import { ROW_CHECKS, RULE_SEVERITIES, TABLE_CHECKS } from "./quality-rules";
import { GOLD_REFRESH_MODES } from "./gold-models";
import { RECONCILE_COMPARES } from "./reconcile";
import { CLASSIFICATIONS } from "./classification";

const nullable = <T extends z.ZodType>(t: T) => z.union([t, z.null()]);
const layerDatabases = z.strictObject({ source: z.string(), bronze: z.string(), silver: z.string(), gold: z.string() });

const rule = z.strictObject({
    name: z.string(),
    check: z.enum([...ROW_CHECKS, ...TABLE_CHECKS]),
    severity: z.enum(RULE_SEVERITIES),
    column: nullable(z.string()).describe("The checked column (notNull, range, acceptedValues, pattern, reference, freshness)."),
    columns: z.array(z.string()).describe("The columns of a unique rule."),
    min: nullable(z.number()),
    max: nullable(z.number()),
    values: z.array(z.union([z.string(), z.number(), z.boolean()])),
    pattern: nullable(z.string()),
    reference: nullable(z.strictObject({ source: z.string(), table: z.string(), column: z.string() })),
    maxAgeHours: nullable(z.number()),
});

const table = z.strictObject({
    name: z.string().describe("Short name (last segment), unique per source."),
    sourceTable: z.string().describe("Table as named in the source database."),
    catalogTable: z.string().describe("Name of the crawler's table in the source catalog database."),
    primaryKey: z.array(z.string()),
    watermarkColumn: nullable(z.string()),
    partitionColumn: nullable(z.string()),
    dateColumn: nullable(z.string()),
    columns: z.array(
        z.strictObject({ name: z.string(), type: z.string(), format: nullable(z.string()), classification: nullable(z.enum(CLASSIFICATIONS)).describe("The column's classification; null: none.") }),
    ),
    rules: z.array(rule).describe("Data-quality rules, checked by the silver job."),
    maxDeleteShare: z.number().min(0).max(1).describe("The delete guard of a full-load or reconciled table: the most of its silver rows one silver run may delete (the table's setting, else the lake's)."),
    reconcile: nullable(z.strictObject({ compare: z.enum(RECONCILE_COMPARES), everyRuns: z.number().int().min(1) })).describe(
        "An incremental table's reconcile: keys (bronze snapshots the source's keys, silver deletes what they lack) or rows (the snapshot also holds each row's source hash; bronze re-reads the rows whose hash changed), every everyRuns-th bronze run; null: none.",
    ),
});

const goldTest = rule.omit({ check: true, reference: true }).extend({
    check: z.enum([...ROW_CHECKS, ...TABLE_CHECKS, "expression"]),
    reference: nullable(z.strictObject({ source: z.enum(["silver", "gold"]), table: z.string(), column: z.string() })).describe(
        "A relationships test's target: its layer, lake table or model name, and column.",
    ),
    expression: nullable(z.string()).describe("The SQL condition of an expression test."),
});

const goldModel = z.strictObject({
    name: z.string(),
    file: z.string().describe("The model's SQL file, relative to the lake spec's folder (content-hashed)."),
    description: z.string(),
    partitionBy: z.array(z.string()),
    refresh: z.enum(GOLD_REFRESH_MODES).describe("full: each run rebuilds the model; partitions: each run replaces only the partitions its changed silver rows touch (partitionBy is not empty)."),
    columns: z.array(z.strictObject({ name: z.string(), description: z.string() })).describe("Every column the query returns, in order."),
    declassify: z.record(z.string(), z.string()).describe("Columns computed from classified columns that are not classified, each with the reason (the gold job checks them against the SQL's lineage)."),
    tests: z.array(goldTest).describe("The model's tests, run by the gold job."),
    queries: z.array(z.strictObject({ name: z.string(), description: z.string(), sql: z.string() })).describe("Named queries over the model."),
});

export const lakeSpecSchema = z
    .strictObject({
        lake: z.string(),
        environment: z.string(),
        databases: layerDatabases,
        metricsNamespace: z.string().describe("CloudWatch namespace the jobs publish their metrics under."),
        sources: z.array(
            z.strictObject({ name: z.string(), engine: z.enum(ENGINES), database: z.string(), connectionName: z.string(), tables: z.array(table) }),
        ),
        tableMaintenance: z
            .strictObject({
                snapshotRetentionDays: z.number().int().min(1).describe("Snapshots older than this many days are expired."),
                snapshotsToKeep: z.number().int().min(1).describe("The newest this many snapshots are always kept."),
                orphanFileRetentionDays: z.number().int().min(1).describe("Files no snapshot references and older than this many days are deleted."),
                compactionMinInputFiles: z.number().int().min(2).describe("A partition (or unpartitioned table) with at least this many small data files has them compacted."),
                compactionSmallFileMiB: z.number().positive().max(384).describe("Data files smaller than this many MiB are small (compacted together); bigger ones are left."),
                compactionDeleteRatio: z.number().gt(0).max(1).describe("Position deletes reaching this fraction of a table's rows get its data files rewritten without them."),
            })
            .describe("Maintenance of the silver and gold Iceberg tables (config tableMaintenance, defaults filled in)."),
        gold: z.strictObject({ models: z.array(goldModel) }).describe("The gold models the gold job builds, in config order."),
    })
    .describe("The lake spec: what the component uploads as --lake_spec for the Glue jobs (medallion/spec.py parses it).");

// Both directions: the schema's type is a LakeSpec, and a LakeSpec fits the schema.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesLakeSpec: Equal<z.output<typeof lakeSpecSchema>, LakeSpec> = true;
void schemaMatchesLakeSpec;
