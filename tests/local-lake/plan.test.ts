import { expect } from "chai";
import { LakeSpec } from "medallion-lake";
import { PLAN_PASSWORD_PLACEHOLDER, planDiagram, planStack, resourceTree, typeCounts } from "../../local-lake/lib/plan";
import { MockResource } from "../../local-lake/lib/mock-run";

const res = (type: string, name: string, parent: string, inputs: Record<string, unknown> = {}): MockResource => ({
    type, name, urn: `urn:${name}`, id: name, custom: true, inputs, secretPaths: [], parent, protect: false, retainOnDelete: false, dependencies: [], provider: "", aliases: [],
});

describe("local lake: npm run plan", () => {
    const resources = [
        res("pulumi:pulumi:Stack", "p-dev", ""),
        res("x:index:Lake", "lake", "urn:p-dev"),
        res("aws:s3/bucket:Bucket", "lake-silver", "urn:lake", { bucket: "b-silver", tags: { layer: "silver" } }),
        res("aws:s3/bucketPolicy:BucketPolicy", "lake-silver-policy", "urn:lake-silver"),
        res("aws:s3/bucket:Bucket", "lake-bronze", "urn:lake", { bucket: "b-bronze", tags: { layer: "bronze" } }),
        res("aws:glue/job:Job", "lake-silver-job", "urn:lake", {
            name: "t-dev-silver",
            tags: { layer: "silver" },
            defaultArguments: { "--bronze_path": "s3://b-bronze", "--silver_path": "s3://b-silver/", "--TempDir": "s3://b-bronze/tmp" },
        }),
        res("aws:glue/trigger:Trigger", "lake-silver-trigger", "urn:lake", {
            name: "t-dev-silver", actions: [{ jobName: "t-dev-silver" }], predicate: { conditions: [{ jobName: "t-dev-bronze" }] },
        }),
    ];

    it("draws the resources as a tree by parent", () => {
        expect(resourceTree(resources).split("\n")).to.deep.equal([
            "p-dev (pulumi:pulumi:Stack)",
            "└─ lake (x:index:Lake)",
            "   ├─ lake-silver-job (aws:glue/job:Job)",
            "   ├─ lake-silver-trigger (aws:glue/trigger:Trigger)",
            "   ├─ lake-bronze (aws:s3/bucket:Bucket)",
            "   └─ lake-silver (aws:s3/bucket:Bucket)",
            "      └─ lake-silver-policy (aws:s3/bucketPolicy:BucketPolicy)",
        ]);
    });

    it("counts resources per type, most numerous first", () => {
        expect(typeCounts(resources).slice(0, 2)).to.deep.equal([
            { type: "aws:s3/bucket:Bucket", count: 2 },
            { type: "aws:glue/job:Job", count: 1 },
        ]);
    });

    it("draws which buckets a job reads and writes from its path arguments, and the trigger chain", () => {
        const spec = { sources: [], databases: { source: "s", bronze: "b", silver: "si", gold: "g" } } as unknown as LakeSpec;
        const mmd = planDiagram({ stack: "dev", spec, resources });
        expect(mmd).to.match(/^flowchart LR\n/);
        expect(mmd).to.contain("bucket_b_bronze -->|reads| job_t_dev_silver");
        expect(mmd).to.contain("job_t_dev_silver -->|writes| bucket_b_silver");
        expect(mmd).to.contain("job_t_dev_bronze -.->|trigger| job_t_dev_silver");
        expect(mmd).not.to.contain("TempDir");
    });

    it("plans the local stack from its YAML under mocks, with placeholder passwords only", async () => {
        const plan = await planStack("local");
        const count = (type: string) => plan.resources.filter((r) => r.type === type).length;
        // Pulumi.local.yaml: 3 sources, one job per layer, source + 3 layer databases.
        expect(count("aws:glue/connection:Connection")).to.equal(3);
        expect(count("aws:glue/crawler:Crawler")).to.equal(3);
        expect(count("aws:glue/job:Job")).to.equal(4); // the layer jobs and the forget job
        expect(count("aws:glue/catalogDatabase:CatalogDatabase")).to.equal(4);
        expect(count("aws:athena/workgroup:Workgroup")).to.equal(1);
        const mmd = planDiagram(plan);
        expect(mmd).to.contain('src_crm[("crm (sqlserver)<br/>users")]');
        expect(mmd).to.contain("job_tickit_local_silver -.->|trigger| job_tickit_local_gold");
        // The placeholder only ever travels as a secret.
        for (const r of plan.resources) {
            if (JSON.stringify(r.inputs).includes(PLAN_PASSWORD_PLACEHOLDER)) expect(r.secretPaths, `${r.type} ${r.name}`).to.not.be.empty;
        }
    });
});
