/**
 * A source whose database has a certificate from a private CA: its Glue connection names the CA's
 * certificate (CUSTOM_JDBC_CERT, an S3 location, as Glue's Connection API documents), and the roles
 * that use the connection (bronze job, crawlers) may read exactly that object.
 */
import { expect } from "chai";
import { caCertificateProblem } from "../../packages/medallion-lake/src/model/jdbc-fields";
import { MockRunResult } from "../../local-lake/lib/mock-run";
import { ofType, rawLake, runStack } from "../support/helpers";

const CA = "s3://tickit-certs-123456789012/ca/private-root.pem";

describe("caCertificate: a private CA for a source's TLS", () => {
    let run: MockRunResult;
    before(async () => {
        const lake = rawLake("dev");
        lake.sources[0].caCertificate = CA;
        run = await runStack("dev", lake);
    });

    it("puts the certificate's S3 location into that source's Glue connection only", () => {
        const connections = Object.fromEntries(ofType(run.resources, "aws:glue/connection:Connection").map((c) => [c.inputs.name, c.inputs.connectionProperties]));
        expect(connections["tickit-dev-saas"]).to.include({ CUSTOM_JDBC_CERT: CA, JDBC_ENFORCE_SSL: "true" });
        for (const other of ["tickit-dev-ecomm", "tickit-dev-crm"]) expect(connections[other]).to.not.have.property("CUSTOM_JDBC_CERT");
    });

    it("lets the bronze job and the crawlers read that one object, and no other role", () => {
        const readers = ofType(run.resources, "aws:iam/rolePolicy:RolePolicy")
            .filter((p) => JSON.parse(p.inputs.policy).Statement.some((s: any) => [].concat(s.Resource).includes("arn:aws:s3:::tickit-certs-123456789012/ca/private-root.pem" as never)))
            .map((p) => p.name);
        expect(readers).to.have.members(["lake-bronze-job-policy", "lake-crawler-policy"]);
    });
});

describe("caCertificateProblem", () => {
    it("accepts an S3 location of a .pem object", () => {
        expect(caCertificateProblem(CA)).to.equal(undefined);
        expect(caCertificateProblem("s3://my.certs/root.pem")).to.equal(undefined);
    });

    it("rejects other schemes, wildcards, parent segments, other file types and bad bucket names", () => {
        for (const bad of ["https://certs/root.pem", "s3://certs/*.pem", "s3://certs/../other/root.pem", "s3://certs/root.crt", "s3://Certs/root.pem", "s3://certs/", "s3://c/root.pem", "s3://certs/a b.pem"]) {
            expect(caCertificateProblem(bad), bad).to.match(/must be the S3 location of a PEM certificate/);
        }
    });
});
