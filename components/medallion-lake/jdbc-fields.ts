/**
 * What may reach a JDBC URL: the rules for a source's `host` and `database`. Both are spliced into
 * `jdbc:<engine>://<host>:<port>/<database>` (`;databaseName=<database>` for SQL Server), so
 * anything beyond a plain name (`/`, `?`, `;`, `=`, `&`...) would add driver properties to it.
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
