/**
 * medallion-lake component: the public API. The `MedallionLake` ComponentResource with its args,
 * the `LakeQueryGrant` and `LakeReadGrant` components, the config types, and the pure functions the Pulumi program, the Automation API and the
 * local runner share (config validation, lake spec, job arguments, named queries, naming). Everything
 * else is internal to the component; its tests import the modules directly.
 */
export { MedallionLake, MEDALLION_LAKE_TYPE } from "./component/medallion-lake";
export type { DatabaseOutputs, GrantOptions, LayerOutputs, MedallionLakeArgs, QueryGrantOptions } from "./component/medallion-lake";
export { ColumnClassification, lakeConfigFromArgs, ReconcileCompare, RuleCheck, RuleSeverity, SourceEngine, SubscriptionProtocol, WorkerType } from "./component/lake-args";
export type {
    LakeAlerts,
    LakeDefinition,
    LakeAthena,
    LakeColumn,
    LakeDataQuality,
    LakeGold,
    LakeJobs,
    LakeNetwork,
    LakeReconcile,
    LakeRetention,
    LakeRule,
    LakeSource,
    LakeSubscription,
    LakeTable,
    LakeTableMaintenance,
} from "./component/lake-args";
export { LAKE_QUERY_GRANT_TYPE, LAKE_READ_GRANT_TYPE, LakeLayer, LakeQueryGrant, LakeReadGrant } from "./component/lake-grants";
export type { LakeGrantDatabases, LakeGrantTarget, LakeQueryGrantArgs, LakeReadGrantArgs } from "./component/lake-grants";
export { ENGINES, LakeConfigError, lakeCatalogSchema, lakeConfigSchema, parseLakeConfig } from "./model/config";
export { rebaseLakePaths } from "./model/table-catalog";
export type { LakeCatalog } from "./model/table-catalog";
export type { Engine, LakeConfig, LakeConfigInput, LakeConfigIssue, SourceConfig, TableConfig } from "./model/config";
export { goldModelFile, lakeSpec } from "./model/lake-spec";
export type { LakeSpec, LakeSpecColumn, LakeSpecGoldModel, LakeSpecGoldTest, LakeSpecSource, LakeSpecTable, LakeSpecTableMaintenance } from "./model/lake-spec";
export type { GoldModelConfig } from "./model/gold-models";
export { BUCKET_PURPOSES, connectionUrl, databaseNames, jdbcUrl, LAYERS, resourcePrefix, validateEnvironment } from "./model/naming";
export type { BucketPurpose, Layer } from "./model/naming";
export { jobArguments } from "./model/job-arguments";
export type { JobPaths } from "./model/job-arguments";
export { namedQueries } from "./model/named-queries";
export { freshnessHours } from "./model/alerts-config";
export { lakeCatalogJsonSchema, lakeConfigJsonSchema } from "./model/json-schema";
