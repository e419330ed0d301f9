/**
 * medallion-lake component: the `MedallionLake` ComponentResource and the pure functions it is
 * built from (config validation, naming, lake spec, job arguments, named queries).
 */
export * from "./config";
export * from "./naming";
export * from "./lake-spec";
export * from "./quality-rules";
export * from "./gold-models";
export * from "./alerts-config";
export * from "./metrics";
export * from "./alerts";
export * from "./dashboard";
export * from "./job-arguments";
export * from "./named-queries";
export * from "./context";
export * from "./assets";
export * from "./storage";
export * from "./kms";
export * from "./iam";
export * from "./sources";
export * from "./jobs";
export * from "./medallion-lake";
export * from "./json-schema";
