import {
    AthenaClient,
    GetQueryExecutionCommand,
    GetQueryResultsCommand,
    ResultSet,
    StartQueryExecutionCommand,
    StopQueryExecutionCommand,
    TooManyRequestsException,
} from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import {
    AthenaEngineOptions,
    AthenaParameterError,
    AthenaQueryCancelledError,
    AthenaQueryEngine,
    AthenaQueryFailedError,
    AthenaQueryTimeoutError,
    columnTypeName,
    convertAthenaValue,
    toExecutionParameter,
} from "../../query-engines/athena";
import { QueryEngine } from "../../query-engines/engine";

const athena = mockClient(AthenaClient);
const QID = "11111111-2222-3333-4444-555555555555";

/** A fake clock whose sleeps advance time instantly and are recorded. */
function fakeTime() {
    const clock = { t: 0, sleeps: [] as number[] };
    return {
        clock,
        now: () => clock.t,
        sleep: async (ms: number) => {
            clock.sleeps.push(ms);
            clock.t += ms;
        },
    };
}

function engine(extra: Partial<AthenaEngineOptions> = {}) {
    const time = fakeTime();
    const e = new AthenaQueryEngine({
        workGroup: "tickit-dev",
        client: new AthenaClient({ region: "us-east-1" }),
        now: time.now,
        sleep: time.sleep,
        ...extra,
    });
    return { engine: e, clock: time.clock };
}

const running = { QueryExecution: { QueryExecutionId: QID, Status: { State: "RUNNING" as const } } };
function succeeded(bytes = 2048) {
    return {
        QueryExecution: {
            QueryExecutionId: QID,
            StatementType: "DML" as const,
            Status: { State: "SUCCEEDED" as const },
            Statistics: { DataScannedInBytes: bytes, EngineExecutionTimeInMillis: 900, TotalExecutionTimeInMillis: 1200 },
        },
    };
}

/** A GetQueryResults page: Athena sends every cell as text, NULL as a datum without VarCharValue. */
function page(rows: (string | null)[][], columns: { Name: string; Type: string; Precision?: number; Scale?: number }[]) {
    const resultSet: ResultSet = {
        ResultSetMetadata: { ColumnInfo: columns },
        Rows: rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
    };
    return { ResultSet: resultSet };
}

const SALES_COLUMNS = [
    { Name: "year", Type: "integer" },
    { Name: "orders", Type: "bigint" },
    { Name: "gross_sales", Type: "decimal", Precision: 18, Scale: 2 },
    { Name: "avg_ticket_price", Type: "double" },
    { Name: "holiday", Type: "boolean" },
    { Name: "caldate", Type: "date" },
    { Name: "catname", Type: "varchar" },
];
const SALES_HEADER = SALES_COLUMNS.map((c) => c.Name);

