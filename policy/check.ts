/**
 * The pack without the Pulumi CLI: runs the real stack program under mocks for committed stack
 * configs and evaluates every registered resource. `npm run policy -- [env ...]` prints the findings
 * and exits 1 on a mandatory violation; the unit tests use `runPack` directly.
 */
import * as fs from "fs";
import { MockRunOptions, runUnderMocks } from "../local-lake/lib/mock-run";
import { loadStackConfig, PROJECT_ROOT } from "../stacks/stack-config";
import { createLake, secretConfigRef } from "../stacks/program";
import { evaluate, formatViolations, fromRegistered, Violation } from "./evaluate";
import { policies } from "./pack";
import { LakeResource } from "./resource";

/** Every committed stack config, `Pulumi.<env>.yaml` -> `<env>`. */
export function committedStacks(root: string = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((env): env is string => env !== undefined)
        .sort();
}

/** A test value for every `passwordSecret` the lake config names, as `pulumi config set --secret` would. */
function testPasswords(lake: unknown): Record<string, string> {
    const sources = (lake as { sources?: { passwordSecret?: string }[] } | undefined)?.sources ?? [];
    return Object.fromEntries(
        sources
            .filter((s) => typeof s.passwordSecret === "string")
            .map((s) => {
                const ref = secretConfigRef(s.passwordSecret!);
                return [`${ref.namespace}:${ref.key}`, `test-${ref.key}`];
            }),
    );
}

export interface PolicyRun {
    resources: LakeResource[];
    violations: Violation[];
}

/**
 * Registers the lake of `Pulumi.<configEnv>.yaml` as stack `stack` (default: the same name), with
 * `change` applied to the raw lake config, and evaluates the pack over every registered resource.
 */
export async function runPack(
    configEnv: string,
    options: { stack?: string; change?: (lake: any) => void; program?: MockRunOptions["program"] } = {},
): Promise<PolicyRun> {
    const { config, secretKeys } = loadStackConfig(configEnv);
    const lake = structuredClone(config["medallion-lake:lake"]);
    options.change?.(lake);
    const passwords = testPasswords(lake);
    const result = await runUnderMocks({
        stack: options.stack ?? configEnv,
        config: { ...config, "medallion-lake:lake": lake, ...passwords },
        secretKeys: [...secretKeys, ...Object.keys(passwords)],
        program: options.program ?? (() => createLake({ baseDir: PROJECT_ROOT }).outputs()),
    });
    const resources = result.resources.map(fromRegistered);
    return { resources, violations: await evaluate(policies, resources) };
}

async function main(envs: string[]): Promise<number> {
    let mandatory = 0;
    for (const env of envs.length > 0 ? envs : committedStacks()) {
        const { resources, violations } = await runPack(env);
        const m = violations.filter((v) => v.level === "mandatory").length;
        mandatory += m;
        console.log(`${env}: ${resources.length} resources, ${m} mandatory and ${violations.length - m} advisory findings`);
        if (violations.length > 0) console.log(formatViolations(violations));
    }
    return mandatory > 0 ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof Error ? e.message : e);
            process.exit(2);
        },
    );
}
