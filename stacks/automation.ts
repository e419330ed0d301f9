/**
 * Environment stamping for services: a small typed API over the Pulumi Automation API.
 *
 * It drives the project's own program (stacks/, `Pulumi.yaml` in the repository) through a local
 * workspace, so `pulumi up`, `npm run stamp` and services share one code path and one set of stack
 * files. The lake config goes through `parseLakeConfig` before any Pulumi command runs.
 */
import * as path from "path";
import { CommandError, ConcurrentUpdateError as PulumiConcurrentUpdateError, LocalWorkspace, OutputMap, PulumiCommand, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { LakeConfig, LakeConfigError, parseLakeConfig, rebaseLakePaths, validateEnvironment } from "medallion-lake";
import { PROJECT, secretConfigRef } from "./program";

/** Config key holding the lake object, as in `Pulumi.<env>.yaml`. */
export const LAKE_CONFIG_KEY = `${PROJECT}:lake`;
/** The repository root: the local program's work dir (Pulumi.yaml, stacks/, Pulumi.<env>.yaml). */
export const REPOSITORY_ROOT = path.resolve(__dirname, "..");

// ---------------------------------------------------------------------------------------------
// Errors: every failure of this module is one of these (or the config's own LakeConfigError).
// ---------------------------------------------------------------------------------------------

/** Base class of the typed errors; `environment` is the stack name. */
export class AutomationError extends Error {
    constructor(
        message: string,
        readonly environment: string,
    ) {
        super(message);
        this.name = new.target.name;
    }
}

/** The Pulumi CLI is not installed or not usable; the message says how to install it. */
export class PulumiCliMissingError extends AutomationError {
    constructor(
        environment: string,
        readonly detail: string,
    ) {
        super(
            `The Pulumi CLI is required to stamp environment "${environment}" but could not be run (${detail}). ` +
                "Install it (see https://www.pulumi.com/docs/iac/download-install/, e.g. `brew install pulumi/tap/pulumi` " +
                "or Pulumi's install script), make sure `pulumi version` works in this shell, or pass `pulumiHome` " +
                "pointing at an installation (<pulumiHome>/bin/pulumi).",
            environment,
        );
    }
}

/**
 * The oldest Pulumi CLI this module works with: it writes a stack's config with `pulumi config
 * set-all --json` (the SDK's setAllConfigJson), which CLI 3.202.0 introduced (pulumi/pulumi
 * CHANGELOG, 3.202.0: "Add `--json` input support to `pulumi config set-all`", #19427).
 */
export const MIN_PULUMI_CLI_VERSION = "3.202.0";

/** The Pulumi CLI is older than MIN_PULUMI_CLI_VERSION (or its version is unreadable); nothing was run. */
export class PulumiCliTooOldError extends AutomationError {
    constructor(
        environment: string,
        readonly found: string,
        readonly minimum: string,
    ) {
        super(
            `Stamping environment "${environment}" needs Pulumi CLI ${minimum} or newer (for \`pulumi config set-all --json\`), ` +
                `but \`pulumi version\` reports ${found}. Upgrade the CLI (https://www.pulumi.com/docs/iac/download-install/) or pass ` +
                "`pulumiHome` pointing at a newer installation.",
            environment,
        );
    }
}

/** The stack does not exist (for operations that do not create it: outputs, destroy). */
export class EnvironmentNotFoundError extends AutomationError {
    constructor(environment: string) {
        super(`Environment "${environment}" has no Pulumi stack (nothing stamped yet)`, environment);
    }
}

/** Another process is updating the same stack (the backend holds its lock). */
export class ConcurrentUpdateError extends AutomationError {
    constructor(environment: string) {
        super(
            `Environment "${environment}" is being updated by another process; retry when it has finished ` +
                "(or, if that process died, run `pulumi cancel` for the stack)",
            environment,
        );
    }
}

/** The Pulumi operation failed; `engineMessage` holds the engine's error lines, `output` the full CLI output. */
export class UpdateFailedError extends AutomationError {
    constructor(
        environment: string,
        readonly operation: Operation,
        readonly engineMessage: string,
        readonly output: string,
    ) {
        super(`${operation} of environment "${environment}" failed: ${engineMessage}`, environment);
    }
}

/** Cancelled through the caller's AbortSignal: before it started, while queued, or while running. */
export class OperationCancelledError extends AutomationError {
    constructor(
        environment: string,
        readonly operation: Operation,
        readonly stage: "before start" | "while queued" | "while running",
    ) {
        super(`${operation} of environment "${environment}" was cancelled ${stage}`, environment);
    }
}

export type Operation = "up" | "preview" | "destroy" | "outputs";

// ---------------------------------------------------------------------------------------------
// Config -> stack settings (pure)
// ---------------------------------------------------------------------------------------------

export interface EnvironmentConfigInput {
    /** Environment = Pulumi stack name. */
    env: string;
    /** The `medallion-lake:lake` object, exactly as in `Pulumi.<env>.yaml`. */
    lake: unknown;
    /**
     * Absolute folder the lake's relative paths (`catalog`, `gold.models`) start at: the folder of the
     * file `lake` was read from. They are validated there and written to the stack config relative to
     * the program's work dir, so the program reads the same files. Default: none, and a relative path is an error.
     */
    baseDir?: string;
    /** `aws:region`; left as the stack has it when omitted. */
    region?: string;
    /** Values of the Pulumi secrets that sources name in `passwordSecret`, keyed by that name. Stored encrypted. */
    secrets?: Record<string, string>;
}

/** One entry of `pulumi config --json`, the format `config set-all --json` reads. */
export interface StackConfigValue {
    value: string;
    /** Structured values keep their shape in the stack file (the same YAML object as in Pulumi.dev.yaml). */
    objectValue?: unknown;
    secret: boolean;
}

export interface EnvironmentSettings {
    stackName: string;
    lake: LakeConfig;
    /** Keyed by full config key (`medallion-lake:lake`, `aws:region`, `medallion-lake:ecommDbPassword`). */
    config: Record<string, StackConfigValue>;
}

/** `ecommDbPassword` -> `medallion-lake:ecommDbPassword`, the key the program reads it from. */
export function secretConfigKey(passwordSecret: string): string {
    const { namespace, key } = secretConfigRef(passwordSecret);
    return `${namespace}:${key}`;
}

/**
 * Validates the request and turns it into the stack's config. Same validation as the program:
 * `validateEnvironment` and `parseLakeConfig`; plus every given secret must be one a source names.
 * @param workDir the program's project folder (where the written config's relative paths start); default the repository root.
 * @throws LakeConfigError listing every problem, before anything runs.
 */
export function environmentSettings(input: EnvironmentConfigInput, workDir: string = REPOSITORY_ROOT): EnvironmentSettings {
    validateEnvironment(input.env);
    const lake = parseLakeConfig(input.lake, input.baseDir);
    const referenced = new Set(lake.sources.flatMap((s) => (s.passwordSecret ? [secretConfigKey(s.passwordSecret)] : [])));
    const issues = Object.entries(input.secrets ?? {}).flatMap(([name, value]) => {
        if (!referenced.has(secretConfigKey(name))) {
            return [{ path: `secrets.${name}`, message: `no source names it in passwordSecret (expected one of: ${[...referenced].join(", ") || "none"})` }];
        }
        return typeof value === "string" && value.length > 0 ? [] : [{ path: `secrets.${name}`, message: "must be a non-empty string" }];
    });
    if (input.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(input.region)) {
        issues.push({ path: "region", message: `"${input.region}" is not an AWS region name like us-east-1` });
    }
    if (issues.length > 0) throw new LakeConfigError(issues);

    // The raw object, not the parsed one: the stack file keeps what the user wrote, defaults stay implicit.
    const written = input.baseDir === undefined ? input.lake : rebaseLakePaths(input.lake, input.baseDir, workDir);
    const config: Record<string, StackConfigValue> = {
        [LAKE_CONFIG_KEY]: { value: JSON.stringify(written), objectValue: written, secret: false },
    };
    if (input.region !== undefined) config["aws:region"] = { value: input.region, secret: false };
    for (const [name, value] of Object.entries(input.secrets ?? {})) {
        config[secretConfigKey(name)] = { value, secret: true };
    }
    return { stackName: input.env, lake, config };
}

// ---------------------------------------------------------------------------------------------
// Runner: what actually talks to Pulumi; injectable so tests (and other backends) can replace it.
// ---------------------------------------------------------------------------------------------

export interface OperationIO {
    /** Progress text from the Pulumi CLI, as it arrives. */
    onOutput?: (text: string) => void;
    /** Aborting interrupts the running CLI (SIGINT: Pulumi finishes in-flight steps and stops). */
    signal?: AbortSignal;
}

/** Stack outputs as plain values; secret outputs are masked as `[secret]`. */
export type EnvironmentOutputs = Record<string, unknown>;

export interface PreviewSummary {
    /** Resource operations the update would perform, e.g. `{ create: 60 }`. */
    changeSummary: Record<string, number>;
}

export interface DestroySummary {
    resourceChanges: Record<string, number>;
}

export const SECRET_MASK = "[secret]";

export interface StackRunner {
    /** The program's project folder (its Pulumi.yaml), where the stack config's relative paths start; default the repository root. */
    readonly workDir?: string;
    up(settings: EnvironmentSettings, io: OperationIO): Promise<EnvironmentOutputs>;
    preview(settings: EnvironmentSettings, io: OperationIO): Promise<PreviewSummary>;
    destroy(stackName: string, io: OperationIO): Promise<DestroySummary>;
    outputs(stackName: string): Promise<EnvironmentOutputs>;
}

export interface PulumiRunnerOptions {
    /** The program's work dir; default the repository root (its Pulumi.yaml and Pulumi.<env>.yaml files). */
    workDir?: string;
    /** A Pulumi installation root (uses <pulumiHome>/bin/pulumi); default `pulumi` on PATH. */
    pulumiHome?: string;
    /** Extra environment for the CLI (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, AWS_PROFILE, ...). */
    envVars?: Record<string, string>;
}

/** Plain values of a stack's OutputMap. The SDK hands secrets over in plaintext; they are masked here, secure by default. */
export function plainOutputs(outputs: OutputMap): EnvironmentOutputs {
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? SECRET_MASK : v.value]));
}

