/**
 * Malformed configs run through the real program under mocks: each is rejected with an error that
 * names the bad field, and nothing but the stack itself is registered.
 */
import { expect } from "chai";
import { LakeConfigError } from "../../components/medallion-lake";
import { runUnderMocks } from "../../stacks/mock-run";
import { createLake } from "../../stacks/program";
import { rawLake } from "./helpers";

type Mutation = (lake: any) => void;

const CASES: [string, Mutation, string, RegExp][] = [
    ["unknown engine", (l) => (l.sources[1].engine = "oracle"), "sources[1].engine", /expected one of postgres, mysql, sqlserver/],
    ["no credentials", (l) => delete l.sources[0].secretArn, "sources[0].secretArn", /credentials required/],
    ["plaintext password", (l) => (l.sources[0].password = "hunter2"), "sources[0].password", /plaintext passwords are not allowed/],
    ["both secretArn and passwordSecret", (l) => Object.assign(l.sources[0], { passwordSecret: "x", username: "u" }), "sources[0].passwordSecret", /either secretArn or passwordSecret/],
    ["passwordSecret without username", (l) => delete l.sources[1].username, "sources[1].username", /required when passwordSecret is set/],
    ["postgres table without schema", (l) => (l.sources[0].tables[0].name = "category"), "sources[0].tables[0].name", /schema\.table/],
    ["mysql table with schema", (l) => (l.sources[1].tables[0] = "shop.date"), "sources[1].tables[0]", /no schema/],
    ["duplicate source name", (l) => (l.sources[2].name = "saas"), "sources[2].name", /duplicate source name "saas"/],
    ["bad column type", (l) => (l.sources[1].tables[2].columns.pricepaid = "money"), "sources[1].tables[2].columns.pricepaid", /got "money"/],
    ["primary key not a column", (l) => (l.sources[0].tables[1].primaryKey = ["venue_id"]), "sources[0].tables[1].primaryKey[0]", /"venue_id" is not in columns/],
    // Host and database are spliced into the JDBC URL: nothing may add driver properties to it.
    ["host with a path and driver property", (l) => (l.sources[0].host = "db.internal/tickit?socketFactory=x"), "sources[0].host", /must be a host name .* got "db\.internal\/tickit\?socketFactory=x"/],
    ["SQL Server database with a connection property", (l) => (l.sources[2].database = "tickit;integratedSecurity=true"), "sources[2].database", /must be a sqlserver database name/],
    ["postgres database with a query string", (l) => (l.sources[0].database = "tickit?sslmode=disable"), "sources[0].database", /must be a postgres database name/],
    ["secret ARN with a wildcard", (l) => (l.sources[0].secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:*"), "sources[0].secretArn", /no wildcards/],
    ["watermark column that is not an identifier", (l) => (l.sources[1].tables[0] = { name: "date", watermarkColumn: 'dateid" OR 1=1' }), "sources[1].tables[0].watermarkColumn", /must be identifiers/],
    ["CA certificate that is not an S3 PEM location", (l) => (l.sources[0].caCertificate = "https://pki.internal/root.pem"), "sources[0].caCertificate", /must be the S3 location of a PEM certificate/],
    ["CA certificate without TLS", (l) => Object.assign(l.sources[0], { caCertificate: "s3://certs-1/root.pem", enforceSsl: false }), "sources[0].caCertificate", /requires enforceSsl/],
    ["port out of range", (l) => (l.sources[0].port = 70000), "sources[0].port", /65535/],
    ["bad worker type", (l) => (l.jobs.workerType = "G.3X"), "jobs.workerType", /expected one of G\.1X, G\.2X, G\.4X, G\.8X$/],
    // G.025X is for streaming jobs and Z.2X for Ray jobs: CreateJob rejects both for a glueetl job.
    ["streaming-only worker type", (l) => (l.jobs.workerType = "G.025X"), "jobs.workerType", /expected one of G\.1X, G\.2X, G\.4X, G\.8X$/],
    ["Ray-only worker type", (l) => (l.jobs.workerType = "Z.2X"), "jobs.workerType", /expected one of G\.1X, G\.2X, G\.4X, G\.8X$/],
    ["too few workers", (l) => (l.jobs.numberOfWorkers = 1), "jobs.numberOfWorkers", />=2/],
    ["schedule not a cron", (l) => (l.schedule = "daily"), "schedule", /cron expression/],
    ["uppercase lake name", (l) => (l.name = "TICKIT"), "name", /lowercase/],
    ["scan cutoff below Athena's minimum", (l) => (l.athena.bytesScannedCutoffPerQuery = 1000), "athena.bytesScannedCutoffPerQuery", /at least 10485760/],
    // Tiering bronze would charge a retrieval of all of bronze on every silver run.
    ["bronze tiering while silver re-reads all of bronze", (l) => (l.retention.bronze = { infrequentAccessDays: 30, archiveDays: 90 }), "retention.bronze", /silver rebuilds every table from all of bronze on every run/],
    ["bad subnet id", (l) => (l.network.subnetId = "my-subnet"), "network.subnetId", /subnet id/],
    ["no sources", (l) => (l.sources = []), "sources", /at least one source/],
    ["force destroy on protected data", (l) => (l.protect = true), "forceDestroy", /cannot be true while data is protected/],
    ["reserved tag", (l) => (l.tags.environment = "x"), "tags.environment", /reserved/],
    ["more tags than S3 objects take", (l) => Object.assign(l.tags, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t${i}`, "v"]))), "tags", /at most 8 tags/],
    ["typo in a field name", (l) => (l.jobs.numberOfWorker = 3), "jobs.numberOfWorker", /unknown field/],
];

async function expectRejected(lake: unknown, stack: string, secrets: Record<string, string> = {}): Promise<LakeConfigError> {
    const registered: string[] = [];
    let error: unknown;
    try {
        await runUnderMocks({
            stack,
            config: { "aws:region": "us-east-1", "medallion-lake:lake": lake, ...secrets },
            secretKeys: Object.keys(secrets),
            program: () => createLake().outputs(),
            onResource: (r) => registered.push(r.type),
        });
    } catch (e) {
        error = e;
    }
    // The stack resource is the runtime's own; the program must add nothing to it.
    expect(registered, "resources registered").to.deep.equal(["pulumi:pulumi:Stack"]);
    expect(error).to.be.instanceOf(LakeConfigError);
    return error as LakeConfigError;
}

describe("malformed configs are rejected before any resource is registered", () => {
    for (const [title, mutate, path, message] of CASES) {
        it(`${title} -> ${path}`, async () => {
            const lake = rawLake("dev");
            mutate(lake);
            const err = await expectRejected(lake, "dev", { "medallion-lake:ecommDbPassword": "pw" });
            const issue = err.issues.find((i) => i.path === path);
            expect(issue, `issues: ${JSON.stringify(err.issues)}`).to.not.equal(undefined);
            expect(issue!.message).to.match(message);
            expect(err.message).to.contain(`${path}: ${issue!.message}`);
        });
    }

    it("a stack name that cannot name AWS resources -> environment", async () => {
        const err = await expectRejected(rawLake("dev"), "Prod_EU", { "medallion-lake:ecommDbPassword": "pw" });
        expect(err.issues[0].path).to.equal("environment");
    });

    it("an unset passwordSecret -> names the key and the command to set it", async () => {
        const err = await expectRejected(rawLake("dev"), "dev");
        expect(err.issues).to.deep.equal([
            {
                path: "sources[1].passwordSecret",
                message: 'no value for Pulumi secret "ecommDbPassword": run pulumi config set --secret ecommDbPassword <password>',
            },
        ]);
    });
});
