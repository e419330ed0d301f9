/**
 * Grants as resources: `LakeQueryGrant` and `LakeReadGrant` attach grants.ts's policies to a role
 * given by name or ARN, for a lake given by its outputs, so a program in another stack or language
 * (through `pulumi package add`) grants access to a lake it did not build. `MedallionLake.grantQuery`
 * and `grantRead` attach the same policies through `attachGrant`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, KMS_KEY_ARN, PARTITION, REGION } from "../model/config";
import { BUCKET_PURPOSES, BucketPurpose, LAYERS } from "../model/naming";
import { GrantScope, queryGrantPolicy, readGrantPolicy } from "./grants";

export const LAKE_QUERY_GRANT_TYPE = "medallion-lake:index:LakeQueryGrant";
export const LAKE_READ_GRANT_TYPE = "medallion-lake:index:LakeReadGrant";

/** A layer of the lake (the config's `LAYERS`). */
export const LakeLayer = {
    /** Raw Avro batches, as read from the sources. */
    bronze: "bronze",
    /** Typed, deduplicated Iceberg tables. */
    silver: "silver",
    /** The gold models' Iceberg tables, meant for consumers. */
    gold: "gold",
} as const;
export type LakeLayer = (typeof LakeLayer)[keyof typeof LakeLayer];

/** The Glue databases of a lake's layers: its `databaseNames` output. */
export interface LakeGrantDatabases {
    /** The bronze database. Required. */
    bronze: pulumi.Input<string>;
    /** The silver database. Required. */
    silver: pulumi.Input<string>;
    /** The gold database. Required. */
    gold: pulumi.Input<string>;
    /** The crawled source metadata's database, part of the lake's output; no grant reads it. Default: none. */
    source?: pulumi.Input<string>;
}

/**
 * The lake a grant is for: the `MedallionLake` outputs of the same names, from a stack reference or
 * the lake itself in the same program.
 */
export interface LakeGrantTarget {
    /** The lake's `bucketArns` output: bucket ARN by purpose (bronze, silver, gold, query-results, ...). Required. */
    bucketArns: pulumi.Input<{ [purpose: string]: pulumi.Input<string> }>;
    /** The lake's `databaseNames` output: Glue database name by layer. Required. */
    databaseNames: pulumi.Input<LakeGrantDatabases>;
    /** The lake's `kmsKeyArn` output: the key its data is encrypted with. Required. */
    kmsKeyArn: pulumi.Input<string>;
    /** The lake's `workgroupArn` output: its Athena workgroup, which also names the lake's partition, Region and account. Required. */
    workgroupArn: pulumi.Input<string>;
}

export interface LakeQueryGrantArgs {
    /** The IAM role to grant to: its name, or its ARN (arn:<partition>:iam::<account>:role/<path><name>). Required. */
    role: pulumi.Input<string>;
    /** The lake to query: its outputs. Required. */
    lake: LakeGrantTarget;
    /** Layers the role may query. Default ["gold"], the layer meant for consumers. */
    layers?: LakeLayer[];
}

export interface LakeReadGrantArgs {
    /** The IAM role to grant to: its name, or its ARN (arn:<partition>:iam::<account>:role/<path><name>). Required. */
    role: pulumi.Input<string>;
    /** The lake to read: its outputs. Required. */
    lake: LakeGrantTarget;
    /** The layer whose tables and files the role may read (Glue catalog, S3, kms:Decrypt), for Spark, EMR or another team's job. Required. */
    layer: LakeLayer;
}