/** Why `pulumi version` failed, in one line: not found (where it looked), or the CLI's own complaint. */
export function cliProblem(err: unknown, pulumiHome?: string): string {
    const text = err instanceof Error ? err.message : String(err);
    if (/ENOENT/.test(text)) {
        return pulumiHome ? `${path.join(pulumiHome, "bin", "pulumi")} does not exist` : "no `pulumi` executable on PATH";
    }
    return engineMessage(text);
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(-\S+)?$/;

/**
 * Why the CLI version `pulumi version` printed is not at least `minimum`, or undefined when it is.
 * A pre-release of the minimum (3.202.0-alpha) comes before it, as in semver.
 */
export function cliVersionProblem(version: string, minimum: string = MIN_PULUMI_CLI_VERSION): string | undefined {
    const found = VERSION.exec(version.trim());
    const wanted = VERSION.exec(minimum)!;
    if (!found) return `an unreadable version "${version.trim()}"`;
    for (let i = 1; i <= 3; i++) {
        const [f, w] = [Number(found[i]), Number(wanted[i])];
        if (f !== w) return f > w ? undefined : found[0];
    }
    return found[4] && !wanted[4] ? found[0] : undefined;
}

/** The runner over the real CLI: the repository's program through a LocalWorkspace. */
export class PulumiCliRunner implements StackRunner {
    private command?: Promise<PulumiCommand>;

    constructor(private readonly options: PulumiRunnerOptions = {}) {}

    get workDir(): string {
        return this.options.workDir ?? REPOSITORY_ROOT;
    }

    async up(settings: EnvironmentSettings, io: OperationIO): Promise<EnvironmentOutputs> {
        const stack = await this.configuredStack(settings);
        io.signal?.throwIfAborted(); // the SDK only listens for aborts that happen after it spawned the CLI
        const result = await stack.up({ onOutput: io.onOutput, signal: io.signal });
        return plainOutputs(result.outputs);
    }

    async preview(settings: EnvironmentSettings, io: OperationIO): Promise<PreviewSummary> {
        const stack = await this.configuredStack(settings);
        io.signal?.throwIfAborted();
        const result = await stack.preview({ onOutput: io.onOutput, signal: io.signal });
        return { changeSummary: { ...result.changeSummary } as Record<string, number> };
    }

    async destroy(stackName: string, io: OperationIO): Promise<DestroySummary> {
        const stack = await this.stack(stackName, false);
        io.signal?.throwIfAborted();
        const result = await stack.destroy({ onOutput: io.onOutput, signal: io.signal });
        return { resourceChanges: { ...result.summary.resourceChanges } as Record<string, number> };
    }

    async outputs(stackName: string): Promise<EnvironmentOutputs> {
        return plainOutputs(await (await this.stack(stackName, false)).outputs());
    }

    /**
     * Finds the CLI once per runner, before any stack is touched: a missing or unusable CLI becomes
     * PulumiCliMissingError, one older than MIN_PULUMI_CLI_VERSION PulumiCliTooOldError.
     */
    private pulumiCommand(stackName: string): Promise<PulumiCommand> {
        this.command ??= PulumiCommand.get(this.options.pulumiHome ? { root: this.options.pulumiHome } : {}).catch((err: unknown) => {
            throw new PulumiCliMissingError(stackName, cliProblem(err, this.options.pulumiHome));
        });
        return this.command
            .then((command) => {
                // The SDK's own check only asks for its much older minimum, and can be switched off.
                const version = command.version?.toString() ?? "an unknown version";
                if (cliVersionProblem(version)) throw new PulumiCliTooOldError(stackName, version, MIN_PULUMI_CLI_VERSION);
                return command;
            })
            .catch((err: unknown) => {
                this.command = undefined; // an install or upgrade after the failure should be picked up
                throw err;
            });
    }

    private async stack(stackName: string, create: boolean): Promise<Stack> {
        const args = { stackName, workDir: this.workDir };
        const opts = { pulumiCommand: await this.pulumiCommand(stackName), envVars: this.options.envVars };
        return create ? LocalWorkspace.createOrSelectStack(args, opts) : LocalWorkspace.selectStack(args, opts);
    }

    private async configuredStack(settings: EnvironmentSettings): Promise<Stack> {
        const stack = await this.stack(settings.stackName, true);
        await stack.setAllConfigJson(JSON.stringify(settings.config));
        return stack;
    }
}

// ---------------------------------------------------------------------------------------------
// Error mapping (pure) and the per-stack serialization
// ---------------------------------------------------------------------------------------------

/** The engine's own error lines (`error: ...`) from a CLI failure, without the SDK's wrapper text. */
export function engineMessage(text: string): string {
    const lines = text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => /^error: /.test(l))
        .map((l) => l.slice("error: ".length));
    const unique = [...new Set(lines)].filter((l) => l !== "update failed" && l !== "preview failed");
    if (unique.length > 0) return unique.join("; ");
    const stderr = /\bstderr: ([\s\S]*?)\n err\?:/.exec(text)?.[1]?.trim();
    return stderr || text.trim() || "unknown error";
}

