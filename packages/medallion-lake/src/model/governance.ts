/**
 * The `governance` config (docs/governance.md, "Lake Formation mode"): whether the lake's access is
 * IAM only (the default) or Lake Formation, the named data-lake admins, the accounts gold is shared
 * with; and the pure plan of the Lake Formation permissions each principal gets. No Pulumi here:
 * component/lake-formation.ts turns the plan into resources.
 */
import { z } from "zod";
import { CLASSIFICATIONS, Classification } from "./classification";
import { Layer, LAYERS } from "./naming";

/** ARN partitions (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). */
const PARTITION = "aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?";

/**
 * An IAM role or user by ARN, the principals Lake Formation takes as data-lake admins
 * (https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataLakePrincipal.html):
 * `arn:<partition>:iam::<account>:role/<path/>name` or `user/...`, IAM's name characters only
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html), so no wildcard and no
 * assumed-role session ARN (what `aws sts get-caller-identity` prints), which Lake Formation refuses.
 */
export const ADMIN_ARN = z
    .string()
    .regex(
        new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(role|user)/([\\x21-\\x7e]{1,510}/)?[\\w+=,.@-]{1,64}$`),
        "must be an IAM role or user ARN (arn:aws:iam::<12-digit account>:role/<name> or user/<name>), not an assumed-role session ARN and without wildcards",
    )
    .refine((arn) => !/[*?]/.test(arn), "must not contain wildcards");

/** An AWS account id: exactly 12 digits (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html). */
export const ACCOUNT_ID = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");

/** Duplicates in `values`: an issue at the repeat's index. */
function noRepeats(values: string[], ctx: z.RefinementCtx): void {
    values.forEach((v, i) => {
        const first = values.indexOf(v);
        if (first !== i) ctx.addIssue({ code: "custom", path: [i], message: `"${v}" is already [${first}]` });
    });
}

export const governanceSchema = z
    .strictObject({
        lakeFormation: z
            .boolean()
            .default(false)
            .describe(
                "Govern the lake with Lake Formation: the data buckets registered (Lake Formation permissions only, no hybrid access), Lake Formation permissions for every job role and consumer grant, LF-tags for the classified columns (docs/governance.md, Lake Formation mode). Default false: IAM only, as before.",
            ),
        admins: z
            .array(ADMIN_ARN)
            .superRefine(noRepeats)
            .default([])
            .describe(
                "The data-lake administrators (IAM role or user ARNs), set account-wide as Lake Formation's whole admin list: include the role that deploys the stack and every admin the account already has (docs/governance.md, The account's Data Lake settings). Required, at least one, when lakeFormation is true. Default: none.",
            ),
        shareWith: z
            .array(ACCOUNT_ID)
            .superRefine(noRepeats)
            .default([])
            .describe(
                "AWS account ids gold is shared with through Lake Formation (DESCRIBE on the gold database, SELECT on the unclassified columns of its tables); each account accepts the share and creates resource links (docs/governance.md, Sharing gold with other accounts). Only with lakeFormation. Default: none.",
            ),
    })
    .superRefine((g, ctx) => {
        if (g.lakeFormation && g.admins.length === 0) {
            ctx.addIssue({ code: "custom", path: ["admins"], message: "required with lakeFormation: true: the data-lake admins, including the role that deploys the stack" });
        }
        if (!g.lakeFormation && g.admins.length > 0) ctx.addIssue({ code: "custom", path: ["admins"], message: "only with lakeFormation: true (IAM mode sets no Lake Formation admins)" });
        if (!g.lakeFormation && g.shareWith.length > 0) ctx.addIssue({ code: "custom", path: ["shareWith"], message: "only with lakeFormation: true: sharing goes through Lake Formation" });
    })
    .prefault({})
    .describe("How access to the lake is governed: IAM only (default) or Lake Formation (docs/governance.md, Lake Formation mode).");

export type GovernanceConfig = z.output<typeof governanceSchema>;

/** The value of the classification LF-tag on a table (and so on its columns unless they override it). */
export const UNCLASSIFIED = "unclassified";

/** The lake's two LF-tags: keys are account-wide, so both carry the lake's `<lake>-<env>` prefix. */
export interface LfTagKeys {
    /** On each layer database: `bronze`, `silver` or `gold`; tables and columns inherit it. */
    layer: string;
    /** Set by the silver and gold jobs: `unclassified` on each table, its classification on each classified column. */
    classification: string;
}

export function lfTagKeys(prefix: string): LfTagKeys {
    return { layer: `${prefix}-layer`, classification: `${prefix}-classification` };
}

/** Values of the classification LF-tag. */
export const CLASSIFICATION_TAG_VALUES: readonly string[] = [UNCLASSIFIED, ...CLASSIFICATIONS];

/**
 * Lake Formation permissions (https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html)
 * a writer has on its own layer: create tables in the database; on its tables what the Glue calls of
 * iam.ts's job policies need (GetTable: DESCRIBE; CreateTable under the database: CREATE_TABLE;
 * UpdateTable and the partition calls: ALTER, INSERT) and what Iceberg's commits and maintenance do
 * to the data (SELECT, INSERT, DELETE). No DROP: the jobs never drop a table (iam.ts grants no
 * glue:DeleteTable either).
 */
export const WRITER_DATABASE = ["CREATE_TABLE", "DESCRIBE"];
export const WRITER_TABLES = ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"];
/** A reader of another layer's tables. */
export const READER_DATABASE = ["DESCRIBE"];
export const READER_TABLES = ["DESCRIBE", "SELECT"];
/** The crawlers create, update and delete the source database's tables (iam.ts: CATALOG_WRITE with DeleteTable). */
export const CRAWLER_DATABASE = ["ALTER", "CREATE_TABLE", "DESCRIBE"];
export const CRAWLER_TABLES = ["ALTER", "DELETE", "DESCRIBE", "DROP", "INSERT", "SELECT"];
/** Consumers: see and query, nothing else. */
export const CONSUMER_DATABASE = ["DESCRIBE"];
export const CONSUMER_TABLES = ["DESCRIBE", "SELECT"];

/** Who gets permissions of the lake itself: a layer job's role, the crawlers', or the forget (erasure) job's. */
export type LakePrincipal = Layer | "crawler" | "forget";

/** One principal's named-resource grants on one database: the database, its tables (all, present and future), optionally its data location. */
export interface DatabaseGrant {
    database: "source" | Layer;
    databasePermissions: string[];
    tablePermissions: string[];
    /** DATA_LOCATION_ACCESS on this layer's registered bucket: needed to create tables there. */
    dataLocation: boolean;
}

/**
 * What each lake principal gets, exactly its layers: the bronze job writes bronze and reads the
 * crawled source tables' schemas; silver reads bronze and writes silver; gold reads silver and writes
 * gold; the crawlers write the source database. Mirrors iam.ts's LAYER_IO.
 */
export function lakeGrants(principal: LakePrincipal): DatabaseGrant[] {
    const write = (layer: Layer): DatabaseGrant => ({ database: layer, databasePermissions: WRITER_DATABASE, tablePermissions: WRITER_TABLES, dataLocation: true });
    const read = (database: "source" | Layer): DatabaseGrant => ({ database, databasePermissions: READER_DATABASE, tablePermissions: READER_TABLES, dataLocation: false });
    switch (principal) {
        case "bronze":
            return [read("source"), write("bronze")];
        case "silver":
            return [read("bronze"), write("silver")];
        case "gold":
            return [read("silver"), write("gold")];
        case "forget":
            // Erasure rewrites bronze's files and deletes from silver and gold (docs/erasure.md).
            return LAYERS.map(write);
        case "crawler":
            return [{ database: "source", databasePermissions: CRAWLER_DATABASE, tablePermissions: CRAWLER_TABLES, dataLocation: false }];
    }
}

/** The jobs whose tables carry classified columns, and so set the classification LF-tag. */
export const TAGGING_LAYERS: readonly Layer[] = ["silver", "gold"];

/** An LF-tag expression (keys ANDed, values of one key ORed). */
export type LfTagExpression = { key: string; values: string[] }[];

/**
 * The tables a consumer may query in Lake Formation mode, as an LF-tag expression: the granted
 * layers' tables, and of their columns those tagged `unclassified` plus the classifications the grant
 * names. A column the jobs tagged `pii` matches only a grant naming `pii`; a table the jobs have not
 * yet tagged matches nothing (safe while a job runs).
 */
export function consumerTableExpression(keys: LfTagKeys, layers: readonly Layer[], classifications: readonly Classification[] = []): LfTagExpression {
    const unknown = layers.filter((l) => !LAYERS.includes(l));
    if (layers.length === 0 || unknown.length > 0) throw new Error(`consumer grant: layers must be some of ${LAYERS.join(", ")}, got [${layers.join(", ")}]`);
    const bad = classifications.filter((c) => !(CLASSIFICATIONS as readonly string[]).includes(c));
    if (bad.length > 0) throw new Error(`consumer grant: classifications must be some of ${CLASSIFICATIONS.join(", ")}, got [${classifications.join(", ")}]`);
    return [
        { key: keys.layer, values: [...new Set(layers)] },
        { key: keys.classification, values: [UNCLASSIFIED, ...new Set(classifications)] },
    ];
}

/** The databases of the granted layers, as an LF-tag expression (DESCRIBE for SHOW DATABASES and the table tree). */
export function consumerDatabaseExpression(keys: LfTagKeys, layers: readonly Layer[]): LfTagExpression {
    return [{ key: keys.layer, values: [...new Set(layers)] }];
}
