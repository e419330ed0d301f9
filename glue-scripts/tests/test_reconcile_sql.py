"""The key snapshot's SQL per engine (no SQL Server runs here: its SQL is checked as text) and
bronze's reconcile schedule (every `everyRuns`-th run, and the first after the setting changes)."""

import pytest
from medallion.reconcile import key_query, record_run, row_hash_sql, snapshot_due


def test_key_queries_read_only_the_quoted_primary_key():
    assert key_query("postgres", "s.orders", ["id", "Line"]) == 'SELECT "id", "Line" FROM "s"."orders"'
    assert key_query("mysql", "date", ["id`x"]) == "SELECT `id``x` FROM `date`"
    assert key_query("sqlserver", "dbo.o", ["a]b"]) == "SELECT [a]]b] FROM [dbo].[o]"


def test_row_hashes_are_computed_by_each_source_with_nulls_told_apart():
    cols = [("id", "int"), ("at", "timestamp"), ("x", "double")]
    assert row_hash_sql("postgres", cols) == 'md5(ROW("id", "at", "x")::text)'
    assert row_hash_sql("mysql", cols) == (
        "MD5(CONCAT_WS(',', IFNULL(HEX(CAST(`id` AS CHAR)), 'n'), IFNULL(HEX(CAST(`at` AS CHAR)), 'n'), "
        "IFNULL(HEX(CAST(`x` AS CHAR)), 'n')))"
    )
    value = "ISNULL(CONVERT(varchar(max), CONVERT(varbinary(max), CONVERT(nvarchar(max), {})), 2), 'n')"
    assert row_hash_sql("sqlserver", cols) == (
        "LOWER(CONVERT(char(64), HASHBYTES('SHA2_256', CONCAT_WS(',', "
        + ", ".join(value.format(v) for v in ("[id]", "[at], 126", "[x], 3"))
        + ")), 2))"
    )
    assert key_query("sqlserver", "dbo.o", ["id"], [("id", "int")]).endswith(" AS [_row_hash] FROM [dbo].[o]")
    with pytest.raises(ValueError, match="declared columns"):
        row_hash_sql("postgres", [])


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
    assert snapshot_due(state, {"compare": "rows", "everyRuns": 3}, "b8") is True  # changed: now
