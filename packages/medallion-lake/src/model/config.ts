/**
 * The lake's stack config (`medallion-lake:lake`): the zod schema, its defaults and `parseLakeConfig`.
 * Validation is pure and runs before any resource is registered; every problem is reported at once.
 */
import * as path from "path";
import { z } from "zod";
import { Deferred, isDeferred } from "./deferred";
import { caCertificateProblem, databaseNameProblem, hostProblem } from "./jdbc-fields";
import { alertsSchema } from "./alerts-config";
import { RuleConfig, ruleIssues, ruleSchema, ruleTables } from "./quality-rules";
import { GoldModelConfig, goldModelsConfigSchema, loadGoldModels } from "./gold-models";
import { tableMaintenanceIssues, tableMaintenanceSchema } from "./table-maintenance";
import { catalogTableName, layerTableName, RESERVED_BUCKET_PREFIXES } from "./naming";
import { scheduleProblem } from "./schedule";
import { tagsSchema } from "./tags";
import { Classification, classificationSchema } from "./classification";
import { LakeConfigError, LakeConfigIssue } from "./errors";
import { governanceSchema } from "./governance";
import { normalizeReconcile, Reconcile, reconcileProblem, reconcileSchema } from "./reconcile";
import { LakeCatalog, mergeCatalogFile, relativePathProblem } from "./table-catalog";

export { LakeConfigError } from "./errors";
export type { LakeConfigIssue } from "./errors";

export const ENGINES = ["postgres", "mysql", "sqlserver"] as const;
export type Engine = (typeof ENGINES)[number];

/** Default TCP port per source engine. */
export const DEFAULT_PORTS: Record<Engine, number> = { postgres: 5432, mysql: 3306, sqlserver: 1433 };

/**
 * Worker types a Glue Spark ETL (`glueetl`) job takes. Not G.025X (streaming jobs only) nor Z.2X
 * (Ray jobs only): CreateJob rejects them for glueetl.
 * https://docs.aws.amazon.com/glue/latest/dg/worker-types.html
 */
export const WORKER_TYPES = ["G.1X", "G.2X", "G.4X", "G.8X"] as const;
/**
 * Most workers CreateJob takes per worker type: 299 G.1X and 149 G.2X
 * (https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html, NumberOfWorkers); AWS states
 * no maximum of its own for G.4X and G.8X (the account's DPU quota limits their runs), so they keep 299.
 */
export const MAX_WORKERS: Record<(typeof WORKER_TYPES)[number], number> = { "G.1X": 299, "G.2X": 149, "G.4X": 299, "G.8X": 299 };
/**
 * Glue versions the jobs run on: only 5.0 (Spark 3.5.4, Python 3.11, Iceberg 1.7.1), the one the
 * local lake mirrors and the tests run. Glue 4.0 (Spark 3.3, Python 3.10, Iceberg 1.0) fails every job
 * at import: the scripts use `datetime.UTC` (Python 3.11) and `pyspark.errors` (Spark 3.4), and the
 * Iceberg procedures of Iceberg 1.7. https://docs.aws.amazon.com/glue/latest/dg/release-notes.html
 */
export const GLUE_VERSIONS = ["5.0"] as const;
const GLUE_VERSION_RULE =
    'the jobs need Glue 5.0 (Spark 3.5.4, Python 3.11, Iceberg 1.7.1, what the local lake runs); Glue 4.0 has Python 3.10 and Spark 3.3, where the scripts fail at import (datetime.UTC, pyspark.errors)';
/**
 * Longest job run Glue allows: "Jobs must have timeout values less than 7 days or 10080 minutes"
 * (https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html, Timeout).
 */
export const MAX_TIMEOUT_MINUTES = 10080;
/**
 * Most sources: the workflow's start trigger runs every source's crawler and the bronze job, and
 * Glue's default quota is 50 jobs per trigger (https://docs.aws.amazon.com/general/latest/gr/glue.html);
 * a workflow should also hold at most 100 jobs, crawlers and triggers
 * (https://docs.aws.amazon.com/glue/latest/dg/blueprint_workflow_restrictions.html).
 */
export const MAX_SOURCES = 49;
/** Athena engine versions the lake's named queries and gold SQL are written for (and checked on Trino). */
export const ATHENA_ENGINE_VERSIONS = ["Athena engine version 3"] as const;
export const SIMPLE_COLUMN_TYPES = ["string", "boolean", "smallint", "int", "bigint", "double", "date", "timestamp"] as const;

/** Athena's smallest allowed per-query bytes-scanned cutoff (10 MB). */
export const MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;

/**
 * A pass-through value (an id or ARN the lake only hands on to AWS): a literal, validated here, or a
 * value another resource of the same program resolves later (a `pulumi.Output` or a `Promise`),
 * checked by the component's `checkedInput` once known. The JSON Schema shows only the literal
 * (json-schema.ts drops the rest).
 */
export const PULUMI_INPUT = z.custom<Deferred<string>>(isDeferred, {
    error: "expected a string or a pulumi Output",
});
const passThrough = (literal: z.ZodString) => z.union([literal, PULUMI_INPUT]);

const oneOf = <T extends readonly [string, ...string[]]>(values: T, why?: string) =>
    z.enum(values, { error: () => `expected ${values.length === 1 ? `"${values[0]}"` : `one of ${values.join(", ")}`}${why ? `: ${why}` : ""}` });

/** Identifier used in Glue table names and S3 paths: lowercase letters, digits, underscores. */
const identifier = z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, "must start with a lowercase letter and contain only a-z, 0-9 and _")
    .max(32, "must be at most 32 characters");

/**
 * Columns the jobs add to every table (bronze's metadata, silver's quarantine reason, bronze's source
 * row hash of a `reconcile: rows` table): a source column
 * of the same name (in any case: Spark resolves names case-insensitively) would clash with them.
 */
