/**
 * The MedallionLake component for the real dev and prod stack configs, run under Pulumi mocks:
 * one block of assertions per numbered point of the issue.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { MockResource, MockRunResult, MOCK_ACCOUNT_ID } from "../../local-lake/lib/mock-run";
import { jobArguments, lakeSpec, parseLakeConfig } from "medallion-lake";
import { systemArguments } from "../../packages/medallion-lake/src/component/jobs";
import { PROJECT_ROOT } from "../../stacks/stack-config";
import { icebergConf, ofType, one, rawLake, runStack, TEST_PASSWORDS } from "../support/helpers";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    logging: "aws:s3/bucketLogging:BucketLogging",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    object: "aws:s3/bucketObjectv2:BucketObjectv2",
    key: "aws:kms/key:Key",
    db: "aws:glue/catalogDatabase:CatalogDatabase",
    connection: "aws:glue/connection:Connection",
    crawler: "aws:glue/crawler:Crawler",
    secConfig: "aws:glue/securityConfiguration:SecurityConfiguration",
    job: "aws:glue/job:Job",
    workflow: "aws:glue/workflow:Workflow",
    trigger: "aws:glue/trigger:Trigger",
    workgroup: "aws:athena/workgroup:Workgroup",
    namedQuery: "aws:athena/namedQuery:NamedQuery",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    randomString: "random:index/randomString:RandomString",
};

/** Types whose AWS resources take tags (the rest, e.g. BucketVersioning, have none). */
const TAGGABLE = [T.bucket, T.object, T.key, T.db, T.connection, T.crawler, T.job, T.workflow, T.trigger, T.workgroup, T.role, T.secret];

const asArray = <V>(v: V | V[]): V[] => (Array.isArray(v) ? v : [v]);
/** The layer jobs, not the on-demand forget job (tests/component/forget-job.test.ts). */
const layerJob = (j: MockResource) => !String(j.inputs.name).endsWith("-forget");

