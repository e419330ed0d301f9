"""Declared data-quality rules: parsing (medallion.rules) and evaluation on Spark (medallion.quality),
each kind with passing and failing rows, both severities."""

import json
from datetime import UTC, datetime

import pytest
from medallion.quality import (
    check_rows,
    check_table,
    count_rows,
    drop_checks,
    failed_errors,
    refinement_order,
)
from medallion.rules import RuleError, parse_rules
from medallion.silver import conform, ingested_after, newest_ingested, quarantine_rows, silver_rows
from medallion.spec import SpecError, parse_lake_spec
from tickit_spec import spec_dict

T1 = datetime(2008, 6, 1, 12, 0, 0)
SALES_DDL = (
    "salesid string, eventid string, qtysold string, pricepaid string, saletime string, "
    "_ingested_at timestamp, _batch_id string, _source string"
)


def _rule(name, check, severity="error", **fields):
    base = {"column": None, "columns": [], "min": None, "max": None, "values": [], "pattern": None,
            "reference": None, "maxAgeHours": None}  # fmt: skip
    return {**base, "name": name, "check": check, "severity": severity, **fields}


def _spec(sales_rules):
    raw = spec_dict()
    sales = raw["sources"][1]["tables"][1]
    sales["columns"] = [c for c in sales["columns"] if c["name"] in SALES_DDL]
    sales["rules"] = sales_rules
    return parse_lake_spec(json.dumps(raw))


def _sale(salesid, eventid="100", qtysold="2", pricepaid="10.00", saletime="2/18/2008 02:36:48"):
    return (salesid, eventid, qtysold, pricepaid, saletime, T1, "b1", "ecomm")


def _checked(spark, rules, rows):
    table = _spec(rules).find_table("sales")[1]
    checked = check_rows(conform(spark.createDataFrame(rows, SALES_DDL), table), table.rules, {})
    conformed = drop_checks(checked)
    return checked, conformed, silver_rows(conformed, table)


def _check(spark, rules, rows, events=(100, 101)):
    table = _spec(rules).find_table("sales")[1]
    refs = {"saas/event": spark.createDataFrame([(e,) for e in events], "eventid int")}
    checked = check_rows(conform(spark.createDataFrame(rows, SALES_DDL), table), table.rules, refs)
    valid, quarantined, results = count_rows(checked, table.rules)
    conformed = drop_checks(checked)
    reasons = {r["salesid"]: r["_reason"] for r in quarantine_rows(conformed).collect()}
    return valid, quarantined, {r["rule"]: r for r in results}, reasons, silver_rows(conformed, table)


ROWS = [
    _sale("1"),
    _sale("2", qtysold="9"),  # out of range
    _sale("3", eventid="999"),  # unknown event
    _sale("4", qtysold=None, pricepaid="7.00"),  # null qtysold, price not .00
    _sale("5", eventid=None),  # null reference passes the reference rule
]


@pytest.mark.parametrize(
    ("rule", "failing"),
    [
        (_rule("qty_not_null", "notNull", column="qtysold"), {"4"}),
        (_rule("qty_range", "range", column="qtysold", min=1, max=8), {"2"}),
        (_rule("qty_min", "range", column="qtysold", min=3), {"1", "3", "5"}),
        (_rule("known_qty", "acceptedValues", column="qtysold", values=[2, 9]), set()),
        (_rule("small_qty", "acceptedValues", column="qtysold", values=[2]), {"2"}),
        (_rule("whole_price", "pattern", column="pricepaid", pattern=r"^\d+\.00$"), set()),
        (_rule("price_ten", "pattern", column="pricepaid", pattern=r"^10\."), {"4"}),
        (_rule("event_exists", "reference", column="eventid",
               reference={"source": "saas", "table": "event", "column": "eventid"}), {"3"}),
    ],
)  # fmt: skip
def test_an_error_row_rule_quarantines_exactly_the_failing_rows_with_its_name(spark, rule, failing):
    valid, quarantined, results, reasons, silver = _check(spark, [rule], ROWS)
    assert reasons == {k: rule["name"] for k in failing}
    assert (valid, quarantined) == (5 - len(failing), len(failing))
    assert results[rule["name"]]["failed_rows"] == len(failing)
    assert results[rule["name"]]["passed"] is (not failing)
    assert sorted(r["salesid"] for r in silver.collect()) == sorted(
        int(k) for k in {"1", "2", "3", "4", "5"} - failing
    )
    assert "__dq_0" not in silver.columns


