/**
 * The rules as @pulumi/policy objects. `index.ts` hands these to `new PolicyPack` for the CLI; the
 * unit tests run these very objects through `evaluate.ts`.
 */
import { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { canonicalType, LakeResource, Rule, stackFromUrn } from "./resource";
import { rules } from "./rules";

/** `retainOnDelete` is not part of @pulumi/policy 1.21's options; read it when an engine supplies it. */
type Options = { protect: boolean; retainOnDelete?: boolean };

function fromPolicyResource(r: PolicyResource): LakeResource {
    const opts = r.opts as Options;
    return {
        type: canonicalType(r.type),
        name: r.name,
        urn: r.urn,
        props: r.props,
        opts: { protect: opts.protect, retainOnDelete: opts.retainOnDelete },
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, deps]) => [k, deps.map((d) => d.urn)])),
    };
}

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const base = { name: rule.name, description: rule.description, enforcementLevel: rule.level };
    if (rule.kind === "resource") {
        return {
            ...base,
            validateResource: (args, reportViolation) => {
                const type = canonicalType(args.type);
                if (rule.types !== "any" && !rule.types.includes(type)) return;
                const opts = args.opts as Options;
                const resource: LakeResource = {
                    type,
                    name: args.name,
                    urn: args.urn,
                    props: args.props,
                    opts: { protect: opts.protect, retainOnDelete: opts.retainOnDelete },
                    propertyDependencies: {},
                };
                for (const message of rule.check(resource, stackFromUrn(args.urn))) reportViolation(message);
            },
        };
    }
    return {
        ...base,
        validateStack: (args, reportViolation) => {
            const resources = args.resources.map(fromPolicyResource);
            if (resources.length === 0) return;
            for (const f of rule.check(resources, stackFromUrn(resources[0].urn))) reportViolation(f.message, f.urn);
        },
    };
}

export const policies: Policies = rules.map(toPolicy);
