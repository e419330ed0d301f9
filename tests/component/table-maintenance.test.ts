import { expect } from "chai";
import { lakeSpec, parseLakeConfig } from "medallion-lake";
import { tableMaintenanceIssues } from "../../packages/medallion-lake/src/model/table-maintenance";
import { configIssues, rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const minimal = (extra: object = {}) => ({
    name: "shop",
    sources: [{ name: "pg", engine: "postgres", host: "db", database: "d", secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf", tables: ["public.orders"] }],
    ...extra,
});

describe("tableMaintenance config", () => {
    it("defaults to Glue's table optimizer retention (5 days, 1 snapshot, orphans after 3 days) and Iceberg's compaction threshold (5 files)", () => {
        expect(parseLakeConfig(minimal(), PROJECT_ROOT).tableMaintenance).to.deep.equal({ snapshotRetentionDays: 5, snapshotsToKeep: 1, orphanFileRetentionDays: 3, compactionMinInputFiles: 5, compactionSmallFileMiB: 32, compactionDeleteRatio: 0.3 });
    });

    it("fills in the keys not given", () => {
        expect(parseLakeConfig(minimal({ tableMaintenance: { snapshotRetentionDays: 7 } }), PROJECT_ROOT).tableMaintenance).to.deep.equal({
            snapshotRetentionDays: 7,
            snapshotsToKeep: 1,
            orphanFileRetentionDays: 3,
            compactionMinInputFiles: 5,
            compactionSmallFileMiB: 32,
            compactionDeleteRatio: 0.3,
        });
    });

    it("rejects what is not an integer at or above each key's minimum, naming the key path", () => {
        const issues = configIssues(minimal({ tableMaintenance: { snapshotRetentionDays: 0, snapshotsToKeep: 1.5, orphanFileRetentionDays: -1, compactionMinInputFiles: 1 } }));
        expect(issues).to.have.members([
            "tableMaintenance.snapshotRetentionDays: must be at least 1 day",
            "tableMaintenance.snapshotsToKeep: expected int, got number",
            "tableMaintenance.orphanFileRetentionDays: must be at least 1 day",
            "tableMaintenance.compactionMinInputFiles: must be at least 2 files",
        ]);
    });

    it("takes a fractional small-file size and delete ratio, and rejects sizes <= 0 and ratios outside (0, 1]", () => {
        const maintenance = parseLakeConfig(minimal({ tableMaintenance: { compactionSmallFileMiB: 0.5, compactionDeleteRatio: 1 } }), PROJECT_ROOT).tableMaintenance;
        expect([maintenance.compactionSmallFileMiB, maintenance.compactionDeleteRatio]).to.deep.equal([0.5, 1]);
        expect(configIssues(minimal({ tableMaintenance: { compactionSmallFileMiB: 0, compactionDeleteRatio: 0 } }))).to.have.members([
            "tableMaintenance.compactionSmallFileMiB: must be more than 0 MiB",
            "tableMaintenance.compactionDeleteRatio: must be more than 0",
        ]);
        expect(configIssues(minimal({ tableMaintenance: { compactionSmallFileMiB: 400, compactionDeleteRatio: 1.5 } }))).to.have.members([
            "tableMaintenance.compactionSmallFileMiB: must be at most 384 MiB (75% of Iceberg's 512 MiB target file size)",
            "tableMaintenance.compactionDeleteRatio: must be at most 1",
        ]);
    });

    it("rejects unknown keys and values of the wrong type", () => {
        expect(configIssues(minimal({ tableMaintenance: { snapshotRetentionHours: 5 } }))).to.deep.equal(["tableMaintenance.snapshotRetentionHours: unknown field"]);
        expect(configIssues(minimal({ tableMaintenance: { snapshotsToKeep: "3" } }))).to.deep.equal(["tableMaintenance.snapshotsToKeep: expected number, got string"]);
    });

    it("rejects an orphan-file retention no longer than a job run may last (it would delete files not yet committed)", () => {
        expect(configIssues(minimal({ jobs: { timeoutMinutes: 2880 }, tableMaintenance: { orphanFileRetentionDays: 2 } }))).to.deep.equal([
            "tableMaintenance.orphanFileRetentionDays: 2 day(s) is not longer than a job run may last (jobs.timeoutMinutes 2880): files a run has written but not yet committed would be deleted as orphans",
        ]);
        expect(parseLakeConfig(minimal({ jobs: { timeoutMinutes: 2880 }, tableMaintenance: { orphanFileRetentionDays: 3 } }), PROJECT_ROOT).tableMaintenance.orphanFileRetentionDays).to.equal(3);
    });
});

describe("tableMaintenanceIssues", () => {
    const settings = { snapshotRetentionDays: 5, snapshotsToKeep: 1, orphanFileRetentionDays: 1, compactionMinInputFiles: 5, compactionSmallFileMiB: 32, compactionDeleteRatio: 0.3 };

    it("accepts a retention longer than the jobs' timeout, and rejects one equal to it", () => {
        expect(tableMaintenanceIssues(settings, { timeoutMinutes: 1439 })).to.deep.equal([]);
        expect(tableMaintenanceIssues(settings, { timeoutMinutes: 1440 }).map((i) => i.path)).to.deep.equal([["tableMaintenance", "orphanFileRetentionDays"]]);
    });
});

describe("lakeSpec tableMaintenance", () => {
    it("carries the settings with their defaults filled in, under exactly the keys the jobs parse", () => {
        expect(lakeSpec(parseLakeConfig(minimal({ tableMaintenance: { compactionMinInputFiles: 10 } }), PROJECT_ROOT), "dev").tableMaintenance).to.deep.equal({
            snapshotRetentionDays: 5,
            snapshotsToKeep: 1,
            orphanFileRetentionDays: 3,
            compactionMinInputFiles: 10,
            compactionSmallFileMiB: 32,
            compactionDeleteRatio: 0.3,
        });
    });

    it("keeps prod's snapshots 7 days (its stack file sets it) and dev's the default 5", () => {
        expect(lakeSpec(parseLakeConfig(rawLake("prod"), PROJECT_ROOT), "prod").tableMaintenance.snapshotRetentionDays).to.equal(7);
        expect(lakeSpec(parseLakeConfig(rawLake("dev"), PROJECT_ROOT), "dev").tableMaintenance.snapshotRetentionDays).to.equal(5);
    });
});
