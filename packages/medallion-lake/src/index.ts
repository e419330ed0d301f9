/**
 * medallion-lake component: the public API. The `MedallionLake` ComponentResource with its args,
 * grants and config types, and the pure functions the Pulumi program, the Automation API and the
 * local runner share (config validation, lake spec, job arguments, named queries, naming). Everything
 * else is internal to the component; its tests import the modules directly.
 */
export { MedallionLake, MEDALLION_LAKE_TYPE } from "./component/medallion-lake";
export type { GrantOptions, MedallionLakeArgs, PasswordLookup, QueryGrantOptions } from "./component/medallion-lake";
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
