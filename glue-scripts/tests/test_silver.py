import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from medallion.silver import conform, quarantine_rows, silver_rows
from medallion.spec import parse_lake_spec
from tickit_spec import spec_dict

SPEC = parse_lake_spec(json.dumps(spec_dict()))
SALES = SPEC.find_table("sales")[1]
USERS = SPEC.find_table("users")[1]
T1, T2 = datetime(2008, 6, 1, 12, 0, 0), datetime(2008, 6, 2, 12, 0, 0)
SALES_DDL = (
    "salesid string, listid string, sellerid string, buyerid string, eventid string, dateid string, "
    "qtysold string, pricepaid string, commission string, saletime string, "
    "_ingested_at timestamp, _batch_id string, _source string"
)


def _sale(salesid, qtysold="2", pricepaid="100.00", saletime="2/18/2008 02:36:48", at=T1, batch="b1"):
    return (
        salesid,
        "7",
        "10",
        "20",
        "100",
        "1827",
        qtysold,
        pricepaid,
        "15.00",
        saletime,
        at,
        batch,
        "ecomm",
    )


def _split(spark, rows, ddl=SALES_DDL, table=SALES):
    conformed = conform(spark.createDataFrame(rows, ddl), table)
    return silver_rows(conformed, table), quarantine_rows(conformed)


def test_strings_are_typed_per_spec(spark):
    silver, quarantine = _split(
        spark, [_sale(" 1 ", qtysold="4", pricepaid=" 12.5 ", saletime="12/31/2008 23:59:59")]
    )
    assert quarantine.count() == 0
    row = silver.first().asDict()
    assert row == {
        "salesid": 1, "listid": 7, "sellerid": 10, "buyerid": 20, "eventid": 100, "dateid": 1827,
        "qtysold": 4, "pricepaid": Decimal("12.50"), "commission": Decimal("15.00"),
        "saletime": datetime(2008, 12, 31, 23, 59, 59), "year": 2008, "month": 12,
        "_ingested_at": T1, "_batch_id": "b1",
    }  # fmt: skip
    types = dict(silver.dtypes)
    assert (types["salesid"], types["qtysold"], types["pricepaid"], types["saletime"]) == (
        "int", "smallint", "decimal(8,2)", "timestamp"
    )  # fmt: skip
    assert (types["year"], types["month"]) == ("int", "int")


def test_already_typed_values_are_cast(spark):
    ddl = SALES_DDL.replace("saletime string", "saletime timestamp").replace(
        "pricepaid string", "pricepaid double"
    )
    row = (*_sale(1)[:7], 99.5, "15.00", datetime(2008, 3, 4, 5, 6, 7), T1, "b1", "ecomm")
    silver, quarantine = _split(spark, [row], ddl)
    assert quarantine.count() == 0
    got = silver.first()
    assert (got["pricepaid"], got["saletime"], got["month"]) == (
        Decimal("99.50"),
        datetime(2008, 3, 4, 5, 6, 7),
        3,
    )


def test_bad_rows_are_quarantined_with_reasons_and_raw_values(spark):
    rows = [
        _sale("1"),
        _sale(None),
        _sale("  "),
        _sale("4", saletime="13/45/2008 99:00:00"),
        _sale("5", qtysold="40000"),
        _sale("6", qtysold="1.5"),
        _sale("7", pricepaid="abc"),
        _sale(None, saletime="yesterday"),
    ]
    silver, quarantine = _split(spark, rows)
    assert [r["salesid"] for r in silver.collect()] == [1]
    got = {(r["salesid"], r["_reason"]) for r in quarantine.collect()}
    assert got == {
        (None, "null primary key salesid"),
        ("  ", "null primary key salesid"),
        ("4", "unparseable saletime as timestamp with format M/d/yyyy HH:mm:ss"),
        ("5", "unparseable qtysold as smallint"),
        ("6", "unparseable qtysold as smallint"),
        ("7", "unparseable pricepaid as decimal(8,2)"),
        (None, "null primary key salesid; unparseable saletime as timestamp with format M/d/yyyy HH:mm:ss"),
    }
    bad_time = quarantine.where("salesid = '4'").first()
    assert bad_time["saletime"] == "13/45/2008 99:00:00" and bad_time["_batch_id"] == "b1"
    assert dict(quarantine.dtypes)["_ingested_at"] == "string"


def test_latest_ingested_row_wins_per_primary_key(spark):
    rows = [
        _sale("1", pricepaid="10.00", at=T1, batch="b1"),
        _sale("1", pricepaid="11.00", at=T2, batch="b2"),
        _sale("1", pricepaid="12.00", at=T2, batch="b3"),  # same time: greater batch id wins
        _sale("2", pricepaid="20.00", at=T2, batch="b2"),
        _sale("2", pricepaid="21.00", at=T1, batch="b1"),
        _sale("3", pricepaid="30.00", at=T1, batch="b1"),
        _sale("3", pricepaid="bad", at=T2, batch="b2"),  # a newer invalid version does not win
    ]
    silver, quarantine = _split(spark, rows)
    got = sorted((r["salesid"], str(r["pricepaid"]), r["_batch_id"]) for r in silver.collect())
    assert got == [(1, "12.00", "b3"), (2, "20.00", "b2"), (3, "30.00", "b1")]
    assert quarantine.count() == 1
    # bronze rows = silver + quarantined + duplicates removed: 7 = 3 + 1 + 3
    assert len(rows) == silver.count() + quarantine.count() + 3


