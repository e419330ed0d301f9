import { expect } from "chai";
import { databaseNameProblem, hostProblem } from "../../packages/medallion-lake/src/model/jdbc-fields";

describe("JDBC URL fields", () => {
    it("accepts host names and IPv4 addresses", () => {
        for (const host of ["db", "saas-db.dev.internal", "127.0.0.1", "mydb.abc123xyz.us-east-1.rds.amazonaws.com"]) {
            expect(hostProblem(host), host).to.equal(undefined);
        }
    });

    it("rejects anything that would change the URL: paths, queries, user info, ports, brackets, bad labels", () => {
        for (const host of ["db.internal/tickit?socketFactory=x", "db;integratedSecurity=true", "user@db", "db:5432", "[::1]", "-db", "db..internal", "999.1.1.1", "", "a".repeat(64)]) {
            expect(hostProblem(host), host).to.match(/must be a host name/);
        }
    });

    it("takes each engine's unquoted database names, up to its length limit", () => {
        expect(databaseNameProblem("postgres", "tickit_2")).to.equal(undefined);
        expect(databaseNameProblem("postgres", "a".repeat(63))).to.equal(undefined);
        expect(databaseNameProblem("postgres", "a".repeat(64))).to.match(/at most 63/);
        expect(databaseNameProblem("mysql", "2024sales")).to.equal(undefined);
        expect(databaseNameProblem("mysql", "2024")).to.match(/not only digits/);
        expect(databaseNameProblem("sqlserver", "Tickit#1")).to.equal(undefined);
        expect(databaseNameProblem("sqlserver", "a".repeat(129))).to.match(/at most 128/);
    });

    it("rejects URL and driver-property characters for every engine", () => {
        for (const engine of ["postgres", "mysql", "sqlserver"] as const) {
            for (const db of ["tickit;integratedSecurity=true", "tickit?ssl=false", "tickit/other", "tickit&x=1", "{tickit}", "tick it", ""]) {
                expect(databaseNameProblem(engine, db), `${engine} ${db}`).to.match(new RegExp(`must be a ${engine} database name`));
            }
        }
    });
});
