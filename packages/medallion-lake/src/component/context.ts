/**
 * What every resource group of the lake shares: the validated config, environment, spec, tags and
 * the resource options (parent, protect, retainOnDelete) decided by pure functions below.
 *
 * Precedence of resource options: what the caller sets in the component's `opts` wins. `protect` or
 * `retainOnDelete` given there applies to every child and overrides the config's `protect` /
 * `retainOnDelete`; left unset, the config decides. Providers, aliases and transforms reach the
 * children through `parent` as Pulumi defines; the lake never sets a provider of its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { LakeConfig, LakeConfigError } from "../model/config";
import { LakeSpec } from "../model/lake-spec";
import { resourcePrefix } from "../model/naming";

/** Tags on every taggable resource: the config's tags plus `lake` and `environment` (which win). */
export function lakeTags(config: LakeConfig, environment: string): Record<string, string> {
    return { ...config.tags, lake: config.name, environment };
}

/**
 * `data` resources hold or protect data that must outlive the stack (data buckets, access logs,
 * catalog databases, the KMS key): they also get `retainOnDelete`. Everything else can be recreated.
 */
export type ResourceKind = "data" | "infra";

/** The lifecycle options the caller set on the component (`ComponentResourceOptions`). */
export type CallerLifecycle = Pick<pulumi.ComponentResourceOptions, "protect" | "retainOnDelete">;

/** The lifecycle options a child of kind `kind` gets: the caller's where set, else the config's. */
export function lifecycleOptions(
    config: Pick<LakeConfig, "protect" | "retainOnDelete">,
    kind: ResourceKind,
    caller: CallerLifecycle = {},
): { protect: boolean; retainOnDelete: boolean } {
    return { protect: caller.protect ?? config.protect, retainOnDelete: caller.retainOnDelete ?? (kind === "data" && config.retainOnDelete) };
}

/**
 * `forceDestroy` with the options in effect: the config alone is checked by `parseLakeConfig`, but
 * the caller's `protect` / `retainOnDelete` may switch protection on. @throws LakeConfigError.
 */
export function checkForceDestroy(config: Pick<LakeConfig, "protect" | "retainOnDelete" | "forceDestroy">, caller: CallerLifecycle): void {
    const data = lifecycleOptions(config, "data", caller);
    if (config.forceDestroy && (data.protect || data.retainOnDelete)) {
        throw new LakeConfigError([
            { path: "forceDestroy", message: "cannot be true while data is protected or retained (protect / retainOnDelete in the config or the component's resource options)" },
        ]);
    }
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
    /** DNS suffix of the partition's endpoints (`amazonaws.com`, `amazonaws.com.cn`). */
    dnsSuffix: pulumi.Output<string>;
    /** Options for a child resource. */
    opts(kind?: ResourceKind, extra?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions;
}

export function createContext(
    parent: pulumi.Resource,
    name: string,
    config: LakeConfig,
    environment: string,
    spec: LakeSpec,
    aws: { accountId: pulumi.Output<string>; region: pulumi.Output<string>; partition: pulumi.Output<string>; dnsSuffix: pulumi.Output<string> },
    caller: CallerLifecycle = {},
): LakeContext {
    return {
        name,
        config,
        environment,
        spec,
        prefix: resourcePrefix(config.name, environment),
        tags: lakeTags(config, environment),
        ...aws,
        opts: (kind = "infra", extra = {}) => ({ parent, ...lifecycleOptions(config, kind, caller), ...extra }),
    };
}
