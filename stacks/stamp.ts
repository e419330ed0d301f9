/**
 * `npm run stamp -- <env> [--preview | --destroy]`: stamps, previews or destroys an environment
 * through the same API services use (stacks/automation.ts), with the lake config and region from
 * `Pulumi.<env>.yaml`. Secrets already set on the stack (`pulumi config set --secret`) are used as they are.
 */
import { LakeConfigError } from "medallion-lake";
import { EnvironmentStamper, LAKE_CONFIG_KEY, REPOSITORY_ROOT } from "./automation";
import { loadStackConfig } from "./stack-config";

export const USAGE = "usage: npm run stamp -- <env> [--preview | --destroy]";

export interface StampArgs {
    env: string;
    action: "up" | "preview" | "destroy";
}

export class UsageError extends Error {
    constructor(problem: string) {
        super(`${problem}\n${USAGE}`);
        this.name = "UsageError";
    }
}

/** Parses the CLI arguments (after `--`). */
export function parseStampArgs(argv: string[]): StampArgs {
    const flags = argv.filter((a) => a.startsWith("-"));
    const positional = argv.filter((a) => !a.startsWith("-"));
    const unknown = flags.filter((f) => f !== "--preview" && f !== "--destroy");
    if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(", ")}`);
    if (flags.length > 1) throw new UsageError("choose one of --preview and --destroy");
    if (positional.length !== 1) throw new UsageError(positional.length === 0 ? "missing <env>" : `expected one <env>, got ${positional.join(" ")}`);
    return { env: positional[0], action: flags[0] === "--preview" ? "preview" : flags[0] === "--destroy" ? "destroy" : "up" };
}

export interface StampDeps {
    stamper?: EnvironmentStamper;
    /** Absolute folder with the Pulumi.<env>.yaml files; default the repository root. */
    root?: string;
    write?: (text: string) => void;
    signal?: AbortSignal;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 the operation failed, 2 bad usage or config). */
export async function main(argv: string[], deps: StampDeps = {}): Promise<number> {
    const write = deps.write ?? ((text: string) => process.stdout.write(text));
    const stamper = deps.stamper ?? new EnvironmentStamper();
    try {
        const { env, action } = parseStampArgs(argv);
        const io = { onOutput: write, signal: deps.signal };
        if (action === "destroy") {
            const { resourceChanges } = await stamper.destroyEnvironment({ env, ...io });
            write(`\nDestroyed environment ${env}: ${JSON.stringify(resourceChanges)}\n`);
            return 0;
        }
        const root = deps.root ?? REPOSITORY_ROOT;
        const { config } = loadStackConfig(env, root);
        const region = config["aws:region"];
        // The stack file's relative paths (catalog, gold.models) start at its folder.
        const request = { env, lake: config[LAKE_CONFIG_KEY], baseDir: root, region: typeof region === "string" ? region : undefined, ...io };
        if (action === "preview") {
            const { changeSummary } = await stamper.previewEnvironment(request);
            write(`\nPreview of environment ${env}: ${JSON.stringify(changeSummary)}\n`);
        } else {
            const outputs = await stamper.stampEnvironment(request);
            write(`\nEnvironment ${env} stamped. Outputs:\n${JSON.stringify(outputs, null, 2)}\n`);
        }
        return 0;
    } catch (err) {
        const e = err as Error;
        process.stderr.write(`${e.name}: ${e.message}\n`);
        return err instanceof UsageError || err instanceof LakeConfigError ? 2 : 1;
    }
}

if (require.main === module) {
    // First Ctrl-C interrupts Pulumi gracefully (it finishes in-flight steps); a second one exits at once.
    const controller = new AbortController();
    process.on("SIGINT", () => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write("\nCancelling (Ctrl-C again to exit immediately)...\n");
        controller.abort();
    });
    void main(process.argv.slice(2), { signal: controller.signal }).then((code) => process.exit(code));
}
