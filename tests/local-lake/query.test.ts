import { expect } from "chai";
import { failureHighlights, PythonFailed } from "../../local-lake/lib/python";
import { defaultEngine, explainQueryError, openEngine } from "../../local-lake/lib/query";
import { rejection } from "../support/rejection";

describe("local lake: query command and failure reports", () => {
    it("queries the local lake with DuckDB and AWS stacks with Athena by default", () => {
        expect(defaultEngine("local")).to.equal("duckdb");
        expect(defaultEngine("dev")).to.equal("athena");
        expect(defaultEngine("prod")).to.equal("athena");
    });

    it("turns missing AWS credentials into what to do, and leaves other errors alone", () => {
        const explained = explainQueryError(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }), "athena");
        expect(explained.message).to.contain("Athena needs AWS credentials").and.to.contain("AWS_PROFILE").and.to.contain("--engine duckdb");
        const other = new Error("SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved");
        expect(explainQueryError(other, "athena")).to.equal(other);
        expect(explainQueryError(new Error("credentials"), "duckdb").message).to.equal("credentials");
    });

    it("addresses an AWS stack's workgroup and databases by the component's naming", async () => {
        const { engine, target } = await openEngine({ stack: "dev" });
        await engine.close();
        expect(engine.name).to.equal("athena");
        expect(target).to.equal("Athena workgroup tickit-dev in us-east-1 (databases tickit_dev_source, tickit_dev_bronze, tickit_dev_silver, tickit_dev_gold)");
    });

    it("says to run the lake first when the local lake is empty", async () => {
        const error = await rejection(openEngine({ stack: "local", dataDir: "/nonexistent/lake-data" }));
        expect(error.message).to.contain("has no catalog tables").and.to.contain("npm run lake");
    });

    it("reports the telling lines of a failed job, not its stack frames", () => {
        const log = [
            "INFO SparkContext: Running Spark version 3.5.4",
            "Caused by: java.sql.SQLDataException: value 'dateid' cannot be decoded as Integer",
            "\tat org.mariadb.jdbc.client.column.StringColumn.decodeIntText(StringColumn.java:242)",
            "\t... 17 more",
            "local_submit: bronze job failed with exit code 1",
        ];
        expect(failureHighlights(log)).to.deep.equal([
            "Caused by: java.sql.SQLDataException: value 'dateid' cannot be decoded as Integer",
            "local_submit: bronze job failed with exit code 1",
        ]);
        expect(failureHighlights(["a", "b"], 1)).to.deep.equal(["b"]);
        const failed = new PythonFailed("bronze job", 1, log, "/x/logs/b1-bronze.log");
        expect(failed.message.split("\n")).to.deep.equal([
            "bronze job exited with code 1:",
            "  Caused by: java.sql.SQLDataException: value 'dateid' cannot be decoded as Integer",
            "  local_submit: bronze job failed with exit code 1",
            "full log: /x/logs/b1-bronze.log",
        ]);
    });
});