/**
 * IAM role names: letters, digits and `+=,.@_-`, 1 to 64 characters; an ARN's path is `/` or
 * `/<segments>/` of printable ASCII. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
 */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role(/|/[\\x21-\\x7e]+/)([\\w+=,.@-]{1,64})$`);

/** The role name of a role name or ARN (what `aws.iam.RolePolicy` takes). @throws Error naming the value when it is neither. */
export function grantRoleName(role: string): string {
    if (ROLE_NAME.test(role)) return role;
    const arn = ROLE_ARN.exec(role);
    if (arn) return arn[3];
    throw new Error(`role: expected an IAM role name (letters, digits and +=,.@_-, at most 64) or role ARN (arn:<partition>:iam::<account>:role/<name>), got "${role}"`);
}

/** The layers of a query grant, checked. @throws Error naming the unknown ones. */
export function grantLayers(layers: readonly string[] | undefined): LakeLayer[] {
    const chosen = layers ?? ["gold"];
    const unknown = chosen.filter((l) => !(LAYERS as readonly string[]).includes(l));
    if (unknown.length > 0 || chosen.length === 0) throw new Error(`grantQuery: layers must be some of ${LAYERS.join(", ")}, got [${chosen.join(", ")}]`);
    return chosen as LakeLayer[];
}

const WORKGROUP_ARN = new RegExp(`^arn:(${PARTITION}):athena:(${REGION}):(${ACCOUNT}):workgroup/[A-Za-z0-9._-]{1,128}$`);
/** S3 bucket ARNs: a bucket name is 3-63 lowercase letters, digits, dots and hyphens. */
const BUCKET_ARN = (partition: string) => new RegExp(`^arn:${partition.replace(/-/g, "\\-")}:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`);
/** Glue database names of the lake: lowercase letters, digits and _ (naming.ts catalogPrefix). */
const DATABASE_NAME = /^[a-z0-9_]{1,255}$/;

/** The lake outputs a grant reads, resolved. */
export interface ResolvedGrantTarget {
    bucketArns: Record<string, string>;
    databaseNames: Record<string, string>;
    kmsKeyArn: string;
    workgroupArn: string;
}

/**
 * The scope of a grant from the lake's outputs, each checked before it reaches a policy: the
 * workgroup ARN gives the partition, Region and account, which the bucket and key ARNs must share.
 * @throws Error naming every field that is missing or malformed.
 */
export function grantScopeFromTarget(target: ResolvedGrantTarget): GrantScope {
    const problems: string[] = [];
    const wg = WORKGROUP_ARN.exec(target.workgroupArn ?? "");
    if (!wg) problems.push(`lake.workgroupArn: expected an Athena workgroup ARN (arn:<partition>:athena:<region>:<account>:workgroup/<name>), got "${target.workgroupArn}"`);
    const [partition, region, accountId] = wg ? [wg[1], wg[3], wg[5]] : ["aws", "", ""];
    const purposes: readonly BucketPurpose[] = [...LAYERS, "query-results"];
    for (const p of purposes) {
        const arn = target.bucketArns?.[p];
        if (typeof arn !== "string" || !BUCKET_ARN(partition).test(arn)) problems.push(`lake.bucketArns.${p}: expected an S3 bucket ARN (arn:${partition}:s3:::<bucket>), got ${JSON.stringify(arn)}`);
    }
    for (const l of LAYERS) {
        const name = target.databaseNames?.[l];
        if (typeof name !== "string" || !DATABASE_NAME.test(name)) problems.push(`lake.databaseNames.${l}: expected a Glue database name (lowercase letters, digits and _), got ${JSON.stringify(name)}`);
    }
    if (!KMS_KEY_ARN.safeParse(target.kmsKeyArn).success) {
        problems.push(`lake.kmsKeyArn: expected a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>), got "${target.kmsKeyArn}"`);
    } else if (wg && !target.kmsKeyArn.startsWith(`arn:${partition}:kms:${region}:${accountId}:`)) {
        problems.push(`lake.kmsKeyArn: the key must be in the lake's partition, Region and account (${partition}, ${region}, ${accountId}, from lake.workgroupArn), got "${target.kmsKeyArn}"`);
    }
    if (problems.length > 0) throw new Error(`the lake's outputs for a grant are not valid:\n  ${problems.join("\n  ")}`);
    const bucketArns = Object.fromEntries(BUCKET_PURPOSES.map((p) => [p, target.bucketArns[p] ?? ""])) as Record<BucketPurpose, string>;
    const db = target.databaseNames;
    return {
        partition,
        region,
        accountId,
        bucketArns,
        keyArn: target.kmsKeyArn,
        databases: { source: db.source ?? "", bronze: db.bronze, silver: db.silver, gold: db.gold },
        workgroupArn: target.workgroupArn,
    };
}

