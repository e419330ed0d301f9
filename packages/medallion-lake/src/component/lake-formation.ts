/**
 * Lake Formation mode (`governance.lakeFormation: true`, docs/governance.md): the account's data-lake
 * settings (the named admins, no IAMAllowedPrincipals defaults), the data buckets registered in
 * Lake Formation-only mode, the lake's LF-tags, named-resource permissions for every job role and the
 * crawlers on exactly their layers, and the grants to consumers and to other accounts. None of it
 * exists in IAM mode: `createLakeFormation` is only called with the mode on.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LakeContext } from "./context";
import { PolicyDocument, Statement } from "./iam";
import { Catalog } from "./catalog";
import {
    CLASSIFICATION_TAG_VALUES,
    CONSUMER_DATABASE,
    CONSUMER_TABLES,
    consumerDatabaseExpression,
    consumerTableExpression,
    DatabaseGrant,
    LakePrincipal,
    lakeGrants,
    LfTagExpression,
    LfTagKeys,
    lfTagKeys,
    TAGGING_LAYERS,
} from "../model/governance";
import { Classification } from "../model/classification";
import { Layer, LAYERS } from "../model/naming";

/**
 * What a principal calls on Lake Formation itself. GetDataAccess: the temporary credentials
 * Lake Formation vends for data in a registered location; every principal reading or writing it
 * through an integrated engine (Athena, Glue, EMR) needs it in IAM, and it takes no resource ARN
 * (https://docs.aws.amazon.com/lake-formation/latest/dg/permissions-reference.html, data analyst and
 * workflow role policies; https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslakeformation.html).
 */
export const GET_DATA_ACCESS: Statement = { Sid: "LakeFormationDataAccess", Effect: "Allow", Action: ["lakeformation:GetDataAccess"], Resource: "*" };

/**
 * What the silver and gold jobs call to set the classification LF-tag on their tables and columns
 * (glue-scripts/medallion/lake_formation.py): assigning an LF-tag needs
 * lakeformation:AddLFTagsToResource in IAM besides ASSOCIATE on the tag
 * (https://docs.aws.amazon.com/lake-formation/latest/dg/TBAC-assigning-tags.html); none takes a resource ARN.
 */
const TAGGING: Statement = {
    Sid: "LakeFormationColumnTags",
    Effect: "Allow",
    Action: ["lakeformation:AddLFTagsToResource", "lakeformation:RemoveLFTagsFromResource", "lakeformation:GetResourceLFTags"],
    Resource: "*",
};

/** The extra IAM policy of a layer job's role in Lake Formation mode. */
export function jobLakeFormationPolicy(job: Layer | "forget"): PolicyDocument {
    return { Version: "2012-10-17", Statement: [GET_DATA_ACCESS, ...((TAGGING_LAYERS as readonly string[]).includes(job) ? [TAGGING] : [])] };
}

/** Resolved ARNs the registration role's policy is scoped to. */
export interface LocationScope {
    /** The bronze, silver and gold bucket ARNs. */
    bucketArns: Record<Layer, string>;
    keyArn: string;
}

/** Trust of the role Lake Formation assumes to vend credentials for the registered buckets (https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html). */
export function registrationTrustPolicy(): object {
    return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lakeformation.amazonaws.com" }, Action: "sts:AssumeRole" }] };
}

/**
 * The registration role's policy: read and write the three data buckets, and the lake key their
 * objects are SSE-KMS encrypted with (a location encrypted with a customer managed key is registered
 * with a role that may use the key: https://docs.aws.amazon.com/lake-formation/latest/dg/register-encrypted.html).
 */
export function registrationPolicy(s: LocationScope): PolicyDocument {
    const buckets = LAYERS.map((l) => s.bucketArns[l]);
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "DataBucketsList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: buckets },
            { Sid: "DataObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: buckets.map((b) => `${b}/*`) },
            { Sid: "LakeKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: s.keyArn },
        ],
    };
}

/**
 * A consumer grant's IAM policy in Lake Formation mode: the IAM-mode document without its S3 access
 * to the data buckets (Lake Formation vends it, column by column), with GetDataAccess. The lake key
 * stays only where the document also reaches the query results (`keepKey`).
 */
export function lakeFormationGrantPolicy(doc: PolicyDocument, dataBucketArns: readonly string[], keyArn: string, keepKey: boolean): PolicyDocument {
    const data = new Set(dataBucketArns.flatMap((b) => [b, `${b}/*`]));
    const resources = (s: Statement) => ([] as string[]).concat(s.Resource);
    const kept = doc.Statement.filter((s) => !resources(s).some((r) => data.has(r)) && (keepKey || !resources(s).includes(keyArn)));
    return { Version: "2012-10-17", Statement: [...kept, GET_DATA_ACCESS] };
}

