/**
 * Declared rules as Glue Data Quality rulesets: the DQDL of each rule kind (expected strings written
 * by hand from the DQDL reference, https://docs.aws.amazon.com/glue/latest/dg/dqdl.html and
 * https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types.html), the rules that have no
 * equivalent, and the rulesets the component publishes under mocks when asked.
 */
import { expect } from "chai";
import { lakeSpec, parseLakeConfig } from "medallion-lake";
import { dqdlRuleset } from "../../packages/medallion-lake/src/model/dqdl";
import { MockResource, MockRunResult } from "../../local-lake/lib/mock-run";
import { ofType, rawLake, runStack } from "../support/helpers";
import { PROJECT_ROOT } from "../../stacks/stack-config";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf";
const SALES_COLUMNS = { salesid: "int", eventid: "int", qtysold: "smallint", status: "string", note: "string", saletime: "timestamp", price: "decimal(8,2)" };

/** The sales table of a small lake with `rules`, as the lake spec carries it. */
function sales(rules: unknown[]) {
    const config = parseLakeConfig({
        name: "shop",
        sources: [
            { name: "pg", engine: "postgres", host: "db", database: "d", secretArn: SECRET, tables: [{ name: "public.event", primaryKey: ["eventid"], columns: { eventid: "int" } }] },
            { name: "my", engine: "mysql", host: "db", database: "d", secretArn: SECRET, tables: [{ name: "sales", primaryKey: ["salesid"], columns: SALES_COLUMNS, rules }] },
        ],
    }, PROJECT_ROOT);
    return lakeSpec(config, "dev").sources[1].tables[0];
}

const dqdl = (rules: unknown[]) => {
    const t = sales(rules);
    return dqdlRuleset("my.sales", t.rules, t.columns);
};
/** The one rule line of a single-rule ruleset. */
const line = (rule: object) => dqdl([rule]).ruleset?.split("\n")[2].trim();

describe("declared rules as DQDL", () => {
    it("writes each rule kind that has an equivalent, letting nulls pass as the silver job does", () => {
        expect(line({ check: "notNull", column: "eventid" })).to.equal('IsComplete "eventid" labels=["rule"="not_null_eventid", "severity"="error"]');
        expect(line({ check: "range", column: "qtysold", min: 1, max: 8 })).to.equal(
            '((ColumnValues "qtysold" >= 1 where "qtysold is not null") and (ColumnValues "qtysold" <= 8 where "qtysold is not null")) labels=["rule"="range_qtysold", "severity"="error"]',
        );
        expect(line({ check: "range", column: "price", min: 0.01, severity: "warn" })).to.equal(
            'ColumnValues "price" >= 0.01 where "price is not null" labels=["rule"="range_price", "severity"="warn"]',
        );
        expect(line({ check: "range", column: "qtysold", max: -2 })).to.equal('ColumnValues "qtysold" <= -2 where "qtysold is not null" labels=["rule"="range_qtysold", "severity"="error"]');
        expect(line({ check: "acceptedValues", column: "status", values: ["paid", "refunded"] })).to.equal(
            'ColumnValues "status" in ["paid", "refunded", NULL] labels=["rule"="accepted_values_status", "severity"="error"]',
        );
        expect(line({ check: "acceptedValues", column: "qtysold", values: [1, 2, 4] })).to.equal(
            'ColumnValues "qtysold" in [1, 2, 4, NULL] labels=["rule"="accepted_values_qtysold", "severity"="error"]',
        );
        expect(line({ check: "pattern", column: "status", pattern: "^[a-z]+\\d?$" })).to.equal(
            'ColumnValues "status" matches "^[a-z]+\\d?$" where "status is not null" labels=["rule"="pattern_status", "severity"="error"]',
        );
        // Unanchored: a match anywhere in the value, whether DQDL matches whole values or finds one.
        expect(line({ check: "pattern", column: "note", pattern: "ok|fine" })).to.equal(
            'ColumnValues "note" matches "(?s).*(?:ok|fine).*" where "note is not null" labels=["rule"="pattern_note", "severity"="error"]',
        );
        expect(line({ check: "unique", columns: ["eventid", "saletime"] })).to.equal(
            'IsUnique "eventid" "saletime" where "eventid is not null and saletime is not null" labels=["rule"="unique_eventid_saletime", "severity"="error"]',
        );
    });

    it("skips and lists the rules DQDL cannot say the same way, naming why in the ruleset's comments", () => {
        const result = dqdl([
            { check: "notNull", column: "qtysold" },
            { check: "reference", column: "eventid", table: "pg.event" },
            { check: "rowCount", min: 1000 },
            { check: "freshness", column: "saletime", maxAgeHours: 36 },
            { name: "flag_values", check: "acceptedValues", column: "status", values: ["a", 1] },
            { name: "quoted", check: "acceptedValues", column: "status", values: ['say "hi"'] },
            { name: "quote_pattern", check: "pattern", column: "status", pattern: '^"' },
            { name: "number_pattern", check: "pattern", column: "qtysold", pattern: "^1" },
            { name: "huge", check: "range", column: "price", max: 1e21 },
        ]);
        expect(result.written).to.deep.equal(["not_null_qtysold"]);
        expect(result.skipped.map((s) => s.rule)).to.deep.equal(["reference_eventid", "row_count", "freshness_saletime", "flag_values", "quoted", "quote_pattern", "number_pattern", "huge"]);
        expect(result.skipped[1].reason).to.equal("DQDL RowCount counts the whole table; the declared rule counts the rows of the run");
        expect(result.ruleset).to.equal(
            [
                "# The declared data-quality rules of my.sales (medallion-lake config), enforced by the silver job.",
                ...result.skipped.map((s) => `# Not here (no DQDL equivalent): ${s.rule}: ${s.reason}.`),
                "Rules = [",
                '    IsComplete "qtysold" labels=["rule"="not_null_qtysold", "severity"="error"]',
                "]",
            ].join("\n"),
        );
    });

    it("joins the rules with commas, and has no ruleset when nothing can be written", () => {
        const both = dqdl([
            { check: "notNull", column: "eventid" },
            { check: "unique", columns: ["salesid"] },
        ]).ruleset;
        expect(both).to.equal(
            [
                "# The declared data-quality rules of my.sales (medallion-lake config), enforced by the silver job.",
                "Rules = [",
                '    IsComplete "eventid" labels=["rule"="not_null_eventid", "severity"="error"],',
                '    IsUnique "salesid" where "salesid is not null" labels=["rule"="unique_salesid", "severity"="error"]',
                "]",
            ].join("\n"),
        );
        expect(dqdl([{ check: "rowCount", min: 1 }])).to.deep.include({ ruleset: undefined, written: [] });
        expect(dqdl([]).ruleset).to.equal(undefined);
    });

    it("is off by default, and the flag is a boolean", () => {
        const minimal = { name: "shop", sources: [{ name: "pg", engine: "postgres", host: "db", database: "d", secretArn: SECRET, tables: ["public.orders"] }] };
        expect(parseLakeConfig(minimal, PROJECT_ROOT).dataQuality).to.deep.equal({ publishRulesets: false });
        expect(() => parseLakeConfig({ ...minimal, dataQuality: { publishRulesets: "yes" } }, PROJECT_ROOT)).to.throw("dataQuality.publishRulesets: expected boolean, got string");
    });
});

