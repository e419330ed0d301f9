import { expect } from "chai";
import {
    bucketName,
    catalogTableName,
    connectionName,
    crawlerPath,
    databaseNames,
    jdbcUrl,
    LakeConfigError,
    layerTableName,
    shortTableName,
    validateEnvironment,
} from "../../components/medallion-lake";

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

    it("keeps bucket names within 63 characters, dropping the region only when needed", () => {
        expect(bucketName("tickit", "dev", "bronze", "123456789012", "us-east-1")).to.equal("tickit-dev-bronze-123456789012-us-east-1");
        const longest = bucketName("abcdefghijklmnop", "abcdefghijklmnop", "query-results", "123456789012", "ap-southeast-2");
        expect(longest).to.equal("abcdefghijklmnop-abcdefghijklmnop-query-results-123456789012");
        expect(longest.length).to.be.at.most(63);
    });

    it("validates the environment name", () => {
        for (const ok of ["dev", "prod", "staging-eu", "e2"]) expect(() => validateEnvironment(ok)).not.to.throw();
        for (const bad of ["Prod", "dev_1", "-dev", "dev-", "a--b", "x".repeat(17), ""]) {
            expect(() => validateEnvironment(bad), bad).to.throw(LakeConfigError, /environment/);
        }
    });
});
