/**
 * The Pulumi program as a function, so that `stacks/index.ts` and Automation API inline programs
 * build the same lake from the stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import { LakeConfigInput, MedallionLake } from "medallion-lake";

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
    /** Glue scripts directory; default the copy the `medallion-lake` package ships. */
    scriptsDir?: string;
}

/**
 * Builds the lake from `medallion-lake:lake` (passed through as read: the component validates it,
 * once) and the sources' secret passwords from the stack config.
 * @throws LakeConfigError listing every config problem or missing secret.
 */
export function createLake(options: CreateLakeOptions = {}): MedallionLake {
    return new MedallionLake(options.name ?? "lake", {
        config: new pulumi.Config(PROJECT).requireObject<LakeConfigInput>("lake"),
        environment: options.environment ?? pulumi.getStack(),
        passwords: (passwordSecret) => {
            const ref = secretConfigRef(passwordSecret);
            return new pulumi.Config(ref.namespace).getSecret(ref.key);
        },
        scriptsDir: options.scriptsDir,
    });
}
