/**
 * Malformed configs run through the real program under mocks: each is rejected with an error that
 * names the bad field, and nothing but the stack itself is registered.
 */
import { expect } from "chai";
import { LakeConfigError } from "medallion-lake";
import { runUnderMocks } from "../../local-lake/lib/mock-run";
import { createLake } from "../../stacks/program";
import { rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

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
    ["bronze tiering, which would bill every silver rebuild as a retrieval", (l) => (l.retention.bronze = { infrequentAccessDays: 30, archiveDays: 90 }), "retention.bronze", /it is what silver rebuilds a table from, on its first run, after a type change/],
    ["bad subnet id", (l) => (l.network.subnetId = "my-subnet"), "network.subnetId", /subnet id/],
    ["no sources", (l) => (l.sources = []), "sources", /at least one source/],
    ["force destroy on protected data", (l) => (l.protect = true), "forceDestroy", /cannot be true while data is protected/],
    ["reserved tag", (l) => (l.tags.environment = "x"), "tags.environment", /reserved/],
    ["more tags than S3 objects take", (l) => Object.assign(l.tags, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t${i}`, "v"]))), "tags", /at most 8 tags/],
    ["typo in a field name", (l) => (l.jobs.numberOfWorker = 3), "jobs.numberOfWorker", /unknown field/],

    // Glue versions: the scripts need Python 3.11, Spark 3.5 and Iceberg 1.7 (Glue 5.0).
    ["Glue 4.0, where every job fails at import", (l) => (l.jobs.glueVersion = "4.0"), "jobs.glueVersion", /^expected "5\.0": .*Glue 4\.0 has Python 3\.10 and Spark 3\.3/],
    ["unknown Glue version", (l) => (l.jobs.glueVersion = "6"), "jobs.glueVersion", /^expected "5\.0"/],

    // Secrets Manager ARNs: the IAM grant is made from the ARN, so it must be the full one.
    ["secret ARN without its random suffix", (l) => (l.sources[0].secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/tickit/saas"), "sources[0].secretArn", /six random characters .*describe-secret/],
    ["secret ARN with a short suffix", (l) => (l.sources[2].secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:crm-AbCd"), "sources[2].secretArn", /full ARN/],
    ["secret ARN of an unknown partition", (l) => (l.sources[0].secretArn = "arn:awsx:secretsmanager:us-east-1:123456789012:secret:saas-AbCdEf"), "sources[0].secretArn", /Secrets Manager secret ARN/],
    ["secret ARN with an 11-digit account", (l) => (l.sources[0].secretArn = "arn:aws:secretsmanager:us-east-1:12345678901:secret:saas-AbCdEf"), "sources[0].secretArn", /Secrets Manager secret ARN/],
    ["secret ARN with an uppercase region", (l) => (l.sources[0].secretArn = "arn:aws:secretsmanager:US-EAST-1:123456789012:secret:saas-AbCdEf"), "sources[0].secretArn", /Secrets Manager secret ARN/],

    // Lake and catalog table names that collide, or that Athena and Glue cannot take.
    [
        "two sources' tables with the same <source>_<table>",
        (l) => {
            l.sources[0].tables.push("saas.venue_users"); // saas + venue_users
            l.sources[2].name = "saas_venue"; // saas_venue + users
        },
        "sources[2].tables[0].name",
        /lake table name "saas_venue_users" .* also that of sources\[0\]\.tables\[3\]/,
    ],
    ["two tables of a source equal but for case", (l) => (l.sources[1].tables[1].name = "Sales"), "sources[1].tables[2].name", /short name "sales" already used by tables\[1\]/],
    ["two tables whose crawled names collide", (l) => l.sources[0].tables.push("a_b.c", "a.b_c"), "sources[0].tables[4]", /crawler's table name "saas_tickit_a_b_c" .* also that of sources\[0\]\.tables\[3\]/],
    ["a crawled table name past Glue's 255 characters", (l) => (l.sources[2].tables[0].name = `${"s".repeat(128)}.${"t".repeat(128)}`), "sources[2].tables[0].name", /longer than Glue's 255/],
    ["a table part with $, which Athena table names refuse", (l) => (l.sources[1].tables[0].name = "da$te"), "sources[1].tables[0].name", /must not contain \$/],
    ["a postgres table name past 63 characters", (l) => (l.sources[0].tables[0].name = `saas.${"c".repeat(64)}`), "sources[0].tables[0].name", /at most 63/],
    ["a column named like the lake's own", (l) => (l.sources[0].tables[0].columns._INGESTED_AT = "timestamp"), "sources[0].tables[0].columns._INGESTED_AT", /lake's own columns/],
    ["two columns equal but for case", (l) => (l.sources[0].tables[0].columns.CatId = "int"), "sources[0].tables[0].columns.CatId", /same name as column "catid" but for case/],
    ["a column name past 128 characters", (l) => (l.sources[0].tables[0].columns["c".repeat(129)] = "int"), `sources[0].tables[0].columns.${"c".repeat(129)}`, /at most 128/],
    ["an empty columns map", (l) => (l.sources[0].tables[0].columns = {}), "sources[0].tables[0].columns", /at least one column/],
    ["a primary key column given twice", (l) => (l.sources[0].tables[0].primaryKey = ["catid", "catid"]), "sources[0].tables[0].primaryKey[1]", /already primaryKey\[0\]/],
    ["a username past 128 characters", (l) => (l.sources[1].username = "u".repeat(129)), "sources[1].username", /at most 128/],
    ["more sources than a Glue trigger runs", (l) => (l.sources = Array.from({ length: 50 }, (_, i) => ({ ...l.sources[0], name: `s${i}` }))), "sources", /at most 49 sources/],

    // Schedules AWS's cron refuses (docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html).
    ["schedule with both day fields", (l) => (l.schedule = "cron(0 2 * * * *)"), "schedule", /exactly one of day-of-month and day-of-week must be \?/],
    ["schedule with neither day field", (l) => (l.schedule = "cron(0 2 ? * ? *)"), "schedule", /exactly one of day-of-month and day-of-week/],
    ["schedule minute 60", (l) => (l.schedule = "cron(60 2 * * ? *)"), "schedule", /minutes 60 is outside 0-59/],
    ["schedule hour 24", (l) => (l.schedule = "cron(0 24 * * ? *)"), "schedule", /hours 24 is outside 0-23/],
    ["schedule day 0", (l) => (l.schedule = "cron(0 2 0 * ? *)"), "schedule", /day-of-month 0 is outside 1-31/],
    ["schedule month 13", (l) => (l.schedule = "cron(0 2 * 13 ? *)"), "schedule", /month 13 is outside 1-12/],
    ["schedule unknown month name", (l) => (l.schedule = "cron(0 2 * JANUARY ? *)"), "schedule", /not a number or one of JAN-DEC/],
    ["schedule weekday 8", (l) => (l.schedule = "cron(0 2 ? * 8 *)"), "schedule", /day-of-week 8 is outside 1-7/],
    ["schedule year before 1970", (l) => (l.schedule = "cron(0 2 * * ? 1969)"), "schedule", /year 1969 is outside 1970-2199/],
    ["schedule with five fields", (l) => (l.schedule = "cron(0 2 * * ?)"), "schedule", /six fields/],
    ["schedule as a rate", (l) => (l.schedule = "rate(1 day)"), "schedule", /not rate\(\.\.\.\)/],
    ["schedule every minute", (l) => (l.schedule = "cron(* * * * ? *)"), "schedule", /more often than every 5 minutes/],
    ["schedule every 2 minutes", (l) => (l.schedule = "cron(0/2 * * * ? *)"), "schedule", /more often than every 5 minutes/],
    ["schedule W in day-of-week", (l) => (l.schedule = "cron(0 2 ? * 2W *)"), "schedule", /day-of-week/],
    ["schedule # in day-of-month", (l) => (l.schedule = "cron(0 2 1#2 * ? *)"), "schedule", /day-of-month/],
    ["schedule sixth Tuesday", (l) => (l.schedule = "cron(0 2 ? * 3#6 *)"), "schedule", /after # must be 1-5/],
    ["schedule two # expressions", (l) => (l.schedule = "cron(0 2 ? * 3#1,6#3 *)"), "schedule", /stand alone/],
    ["schedule L in a list", (l) => (l.schedule = "cron(0 2 L,15 * ? *)"), "schedule", /stand alone/],
    ["schedule on February 30th", (l) => (l.schedule = "cron(0 2 30 2 ? *)"), "schedule", /never occurs/],
    ["schedule with a reversed range", (l) => (l.schedule = "cron(0 20-4 * * ? *)"), "schedule", /ends before it starts/],
    ["schedule with a zero increment", (l) => (l.schedule = "cron(0/0 2 * * ? *)"), "schedule", /increment "\/0"/],

    // Tags past AWS's limits.
    ["tag key with a character AWS refuses", (l) => (l.tags["cost*center"] = "x"), "tags.cost*center", /tag keys take letters, digits, spaces/],
    ["tag value with a character AWS refuses", (l) => (l.tags.team = "data;platform"), "tags.team", /tag values take letters, digits, spaces/],
    ["tag key past 128 characters", (l) => (l.tags["k".repeat(129)] = "x"), `tags.${"k".repeat(129)}`, /tag keys must be 1-128 characters/],
    ["tag value past 256 characters", (l) => (l.tags.team = "v".repeat(257)), "tags.team", /tag values must be 0-256 characters/],
    ["tag key with the aws: prefix in capitals", (l) => (l.tags["AWS:owner"] = "x"), "tags.AWS:owner", /must not start with aws:/],
    ["tag value with the aws: prefix", (l) => (l.tags.team = "aws:data"), "tags.team", /must not start with aws:/],
    ["tag the component sets on buckets and jobs", (l) => (l.tags.layer = "x"), "tags.layer", /reserved/],
    ["a component tag in other case, which IAM takes for the same", (l) => (l.tags.Lake = "x"), "tags.Lake", /reserved: the component sets the tag lake \(IAM compares tag keys ignoring case\)/],
    ["two tag keys equal but for case", (l) => (l.tags.Team = "x"), "tags.Team", /same key as tag "team" but for case/],

    // Numbers past Glue's and Athena's bounds.
    ["job timeout past 7 days", (l) => (l.jobs.timeoutMinutes = 10081), "jobs.timeoutMinutes", /at most 10080/],
    ["more G.2X workers than Glue takes", (l) => Object.assign(l.jobs, { workerType: "G.2X", numberOfWorkers: 150 }), "jobs.numberOfWorkers", /at most 149 with workerType G\.2X/],
    ["more G.1X workers than Glue takes", (l) => (l.jobs.numberOfWorkers = 300), "jobs.numberOfWorkers", /<=299/],
    ["fractional workers", (l) => (l.jobs.numberOfWorkers = 2.5), "jobs.numberOfWorkers", /int/],
    ["negative retries", (l) => (l.jobs.maxRetries = -1), "jobs.maxRetries", />=0/],
    ["an Athena engine version the queries are not written for", (l) => (l.athena.engineVersion = "Athena engine version 2"), "athena.engineVersion", /^expected "Athena engine version 3"/],
    ["query results kept 0 days", (l) => (l.athena.resultRetentionDays = 0), "athena.resultRetentionDays", />=1/],
    ["a fractional scan cutoff", (l) => (l.athena.bytesScannedCutoffPerQuery = 1073741824.5), "athena.bytesScannedCutoffPerQuery", /int/],

    // Ids and names that reach AWS.
    ["a KMS key ARN whose id is no key id", (l) => (l.kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/my-key"), "kmsKeyArn", /KMS key ARN/],
    ["a subnet id of 5 hex digits", (l) => (l.network.subnetId = "subnet-0abc1"), "network.subnetId", /8 or 17 hex digits/],
    ["a security group id that is not hex", (l) => (l.network.securityGroupIds = ["sg-0a1b2c3g"]), "network.securityGroupIds[0]", /8 or 17 hex digits/],
    ["a security group given twice", (l) => l.network.securityGroupIds.push(l.network.securityGroupIds[0]), "network.securityGroupIds[1]", /already securityGroupIds\[0\]/],
    ["more security groups than a Glue connection takes", (l) => (l.network.securityGroupIds = Array.from({ length: 51 }, (_, i) => `sg-${i.toString(16).padStart(8, "0")}`)), "network.securityGroupIds", /at most 50/],
    ["an availability zone without its letter", (l) => (l.network.availabilityZone = "us-east-1"), "network.availabilityZone", /availability zone/],
    ["a lake name S3 refuses as a bucket prefix", (l) => (l.name = "sthree"), "name", /must not start with sthree- or amzn-s3-demo-/],
    ["a lake name past 16 characters", (l) => (l.name = "a".repeat(17)), "name", /at most 16/],
    ["a port of 0", (l) => (l.sources[0].port = 0), "sources[0].port", />=1/],
    ["a column map with a constructor key", (l) => (l.sources[0].tables[0].columns = JSON.parse('{"constructor": "int"}')), "sources[0].tables[0].columns", /constructor and __proto__ cannot be keys/],

    // One lake, one Region: S3 encrypts with keys of its Region, Glue reads secrets and subnets of its own.
    ["a secret in another Region", (l) => (l.sources[2].secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/tickit/crm-AbCdEf"), "sources[2].secretArn", /^is in Region eu-west-1, network\.availabilityZone in us-east-1/],
    ["a KMS key in another Region", (l) => (l.kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-0000-4000-8000-000000000000"), "kmsKeyArn", /^is in Region eu-west-1, network\.availabilityZone in us-east-1/],
];

async function expectRejected(lake: unknown, stack: string, secrets: Record<string, string> = {}): Promise<LakeConfigError> {
    const registered: string[] = [];
    let error: unknown;
    try {
        await runUnderMocks({
            stack,
            config: { "aws:region": "us-east-1", "medallion-lake:lake": lake, ...secrets },
            secretKeys: Object.keys(secrets),
            program: () => createLake({ baseDir: PROJECT_ROOT }).outputs(),
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

    it("a stack name that makes the buckets start with a prefix S3 refuses -> environment", async () => {
        const lake = { ...rawLake("dev"), name: "amzn-s3" };
        const err = await expectRejected(lake, "demo", { "medallion-lake:ecommDbPassword": "pw" });
        expect(err.issues).to.deep.equal([{ path: "environment", message: '"demo" after lake "amzn-s3" makes bucket names start with amzn-s3-demo-, a prefix S3 refuses' }]);
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
