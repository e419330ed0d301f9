import { expect } from "chai";
import { lakeSpec, parseLakeConfig } from "medallion-lake";
import { configIssues } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf";

/** A two-source lake: pg.event (typed, key eventid) and my.sales (typed) with the given rules on sales. */
function lake(salesRules: unknown[], eventRules: unknown[] = []) {
    return {
        name: "shop",
        sources: [
            {
                name: "pg",
                engine: "postgres",
                host: "db",
                database: "d",
                secretArn: SECRET,
                tables: [
                    { name: "public.event", primaryKey: ["eventid"], columns: { eventid: "int", starttime: "timestamp" }, rules: eventRules },
                    "public.untyped",
                ],
            },
            {
                name: "my",
                engine: "mysql",
                host: "db",
                database: "d",
                secretArn: SECRET,
                tables: [{ name: "sales", primaryKey: ["salesid"], columns: { salesid: "int", eventid: "int", qtysold: "smallint", status: "string", saletime: "timestamp", price: "decimal(8,2)" }, rules: salesRules }],
            },
        ],
    };
}

describe("data-quality rules in the config", () => {
    it("normalizes every rule kind into the lake spec with default names and severities", () => {
        const config = parseLakeConfig(
            lake([
                { check: "notNull", column: "eventid" },
                { check: "range", column: "qtysold", min: 1, max: 8 },
                { name: "known_status", check: "acceptedValues", column: "status", values: ["paid", "refunded"], severity: "warn" },
                { check: "pattern", column: "status", pattern: "^[a-z]+$" },
                { check: "reference", column: "eventid", table: "pg.event" },
                { check: "rowCount", min: 1000 },
                { check: "unique", columns: ["eventid", "saletime"] },
                { check: "freshness", column: "saletime", maxAgeHours: 36 },
            ]),
            PROJECT_ROOT,
        );
        const rules = lakeSpec(config, "dev").sources[1].tables[0].rules;
        expect(rules.map((r) => `${r.name}/${r.check}/${r.severity}`)).to.deep.equal([
            "not_null_eventid/notNull/error",
            "range_qtysold/range/error",
            "known_status/acceptedValues/warn",
            "pattern_status/pattern/error",
            "reference_eventid/reference/error",
            "row_count/rowCount/error",
            "unique_eventid_saletime/unique/error",
            "freshness_saletime/freshness/error",
        ]);
        expect(rules[1]).to.deep.equal({
            name: "range_qtysold", check: "range", severity: "error", column: "qtysold", columns: [], min: 1, max: 8,
            values: [], pattern: null, reference: null, maxAgeHours: null,
        });
        expect(rules[4].reference).to.deep.equal({ source: "pg", table: "event", column: "eventid" });
        expect(rules[5]).to.include({ min: 1000, max: null, column: null });
        expect(rules[6].columns).to.deep.equal(["eventid", "saletime"]);
        expect(rules[7].maxAgeHours).to.equal(36);
    });

    it("names the field of every malformed rule", () => {
        const issues = configIssues(
            lake([
                { check: "range", column: "qtysold", min: 9, max: 1 },
                { check: "range", column: "qtysold" },
                { check: "pattern", column: "status", pattern: "(" },
                { check: "between", column: "status" },
                { check: "notNull", column: "eventid", severity: "fatal" },
            ]),
        );
        const at = (k: number) => `sources[1].tables[0].rules[${k}]`;
        expect(issues.slice(0, 2)).to.deep.equal([`${at(0)}.max: impossible range: max 1 is less than min 9`, `${at(1)}.min: set min, max or both`]);
        expect(issues[2]).to.match(/^sources\[1\]\.tables\[0\]\.rules\[2\]\.pattern: not a valid regular expression/);
        expect(issues[3]).to.match(/^sources\[1\]\.tables\[0\]\.rules\[3\]\.check: expected one of notNull, range/);
        expect(issues[4]).to.equal(`${at(4)}.severity: expected one of error, warn`);
        expect(issues).to.have.length(5);
    });

    it("names the field of every rule that does not fit the lake", () => {
        const issues = configIssues(
            lake([
                { check: "notNull", column: "nope" },
                { check: "range", column: "status", max: 3 },
                { check: "reference", column: "eventid", table: "pg.evnt" },
                { name: "ref_untyped", check: "reference", column: "eventid", table: "pg.untyped" },
                { check: "freshness", column: "qtysold", maxAgeHours: 1 },
                { check: "unique", columns: ["eventid", "zzz"] },
                { name: "ref_nokey", check: "reference", column: "eventid", table: "pg.event", key: "nokey" },
            ]),
        );
        const at = (k: number) => `sources[1].tables[0].rules[${k}]`;
        expect(issues).to.deep.equal([
            `${at(0)}.column: "nope" is not in columns (salesid, eventid, qtysold, status, saletime, price)`,
            `${at(1)}.column: range needs a numeric column, "status" is string`,
            `${at(2)}.table: unknown lake table "pg.evnt" (known: pg.event, pg.untyped, my.sales)`,
            `${at(3)}.key: pg.untyped has no one-column primary key: set key to the referenced column`,
            `${at(4)}.column: freshness needs a date or timestamp column, "qtysold" is smallint`,
            `${at(5)}.columns[1]: "zzz" is not in columns (salesid, eventid, qtysold, status, saletime, price)`,
            `${at(6)}.key: "nokey" is not in the columns of pg.event`,
        ]);
    });

    it("rejects rules on untyped tables, duplicate names, unknown fields and reference cycles", () => {
        const raw = lake([{ check: "reference", column: "eventid", table: "pg.event" }, { check: "notNull", column: "eventid", name: "reference_eventid" }], [
            { check: "reference", column: "eventid", table: "my.sales", key: "eventid" },
        ]);
        (raw.sources[0].tables as unknown[])[1] = { name: "public.untyped", rules: [{ check: "rowCount", min: 1 }] };
        const issues = configIssues(raw);
        expect(issues).to.include.members([
            "sources[0].tables[1].rules: rules need the table's columns declared (columns), so that every rule names a typed column",
            'sources[1].tables[0].rules[1].name: duplicate rule name "reference_eventid" (also rules[0]); set name',
        ]);
        // Structured rules only: an SQL expression is not a field.
        ((raw.sources[1].tables[0] as { rules: object[] }).rules).push({ check: "notNull", column: "qtysold", sql: "1=1; DROP TABLE x" });
        expect(configIssues(raw)).to.deep.equal(["sources[1].tables[0].rules[2].sql: unknown field"]);
        expect(issues.filter((i) => i.includes("reference cycle"))).to.have.length(1);
        expect(issues.find((i) => i.includes("reference cycle"))).to.match(/^sources\[\d\]\.tables\[0\]\.rules\[0\]\.table: reference cycle (pg\.event -> my\.sales -> pg\.event|my\.sales -> pg\.event -> my\.sales)/);
    });

    it("rejects a table that references itself", () => {
        const issues = configIssues(lake([{ check: "reference", column: "eventid", table: "my.sales", key: "salesid" }]));
        expect(issues).to.deep.equal(["sources[1].tables[0].rules[0].table: reference cycle my.sales -> my.sales: silver checks a referenced table before the tables that reference it"]);
    });
});
