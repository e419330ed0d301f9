/**
 * medallion-lake component: the public API. The `MedallionLake` ComponentResource with its args,
 * grants and config types, and the pure functions the Pulumi program, the Automation API and the
 * local runner share (config validation, lake spec, job arguments, named queries, naming). Everything
 * else is internal to the component; its tests import the modules directly.
 */
export { MedallionLake, MEDALLION_LAKE_TYPE } from "./medallion-lake";
export type { GrantOptions, MedallionLakeArgs, PasswordLookup, QueryGrantOptions } from "./medallion-lake";
export { ENGINES, LakeConfigError, lakeConfigSchema, parseLakeConfig } from "./config";
export type { Engine, LakeConfig, LakeConfigInput, LakeConfigIssue, SourceConfig, TableConfig } from "./config";
export { goldModelFile, lakeSpec } from "./lake-spec";
export type { LakeSpec, LakeSpecColumn, LakeSpecGoldModel, LakeSpecGoldTest, LakeSpecSource, LakeSpecTable, LakeSpecTableMaintenance } from "./lake-spec";
export type { GoldModelConfig } from "./gold-models";
export { BUCKET_PURPOSES, connectionUrl, databaseNames, jdbcUrl, LAYERS, resourcePrefix, validateEnvironment } from "./naming";
export type { BucketPurpose, Layer } from "./naming";
export { jobArguments } from "./job-arguments";
export type { JobPaths } from "./job-arguments";
export { namedQueries } from "./named-queries";
export { freshnessHours } from "./alerts-config";
export { lakeConfigJsonSchema } from "./json-schema";