/** Maps whatever an operation threw to this module's typed errors. */
export function mapOperationError(err: unknown, env: string, operation: Operation, signal?: AbortSignal): Error {
    if (err instanceof AutomationError || err instanceof LakeConfigError) return err;
    if (signal?.aborted) return new OperationCancelledError(env, operation, "while running");
    if (err instanceof StackNotFoundError) return new EnvironmentNotFoundError(env);
    if (err instanceof PulumiConcurrentUpdateError) return new ConcurrentUpdateError(env);
    const text = err instanceof Error ? err.message : String(err);
    if (err instanceof CommandError) return new UpdateFailedError(env, operation, engineMessage(text), text);
    if ((err as NodeJS.ErrnoException)?.code === "ENOENT") return new PulumiCliMissingError(env, cliProblem(err));
    return new UpdateFailedError(env, operation, text, text);
}

/** Resolves when `waitFor` settles; rejects as soon as `signal` aborts. */
function untilSettledOrAborted(waitFor: Promise<void>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
    if (!signal) return waitFor;
    return new Promise<void>((resolve, reject) => {
        const abort = () => reject(onAbort());
        if (signal.aborted) return abort();
        signal.addEventListener("abort", abort, { once: true });
        void waitFor.then(() => {
            signal.removeEventListener("abort", abort);
            resolve();
        });
    });
}

