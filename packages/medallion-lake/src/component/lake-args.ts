/**
 * The lake config as component args that Pulumi's schema inference accepts
 * (`@pulumi/pulumi/provider/experimental`, what `pulumi package add` runs for Python, Go, .NET, Java
 * and YAML programs): plain objects, string enums and `pulumi.Input<string>` only, no unions and no
 * functions. Each field is the `medallion-lake:lake` field of the same name and path (README.md
 * "Config reference"); the stack file's shorthands (a table as a string, a column as its type,
 * `reconcile: keys`, `gold.models` as a folder) have their object form here.
 *
 * `lakeConfigFromArgs` maps the args to the config that `lakeConfigSchema` validates: the one
 * validation, so the args add no rule of their own. tests/component/plugin.test.ts checks
 * that every config field has its arg (and every arg its field), with its description.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LakeConfigInput } from "../model/config";
import { LakeConfigError } from "../model/errors";

/** Source database engines (the config's `ENGINES`). */
export const SourceEngine = {
    /** PostgreSQL. Default port 5432. */
    postgres: "postgres",
    /** MySQL (and MariaDB). Default port 3306. */
    mysql: "mysql",
    /** Microsoft SQL Server. Default port 1433. */
    sqlserver: "sqlserver",
} as const;
export type SourceEngine = (typeof SourceEngine)[keyof typeof SourceEngine];

/** Glue worker types of a Spark ETL job (the config's `WORKER_TYPES`). */
export const WorkerType = {
    /** 4 vCPU, 16 GB: at most 299 workers. */
    G1X: "G.1X",
    /** 8 vCPU, 32 GB: at most 149 workers. */
    G2X: "G.2X",
    /** 16 vCPU, 64 GB. */
    G4X: "G.4X",
    /** 32 vCPU, 128 GB. */
    G8X: "G.8X",
} as const;
export type WorkerType = (typeof WorkerType)[keyof typeof WorkerType];

/** The kind of a data-quality rule (the config's `ROW_CHECKS` and `TABLE_CHECKS`). */
export const RuleCheck = {
    /** Row rule: `column` is not null. */
    notNull: "notNull",
    /** Row rule: `column` is within `min` and/or `max`. */
    range: "range",
    /** Row rule: `column` is one of `values`. */
    acceptedValues: "acceptedValues",
    /** Row rule: `column` contains a match of `pattern`. */
    pattern: "pattern",
    /** Row rule: `column` is a `key` of the lake table `table`. */
    reference: "reference",
    /** Table rule: the run adds or changes `min` to `max` rows. */
    rowCount: "rowCount",
    /** Table rule: `columns` are unique in silver. */
    unique: "unique",
    /** Table rule: the newest `column` value is at most `maxAgeHours` old. */
    freshness: "freshness",
} as const;
export type RuleCheck = (typeof RuleCheck)[keyof typeof RuleCheck];

/** What a failed rule does (the config's `RULE_SEVERITIES`). */
export const RuleSeverity = {
    /** Row rules quarantine the row, table rules fail the silver job. */
    error: "error",
    /** Only count and report. */
    warn: "warn",
} as const;
export type RuleSeverity = (typeof RuleSeverity)[keyof typeof RuleSeverity];

/** What a reconcile compares (the config's `RECONCILE_COMPARES`). */
export const ReconcileCompare = {
    /** The source's keys: delete the silver rows whose key the source no longer has (a full index scan). */
    keys: "keys",
    /** Also the source rows' hashes: re-read the rows changed in place (a full table scan). */
    rows: "rows",
} as const;
export type ReconcileCompare = (typeof ReconcileCompare)[keyof typeof ReconcileCompare];

/** A column's classification (the config's `CLASSIFICATIONS`, docs/governance.md). */
export const ColumnClassification = {
    /** Personal data: it identifies or describes a person. */
    pii: "pii",
    /** Confidential data about no one in particular. */
    sensitive: "sensitive",
} as const;
export type ColumnClassification = (typeof ColumnClassification)[keyof typeof ColumnClassification];

