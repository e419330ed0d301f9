/**
 * SQL Server over TLS: Glue 5.0's mssql-jdbc 10.2 defaults to encrypt=true with certificate
 * validation, Glue 4.0's 9.4 to encrypt=false. The connection URL spells the settings out so that
 * `enforceSsl` means the same on both, and `hostNameInCertificate` reaches both the driver and Glue.
 */
import { expect } from "chai";
import { parseLakeConfig } from "medallion-lake";
import { connectionProperties } from "../../packages/medallion-lake/src/component/sources";
import { MockRunResult } from "../../local-lake/lib/mock-run";
import { ofType, rawLake, runStack } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:crm-AbCdEf";
const CA = "s3://tickit-certs-123456789012/ca/private-root.pem";

/** The one source of a lake with `fields` on a sqlserver source (or another engine). */
function source(fields: object, engine = "sqlserver") {
    const table = engine === "mysql" ? "users" : "crm.users";
    return parseLakeConfig({ name: "shop", sources: [{ name: "crm", engine, host: "10.0.0.12", database: "tickit", secretArn: SECRET, tables: [table], ...fields }] }, PROJECT_ROOT).sources[0];
}

describe("SQL Server TLS on the Glue connection", () => {
    it("by default encrypts and validates the certificate against the host name", () => {
        expect(connectionProperties(source({}), SECRET)).to.deep.equal({
            JDBC_CONNECTION_URL: "jdbc:sqlserver://10.0.0.12:1433;databaseName=tickit;encrypt=true;trustServerCertificate=false",
            SECRET_ID: SECRET,
            JDBC_ENFORCE_SSL: "true",
        });
    });

    it("validates against a private CA and another certificate name when given", () => {
        expect(connectionProperties(source({ caCertificate: CA, hostNameInCertificate: "crm-db.corp.example" }), SECRET)).to.deep.equal({
            JDBC_CONNECTION_URL: "jdbc:sqlserver://10.0.0.12:1433;databaseName=tickit;encrypt=true;trustServerCertificate=false;hostNameInCertificate=crm-db.corp.example",
            SECRET_ID: SECRET,
            JDBC_ENFORCE_SSL: "true",
            CUSTOM_JDBC_CERT: CA,
            CUSTOM_JDBC_CERT_STRING: "crm-db.corp.example",
        });
    });

    it("with enforceSsl: false still encrypts but no longer checks the certificate", () => {
        expect(connectionProperties(source({ enforceSsl: false }), SECRET)).to.deep.equal({
            JDBC_CONNECTION_URL: "jdbc:sqlserver://10.0.0.12:1433;databaseName=tickit;encrypt=true;trustServerCertificate=true",
            SECRET_ID: SECRET,
            JDBC_ENFORCE_SSL: "false",
        });
    });

    it("leaves the PostgreSQL and MySQL URLs to Glue's JDBC_ENFORCE_SSL", () => {
        expect(connectionProperties(source({}, "postgres"), SECRET).JDBC_CONNECTION_URL).to.equal("jdbc:postgresql://10.0.0.12:5432/tickit");
        expect(connectionProperties(source({ enforceSsl: false }, "mysql"), SECRET).JDBC_CONNECTION_URL).to.equal("jdbc:mysql://10.0.0.12:3306/tickit");
    });

    it("rejects hostNameInCertificate on other engines, without enforceSsl, or with driver-property characters", () => {
        expect(() => source({ hostNameInCertificate: "db.example" }, "postgres")).to.throw(/sources\[0\]\.hostNameInCertificate: applies to sqlserver sources only/);
        expect(() => source({ hostNameInCertificate: "db.example", enforceSsl: false })).to.throw(/sources\[0\]\.hostNameInCertificate: requires enforceSsl/);
        expect(() => source({ hostNameInCertificate: "db.example;trustServerCertificate=true" })).to.throw(/sources\[0\]\.hostNameInCertificate: must be a host name/);
    });

    describe("on the dev stack's crm connection (mocks)", () => {
        let run: MockRunResult;
        before(async () => {
            const lake = rawLake("dev");
            lake.sources.find((s: { name: string }) => s.name === "crm").hostNameInCertificate = "crm-db.corp.example";
            run = await runStack("dev", lake);
        });

        it("puts the TLS settings into the URL and the name into CUSTOM_JDBC_CERT_STRING", () => {
            const crm = ofType(run.resources, "aws:glue/connection:Connection").find((c) => c.inputs.name === "tickit-dev-crm")!;
            expect(crm.inputs.connectionProperties).to.include({
                JDBC_CONNECTION_URL: "jdbc:sqlserver://crm-db.dev.internal:1433;databaseName=tickit;encrypt=true;trustServerCertificate=false;hostNameInCertificate=crm-db.corp.example",
                JDBC_ENFORCE_SSL: "true",
                CUSTOM_JDBC_CERT_STRING: "crm-db.corp.example",
            });
        });
    });
});
