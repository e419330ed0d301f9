"""compare_columns: configured columns (lake spec) vs crawled columns (Glue GetTable's Columns)."""

import pytest
from medallion.drift import Drift, compare_columns, compatible


def spec(*columns):
    return [{"name": n, "type": t, "format": f} for n, t, f in columns]


def glue(*columns):
    return [{"Name": n, "Type": t} for n, t in columns]


def test_matching_columns_are_no_drift():
    configured = spec(
        ("salesid", "int", None), ("pricepaid", "decimal(8,2)", None), ("saletime", "timestamp", None)
    )
    crawled = glue(("salesid", "int"), ("pricepaid", "decimal(8,2)"), ("saletime", "timestamp"))
    drift = compare_columns(configured, crawled)
    assert drift == Drift()
    assert not drift.found


def test_reports_new_missing_and_retyped_columns():
    configured = spec(
        ("eventid", "int", None), ("eventname", "string", None), ("starttime", "timestamp", None)
    )
    crawled = glue(("eventid", "bigint"), ("starttime", "timestamp"), ("venueid", "smallint"))
    drift = compare_columns(configured, crawled)
    assert drift.as_dict() == {
        "new": [{"name": "venueid", "type": "smallint"}],
        "missing": ["eventname"],
        "retyped": [{"name": "eventid", "configured": "int", "crawled": "bigint"}],
    }
    assert drift.found


def test_names_compare_case_insensitively_as_glue_lowercases_them():
    assert compare_columns(spec(("CatID", "smallint", None)), glue(("catid", "smallint"))) == Drift()


def test_an_untyped_table_has_nothing_to_compare():
    assert compare_columns([], glue(("a", "int"))) == Drift()


@pytest.mark.parametrize(
    ("configured", "fmt", "crawled"),
    [
        ("string", None, "varchar(20)"),
        ("string", None, "char(2)"),
        ("string", None, "string"),
        ("smallint", None, "tinyint"),
        ("int", None, "smallint"),
        ("bigint", None, "int"),
        ("double", None, "decimal(8,2)"),
        ("double", None, "float"),
        ("decimal(8,2)", None, "decimal(8,2)"),
        ("decimal(10,2)", None, "decimal(8,2)"),  # wider: nothing lost
        ("decimal(12,2)", None, "int"),  # 10 integer digits fit
        ("timestamp", None, "date"),
        ("timestamp", "M/d/yyyy HH:mm:ss", "varchar(30)"),  # parsed with the format
        ("date", "yyyy-MM-dd", "string"),
        ("boolean", None, "boolean"),
        ("int", None, "INTEGER"),  # information_schema spelling
        ("timestamp", None, "datetime"),
    ],
)
def test_compatible_types(configured, fmt, crawled):
    assert compatible(configured, fmt, crawled)


@pytest.mark.parametrize(
    ("configured", "fmt", "crawled"),
    [
        ("int", None, "bigint"),  # narrowing
        ("smallint", None, "int"),
        ("int", None, "varchar(10)"),  # text without a format is a retype
        ("timestamp", None, "varchar(30)"),
        ("date", None, "timestamp"),  # would drop the time
        ("decimal(8,2)", None, "decimal(10,2)"),  # integer digits lost
        ("decimal(8,2)", None, "decimal(8,3)"),  # a fraction digit lost
        ("decimal(8,2)", None, "int"),  # 10 digits do not fit in 6
        ("decimal(8,2)", None, "double"),
        ("boolean", None, "int"),
        ("string", None, "int"),
        ("double", None, "string"),
    ],
)
def test_incompatible_types(configured, fmt, crawled):
    assert not compatible(configured, fmt, crawled)


def test_a_crawled_column_without_glues_shape_is_an_error():
    with pytest.raises(ValueError, match="crawled column 0 lacks Name or Type"):
        compare_columns(spec(("a", "int", None)), [{"name": "a", "type": "int"}])