/** How the alert topic delivers (the config's `SUBSCRIPTION_PROTOCOLS`). */
export const SubscriptionProtocol = {
    /** An email address. */
    email: "email",
    /** An https:// URL. */
    https: "https",
    /** A standard SQS queue ARN of the lake's account and region. */
    sqs: "sqs",
    /** A Lambda function ARN of the lake's account and region. */
    lambda: "lambda",
} as const;
export type SubscriptionProtocol = (typeof SubscriptionProtocol)[keyof typeof SubscriptionProtocol];

/** The lake of one environment: the `medallion-lake:lake` config as component args. */
export interface LakeDefinition {
    /** Lake name (lowercase letters, digits, hyphens; at most 16): prefixes every resource, bucket and catalog database name. Required. */
    name: string;
    /** Path of the lake's table catalog file (.yaml, .yml or .json; docs/config.md "Table catalog"), relative to the component's `baseDir`: every source's tables and the gold models, shared by all environments. Then no source here has tables and there is no gold. Default: none, the tables are given here. */
    catalog?: string;
    /** Private subnet, its availability zone and security groups for the Glue connections' network interfaces. Default: none (sources reachable without a VPC). */
    network?: LakeNetwork;
    /** Source databases. Required: 1 to 49. */
    sources: LakeSource[];
    /** Settings of the three Glue jobs (bronze, silver, gold). Default: every field's default. */
    jobs?: LakeJobs;
    /** Glue cron expression (UTC) starting the workflow, e.g. cron(0 2 * * ? *). Default: none, the workflow runs on demand. */
    schedule?: string;
    /** Athena workgroup settings. Default: every field's default. */
    athena?: LakeAthena;
    /** ARN of an existing customer-managed KMS key to encrypt the lake with instead of creating one; its key policy must grant what keyPolicy() grants (docs/aws-deploy.md). Default: the lake creates its own key. */
    kmsKeyArn?: pulumi.Input<string>;
    /** S3 lifecycle settings. Default: every field's default. */
    retention?: LakeRetention;
    /** Alerts: SNS subscriptions and the freshness, quarantine and delete-share alarms. Default: every field's default. */
    alerts?: LakeAlerts;
    /** Glue Data Quality: whether the declared rules are also published as rulesets. Default: not published. */
    dataQuality?: LakeDataQuality;
    /** Maintenance of the silver and gold Iceberg tables, run by their jobs: snapshot expiry, orphan-file cleanup, compaction of small files. Default: every field's default. */
    tableMaintenance?: LakeTableMaintenance;
    /** Full-load tables (no watermarkColumn) and reconciled incremental tables: the most of a table's silver rows (0 to 1) one silver run may delete, unless the table sets its own; a run that would delete more leaves the table unchanged and fails the job. Default 0.5. */
    maxDeleteShare?: number;
    /** The gold models the lake builds (README "Gold models"). Default: none, the gold job builds nothing. */
    gold?: LakeGold;
    /** Pulumi protect on every resource (pulumi destroy refuses). Default true. */
    protect?: boolean;
    /** Keep the data buckets, access-log bucket, catalog databases and KMS key in AWS when deleted from the stack. Default: the value of protect. */
    retainOnDelete?: boolean;
    /** Let pulumi destroy empty non-empty buckets and the workgroup; not allowed with protect or retainOnDelete. Default false. */
    forceDestroy?: boolean;
    /** Extra tags on every resource (lake and environment are always set, layer on buckets and jobs): at most 8, keys 1-128 and values 0-256 characters, not starting with aws:. Default: none. */
    tags?: { [key: string]: string };
    /** How access is governed: IAM only, or Lake Formation (docs/governance.md, Lake Formation mode). Default: IAM only. */
    governance?: LakeGovernance;
}

/** The lake's governance (config `governance`). */
export interface LakeGovernance {
    /** Govern the lake with Lake Formation (LF-only registration, Lake Formation grants, LF-tags on classified columns). Default false. */
    lakeFormation?: boolean;
    /** The account's data-lake admins (IAM role or user ARNs), its whole admin list: include the deploying role and every existing admin. Required with lakeFormation. Default: none. */
    admins?: string[];
    /** 12-digit AWS account ids gold's unclassified columns are shared with. Only with lakeFormation. Default: none. */
    shareWith?: string[];
}