export interface LakeFormation {
    settings: aws.lakeformation.DataLakeSettings;
    tagKeys: LfTagKeys;
    /** What every later Lake Formation resource waits for: the settings (whose admins may grant) and the tags. */
    ready: pulumi.Resource[];
}

/**
 * The account's data-lake settings, before anything else: the catalog databases depend on them, so
 * they are created without IAMAllowedPrincipals defaults. Always `retainOnDelete`: the settings are
 * the account's (one per Region), and deleting them (destroying the stack, switching the mode off)
 * would clear every admin and reset the cross-account version
 * (https://www.pulumi.com/registry/packages/aws/api-docs/lakeformation/datalakesettings/).
 */
export function createLakeFormationSettings(ctx: LakeContext): LakeFormation {
    const governance = ctx.config.governance;
    const settings = new aws.lakeformation.DataLakeSettings(
        `${ctx.name}-lf-settings`,
        {
            admins: governance.admins,
            // Empty: new databases and tables get no IAMAllowedPrincipals permission, so Lake Formation
            // alone decides (https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html).
            createDatabaseDefaultPermissions: [],
            createTableDefaultPermissions: [],
            // Version 4: cross-account grants, named and LF-tag, through one RAM share per account
            // (https://docs.aws.amazon.com/lake-formation/latest/dg/optimize-ram.html).
            parameters: { CROSS_ACCOUNT_VERSION: "4" },
        },
        ctx.opts("infra", { retainOnDelete: true }),
    );
    const tagKeys = lfTagKeys(ctx.prefix);
    const after = { dependsOn: [settings] };
    const layerTag = new aws.lakeformation.LfTag(`${ctx.name}-lf-tag-layer`, { key: tagKeys.layer, values: [...LAYERS] }, ctx.opts("infra", after));
    const classificationTag = new aws.lakeformation.LfTag(
        `${ctx.name}-lf-tag-classification`,
        { key: tagKeys.classification, values: [...CLASSIFICATION_TAG_VALUES] },
        ctx.opts("infra", after),
    );
    return { settings, tagKeys, ready: [settings, layerTag, classificationTag] };
}

export interface LakeFormationInputs {
    catalog: Catalog;
    bucketArns: Record<Layer, pulumi.Output<string>>;
    keyArn: pulumi.Output<string>;
    roles: Record<LakePrincipal, aws.iam.Role>;
}

/** Registration, database tags, the lake principals' permissions, the job roles' extra IAM and the shares. */
export function createLakeFormationAccess(ctx: LakeContext, lf: LakeFormation, inputs: LakeFormationInputs): void {
    const opts = (extra: pulumi.CustomResourceOptions = {}) => ctx.opts("infra", { ...extra, dependsOn: [...lf.ready, ...((extra.dependsOn as pulumi.Resource[]) ?? [])] });

    const role = new aws.iam.Role(
        `${ctx.name}-lf-location-role`,
        { description: `${ctx.prefix}: Lake Formation data access to the bronze, silver and gold buckets`, assumeRolePolicy: JSON.stringify(registrationTrustPolicy()), tags: ctx.tags },
        ctx.opts(),
    );
    const scope = pulumi.all([pulumi.all(inputs.bucketArns), inputs.keyArn]).apply(([bucketArns, keyArn]) => ({ bucketArns: bucketArns as Record<Layer, string>, keyArn }));
    const policy = new aws.iam.RolePolicy(
        `${ctx.name}-lf-location-policy`,
        { role: role.id, policy: scope.apply((s) => JSON.stringify(registrationPolicy(s))) },
        ctx.opts("infra", { parent: role }),
    );
    // Lake Formation permissions only, not hybrid access: hybrid mode keeps IAMAllowedPrincipals'
    // access for every principal not opted in (https://docs.aws.amazon.com/lake-formation/latest/dg/hybrid-access-mode.html),
    // so an IAM grant outside the lake would still read classified columns.
    const locations = Object.fromEntries(
        LAYERS.map((layer) => [
            layer,
            new aws.lakeformation.Resource(
                `${ctx.name}-lf-location-${layer}`,
                { arn: inputs.bucketArns[layer], roleArn: role.arn, hybridAccessEnabled: false },
                opts({ dependsOn: [policy] }),
            ),
        ]),
    ) as Record<Layer, aws.lakeformation.Resource>;

    for (const layer of LAYERS) {
        new aws.lakeformation.ResourceLfTags(
            `${ctx.name}-lf-tags-${layer}-db`,
            { database: { name: inputs.catalog[layer].name }, lfTags: [{ key: lf.tagKeys.layer, value: layer }] },
            opts({ dependsOn: [inputs.catalog[layer]] }),
        );
    }

    const principals: LakePrincipal[] = [...LAYERS, "crawler", "forget"];
    for (const principal of principals) {
        const arn = inputs.roles[principal].arn;
        for (const grant of lakeGrants(principal)) databaseGrant(`${ctx.name}-lf-${principal}`, arn, grant, inputs, locations, opts);
    }
    for (const layer of TAGGING_LAYERS) {
        new aws.lakeformation.Permissions(
            `${ctx.name}-lf-${layer}-tag-associate`,
            { principal: inputs.roles[layer].arn, permissions: ["ASSOCIATE", "DESCRIBE"], lfTag: { key: lf.tagKeys.classification, values: [...CLASSIFICATION_TAG_VALUES] } },
            opts(),
        );
    }
    for (const job of [...LAYERS, "forget"] as const) {
        const r = inputs.roles[job];
        new aws.iam.RolePolicy(`${ctx.name}-${job}-job-lf-policy`, { role: r.id, policy: JSON.stringify(jobLakeFormationPolicy(job)) }, ctx.opts("infra", { parent: r }));
    }

    for (const account of ctx.config.governance.shareWith) {
        new aws.lakeformation.Permissions(
            `${ctx.name}-lf-share-${account}-gold-db`,
            { principal: account, permissions: CONSUMER_DATABASE, database: { name: inputs.catalog.gold.name } },
            opts({ dependsOn: [inputs.catalog.gold] }),
        );
        tagGrant(`${ctx.name}-lf-share-${account}-gold-tables`, account, "TABLE", CONSUMER_TABLES, consumerTableExpression(lf.tagKeys, ["gold"]), opts());
    }
}