def test_a_warn_row_rule_counts_but_keeps_the_rows(spark):
    rule = _rule("qty_range", "range", "warn", column="qtysold", min=1, max=8)
    valid, quarantined, results, reasons, silver = _check(spark, [rule], ROWS)
    assert (valid, quarantined, reasons) == (5, 0, {})
    assert results["qty_range"] == {
        "rule": "qty_range", "check": "range", "severity": "warn", "passed": False,
        "description": "qtysold >= 1 and <= 8", "failed_rows": 1,
    }  # fmt: skip
    assert silver.count() == 5


def test_rule_names_join_an_unparseable_value_reason(spark):
    rules = [
        _rule("qty_range", "range", column="qtysold", min=1, max=8),
        _rule("qty_not_null", "notNull", column="qtysold"),
    ]
    _, _, _, reasons, _ = _check(spark, rules, [_sale("1", qtysold="x"), _sale("2", qtysold="20")])
    assert reasons == {"1": "unparseable qtysold as smallint; qty_not_null", "2": "qty_range"}


def test_a_reference_to_a_table_without_rows_fails_every_non_null_value(spark):
    rule = _rule("event_exists", "reference", column="eventid",
                 reference={"source": "saas", "table": "event", "column": "eventid"})  # fmt: skip
    _, quarantined, _, reasons, _ = _check(spark, [rule], ROWS, events=())
    assert reasons == {"1": "event_exists", "2": "event_exists", "3": "event_exists", "4": "event_exists"}
    assert quarantined == 4


NOW = datetime(2008, 2, 19, 2, 36, 48, tzinfo=UTC)  # 24 h after the sales' saletime


@pytest.mark.parametrize(
    ("rule", "passed", "found"),
    [
        (_rule("enough", "rowCount", min=2, max=3), True, {"observed": 3}),
        (_rule("too_few", "rowCount", min=4), False, {"observed": 3}),
        (_rule("too_many", "rowCount", max=2), False, {"observed": 3}),
        (_rule("unique_event", "unique", columns=["eventid"]), False, {"failed_rows": 2}),
        (_rule("unique_pair", "unique", columns=["eventid", "qtysold"]), True, {"failed_rows": 0}),
        (_rule("fresh", "freshness", column="saletime", maxAgeHours=25), True, {"observed": 24.0}),
        (_rule("stale", "freshness", column="saletime", maxAgeHours=23.5), False, {"observed": 24.0}),
    ],
)  # fmt: skip
def test_table_rules_judge_the_silver_rows(spark, rule, passed, found):
    rows = [_sale("1", eventid="100", qtysold="1"), _sale("2", eventid="100"), _sale("3", eventid=None)]
    *_, silver = _check(spark, [rule], rows)
    (result,) = check_table(silver, _spec([rule]).find_table("sales")[1].rules, NOW)
    assert result["passed"] is passed
    assert {k: result[k] for k in found} == found
    assert failed_errors([result]) == ([] if passed else [result])


def test_a_failed_warn_table_rule_does_not_fail_the_job(spark):
    rule = _rule("too_few", "rowCount", "warn", min=4)
    *_, silver = _check(spark, [rule], [_sale("1")])
    (result,) = check_table(silver, _spec([rule]).find_table("sales")[1].rules, NOW)
    assert result["passed"] is False and failed_errors([result]) == []


