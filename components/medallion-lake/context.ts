/**
 * What every resource group of the lake shares: the validated config, environment, spec, tags and
 * the resource options (parent, protect, retainOnDelete) decided by pure functions below.
 */
import * as pulumi from "@pulumi/pulumi";
import { LakeConfig } from "./config";
import { LakeSpec } from "./lake-spec";
import { resourcePrefix } from "./naming";

/** Tags on every taggable resource: the config's tags plus `lake` and `environment` (which win). */
export function lakeTags(config: LakeConfig, environment: string): Record<string, string> {
    return { ...config.tags, lake: config.name, environment };
}

/**
 * `data` resources hold or protect data that must outlive the stack (data buckets, access logs,
 * catalog databases, the KMS key): they also get `retainOnDelete`. Everything else can be recreated.
 */
export type ResourceKind = "data" | "infra";

/** The lifecycle options a child of kind `kind` gets from the config. */
export function lifecycleOptions(config: Pick<LakeConfig, "protect" | "retainOnDelete">, kind: ResourceKind): { protect: boolean; retainOnDelete: boolean } {
    return { protect: config.protect, retainOnDelete: kind === "data" && config.retainOnDelete };
}

export interface LakeContext {
    /** Component name; children are named `${name}-...`. */
    name: string;
    config: LakeConfig;
    environment: string;
    spec: LakeSpec;
    /** `<lake>-<env>`, prefix of AWS resource names. */
    prefix: string;
    tags: Record<string, string>;
    accountId: pulumi.Output<string>;
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    /** Options for a child resource. */
    opts(kind?: ResourceKind, extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
}

export function createContext(
    parent: pulumi.Resource,
    name: string,
    config: LakeConfig,
    environment: string,
    spec: LakeSpec,
    aws: { accountId: pulumi.Output<string>; region: pulumi.Output<string>; partition: pulumi.Output<string> },
): LakeContext {
    return {
        name,
        config,
        environment,
        spec,
        prefix: resourcePrefix(config.name, environment),
        tags: lakeTags(config, environment),
        ...aws,
        opts: (kind = "infra", extra = {}) => ({ parent, ...lifecycleOptions(config, kind), ...extra }),
    };
}
