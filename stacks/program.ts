/**
 * The Pulumi program as a function, so that `stacks/index.ts` and Automation API inline programs
 * build the same lake from the stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import { LakeConfigError, MedallionLake, parseLakeConfig } from "../components/medallion-lake";

/** Pulumi project name: the config namespace of `lake` and of unqualified secret keys. */
export const PROJECT = "medallion-lake";

/** Splits a `passwordSecret` (`ecommDbPassword` or `ns:ecommDbPassword`) into config namespace and key. */
export function secretConfigRef(passwordSecret: string): { namespace: string; key: string } {
    const i = passwordSecret.indexOf(":");
    return i < 0 ? { namespace: PROJECT, key: passwordSecret } : { namespace: passwordSecret.slice(0, i), key: passwordSecret.slice(i + 1) };
}

export interface CreateLakeOptions {
    /** Component name; default `lake`. */
    name?: string;
    /** Environment; default the current stack name. */
    environment?: string;
    /** Glue scripts directory; default the repository's `glue-scripts/`. */
    scriptsDir?: string;
}

/**
 * Reads `medallion-lake:lake` and the sources' secret passwords from the stack config and builds the
 * lake. @throws LakeConfigError listing every config problem or missing secret.
 */
export function createLake(options: CreateLakeOptions = {}): MedallionLake {
    const lake = new pulumi.Config(PROJECT).requireObject<unknown>("lake");
    const config = parseLakeConfig(lake);
    const passwords: Record<string, pulumi.Output<string>> = {};
    const missing = config.sources.flatMap((s, i) => {
        if (!s.passwordSecret) return [];
        const ref = secretConfigRef(s.passwordSecret);
        const value = new pulumi.Config(ref.namespace).getSecret(ref.key);
        if (value === undefined) {
            return [{ path: `sources[${i}].passwordSecret`, message: `Pulumi secret "${ref.namespace}:${ref.key}" is not set: run pulumi config set --secret ${ref.namespace}:${ref.key} <password>` }];
        }
        passwords[s.passwordSecret] = value;
        return [];
    });
    if (missing.length > 0) throw new LakeConfigError(missing);
    return new MedallionLake(options.name ?? "lake", {
        config: lake,
        environment: options.environment ?? pulumi.getStack(),
        passwords,
        scriptsDir: options.scriptsDir,
    });
}