export const RESERVED_COLUMNS = ["_ingested_at", "_batch_id", "_source", "_reason", "_row_hash"] as const;

/**
 * A column name in config: an identifier, since it reaches SQL, bookmark keys and catalog schemas;
 * at most 128 characters (SQL Server's limit, the longest of the three engines).
 */
const columnName = z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "column names must be identifiers")
    .max(128, "column names must be at most 128 characters")
    .refine((c) => !(RESERVED_COLUMNS as readonly string[]).includes(c.toLowerCase()), `${RESERVED_COLUMNS.join(", ")} are the lake's own columns`);

/** `names` lowercased has a duplicate: the index of the first repeat and of what it repeats. */
function firstRepeat(names: readonly string[]): [number, number] | undefined {
    const seen = new Map<string, number>();
    for (const [i, n] of names.entries()) {
        const key = n.toLowerCase();
        if (seen.has(key)) return [i, seen.get(key)!];
        seen.set(key, i);
    }
    return undefined;
}

const DECIMAL_RE = /^decimal\((\d{1,2}),\s*(\d{1,2})\)$/;

/** Validates a column type name: one of the simple types or `decimal(p,s)` with 1 <= p <= 38, 0 <= s <= p. */
export function columnTypeProblem(type: string): string | undefined {
    if ((SIMPLE_COLUMN_TYPES as readonly string[]).includes(type)) return undefined;
    const m = DECIMAL_RE.exec(type);
    if (m) {
        const [p, s] = [Number(m[1]), Number(m[2])];
        if (p >= 1 && p <= 38 && s <= p) return undefined;
        return `decimal precision must be 1..38 and scale 0..precision, got ${type}`;
    }
    return `expected one of ${SIMPLE_COLUMN_TYPES.join(", ")}, decimal(p,s); got "${type}"`;
}

