"""The key snapshot's SQL per engine (no SQL Server runs here: its SQL is checked as text) and
bronze's reconcile schedule (every `everyRuns`-th run, and the first after the setting changes)."""

from medallion.reconcile import key_query, record_run, snapshot_due


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
