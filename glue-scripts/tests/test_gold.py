import json
from datetime import datetime
from decimal import Decimal as D

import pytest
from medallion import gold
from medallion.models import ModelError, build_order, referenced_tables
from medallion.spec import SpecError, parse_lake_spec
from tickit_spec import spec_dict, tickit_gold

SALES_DDL = (
    "salesid int, listid int, sellerid int, buyerid int, eventid int, dateid smallint, qtysold smallint, "
    "pricepaid decimal(8,2), commission decimal(8,2), saletime timestamp"
)
# salesid, sellerid, buyerid, eventid, qtysold, pricepaid, commission, saletime
SALES = [
    (1, 10, 20, 100, 2, D("100.00"), D("15.00"), datetime(2008, 1, 5, 10, 0)),
    (2, 10, 21, 101, 1, D("51.00"), D("7.65"), datetime(2008, 1, 20, 9, 30)),
    (3, 11, 20, 100, 4, D("300.00"), D("45.00"), datetime(2008, 2, 1, 0, 0)),
    (4, 12, 22, 999, 0, D("0.00"), D("0.00"), datetime(2008, 4, 10, 8, 0)),  # unknown event+buyer, zero qty
    (5, 99, 20, 102, 3, D("90.00"), D("13.50"), datetime(2008, 3, 3, 3, 3)),  # unknown seller
]


@pytest.fixture(scope="module")
def tables(spark):
    sales = spark.createDataFrame(
        [(s, 7, sel, buy, ev, 1, q, p, c, t) for s, sel, buy, ev, q, p, c, t in SALES], SALES_DDL
    )
    event = spark.createDataFrame(
        [
            (100, 1, 1, "Event A", datetime(2008, 1, 10, 20, 0)),
            (101, 2, 2, "Event B", datetime(2008, 1, 15, 19, 0)),  # venue 2 is missing
            (102, 1, 3, "Event C", datetime(2008, 3, 1, 14, 0)),  # category 3 is missing
            (103, 1, 1, "Event D", datetime(2008, 2, 1, 20, 0)),  # no listings, no sales
        ],
        "eventid int, venueid smallint, catid smallint, eventname string, starttime timestamp",
    )
    venue = spark.createDataFrame(
        [(1, "Arena", "Springfield", "IL", 5000)],
        "venueid smallint, venuename string, venuecity string, venuestate string, venueseats int",
    )
    category = spark.createDataFrame(
        [(1, "Sports", "MLB", "Baseball"), (2, "Shows", "Musicals", "Musicals")],
        "catid smallint, catgroup string, catname string, catdesc string",
    )
    listing = spark.createDataFrame(
        [(1, 100, 10), (2, 100, 2), (3, 101, 4), (4, 102, 0), (5, 555, 5), (6, None, 1)],
        "listid int, eventid int, numtickets smallint",
    )
    users = spark.createDataFrame(
        [
            (10, "alice01", "Alice", "Ames", "Austin", "TX"),
            (11, "bob02", "Bob", "Burr", "Boston", "MA"),
            (12, "carol03", "Carol", "Cole", "Chicago", "IL"),
            (20, "dan04", "Dan", "Dorn", "Denver", "CO"),
            (21, "erin05", "Erin", "Eck", "Eugene", "OR"),
        ],
        "userid int, username string, firstname string, lastname string, city string, state string",
    )
    return {
        "ecomm_sales": sales,
        "saas_event": event,
        "saas_venue": venue,
        "saas_category": category,
        "ecomm_listing": listing,
        "crm_users": users,
    }


def _spec(gold_section):
    raw = spec_dict()
    raw["gold"] = gold_section
    return parse_lake_spec(json.dumps(raw))


def _run(spark, tables, gold_section=None, sql=None):
    """Plans the models (TICKIT's as the component builds them, unless given) over `tables`."""
    tickit, files = tickit_gold()
    gold_section = gold_section or tickit
    if sql is None:
        sql = {m["name"]: files[m["file"]] for m in gold_section["models"]}
    planned = gold.plan(spark, _spec(gold_section), sql, lambda name: tables[name])
    return {p.model.name: p for p in planned}