/** The network of the Glue connections (config `network`). */
export interface LakeNetwork {
    /** Private subnet that can reach the sources (subnet- and 8 or 17 hex digits). Required. */
    subnetId: pulumi.Input<string>;
    /** Availability zone of the subnet, e.g. us-east-1a. Required. */
    availabilityZone: pulumi.Input<string>;
    /** Security groups of the Glue network interfaces (must allow their own traffic and reach the databases). Required: 1 to 50. */
    securityGroupIds: pulumi.Input<string>[];
}

/** A source database (config `sources[]`). */
export interface LakeSource {
    /** Source name: prefixes its lake tables (<source>_<table>) and S3 paths. Required. */
    name: string;
    /** Database engine: postgres, mysql or sqlserver. Required. */
    engine: SourceEngine;
    /** Database host name or IPv4 address, reachable from the network subnet. Required. */
    host: string;
    /** TCP port. Default: 5432 (postgres), 3306 (mysql), 1433 (sqlserver). */
    port?: number;
    /** Database name: an unquoted identifier of the engine (no URL or driver-property characters). Required. */
    database: string;
    /** ARN of an existing Secrets Manager secret with username and password keys. Exclusive with passwordSecret; one of them is required. Default: none. */
    secretArn?: pulumi.Input<string>;
    /** Name of a Pulumi secret config key holding the password (namespace medallion-lake unless given); stored in a new Secrets Manager secret. Its value comes from the component's `passwords`. Default: none. */
    passwordSecret?: string;
    /** Database user; required with passwordSecret. Default: none. */
    username?: string;
    /** Require TLS on the JDBC connection (Glue JDBC_ENFORCE_SSL). Default true. */
    enforceSsl?: boolean;
    /** S3 location (s3://<bucket>/<key>.pem) of the root certificate of a private CA that signed the database's certificate (Glue CUSTOM_JDBC_CERT). Default: none, Glue trusts the public CAs. */
    caCertificate?: string;
    /** sqlserver only: the name the server's certificate must carry when it is not host (e.g. host is an IP address or an alias); the driver's hostNameInCertificate, Glue CUSTOM_JDBC_CERT_STRING. Requires enforceSsl. Default: none, the certificate must name host. */
    hostNameInCertificate?: string;
    /** Tables to crawl and ingest, at least one. Required unless the lake names a `catalog`, which then holds them. Default: none, only with catalog. */
    tables?: LakeTable[];
}

/** A source table (config `sources[].tables[]`; the stack file's string shorthand is `{ name }`). */
export interface LakeTable {
    /** Table as named in the source: schema.table for postgres and sqlserver, table for mysql. Required. */
    name: string;
    /** Columns silver deduplicates on (keeping the latest ingest). Default: all columns. */
    primaryKey?: string[];
    /** Increasing column bronze reads incrementally from (rows above the last watermark). Default: full load. */
    watermarkColumn?: string;
    /** Numeric column to split parallel JDBC reads on. Default: one read. */
    partitionColumn?: string;
    /** Date or timestamp column silver derives integer year and month from. Default: none. */
    dateColumn?: string;
    /** Column types silver casts to (a type, or { type, format }), by column name. Default: no typing, columns as read. */
    columns?: { [column: string]: LakeColumn };
    /** Data-quality rules the silver job checks (needs columns). Default: none. */
    rules?: LakeRule[];
    /** The most of the table's silver rows (0 to 1) one silver run may delete (a full-load table's, or a reconcile's); a run that would delete more leaves the table unchanged and fails the job. Default: the lake's maxDeleteShare. */
    maxDeleteShare?: number;
    /** Incremental tables (watermarkColumn and primaryKey): also read the source's keys (keys) or keys and row hashes (rows) and delete / re-read what differs. A keys reconcile reads every key of the source table (a full index scan), a rows reconcile every row. Default: off, the table is append/update-only. */
    reconcile?: LakeReconcile;
}

/** A column (config `columns.<name>`; the stack file's string shorthand is `{ type }`). */
export interface LakeColumn {
    /** Column type: string, boolean, smallint, int, bigint, double, date, timestamp or decimal(p,s). Required. */
    type: string;
    /** Spark datetime pattern for parsing string values into a date or timestamp, e.g. M/d/yyyy HH:mm:ss. Default: none, Spark's cast. */
    format?: string;
    /** The column's classification: pii (personal data) or sensitive (confidential, about no one in particular), carried into gold by lineage (docs/governance.md). Default: none. */
    classification?: ColumnClassification;
}

