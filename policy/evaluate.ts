/**
 * Runs the pack's @pulumi/policy objects over plain resources, outside the Pulumi engine: the unit
 * tests use it on every resource registered for each stack config, and on hand-made resources.
 */
import { Policies, PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { Level, LakeResource } from "./resource";

export interface Violation {
    policy: string;
    level: Level;
    urn: string;
    message: string;
}

const typeOf = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType;

/** The engine's options bag, plus `retainOnDelete`, which the tests can see and the CLI (1.21) cannot. */
function engineOptions(r: LakeResource) {
    return {
        protect: r.opts.protect ?? false,
        retainOnDelete: r.opts.retainOnDelete,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
}

function notApplicable(reason?: string): never {
    throw new Error(`policy marked itself not applicable${reason ? `: ${reason}` : ""}`);
}

/** What a resource policy and a stack policy both see of a resource. */
function policyView(r: LakeResource) {
    const isType = (cls: unknown) => typeOf(cls) === r.type;
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
        opts: engineOptions(r),
        isType,
        asType: (cls: unknown) => (isType(cls) ? (r.props as never) : undefined),
    };
}

function resourceArgs(r: LakeResource): ResourceValidationArgs {
    return { ...policyView(r), stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable };
}

function stackArgs(resources: readonly LakeResource[]): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const policyResources = resources.map((r) => {
        const pr: PolicyResource = { ...policyView(r), dependencies: [], propertyDependencies: {} };
        byUrn.set(r.urn, pr);
        return pr;
    });
    // Resolve dependency URNs to resources, as the engine does.
    resources.forEach((r, i) => {
        for (const [prop, urns] of Object.entries(r.propertyDependencies)) {
            policyResources[i].propertyDependencies[prop] = urns.flatMap((u) => byUrn.get(u) ?? []);
        }
    });
    return { resources: policyResources, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable };
}

/** Every violation the policies report for `resources`, resource policies first. */
export async function evaluate(policies: Policies, resources: readonly LakeResource[]): Promise<Violation[]> {
    const out: Violation[] = [];
    const reporter =
        (policy: string, level: Level, defaultUrn: string): ReportViolation =>
        (message, urn) =>
            out.push({ policy, level, urn: urn ?? defaultUrn, message });
    for (const p of policies) {
        const level = (p.enforcementLevel ?? "mandatory") as Level;
        if ("validateResource" in p && p.validateResource) {
            const validations = [p.validateResource].flat();
            for (const r of resources) {
                for (const v of validations) await v(resourceArgs(r), reporter(p.name, level, r.urn));
            }
        }
        if ("validateStack" in p) await p.validateStack(stackArgs(resources), reporter(p.name, level, "(stack)"));
    }
    return out;
}

/** One line per violation: `[mandatory] s3-bucket-encryption on urn:...: bucket ...`. */
export function formatViolations(violations: readonly Violation[]): string {
    return violations.map((v) => `[${v.level}] ${v.policy} on ${v.urn}: ${v.message}`).join("\n");
}

/** What `runUnderMocks` (local-lake/lib/mock-run.ts) records per resource, structurally. */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    id: string;
    inputs: Record<string, any>;
    protect: boolean;
    retainOnDelete: boolean;
}

/**
 * A registered resource as the rules see it. The mocked id joins the inputs, as bridged providers
 * report `id` among their outputs, so companions that reference `bucket.id` correlate.
 */
export function fromRegistered(r: RegisteredResource): LakeResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: { id: r.id, ...r.inputs },
        opts: { protect: r.protect, retainOnDelete: r.retainOnDelete },
        propertyDependencies: {},
    };
}
