/**
 * The lake spec: the JSON document the Glue jobs read (uploaded to S3 by the component, written to
 * a file by the local runner). Pure and deterministic, so its content hash names its S3 key.
 */
import { Classification } from "./classification";
import { contentHash } from "./content-hash";
import { Engine, LakeConfig } from "./config";
import { GoldModelConfig, GoldRefresh, goldTestName } from "./gold-models";
import { metricsNamespace } from "./metrics";
import { ReconcileCompare } from "./reconcile";
import { LakeSpecRule, ruleTables, specRules } from "./quality-rules";
import { catalogTableName, connectionName, databaseNames, Layer, shortTableName, validateEnvironment } from "./naming";

export interface LakeSpecColumn {
    name: string;
    type: string;
    format: string | null;
    /** The column's classification (docs/governance.md); null: none. */
    classification: Classification | null;
}

export interface LakeSpecTable {
    /** Short name (last segment), unique per source. */
    name: string;
    /** Table as named in the source database. */
    sourceTable: string;
    /** Name of the crawler's table in the source catalog database. */
    catalogTable: string;
    primaryKey: string[];
    watermarkColumn: string | null;
    partitionColumn: string | null;
    dateColumn: string | null;
    columns: LakeSpecColumn[];
    /** Data-quality rules, checked by the silver job. */
    rules: LakeSpecRule[];
    /** A full-load table's delete guard: the most of its silver rows (0 to 1) one silver run may delete (the table's setting, else the lake's). */
    maxDeleteShare: number;
    /** An incremental table's reconcile (`compare` keys or rows, every `everyRuns`-th bronze run); null: none. */
    reconcile: { compare: ReconcileCompare; everyRuns: number } | null;
}

export interface LakeSpecSource {
    name: string;
    engine: Engine;
    database: string;
    connectionName: string;
    tables: LakeSpecTable[];
}

/** A gold model test in spec form: a rule (the silver job's shape) or a SQL condition. */
export interface LakeSpecGoldTest extends Omit<LakeSpecRule, "check" | "reference"> {
    check: LakeSpecRule["check"] | "expression";
    /** A reference test's target: its layer (`silver` or `gold`), lake name and column. */
    reference: { source: "silver" | "gold"; table: string; column: string } | null;
    /** The condition of an expression test. */
    expression: string | null;
}

export interface LakeSpecGoldModel {
    name: string;
    /** The SQL file, relative to the lake spec's folder; content-hashed, so an edit gives a new key. */
    file: string;
    description: string;
    partitionBy: string[];
    /** `full`: each run rebuilds the model; `partitions`: each run replaces only the partitions its changed silver rows touch. */
    refresh: GoldRefresh;
    /** Every column the query returns, in declaration order. */
    columns: { name: string; description: string }[];
    /** Columns computed from classified columns that the model declares unclassified, each with its reason. */
    declassify: Record<string, string>;
    tests: LakeSpecGoldTest[];
    /** Named queries over the model ({{ this }} and {{ <model> }} are its table and other models'). */
    queries: { name: string; description: string; sql: string }[];
}

/**
 * How the silver and gold jobs maintain their Iceberg tables (config `tableMaintenance`, defaults
 * filled in): the arguments of Iceberg's snapshot expiry, orphan-file cleanup and compaction.
 */
export interface LakeSpecTableMaintenance {
    /** Snapshots older than this many days are expired. */
    snapshotRetentionDays: number;
    /** The newest this many snapshots are always kept. */
    snapshotsToKeep: number;
    /** Files no snapshot references and older than this many days are deleted. */
    orphanFileRetentionDays: number;
    /** A partition (or unpartitioned table) with at least this many small data files has them compacted. */
    compactionMinInputFiles: number;
    /** Data files smaller than this many MiB are small (compacted together); bigger ones are left. */
    compactionSmallFileMiB: number;
    /** Position deletes reaching this fraction of a table's rows get its data files rewritten without them. */
    compactionDeleteRatio: number;
}