for (const env of ["dev", "prod"]) {
    describe(`MedallionLake (${env} stack)`, function () {
        const raw = rawLake(env);
        let run: MockRunResult;
        let res: MockResource[];
        let buckets: Record<string, MockResource>;
        let keyArn: string;
        const subFor = (type: string, bucket: MockResource) => {
            const found = ofType(res, type).filter((r) => r.inputs.bucket === bucket.inputs.bucket);
            expect(found, `${type} of ${bucket.name}`).to.have.length(1);
            return found[0];
        };

        before(async () => {
            run = await runStack(env);
            res = run.resources;
            buckets = Object.fromEntries(ofType(res, T.bucket).map((b) => [b.name.replace(/^lake-/, ""), b]));
            keyArn = run.outputs.kmsKeyArn;
        });

        describe("1. storage", () => {
            it("creates the six buckets named <lake>-<env>-<purpose>-<one random suffix>, without the account id", () => {
                expect(Object.keys(buckets)).to.have.members(["bronze", "silver", "gold", "query-results", "assets", "logs"]);
                const suffix = /^tickit-[a-z]+-bronze-([a-z0-9]{8})$/.exec(buckets.bronze.inputs.bucket)?.[1];
                expect(suffix, buckets.bronze.inputs.bucket).to.be.a("string");
                for (const [purpose, b] of Object.entries(buckets)) {
                    expect(b.inputs.bucket).to.equal(`tickit-${env}-${purpose}-${suffix}`);
                    expect(b.inputs.bucket).not.to.contain(MOCK_ACCOUNT_ID);
                    expect(b.inputs.bucket.length).to.be.at.most(63);
                    expect(b.inputs.forceDestroy).to.equal(raw.forceDestroy);
                }
            });

            it("draws the suffix once, kept by lake and environment, lowercase letters and digits only", () => {
                const suffix = one(res, T.randomString, "lake-bucket-suffix");
                expect(suffix.inputs).to.deep.include({ length: 8, lower: true, numeric: true, upper: false, special: false });
                expect(suffix.inputs.keepers).to.deep.equal({ lake: "tickit", environment: env });
                expect(ofType(res, T.randomString)).to.have.length(1);
            });

            it("encrypts every data bucket with the customer key (bucket key on), the logs bucket with SSE-S3", () => {
                const key = ofType(res, T.key);
                expect(key).to.have.length(1);
                expect(key[0].inputs.enableKeyRotation).to.equal(true);
                for (const [purpose, b] of Object.entries(buckets)) {
                    const rule = subFor(T.sse, b).inputs.rules[0];
                    if (purpose === "logs") {
                        expect(rule.applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "AES256" });
                    } else {
                        expect(rule.applyServerSideEncryptionByDefault).to.deep.equal({ sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn });
                        expect(rule.bucketKeyEnabled).to.equal(true);
                    }
                }
            });

            it("versions, blocks public access on and enforces bucket ownership of every bucket", () => {
                for (const b of Object.values(buckets)) {
                    expect(subFor(T.versioning, b).inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
                    const pab = subFor(T.pab, b).inputs;
                    expect([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets]).to.deep.equal([true, true, true, true]);
                    expect(subFor(T.ownership, b).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
                }
            });

            it("denies non-TLS requests on every bucket", () => {
                for (const b of Object.values(buckets)) {
                    const arn = `arn:aws:s3:::${b.inputs.bucket}`;
                    const statements = JSON.parse(subFor(T.policy, b).inputs.policy).Statement;
                    const deny = statements.find((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false");
                    expect(deny, b.name).to.not.equal(undefined);
                    expect(deny.Principal).to.equal("*");
                    expect(asArray(deny.Resource)).to.have.members([arn, `${arn}/*`]);
                }
            });

            it("logs access of every other bucket to the logs bucket, which admits only the S3 logging service for them", () => {
                const logs = buckets.logs;
                expect(ofType(res, T.logging).filter((l) => l.inputs.bucket === logs.inputs.bucket)).to.have.length(0);
                for (const [purpose, b] of Object.entries(buckets)) {
                    if (purpose === "logs") continue;
                    expect(subFor(T.logging, b).inputs).to.include({ targetBucket: logs.inputs.bucket, targetPrefix: `${purpose}/` });
                }
                const allow = JSON.parse(subFor(T.policy, logs).inputs.policy).Statement.find((s: any) => s.Effect === "Allow");
                expect(allow.Principal).to.deep.equal({ Service: "logging.s3.amazonaws.com" });
                expect(allow.Action).to.equal("s3:PutObject");
                expect(allow.Condition.StringEquals["aws:SourceAccount"]).to.equal(MOCK_ACCOUNT_ID);
                expect(allow.Condition.ArnLike["aws:SourceArn"]).to.have.length(5);
            });

            it("applies the lifecycle days of the stack config", () => {
                for (const [purpose, b] of Object.entries(buckets)) {
                    const rules = subFor(T.lifecycle, b).inputs.rules;
                    for (const r of rules) expect(r.status).to.equal("Enabled");
                    expect(rules.find((r: any) => r.abortIncompleteMultipartUpload)?.abortIncompleteMultipartUpload.daysAfterInitiation, purpose).to.equal(1);
                    expect(rules.find((r: any) => r.noncurrentVersionExpiration)?.noncurrentVersionExpiration.noncurrentDays, purpose).to.equal(raw.retention.noncurrentVersionDays);
                    // Silver re-reads all of bronze every run: no storage class that charges retrieval.
                    expect(rules.flatMap((r: any) => r.transitions ?? []), purpose).to.deep.equal([]);
                    // Every rule names its objects: an empty filter block is deprecated by the provider.
                    for (const r of rules) expect(r.filter, `${purpose} ${r.id}`).to.have.property("prefix").that.is.a("string");
                    expect(rules.filter((r: any) => r.expiration?.expiredObjectDeleteMarker === true), purpose).to.have.length(1);
                    const expiry = rules.filter((r: any) => r.expiration?.days && r.filter.prefix === "").map((r: any) => r.expiration.days);
                    const wholeBucketDays: Record<string, number[]> = { "query-results": [raw.athena.resultRetentionDays], logs: [365] };
                    expect(expiry, purpose).to.deep.equal(wholeBucketDays[purpose] ?? []);
                }
            });
        });

        describe("2. catalog", () => {
            it("creates one database for the source metadata and one per layer", () => {
                expect(ofType(res, T.db).map((d) => d.inputs.name)).to.have.members([`tickit_${env}_source`, `tickit_${env}_bronze`, `tickit_${env}_silver`, `tickit_${env}_gold`]);
                expect(one(res, T.db, "lake-gold-db").inputs.locationUri).to.equal(`s3://${buckets.gold.inputs.bucket}/`);
            });
        });

        describe("3. sources", () => {
            it("builds the JDBC URL of each engine and references credentials only by secret", () => {
                const urls: Record<string, Record<string, string>> = Object.fromEntries(ofType(res, T.connection).map((c) => [c.inputs.name, c.inputs.connectionProperties]));
                const host = (i: number) => raw.sources[i].host;
                expect(urls[`tickit-${env}-saas`].JDBC_CONNECTION_URL).to.equal(`jdbc:postgresql://${host(0)}:5432/tickit`);
                expect(urls[`tickit-${env}-ecomm`].JDBC_CONNECTION_URL).to.equal(`jdbc:mysql://${host(1)}:3306/tickit`);
                expect(urls[`tickit-${env}-crm`].JDBC_CONNECTION_URL).to.equal(`jdbc:sqlserver://${host(2)}:1433;databaseName=tickit;encrypt=true;trustServerCertificate=false`);
                for (const props of Object.values(urls)) {
                    expect(Object.keys(props)).to.have.members(["JDBC_CONNECTION_URL", "SECRET_ID", "JDBC_ENFORCE_SSL"]);
                    expect(props.JDBC_ENFORCE_SSL).to.equal("true");
                }
                expect(urls[`tickit-${env}-saas`].SECRET_ID).to.equal(raw.sources[0].secretArn);
                for (const c of ofType(res, T.connection)) {
                    expect(c.inputs.physicalConnectionRequirements).to.deep.equal({
                        subnetId: raw.network.subnetId,
                        availabilityZone: raw.network.availabilityZone,
                        securityGroupIdLists: raw.network.securityGroupIds,
                    });
                }
            });

            it("never puts a plaintext password anywhere but a secret-marked Secrets Manager value", () => {
                const passwords = Object.values(TEST_PASSWORDS);
                const created = ofType(res, T.secretVersion);
                expect(created).to.have.length(raw.sources.filter((s: any) => s.passwordSecret).length);
                for (const r of res) {
                    const text = JSON.stringify(r.inputs);
                    const leaked = passwords.filter((p) => text.includes(p));
                    if (r.type === T.secretVersion) {
                        expect(r.secretPaths).to.deep.equal(["secretString"]);
                        expect(JSON.parse(r.inputs.secretString)).to.have.keys(["username", "password"]);
                    } else {
                        expect(leaked, `${r.type} ${r.name}`).to.deep.equal([]);
                    }
                }
                expect(passwords.filter((p) => JSON.stringify(run.outputs).includes(p))).to.deep.equal([]);
                for (const s of ofType(res, T.secret)) expect(s.inputs.kmsKeyId).to.equal(keyArn);
            });

            it("crawls exactly the configured tables of each source into the source database", () => {
                const crawlers: Record<string, any> = Object.fromEntries(ofType(res, T.crawler).map((c) => [c.inputs.name, c.inputs]));
                expect(Object.keys(crawlers)).to.have.members([`tickit-${env}-saas`, `tickit-${env}-ecomm`, `tickit-${env}-crm`]);
                const paths = (n: string) => crawlers[`tickit-${env}-${n}`].jdbcTargets.map((t: any) => t.path);
                expect(paths("saas")).to.deep.equal(["tickit/saas/category", "tickit/saas/venue", "tickit/saas/event"]);
                expect(paths("ecomm")).to.deep.equal(["tickit/date", "tickit/listing", "tickit/sales"]);
                expect(paths("crm")).to.deep.equal(["tickit/crm/users"]);
                for (const [name, c] of Object.entries(crawlers)) {
                    expect(c.jdbcTargets.every((t: any) => t.connectionName === name)).to.equal(true);
                    expect(c.databaseName).to.equal(`tickit_${env}_source`);
                    expect(c.tablePrefix).to.equal(`${name.split("-").pop()}_`);
                    expect(c.schemaChangePolicy).to.deep.equal({ updateBehavior: "UPDATE_IN_DATABASE", deleteBehavior: "DEPRECATE_IN_DATABASE" });
                    expect(c.recrawlPolicy).to.deep.equal({ recrawlBehavior: "CRAWL_EVERYTHING" });
                    expect(c.securityConfiguration).to.equal(`tickit-${env}-security`);
                }
            });
        });

        describe("4. jobs", () => {
            it("creates one Glue 5.0 job per layer with the configured workers, from content-hashed scripts", () => {
                const jobs = ofType(res, T.job).filter(layerJob);
                expect(jobs.map((j) => j.inputs.name)).to.have.members([`tickit-${env}-bronze`, `tickit-${env}-silver`, `tickit-${env}-gold`]);
                for (const j of jobs) {
                    const layer = j.inputs.name.split("-").pop();
                    expect(j.inputs).to.deep.include({
                        glueVersion: raw.jobs.glueVersion,
                        workerType: raw.jobs.workerType,
                        numberOfWorkers: raw.jobs.numberOfWorkers,
                        timeout: raw.jobs.timeoutMinutes,
                        maxRetries: raw.jobs.maxRetries,
                        securityConfiguration: `tickit-${env}-security`,
                    });
                    // One run of a job at a time (a second StartJobRun is refused), as the local lake's data folder lock.
                    expect(j.inputs.executionProperty).to.deep.equal({ maxConcurrentRuns: 1 });
                    expect(j.inputs.command.name).to.equal("glueetl");
                    expect(j.inputs.command.scriptLocation).to.match(new RegExp(`^s3://${buckets.assets.inputs.bucket}/scripts/${layer}_job-[0-9a-f]{16}\\.py$`));
                }
            });

            it("uploads the scripts, the medallion package zip and the lake spec the jobs point at", () => {
                const objects = ofType(res, T.object);
                const keys = objects.map((o) => o.inputs.key);
                for (const j of ofType(res, T.job).filter(layerJob)) {
                    const args = j.inputs.defaultArguments;
                    for (const uri of [j.inputs.command.scriptLocation, args["--extra-py-files"], args["--lake_spec"]]) {
                        expect(keys).to.include(uri.replace(`s3://${buckets.assets.inputs.bucket}/`, ""));
                    }
                }
                const spec = objects.find((o) => o.inputs.key.includes("lake-spec"))!;
                expect(JSON.parse(spec.inputs.content)).to.deep.equal(lakeSpec(parseLakeConfig(raw, PROJECT_ROOT), env));
                expect(spec.inputs.key).to.match(/^scripts\/lake-spec-[0-9a-f]{16}\.json$/);
            });

            it("uploads each gold model's SQL under the content-hashed key the lake spec names, beside the spec", () => {
                const spec = lakeSpec(parseLakeConfig(raw, PROJECT_ROOT), env);
                const models = ofType(res, T.object).filter((o) => o.inputs.key.startsWith("scripts/gold-models/"));
                expect(models.map((o) => o.inputs.key).sort()).to.deep.equal(spec.gold.models.map((m) => `scripts/${m.file}`).sort());
                const month = models.find((o) => o.inputs.key.includes("sales_by_month-"))!;
                expect(month.inputs.content).to.equal(fs.readFileSync(path.join(PROJECT_ROOT, "gold-models", "tickit", "sales_by_month.sql"), "utf8"));
                expect(month.inputs.key).to.match(/^scripts\/gold-models\/sales_by_month-[0-9a-f]{16}\.sql$/);
            });

            it("zips the package with medallion/ at the root", async () => {
                const pkg = ofType(res, T.object).find((o) => o.inputs.key.endsWith(".zip"))!;
                const entries = Object.keys(await pkg.inputs.source.assets);
                expect(entries).to.include.members(["medallion/__init__.py", "medallion/iceberg.json", "medallion/job_arguments.json"]);
                expect(entries.every((e) => e.startsWith("medallion/") && !e.includes("__pycache__"))).to.equal(true);
            });

            it("passes each job its contract arguments and Glue's system arguments, silver and gold Iceberg's, bronze its connections", () => {
                const bucket = (p: string) => `s3://${buckets[p].inputs.bucket}`;
                for (const j of ofType(res, T.job).filter(layerJob)) {
                    const layer = j.inputs.name.split("-").pop() as "bronze" | "silver" | "gold";
                    const args = j.inputs.defaultArguments;
                    const expected = jobArguments(layer, { lakeSpec: args["--lake_spec"], environment: env, bronzePath: bucket("bronze"), silverPath: bucket("silver"), goldPath: bucket("gold") });
                    const system = systemArguments(layer, buckets.assets.inputs.bucket, args["--extra-py-files"]);
                    // The gold job parses model SQL with the sqlglot pinned in requirements.txt.
                    const modules = layer === "gold" ? { "--additional-python-modules": "sqlglot==30.31.0" } : {};
                    // Silver and gold are Iceberg tables in Glue's catalog, each warehouse its own layer's bucket.
                    const iceberg = layer === "bronze" ? {} : { "--datalake-formats": "iceberg", "--conf": icebergConf(bucket(layer)) };
                    expect(args).to.deep.equal({ ...system, ...expected, ...modules, ...iceberg });
                    expect(args["--environment"]).to.equal(env);
                    expect(args).to.include({ "--enable-glue-datacatalog": "true", "--enable-metrics": "true", "--job-bookmark-option": "job-bookmark-enable" });
                    // Glue 5.0 always logs in real time; the 4.0-only switch would do nothing.
                    expect(args).to.not.have.property("--enable-continuous-cloudwatch-log");
                    expect(j.inputs.connections ?? []).to.deep.equal(layer === "bronze" ? [`tickit-${env}-saas`, `tickit-${env}-ecomm`, `tickit-${env}-crm`] : []);
                }
            });

            it("has a security configuration encrypting S3 and CloudWatch with SSE-KMS and bookmarks with CSE-KMS", () => {
                const sc = ofType(res, T.secConfig);
                expect(sc).to.have.length(1);
                expect(sc[0].inputs.encryptionConfiguration).to.deep.equal({
                    s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: keyArn },
                    cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: keyArn },
                    jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: keyArn },
                });
                for (const r of [...ofType(res, T.job), ...ofType(res, T.crawler)]) expect(r.inputs.securityConfiguration).to.equal(sc[0].inputs.name);
            });
        });

        describe("5. orchestration", () => {
            it("starts the crawlers and bronze side by side (a failing crawl stops no ingestion), then silver, then gold", () => {
                const wf = ofType(res, T.workflow);
                expect(wf).to.have.length(1);
                expect(wf[0].inputs.maxConcurrentRuns).to.equal(1);
                const triggers: Record<string, any> = Object.fromEntries(ofType(res, T.trigger).map((t) => [t.inputs.name.replace(`tickit-${env}-`, ""), t.inputs]));
                expect(Object.keys(triggers)).to.have.members(["start", "silver", "gold"]);
                for (const t of Object.values(triggers)) expect(t.workflowName).to.equal(wf[0].inputs.name);
                const crawlers = ofType(res, T.crawler).map((c) => c.inputs.name);
                expect(triggers.start).to.deep.include({ type: "SCHEDULED", schedule: raw.schedule });
                expect(triggers.start.actions).to.have.deep.members([...crawlers.map((crawlerName) => ({ crawlerName })), { jobName: `tickit-${env}-bronze` }]);
                // No trigger waits on a crawl state.
                for (const t of Object.values(triggers)) for (const c of t.predicate?.conditions ?? []) expect(c).to.not.have.property("crawlerName");
                for (const [layer, previous] of [["silver", "bronze"], ["gold", "silver"]]) {
                    expect(triggers[layer].type).to.equal("CONDITIONAL");
                    expect(triggers[layer].predicate.conditions).to.deep.equal([{ jobName: `tickit-${env}-${previous}`, state: "SUCCEEDED", logicalOperator: "EQUALS" }]);
                    expect(triggers[layer].actions).to.deep.equal([{ jobName: `tickit-${env}-${layer}` }]);
                }
                for (const t of ["start", "silver", "gold"]) expect(triggers[t].startOnCreation).to.equal(true);
            });
        });

        describe("6. query", () => {
            it("enforces an encrypted, capped, pinned, monitored Athena workgroup", () => {
                const wg = ofType(res, T.workgroup);
                expect(wg).to.have.length(1);
                const c = wg[0].inputs.configuration;
                expect(c).to.deep.include({ enforceWorkgroupConfiguration: true, publishCloudwatchMetricsEnabled: true, bytesScannedCutoffPerQuery: raw.athena.bytesScannedCutoffPerQuery });
                expect(c.engineVersion).to.deep.equal({ selectedEngineVersion: "Athena engine version 3" });
                expect(c.resultConfiguration).to.deep.equal({
                    outputLocation: `s3://${buckets["query-results"].inputs.bucket}/`,
                    encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: keyArn },
                    expectedBucketOwner: MOCK_ACCOUNT_ID,
                });
            });

            it("registers the named queries in the workgroup against their layer's database", () => {
                const queries = ofType(res, T.namedQuery);
                const layers = queries.map((q) => q.inputs.database);
                for (const l of ["bronze", "silver", "gold"]) expect(layers).to.include(`tickit_${env}_${l}`);
                expect(queries.filter((q) => q.inputs.database === `tickit_${env}_gold`).length).to.be.at.least(5);
                for (const q of queries) expect(q.inputs.workgroup).to.equal(`tickit-${env}`);
            });
        });

        describe("7. IAM", () => {
            const policies = () => Object.fromEntries(ofType(res, T.rolePolicy).map((p) => [p.name.replace(/^lake-|-policy$/g, ""), JSON.parse(p.inputs.policy)]));
            // The only actions AWS lets us grant on "*" (no resource-level permissions); creating and
            // deleting ENIs are scoped to the subnet, security groups and network interfaces.
            const STAR_RESOURCE_OK = /^(ec2:Describe\w+|cloudwatch:PutMetricData)$/;

            it("has a role per layer job, one for the forget job and one for the crawlers, assumable by Glue only", () => {
                const roles = ofType(res, T.role);
                expect(roles).to.have.length(5);
                for (const r of roles) expect(JSON.parse(r.inputs.assumeRolePolicy).Statement).to.deep.equal([{ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole" }]);
                expect(Object.keys(policies())).to.have.members(["bronze-job", "silver-job", "gold-job", "forget-job", "crawler"]);
            });

            it("grants no wildcard actions and scopes every resource to the lake", () => {
                const bucketArns = Object.values(buckets).map((b) => `arn:aws:s3:::${b.inputs.bucket}`);
                const secretArns = Object.values(run.outputs.sourceSecretArns as Record<string, string>);
                for (const [role, doc] of Object.entries(policies())) {
                    for (const s of doc.Statement) {
                        const actions = asArray<string>(s.Action);
                        const resources = asArray<string>(s.Resource);
                        expect(s.Effect).to.equal("Allow");
                        for (const a of actions) expect(a, `${role}/${s.Sid}`).not.to.match(/(^\*$|:\*$)/);
                        if (resources.includes("*")) for (const a of actions) expect(a, `${role}/${s.Sid} on *`).to.match(STAR_RESOURCE_OK);
                        for (const a of actions) {
                            const service = a.split(":")[0];
                            const out = resources.filter((r) => {
                                if (service === "s3") return !bucketArns.some((b) => r === b || r.startsWith(`${b}/`));
                                if (service === "kms") return r !== keyArn;
                                if (service === "secretsmanager") return !secretArns.includes(r);
                                if (service === "glue") return !/^arn:aws:glue:us-east-1:123456789012:(catalog$|database\/default$|database\/global_temp$|userDefinedFunction\/default\/\*$|database\/tickit_|table\/tickit_|connection\/tickit-)/.test(r);
                                if (service === "ec2") return !(r === "*" || /^arn:aws:ec2:us-east-1:123456789012:(network-interface\/\*|vpc\/\*|subnet\/subnet-[0-9a-f]+|security-group\/sg-[0-9a-f]+)$/.test(r));
                                if (service === "logs") return !r.startsWith("arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/");
                                return false;
                            });
                            expect(out, `${role}/${s.Sid} ${a}`).to.deep.equal([]);
                        }
                    }
                }
            });

            it("lets each job write only its own layer and read only the one before", () => {
                const writes = (doc: any) =>
                    doc.Statement.filter((s: any) => asArray<string>(s.Action).includes("s3:PutObject")).flatMap((s: any) => asArray<string>(s.Resource));
                const dbWrites = (doc: any) =>
                    doc.Statement.filter((s: any) => asArray<string>(s.Action).includes("glue:CreateTable")).flatMap((s: any) => asArray<string>(s.Resource)).filter((r: string) => r.includes(":database/"));
                const p = policies();
                const lakeWrites = (doc: any) => writes(doc).filter((r: string) => !r.includes("-assets-"));
                expect(lakeWrites(p["bronze-job"])).to.deep.equal([`arn:aws:s3:::${buckets.bronze.inputs.bucket}/*`]);
                expect(lakeWrites(p["silver-job"])).to.deep.equal([`arn:aws:s3:::${buckets.silver.inputs.bucket}/*`]);
                expect(lakeWrites(p["gold-job"])).to.deep.equal([`arn:aws:s3:::${buckets.gold.inputs.bucket}/*`]);
                expect(dbWrites(p["silver-job"])).to.deep.equal([`arn:aws:glue:us-east-1:123456789012:database/tickit_${env}_silver`]);
                expect(dbWrites(p.crawler)).to.deep.equal([`arn:aws:glue:us-east-1:123456789012:database/tickit_${env}_source`]);
                const secretsOf = (doc: any) => doc.Statement.filter((s: any) => asArray<string>(s.Action).includes("secretsmanager:GetSecretValue"));
                expect(secretsOf(p["silver-job"])).to.deep.equal([]);
                expect(secretsOf(p["bronze-job"])[0].Resource).to.have.members(Object.values(run.outputs.sourceSecretArns));
                expect(secretsOf(p.crawler)[0].Resource).to.have.members(Object.values(run.outputs.sourceSecretArns));
            });

            it("lets CloudWatch Logs use the key only for Glue log groups", () => {
                const policy = JSON.parse(ofType(res, T.key)[0].inputs.policy);
                const logs = policy.Statement.find((s: any) => s.Principal?.Service === "logs.us-east-1.amazonaws.com");
                expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).to.equal("arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/*");
            });
        });

        describe("8. tags and outputs", () => {
            it("tags every taggable resource with lake, environment and the config tags", () => {
                const taggable = res.filter((r) => TAGGABLE.includes(r.type));
                expect(taggable.length).to.be.greaterThan(30);
                for (const r of taggable) expect(r.inputs.tags, `${r.type} ${r.name}`).to.deep.include({ ...raw.tags, lake: "tickit", environment: env });
            });

            it("exports every name and ARN per layer", () => {
                const o = run.outputs;
                for (const l of ["bronze", "silver", "gold"]) {
                    expect(o.bucketNames[l]).to.equal(buckets[l].inputs.bucket);
                    expect(o.bucketArns[l]).to.equal(`arn:aws:s3:::${buckets[l].inputs.bucket}`);
                    expect(o.databaseNames[l]).to.equal(`tickit_${env}_${l}`);
                    expect(o.jobNames[l]).to.equal(`tickit-${env}-${l}`);
                    expect(o.jobArns[l]).to.match(/^arn:aws:glue:/);
                }
                expect(o.workgroupName).to.equal(`tickit-${env}`);
                expect(o.workflowName).to.equal(`tickit-${env}`);
                expect(Object.keys(o.crawlerNames)).to.have.members(["saas", "ecomm", "crm"]);
                expect(o.lakeSpecUri).to.match(/^s3:\/\/.*lake-spec-[0-9a-f]{16}\.json$/);
                expect(o.environment).to.equal(env);
            });

            it("parents every resource to the component and names it after it", () => {
                const component = res.find((r) => r.type === "medallion-lake:index:MedallionLake")!;
                const urns = new Set(res.filter((r) => r.custom).map((r) => r.urn));
                for (const r of res.filter((x) => x.custom)) {
                    expect(r.parent === component.urn || urns.has(r.parent), r.name).to.equal(true);
                    expect(r.name.startsWith("lake-"), r.name).to.equal(true);
                }
            });
        });

        describe("protection", () => {
            // The bucket-name suffix counts as data: replacing it would rename, that is replace, every bucket.
            const DATA = [T.key, T.db, T.randomString];
            const isData = (r: MockResource) => DATA.includes(r.type) || (r.type === T.bucket && !/-(assets|query-results)$/.test(r.name));

            it(env === "prod" ? "protects everything and retains data buckets, databases and the key" : "protects and retains nothing", () => {
                const custom = res.filter((r) => r.custom);
                expect(custom.filter(isData)).to.have.length(4 + 4 + 1 + 1);
                for (const r of custom) {
                    expect(r.protect, `${r.type} ${r.name} protect`).to.equal(env === "prod");
                    expect(r.retainOnDelete, `${r.type} ${r.name} retainOnDelete`).to.equal(env === "prod" && isData(r));
                }
            });
        });
    });
}
