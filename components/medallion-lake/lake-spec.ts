/**
 * The lake spec: the JSON document the Glue jobs read (uploaded to S3 by the component, written to
 * a file by the local runner). Pure and deterministic, so its content hash names its S3 key.
 */
import { Engine, LakeConfig } from "./config";
import { metricsNamespace } from "./metrics";
import { LakeSpecRule, ruleTables, specRules } from "./quality-rules";
import { catalogTableName, connectionName, databaseNames, Layer, shortTableName, validateEnvironment } from "./naming";

export interface LakeSpecColumn {
    name: string;
    type: string;
    format: string | null;
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
}

export interface LakeSpecSource {
    name: string;
    engine: Engine;
    database: string;
    connectionName: string;
    tables: LakeSpecTable[];
}

export interface LakeSpec {
    lake: string;
    environment: string;
    databases: Record<"source" | Layer, string>;
    /** CloudWatch namespace the jobs publish their metrics under. */
    metricsNamespace: string;
    sources: LakeSpecSource[];
}

/** Builds the lake spec for one environment. @throws LakeConfigError for an invalid environment name. */
export function lakeSpec(config: LakeConfig, environment: string): LakeSpec {
    validateEnvironment(environment);
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
                columns: t.columns.map((c) => ({ name: c.name, type: c.type, format: c.format })),
                rules: tableRules(s.name, shortTableName(t.name)),
            })),
        })),
    };
}