export interface EnvironmentRequest extends EnvironmentConfigInput, OperationIO {}

export interface EnvironmentRef extends OperationIO {
    env: string;
}

/**
 * The API with an explicit runner. Operations on one stack run one at a time, in call order
 * (Pulumi's workspace files are not safe for concurrent use); different stacks run in parallel.
 */
export class EnvironmentStamper {
    /** Tail of each stack's queue; resolves when the last queued operation has finished. */
    private readonly queues = new Map<string, Promise<void>>();

    constructor(private readonly runner: StackRunner = new PulumiCliRunner()) {}

    /** Validates, writes the stack config and runs `pulumi up`; returns the stack outputs. */
    async stampEnvironment(request: EnvironmentRequest): Promise<EnvironmentOutputs> {
        const settings = environmentSettings(request, this.runner.workDir);
        return this.serialized(request.env, "up", request.signal, () => this.runner.up(settings, request));
    }

    /** Validates, writes the stack config and runs `pulumi preview`. */
    async previewEnvironment(request: EnvironmentRequest): Promise<PreviewSummary> {
        const settings = environmentSettings(request, this.runner.workDir);
        return this.serialized(request.env, "preview", request.signal, () => this.runner.preview(settings, request));
    }

    /** Runs `pulumi destroy` on an existing stack (the stack and its config file are kept). */
    async destroyEnvironment(request: EnvironmentRef): Promise<DestroySummary> {
        validateEnvironment(request.env);
        return this.serialized(request.env, "destroy", request.signal, () => this.runner.destroy(request.env, request));
    }

