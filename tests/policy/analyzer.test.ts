/**
 * The pack as the Pulumi CLI runs it: `policy/` started through @pulumi/pulumi's policy-pack runner
 * (ts-node with type checking), then spoken to over the analyzer gRPC protocol the engine uses.
 * Proves the directory loads, advertises every rule at its level, and reports through the CLI path.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { expect } from "chai";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { makeUrn } from "../../policy/resource";
import { rules } from "../../policy/rules";

const ROOT = path.resolve(__dirname, "../..");

/** Starts the pack as the CLI would; it prints the analyzer's port once it serves. */
function startPack(child: ChildProcess): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout!.on("data", (d) => {
            out += d;
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.stderr!.on("data", (d) => (err += d));
        child.on("exit", (code) => reject(new Error(`policy pack exited with ${code} before serving:\n${out}\n${err}`)));
    });
}

function call<Req, Res>(fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => fn(req, (e, r) => (e ? reject(e) : resolve(r))));
}

const ENFORCEMENT = { [analyzer.EnforcementLevel.ADVISORY]: "advisory", [analyzer.EnforcementLevel.MANDATORY]: "mandatory" } as Record<number, string>;

/** A resource of stack `stack` as the engine sends it to analyzeStack; `bucketUrn` links its `bucket` property by dependency. */
function stackResource(
    stack: string,
    type: string,
    name: string,
    properties: Parameters<typeof Struct.fromJavaScript>[0],
    { protect = false, bucketUrn }: { protect?: boolean; bucketUrn?: string } = {},
): analyzer.AnalyzerResource {
    const resource = new analyzer.AnalyzerResource()
        .setType(type)
        .setName(name)
        .setUrn(makeUrn(stack, "medallion-lake", type, name))
        .setProperties(Struct.fromJavaScript(properties))
        .setOptions(protect ? new analyzer.AnalyzerResourceOptions().setProtect(true) : new analyzer.AnalyzerResourceOptions());
    if (bucketUrn) resource.getPropertydependenciesMap().set("bucket", new analyzer.AnalyzerPropertyDependencies().setUrnsList([bucketUrn]));
    return resource;
}

describe("policy pack under the Pulumi policy runner", function () {
    this.timeout(180000);
    let child: ChildProcess | undefined;
    let client: AnalyzerClient;

    before(async () => {
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [ROOT] });
        // Assigned before awaiting, so after() stops it even when it never serves.
        child = spawn(process.execPath, [runner, "--pwd", path.join(ROOT, "policy"), "127.0.0.1:1", "."], { stdio: ["ignore", "pipe", "pipe"] });
        client = new AnalyzerClient(`127.0.0.1:${await startPack(child)}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    it("advertises every rule with its enforcement level", async () => {
        const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
        expect(info.getName()).to.equal("medallion-lake-guardrails");
        const advertised = info.getPoliciesList().map((p) => [p.getName(), ENFORCEMENT[p.getEnforcementlevel()]]);
        expect(advertised.sort()).to.deep.equal(rules.map((r) => [r.name, r.level]).sort());
    });

    it("reports a plaintext connection password through analyze, as during preview", async () => {
        const req = new analyzer.AnalyzeRequest()
            .setType("aws:glue/connection:Connection")
            .setName("saas")
            .setUrn(makeUrn("dev", "medallion-lake", "aws:glue/connection:Connection", "saas"))
            .setProperties(Struct.fromJavaScript({ connectionProperties: { JDBC_CONNECTION_URL: "jdbc:postgresql://db:5432/t", USERNAME: "etl", PASSWORD: "hunter2" } }))
            .setOptions(new analyzer.AnalyzerResourceOptions());
        const res = await call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(client.analyze.bind(client), req);
        const diags = res.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}`);
        expect(diags.some((d) => d.startsWith("glue-connection-no-plaintext-password: ") && d.includes("connectionProperties.PASSWORD holds a password"))).to.equal(true, diags.join("\n"));
    });

    it("correlates split S3 resources by property dependency in analyzeStack and reports the bare bucket", async () => {
        const stack = "prod";
        const bucket = stackResource(stack, "aws:s3/bucket:Bucket", "silver", { bucket: "tickit-prod-silver", tags: { layer: "silver" } }, { protect: true });
        const bucketUrn = bucket.getUrn();
        // The block names the bucket by an id unknown to the rule, like a preview; only the dependency links them.
        const block = stackResource(
            stack,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "silver-pab",
            { bucket: "id-from-elsewhere", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { bucketUrn },
        );
        const res = await call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(client.analyzeStack.bind(client), new analyzer.AnalyzeStackRequest().setResourcesList([bucket, block]));
        const fired = res.getDiagnosticsList().map((d) => `${d.getPolicyname()} ${d.getUrn()}`);
        for (const rule of ["s3-bucket-encryption", "s3-tls-only-policy", "s3-data-bucket-versioning"]) expect(fired).to.include(`${rule} ${bucketUrn}`);
        expect(fired.filter((f) => f.startsWith("s3-public-access-block "))).to.deep.equal([]);
    });

    it("defers to the engine's advisory instead of a false violation when a policy is unknown during preview", async () => {
        const stack = "dev";
        const bucket = stackResource(stack, "aws:s3/bucket:Bucket", "gold", { bucket: "tickit-dev-gold", tags: { layer: "gold" } });
        const bucketUrn = bucket.getUrn();
        // The engine's sentinel for an unknown string: the policy is built from the bucket's ARN.
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const policy = stackResource(stack, "aws:s3/bucketPolicy:BucketPolicy", "gold-policy", { bucket: unknown, policy: unknown }, { bucketUrn });
        const res = await call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(client.analyzeStack.bind(client), new analyzer.AnalyzeStackRequest().setResourcesList([bucket, policy]));
        const tls = res.getDiagnosticsList().filter((d) => d.getPolicyname() === "s3-tls-only-policy");
        expect(tls.map((d) => [ENFORCEMENT[d.getEnforcementlevel()], /can't run policy 's3-tls-only-policy'.* during preview/.test(d.getMessage())])).to.deep.equal([["advisory", true]]);
    });
});