def test_row_count_counts_only_the_rows_this_run_added_or_changed(spark):
    """Silver holds 1, 2 (from b1) and 3 (b2) plus 2 corrected by b2: a run after b1 added 2 and 3."""
    rules = [_rule("new_rows", "rowCount", min=3), _rule("some_rows", "rowCount", "warn", min=1, max=2)]
    t2 = datetime(2008, 6, 2, 12, 0, 0)
    later = [(*_sale(salesid)[:5], t2, "b2", "ecomm") for salesid in ("2", "3")]
    checked, conformed, silver = _checked(spark, rules, [_sale("1"), _sale("2"), *later])
    assert silver.count() == 3
    first, second = (
        check_table(silver, _spec(rules).find_table("sales")[1].rules, NOW, ingested_after(silver, mark))
        for mark in (None, T1)
    )
    assert [(r["rule"], r["passed"], r["observed"]) for r in first] == [
        ("new_rows", True, 3),
        ("some_rows", False, 3),
    ]
    assert [(r["rule"], r["passed"], r["observed"]) for r in second] == [
        ("new_rows", False, 2),
        ("some_rows", True, 2),
    ]
    assert second[0]["description"] == "rows this run >= 3"
    # Nothing new after b2: zero rows this run.
    table_rules = _spec(rules).find_table("sales")[1].rules
    assert check_table(silver, table_rules, NOW, ingested_after(silver, t2))[0]["observed"] == 0
    # Without the run's rows (a gold model) every row counts, and the result says "rows".
    whole = check_table(silver, _spec(rules).find_table("sales")[1].rules, NOW)
    assert (whole[0]["observed"], whole[0]["description"]) == (3, "rows >= 3")


def test_this_run_s_rows_start_after_the_newest_row_of_the_previous_silver_and_quarantine(spark):
    t2 = datetime(2008, 6, 2, 12, 0, 0)
    rows = [
        _sale("1"),
        _sale("2", saletime="13/45/2008"),
        (*_sale("3", saletime="bad")[:5], t2, "b2", "ecomm"),
    ]
    checked, conformed, silver = _checked(spark, [], rows)
    quarantine = quarantine_rows(conformed)
    assert dict(quarantine.select("salesid", "_ingested_at").collect()) == {
        "2": "2008-06-01 12:00:00",
        "3": "2008-06-02 12:00:00",
    }
    assert newest_ingested(silver) == T1
    assert newest_ingested(quarantine) == t2  # the quarantine keeps it as a string
    assert newest_ingested(silver.limit(0)) is None


def test_referenced_tables_are_refined_first():
    ref = {"source": "crm", "table": "users", "column": "userid"}
    spec = _spec([_rule("buyer_exists", "reference", column="eventid", reference=ref)])
    order = [f"{s.name}/{t.name}" for s, t in refinement_order(spec)]
    assert order.index("crm/users") < order.index("ecomm/sales")
    assert order[:2] == ["saas/category", "saas/venue"]  # spec order otherwise


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([_rule("r", "notNull", column="nope")], "rules[0]: column 'nope' is not among the declared columns"),
        ([_rule("r", "range", column="qtysold", min=5, max=1)], "rules[0]: impossible range, min 5 > max 1"),
        ([_rule("r", "range", column="qtysold")], "rules[0]: a range rule needs min, max or both"),
        ([_rule("r", "sql", column="qtysold")], "rules[0].check: unknown check 'sql'"),
        ([_rule("r", "notNull", "fatal", column="qtysold")], "rules[0].severity: expected one of error"),
        ([_rule("r", "pattern", column="qtysold", pattern="(")], "rules[0].pattern: not a valid regular"),
        ([_rule("r", "notNull", column="qtysold")] * 2, "rules: rule names must be unique"),
    ],
)  # fmt: skip
def test_malformed_rules_name_their_path(rules, message):
    with pytest.raises(
        RuleError, match=r"sources\[1\]\.tables\[1\]\." + message.replace("[", r"\[").replace("(", r"\(")
    ):
        _spec(rules)


def test_rules_need_declared_columns_and_known_referenced_tables():
    with pytest.raises(RuleError, match="rules need the table's declared columns"):
        parse_rules([_rule("r", "rowCount", min=1)], "t.rules", set())
    ref = {"source": "saas", "table": "nope", "column": "id"}
    with pytest.raises(SpecError, match="ecomm.sales rule r: unknown table saas.nope"):
        _spec([_rule("r", "reference", column="eventid", reference=ref)])
