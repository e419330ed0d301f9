/**
 * Runs a Pulumi program in-process under `pulumi.runtime.setMocks`, with no CLI, engine or cloud,
 * and returns every registered resource with its inputs and options. Used by the unit tests,
 * `npm run plan` and the policy-pack tests.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource as the program registered it. */
export interface MockResource {
    /** Pulumi type token, e.g. `aws:s3/bucket:Bucket`. */
    type: string;
    /** Logical name. */
    name: string;
    urn: string;
    /** Mocked physical id (empty for component resources). */
    id: string;
    /** True for provider (custom) resources, false for components and the stack. */
    custom: boolean;
    /** Inputs with secrets unwrapped to their plain values (see `secretPaths`). */
    inputs: Record<string, any>;
    /** Paths (`secretString`, `tags.owner`) of inputs that were marked secret. */
    secretPaths: string[];
    /** Parent URN ("" for the stack). */
    parent: string;
    protect: boolean;
    retainOnDelete: boolean;
    /** URNs this resource explicitly depends on (dependsOn and input dependencies). */
    dependencies: string[];
    /** Reference (`<urn>::<id>`) of the explicit or inherited provider; "" for the default provider. */
    provider: string;
    /** Aliases the registration carries (alias specs: old names, parents, URNs). */
    aliases: unknown[];
}

export interface MockRunOptions {
    /** Stack (environment) name. */
    stack: string;
    /** Pulumi project name; default `medallion-lake`. */
    project?: string;
    /** Config keys (`medallion-lake:lake`, `aws:region`, ...). Non-string values are JSON-encoded as Pulumi does. */
    config: Record<string, unknown>;
    /** Config keys whose values are secrets (`pulumi config set --secret`). */
    secretKeys?: string[];
    /** Run as a preview (unknowns stay unknown); default false. */
    preview?: boolean;
    /** The program; its return value becomes the stack outputs. */
    program: () => unknown;
    /** Receives each resource as it registers; lets a caller see what was registered before a failure. */
    onResource?: (resource: MockResource) => void;
}

export interface MockRunResult {
    resources: MockResource[];
    /** Every invoke (data source call) the program made, with the provider reference it used ("" for the default). */
    invokes: { token: string; provider: string }[];
    /** Stack outputs, fully resolved (secrets unwrapped). */
    outputs: Record<string, any>;
}

/** Account id the mocks report for `aws.getCallerIdentity`. */
export const MOCK_ACCOUNT_ID = "123456789012";

const { specialSigKey: SIG_KEY, specialSecretSig: SECRET_SIG } = pulumi.runtime;

