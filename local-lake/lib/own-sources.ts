/**
 * The local lake against a team's own development databases (`npm run lake -- --own-sources`): the
 * bronze job reads the hosts, ports and databases of the stack file, with credentials from the
 * environment, instead of the local TICKIT servers. Nothing is loaded or started for the sources.
 */
import * as fs from "fs";
import * as path from "path";
import { connectionUrl, Engine, jdbcUrl, LakeConfig, SourceConfig } from "medallion-lake";

/** One entry of the bronze job's `--local_connections` file. */
export interface LocalConnection {
    url: string;
    user: string;
    password: string;
    driver: string;
}

/** The JDBC drivers the local Spark has (glue-scripts/jars), per engine. MariaDB Connector/J reads MySQL. */
const DRIVERS: Record<Engine, string> = {
    postgres: "org.postgresql.Driver",
    mysql: "org.mariadb.jdbc.Driver",
    sqlserver: "com.microsoft.sqlserver.jdbc.SQLServerDriver",
};

/**
 * Settings that make a driver refuse an unencrypted connection and verify the server's certificate
 * against the JVM's trusted CAs, as Glue does with JDBC_ENFORCE_SSL. A private CA must be imported
 * into the JVM's trust store (or the dev stack sets enforceSsl: false). SQL Server's URL spells out
 * its TLS settings either way, exactly as the Glue connection's does (`connectionUrl`).
 */
const TLS: Record<Exclude<Engine, "sqlserver">, { separator: string; settings: string[] }> = {
    postgres: { separator: "?", settings: ["sslmode=verify-full"] },
    mysql: { separator: "&", settings: ["sslMode=verify-full"] },
};

/** `MEDALLION_SAAS_PASSWORD` for source `saas`: the environment variables a source's login comes from. */
export function credentialVariables(source: string): { user: string; password: string } {
    const prefix = `MEDALLION_${source.toUpperCase()}`;
    return { user: `${prefix}_USER`, password: `${prefix}_PASSWORD` };
}

/** The JDBC URL of a source as the local bronze job reads it. */
export function localJdbcUrl(source: Pick<SourceConfig, "engine" | "host" | "port" | "database" | "enforceSsl" | "hostNameInCertificate">): string {
    const { engine, host, port, database, enforceSsl } = source;
    if (engine === "sqlserver") return connectionUrl(source);
    // MariaDB Connector/J takes jdbc:mysql: URLs only with permitMysqlScheme.
    const base = engine === "mysql" ? `${jdbcUrl(engine, host, port, database)}?permitMysqlScheme` : jdbcUrl(engine, host, port, database);
    if (!enforceSsl) return base;
    const { separator, settings } = TLS[engine];
    return `${base}${separator}${settings.join("&")}`;
}

/**
 * Each source's connection from the stack config and `env`: the user from `MEDALLION_<SOURCE>_USER`,
 * else the config's `username`; the password from `MEDALLION_<SOURCE>_PASSWORD`.
 * @throws Error listing every missing variable, before anything runs.
 */
export function ownConnections(config: LakeConfig, env: NodeJS.ProcessEnv): Record<string, LocalConnection> {
    const missing: string[] = [];
    const connections: Record<string, LocalConnection> = {};
    for (const s of config.sources) {
        const vars = credentialVariables(s.name);
        const user = env[vars.user] || s.username;
        const password = env[vars.password];
        if (!user) missing.push(`${vars.user} (source ${s.name} has no username in the config)`);
        if (!password) missing.push(vars.password);
        connections[s.name] = { url: localJdbcUrl(s), user: user ?? "", password: password ?? "", driver: DRIVERS[s.engine] };
    }
    if (missing.length > 0) throw new Error(`--own-sources reads each source's login from the environment; set ${missing.join(", ")}`);
    return connections;
}

/** Writes the connections where the bronze job reads them, readable by the owner only. */
export function writeConnections(file: string, connections: Record<string, LocalConnection>): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(connections, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
}