@pytest.fixture(scope="module")
def models(spark, tables):
    return _run(spark, tables)


def _rows(df, order):
    return [r.asDict() for r in df.orderBy(*order).collect()]


def test_sales_by_month(models):
    out = models["sales_by_month"].frame
    assert out.columns == [
        "gross_sales",
        "commission",
        "tickets_sold",
        "orders",
        "avg_ticket_price",
        "year",
        "month",
    ]
    assert [tuple(r.values()) for r in _rows(out, ["year", "month"])] == [
        (D("151.00"), D("22.65"), 3, 2, D("50.33"), 2008, 1),  # 151 / 3 tickets, rounded
        (D("300.00"), D("45.00"), 4, 1, D("75.00"), 2008, 2),
        (D("90.00"), D("13.50"), 3, 1, D("30.00"), 2008, 3),
        (D("0.00"), D("0.00"), 0, 1, None, 2008, 4),  # no tickets: no average, no error
    ]
    assert dict(out.dtypes)["gross_sales"] == "decimal(18,2)"
    assert dict(out.dtypes)["avg_ticket_price"] == "decimal(18,2)"


def test_sales_by_category_keeps_sales_of_unknown_events(models):
    out = models["sales_by_category"].frame
    assert [tuple(r.values()) for r in _rows(out, ["catgroup", "catname"])] == [
        ("Musicals", D("51.00"), D("7.65"), 1, 1, D("51.00"), "Shows"),
        ("MLB", D("400.00"), D("60.00"), 6, 2, D("66.67"), "Sports"),
        # sale 5 (event of a missing category) and sale 4 (missing event)
        ("Unknown", D("90.00"), D("13.50"), 3, 2, D("30.00"), "Unknown"),
    ]


def test_event_performance_keeps_events_without_venue_or_sales(models):
    out = models["event_performance"].frame
    assert out.columns == [
        "eventid", "eventname", "catname", "venueid", "venuename", "venuecity", "venuestate",
        "tickets_listed", "tickets_sold", "sell_through", "gross_sales", "year", "month",
    ]  # fmt: skip
    assert [tuple(r.values()) for r in _rows(out, ["eventid"])] == [
        (100, "Event A", "MLB", 1, "Arena", "Springfield", "IL", 12, 6, 0.5, D("400.00"), 2008, 1),
        (101, "Event B", "Musicals", 2, "Unknown venue", None, None, 4, 1, 0.25, D("51.00"), 2008, 1),
        (102, "Event C", None, 1, "Arena", "Springfield", "IL", 0, 3, None, D("90.00"), 2008, 3),
        (103, "Event D", "MLB", 1, "Arena", "Springfield", "IL", 0, 0, None, D("0.00"), 2008, 2),
    ]


def test_top_sellers(models):
    out = models["top_sellers"].frame
    assert out.columns == [
        "rank", "sellerid", "username", "firstname", "lastname", "city", "state",
        "gross_sales", "tickets_sold", "year",
    ]  # fmt: skip
    assert [tuple(r.values()) for r in _rows(out, ["year", "rank"])] == [
        (1, 11, "bob02", "Bob", "Burr", "Boston", "MA", D("300.00"), 4, 2008),
        (2, 10, "alice01", "Alice", "Ames", "Austin", "TX", D("151.00"), 3, 2008),
        (3, 99, None, None, None, None, None, D("90.00"), 3, 2008),  # seller missing from users
        (4, 12, "carol03", "Carol", "Cole", "Chicago", "IL", D("0.00"), 0, 2008),
    ]


def test_top_buyers(models):
    out = models["top_buyers"].frame
    assert [tuple(r.values()) for r in _rows(out, ["year", "rank"])] == [
        (1, 20, "dan04", "Dan", "Dorn", "Denver", "CO", D("490.00"), 9, 3, 2008),
        (2, 21, "erin05", "Erin", "Eck", "Eugene", "OR", D("51.00"), 1, 1, 2008),
        (3, 22, None, None, None, None, None, D("0.00"), 0, 1, 2008),
    ]
    assert out.columns[-4:] == ["total_spent", "tickets_bought", "orders", "year"]