def test_booleans_and_blank_strings(spark):
    ddl = "userid int, username string, firstname string, lastname string, city string, state string, " \
          "likesports string, _ingested_at timestamp, _batch_id string, _source string"  # fmt: skip
    rows = [
        (1, " ab12 ", " Ann", "", "  ", "CA", "t", T1, "b1", "crm"),
        (2, "cd34", "Bo", "Li", "Rome", "NY", "FALSE", T1, "b1", "crm"),
        (3, "ef56", "Cy", "Ng", "Oslo", "WA", "1", T1, "b1", "crm"),
        (4, "gh78", "Di", "Ox", "Lima", "OR", "0", T1, "b1", "crm"),
        (5, "ij90", "Ed", "Po", "Kiev", "TX", None, T1, "b1", "crm"),
        (6, "kl12", "Fa", "Qu", "Nice", "FL", "maybe", T1, "b1", "crm"),
    ]
    silver, quarantine = _split(spark, rows, ddl, USERS)
    got = {
        r["userid"]: (r["username"], r["firstname"], r["lastname"], r["city"], r["likesports"])
        for r in silver.collect()
    }
    assert got == {
        1: ("ab12", "Ann", None, None, True),
        2: ("cd34", "Bo", "Li", "Rome", False),
        3: ("ef56", "Cy", "Ng", "Oslo", True),
        4: ("gh78", "Di", "Ox", "Lima", False),
        5: ("ij90", "Ed", "Po", "Kiev", None),
    }
    assert [(r["userid"], r["_reason"]) for r in quarantine.collect()] == [
        ("6", "unparseable likesports as boolean")
    ]
    assert "year" not in silver.columns  # users has no dateColumn


def test_date_table_keeps_its_own_year_and_month(spark):
    raw = spec_dict()
    raw["sources"][1]["tables"].append({
        "name": "date", "sourceTable": "date", "catalogTable": "date", "primaryKey": ["dateid"],
        "watermarkColumn": None, "partitionColumn": None, "dateColumn": "caldate",
        "columns": [{"name": "dateid", "type": "smallint", "format": None},
                    {"name": "caldate", "type": "date", "format": "yyyy-MM-dd"},
                    {"name": "month", "type": "string", "format": None},
                    {"name": "year", "type": "smallint", "format": None},
                    {"name": "holiday", "type": "boolean", "format": None}],
    })  # fmt: skip
    table = parse_lake_spec(json.dumps(raw)).find_table("date")[1]
    ddl = "dateid string, caldate string, month string, year string, holiday string, " \
          "_ingested_at timestamp, _batch_id string, _source string"  # fmt: skip
    rows = [("1827", "2008-01-01", "JAN  ", "2008", "t", T1, "b1", "ecomm"),
            ("1828", "2008-02-30", "FEB", "2008", "f", T1, "b1", "ecomm")]  # fmt: skip
    silver, quarantine = _split(spark, rows, ddl, table)
    assert [tuple(r) for r in silver.select("dateid", "caldate", "month", "year", "holiday").collect()] == [
        (1827, date(2008, 1, 1), "JAN", 2008, True)
    ]
    assert dict(silver.dtypes)["month"] == "string"
    assert quarantine.first()["_reason"] == "unparseable caldate as date with format yyyy-MM-dd"


def test_untyped_table_dedupes_on_all_columns_and_keeps_extra_columns(spark):
    raw = spec_dict()
    raw["sources"][0]["tables"][0].update(primaryKey=[], columns=[], watermarkColumn=None)
    category = parse_lake_spec(json.dumps(raw)).find_table("category")[1]
    ddl = "catid smallint, catname string, _ingested_at timestamp, _batch_id string, _source string"
    rows = [(1, "MLB ", T1, "b1", "saas"), (1, "MLB", T2, "b2", "saas"), (1, "NHL", T1, "b1", "saas"),
            (None, None, T1, "b1", "saas")]  # fmt: skip
    silver, quarantine = _split(spark, rows, ddl, category)
    got = sorted((r["catid"] or 0, r["catname"] or "", r["_batch_id"]) for r in silver.collect())
    assert got == [(0, "", "b1"), (1, "MLB", "b2"), (1, "NHL", "b1")]
    assert quarantine.count() == 0


def test_extra_source_columns_pass_through_untyped(spark):
    ddl = SALES_DDL.replace("saletime string,", "saletime string, note string,")
    row = (*_sale("1")[:10], " keep me ", T1, "b1", "ecomm")
    silver, _ = _split(spark, [row], ddl)
    assert silver.first()["note"] == "keep me"
    assert silver.columns.index("note") < silver.columns.index("year") < silver.columns.index("_ingested_at")


def test_a_spec_column_missing_from_bronze_is_an_error(spark):
    df = spark.createDataFrame([_sale("1")], SALES_DDL).drop("commission")
    with pytest.raises(ValueError, match="table sales: bronze data lacks the spec column\\(s\\) commission"):
        conform(df, SALES)
