import { UnknownValueError } from "@pulumi/policy";
import { describeStatement, isNamedBucketArn, isS3Action, isS3AllAction, isWildcardAction, parsePolicyDocument, Statement } from "../documents";
import { LakeResource, ResourceRule } from "../resource";

/** Where each resource type keeps its permission documents (identity, bucket and key policies). */
const DOCUMENTS: Record<string, (props: Record<string, any>) => { where: string; doc: unknown }[]> = {
    "aws:iam/policy:Policy": (p) => [{ where: "policy", doc: p.policy }],
    "aws:iam/rolePolicy:RolePolicy": (p) => [{ where: "policy", doc: p.policy }],
    "aws:iam/userPolicy:UserPolicy": (p) => [{ where: "policy", doc: p.policy }],
    "aws:iam/groupPolicy:GroupPolicy": (p) => [{ where: "policy", doc: p.policy }],
    "aws:iam/role:Role": (p) =>
        ((p.inlinePolicies ?? []) as { name?: string; policy?: unknown }[])
            .filter((ip) => ip.policy !== undefined)
            .map((ip, i) => ({ where: `inlinePolicies[${i}]${ip.name ? ` (${ip.name})` : ""}`, doc: ip.policy })),
    "aws:s3/bucketPolicy:BucketPolicy": (p) => [{ where: "policy", doc: p.policy }],
    "aws:kms/key:Key": (p) => (p.policy === undefined ? [] : [{ where: "policy", doc: p.policy }]),
};

/** AWS managed policies that grant `*` or `s3:*`: attaching one is a wildcard grant by reference. */
const WILDCARD_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "AmazonS3FullAccess"];
const isWildcardManagedPolicy = (arn: unknown) =>
    typeof arn === "string" && WILDCARD_MANAGED_POLICIES.some((n) => new RegExp(`^arn:aws[a-z-]*:iam::aws:policy/(.*/)?${n}$`).test(arn));

/**
 * Runs `check` over every Allow statement of every document. An unreadable document is a finding of
 * the wildcard rule only (`reportUnreadable`), so one bad document is reported once.
 */
function overAllowStatements(r: LakeResource, reportUnreadable: boolean, check: (s: Statement) => string[]): string[] {
    const out: string[] = [];
    for (const { where, doc } of DOCUMENTS[r.type](r.props)) {
        let statements: Statement[];
        try {
            statements = parsePolicyDocument(doc);
        } catch (e) {
            if (e instanceof UnknownValueError) throw e; // the engine reports "can't run during preview"
            if (reportUnreadable) out.push(`${where}: ${(e as Error).message}`);
            continue;
        }
        for (const s of statements.filter((st) => st.effect === "Allow")) {
            out.push(...check(s).map((m) => `${where} ${describeStatement(s)}: ${m}`));
        }
    }
    return out;
}

export const iamNoWildcardActions: ResourceRule = {
    kind: "resource",
    name: "iam-no-wildcard-actions",
    description: "No Allow statement grants `*` or `s3:*`, or uses NotAction; no AWS managed policy granting them is attached.",
    level: "mandatory",
    types: [...Object.keys(DOCUMENTS), "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"],
    check(r) {
        if (r.type.includes("Attachment")) {
            return isWildcardManagedPolicy(r.props.policyArn) ? [`attaches ${r.props.policyArn}, which grants wildcard actions`] : [];
        }
        const managed = r.type === "aws:iam/role:Role" ? ((r.props.managedPolicyArns ?? []) as unknown[]).filter(isWildcardManagedPolicy) : [];
        return [
            ...managed.map((arn) => `managedPolicyArns includes ${arn}, which grants wildcard actions`),
            ...overAllowStatements(r, true, (s) => [
                ...s.actions.filter((a) => isWildcardAction(a) || isS3AllAction(a)).map((a) => `allows "${a}"; list the actions the principal needs`),
                ...(s.notActions.length > 0 ? ["Allow with NotAction grants every other action; list the actions instead"] : []),
            ]),
        ];
    },
};

export const iamS3ScopedResources: ResourceRule = {
    kind: "resource",
    name: "iam-s3-scoped-resources",
    description: "Every Allow statement with S3 actions names its buckets by ARN (no `*`, no wildcard bucket names, no NotResource).",
    level: "mandatory",
    types: Object.keys(DOCUMENTS),
    check(r) {
        return overAllowStatements(r, false, (s) => {
            if (!s.actions.some(isS3Action)) return [];
            if (s.notResources.length > 0) return ["S3 access with NotResource reaches every other bucket; name the buckets instead"];
            if (s.resources.length === 0) return ["S3 access without a Resource; name the bucket ARNs"];
            return s.resources.filter((arn) => !isNamedBucketArn(arn)).map((arn) => `S3 access on "${arn}"; name the bucket ARNs (arn:aws:s3:::<bucket>[/<prefix>])`);
        });
    },
};

export const iamRules = [iamNoWildcardActions, iamS3ScopedResources];