describe("AthenaQueryEngine", () => {
    beforeEach(() => athena.reset());

    it("implements the shared query-engine interface", () => {
        const e: QueryEngine = engine().engine;
        expect(e.name).to.equal("athena");
    });

    it("runs a query in the workgroup, polls with backoff and returns typed rows with stats", async () => {
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena
            .on(GetQueryExecutionCommand)
            .resolvesOnce(running)
            .resolvesOnce(running)
            .resolves(succeeded(123456));
        athena.on(GetQueryResultsCommand).resolves(
            page(
                [
                    SALES_HEADER,
                    ["2008", "9007199254740993", "1234567890123456.78", "123.5", "true", "2008-01-05", "Pop"],
                    ["2009", "42", "0.10", "NaN", "false", null, ""],
                ],
                SALES_COLUMNS,
            ),
        );
        const { engine: e, clock } = engine({ database: "tickit_dev_gold" });
        const result = await e.query('SELECT * FROM "tickit_dev_gold"."sales_by_month"');

        const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
        expect(start.WorkGroup).to.equal("tickit-dev");
        expect(start.QueryExecutionContext).to.deep.equal({ Catalog: "AwsDataCatalog", Database: "tickit_dev_gold" });
        expect(start.ExecutionParameters).to.equal(undefined);
        expect(clock.sleeps).to.deep.equal([250, 500]);

        expect(result.columns).to.deep.equal([
            { name: "year", type: "integer" },
            { name: "orders", type: "bigint" },
            { name: "gross_sales", type: "decimal(18,2)" },
            { name: "avg_ticket_price", type: "double" },
            { name: "holiday", type: "boolean" },
            { name: "caldate", type: "date" },
            { name: "catname", type: "varchar" },
        ]);
        expect(result.rows).to.have.length(2);
        expect(result.rows[0]).to.deep.equal({
            year: 2008,
            orders: 9007199254740993n,
            gross_sales: "1234567890123456.78",
            avg_ticket_price: 123.5,
            holiday: true,
            caldate: "2008-01-05",
            catname: "Pop",
        });
        expect(result.rows[1].orders).to.equal(42);
        expect(result.rows[1].avg_ticket_price).to.be.NaN;
        expect(result.rows[1].holiday).to.equal(false);
        expect(result.rows[1].caldate).to.equal(null);
        expect(result.rows[1].catname).to.equal("");
        expect(result.stats).to.include({
            engine: "athena",
            queryId: QID,
            bytesScanned: 123456,
            engineExecutionTimeMs: 900,
            totalExecutionTimeMs: 1200,
            elapsedMs: 750,
        });
    });

    it("pages through every result page, skipping the header only on the first", async () => {
        const cols = [
            { Name: "eventid", Type: "integer" },
            { Name: "eventname", Type: "varchar" },
        ];
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).resolves(succeeded());
        athena
            .on(GetQueryResultsCommand)
            .resolvesOnce({ ...page([["eventid", "eventname"], ["1", "Gotterdammerung"], ["2", "Boris Godunov"]], cols), NextToken: "p2" })
            .resolvesOnce({ ...page([["3", "Carmen"], ["4", "Salome"]], cols), NextToken: "p3" })
            .resolvesOnce(page([["5", "Mikado"]], cols));
        const result = await engine({ pageSize: 3 }).engine.query("SELECT eventid, eventname FROM t");

        expect(result.rows).to.deep.equal([
            { eventid: 1, eventname: "Gotterdammerung" },
            { eventid: 2, eventname: "Boris Godunov" },
            { eventid: 3, eventname: "Carmen" },
            { eventid: 4, eventname: "Salome" },
            { eventid: 5, eventname: "Mikado" },
        ]);
        const calls = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
        expect(calls.map((c) => c.NextToken)).to.deep.equal([undefined, "p2", "p3"]);
        expect(calls.every((c) => c.MaxResults === 3 && c.QueryExecutionId === QID)).to.equal(true);
    });

    it("does not drop the first row of DDL results, which have no header", async () => {
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).resolves({
            QueryExecution: { QueryExecutionId: QID, StatementType: "DDL", Status: { State: "SUCCEEDED" } },
        });
        athena.on(GetQueryResultsCommand).resolves(page([["saas_category"], ["saas_venue"]], [{ Name: "tab_name", Type: "string" }]));
        const result = await engine().engine.query("SHOW TABLES IN tickit_dev_silver");
        expect(result.rows.map((r) => r.tab_name)).to.deep.equal(["saas_category", "saas_venue"]);
    });

    it("reports Athena's failure reason, bytes scanned and query id when the query fails", async () => {
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).resolvesOnce(running).resolves({
            QueryExecution: {
                QueryExecutionId: QID,
                Status: {
                    State: "FAILED",
                    StateChangeReason: "SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved",
                    AthenaError: { ErrorCategory: 2, ErrorType: 1006, ErrorMessage: "SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved" },
                },
                Statistics: { DataScannedInBytes: 0, TotalExecutionTimeInMillis: 310 },
            },
        });
        const err = await engine()
            .engine.query("SELECT nope FROM t")
            .then(
                () => null,
                (e: unknown) => e,
            );
        expect(err).to.be.instanceOf(AthenaQueryFailedError);
        const failed = err as AthenaQueryFailedError;
        expect(failed.message).to.contain(QID).and.to.contain("Column 'nope' cannot be resolved");
        expect(failed.reason).to.equal("SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved");
        expect(failed.errorCategory).to.equal(2);
        expect(failed.stats).to.include({ bytesScanned: 0, totalExecutionTimeMs: 310, queryId: QID });
        expect(athena.commandCalls(GetQueryResultsCommand)).to.have.length(0);
    });

    it("stops the query in Athena when the caller aborts while it runs", async () => {
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).resolves(running);
        athena.on(StopQueryExecutionCommand).resolves({});
        const controller = new AbortController();
        let sleeps = 0;
        const e = new AthenaQueryEngine({
            workGroup: "tickit-dev",
            client: new AthenaClient({ region: "us-east-1" }),
            sleep: async () => {
                if (++sleeps === 2) controller.abort();
            },
        });
        const err = await e.query("SELECT 1", { signal: controller.signal }).catch((x: unknown) => x);
        expect(err).to.be.instanceOf(AthenaQueryCancelledError);
        expect((err as AthenaQueryCancelledError).queryId).to.equal(QID);
        expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).to.deep.equal([
            { QueryExecutionId: QID },
        ]);
        expect(athena.commandCalls(GetQueryExecutionCommand)).to.have.length(2);
    });

    it("starts nothing when the signal is already aborted", async () => {
        const controller = new AbortController();
        controller.abort();
        const err = await engine()
            .engine.query("SELECT 1", { signal: controller.signal })
            .catch((x: unknown) => x);
        expect(err).to.be.instanceOf(AthenaQueryCancelledError);
        expect(athena.commandCalls(StartQueryExecutionCommand)).to.have.length(0);
    });

    it("reports a query cancelled by someone else in Athena", async () => {
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).resolves({
            QueryExecution: { QueryExecutionId: QID, Status: { State: "CANCELLED", StateChangeReason: "Query was cancelled by user" } },
        });
        const err = await engine()
            .engine.query("SELECT 1")
            .catch((x: unknown) => x);
        expect(err).to.be.instanceOf(AthenaQueryCancelledError);
        expect((err as Error).message).to.contain("cancelled by user");
        expect(athena.commandCalls(StopQueryExecutionCommand)).to.have.length(0);
    });

    it("times out, stops the query and says so", async () => {
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).resolves(running);
        athena.on(StopQueryExecutionCommand).resolves({});
        const { engine: e, clock } = engine();
        const err = await e.query("SELECT 1", { timeoutMs: 1000 }).catch((x: unknown) => x);
        expect(err).to.be.instanceOf(AthenaQueryTimeoutError);
        expect((err as AthenaQueryTimeoutError).timeoutMs).to.equal(1000);
        expect((err as Error).message).to.contain(QID).and.to.contain("1000 ms");
        expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).to.deep.equal([
            { QueryExecutionId: QID },
        ]);
        // 250 + 500, then only the 250 ms left before the deadline rather than a full 1000 ms poll.
        expect(clock.sleeps).to.deep.equal([250, 500, 250]);
        expect(clock.t).to.equal(1000);
    });

    it("retries throttling with backoff, then succeeds", async () => {
        const throttled = () => new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} });
        const throttling = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
        athena
            .on(StartQueryExecutionCommand)
            .rejectsOnce(throttled())
            .rejectsOnce(throttled())
            .resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).rejectsOnce(throttling).resolves(succeeded());
        athena.on(GetQueryResultsCommand).resolves(page([["n"], ["7"]], [{ Name: "n", Type: "integer" }]));
        const { engine: e, clock } = engine();
        const result = await e.query("SELECT 7 AS n");
        expect(result.rows).to.deep.equal([{ n: 7 }]);
        expect(athena.commandCalls(StartQueryExecutionCommand)).to.have.length(3);
        expect(clock.sleeps).to.deep.equal([200, 400, 200]);
    });

    it("gives up after the configured throttling attempts with the throttling error", async () => {
        athena.on(StartQueryExecutionCommand).rejects(new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} }));
        const { engine: e } = engine({ throttle: { initialMs: 10, maxMs: 40, factor: 3, maxAttempts: 4 } });
        const err = await e.query("SELECT 1").catch((x: unknown) => x);
        expect((err as Error).name).to.equal("TooManyRequestsException");
        expect(athena.commandCalls(StartQueryExecutionCommand)).to.have.length(4);
    });

    it("does not retry other errors", async () => {
        athena.on(StartQueryExecutionCommand).rejects(Object.assign(new Error("workgroup is disabled"), { name: "InvalidRequestException" }));
        const err = await engine()
            .engine.query("SELECT 1")
            .catch((x: unknown) => x);
        expect((err as Error).message).to.equal("workgroup is disabled");
        expect(athena.commandCalls(StartQueryExecutionCommand)).to.have.length(1);
    });

    it("passes parameters as Athena execution parameters, never in the SQL text", async () => {
        athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QID });
        athena.on(GetQueryExecutionCommand).resolves(succeeded());
        athena.on(GetQueryResultsCommand).resolves(page([["n"]], [{ Name: "n", Type: "bigint" }]));
        const sql = 'SELECT count(*) AS n FROM "g"."top_buyers" WHERE username = ? AND year = ? AND rank <= ? AND ok = ?';
        const result = await engine().engine.query(sql, { parameters: ["O'Brien'; DROP TABLE x; --", 2008, 2.5, true] });
        expect(result.rows).to.deep.equal([]);
        const start = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input;
        expect(start.QueryString).to.equal(sql);
        expect(start.ExecutionParameters).to.deep.equal(["'O''Brien''; DROP TABLE x; --'", "2008", "2.5", "TRUE"]);
    });

    it("rejects a parameter that is not a finite literal before calling Athena", async () => {
        const err = await engine()
            .engine.query("SELECT ?", { parameters: [Infinity] })
            .catch((x: unknown) => x);
        expect(err).to.be.instanceOf(AthenaParameterError);
        expect((err as Error).message).to.contain("parameters[0]");
        expect(athena.commandCalls(StartQueryExecutionCommand)).to.have.length(0);
    });

    it("rejects a timeout that is not a positive number before calling Athena", async () => {
        const err = await engine()
            .engine.query("SELECT 1", { timeoutMs: 0 })
            .catch((x: unknown) => x);
        expect((err as Error).message).to.equal("timeoutMs must be a positive number of milliseconds, got 0");
        expect(athena.commandCalls(StartQueryExecutionCommand)).to.have.length(0);
    });

    it("requires a workgroup and a valid page size", () => {
        expect(() => new AthenaQueryEngine({ workGroup: "" })).to.throw(/workGroup is required/);
        expect(() => new AthenaQueryEngine({ workGroup: "w", pageSize: 5000 })).to.throw(/pageSize must be an integer in 1..1000/);
    });
});

