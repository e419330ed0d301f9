import { expect } from "chai";
import { databaseNames, LakeConfigError, validateEnvironment } from "medallion-lake";
import { bucketName, BUCKET_SUFFIX_LENGTH, catalogTableName, connectionName, crawlerPath, jdbcUrl, layerTableName, shortTableName } from "../../packages/medallion-lake/src/model/naming";

describe("naming", () => {
    it("builds the JDBC URL of each engine", () => {
        expect(jdbcUrl("postgres", "h.internal", 5432, "tickit")).to.equal("jdbc:postgresql://h.internal:5432/tickit");
        expect(jdbcUrl("mysql", "h.internal", 3306, "tickit")).to.equal("jdbc:mysql://h.internal:3306/tickit");
        expect(jdbcUrl("sqlserver", "h.internal", 1433, "tickit")).to.equal("jdbc:sqlserver://h.internal:1433;databaseName=tickit");
    });

    it("builds crawler include paths per engine", () => {
        expect(crawlerPath("postgres", "tickit", "saas.event")).to.equal("tickit/saas/event");
        expect(crawlerPath("sqlserver", "tickit", "crm.users")).to.equal("tickit/crm/users");
        expect(crawlerPath("mysql", "tickit", "sales")).to.equal("tickit/sales");
    });

    it("predicts the crawler's catalog table names", () => {
        expect(catalogTableName("saas", "postgres", "tickit", "saas.event")).to.equal("saas_tickit_saas_event");
        expect(catalogTableName("ecomm", "mysql", "Tickit", "Sales")).to.equal("ecomm_tickit_sales");
    });

    it("names lake tables, databases and connections", () => {
        expect(shortTableName("crm.Users")).to.equal("users");
        expect(layerTableName("crm", "crm.users")).to.equal("crm_users");
        expect(databaseNames("my-lake", "dev-2")).to.deep.equal({
            source: "my_lake_dev_2_source",
            bronze: "my_lake_dev_2_bronze",
            silver: "my_lake_dev_2_silver",
            gold: "my_lake_dev_2_gold",
        });
        expect(connectionName("tickit", "prod", "crm")).to.equal("tickit-prod-crm");
    });

    it("names buckets <lake>-<env>-<purpose>-<random suffix>, within 63 characters for the longest names", () => {
        expect(bucketName("tickit", "dev", "bronze", "k3x9q2ab")).to.equal("tickit-dev-bronze-k3x9q2ab");
        const longest = bucketName("abcdefghijklmnop", "abcdefghijklmnop", "query-results", "z".repeat(BUCKET_SUFFIX_LENGTH));
        expect(longest).to.equal("abcdefghijklmnop-abcdefghijklmnop-query-results-zzzzzzzz");
        expect(longest.length).to.be.at.most(63);
        expect(() => bucketName("tickit", "dev", "bronze", "Bad_Suffix")).to.throw(LakeConfigError, /not a valid S3 bucket name/);
    });

    it("validates the environment name", () => {
        for (const ok of ["dev", "prod", "staging-eu", "e2"]) expect(() => validateEnvironment(ok)).not.to.throw();
        for (const bad of ["Prod", "dev_1", "-dev", "dev-", "a--b", "x".repeat(17), ""]) {
            expect(() => validateEnvironment(bad), bad).to.throw(LakeConfigError, /environment/);
        }
    });
});
