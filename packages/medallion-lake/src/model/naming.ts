/**
 * Pure naming rules: every AWS name the lake uses is derived here from the lake name and the
 * environment (Pulumi stack name), so outputs are predictable and validated up front.
 */
import type { Engine, SourceConfig } from "./config";
import { LakeConfigError } from "./errors";

export const LAYERS = ["bronze", "silver", "gold"] as const;
export type Layer = (typeof LAYERS)[number];

/** Bucket purposes; each is one bucket. */
export const BUCKET_PURPOSES = ["bronze", "silver", "gold", "query-results", "assets", "logs"] as const;
export type BucketPurpose = (typeof BUCKET_PURPOSES)[number];

/** Longest environment accepted, so `<lake>-<env>-query-results-<suffix>` stays within S3's 63 characters. */
export const MAX_ENVIRONMENT_LENGTH = 16;

/**
 * Bucket-name prefixes S3 refuses (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
 * `xn--` cannot occur, since names have no consecutive hyphens.
 */
export const RESERVED_BUCKET_PREFIXES = ["sthree-", "amzn-s3-demo-"] as const;

/**
 * Validates the environment (stack name): lowercase letters, digits and hyphens, starting with a letter;
 * with the lake name, also that the buckets' `<lake>-<env>-` prefix is one S3 takes.
 * @throws LakeConfigError at path `environment`.
 */
export function validateEnvironment(environment: string, lake?: string): void {
    const problems: string[] = [];
    if (!/^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/.test(environment) || environment.includes("--")) {
        problems.push(`"${environment}" must be lowercase letters, digits and single hyphens, start with a letter and not end with a hyphen`);
    }
    if (environment.length > MAX_ENVIRONMENT_LENGTH) problems.push(`"${environment}" must be at most ${MAX_ENVIRONMENT_LENGTH} characters`);
    const reserved = RESERVED_BUCKET_PREFIXES.find((p) => lake !== undefined && `${lake}-${environment}-`.startsWith(p));
    if (reserved) problems.push(`"${environment}" after lake "${lake}" makes bucket names start with ${reserved}, a prefix S3 refuses`);
    if (problems.length > 0) throw new LakeConfigError(problems.map((message) => ({ path: "environment", message })));
}

/** `tickit-dev`: prefix for resource names that allow hyphens (Glue jobs, crawlers, connections, workgroup). */
export function resourcePrefix(lake: string, environment: string): string {
    return `${lake}-${environment}`;
}

/** `tickit_dev`: Glue/Athena names allow only lowercase letters, digits and underscores. */
export function catalogPrefix(lake: string, environment: string): string {
    return `${lake}_${environment}`.replace(/-/g, "_");
}

/** Glue catalog database names: `tickit_dev_source`, `tickit_dev_bronze`, ... */
export function databaseNames(lake: string, environment: string): Record<"source" | Layer, string> {
    const p = catalogPrefix(lake, environment);
    return { source: `${p}_source`, bronze: `${p}_bronze`, silver: `${p}_silver`, gold: `${p}_gold` };
}

/**
 * Length of the random suffix of bucket names: 36^8 (about 2.8e12) values make a clash with
 * another account's bucket of the same lake and environment negligible.
 */
export const BUCKET_SUFFIX_LENGTH = 8;

/**
 * Globally unique bucket name: `<lake>-<env>-<purpose>-<suffix>`, where `suffix` is the lake's
 * stable random suffix (storage.ts), not the AWS account id: bucket names are public (DNS, error
 * messages), so they should not reveal the account. At most 16 + 16 + 13 + 8 + 3 = 56 characters.
 */
export function bucketName(lake: string, environment: string, purpose: BucketPurpose, suffix: string): string {
    const name = `${lake}-${environment}-${purpose}-${suffix}`;
    if (name.length > 63 || !/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name)) {
        throw new LakeConfigError([{ path: "name", message: `derived bucket name "${name}" is not a valid S3 bucket name` }]);
    }
    return name;
}