/** Attaches `policy` to `role` as the inline policy `name` (an `aws.iam.RolePolicy`). */
export function attachGrant(name: string, role: pulumi.Input<string>, policy: pulumi.Output<object>, opts: pulumi.CustomResourceOptions): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(name, { role, policy: policy.apply((d) => JSON.stringify(d)) }, opts);
}

/** The resolved scope of `target`, checked (grantScopeFromTarget). */
function targetScope(target: LakeGrantTarget): pulumi.Output<GrantScope> {
    // Field by field: `target` may be the MedallionLake itself, a resource, which pulumi.output does not unwrap.
    const { bucketArns, databaseNames, kmsKeyArn, workgroupArn } = target;
    return pulumi
        .all([pulumi.output(bucketArns), pulumi.output(databaseNames), kmsKeyArn, workgroupArn])
        .apply(([b, d, k, w]) => grantScopeFromTarget({ bucketArns: b, databaseNames: d as Record<string, string>, kmsKeyArn: k, workgroupArn: w }));
}

/**
 * Lets `role` run queries in a lake's Athena workgroup over `layers` (default gold) and read their
 * results, nothing else (the policy of grants.ts `queryGrantPolicy`, attached as the inline policy
 * `<name>-policy`).
 */
export class LakeQueryGrant extends pulumi.ComponentResource {
    /** Name of the role the policy is attached to. */
    readonly roleName: pulumi.Output<string>;
    /** Name of the inline role policy. */
    readonly policyName: pulumi.Output<string>;

    constructor(name: string, args: LakeQueryGrantArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const layers = grantLayers(args.layers);
        super(LAKE_QUERY_GRANT_TYPE, name, {}, opts);
        const role = pulumi.output(args.role).apply(grantRoleName);
        const policy = attachGrant(`${name}-policy`, role, targetScope(args.lake).apply((s) => queryGrantPolicy(layers, s)), { parent: this });
        this.roleName = policy.role;
        this.policyName = policy.name;
        this.registerOutputs({ roleName: this.roleName, policyName: this.policyName });
    }
}

/**
 * Lets `role` read one layer's tables and files directly (Glue catalog, S3, kms:Decrypt), for Spark,
 * EMR or another team's job (the policy of grants.ts `readGrantPolicy`, attached as `<name>-policy`).
 */
export class LakeReadGrant extends pulumi.ComponentResource {
    /** Name of the role the policy is attached to. */
    readonly roleName: pulumi.Output<string>;
    /** Name of the inline role policy. */
    readonly policyName: pulumi.Output<string>;

    constructor(name: string, args: LakeReadGrantArgs, opts: pulumi.ComponentResourceOptions = {}) {
        if (!(LAYERS as readonly string[]).includes(args.layer)) throw new Error(`grantRead: unknown layer "${String(args.layer)}", expected one of ${LAYERS.join(", ")}`);
        super(LAKE_READ_GRANT_TYPE, name, {}, opts);
        const role = pulumi.output(args.role).apply(grantRoleName);
        const policy = attachGrant(`${name}-policy`, role, targetScope(args.lake).apply((s) => readGrantPolicy(args.layer, s)), { parent: this });
        this.roleName = policy.role;
        this.policyName = policy.name;
        this.registerOutputs({ roleName: this.roleName, policyName: this.policyName });
    }
}
