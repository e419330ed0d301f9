import { expect } from "chai";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MockResource, runUnderMocks } from "../../local-lake/lib/mock-run";

describe("runUnderMocks", () => {
    const program = () => {
        const cfg = new pulumi.Config("proj");
        const account = aws.getCallerIdentityOutput().accountId;
        const b = new aws.s3.Bucket("b", { bucket: account.apply((a) => `b-${a}`), tags: { owner: cfg.requireSecret("owner") } }, { protect: true, retainOnDelete: true });
        new aws.s3.BucketVersioning("v", { bucket: b.bucket, versioningConfiguration: { status: "Enabled" } }, { parent: b });
        return { bucket: b.bucket, arn: b.arn, settings: cfg.requireObject("settings") };
    };
    const run = (stack: string, onResource?: (r: MockResource) => void) =>
        runUnderMocks({ stack, project: "proj", config: { "aws:region": "eu-west-1", "proj:owner": "alice", "proj:settings": { n: 1 } }, secretKeys: ["proj:owner"], program, onResource });

    it("records inputs, secret paths, parent, protect and retainOnDelete; resolves outputs", async () => {
        const seen: string[] = [];
        const r = await run("one", (res) => seen.push(res.name));
        const bucket = r.resources.find((x) => x.name === "b")!;
        const versioning = r.resources.find((x) => x.name === "v")!;
        expect(bucket.inputs).to.deep.equal({ bucket: "b-123456789012", tags: { owner: "alice" } });
        expect(bucket.secretPaths).to.deep.equal(["tags"]);
        expect([bucket.protect, bucket.retainOnDelete]).to.deep.equal([true, true]);
        expect(versioning.parent).to.equal(bucket.urn);
        expect(versioning.protect, "protect is inherited from the parent").to.equal(true);
        expect(versioning.retainOnDelete).to.equal(false);
        expect(r.outputs).to.deep.equal({ bucket: "b-123456789012", arn: "arn:aws:s3:::b-123456789012", settings: { n: 1 } });
        expect(seen).to.have.members(["proj-one", "b", "v"]);
    });

    it("starts each run from a clean state", async () => {
        await run("first");
        const second = await run("second");
        expect(second.resources.map((x) => x.urn.split("::")[0])).to.deep.equal(["urn:pulumi:second", "urn:pulumi:second", "urn:pulumi:second"]);
    });

    it("refuses a second run while one is in progress", async () => {
        const first = run("a");
        const err = await run("b").catch((e: Error) => e);
        expect(String(err)).to.match(/another run is in progress/);
        await first;
    });

    it("fails on an invoke it has no answer for", async () => {
        const err = await runUnderMocks({ stack: "x", config: {}, program: () => aws.ec2.getVpcOutput({ default: true }).id }).catch((e: Error) => e);
        expect(String(err)).to.match(/no mock for invoke aws:ec2\/getVpc:getVpc/);
    });

    it("gives a RandomString a result of its length and character classes, the same on every run", async () => {
        const draw = () =>
            runUnderMocks({
                stack: "r",
                config: {},
                program: () => {
                    const options = { length: 12, upper: false, special: false };
                    return { a: new random.RandomString("a", options).result, b: new random.RandomString("b", options).result };
                },
            });
        const [first, second] = [await draw(), await draw()];
        expect(first.outputs.a).to.match(/^[a-z0-9]{12}$/);
        expect(first.outputs.b).to.match(/^[a-z0-9]{12}$/);
        expect(first.outputs.a).not.to.equal(first.outputs.b);
        expect(second.outputs).to.deep.equal(first.outputs);
    });
});
