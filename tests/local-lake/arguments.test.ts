import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { localJobArguments, newBatchId, submitArgv } from "../../local-lake/lib/arguments";
import { defaultDataDir, lakeLayout, PROJECT_ROOT } from "../../local-lake/lib/layout";

const contract = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "glue-scripts", "medallion", "job_arguments.json"), "utf8")).jobs as Record<
    string,
    { required: string[]; optional: string[] }
>;

describe("local lake: Glue job arguments", () => {
    const layout = lakeLayout("/data/lake-run");

    for (const layer of ["bronze", "silver", "gold"] as const) {
        it(`${layer}: passes every argument of job_arguments.json, and nothing else`, () => {
            // With models named (gold's --models; the other jobs take none).
            const names = Object.keys(localJobArguments(layer, layout, "local", "b1", ["m1", "m2"])).map((k) => k.replace(/^--/, ""));
            // Lake Formation is AWS-only (the local lake's catalog enforces nothing of it): no local --lake_formation_tag.
            const awsOnly = ["lake_formation_tag"];
            expect(names.sort()).to.deep.equal([...contract[layer].required, ...contract[layer].optional].filter((n) => !awsOnly.includes(n)).sort());
        });
    }

    it("points the jobs at file:// lake folders laid out like the buckets", () => {
        expect(localJobArguments("bronze", layout, "local", "20261124T060000Z")).to.deep.equal({
            "--lake_spec": "file:///data/lake-run/lake/assets/lake-spec.json",
            "--environment": "local",
            "--bronze_path": "file:///data/lake-run/lake/bronze",
            "--batch_id": "20261124T060000Z",
            "--local_connections": "/data/lake-run/sources/connections.json",
        });
        expect(localJobArguments("gold", layout, "dev", "b2", ["sales_by_month", "top_buyers"])["--models"]).to.equal("sales_by_month,top_buyers");
        expect(localJobArguments("gold", layout, "dev", "b2")).to.deep.equal({
            "--lake_spec": "file:///data/lake-run/lake/assets/lake-spec.json",
            "--environment": "dev",
            "--silver_path": "file:///data/lake-run/lake/silver",
            "--gold_path": "file:///data/lake-run/lake/gold",
            "--batch_id": "b2",
        });
    });

    it("builds the local_submit.py command line", () => {
        expect(submitArgv("silver", { "--silver_path": "file:///s", "--batch_id": "b" })).to.deep.equal([
            path.join(PROJECT_ROOT, "glue-scripts", "local_submit.py"),
            "silver",
            "--silver_path",
            "file:///s",
            "--batch_id",
            "b",
        ]);
    });

    it("derives a sortable batch id from the start time", () => {
        expect(newBatchId(new Date("2026-11-24T06:05:09.123Z"))).to.equal("20261124T060509Z");
    });

    it("keeps each stack's local lake in its own data folder", () => {
        expect(defaultDataDir("local")).to.equal(path.join(PROJECT_ROOT, ".local-lake"));
        expect(defaultDataDir("dev")).to.equal(path.join(PROJECT_ROOT, ".local-lake", "stacks", "dev"));
    });
});