/** Glue connection name for a source. */
export function connectionName(lake: string, environment: string, source: string): string {
    return `${resourcePrefix(lake, environment)}-${source}`;
}

/** Crawler table prefix: tables land in the source database as `<source>_<db>_<schema>_<table>`. */
export function crawlerTablePrefix(source: string): string {
    return `${source}_`;
}

/** Splits a configured table name into its schema (null for mysql) and table parts. */
export function splitTableName(engine: Engine, name: string): { schema: string | null; table: string } {
    const parts = name.split(".");
    return engine === "mysql" ? { schema: null, table: parts[0] } : { schema: parts[0], table: parts[1] };
}

/** Short table name (last segment, lowercase), unique per source: the lake's table name. */
export function shortTableName(name: string): string {
    const parts = name.split(".");
    return parts[parts.length - 1].toLowerCase();
}

/** JDBC crawler include path: `db/schema/table` for postgres and sqlserver, `db/table` for mysql. */
export function crawlerPath(engine: Engine, database: string, tableName: string): string {
    const { schema, table } = splitTableName(engine, tableName);
    return schema === null ? `${database}/${table}` : `${database}/${schema}/${table}`;
}

/** Glue's name for a crawled JDBC table: prefix + include path with `/` and `.` as `_`, lowercased. */
export function catalogTableName(source: string, engine: Engine, database: string, tableName: string): string {
    return `${crawlerTablePrefix(source)}${crawlerPath(engine, database, tableName)}`.replace(/[/.]/g, "_").toLowerCase();
}

/** Lake table name in the bronze and silver databases: `<source>_<table>`. */
export function layerTableName(source: string, tableName: string): string {
    return `${source}_${shortTableName(tableName)}`;
}

/** JDBC URL per engine. */
export function jdbcUrl(engine: Engine, host: string, port: number, database: string): string {
    switch (engine) {
        case "postgres":
            return `jdbc:postgresql://${host}:${port}/${database}`;
        case "mysql":
            return `jdbc:mysql://${host}:${port}/${database}`;
        case "sqlserver":
            return `jdbc:sqlserver://${host}:${port};databaseName=${database}`;
    }
}

/**
 * The TLS settings a SQL Server URL spells out. mssql-jdbc changed its default in 10.1 to
 * `encrypt=true` with certificate validation (https://github.com/microsoft/mssql-jdbc/issues/1775);
 * Glue 5.0 ships 10.2.0, Glue 4.0 ships 9.4.0, which defaults to `encrypt=false`
 * (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-jdbc-home.html).
 * Written out, the connection means the same on both versions:
 * - `enforceSsl` (default): encrypted, and the server's certificate must chain to a trusted CA
 *   (`caCertificate` for a private one) and name the host, or `hostNameInCertificate` when set;
 * - `enforceSsl: false`: still encrypted (SQL Server always has a certificate, self-signed if none
 *   was installed), but the certificate is not checked (`trustServerCertificate=true`), so the
 *   server's identity is not verified. That is what the PostgreSQL and MySQL drivers do by default
 *   (`sslmode=prefer`, `sslMode=PREFERRED`) and is safer than `encrypt=false`, which would send every
 *   row in clear text.
 * https://learn.microsoft.com/en-us/sql/connect/jdbc/connecting-with-ssl-encryption
 */
export function sqlServerTls(source: Pick<SourceConfig, "enforceSsl" | "hostNameInCertificate">): string[] {
    if (!source.enforceSsl) return ["encrypt=true", "trustServerCertificate=true"];
    return ["encrypt=true", "trustServerCertificate=false", ...(source.hostNameInCertificate ? [`hostNameInCertificate=${source.hostNameInCertificate}`] : [])];
}

/** The JDBC URL of a source's Glue connection: for SQL Server with its TLS settings. */
export function connectionUrl(source: Pick<SourceConfig, "engine" | "host" | "port" | "database" | "enforceSsl" | "hostNameInCertificate">): string {
    const url = jdbcUrl(source.engine, source.host, source.port, source.database);
    return source.engine === "sqlserver" ? [url, ...sqlServerTls(source)].join(";") : url;
}
