/**
 * The Pulumi program as a function, so that `stacks/index.ts` and Automation API inline programs
 * build the same lake from the stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import { LakeDefinition, MedallionLake } from "medallion-lake";

/** Pulumi project name: the config namespace of `lake` and of unqualified secret keys. */
export const PROJECT = "medallion-lake";

/** Splits a `passwordSecret` (`ecommDbPassword` or `ns:ecommDbPassword`) into config namespace and key. */
export function secretConfigRef(passwordSecret: string): { namespace: string; key: string } {
    const i = passwordSecret.indexOf(":");
    return i < 0 ? { namespace: PROJECT, key: passwordSecret } : { namespace: passwordSecret.slice(0, i), key: passwordSecret.slice(i + 1) };
}

export interface CreateLakeOptions {
    /**
     * Absolute folder the lake config's relative paths (`catalog`, `gold.models`) start at: the folder
     * of the stack file, which for `pulumi up` is the Pulumi project folder. Required (never the working directory).
     */
    baseDir: string;
    /** Component name; default `lake`. */
    name?: string;
    /** Environment; default the current stack name. */
    environment?: string;
    /** Glue scripts directory; default the copy the `medallion-lake` package ships. */
    scriptsDir?: string;
}

/**
 * The secret config value of each `passwordSecret` the stack file's sources name, keyed by it (the
 * component reports a source whose key has no value, after validating the config).
 */
export function stackPasswords(lake: { sources?: unknown }): Record<string, pulumi.Output<string>> {
    const keys = (Array.isArray(lake.sources) ? lake.sources : []).flatMap((s) => (typeof s?.passwordSecret === "string" ? [s.passwordSecret as string] : []));
    return Object.fromEntries(
        keys.flatMap((key) => {
            const ref = secretConfigRef(key);
            const value = new pulumi.Config(ref.namespace).getSecret(ref.key);
            return value === undefined ? [] : [[key, value] as const];
        }),
    );
}

/**
 * Builds the lake from `medallion-lake:lake` and the sources' secret passwords from the stack
 * config. The object is passed on as read: its shorthands (a table as its name, a column as its
 * type, `reconcile: keys`, `gold.models` as a folder) are forms of the config schema, which
 * `lakeConfigFromArgs` hands them to unchanged, and the component validates it, once.
 * @throws LakeConfigError listing every config problem or missing secret.
 */
export function createLake(options: CreateLakeOptions): MedallionLake {
    const lake = new pulumi.Config(PROJECT).requireObject<LakeDefinition>("lake");
    return new MedallionLake(options.name ?? "lake", {
        config: lake,
        environment: options.environment ?? pulumi.getStack(),
        passwords: stackPasswords(lake),
        scriptsDir: options.scriptsDir,
        baseDir: options.baseDir,
    });
}