const columnType = z
    .string()
    .superRefine((t, ctx) => {
        const problem = columnTypeProblem(t);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .describe("Column type silver casts to: string, boolean, smallint, int, bigint, double, date, timestamp or decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p.");

const columnSpec = z.union([
    columnType,
    z.strictObject({
        type: columnType,
        format: z.string().min(1).optional().describe("Spark datetime pattern for parsing string values into a date or timestamp, e.g. `M/d/yyyy HH:mm:ss`. Default: none, Spark's cast."),
        classification: classificationSchema.optional(),
    }),
]);

/** ARN partitions (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
export const PARTITION = "aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?";
/** A Region code: us-east-1, us-gov-west-1, cn-north-1, eu-isoe-west-1, eusc-de-east-1. */
export const REGION = "[a-z]{2,4}(-[a-z]+){1,3}-\\d{1,2}";
export const ACCOUNT = "\\d{12}";

/**
 * A secret's full ARN: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 random
 * characters>`. Names take letters, digits and /_+=.@- only (at most 512), so no IAM wildcard (* ?)
 * widens the grant; and the suffix Secrets Manager appends must be there, since the grant made from
 * the ARN must match the real one and a partial ARN matches nothing.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html,
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
 */
export const SECRET_ARN = z
    .string()
    .regex(new RegExp(`^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[A-Za-z0-9/_+=.@-]{1,512}$`), {
        message: "must be a Secrets Manager secret ARN (no wildcards)",
        abort: true,
    })
    .regex(
        /-[A-Za-z0-9]{6}$/,
        "must be the secret's full ARN, ending in the hyphen and six random characters Secrets Manager appends (as aws secretsmanager describe-secret shows it): IAM grants made from a partial ARN match no secret",
    );
/** Subnet and security group ids: the prefix and 8 or 17 hexadecimal digits. */
export const SUBNET_ID = z.string().regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, "must be a subnet id (subnet- and 8 or 17 hex digits)");
export const AVAILABILITY_ZONE = z.string().regex(new RegExp(`^${REGION}[a-z]$`), "must be an availability zone like us-east-1a");
export const SECURITY_GROUP_ID = z.string().regex(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, "must be a security group id (sg- and 8 or 17 hex digits)");
/** A KMS key by ARN (not an alias: policies name the key itself): a key id is a UUID, or mrk- and 32 hex digits for a multi-Region key. */
export const KMS_KEY_ARN = z
    .string()
    .regex(
        new RegExp(`^arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`),
        "must be a KMS key ARN (arn:...:kms:<region>:<account>:key/<id>)",
    );
/** Glue's connections take at most 50 security groups (PhysicalConnectionRequirements.SecurityGroupIdList). */
export const MAX_SECURITY_GROUPS = 50;

/** Longest identifier per engine: PostgreSQL 63 bytes, MySQL 64, SQL Server 128 characters (jdbc-fields.ts cites them). */
const IDENTIFIER_LENGTH: Record<Engine, number> = { postgres: 63, mysql: 64, sqlserver: 128 };

/**
 * Why `name` is not a table name of `engine` the lake can take, or undefined: `schema.table` (postgres,
 * sqlserver) or `table` (mysql) of unquoted identifiers within the engine's length; the table part
 * without `$`, since it becomes the lake table `<source>_<table>`, which Athena names take only of
 * letters, digits and _ (https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html).
 */
export function tableNameProblem(engine: Engine, name: string): string | undefined {
    const parts = name.split(".");
    const qualified = engine !== "mysql";
    const shapeOk = (qualified ? parts.length === 2 : parts.length === 1) && parts.every((p) => /^[A-Za-z_][A-Za-z0-9_$]*$/.test(p));
    if (!shapeOk) return qualified ? `${engine} tables must be named schema.table, got "${name}"` : `mysql tables must be named table (no schema), got "${name}"`;
    const max = IDENTIFIER_LENGTH[engine];
    if (parts.some((p) => p.length > max)) return `each part of a ${engine} table name must be at most ${max} characters, got "${name}"`;
    if (parts[parts.length - 1].includes("$")) return `the table part must not contain $: it names the lake table <source>_<table>, and Athena table names take letters, digits and _ only; got "${name}"`;
    return undefined;
}

/**
 * Most of a full-load table's silver rows one silver run may delete (keys its newest bronze batch
 * lacks): a run past it leaves the table as it was and fails the job, so an empty or truncated
 * source read never wipes silver (docs/iceberg.md "Full-load tables and deletes").
 */
export const DEFAULT_MAX_DELETE_SHARE = 0.5;
const deleteShare = z
    .number()
    .min(0, "must be a share of the table's rows from 0 to 1 (0.5 = half), got less than 0")
    .max(1, "must be a share of the table's rows from 0 to 1 (0.5 = half), got more than 1");

const tableObject = z.strictObject({
    name: z.string().min(1).describe("Table as named in the source: `schema.table` for postgres and sqlserver, `table` for mysql, of unquoted identifiers (a letter or _, then letters, digits, _, $) of at most 63 (postgres), 64 (mysql) or 128 (sqlserver) characters each. The last part, lowercased, is the short name: no $ (the lake table `<source>_<table>` must be a name Athena takes), unique within the source. The lake table name `<source>_<table>` must be unique across sources, and so must the crawled name `<source>_<db>_<schema>_<table>` (at most 255 characters)."),
    primaryKey: z
        .array(columnName)
        .min(1)
        .superRefine((cols, ctx) => {
            const repeat = firstRepeat(cols);
            if (repeat) ctx.addIssue({ code: "custom", path: [repeat[0]], message: `"${cols[repeat[0]]}" is already primaryKey[${repeat[1]}]` });
        })
        .optional()
        .describe("Columns silver deduplicates on, keeping the row with the latest `_ingested_at`; no repeats, each in columns when columns is given. Default: all columns."),
    watermarkColumn: columnName.optional().describe("A column that only increases: bronze reads only the rows above the last watermark. Default: none, a full load: each batch is the whole table, and silver deletes the keys the newest batch lacks (docs/iceberg.md, Full-load tables and deletes)."),
    partitionColumn: columnName.optional().describe("Numeric column to split the JDBC read into parallel reads on. Default: none, one read."),
    dateColumn: columnName.optional().describe("Date or timestamp column (of columns) silver derives integer `year` and `month` columns from. Default: none."),
    columns: z
        .record(columnName, columnSpec)
        .superRefine((cols, ctx) => {
            const names = Object.keys(cols);
            if (names.length === 0) ctx.addIssue({ code: "custom", message: "must list at least one column (leave columns out for no typing)" });
            const repeat = firstRepeat(names);
            if (repeat) ctx.addIssue({ code: "custom", path: [names[repeat[0]]], message: `same name as column "${names[repeat[1]]}" but for case: Spark and the Glue catalog do not tell them apart` });
        })
        .optional()
        .describe("The types silver casts to, in the order given: column name (an identifier of at most 128 characters, not one of the lake's own `_ingested_at`, `_batch_id`, `_source`, `_reason`, no two differing only in case) to a type or `{ type, format, classification }`; at least one. Default: none, no typing (columns as read)."),
    rules: z
        .array(ruleSchema)
        .max(50, "at most 50 rules per table")
        .optional()
        .describe("Data-quality rules the silver job checks, at most 50 (needs columns; docs/config.md, Data-quality rules). Default: none."),
    maxDeleteShare: deleteShare
        .optional()
        .describe(
            "The most of the table's silver rows (0 to 1) one silver run may delete (a full-load table's, or a reconcile's); a run that would delete more leaves the table unchanged and fails the job. Default: the lake's maxDeleteShare.",
        ),
    reconcile: reconcileSchema,
});

const tableSpec = z.union([z.string().min(1).describe("Shorthand: the table as named in the source; a full load, untyped, and silver keeps the distinct rows of its newest batch."), tableObject]);
const sourceName = identifier.describe("Source name: lowercase letters, digits and _, starting with a letter, at most 32 characters, unique. Lake tables are named `<source>_<table>` and S3 paths start with `<source>/`.");
const sourceTables = z.array(tableSpec).min(1, "at least one table is required");
const gold = z.strictObject({ models: goldModelsConfigSchema });

/**
 * The table catalog file a lake config names in `catalog` (table-catalog.ts merges it): each
 * source's tables and the gold models, shared by every environment. Tables are checked here as in a
 * stack file; what depends on the source (engine-specific names, clashes, rule references) once merged.
 */
export const lakeCatalogSchema = z
    .strictObject({
        sources: z
            .array(
                z.strictObject({
                    name: sourceName,
                    tables: sourceTables.describe("The tables to crawl and ingest, at least one: each a name (shorthand) or an object."),
                }),
            )
            .min(1, "at least one source is required")
            .describe("Every source's tables; each environment's lake config gives the same sources' connections (matched by name)."),
        gold: gold
            .optional()
            .describe("The gold models the lake builds (docs/gold-model-reference.md); relative paths start at the catalog file's folder. Default: none, the gold job builds nothing."),
    })
    .describe("A lake's table catalog (the file `catalog` names in medallion-lake:lake): its sources' tables and its gold models, the same in every environment.");

const source = z
    .strictObject({
        name: sourceName,
        engine: oneOf(ENGINES).describe("Database engine; it decides the JDBC URL, the table naming and the crawler paths."),
        host: z
            .string()
            .superRefine((h, ctx) => {
                const problem = hostProblem(h);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .describe("Database host name (letters, digits, hyphens, dot-separated labels) or IPv4 address, reachable from the network subnet. Nothing else: it is part of the JDBC URL, where / ? ; or @ would add driver properties."),
        port: z.number().int().min(1).max(65535).optional().describe("TCP port. Default: 5432 (postgres), 3306 (mysql), 1433 (sqlserver)."),
        database: z.string().min(1).describe("Database name as the engine takes it unquoted (it is part of the JDBC URL). postgres: a letter or _, then letters, digits, _, $, at most 63 characters; mysql: letters, digits, _, $, not only digits, at most 64; sqlserver: a letter or _, then letters, digits, _, @, #, $, at most 128."),
        secretArn: passThrough(SECRET_ARN)
            .optional()
            .describe("Full ARN of an existing Secrets Manager secret with `username` and `password` keys, as `aws secretsmanager describe-secret` shows it, ending in the hyphen and six characters Secrets Manager appends (a grant made from a partial ARN matches no secret); a name of letters, digits and /_+=.@- only, in the lake's Region. In TypeScript also a pulumi Input. Set this or passwordSecret. Default: none."),
        passwordSecret: z
            .string()
            .regex(/^([A-Za-z0-9_.-]+:)?[A-Za-z0-9_.-]+$/, "must be a Pulumi config key name")
            .optional()
            .describe("Name of a Pulumi secret config key holding the password: a bare name (`ecommDbPassword`) is read from the medallion-lake namespace, `ns:key` from another. The component stores `{ username, password }` in a new Secrets Manager secret `<lake>-<env>/<source>`, encrypted with the lake's key. Needs username. Set this or secretArn. Default: none."),
        username: z.string().min(1).max(128, "must be at most 128 characters").optional().describe("Database user. Required with passwordSecret; with secretArn the user comes from the secret. Default: none."),
        enforceSsl: z.boolean().default(true).describe("Require TLS with certificate and host name validation on the JDBC connection (Glue JDBC_ENFORCE_SSL): the certificate must chain to a public CA or to caCertificate and name host (or hostNameInCertificate). false turns the validation off (postgres, mysql: TLS only if the server offers it; sqlserver: encrypted, any certificate trusted); only for a development server (docs/config.md, SQL Server and TLS)."),
        caCertificate: z
            .string()
            .superRefine((location, ctx) => {
                const problem = caCertificateProblem(location);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .optional()
            .describe(
                "S3 location (`s3://<bucket>/<key>.pem`) of the root certificate of a private CA that signed the database's certificate (Glue CUSTOM_JDBC_CERT). The bronze job and crawler roles get s3:GetObject on exactly this object: store it SSE-S3 or with the lake key. Requires enforceSsl. Default: none, Glue trusts the public CAs.",
            ),
        hostNameInCertificate: z
            .string()
            .superRefine((h, ctx) => {
                const problem = hostProblem(h);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .optional()
            .describe(
                "sqlserver only: the name the server's certificate must carry when it is not host (e.g. host is an IP address or an alias); the driver's hostNameInCertificate, Glue CUSTOM_JDBC_CERT_STRING. Same rules as host. Requires enforceSsl. Default: none, the certificate must name host.",
            ),
        tables: sourceTables
            .optional()
            .describe(
                "The tables to crawl and ingest, at least one: each a name (shorthand) or an object. Required unless the lake names a catalog, which then holds them (and this field must be left out). Default: none, only with catalog.",
            ),
    })
    .superRefine((s, ctx) => {
        const databaseProblem = databaseNameProblem(s.engine, s.database);
        if (databaseProblem) ctx.addIssue({ code: "custom", path: ["database"], message: databaseProblem });
        if (s.secretArn && s.passwordSecret) {
            ctx.addIssue({ code: "custom", path: ["passwordSecret"], message: "set either secretArn or passwordSecret, not both" });
        } else if (!s.secretArn && !s.passwordSecret) {
            ctx.addIssue({ code: "custom", path: ["secretArn"], message: "credentials required: set secretArn, or passwordSecret with username" });
        }
        if (s.caCertificate && !s.enforceSsl) {
            ctx.addIssue({ code: "custom", path: ["caCertificate"], message: "requires enforceSsl: Glue verifies the certificate only on TLS connections" });
        }
        if (s.hostNameInCertificate && s.engine !== "sqlserver") {
            ctx.addIssue({ code: "custom", path: ["hostNameInCertificate"], message: `applies to sqlserver sources only (Glue uses it as SQL Server's hostNameInCertificate), not ${s.engine}` });
        } else if (s.hostNameInCertificate && !s.enforceSsl) {
            ctx.addIssue({ code: "custom", path: ["hostNameInCertificate"], message: "requires enforceSsl: without it the certificate is not checked" });
        }
        if (s.passwordSecret && !s.username) {
            ctx.addIssue({ code: "custom", path: ["username"], message: "required when passwordSecret is set" });
        }
        const shortNames = new Map<string, number>();
        (s.tables ?? []).forEach((t, i) => {
            const def = typeof t === "string" ? { name: t } : t;
            const namePath = typeof t === "string" ? ["tables", i] : ["tables", i, "name"];
            const problem = tableNameProblem(s.engine, def.name);
            if (problem) {
                ctx.addIssue({ code: "custom", path: namePath, message: problem });
                return;
            }
            const parts = def.name.split(".");
            const short = parts[parts.length - 1].toLowerCase();
            if (shortNames.has(short)) {
                ctx.addIssue({ code: "custom", path: namePath, message: `table short name "${short}" already used by tables[${shortNames.get(short)}]` });
            } else {
                shortNames.set(short, i);
            }
            const reconcile = typeof t === "string" ? undefined : reconcileProblem(normalizeReconcile(t.reconcile), t);
            if (reconcile) ctx.addIssue({ code: "custom", path: ["tables", i, "reconcile"], message: reconcile.message });
            if (typeof t !== "string" && t.columns) {
                const known = new Set(Object.keys(t.columns));
                const refs: [string, string | undefined][] = [
                    ["watermarkColumn", t.watermarkColumn],
                    ["partitionColumn", t.partitionColumn],
                    ["dateColumn", t.dateColumn],
                ];
                for (const [field, col] of refs) {
                    if (col && !known.has(col)) {
                        ctx.addIssue({ code: "custom", path: ["tables", i, field], message: `"${col}" is not in columns` });
                    }
                }
                (t.primaryKey ?? []).forEach((col, k) => {
                    if (!known.has(col)) ctx.addIssue({ code: "custom", path: ["tables", i, "primaryKey", k], message: `"${col}" is not in columns` });
                });
                if (t.dateColumn && known.has(t.dateColumn)) {
                    const spec = t.columns[t.dateColumn];
                    const type = typeof spec === "string" ? spec : spec.type;
                    if (type !== "date" && type !== "timestamp") {
                        ctx.addIssue({ code: "custom", path: ["tables", i, "dateColumn"], message: `must be a date or timestamp column, "${t.dateColumn}" is ${type}` });
                    }
                }
            }
        });
    });

const retention = z
    .strictObject({
        noncurrentVersionDays: z.number().int().min(1).default(30).describe("Days until noncurrent object versions expire, in every bucket. Default 30."),
        accessLogDays: z.number().int().min(1).default(365).describe("Days the S3 server access logs are kept in the logs bucket (then they become noncurrent and go after noncurrentVersionDays). Default 365."),
        sparkUiLogDays: z.number().int().min(1).default(30).describe("Days the Glue jobs' Spark UI event logs (spark-ui/ in the assets bucket) are kept. Default 30."),
    })
    .prefault({})
    .describe("S3 lifecycle settings. The current objects of bronze, silver and gold never expire and never change storage class (docs/aws-deploy.md, Storage classes).");

/** Glue's longest table name (https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html). */
const MAX_GLUE_TABLE_NAME = 255;

/**
 * Tables whose names collide in the catalog: the lake table `<source>_<table>` in bronze and silver
 * (source `a_b` table `c` and source `a` table `b_c` are both `a_b_c`), or the crawled table
 * `<source>_<db>_<schema>_<table>` in the source database, which must also fit Glue's 255
 * characters. Each clash is reported at the later table; tables with an invalid name are skipped.
 */
function tableNameClashes(sources: z.output<typeof source>[]): { path: (string | number)[]; message: string }[] {
    const issues: { path: (string | number)[]; message: string }[] = [];
    const lake = new Map<string, string>();
    const crawled = new Map<string, string>();
    sources.forEach((s, i) =>
        (s.tables ?? []).forEach((t, j) => {
            const name = typeof t === "string" ? t : t.name;
            if (tableNameProblem(s.engine, name)) return;
            const where = `sources[${i}].tables[${j}]`;
            const path = typeof t === "string" ? ["sources", i, "tables", j] : ["sources", i, "tables", j, "name"];
            const lakeName = layerTableName(s.name, name);
            const catalogName = catalogTableName(s.name, s.engine, s.database, name);
            if (lake.has(lakeName) && lake.get(lakeName)!.split(".")[0] !== `sources[${i}]`) {
                issues.push({ path, message: `lake table name "${lakeName}" (<source>_<table>) is also that of ${lake.get(lakeName)}: rename a source or table` });
            } else if (!lake.has(lakeName)) lake.set(lakeName, where);
            if (catalogName.length > MAX_GLUE_TABLE_NAME) {
                issues.push({ path, message: `the crawler's table name "${catalogName}" (<source>_<database>_<schema>_<table>) is longer than Glue's ${MAX_GLUE_TABLE_NAME} characters` });
            } else if (crawled.has(catalogName)) {
                issues.push({ path, message: `the crawler's table name "${catalogName}" (<source>_<database>_<schema>_<table>) is also that of ${crawled.get(catalogName)}: rename a source, database, schema or table` });
            } else crawled.set(catalogName, where);
        }),
    );
    return issues;
}

/**
 * Literal ids that name a Region and disagree with the first one given: a lake lives in one Region,
 * and S3 encrypts only with a key of its own Region, a Glue connection's subnet is in its Region, and
 * Glue reads the connection's secret there. (Outputs are known only later; the stack's aws:region is
 * not part of this config.)
 */
function regionClashes(c: { kmsKeyArn?: unknown; network?: { availabilityZone: unknown }; sources: { secretArn?: unknown }[] }): { path: (string | number)[]; message: string }[] {
    const arnRegion = (arn: string) => arn.split(":")[3];
    const named: [(string | number)[], unknown, z.ZodString, (v: string) => string][] = [
        [["kmsKeyArn"], c.kmsKeyArn, KMS_KEY_ARN, arnRegion],
        [["network", "availabilityZone"], c.network?.availabilityZone, AVAILABILITY_ZONE, (az) => az.slice(0, -1)],
        ...c.sources.map((s, i): (typeof named)[number] => [["sources", i, "secretArn"], s.secretArn, SECRET_ARN, arnRegion]),
    ];
    // Only well-formed literals: a malformed one has its own issue.
    const regions = named.flatMap(([path, v, shape, region]) => (typeof v === "string" && shape.safeParse(v).success ? [{ path, region: region(v) }] : []));
    // The Region most ids name (the first given on a tie) is the lake's; the others are reported.
    const count = (region: string) => regions.filter((r) => r.region === region).length;
    const lake = regions.reduce<(typeof regions)[number] | undefined>((best, r) => (best === undefined || count(r.region) > count(best.region) ? r : best), undefined);
    return regions
        .filter((r) => r.region !== lake!.region)
        .map((r) => ({ path: r.path, message: `is in Region ${r.region}, ${formatPath(lake!.path)} in ${lake!.region}: a lake's key, network and secrets are all in its one Region` }));
}

export const lakeConfigSchema = z
    .strictObject({
        name: z
            .string()
            .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, "must be lowercase letters, digits and hyphens, start with a letter, not end with a hyphen")
            .max(16, "must be at most 16 characters (bucket names are limited to 63)")
            .refine((n) => !n.includes("--"), "must not contain consecutive hyphens")
            .refine((n) => !RESERVED_BUCKET_PREFIXES.some((p) => `${n}-`.startsWith(p)), `must not start with ${RESERVED_BUCKET_PREFIXES.join(" or ")}: S3 refuses bucket names with those prefixes`)
            .describe("Lake name: lowercase letters, digits and single hyphens, starting with a letter, at most 16 characters. Every resource, bucket and catalog database name starts with it, so it may not make a bucket name start with sthree- or amzn-s3-demo- (prefixes S3 refuses)."),
        catalog: z
            .string()
            .min(1)
            .optional()
            .describe(
                "Path of the lake's table catalog file (.yaml, .yml or .json; docs/config.md \"Table catalog\"), relative to the stack file's folder: every source's tables and the gold models, shared by all environments. Then no source here has tables, there is no gold, and the sources here and there have the same names. Default: none, the tables are written here.",
            ),
        network: z
            .strictObject({
                subnetId: passThrough(SUBNET_ID).describe("A private subnet that can reach the source databases, with a route to S3 (a gateway endpoint or NAT) for the jobs. In TypeScript also a pulumi Input."),
                availabilityZone: passThrough(AVAILABILITY_ZONE).describe("Availability zone of the subnet, e.g. us-east-1a; its Region must be that of kmsKeyArn and the secretArns."),
                securityGroupIds: z
                    .array(passThrough(SECURITY_GROUP_ID))
                    .min(1)
                    .max(MAX_SECURITY_GROUPS, `at most ${MAX_SECURITY_GROUPS} security groups (Glue's limit per connection)`)
                    .superRefine((ids, ctx) => {
                        const literals = ids.map((id) => (typeof id === "string" ? id : ""));
                        literals.forEach((id, i) => {
                            const first = literals.indexOf(id);
                            if (id && first < i) ctx.addIssue({ code: "custom", path: [i], message: `"${id}" is already securityGroupIds[${first}]` });
                        });
                    })
                    .describe("Security groups of the Glue network interfaces, 1 to 50 (a Glue connection's limit), no repeats: they need a self-referencing rule allowing all TCP between them, and access to the database ports."),
            })
            .optional()
            .describe("Private subnet, its availability zone and security groups for the Glue connections' network interfaces. Default: none (sources reachable without a VPC)."),
        sources: z
            .array(source)
            .min(1, "at least one source is required")
            .max(MAX_SOURCES, `at most ${MAX_SOURCES} sources: the workflow's start trigger runs each source's crawler and the bronze job, and Glue takes 50 jobs per trigger`)
            .describe("The source databases, 1 to 49 (the workflow's start trigger runs every source's crawler and the bronze job, and Glue takes 50 jobs per trigger), with unique names."),
        jobs: z
            .strictObject({
                glueVersion: oneOf(GLUE_VERSIONS, GLUE_VERSION_RULE)
                    .default("5.0")
                    .describe("Glue version of the three jobs: 5.0 only (Spark 3.5.4, Python 3.11, Iceberg 1.7.1), the version the local lake mirrors and the tests run; on 4.0 every job fails at import. Default 5.0."),
                workerType: oneOf(WORKER_TYPES).default("G.1X").describe("Worker type: the types a Glue Spark ETL job takes (not G.025X, streaming only, nor Z.2X, Ray only). Default G.1X."),
                numberOfWorkers: z.number().int().min(2).max(299).default(2).describe("Workers per job run: 2 to 299, 149 with G.2X (CreateJob's limits; the account's DPU quota may allow fewer). Default 2."),
                timeoutMinutes: z
                    .number()
                    .int()
                    .min(1)
                    .max(MAX_TIMEOUT_MINUTES, `must be at most ${MAX_TIMEOUT_MINUTES} (7 days, Glue's longest job run)`)
                    .default(60)
                    .describe(`Timeout of a job run in minutes, 1 to ${MAX_TIMEOUT_MINUTES} (7 days, Glue's longest). Default 60.`),
                maxRetries: z.number().int().min(0).max(10).default(0).describe("How many times a failed job run is retried, 0 to 10. Default 0."),
            })
            .superRefine((jobs, ctx) => {
                const max = MAX_WORKERS[jobs.workerType];
                if (jobs.numberOfWorkers > max) {
                    ctx.addIssue({ code: "custom", path: ["numberOfWorkers"], message: `must be at most ${max} with workerType ${jobs.workerType} (Glue's limit)` });
                }
            })
            .prefault({})
            .describe("Settings of the three Glue jobs, one per layer (bronze, silver, gold), however many sources and tables."),
        schedule: z
            .string()
            .superRefine((expr, ctx) => {
                const problem = scheduleProblem(expr);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .optional()
            .describe("Glue cron expression with six fields, in UTC, starting the workflow, e.g. `cron(0 2 * * ? *)`, checked against AWS's cron rules: exactly one of day-of-month and day-of-week is ?, nothing more often than every 5 minutes, no day that never occurs, no rate(...) (docs/config.md, Schedule). Default: none, the workflow runs only when started."),
        athena: z
            .strictObject({
                bytesScannedCutoffPerQuery: z
                    .number()
                    .int()
                    .min(MIN_BYTES_SCANNED_CUTOFF, `must be at least ${MIN_BYTES_SCANNED_CUTOFF} (10 MB)`)
                    .default(10 * 1024 ** 3)
                    .describe("Bytes a single query may scan before Athena cancels it, at least 10485760 (10 MB, Athena's minimum); the workgroup enforces it. Default 10737418240 (10 GiB)."),
                resultRetentionDays: z.number().int().min(1).default(7).describe("Days query results stay in the query-results bucket. Default 7."),
                engineVersion: oneOf(ATHENA_ENGINE_VERSIONS, "the version whose SQL (Trino's) the named queries and gold models are written and tested in")
                    .default("Athena engine version 3")
                    .describe("Pinned Athena engine version: only Athena engine version 3, whose (Trino's) SQL the named queries and gold models are written in and checked on. Default Athena engine version 3."),
            })
            .prefault({})
            .describe("Athena workgroup settings."),
        kmsKeyArn: passThrough(KMS_KEY_ARN)
            .optional()
            .describe(
                "ARN (not an alias) of an existing customer-managed KMS key to encrypt the lake with instead of creating one; a key id is a UUID or mrk- and 32 hex digits, in the lake's Region. Its key policy must allow what the lake's own key policy allows (docs/typescript-api.md, An existing KMS key). In TypeScript also a pulumi Input. Default: none, the lake creates its own key and alias.",
            ),
        retention,
        alerts: alertsSchema,
        dataQuality: z
            .strictObject({
                publishRulesets: z
                    .boolean()
                    .default(false)
                    .describe(
                        "Publish each table's rules that have a DQDL equivalent as a Glue Data Quality ruleset for its silver table (without a target table, which need not exist yet), to see them in the Glue console (the silver job enforces the rules either way). Default false.",
                    ),
            })
            .prefault({})
            .describe("Glue Data Quality: whether the declared rules are also published as rulesets (docs/config.md, Glue Data Quality rulesets)."),
        tableMaintenance: tableMaintenanceSchema,
        maxDeleteShare: deleteShare
            .default(DEFAULT_MAX_DELETE_SHARE)
            .describe(
                `Full-load tables (no watermarkColumn) and reconciled incremental tables: the most of a table's silver rows (0 to 1) one silver run may delete, unless the table sets its own; a run that would delete more leaves the table unchanged and fails the job, so a truncated source read never wipes silver. Default ${DEFAULT_MAX_DELETE_SHARE}.`,
            ),
        gold: gold
            .optional()
            .describe("The gold models the lake builds (docs/gold-model-reference.md). Default: none, the gold job builds nothing."),
        protect: z.boolean().default(true).describe("Sets Pulumi protect on every resource, so pulumi destroy refuses to delete them; resource options given to the component in code win over it. Default true."),
        retainOnDelete: z
            .boolean()
            .optional()
            .describe("Keep the data buckets, the access-log bucket, the four catalog databases, the KMS key and the bucket-name suffix in AWS or state when they are deleted from the stack. Default: the value of protect."),
        forceDestroy: z.boolean().default(false).describe("Let pulumi destroy delete buckets that still hold objects and a workgroup that still has queries, and delete created secrets without a recovery window; not allowed while protect or retainOnDelete is in effect. Default false."),
        tags: tagsSchema,
        governance: governanceSchema,
    })
    .superRefine((c, ctx) => {
        const seen = new Map<string, number>();
        c.sources.forEach((s, i) => {
            if (seen.has(s.name)) ctx.addIssue({ code: "custom", path: ["sources", i, "name"], message: `duplicate source name "${s.name}" (also sources[${seen.get(s.name)}])` });
            else seen.set(s.name, i);
        });
        if (c.catalog === undefined) {
            c.sources.forEach((s, i) => {
                if (s.tables === undefined) ctx.addIssue({ code: "custom", path: ["sources", i, "tables"], message: "required (or name a table catalog file in catalog)" });
            });
        }
        for (const issue of [...tableNameClashes(c.sources), ...regionClashes(c)]) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
        for (const issue of ruleIssues(ruleTables(c.sources.map((s) => ({ name: s.name, tables: (s.tables ?? []).map(normalizeTable) }))))) {
            ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
        }
        for (const issue of tableMaintenanceIssues(c.tableMaintenance, c.jobs)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
        if (c.forceDestroy && (c.retainOnDelete ?? c.protect)) {
            ctx.addIssue({ code: "custom", path: ["forceDestroy"], message: "cannot be true while data is protected or retained (protect / retainOnDelete)" });
        }
    })
    .describe("The medallion lake of one environment (Pulumi config key medallion-lake:lake).");

/**
 * The lake config as a caller writes it (YAML or TypeScript): optional fields optional, defaults not
 * yet applied; pass-through ids and ARNs may be `pulumi.Input`s (`Deferred`).
 */
export type LakeConfigInput = z.input<typeof lakeConfigSchema>;

type ParsedRaw = z.output<typeof lakeConfigSchema>;
export type ColumnType = string;
export interface TableConfig {
    /** Table as named in the source database. */
    name: string;
    primaryKey: string[];
    watermarkColumn: string | null;
    partitionColumn: string | null;
    dateColumn: string | null;
    /** Declared columns in config order; empty means "no typing" (all columns as read). */
    columns: { name: string; type: ColumnType; format: string | null; classification: Classification | null }[];
    /** Declared data-quality rules (docs/config.md "Data-quality rules"); empty when none. */
    rules: RuleConfig[];
    /** The table's own delete guard share; null: the lake's `maxDeleteShare`. */
    maxDeleteShare: number | null;
    /** How the incremental table follows its source's deletes and in-place changes; null: it does not (the default). */
    reconcile: Reconcile | null;
}
export interface SourceConfig extends Omit<ParsedRaw["sources"][number], "tables" | "port"> {
    port: number;
    tables: TableConfig[];
}
export interface LakeConfig extends Omit<ParsedRaw, "sources" | "retainOnDelete" | "gold"> {
    sources: SourceConfig[];
    retainOnDelete: boolean;
    /** The gold models, loaded from their files and checked; empty when the config names none. */
    gold: { models: GoldModelConfig[] };
}

/** `sources[1].engine` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
    return path
        .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
        .join("");
}

function issueMessage(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_type") {
        if (issue.input === undefined) return "required";
        if (typeof issue.input === "number" && !Number.isFinite(issue.input)) return `expected a finite number, got ${issue.input}`;
        // zod takes an object with a `constructor` (or `__proto__`) key for no plain object.
        if (issue.expected === "record" && describe(issue.input) === "object") return "expected a map; constructor and __proto__ cannot be keys";
        return `expected ${issue.expected}, got ${describe(issue.input)}`;
    }
    return issue.message;
}

function describe(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "array";
    return typeof v;
}

/** Fields that no longer exist, and why, for a clearer error than "unknown field". */
const REMOVED_FIELDS: Record<string, string> = {
    "retention.bronze":
        " (bronze is not moved to STANDARD_IA or GLACIER_IR: it is what silver rebuilds a table from, on its first run, after a type change and in the migration to Iceberg, and each rebuild would be billed as a retrieval of all its bronze; see docs/aws-deploy.md, Storage classes)",
};

/** Flattens zod issues; unknown keys get one issue each, at their own path. */
function toIssues(issues: readonly z.core.$ZodIssue[]): LakeConfigIssue[] {
    const out: LakeConfigIssue[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const path = formatPath([...issue.path, key]);
                const hint = REMOVED_FIELDS[path] ?? (/^pass(word)?$/i.test(key) ? " (plaintext passwords are not allowed: use passwordSecret or secretArn)" : "");
                out.push({ path, message: `unknown field${hint}` });
            }
        } else if (issue.code === "invalid_key") {
            // A record key (a tag key, a column name) that its schema refuses: its own messages, at the key.
            out.push(...issue.issues.map((i) => ({ path: formatPath(issue.path), message: issueMessage(i) })));
        } else if (issue.code === "invalid_union") {
            // Report the branch that got furthest (deepest path) instead of zod's generic "invalid input".
            const branches = issue.errors.map((errs) => toIssues(errs.map((e) => ({ ...e, path: [...issue.path, ...e.path] }))));
            const best = branches.sort((a, b) => depth(b) - depth(a))[0];
            out.push(...(best && best.length > 0 ? best : [{ path: formatPath(issue.path), message: issue.message }]));
        } else {
            out.push({ path: formatPath(issue.path), message: issueMessage(issue) });
        }
    }
    return out;
}

const depth = (issues: LakeConfigIssue[]) => Math.max(0, ...issues.map((i) => i.path.length));

function normalizeTable(t: string | z.output<typeof tableObject>): TableConfig {
    if (typeof t === "string") {
        return { name: t, primaryKey: [], watermarkColumn: null, partitionColumn: null, dateColumn: null, columns: [], rules: [], maxDeleteShare: null, reconcile: null };
    }
    return {
        name: t.name,
        primaryKey: t.primaryKey ?? [],
        watermarkColumn: t.watermarkColumn ?? null,
        partitionColumn: t.partitionColumn ?? null,
        dateColumn: t.dateColumn ?? null,
        columns: Object.entries(t.columns ?? {}).map(([name, c]) =>
            typeof c === "string" ? { name, type: c, format: null, classification: null } : { name, type: c.type, format: c.format ?? null, classification: c.classification ?? null },
        ),
        rules: t.rules ?? [],
        maxDeleteShare: t.maxDeleteShare ?? null,
        reconcile: normalizeReconcile(t.reconcile),
    };
}

/** The catalog file's document validated by `lakeCatalogSchema`, or its issues (paths inside the file). */
function validateCatalog(doc: unknown): { catalog: LakeCatalog } | { issues: LakeConfigIssue[] } {
    const result = lakeCatalogSchema.safeParse(doc, { reportInput: true });
    return result.success ? { catalog: result.data } : { issues: toIssues(result.error.issues) };
}

/**
 * Validates the raw `medallion-lake:lake` object and applies defaults, merges the table catalog it
 * names (`catalog`, table-catalog.ts) and loads the gold models.
 * @param baseDir the absolute folder relative paths (`catalog`, `gold.models`) start at: the stack
 *   file's folder, or the Pulumi project folder. Required, never the working directory; undefined
 *   when the caller has none, and then a relative path is an error.
 * @throws LakeConfigError listing every problem with its path (and file, for the catalog's).
 */
export function parseLakeConfig(raw: unknown, baseDir: string | undefined): LakeConfig {
    if (baseDir !== undefined && !path.isAbsolute(baseDir)) throw new Error(`parseLakeConfig: baseDir must be an absolute folder, got "${baseDir}"`);
    const merged = mergeCatalogFile(raw, baseDir, validateCatalog);
    if (merged.issues.length > 0) throw new LakeConfigError(merged.issues);
    const result = lakeConfigSchema.safeParse(merged.lake, { reportInput: true });
    if (!result.success) throw new LakeConfigError(toIssues(result.error.issues).map(merged.locate));
    const c = result.data;
    const sources = c.sources.map((s) => ({ ...s, port: s.port ?? DEFAULT_PORTS[s.engine], tables: (s.tables ?? []).map(normalizeTable) }));
    let models: GoldModelConfig[] = [];
    if (c.gold) {
        const paths = typeof c.gold.models === "string" ? [c.gold.models] : c.gold.models;
        const noBase = paths.map((p) => relativePathProblem(p, merged.goldBaseDir)).find(Boolean);
        if (noBase) throw new LakeConfigError([merged.locate({ path: "gold.models", message: noBase })]);
        const silver = new Map(sources.flatMap((s) => s.tables.map((t) => [`${s.name}_${t.name.split(".").pop()!.toLowerCase()}`, t.columns.map((col) => col.name)] as const)));
        const loaded = loadGoldModels(c.gold.models, merged.goldBaseDir ?? path.sep, silver);
        if (loaded.issues.length > 0) throw new LakeConfigError(loaded.issues.map(merged.locate));
        models = loaded.models;
    }
    return { ...c, retainOnDelete: c.retainOnDelete ?? c.protect, sources, gold: { models } };
}