describe("Athena value conversion", () => {
    it("converts by column type", () => {
        expect(convertAthenaValue("-32768", "smallint")).to.equal(-32768);
        expect(convertAthenaValue("9007199254740991", "bigint")).to.equal(9007199254740991);
        expect(convertAthenaValue("-9007199254740993", "bigint")).to.equal(-9007199254740993n);
        expect(convertAthenaValue("0.30", "decimal(8,2)")).to.equal("0.30");
        expect(convertAthenaValue("1.5E10", "double")).to.equal(15000000000);
        expect(convertAthenaValue("-Infinity", "real")).to.equal(-Infinity);
        expect(convertAthenaValue("2008-12-31 23:59:59.000", "timestamp")).to.equal("2008-12-31 23:59:59.000");
        expect(convertAthenaValue(undefined, "integer")).to.equal(null);
        expect(() => convertAthenaValue("yes", "boolean")).to.throw(/"yes" for a boolean column/);
        expect(() => convertAthenaValue("12x", "integer")).to.throw(/"12x" for a integer column/);
        expect(() => convertAthenaValue("", "double")).to.throw(/for a double column/);
    });

    it("names decimal columns with precision and scale", () => {
        expect(columnTypeName({ Name: "p", Type: "decimal", Precision: 8, Scale: 2 })).to.equal("decimal(8,2)");
        expect(columnTypeName({ Name: "s", Type: "varchar" })).to.equal("varchar");
    });

    it("encodes execution parameters as Athena literals", () => {
        expect(toExecutionParameter("it's", 0)).to.equal("'it''s'");
        expect(toExecutionParameter(-3, 1)).to.equal("-3");
        expect(toExecutionParameter(false, 2)).to.equal("FALSE");
        expect(() => toExecutionParameter(NaN, 3)).to.throw(/parameters\[3\]: NaN is not a finite number/);
    });
});