def test_top_ten_per_year_with_ties_broken_by_id(spark, tables):
    # 12 sellers with equal gross in 2008 (ids 1..12), inserted in reverse; one seller in 2009.
    rows = [(i, 7, i, 20, 100, 1, 1, D("10.00"), D("1.50"), datetime(2008, 5, 1)) for i in range(12, 0, -1)]
    rows.append((13, 7, 5, 20, 100, 1, 1, D("5.00"), D("0.75"), datetime(2009, 1, 1)))
    out = _run(spark, {**tables, "ecomm_sales": spark.createDataFrame(rows, SALES_DDL)})["top_sellers"].frame
    assert [(r["year"], r["rank"], r["sellerid"]) for r in _rows(out, ["year", "rank"])] == [
        *[(2008, i, i) for i in range(1, 11)],
        (2009, 1, 5),
    ]


def test_declared_tests_report_orphans_as_warnings(spark, models):
    results = {
        name: {r["rule"]: r for r in gold.run_tests(spark, p, datetime(2009, 1, 1))}
        for name, p in models.items()
    }
    sellers = results["top_sellers"]["reference_sellerid"]  # seller 99 is missing from users
    assert (sellers["passed"], sellers["failed_rows"], sellers["severity"]) == (False, 1, "warn")
    assert results["event_performance"]["events_with_known_venue"]["failed_rows"] == 1  # venue 2
    assert results["sales_by_category"]["sales_of_known_categories"]["failed_rows"] == 1  # the 'Unknown' row
    assert results["top_buyers"]["unique_year_rank"]["passed"] is True
    assert results["sales_by_month"]["row_count"]["observed"] == 4
    assert all(gold.failed_errors(list(r.values())) == [] for r in results.values())


# A two-model lake: `monthly` reads silver, `best_month` reads `monthly`; listed dependent first.
MONTHLY = "SELECT CAST(month(saletime) AS INT) AS month, SUM(qtysold) AS tickets FROM ecomm_sales GROUP BY 1"
BEST = (
    "WITH ranked AS (SELECT month, tickets FROM monthly) "
    "SELECT month, tickets FROM ranked ORDER BY tickets DESC LIMIT 1"
)


def _model(name, columns, partition_by=(), tests=()):
    return {"name": name, "file": f"gold-models/{name}-0.sql", "description": f"{name} model",
            "partitionBy": list(partition_by), "columns": [{"name": c, "description": ""} for c in columns],
            "tests": list(tests), "queries": []}  # fmt: skip


def _test(name, check, severity="error", **fields):
    unused = ("column", "min", "max", "pattern", "reference", "maxAgeHours", "expression")
    base = {"name": name, "check": check, "severity": severity, "columns": [], "values": []}
    base.update(dict.fromkeys(unused))
    return {**base, **fields}


def _pair(best_tests=(), monthly_partition=("month",)):
    section = {"models": [
        _model("best_month", ["month", "tickets"], tests=best_tests),
        _model("monthly", ["tickets", "month"], monthly_partition),
    ]}  # fmt: skip
    return section, {"best_month": BEST, "monthly": MONTHLY}


def test_a_model_reads_another_and_runs_after_it(spark, tables):
    section, sql = _pair()
    planned = _run(spark, tables, section, sql)
    assert list(planned) == ["monthly", "best_month"]
    assert planned["best_month"].reads == {"monthly"}
    assert [tuple(r) for r in planned["best_month"].frame.collect()] == [(2, 4)]
    assert planned["monthly"].frame.columns == ["tickets", "month"]  # partition columns last