/**
 * A data-quality rule (config `rules[]`): `check` says which of the other fields it takes
 * (README "rules"); a field a check does not take is refused.
 */
export interface LakeRule {
    /** The rule kind: notNull, range, acceptedValues, pattern, reference (row rules), rowCount, unique, freshness (table rules). Required. */
    check: RuleCheck;
    /** Rule name: the quarantine reason and the name in summaries and metrics. Default: <check>_<column(s)>. */
    name?: string;
    /** error: row rules quarantine the row, table rules fail the silver job; warn: only count and report. Default error. */
    severity?: RuleSeverity;
    /** A column declared in the table's columns (every check but rowCount and unique). Default: none. */
    column?: string;
    /** range: smallest allowed value; rowCount: fewest silver rows the run may add or change. Default: no lower bound (range and rowCount need min, max or both). */
    min?: number;
    /** range: largest allowed value; rowCount: most silver rows the run may add or change. Default: no upper bound. */
    max?: number;
    /** acceptedValues: the values (strings, numbers or booleans) a non-null value must be one of. Default: none (required by acceptedValues). */
    values?: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- strings, numbers or booleans: the schema has no unions, only Any
    /** pattern: regular expression a non-null value must contain a match of (anchor it with ^...$ to match whole values). Default: none (required by pattern). */
    pattern?: string;
    /** reference: the referenced lake table, <source>.<table short name>. Default: none (required by reference). */
    table?: string;
    /** reference: the referenced column. Default: the referenced table's primary key (which must then be one column). */
    key?: string;
    /** unique: columns whose combined values must be unique in silver. Default: none (required by unique). */
    columns?: string[];
    /** freshness: the newest value of the date or timestamp column must be at most this many hours old when silver runs. Default: none (required by freshness). */
    maxAgeHours?: number;
}

/** A table's reconcile (config `reconcile`; the stack file's shorthand `reconcile: keys` is `{ compare: keys }`). */
export interface LakeReconcile {
    /** keys: delete silver rows whose key the source no longer has; rows: also re-read the rows changed in place (by a hash the source computes per row). Required. */
    compare: ReconcileCompare;
    /** Reconcile on every n-th run of the table. Default 1. */
    everyRuns?: number;
}

/** The Glue jobs (config `jobs`). */
export interface LakeJobs {
    /** Glue version: 5.0 only (Spark 3.5.4, Python 3.11, Iceberg 1.7.1), the version the jobs are written and tested for. Default "5.0". */
    glueVersion?: string;
    /** Glue worker type of a Spark ETL job: G.1X, G.2X, G.4X or G.8X. Default G.1X. */
    workerType?: WorkerType;
    /** Workers per job run: 2 to 299 (G.2X: 149). Default 2. */
    numberOfWorkers?: number;
    /** Job run timeout in minutes, 1 to 10080. Default 60. */
    timeoutMinutes?: number;
    /** Retries of a failed job run. Default 0. */
    maxRetries?: number;
}

/** The Athena workgroup (config `athena`). */
export interface LakeAthena {
    /** Bytes a single query may scan before Athena cancels it (at least 10 MB). Default 10 GiB. */
    bytesScannedCutoffPerQuery?: number;
    /** Days query results are kept. Default 7. */
    resultRetentionDays?: number;
    /** Pinned Athena engine version: Athena engine version 3. Default "Athena engine version 3". */
    engineVersion?: string;
}

/** S3 lifecycle (config `retention`). */
export interface LakeRetention {
    /** Days until noncurrent object versions expire, in every bucket. Default 30. */
    noncurrentVersionDays?: number;
    /** Days S3 server access logs are kept in the logs bucket. Default 365. */
    accessLogDays?: number;
    /** Days the Glue jobs' Spark UI event logs (spark-ui/ in the assets bucket) are kept. Default 30. */
    sparkUiLogDays?: number;
}

