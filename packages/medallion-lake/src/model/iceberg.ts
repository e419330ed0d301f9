/**
 * Iceberg on Glue: which layers are Iceberg tables, and the Glue job arguments that give their jobs
 * Iceberg's Glue catalog. The Spark settings are defined once, in the `medallion` package's
 * `iceberg.json` (local Spark reads the same file); this module reads the package's copy of it
 * (assets/glue-scripts/medallion/iceberg.json) and adds the warehouse.
 */
import { Layer } from "./naming";
import { readAssetJson } from "./package-assets";

/** The part of `iceberg.json` the component uses. */
interface IcebergContract {
    catalog: string;
    sparkConf: Record<string, string>;
    awsSparkConf: Record<string, string>;
}

const contract = readAssetJson<IcebergContract>("glue-scripts/medallion/iceberg.json");

/** The layers whose tables are Iceberg tables (format version 2) in the Glue Data Catalog; bronze stays Avro files. */
export const ICEBERG_LAYERS: readonly Layer[] = ["silver", "gold"];

/** The Spark catalog name the jobs reach their Iceberg tables through (`glue_catalog`). */
export const ICEBERG_CATALOG: string = contract.catalog;

/**
 * The Spark settings of a job on Glue, in order: `sparkConf` (common to Glue and local Spark), then
 * `awsSparkConf` (S3FileIO), then the catalog's warehouse, `warehouse`.
 * @throws Error when `warehouse` is not an `s3://` path, or holds white space (Glue's one `--conf`
 * value is split on it).
 */
export function icebergSparkConf(warehouse: string): Record<string, string> {
    if (!/^s3:\/\/\S+$/.test(warehouse)) {
        throw new Error(`icebergSparkConf: the warehouse must be an s3:// path without white space, got "${warehouse}"`);
    }
    return { ...contract.sparkConf, ...contract.awsSparkConf, [`spark.sql.catalog.${ICEBERG_CATALOG}.warehouse`]: warehouse };
}

/**
 * The Iceberg arguments of a layer's Glue job: none for bronze; for silver and gold,
 * `--datalake-formats: iceberg` (Glue puts its Iceberg jars on the classpath) and one `--conf`
 * carrying every setting of `icebergSparkConf(warehouse)`. Glue takes a single `--conf` key, so the
 * value is `k1=v1 --conf k2=v2 ...`, the form AWS documents for Iceberg:
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-format-iceberg.html
 * (`--conf` "controls Spark config parameters", and is not among the arguments Glue reserves:
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html).
 * @param warehouse The layer's own path (`s3://<silver bucket>` for silver, gold's for gold).
 */
export function icebergArguments(layer: Layer, warehouse: string): Record<string, string> {
    if (!ICEBERG_LAYERS.includes(layer)) return {};
    const conf = Object.entries(icebergSparkConf(warehouse)).map(([key, value]) => `${key}=${value}`);
    return { "--datalake-formats": "iceberg", "--conf": conf.join(" --conf ") };
}
