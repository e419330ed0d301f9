/**
 * docs/aws-deploy.md lists the VPC endpoints a VPC-placed job needs without a NAT. Every AWS service
 * the jobs' and crawlers' roles may call must be in that table, or a job without a NAT would hang on it.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { LAYERS } from "medallion-lake";
import { PolicyScope, crawlerPolicy, jobPolicy } from "../../packages/medallion-lake/src/component/iam";
import { PROJECT_ROOT } from "../../stacks/stack-config";

// IAM service prefix -> VPC endpoint service name; EC2 calls are Glue's own (it creates the ENIs).
const ENDPOINT_OF: Record<string, string | null> = { s3: "s3", glue: "glue", secretsmanager: "secretsmanager", kms: "kms", logs: "logs", cloudwatch: "monitoring", ec2: null };

const scope: PolicyScope = {
    partition: "aws",
    region: "us-east-1",
    accountId: "123456789012",
    bucketArns: { bronze: "arn:aws:s3:::b", silver: "arn:aws:s3:::s", gold: "arn:aws:s3:::g", "query-results": "arn:aws:s3:::q", assets: "arn:aws:s3:::a", logs: "arn:aws:s3:::l" },
    keyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
    databases: { source: "x_source", bronze: "x_bronze", silver: "x_silver", gold: "x_gold" },
    metricsNamespace: "MedallionLake/x",
    connectionNames: ["x-src"],
    secretArns: ["arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"],
    caCertificates: ["s3://certs-1/root.pem"],
    network: { subnetId: "subnet-0a1b2c3d", securityGroupIds: ["sg-0a1b2c3d"] },
};

/** Endpoint names in the table of docs/aws-deploy.md's "VPC endpoints" section. */
function documentedEndpoints(): string[] {
    const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "aws-deploy.md"), "utf8");
    const section = doc.split("### VPC endpoints")[1]?.split("\n## ")[0] ?? "";
    return [...section.matchAll(/^\| [^|]+ \| `([a-z0-9]+)` \|/gm)].map((m) => m[1]);
}

describe("VPC endpoints in docs/aws-deploy.md", () => {
    it("lists an endpoint for every service the job and crawler roles may call", () => {
        const docs = [...LAYERS.map((l) => jobPolicy(l, scope)), crawlerPolicy(scope)];
        const services = new Set(docs.flatMap((d) => d.Statement.flatMap((s) => s.Action.map((a) => a.split(":")[0]))));
        const needed = [...services].map((svc) => {
            expect(ENDPOINT_OF, `no endpoint mapping for IAM service ${svc}`).to.have.property(svc);
            return ENDPOINT_OF[svc];
        });
        expect(documentedEndpoints()).to.include.members(needed.filter((e): e is string => e !== null));
    });

    it("includes CloudWatch metrics (monitoring), which the jobs' metrics options publish to", () => {
        expect(documentedEndpoints()).to.include("monitoring");
    });
});
