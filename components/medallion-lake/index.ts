/**
 * medallion-lake component: the `MedallionLake` ComponentResource and the pure functions it is
 * built from (config validation, naming, lake spec, job arguments, named queries).
 */
export * from "./config";
export * from "./naming";
export * from "./lake-spec";
export * from "./job-arguments";
export * from "./named-queries";