const RULESET = "aws:glue/dataQualityRuleset:DataQualityRuleset";

describe("Glue Data Quality rulesets of the dev stack (mocks)", () => {
    /** The dev lake with rules on ecomm.sales (one without an equivalent) and saas.event (none with one). */
    function withRules(publish: boolean | undefined) {
        const raw = rawLake("dev");
        const tables = raw.sources.flatMap((s: { tables: unknown[] }) => s.tables) as { name: string; rules?: object[] }[];
        tables.find((t) => t.name === "sales")!.rules = [
            { check: "range", column: "qtysold", min: 1, max: 8 },
            { check: "rowCount", min: 1000 },
        ];
        tables.find((t) => t.name === "saas.event")!.rules = [{ check: "freshness", column: "starttime", maxAgeHours: 48 }];
        return { ...raw, ...(publish === undefined ? {} : { dataQuality: { publishRulesets: publish } }) };
    }
    let published: MockRunResult;
    let rulesets: MockResource[];
    before(async () => {
        published = await runStack("dev", withRules(true));
        rulesets = ofType(published.resources, RULESET);
    });

    it("publishes one ruleset per table with a DQDL rule, naming its silver table", () => {
        expect(rulesets).to.have.length(1);
        const [sales] = rulesets;
        expect(sales.inputs.name).to.equal("tickit-dev-ecomm_sales");
        expect(sales.inputs.description).to.equal("tickit-dev: the declared data-quality rules of ecomm.sales for silver table tickit_dev_silver.ecomm_sales, enforced by the silver job");
        expect(sales.inputs.tags).to.include({ lake: "tickit", environment: "dev", "silver-table": "ecomm_sales" });
        expect(sales.inputs.ruleset).to.equal(
            [
                "# The declared data-quality rules of ecomm.sales (medallion-lake config), enforced by the silver job.",
                "# Not here (no DQDL equivalent): row_count: DQDL RowCount counts the whole table; the declared rule counts the rows of the run.",
                "Rules = [",
                '    ((ColumnValues "qtysold" >= 1 where "qtysold is not null") and (ColumnValues "qtysold" <= 8 where "qtysold is not null")) labels=["rule"="range_qtysold", "severity"="error"]',
                "]",
            ].join("\n"),
        );
        expect(published.outputs.qualityRulesetNames).to.deep.equal({ ecomm_sales: "tickit-dev-ecomm_sales" });
    });

    it("works on a first deploy: no target table, which CreateDataQualityRuleset needs to exist and the silver job creates on its first run", () => {
        for (const r of rulesets) expect(r.inputs, r.name).to.not.have.property("targetTable");
        // Nothing in the stack creates the silver tables: the job does.
        expect(ofType(published.resources, "aws:glue/catalogTable:CatalogTable").map((t) => t.inputs.name)).to.not.include("ecomm_sales");
    });

    it("gives no role a new permission: the silver job evaluates the rules, the ruleset is only published", async () => {
        const off = await runStack("dev", withRules(undefined));
        expect(ofType(off.resources, RULESET)).to.have.length(0);
        expect(off.outputs.qualityRulesetNames).to.deep.equal({});
        const policies = (run: MockRunResult) => ofType(run.resources, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy);
        expect(policies(published)).to.deep.equal(policies(off));
    });
});