    /** The outputs of an existing stack. */
    async environmentOutputs(request: EnvironmentRef): Promise<EnvironmentOutputs> {
        validateEnvironment(request.env);
        return this.serialized(request.env, "outputs", request.signal, () => this.runner.outputs(request.env));
    }

    private async serialized<T>(env: string, operation: Operation, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
        if (signal?.aborted) throw new OperationCancelledError(env, operation, "before start");
        const previous = this.queues.get(env) ?? Promise.resolve();
        let release!: () => void;
        const tail = previous.then(() => new Promise<void>((resolve) => (release = resolve)));
        this.queues.set(env, tail);
        try {
            await untilSettledOrAborted(previous, signal, () => new OperationCancelledError(env, operation, "while queued"));
            return await run();
        } catch (err) {
            throw mapOperationError(err, env, operation, signal);
        } finally {
            // `release` exists once `previous` resolved: at once after a run, later for a caller that gave up while queued.
            void previous.then(() => release());
            void tail.then(() => {
                if (this.queues.get(env) === tail) this.queues.delete(env);
            });
        }
    }
}

const defaultStamper = new EnvironmentStamper();

/** Stamps (creates or updates) environment `env` from `lake` with the repository's program; returns outputs. */
export const stampEnvironment = (request: EnvironmentRequest) => defaultStamper.stampEnvironment(request);
/** Previews what stamping `env` from `lake` would change. */
export const previewEnvironment = (request: EnvironmentRequest) => defaultStamper.previewEnvironment(request);
/** Destroys the resources of environment `env`. */
export const destroyEnvironment = (request: EnvironmentRef) => defaultStamper.destroyEnvironment(request);
/** Reads the outputs of environment `env`. */
export const environmentOutputs = (request: EnvironmentRef) => defaultStamper.environmentOutputs(request);
