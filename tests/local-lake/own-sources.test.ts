import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseLakeConfig } from "medallion-lake";
import { ownConnections, writeConnections } from "../../local-lake/lib/own-sources";
import { streamReporter } from "../../local-lake/lib/progress";
import { LakeStepFailed, runLocalLake, skipReason } from "../../local-lake/lib/run-lake";
import { STEPS } from "../../local-lake/lib/summary";
import { rejection } from "../support/rejection";
import { rawLake } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const dev = parseLakeConfig(rawLake("dev"), PROJECT_ROOT);
// saas and crm use secretArn in dev (no username in the config); ecomm has username etl.
const LOGINS = { MEDALLION_SAAS_USER: "me", MEDALLION_SAAS_PASSWORD: "p1", MEDALLION_ECOMM_PASSWORD: "p2", MEDALLION_CRM_USER: "crm_reader", MEDALLION_CRM_PASSWORD: "p3" };

describe("local lake --own-sources", () => {
    it("connects the bronze job to the stack file's hosts with TLS required and verified, logins from the environment", () => {
        const connections = ownConnections(dev, LOGINS);
        const saas = dev.sources.find((s) => s.name === "saas")!;
        expect(connections.saas).to.deep.equal({ url: `jdbc:postgresql://${saas.host}:5432/${saas.database}?sslmode=verify-full`, user: "me", password: "p1", driver: "org.postgresql.Driver" });
        const ecomm = dev.sources.find((s) => s.name === "ecomm")!;
        expect(connections.ecomm.url).to.equal(`jdbc:mysql://${ecomm.host}:3306/${ecomm.database}?permitMysqlScheme&sslMode=verify-full`);
        expect(connections.ecomm.user).to.equal(ecomm.username); // the config's username when no MEDALLION_ECOMM_USER
        expect(connections.crm.url).to.match(/^jdbc:sqlserver:\/\/[^;]+:1433;databaseName=\w+;encrypt=true;trustServerCertificate=false$/);
        expect(connections.crm.driver).to.equal("com.microsoft.sqlserver.jdbc.SQLServerDriver");
    });

    it("leaves TLS settings out for a source with enforceSsl: false", () => {
        const raw = rawLake("dev");
        raw.sources[0].enforceSsl = false;
        expect(ownConnections(parseLakeConfig(raw, PROJECT_ROOT), LOGINS).saas.url).to.not.contain("ssl");
    });

    it("gives a SQL Server source the TLS settings its Glue connection has, enforceSsl off included", () => {
        const raw = rawLake("dev");
        const crm = raw.sources.find((s: { name: string }) => s.name === "crm");
        crm.host = "10.0.0.5";
        crm.hostNameInCertificate = "crm.db.internal";
        expect(ownConnections(parseLakeConfig(raw, PROJECT_ROOT), LOGINS).crm.url).to.match(
            /^jdbc:sqlserver:\/\/10\.0\.0\.5:1433;databaseName=\w+;encrypt=true;trustServerCertificate=false;hostNameInCertificate=crm\.db\.internal$/,
        );
        delete crm.hostNameInCertificate;
        crm.enforceSsl = false;
        // The driver's own default would be encrypt=true with validation: spelled out, as on AWS.
        expect(ownConnections(parseLakeConfig(raw, PROJECT_ROOT), LOGINS).crm.url).to.match(/;databaseName=\w+;encrypt=true;trustServerCertificate=true$/);
    });

    it("names every missing variable at once", () => {
        expect(() => ownConnections(dev, { MEDALLION_SAAS_PASSWORD: "p1" })).to.throw(
            /set MEDALLION_SAAS_USER \(source saas has no username in the config\), MEDALLION_ECOMM_PASSWORD, MEDALLION_CRM_USER \(source crm has no username in the config\), MEDALLION_CRM_PASSWORD$/,
        );
    });

    it("writes the connections readable by the owner only", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "own-")), "sources", "connections.json");
        writeConnections(file, ownConnections(dev, LOGINS));
        expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).saas.password).to.equal("p1");
    });

    it("skips loading and crawling, and only those", () => {
        expect(STEPS.filter((s) => skipReason(s, { ownSources: true }))).to.deep.equal(["load", "crawl"]);
        expect(STEPS.filter((s) => skipReason(s, {}))).to.deep.equal([]);
    });

    it("fails in prepare, before any server starts, when a login is missing", async () => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "own-prepare-"));
        const saved = { ...process.env };
        for (const key of Object.keys(process.env)) if (key.startsWith("MEDALLION_")) delete process.env[key];
        try {
            const error = await rejection(runLocalLake({ stack: "dev", ownSources: true, dataDir, reporter: streamReporter(() => undefined) }));
            expect((error as LakeStepFailed).step).to.equal("prepare");
            expect(error.message).to.contain("--own-sources reads each source's login from the environment; set MEDALLION_SAAS_USER");
            expect(fs.existsSync(path.join(dataDir, "catalog"))).to.equal(false);
        } finally {
            process.env = saved;
        }
    });
});
