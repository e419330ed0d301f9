/**
 * A program of another project, using the installed `medallion-lake` package as any user would
 * (plain JavaScript, the package's public API only), under the SDK's mocks
 * (pulumi.runtime.setMocks): prints `{ resources: [{ type, name, source? }] }` as JSON,
 * `source` being the local path of an uploaded file asset. Run by tests/package/pack.test.ts in a
 * temporary project outside the repository.
 */
const pulumi = require("@pulumi/pulumi");

const registered = [];
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs });
            const physical = String(args.inputs.name ?? args.inputs.bucket ?? `${args.name}-physical`);
            const arn = `arn:aws:${args.type.split(":")[1].split("/")[0]}:us-east-1:123456789012:${physical}`;
            const id = args.type === "aws:kms/key:Key" ? "00000000-0000-4000-8000-000000000000" : physical;
            return { id, state: { ...args.inputs, name: physical, bucket: args.inputs.bucket ?? physical, arn, id, keyId: id, result: "mockrandom" } };
        },
        call: () => ({ accountId: "123456789012", name: "us-east-1", region: "us-east-1", partition: "aws", dnsSuffix: "amazonaws.com", id: "mock" }),
    },
    "consumer",
    "dev",
    false,
);

const { MedallionLake } = require("medallion-lake");

new MedallionLake("lake", {
    environment: "dev",
    config: {
        name: "shop",
        protect: false,
        sources: [
            {
                name: "orders",
                engine: "mysql",
                host: "db.internal",
                database: "shop",
                secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-AbCdEf",
                tables: ["orders"],
            },
        ],
    },
});

let printed = false;
process.on("beforeExit", () => {
    if (printed) return;
    printed = true;
    // A file asset's path is a promise; every registration has settled once the event loop is empty.
    Promise.all(registered.map(async (r) => ({ type: r.type, name: r.name, source: r.inputs.source?.path ? await r.inputs.source.path : undefined }))).then(
        (resources) => process.stdout.write(JSON.stringify({ resources }) + "\n"),
    );
});