/** Alerts (config `alerts`). */
export interface LakeAlerts {
    /** Who the lake's SNS topic notifies. Default: nobody (the topic and alarms still exist). */
    subscriptions?: LakeSubscription[];
    /** Alarm when the gold job has not succeeded for this many hours. Default: derived from schedule (its interval plus the jobs' timeouts); no freshness alarm without a schedule. */
    freshnessHours?: number;
    /** Alarm when a silver run quarantines more than this share of the rows of its bronze batches (0 < share <= 1). Default 0.05. */
    quarantineShare?: number;
    /** Alarm when a silver run deletes more than this share of a table's rows (0 < share <= 1; the DeleteShare metric, the largest of the run's tables). Default 0.1. */
    deleteShare?: number;
}

/** An alert subscription (config `alerts.subscriptions[]`). */
export interface LakeSubscription {
    /** email, https, sqs or lambda. Required. */
    protocol: SubscriptionProtocol;
    /** Email address, https:// URL, SQS queue ARN (a standard queue, not FIFO) or Lambda function ARN, matching the protocol. A queue or function must be in the lake's account and region. Required. */
    endpoint: string;
}

/** Glue Data Quality (config `dataQuality`). */
export interface LakeDataQuality {
    /** Publish each table's rules that have a DQDL equivalent as a Glue Data Quality ruleset for its silver table, to see them in the Glue console (the silver job enforces the rules either way). Default false. */
    publishRulesets?: boolean;
}

/** Iceberg table maintenance (config `tableMaintenance`). */
export interface LakeTableMaintenance {
    /** Snapshots older than this many days are expired (and with them time travel to them, and the files only they reference). Integer >= 1. Default 5. */
    snapshotRetentionDays?: number;
    /** The newest this many snapshots of a table are always kept, however old. Integer >= 1. Default 1. */
    snapshotsToKeep?: number;
    /** Files under a table's location that no snapshot references and that are older than this many days are deleted. Integer >= 1, and longer than jobs.timeoutMinutes. Default 3. */
    orphanFileRetentionDays?: number;
    /** A partition (or unpartitioned table) with at least this many small data files has its small files compacted. Integer >= 2. Default 5. */
    compactionMinInputFiles?: number;
    /** Data files smaller than this many MiB are small: compaction packs them together and leaves bigger files as they are. Number in (0, 384]. Default 32. */
    compactionSmallFileMiB?: number;
    /** Once a table's position deletes (rows replaced by MERGEs) reach this fraction of its rows, its data files with deletes are rewritten without them. Number in (0, 1]. Default 0.3. */
    compactionDeleteRatio?: number;
}

/**
 * The gold models (config `gold.models`: a folder, or a list of .sql files). Each <model>.sql needs
 * its declaration <model>.yaml beside it. Relative paths start at the folder the lake is built in
 * (the Pulumi project folder of a TypeScript program); from another language pass absolute paths
 * (YAML: `${pulumi.cwd}/gold-models`).
 */
export interface LakeGold {
    /** A folder whose *.sql files are the gold models. Exclusive with models. Default: none. */
    modelsFolder?: string;
    /** A list of the models' .sql files. Exclusive with modelsFolder. Default: none. */
    models?: string[];
}

/** Copies `value` without its undefined properties, recursively (zod's strict objects refuse a key even when undefined). */
function withoutUndefined(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutUndefined);
    if (value === null || typeof value !== "object" || pulumi.Output.isInstance(value) || value instanceof Promise) return value;
    return Object.fromEntries(
        Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, withoutUndefined(v)]),
    );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The config the args stand for, to be validated by `parseLakeConfig` (which reports every problem,
 * with config paths). Values of another shape pass through unchanged, so the stack file's shorthands,
 * which the config schema also takes, reach the one validation as they are.
 * @throws LakeConfigError when gold sets both modelsFolder and models.
 */
export function lakeConfigFromArgs(args: LakeDefinition): LakeConfigInput {
    const raw = withoutUndefined(args) as Record<string, unknown>;
    if (!isObject(raw)) return raw as LakeConfigInput;
    return { ...raw, ...(isObject(raw.gold) ? { gold: goldConfig(raw.gold) } : {}) } as LakeConfigInput;
}

function goldConfig(gold: Record<string, unknown>): unknown {
    const { modelsFolder, ...rest } = gold;
    if (modelsFolder === undefined) return gold;
    if (rest.models !== undefined) throw new LakeConfigError([{ path: "gold.modelsFolder", message: "set either modelsFolder or models, not both" }]);
    return { ...rest, models: modelsFolder };
}
