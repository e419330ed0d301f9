/**
 * Sources: per source database, its credentials secret (existing or created from a Pulumi secret),
 * a JDBC Glue connection that references the secret, and a crawler over exactly its tables.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkedInput } from "./checked-input";
import { AVAILABILITY_ZONE, SECRET_ARN, SECURITY_GROUP_ID, SourceConfig, SUBNET_ID } from "../model/config";
import { LakeContext } from "./context";
import { connectionName, connectionUrl, crawlerPath, crawlerTablePrefix } from "../model/naming";

export interface Source {
    config: SourceConfig;
    /** ARN of the secret Glue reads `username` and `password` from. */
    secretArn: pulumi.Output<string>;
    connection: aws.glue.Connection;
}

/**
 * Glue connection properties: credentials only by secret reference (SECRET_ID), never PASSWORD,
 * so no password reaches the connection, the state or the console. With JDBC_ENFORCE_SSL Glue
 * connects only over TLS with certificate and host name validation; CUSTOM_JDBC_CERT names a
 * private CA's root certificate, and CUSTOM_JDBC_CERT_STRING is, for SQL Server, the
 * `hostNameInCertificate`. SKIP_CUSTOM_JDBC_CERT_VALIDATION is never set: Glue keeps checking the
 * custom certificate (SHA256/384/512withRSA, RSA keys of at least 2048 bits).
 * https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-catalog-connections-connections.html,
 * https://docs.aws.amazon.com/glue/latest/dg/connection-properties.html#connection-properties-SSL
 */
export function connectionProperties(source: SourceConfig, secretArn: string): Record<string, string> {
    return {
        JDBC_CONNECTION_URL: connectionUrl(source),
        SECRET_ID: secretArn,
        JDBC_ENFORCE_SSL: String(source.enforceSsl),
        ...(source.caCertificate ? { CUSTOM_JDBC_CERT: source.caCertificate } : {}),
        ...(source.hostNameInCertificate ? { CUSTOM_JDBC_CERT_STRING: source.hostNameInCertificate } : {}),
    };
}

/**
 * @param passwords values of the sources' `passwordSecret` config keys, keyed by that name.
 */
export function createSources(ctx: LakeContext, kmsKeyArn: pulumi.Output<string>, passwords: Record<string, pulumi.Input<string>>): Source[] {
    const network = ctx.config.network;
    // Literals were validated by parseLakeConfig; Inputs from other resources are checked when known.
    const placement = network && {
        subnetId: checkedInput(network.subnetId, SUBNET_ID, "network.subnetId"),
        availabilityZone: checkedInput(network.availabilityZone, AVAILABILITY_ZONE, "network.availabilityZone"),
        securityGroupIdLists: network.securityGroupIds.map((id, i) => checkedInput(id, SECURITY_GROUP_ID, `network.securityGroupIds[${i}]`)),
    };
    return ctx.config.sources.map((s, i) => {
        const secretArn = s.secretArn ? checkedInput(s.secretArn, SECRET_ARN, `sources[${i}].secretArn`) : createdSecret(ctx, s, kmsKeyArn, passwords);
        const connection = new aws.glue.Connection(
            `${ctx.name}-${s.name}-connection`,
            {
                name: connectionName(ctx.config.name, ctx.environment, s.name),
                description: `${s.engine} source ${s.name} (${s.host}/${s.database})`,
                connectionType: "JDBC",
                connectionProperties: secretArn.apply((arn) => connectionProperties(s, arn)),
                physicalConnectionRequirements: placement || undefined,
                tags: ctx.tags,
            },
            ctx.opts(),
        );
        return { config: s, secretArn, connection };
    });
}

/** A new Secrets Manager secret (KMS-encrypted with the lake key) holding the Pulumi secret password. */
function createdSecret(ctx: LakeContext, s: SourceConfig, kmsKeyArn: pulumi.Output<string>, passwords: Record<string, pulumi.Input<string>>): pulumi.Output<string> {
    const password = passwords[s.passwordSecret!];
    const secret = new aws.secretsmanager.Secret(
        `${ctx.name}-${s.name}-secret`,
        {
            name: `${ctx.prefix}/${s.name}`,
            description: `JDBC credentials of source ${s.name}, from Pulumi secret ${s.passwordSecret}`,
            kmsKeyId: kmsKeyArn,
            // A destroyable environment must be re-creatable at once under the same secret name.
            recoveryWindowInDays: ctx.config.forceDestroy ? 0 : 30,
            tags: ctx.tags,
        },
        ctx.opts(),
    );
    new aws.secretsmanager.SecretVersion(
        `${ctx.name}-${s.name}-secret-value`,
        {
            secretId: secret.id,
            secretString: pulumi.secret(pulumi.output(password).apply((p) => JSON.stringify({ username: s.username, password: p }))),
        },
        ctx.opts("infra", { parent: secret }),
    );
    return secret.arn;
}

export function createCrawlers(
    ctx: LakeContext,
    sources: Source[],
    roleArn: pulumi.Input<string>,
    sourceDatabase: pulumi.Input<string>,
    securityConfiguration: pulumi.Input<string>,
): aws.glue.Crawler[] {
    return sources.map(
        ({ config: s, connection }) =>
            new aws.glue.Crawler(
                `${ctx.name}-${s.name}-crawler`,
                {
                    name: `${ctx.prefix}-${s.name}`,
                    description: `Crawls the ${s.tables.length} configured tables of source ${s.name}`,
                    role: roleArn,
                    databaseName: sourceDatabase,
                    tablePrefix: crawlerTablePrefix(s.name),
                    jdbcTargets: s.tables.map((t) => ({ connectionName: connection.name, path: crawlerPath(s.engine, s.database, t.name) })),
                    // Keep the catalog in step with the source but never delete a table's definition.
                    schemaChangePolicy: { updateBehavior: "UPDATE_IN_DATABASE", deleteBehavior: "DEPRECATE_IN_DATABASE" },
                    // JDBC targets support only full recrawls.
                    recrawlPolicy: { recrawlBehavior: "CRAWL_EVERYTHING" },
                    securityConfiguration,
                    tags: ctx.tags,
                },
                ctx.opts(),
            ),
    );
}
