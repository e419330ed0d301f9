import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { LakeConfigError, parseLakeConfig } from "medallion-lake";
import { DEFAULT_PORTS, columnTypeProblem } from "../../packages/medallion-lake/src/model/config";
import { scheduleProblem } from "../../packages/medallion-lake/src/model/schedule";
import { rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const minimal = () => ({
    name: "shop",
    sources: [{ name: "pg", engine: "postgres", host: "db", database: "d", secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf", tables: ["public.orders"] }],
});

function issuesOf(raw: unknown): { path: string; message: string }[] {
    try {
        parseLakeConfig(raw, PROJECT_ROOT);
    } catch (e) {
        expect(e).to.be.instanceOf(LakeConfigError);
        return (e as LakeConfigError).issues;
    }
    throw new Error("expected parseLakeConfig to throw");
}

describe("parseLakeConfig", () => {
    it("applies every documented default to a minimal config", () => {
        const c = parseLakeConfig(minimal(), PROJECT_ROOT);
        expect(c.jobs).to.deep.equal({ glueVersion: "5.0", workerType: "G.1X", numberOfWorkers: 2, timeoutMinutes: 60, maxRetries: 0 });
        expect(c.athena).to.deep.equal({ bytesScannedCutoffPerQuery: 10737418240, resultRetentionDays: 7, engineVersion: "Athena engine version 3" });
        expect(c.retention).to.deep.equal({ noncurrentVersionDays: 30, accessLogDays: 365, sparkUiLogDays: 30 });
        expect(c.tableMaintenance).to.deep.equal({ snapshotRetentionDays: 5, snapshotsToKeep: 1, orphanFileRetentionDays: 3, compactionMinInputFiles: 5, compactionSmallFileMiB: 32, compactionDeleteRatio: 0.3 });
        expect(c).to.include({ protect: true, retainOnDelete: true, forceDestroy: false });
        expect(c.tags).to.deep.equal({});
        expect(c.schedule).to.equal(undefined);
        expect(c.network).to.equal(undefined);
        expect(c.sources[0]).to.include({ port: 5432, enforceSsl: true });
        expect(c.sources[0].tables[0]).to.deep.equal({ name: "public.orders", primaryKey: [], watermarkColumn: null, partitionColumn: null, dateColumn: null, columns: [], rules: [], maxDeleteShare: null, reconcile: null });
    });

    it("uses the default port of each engine unless one is given", () => {
        for (const [engine, port, table] of [["postgres", 5432, "s.t"], ["mysql", 3306, "t"], ["sqlserver", 1433, "dbo.t"]] as const) {
            const raw = minimal();
            Object.assign(raw.sources[0], { engine, tables: [table] });
            expect(parseLakeConfig(raw, PROJECT_ROOT).sources[0].port).to.equal(port);
            expect(DEFAULT_PORTS[engine]).to.equal(port);
        }
        const raw = minimal();
        Object.assign(raw.sources[0], { port: 6543 });
        expect(parseLakeConfig(raw, PROJECT_ROOT).sources[0].port).to.equal(6543);
    });

    it("retainOnDelete follows protect unless set", () => {
        expect(parseLakeConfig({ ...minimal(), protect: false }, PROJECT_ROOT).retainOnDelete).to.equal(false);
        expect(parseLakeConfig({ ...minimal(), protect: false, retainOnDelete: true }, PROJECT_ROOT).retainOnDelete).to.equal(true);
    });

    it("keeps column types and formats in config order", () => {
        const t = parseLakeConfig(rawLake("dev"), PROJECT_ROOT).sources[1].tables[2];
        expect(t.name).to.equal("sales");
        expect(t.columns.map((c) => c.name)).to.deep.equal(["salesid", "listid", "sellerid", "buyerid", "eventid", "dateid", "qtysold", "pricepaid", "commission", "saletime"]);
        expect(t.columns[7]).to.deep.equal({ name: "pricepaid", type: "decimal(8,2)", format: null, classification: null });
        expect(t.columns[9]).to.deep.equal({ name: "saletime", type: "timestamp", format: "M/d/yyyy HH:mm:ss", classification: null });
    });

    it("accepts the dev, prod and local stack configs", () => {
        for (const env of ["dev", "prod", "local"]) expect(parseLakeConfig(rawLake(env), PROJECT_ROOT).sources).to.have.length(4 - 1);
    });

    it("lists every problem at once, each with its path", () => {
        const raw: any = minimal();
        raw.name = "Shop";
        raw.sources[0].engine = "oracle";
        raw.jobs = { numberOfWorkers: 1 };
        const issues = issuesOf(raw);
        expect(issues.map((i) => i.path)).to.have.members(["name", "sources[0].engine", "jobs.numberOfWorkers"]);
        expect(issues.find((i) => i.path === "sources[0].engine")!.message).to.equal("expected one of postgres, mysql, sqlserver");
        try {
            parseLakeConfig(raw, PROJECT_ROOT);
        } catch (e) {
            expect((e as Error).message).to.contain("sources[0].engine: expected one of postgres, mysql, sqlserver");
            expect((e as Error).message).to.contain("3 problems");
        }
    });

    it("names a missing required field as required", () => {
        const raw: any = minimal();
        delete raw.sources[0].host;
        expect(issuesOf(raw)).to.deep.equal([{ path: "sources[0].host", message: "required" }]);
    });

    it("names an infinite or NaN number as such (TypeScript callers; Pulumi config turns them into null)", () => {
        expect(issuesOf({ ...minimal(), jobs: { numberOfWorkers: Infinity } })).to.deep.equal([{ path: "jobs.numberOfWorkers", message: "expected a finite number, got Infinity" }]);
        const raw: any = minimal();
        raw.sources[0].port = NaN;
        expect(issuesOf(raw)).to.deep.equal([{ path: "sources[0].port", message: "expected a finite number, got NaN" }]);
    });

    it("rejects a non-object config", () => {
        expect(issuesOf("tickit")[0]).to.deep.equal({ path: "", message: "expected object, got string" });
    });

    it("validates column types", () => {
        expect(columnTypeProblem("decimal(18,2)")).to.equal(undefined);
        expect(columnTypeProblem("timestamp")).to.equal(undefined);
        expect(columnTypeProblem("decimal(2,3)")).to.match(/scale/);
        expect(columnTypeProblem("decimal(39,2)")).to.match(/precision/);
        expect(columnTypeProblem("varchar")).to.match(/expected one of/);
    });

    it("rejects a maxDeleteShare outside 0..1, lake-wide or per table, naming the field", () => {
        const raw: any = minimal();
        raw.maxDeleteShare = 1.5;
        raw.sources[0].tables = [{ name: "s.t", maxDeleteShare: -0.1 }];
        expect(issuesOf(raw)).to.deep.equal([
            { path: "sources[0].tables[0].maxDeleteShare", message: "must be a share of the table's rows from 0 to 1 (0.5 = half), got less than 0" },
            { path: "maxDeleteShare", message: "must be a share of the table's rows from 0 to 1 (0.5 = half), got more than 1" },
        ]);
        expect(parseLakeConfig(minimal(), PROJECT_ROOT).maxDeleteShare).to.equal(0.5);
    });

    it("takes reconcile as keys or { compare, everyRuns }, everyRuns defaulting to 1", () => {
        const raw: any = minimal();
        const table = { primaryKey: ["id"], watermarkColumn: "id", columns: { id: "int" } };
        raw.sources[0].tables = [
            { name: "s.a", ...table, reconcile: "keys" },
            { name: "s.b", ...table, reconcile: { compare: "keys", everyRuns: 7 } },
            { name: "s.c", ...table },
        ];
        expect(parseLakeConfig(raw, PROJECT_ROOT).sources[0].tables.map((t) => t.reconcile)).to.deep.equal([
            { compare: "keys", everyRuns: 1 },
            { compare: "keys", everyRuns: 7 },
            null,
        ]);
    });

    it("refuses reconcile without a watermark or without a primary key, naming the field", () => {
        const raw: any = minimal();
        raw.sources[0].tables = [
            { name: "s.a", primaryKey: ["id"], reconcile: "keys" },
            { name: "s.b", watermarkColumn: "id", reconcile: "keys" },
        ];
        expect(issuesOf(raw)).to.deep.equal([
            {
                path: "sources[0].tables[0].reconcile",
                message: "reconcile needs a watermarkColumn: a table without one is read whole each run and already follows its source's deletes",
            },
            { path: "sources[0].tables[1].reconcile", message: "reconcile needs a primaryKey: it compares the source's keys with silver's" },
        ]);
    });

    it("accepts reconcile rows, shorthand and with everyRuns", () => {
        const raw: any = minimal();
        const table = { primaryKey: ["id"], watermarkColumn: "id", columns: { id: "int" } };
        raw.sources[0].tables = [
            { name: "s.a", ...table, reconcile: "rows" },
            { name: "s.b", ...table, reconcile: { compare: "rows", everyRuns: 7 } },
        ];
        expect(parseLakeConfig(raw, PROJECT_ROOT).sources[0].tables.map((t) => t.reconcile)).to.deep.equal([
            { compare: "rows", everyRuns: 1 },
            { compare: "rows", everyRuns: 7 },
        ]);
    });

    it("refuses a source column named _row_hash (a rows table's hash column in bronze)", () => {
        const raw: any = minimal();
        raw.sources[0].tables = [{ name: "s.a", primaryKey: ["id"], watermarkColumn: "id", columns: { id: "int", _Row_Hash: "string" } }];
        expect(issuesOf(raw).map((i: any) => i.path)).to.deep.equal(["sources[0].tables[0].columns._Row_Hash"]);
    });

    it("refuses an unknown compare, everyRuns below 1 and unknown reconcile fields", () => {
        const raw: any = minimal();
        raw.sources[0].tables = [
            { name: "s.d", primaryKey: ["id"], watermarkColumn: "id", reconcile: "hashes" },
            { name: "s.e", primaryKey: ["id"], watermarkColumn: "id", reconcile: { compare: "keys", everyRuns: 0 } },
            { name: "s.f", primaryKey: ["id"], watermarkColumn: "id", reconcile: { compare: "keys", every: 2 } },
        ];
        expect(issuesOf(raw)).to.deep.equal([
            { path: "sources[0].tables[0].reconcile", message: "expected one of keys, rows" },
            { path: "sources[0].tables[1].reconcile.everyRuns", message: "must be a whole number of runs, at least 1" },
            { path: "sources[0].tables[2].reconcile.every", message: "unknown field" },
        ]);
    });

    it("rejects a dateColumn that is not a date or timestamp", () => {
        const raw: any = minimal();
        raw.sources[0].tables = [{ name: "s.t", dateColumn: "id", columns: { id: "int" } }];
        expect(issuesOf(raw)).to.deep.equal([{ path: "sources[0].tables[0].dateColumn", message: 'must be a date or timestamp column, "id" is int' }]);
    });

    it("rejects two tables with the same short name in one source", () => {
        const raw: any = minimal();
        raw.sources[0].tables = ["a.orders", "b.orders"];
        expect(issuesOf(raw)[0].path).to.equal("sources[0].tables[1]");
    });
});

describe("parseLakeConfig: pulumi Inputs", () => {
    const output = (v: string) => pulumi.output(v);

    it("accepts Outputs for the pass-through ids and ARNs and keeps them as given", () => {
        const subnetId = output("subnet-0abc");
        const secretArn = output("arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf");
        const kmsKeyArn = output("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-0000-4000-8000-000000000000");
        const config = parseLakeConfig({
            ...minimal(),
            network: { subnetId, availabilityZone: "eu-west-1a", securityGroupIds: [output("sg-0abc"), "sg-0def0def"] },
            sources: [{ ...minimal().sources[0], secretArn }],
            kmsKeyArn,
        }, PROJECT_ROOT);
        expect(config.network!.subnetId).to.equal(subnetId);
        expect(config.sources[0].secretArn).to.equal(secretArn);
        expect(config.kmsKeyArn).to.equal(kmsKeyArn);
    });

    it("still checks literals in those fields, and refuses Outputs everywhere else", () => {
        expect(issuesOf({ ...minimal(), kmsKeyArn: "alias/mine" })).to.deep.equal([
            { path: "kmsKeyArn", message: "must be a KMS key ARN (arn:...:kms:<region>:<account>:key/<id>)" },
        ]);
        const issues = issuesOf({ ...minimal(), name: output("shop"), sources: [{ ...minimal().sources[0], host: output("db") }] });
        expect([...new Set(issues.map((i) => i.path))]).to.deep.equal(["name", "sources[0].host"]);
        expect(issues[0].message).to.match(/^expected string, got object/);
    });
});

describe("scheduleProblem: AWS's cron rules for Glue triggers", () => {
    // docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html and EventBridge's cron reference.
    const accepted = [
        "cron(0 2 * * ? *)",
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)",
        "cron(*/30 * * * ? *)",
        "cron(0 9 ? JAN,JUL 2 2025-2030)",
        "cron(0 10 L * ? *)",
        "cron(0 10 3W * ? *)",
        "cron(0 10 ? * 6L *)",
        "cron(0 10 ? * L *)",
        "cron(0 10 ? * 3#2 *)",
        "cron(58 * * * ? *)",
        "cron(0 2 29 2 ? *)",
    ];
    for (const schedule of accepted) it(`accepts ${schedule}`, () => expect(scheduleProblem(schedule)).to.equal(undefined));

    it("names what is wrong, with the expression", () => {
        expect(scheduleProblem("cron(0 2 * * * *)")).to.match(/^exactly one of day-of-month and day-of-week must be \?.*got "cron\(0 2 \* \* \* \*\)"$/);
        expect(scheduleProblem("cron(0 23-1 * * ? *)")).to.match(/hours range "23-1" ends before it starts/);
        // 58 and 1 minutes past consecutive hours are 3 minutes apart.
        expect(scheduleProblem("cron(1,58 * * * ? *)")).to.match(/more often than every 5 minutes/);
        expect(scheduleProblem("cron(1,58 2 * * ? *)")).to.equal(undefined);
        expect(scheduleProblem("cron(0 2 31 4,6 ? *)")).to.match(/day-of-month 31 never occurs in month 4,6/);
    });
});
