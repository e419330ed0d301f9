/**
 * What may reach a source's Glue connection: the rules for `host` and `database`, both spliced into
 * `jdbc:<engine>://<host>:<port>/<database>` (`;databaseName=<database>` for SQL Server), where
 * anything beyond a plain name (`/`, `?`, `;`, `=`, `&`...) would add driver properties; and for
 * `caCertificate`, an S3 object that also becomes an IAM resource ARN.
 * Pure, so the rules are tested without the schema.
 */
import { isIPv4 } from "net";
import type { Engine } from "./config";

/** A DNS label (RFC 1123): letters, digits and inner hyphens, at most 63 characters. */
const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why `host` is not a host name or an IPv4 address, or undefined when it is. */
export function hostProblem(host: string): string | undefined {
    if (isIPv4(host)) return undefined;
    const labels = host.split(".");
    const isName = host.length <= 253 && labels.every((l) => HOST_LABEL.test(l)) && !labels.every((l) => /^\d+$/.test(l));
    return isName ? undefined : `must be a host name (letters, digits, hyphens, dot-separated labels) or an IPv4 address, got "${host}"`;
}

/**
 * Database names each engine takes as an unquoted name, limited to characters that are inert in its
 * JDBC URL, and the engine's maximum length.
 * PostgreSQL: https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS (63 bytes);
 * MySQL: https://dev.mysql.com/doc/refman/8.0/en/identifiers.html (64 characters, may start with a digit);
 * SQL Server: https://learn.microsoft.com/en-us/sql/relational-databases/databases/database-identifiers (128
 * characters), where `;` `=` `{` `}` would start new properties in the URL:
 * https://learn.microsoft.com/en-us/sql/connect/jdbc/building-the-connection-url
 */
const DATABASE_NAME_RULES: Record<Engine, { pattern: RegExp; rule: string }> = {
    postgres: { pattern: /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, rule: "a letter or _, then letters, digits, _ or $; at most 63 characters" },
    mysql: { pattern: /^(?!\d+$)[A-Za-z0-9_$]{1,64}$/, rule: "letters, digits, _ or $, not only digits; at most 64 characters" },
    sqlserver: { pattern: /^[A-Za-z_][A-Za-z0-9_@#$]{0,127}$/, rule: "a letter or _, then letters, digits, _, @, # or $; at most 128 characters" },
};

/** Why `database` is not a database name `engine` takes unquoted, or undefined when it is. */
export function databaseNameProblem(engine: Engine, database: string): string | undefined {
    const { pattern, rule } = DATABASE_NAME_RULES[engine];
    return pattern.test(database) ? undefined : `must be a ${engine} database name (${rule}), got "${database}"`;
}

/**
 * `s3://<bucket>/<key>.pem`: a bucket name as S3 allows it and a key of plain path segments, so no
 * wildcard or `..` reaches the IAM grant made from it. Glue reads the CA's X.509 certificate from it
 * as PEM (`CUSTOM_JDBC_CERT`):
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-catalog-connections-connections.html
 * Bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
const S3_PEM_LOCATION = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/((?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.pem)$/;

/** Why `location` is not an S3 location of a PEM file, or undefined when it is. */
export function caCertificateProblem(location: string): string | undefined {
    const match = S3_PEM_LOCATION.exec(location);
    const ok = match !== null && !match[1].includes("..") && !match[2].includes("..");
    return ok ? undefined : `must be the S3 location of a PEM certificate, s3://<bucket>/<key>.pem (letters, digits, _ . - and / in the key), got "${location}"`;
}

/** The IAM ARN of the object at a validated `s3://bucket/key` location. */
export function s3ObjectArn(partition: string, location: string): string {
    return `arn:${partition}:s3:::${location.slice("s3://".length)}`;
}
