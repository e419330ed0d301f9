/**
 * Rules for who may reach the lake's data (docs/governance.md, Lake Formation mode): bronze is the
 * raw copy of the sources, for the bronze and silver jobs only; in Lake Formation mode a consumer
 * reads through Lake Formation (which excludes classified columns), never straight from S3.
 */
import { UnknownValueError } from "@pulumi/policy";
import { parsePolicyDocument } from "../documents";
import { LakeResource, StackRule } from "../resource";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const BUCKET = "aws:s3/bucket:Bucket";
const PERMISSIONS = "aws:lakeformation/permissions:Permissions";
const SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings";

/**
 * The component's roles by logical name, or by physical name (Pulumi's auto-name appends a random
 * suffix): the layer jobs and the Lake Formation registration role.
 */
const JOB_ROLE = (layers: string) => new RegExp(`-(${layers})-job-role(-[0-9a-z]+)?$`);
const LOCATION_ROLE = /-lf-location-role(-[0-9a-z]+)?$/;

function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

/** The role resource a grant's `property` (principal, role) names: by dependency, else by ARN or name. */
function roleOf(grant: LakeResource, property: string, resources: readonly LakeResource[]): LakeResource | undefined {
    const roles = resources.filter((r) => r.type === ROLE);
    const deps = grant.propertyDependencies[property] ?? [];
    if (deps.length > 0) return roles.find((r) => deps.includes(r.urn));
    const ref = known(() => grant.props[property]);
    if (typeof ref !== "string") return undefined;
    // An ARN ends in the role's name (`role/<path/>name`); a RolePolicy's `role` is the name (its id).
    const names = (r: LakeResource) => [known(() => r.props.name), known(() => r.props.id)].filter((n): n is string => typeof n === "string" && n !== "");
    return roles.find((r) => ref === known(() => r.props.arn) || names(r).some((n) => ref === n || ref.endsWith(`:role/${n}`) || ref.endsWith(`/${n}`)));
}

/** Whether `r` is one of the lake's own roles allowed on the layer (`layers`: a regex alternation). */
const isLakeRole = (r: LakeResource | undefined, layers: string) =>
    r !== undefined && [r.name, known(() => r.props.name)].some((n) => typeof n === "string" && (JOB_ROLE(layers).test(n) || LOCATION_ROLE.test(n)));

/** Buckets tagged `layer: <one of layers>` (the component tags each bucket with its purpose). */
const layerBuckets = (resources: readonly LakeResource[], layers: readonly string[]) =>
    resources.filter((r) => r.type === BUCKET && layers.includes(String(known(() => r.props.tags?.layer)))).map((b) => String(known(() => b.props.bucket)));

/** The statements of an inline role policy that read objects of `buckets`. */
function objectReads(policy: LakeResource, buckets: readonly string[]): string[] {
    const doc = known(() => policy.props.policy);
    if (doc === undefined) return [];
    return parsePolicyDocument(doc)
        .filter((s) => s.effect === "Allow" && s.actions.some((a) => /^(s3:GetObject.*|s3:\*|\*)$/i.test(a)))
        .flatMap((s) => s.resources.filter((res) => buckets.some((b) => res.startsWith(`arn:aws:s3:::${b}/`) || res.startsWith(`arn:aws-cn:s3:::${b}/`) || res.startsWith(`arn:aws-us-gov:s3:::${b}/`))));
}

/** Whether a Lake Formation permission's resource is in bronze: a `*_bronze` database or its tables, or a `*-layer` LF-tag expression on bronze. */
function onBronze(p: LakeResource): boolean {
    const db = known(() => p.props.database?.name ?? p.props.table?.databaseName ?? p.props.tableWithColumns?.databaseName);
    if (typeof db === "string" && db.endsWith("_bronze")) return true;
    const expressions = (known(() => p.props.lfTagPolicy?.expressions) ?? []) as { key?: string; values?: string[] }[];
    return expressions.some((e) => String(e.key).endsWith("-layer") && (e.values ?? []).includes("bronze"));
}

export const noConsumerGrantOnBronze: StackRule = {
    kind: "stack",
    name: "lake-no-consumer-grant-on-bronze",
    description:
        "Nothing outside the lake reads bronze, the raw copy of the sources with every classified value in clear: no Lake Formation permission on the bronze database or its tables, and no role policy reading the bronze bucket's objects, for any principal but the bronze and silver jobs and the forget (erasure) job.",
    level: "mandatory",
    check(resources) {
        const bronze = layerBuckets(resources, ["bronze"]);
        const lf = resources
            .filter((p) => p.type === PERMISSIONS && onBronze(p) && !isLakeRole(roleOf(p, "principal", resources), "bronze|silver|forget"))
            .map((p) => ({ urn: p.urn, message: `Lake Formation permission ${p.name} grants ${String(known(() => p.props.principal) ?? "a principal")} access to bronze` }));
        const iam = resources
            .filter((p) => p.type === ROLE_POLICY && !isLakeRole(roleOf(p, "role", resources), "bronze|silver|forget"))
            .flatMap((p) => {
                const reads = objectReads(p, bronze);
                return reads.length === 0 ? [] : [{ urn: p.urn, message: `role policy ${p.name} reads the bronze bucket (${reads.join(", ")})` }];
            });
        return [...lf, ...iam];
    },
};

export const lakeFormationNoDataBucketRead: StackRule = {
    kind: "stack",
    name: "lake-formation-no-s3-data-read",
    description:
        "In Lake Formation mode (the stack sets the DataLakeSettings), no role policy but the lake jobs' (layer and forget) and the registration role's reads the objects of the bronze, silver or gold bucket: a consumer reads through Lake Formation, which excludes classified columns; S3 would hand over every column.",
    level: "mandatory",
    check(resources) {
        if (!resources.some((r) => r.type === SETTINGS)) return [];
        const data = layerBuckets(resources, ["bronze", "silver", "gold"]);
        return resources
            .filter((p) => p.type === ROLE_POLICY && !isLakeRole(roleOf(p, "role", resources), "bronze|silver|gold|forget"))
            .flatMap((p) => {
                const reads = objectReads(p, data);
                return reads.length === 0 ? [] : [{ urn: p.urn, message: `role policy ${p.name} reads data bucket objects directly (${reads.join(", ")}); grant through Lake Formation instead` }];
            });
    },
};

export const lakeFormationRules = [noConsumerGrantOnBronze, lakeFormationNoDataBucketRead];
