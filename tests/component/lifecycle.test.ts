/**
 * S3 lifecycle rules (storage.ts): an explicit filter on every rule (the AWS provider deprecates an
 * empty `filter {}`, hashicorp/terraform-provider-aws#42714), expired delete markers removed in the
 * versioned buckets, and retention for the access logs and the Spark UI event logs.
 */
import { expect } from "chai";
import { parseLakeConfig } from "medallion-lake";
import { lifecycleRules } from "../../packages/medallion-lake/src/component/storage";
import { BUCKET_PURPOSES } from "../../packages/medallion-lake/src/model/naming";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pg-AbCdEf";
const lake = (retention?: object) =>
    parseLakeConfig({
        name: "shop",
        sources: [{ name: "pg", engine: "postgres", host: "db", database: "d", secretArn: SECRET, tables: ["public.orders"] }],
        ...(retention ? { retention } : {}),
    }, PROJECT_ROOT);

describe("S3 lifecycle rules", () => {
    const config = lake();

    it("give every rule of every bucket a filter with a prefix, never an empty one", () => {
        for (const purpose of BUCKET_PURPOSES) {
            for (const rule of lifecycleRules(purpose, config)) {
                expect(rule.filter, `${purpose} ${rule.id}`).to.have.property("prefix").that.is.a("string");
            }
        }
    });

    it("remove expired delete markers in every bucket, in a rule without days", () => {
        for (const purpose of BUCKET_PURPOSES) {
            const rules = lifecycleRules(purpose, config);
            const markers = rules.filter((r) => r.expiration && "expiredObjectDeleteMarker" in r.expiration);
            expect(markers, purpose).to.deep.equal([{ id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } }]);
            // S3 rejects ExpiredObjectDeleteMarker together with Days or Date in one expiration.
            for (const r of rules) expect(Object.keys(r.expiration ?? {}), `${purpose} ${r.id}`).to.have.length.at.most(1);
        }
    });

    it("keep access logs 365 days and Spark UI event logs 30 days by default", () => {
        expect(config.retention).to.deep.equal({ noncurrentVersionDays: 30, accessLogDays: 365, sparkUiLogDays: 30 });
        expect(lifecycleRules("logs", config).find((r) => r.id === "expire-access-logs")).to.deep.include({ filter: { prefix: "" }, expiration: { days: 365 } });
        expect(lifecycleRules("assets", config).find((r) => r.id === "expire-spark-ui-logs")).to.deep.include({ filter: { prefix: "spark-ui/" }, expiration: { days: 30 } });
    });

    it("take the configured retention", () => {
        const custom = lake({ accessLogDays: 90, sparkUiLogDays: 7 });
        expect(lifecycleRules("logs", custom).find((r) => r.id === "expire-access-logs")!.expiration).to.deep.equal({ days: 90 });
        expect(lifecycleRules("assets", custom).find((r) => r.id === "expire-spark-ui-logs")!.expiration).to.deep.equal({ days: 7 });
    });

    it("never expire the current objects of the data buckets", () => {
        for (const purpose of ["bronze", "silver", "gold"] as const) {
            expect(lifecycleRules(purpose, config).filter((r) => r.expiration && "days" in r.expiration), purpose).to.deep.equal([]);
        }
    });

    it("reject a retention below one day, naming the field", () => {
        expect(() => lake({ accessLogDays: 0 })).to.throw(/retention\.accessLogDays/);
        expect(() => lake({ sparkUiLogDays: 1.5 })).to.throw(/retention\.sparkUiLogDays/);
    });
});
