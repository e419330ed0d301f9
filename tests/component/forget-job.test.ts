/**
 * The forget (erasure) job under mocks: one on-demand Glue job with its own role, whose policy reaches
 * the bronze, silver and gold buckets and tables (noncurrent versions included) and nothing else,
 * and whose default arguments name no subject (`--table` and `--key` are given per run).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { forgetDefaultArguments, forgetRunArguments } from "../../packages/medallion-lake/src/model/forget-arguments";
import { forgetJobPolicy, forgetScriptFiles } from "../../packages/medallion-lake/src/component/forget-job";
import { PolicyDocument, PolicyScope } from "../../packages/medallion-lake/src/component/iam";
import { defaultScriptsDir } from "../../packages/medallion-lake/src/component/assets";
import { LAKE_L_SCOPE, one, runStack } from "../support/helpers";

const scope: PolicyScope = { ...LAKE_L_SCOPE, metricsNamespace: "MedallionLake/l", connectionNames: ["l-saas"], secretArns: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:s-AbCdEf"], caCertificates: [] };

/** The resources a policy allows `action` on. */
function resourcesOf(doc: PolicyDocument, action: string): string[] {
    return doc.Statement.filter((s) => s.Action.includes(action)).flatMap((s) => ([] as string[]).concat(s.Resource)).sort();
}

describe("forget job: policy", () => {
    const doc = forgetJobPolicy(scope);

    it("lists and deletes noncurrent versions in the bronze, silver and gold buckets only", () => {
        expect(resourcesOf(doc, "s3:ListBucketVersions")).to.deep.equal(["arn:aws:s3:::l-bronze", "arn:aws:s3:::l-gold", "arn:aws:s3:::l-silver"]);
        expect(resourcesOf(doc, "s3:DeleteObjectVersion")).to.deep.equal(["arn:aws:s3:::l-bronze/*", "arn:aws:s3:::l-gold/*", "arn:aws:s3:::l-silver/*"]);
        expect(resourcesOf(doc, "s3:PutObject")).to.include.members(["arn:aws:s3:::l-bronze/*", "arn:aws:s3:::l-silver/*", "arn:aws:s3:::l-gold/*"]);
    });

    it("reaches no source, no secret, no other bucket's objects and no other database", () => {
        const all = doc.Statement.flatMap((s) => ([] as string[]).concat(s.Resource));
        expect(all.some((r) => r.includes("secretsmanager") || r.includes(":connection/"))).to.equal(false);
        expect(all.filter((r) => /l-(logs|query-results)/.test(r))).to.deep.equal([]);
        expect(all.filter((r) => r.startsWith("arn:aws:s3:::l-assets/"))).to.deep.equal(["arn:aws:s3:::l-assets/scripts/*", "arn:aws:s3:::l-assets/temp/forget/*", "arn:aws:s3:::l-assets/spark-ui/forget/*"]);
        const databases = all.filter((r) => r.includes(":database/") || r.includes(":table/"));
        expect(databases.filter((r) => /l_(source|bronze)/.test(r))).to.deep.equal([]);
        expect(resourcesOf(doc, "glue:UpdateTable")).to.include.members(["arn:aws:glue:eu-west-1:111122223333:table/l_silver/*", "arn:aws:glue:eu-west-1:111122223333:table/l_gold/*"]);
    });
});

describe("forget job: arguments", () => {
    const paths = { lakeSpec: "s3://a/spec.json", environment: "dev", bronzePath: "s3://b", silverPath: "s3://s", goldPath: "s3://g" };

    it("defaults every contract argument but the subject, which each run names", () => {
        expect(forgetDefaultArguments(paths)).to.deep.equal({ "--lake_spec": "s3://a/spec.json", "--environment": "dev", "--bronze_path": "s3://b", "--silver_path": "s3://s", "--gold_path": "s3://g" });
        expect(forgetRunArguments("crm.users", { userid: "42" })).to.deep.equal({ "--table": "crm.users", "--key": '{"userid":"42"}' });
    });

    it("refuses a scripts folder without the forget job's scripts, naming the file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "forget-scripts-"));
        expect(() => forgetScriptFiles(dir)).to.throw(/forget_job\.py/);
        expect(forgetScriptFiles(defaultScriptsDir()).map((f) => path.basename(f))).to.deep.equal(["forget_job.py", "gold_job.py"]);
    });
});

describe("forget job: under mocks", function () {
    this.timeout(120_000);

    it("is one on-demand Glue job with its own role, the gold script on its path and no subject in its defaults", async () => {
        const run = await runStack("dev");
        const job = one(run.resources, "aws:glue/job:Job", "lake-forget-job");
        expect(job.inputs.name).to.equal("tickit-dev-forget");
        expect(job.inputs.maxRetries).to.equal(0);
        expect(job.inputs.executionProperty).to.deep.equal({ maxConcurrentRuns: 1 });
        const args = job.inputs.defaultArguments as Record<string, string>;
        expect(args).to.not.have.any.keys("--table", "--key");
        expect(args["--job-bookmark-option"]).to.equal("job-bookmark-disable");
        expect(args["--extra-py-files"]).to.match(/medallion-[0-9a-f]{16}\.zip,s3:\/\/.*gold_job-[0-9a-f]{16}\.py$/);
        expect(args["--additional-python-modules"]).to.match(/sqlglot==/);
        expect(String(job.inputs.command && (job.inputs.command as { scriptLocation: string }).scriptLocation)).to.match(/forget_job-[0-9a-f]{16}\.py$/);
        const role = one(run.resources, "aws:iam/role:Role", "lake-forget-job-role");
        const policy = JSON.parse(String(one(run.resources, "aws:iam/rolePolicy:RolePolicy", "lake-forget-job-policy").inputs.policy)) as PolicyDocument;
        expect(policy.Statement.map((s) => s.Sid)).to.include.members(["LakeList", "LakeObjects", "IcebergTables"]);
        expect(role.inputs.assumeRolePolicy).to.include("glue.amazonaws.com");
        const triggers = run.resources.filter((r) => r.type === "aws:glue/trigger:Trigger" && JSON.stringify(r.inputs).includes("tickit-dev-forget"));
        expect(triggers, "never started by the workflow").to.deep.equal([]);
    });
});
