"""The key snapshot's SQL per engine (no SQL Server runs here: its SQL is checked as text), a `rows`
table's row hash and re-read-by-key SQL, and bronze's reconcile schedule (every `everyRuns`-th run,
and the first after the setting changes)."""

from decimal import Decimal

import pytest
from medallion.reconcile import (
    hash_columns,
    key_query,
    record_run,
    reread_queries,
    row_hash_sql,
    snapshot_due,
)
from pyspark.sql import types as T


def test_key_queries_read_only_the_quoted_primary_key():
    assert key_query("postgres", "s.orders", ["id", "Line"]) == 'SELECT "id", "Line" FROM "s"."orders"'
    assert key_query("mysql", "date", ["id`x"]) == "SELECT `id``x` FROM `date`"
    assert key_query("sqlserver", "dbo.o", ["a]b"]) == "SELECT [a]]b] FROM [dbo].[o]"


def test_a_snapshot_is_due_first_then_every_nth_run_and_after_a_change():
    every3 = {"compare": "keys", "everyRuns": 3}
    state, taken = None, []
    for run in range(1, 8):
        due = snapshot_due(state, every3, f"b{run}")
        taken.append(due)
        state = record_run(state, every3, f"b{run}", due)
    assert taken == [True, False, False, True, False, False, True]
    assert snapshot_due(state, every3, "b7") is True  # a re-run decides as the run did
    assert record_run(state, every3, "b7", True) == state  # and counts once
    assert snapshot_due(state, {"compare": "keys", "everyRuns": 2}, "b8") is True  # changed: now


def test_row_hashes_are_computed_by_each_source_with_nulls_told_apart():
    cols = [("id", "other"), ("at", "timestamp"), ("x", "float"), ("d", "date")]
    assert row_hash_sql("postgres", cols) == 'md5(ROW("id", "at", "x", "d")::text)'
    assert row_hash_sql("mysql", cols) == (
        "MD5(CONCAT_WS(',', IFNULL(HEX(CAST(`id` AS CHAR)), 'n'), IFNULL(HEX(CAST(`at` AS CHAR)), 'n'), "
        "IFNULL(HEX(CAST(`x` AS CHAR)), 'n'), IFNULL(HEX(CAST(`d` AS CHAR)), 'n')))"
    )
    # SQL Server (none runs here): ISO 8601 datetimes with every fraction digit, lossless floats.
    value = "ISNULL(CONVERT(varchar(max), CONVERT(varbinary(max), CONVERT(nvarchar(max), {})), 2), 'n')"
    assert row_hash_sql("sqlserver", cols) == (
        "LOWER(CONVERT(char(64), HASHBYTES('SHA2_256', CONCAT_WS(',', "
        + ", ".join(value.format(v) for v in ("[id]", "[at], 126", "[x], 3", "[d], 126"))
        + ")), 2))"
    )
    with pytest.raises(ValueError, match="columns"):
        row_hash_sql("postgres", [])


def test_a_rows_snapshot_reads_the_keys_and_the_hash_alone():
    assert key_query("sqlserver", "dbo.o", ["id"], [("id", "other"), ("a]", "other")]) == (
        "SELECT [id], LOWER(CONVERT(char(64), HASHBYTES('SHA2_256', CONCAT_WS(',', "
        "ISNULL(CONVERT(varchar(max), CONVERT(varbinary(max), CONVERT(nvarchar(max), [id])), 2), 'n'), "
        "ISNULL(CONVERT(varchar(max), CONVERT(varbinary(max), CONVERT(nvarchar(max), [a]]])), 2), 'n'))), "
        "2)) AS [_row_hash] FROM [dbo].[o]"
    )
    assert key_query("postgres", "s.o", ["id"], [("id", "other")]) == (
        'SELECT "id", md5(ROW("id")::text) AS "_row_hash" FROM "s"."o"'
    )


def test_the_hash_covers_every_source_column_but_the_lakes_own():
    schema = T.StructType(
        [T.StructField(n, k) for n, k in (("id", T.IntegerType()), ("at", T.TimestampType()),
                                          ("p", T.DoubleType()), ("_row_hash", T.StringType()),
                                          ("_ingested_at", T.TimestampType()))]
    )  # fmt: skip
    assert hash_columns(schema) == [("id", "other"), ("at", "timestamp"), ("p", "float")]


def test_changed_rows_are_re_read_by_key_with_exact_quoted_literals_in_chunks():
    hash_of = [("id", "other")]
    one = reread_queries("postgres", "s.o", {"id": T.LongType()}, [(1,), (2**60,)], hash_of)
    assert one == [
        'SELECT *, md5(ROW("id")::text) AS "_row_hash" FROM "s"."o" WHERE "id" IN (1, 1152921504606846976)'
    ]
    two = reread_queries(
        "mysql", "o", {"k": T.StringType(), "n": T.DecimalType(10, 2)}, [("it's", Decimal("1.50"))], hash_of
    )
    assert two[0].endswith("WHERE (`k` = _utf8mb4 X'69742773' COLLATE utf8mb4_bin AND `n` = 1.50)"), two
    server = reread_queries("sqlserver", "dbo.o", {"k": T.StringType()}, [("a'b",)], hash_of)
    assert server[0].endswith("WHERE [k] IN (N'a''b' COLLATE Latin1_General_100_BIN2)"), server
    many = reread_queries("postgres", "o", {"id": T.IntegerType()}, [(i,) for i in range(2500)], hash_of)
    listed = [q.split(" IN (")[1].rstrip(")").split(", ") for q in many]
    assert [len(keys) for keys in listed] == [1000, 1000, 500]
    assert [int(k) for keys in listed for k in keys] == list(range(2500))
    with pytest.raises(ValueError, match="cannot be re-read by key"):
        reread_queries("postgres", "o", {"at": T.TimestampType()}, [(None,)], hash_of)
    with pytest.raises(ValueError, match="a watermark of a int column cannot be"):
        reread_queries("postgres", "o", {"id": T.IntegerType()}, [("1; DROP TABLE o",)], hash_of)