/** Strips Pulumi's secret wrappers, recording where they were. */
function unwrapSecrets(value: any, at: string, found: string[]): any {
    if (value === null || typeof value !== "object") return value;
    if (value[SIG_KEY] === SECRET_SIG) {
        found.push(at);
        return unwrapSecrets(value.value, at, []);
    }
    if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${at}[${i}]`, found));
    if (Object.getPrototypeOf(value) !== Object.prototype) return value; // assets, archives, resources
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, found)]));
}

/** AWS service of a type token (`aws:s3/bucket:Bucket` -> `s3`). */
function service(type: string): string {
    return type.split(":")[1]?.split("/")[0] ?? "mock";
}

/** ARN in the shape AWS uses for the resource's service. */
function mockArn(type: string, physical: string, id: string, region: string): string {
    const kind = (type.split(":").pop() ?? "resource").toLowerCase();
    switch (service(type)) {
        case "s3":
            return `arn:aws:s3:::${physical}`;
        case "iam":
            return `arn:aws:iam::${MOCK_ACCOUNT_ID}:${kind}/${physical}`;
        case "kms":
            return kind === "key" ? `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:key/${id}` : `arn:aws:kms:${region}:${MOCK_ACCOUNT_ID}:${physical}`;
        case "secretsmanager":
            return `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${physical}-AbCdEf`;
        case "sns":
            return kind === "topic" ? `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${physical}` : `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:${kind}/${physical}`;
        default:
            return `arn:aws:${service(type)}:${region}:${MOCK_ACCOUNT_ID}:${kind}/${physical}`;
    }
}

/**
 * `random:index/randomString:RandomString` result: `length` characters of the allowed classes,
 * derived from the logical name, so every run of a program gets the same value (as a real stack does
 * from its state).
 */
export function mockRandomString(name: string, inputs: Record<string, any>): string {
    const alphabet = [inputs.lower !== false ? "abcdefghijklmnopqrstuvwxyz" : "", inputs.numeric !== false ? "0123456789" : "", inputs.upper !== false ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ" : ""].join("");
    let h = hash(name) >>> 0;
    return Array.from({ length: Number(inputs.length) }, () => {
        h = (Math.imul(h, 1103515245) + 12345) >>> 0;
        return alphabet[h % alphabet.length];
    }).join("");
}

/** Ids in the shape AWS gives them, for the types whose ids are validated when passed on. */
const MOCK_ID_SHAPES: Record<string, (hex: string) => string> = {
    "aws:kms/key:Key": (hex) => `${hex}-0000-4000-8000-000000000000`,
    "aws:ec2/subnet:Subnet": (hex) => `subnet-${hex}`,
    "aws:ec2/securityGroup:SecurityGroup": (hex) => `sg-${hex}`,
};

/** Plausible provider state: inputs plus the id, name and ARN attributes AWS would return. */
function mockState(type: string, name: string, inputs: Record<string, any>, region: string): { id: string; state: Record<string, any> } {
    if (type === "random:index/randomString:RandomString") {
        const result = mockRandomString(name, inputs);
        return { id: result, state: { ...inputs, result } };
    }
    const suffix = (hash(type + name) >>> 0).toString(16);
    const physical = String(inputs.name ?? inputs.bucket ?? `${name}-${suffix}`);
    const id = MOCK_ID_SHAPES[type]?.(suffix.padStart(8, "0")) ?? physical;
    return { id, state: { ...inputs, name: physical, arn: mockArn(type, physical, id, region), id, keyId: id, bucket: inputs.bucket ?? physical } };
}

function hash(s: string): number {
    let h = 0;
    for (const c of s) h = (Math.imul(31, h) + c.charCodeAt(0)) | 0;
    return h;
}

/** Data-source answers for the invokes a program may make. */
function mockCall(token: string, inputs: Record<string, any>, region: string): Record<string, any> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        default: {
            // The SDK reports an invoke failure by its gRPC `details`, not by the message.
            const message = `runUnderMocks: no mock for invoke ${token} (inputs ${JSON.stringify(inputs)})`;
            throw Object.assign(new Error(message), { details: message });
        }
    }
}

// The SDK's internal RPC drain; not in its typings, so checked at run time.
const runtimeInternals = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void>; getMonitor?: () => any };

let running = false;

/**
 * Runs `program` as stack `stack` under mocks and returns what it registered. Runs are serialized:
 * the SDK keeps one global runtime state, which each run resets (options, config, monitor).
 */
export async function runUnderMocks(opts: MockRunOptions): Promise<MockRunResult> {
    if (running) throw new Error("runUnderMocks: another run is in progress in this process; await it first");
    if (!runtimeInternals.waitForRPCs || !runtimeInternals.getMonitor) {
        throw new Error("runUnderMocks: this @pulumi/pulumi version lacks runtime.waitForRPCs/getMonitor");
    }
    running = true;
    try {
        const region = typeof opts.config["aws:region"] === "string" ? (opts.config["aws:region"] as string) : "us-east-1";
        const resources: MockResource[] = [];
        const invokes: MockRunResult["invokes"] = [];
        const failures: Error[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => mockState(args.type, args.name, args.inputs, region),
                call: (args) => {
                    invokes.push({ token: args.token, provider: args.provider ?? "" });
                    return mockCall(args.token, args.inputs, region);
                },
            },
            opts.project ?? "medallion-lake",
            opts.stack,
            opts.preview ?? false,
        );
        pulumi.runtime.setAllConfig(
            Object.fromEntries(Object.entries(opts.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
            opts.secretKeys ?? [],
        );
        // Wrap the mock monitor to see the registration request itself: the Mocks interface gets
        // neither the parent nor protect/retainOnDelete.
        const monitor = runtimeInternals.getMonitor();
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
            register(req, (err: any, resp: any) => {
                if (err) {
                    failures.push(err instanceof Error ? err : new Error(String(err)));
                } else {
                    const secretPaths: string[] = [];
                    const resource: MockResource = {
                        type: req.getType(),
                        name: req.getName(),
                        urn: resp.getUrn(),
                        id: resp.getId(),
                        custom: req.getCustom(),
                        inputs: unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject()), "", secretPaths),
                        secretPaths,
                        parent: req.getParent(),
                        protect: req.getProtect() === true,
                        retainOnDelete: req.getRetainondelete() === true,
                        dependencies: req.getDependenciesList(),
                        provider: req.getProvider(),
                        aliases: req.getAliasesList().map((a: any) => a.toObject()),
                    };
                    resources.push(resource);
                    opts.onResource?.(resource);
                }
                callback(err, resp);
            });

        let outputs: Record<string, any> | undefined;
        try {
            outputs = await pulumi.runtime.runInPulumiStack(async () => opts.program());
        } finally {
            // Also after a failure, so that the caller sees everything that did register.
            await runtimeInternals.waitForRPCs();
        }
        if (failures.length > 0) throw failures[0];
        const found: string[] = [];
        return { resources, invokes, outputs: unwrapSecrets(outputs ?? {}, "", found) };
    } finally {
        running = false;
    }
}