def test_an_error_test_fails_and_a_warn_test_reports(spark, tables):
    tests = [
        _test("few_tickets", "expression", expression="tickets < 4"),
        _test("known_month", "reference", "warn", column="month",
              reference={"source": "gold", "table": "monthly", "column": "month"}),
        _test("one_row", "rowCount", "warn", min=2),
    ]  # fmt: skip
    section, sql = _pair(tests)
    best = _run(spark, tables, section, sql)["best_month"]
    results = {r["rule"]: r for r in gold.run_tests(spark, best, datetime(2009, 1, 1))}
    assert (results["few_tickets"]["passed"], results["few_tickets"]["failed_rows"]) == (False, 1)
    assert results["known_month"]["passed"] is True
    assert (results["one_row"]["passed"], results["one_row"]["observed"]) == (False, 1)
    assert results["one_row"]["description"] == "rows >= 2"  # the whole model, not "this run"
    assert [r["rule"] for r in gold.failed_errors(list(results.values()))] == ["few_tickets"]


def test_references_are_parsed_not_matched():
    sql = """
        -- FROM commented_out
        WITH recent AS (SELECT * FROM ecomm_sales WHERE note <> 'from nowhere')
        SELECT r.salesid FROM recent AS r
        JOIN (SELECT eventid FROM saas_event) AS e ON r.eventid = e.eventid
        WHERE EXISTS (SELECT 1 FROM crm_users AS u WHERE u.userid = r.buyerid)
          AND extract(YEAR FROM r.saletime) > 2000
    """
    assert referenced_tables(sql, "m") == {"ecomm_sales", "saas_event", "crm_users"}


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT * FROM tickit_silver.ecomm_sales", "is qualified"),
        ("DROP TABLE ecomm_sales", "must be one SELECT statement"),
        ("SELECT 1; SELECT 2", "must be one SELECT statement"),
        ("SELECT FROM WHERE (", "does not parse"),
    ],
)
def test_bad_model_sql_is_refused(sql, message):
    with pytest.raises(ModelError, match=message):
        referenced_tables(sql, "m")


def test_unknown_tables_and_cycles_are_refused_before_anything_runs():
    section, sql = _pair()
    spec = _spec(section)
    typo = {**sql, "monthly": sql["monthly"].replace("ecomm_sales", "ecomm_salez")}
    with pytest.raises(ModelError, match=r"'monthly' reads unknown table\(s\) ecomm_salez"):
        build_order(spec.gold_models, typo, spec.silver_tables())
    cyclic = {**sql, "monthly": "SELECT month, tickets FROM best_month"}
    with pytest.raises(ModelError, match="cycle: best_month -> monthly -> best_month"):
        build_order(spec.gold_models, cyclic, spec.silver_tables())


def test_a_partition_column_the_query_does_not_return_is_refused(spark, tables):
    section, sql = _pair()
    with pytest.raises(ModelError, match="partition column\\(s\\) month not returned by the query"):
        _run(spark, tables, section, {**sql, "monthly": "SELECT SUM(qtysold) AS tickets FROM ecomm_sales"})


def test_columns_the_declaration_does_not_list_are_refused(spark, tables):
    section, sql = _pair()
    extra = MONTHLY.replace(" FROM", ", 1 AS x FROM")
    with pytest.raises(ModelError, match="returned but not declared: x"):
        _run(spark, tables, section, {**sql, "monthly": extra})


def test_tests_on_unknown_columns_are_refused():
    section, _ = _pair([_test("bad", "notNull", column="nope")])
    with pytest.raises(SpecError, match="column 'nope' is not among the declared columns"):
        _spec(section)
    nowhere = {"source": "silver", "table": "nowhere", "column": "x"}
    section, _ = _pair([_test("bad", "reference", column="month", reference=nowhere)])
    with pytest.raises(SpecError, match="unknown silver table 'nowhere'"):
        _spec(section)
    section, _ = _pair(monthly_partition=("year",))
    with pytest.raises(SpecError, match="partitionBy: 'year' is not among the model's columns"):
        _spec(section)


def test_an_expression_on_an_unknown_column_is_refused_before_running(spark, tables):
    section, sql = _pair([_test("bad", "expression", expression="nope > 1")])
    with pytest.raises(ModelError, match="test bad: the expression does not analyse"):
        _run(spark, tables, section, sql)


def test_a_model_named_like_a_silver_table_is_refused():
    section = {"models": [_model("ecomm_sales", ["x"])]}
    with pytest.raises(SpecError, match="has the lake name of a silver table"):
        _spec(section)
