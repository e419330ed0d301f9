/**
 * The rule engine's view of a resource, shared by the Pulumi CLI adapter (`pack.ts`) and the unit
 * tests (`evaluate.ts`): plain data, so every rule is a pure function over it.
 */

export type Level = "mandatory" | "advisory";

export interface LakeResource {
    /** Pulumi type token, e.g. `aws:s3/bucket:Bucket`; the pack canonicalises deprecated `...V2` S3 tokens before a rule sees it. */
    type: string;
    /** Pulumi logical name. */
    name: string;
    urn: string;
    /** Resource inputs (or outputs, for stack rules under the CLI). */
    props: Record<string, any>;
    /** Resource options that matter to the rules. The CLI exposes `protect` only; the tests also see `retainOnDelete`. */
    opts: { protect?: boolean; retainOnDelete?: boolean };
    /**
     * Property name -> URNs of the resources whose outputs feed that property. The CLI provides it, so
     * correlation works during preview when ids are still unknown; under mocks ids are known instead.
     */
    propertyDependencies: Record<string, string[]>;
}

/** A resource rule returns messages about the one resource it was given. */
export interface ResourceRule {
    kind: "resource";
    name: string;
    description: string;
    level: Level;
    /** Canonical type tokens the rule inspects, or every resource. */
    types: readonly string[] | "any";
    check(resource: LakeResource, stack: string): string[];
}

/** A stack rule sees every resource, for properties split across resources (S3 in AWS provider v7). */
export interface StackRule {
    kind: "stack";
    name: string;
    description: string;
    level: Level;
    check(resources: readonly LakeResource[], stack: string): { urn: string; message: string }[];
}

export type Rule = ResourceRule | StackRule;

/** Maps the deprecated `aws:s3/bucketV2:BucketV2`-style tokens to their v7 names, so aliases cannot bypass a rule. */
export function canonicalType(type: string): string {
    const m = /^aws:s3\/(\w+)V2:(\w+)V2$/.exec(type);
    return m ? `aws:s3/${m[1]}:${m[2]}` : type;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> `<stack>`. */
export function stackFromUrn(urn: string): string {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    if (!m) throw new Error(`not a Pulumi URN: "${urn}"`);
    return m[1];
}

/** A stack whose name marks production: `prod`, `production` or `prod-...`. */
export function isProductionStack(stack: string): boolean {
    return stack === "prod" || stack === "production" || stack.startsWith("prod-");
}

/** URN the engine would give a top-level resource; used where a caller has no URN (mocks, tests). */
export function makeUrn(stack: string, project: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}