export interface LakeSpec {
    lake: string;
    environment: string;
    databases: Record<"source" | Layer, string>;
    /** CloudWatch namespace the jobs publish their metrics under. */
    metricsNamespace: string;
    sources: LakeSpecSource[];
    /** Maintenance of the silver and gold Iceberg tables. */
    tableMaintenance: LakeSpecTableMaintenance;
    /** The gold models the gold job builds, in config order (the job orders them by dependency). */
    gold: { models: LakeSpecGoldModel[] };
}

/** `gold-models/<model>-<hash>.sql`: where the model's SQL goes, beside the lake spec. */
export function goldModelFile(model: GoldModelConfig): string {
    return `gold-models/${model.name}-${contentHash(model.sql)}.sql`;
}

function goldSpecModel(m: GoldModelConfig, models: GoldModelConfig[]): LakeSpecGoldModel {
    return {
        name: m.name,
        file: goldModelFile(m),
        description: m.description,
        partitionBy: [...m.partitionBy],
        refresh: m.refresh,
        columns: m.columns.map((c) => ({ ...c })),
        declassify: { ...m.declassify },
        tests: m.tests.map((t) => ({
            name: goldTestName(t),
            check: t.check,
            severity: t.severity,
            column: "column" in t ? t.column : null,
            columns: t.check === "unique" ? [...t.columns] : [],
            min: "min" in t && t.min !== undefined ? t.min : null,
            max: "max" in t && t.max !== undefined ? t.max : null,
            values: t.check === "acceptedValues" ? [...t.values] : [],
            pattern: t.check === "pattern" ? t.pattern : null,
            reference: t.check === "reference" ? { source: models.some((x) => x.name === t.table) ? "gold" : "silver", table: t.table, column: t.key } : null,
            maxAgeHours: t.check === "freshness" ? t.maxAgeHours : null,
            expression: t.check === "expression" ? t.expression : null,
        })),
        queries: m.queries.map((q) => ({ ...q })),
    };
}

/** Builds the lake spec for one environment. @throws LakeConfigError for an invalid environment name. */
export function lakeSpec(config: LakeConfig, environment: string): LakeSpec {
    validateEnvironment(environment, config.name);
    const rules = ruleTables(config.sources);
    const tableRules = (source: string, table: string) => specRules(rules.find((r) => r.source === source && r.table === table) as (typeof rules)[number], rules);
    return {
        lake: config.name,
        environment,
        databases: databaseNames(config.name, environment),
        metricsNamespace: metricsNamespace(config.name),
        sources: config.sources.map((s) => ({
            name: s.name,
            engine: s.engine,
            database: s.database,
            connectionName: connectionName(config.name, environment, s.name),
            tables: s.tables.map((t) => ({
                name: shortTableName(t.name),
                sourceTable: t.name,
                catalogTable: catalogTableName(s.name, s.engine, s.database, t.name),
                primaryKey: [...t.primaryKey],
                watermarkColumn: t.watermarkColumn,
                partitionColumn: t.partitionColumn,
                dateColumn: t.dateColumn,
                columns: t.columns.map((c) => ({ name: c.name, type: c.type, format: c.format, classification: c.classification })),
                rules: tableRules(s.name, shortTableName(t.name)),
                maxDeleteShare: t.maxDeleteShare ?? config.maxDeleteShare,
                reconcile: t.reconcile ? { ...t.reconcile } : null,
            })),
        })),
        tableMaintenance: {
            snapshotRetentionDays: config.tableMaintenance.snapshotRetentionDays,
            snapshotsToKeep: config.tableMaintenance.snapshotsToKeep,
            orphanFileRetentionDays: config.tableMaintenance.orphanFileRetentionDays,
            compactionMinInputFiles: config.tableMaintenance.compactionMinInputFiles,
            compactionSmallFileMiB: config.tableMaintenance.compactionSmallFileMiB,
            compactionDeleteRatio: config.tableMaintenance.compactionDeleteRatio,
        },
        gold: { models: config.gold.models.map((m) => goldSpecModel(m, config.gold.models)) },
    };
}
