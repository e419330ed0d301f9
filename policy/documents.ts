/** Reading IAM-style policy documents (identity, bucket and key policies) as plain data. */

export interface Statement {
    /** Position in the document, for messages. */
    index: number;
    sid: string | undefined;
    effect: "Allow" | "Deny";
    actions: string[];
    notActions: string[];
    resources: string[];
    notResources: string[];
    principals: unknown;
    condition: Record<string, Record<string, unknown>>;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/**
 * Parses a policy given as a JSON string or an object; accepts AWS's capitalised keys and the
 * camel-case keys of `aws.iam.PolicyDocument`.
 * @throws Error naming what is wrong, so a rule can report an unreadable policy instead of passing it.
 */
export function parsePolicyDocument(doc: unknown): Statement[] {
    let value = doc;
    if (typeof doc === "string") {
        try {
            value = JSON.parse(doc);
        } catch (e) {
            throw new Error(`policy is not valid JSON (${(e as Error).message})`);
        }
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("policy is not a JSON object");
    const raw = (value as Record<string, unknown>).Statement ?? (value as Record<string, unknown>).statement;
    if (raw === undefined) throw new Error("policy has no Statement");
    const statements = Array.isArray(raw) ? raw : [raw];
    return statements.map((s, index) => {
        if (s === null || typeof s !== "object") throw new Error(`Statement[${index}] is not an object`);
        const get = (key: string): unknown => (s as Record<string, unknown>)[key] ?? (s as Record<string, unknown>)[key[0].toLowerCase() + key.slice(1)];
        const effect = get("Effect");
        if (effect !== "Allow" && effect !== "Deny") throw new Error(`Statement[${index}].Effect must be Allow or Deny, got ${JSON.stringify(effect)}`);
        return {
            index,
            sid: get("Sid") === undefined ? undefined : String(get("Sid")),
            effect,
            actions: list(get("Action")),
            notActions: list(get("NotAction")),
            resources: list(get("Resource")),
            notResources: list(get("NotResource")),
            principals: get("Principal"),
            condition: (get("Condition") as Record<string, Record<string, unknown>> | undefined) ?? {},
        };
    });
}

/** `Statement[2] (Sid "ReadBronze")` */
export function describeStatement(s: Statement): string {
    return s.sid ? `Statement[${s.index}] (Sid "${s.sid}")` : `Statement[${s.index}]`;
}

/** True for `*`, `*:*` and any action whose service part is a wildcard. */
export function isWildcardAction(action: string): boolean {
    return action.trim() === "*" || /^\*:/.test(action.trim());
}

/** True for `s3:*` (any case); narrower patterns such as `s3:Get*` are allowed. */
export function isS3AllAction(action: string): boolean {
    return action.trim().toLowerCase() === "s3:*";
}

export const isS3Action = (action: string): boolean => /^s3:/i.test(action.trim()) || isWildcardAction(action);

/**
 * True when an ARN names a specific bucket (optionally an object path inside it):
 * `arn:aws:s3:::tickit-dev-bronze` or `arn:aws:s3:::tickit-dev-bronze/sales/*`, but not `*`,
 * `arn:aws:s3:::*` or `arn:aws:s3:::tickit-*`.
 */
export function isNamedBucketArn(arn: string): boolean {
    const m = /^arn:aws[a-z-]*:s3:::([^/]+)(\/.*)?$/.exec(arn.trim());
    return m !== null && !/[*?]/.test(m[1]);
}