function databaseGrant(
    name: string,
    principal: pulumi.Output<string>,
    grant: DatabaseGrant,
    inputs: LakeFormationInputs,
    locations: Record<Layer, aws.lakeformation.Resource>,
    opts: (extra?: pulumi.CustomResourceOptions) => pulumi.CustomResourceOptions,
): void {
    const db = inputs.catalog[grant.database];
    const after = opts({ dependsOn: [db] });
    new aws.lakeformation.Permissions(`${name}-${grant.database}-db`, { principal, permissions: grant.databasePermissions, database: { name: db.name } }, after);
    // A wildcard table grant covers the database's tables present and future: the jobs create them.
    new aws.lakeformation.Permissions(`${name}-${grant.database}-tables`, { principal, permissions: grant.tablePermissions, table: { databaseName: db.name, wildcard: true } }, after);
    if (grant.dataLocation && grant.database !== "source") {
        // The registered location is named by its bucket's ARN (the registration's own arn input).
        new aws.lakeformation.Permissions(
            `${name}-${grant.database}-location`,
            { principal, permissions: ["DATA_LOCATION_ACCESS"], dataLocation: { arn: inputs.bucketArns[grant.database] } },
            opts({ dependsOn: [locations[grant.database]] }),
        );
    }
}

function tagGrant(name: string, principal: pulumi.Input<string>, resourceType: "DATABASE" | "TABLE", permissions: string[], expression: LfTagExpression, opts: pulumi.CustomResourceOptions): aws.lakeformation.Permissions {
    return new aws.lakeformation.Permissions(name, { principal, permissions, lfTagPolicy: { resourceType, expressions: expression } }, opts);
}

/**
 * A consumer grant's Lake Formation permissions: DESCRIBE on the granted layers' databases, and
 * DESCRIBE and SELECT on their tables' columns that are unclassified or of the classifications the
 * grant names, both by LF-tag expression so they cover tables the jobs create later.
 */
export function createConsumerGrant(
    name: string,
    principal: pulumi.Input<string>,
    layers: readonly Layer[],
    classifications: readonly Classification[],
    lf: LakeFormation,
    opts: pulumi.CustomResourceOptions,
): aws.lakeformation.Permissions[] {
    const withTags = { ...opts, dependsOn: [...lf.ready, ...((opts.dependsOn as pulumi.Resource[]) ?? [])] };
    return [
        tagGrant(`${name}-lf-databases`, principal, "DATABASE", CONSUMER_DATABASE, consumerDatabaseExpression(lf.tagKeys, layers), withTags),
        tagGrant(`${name}-lf-tables`, principal, "TABLE", CONSUMER_TABLES, consumerTableExpression(lf.tagKeys, layers, classifications), withTags),
    ];
}
