"""medallion.batches: what silver read of each bronze batch against what bronze's run summary says."""

from datetime import datetime

from medallion.batches import batch_of, problems

T1, T2 = datetime(2026, 1, 1), datetime(2026, 1, 2)
A = "s3://lake/bronze/shop/orders/ingest_date=2026-01-01/batch_id=b1/part-0.avro"
B = "s3://lake/bronze/shop/orders/ingest_date=2026-01-01/batch_id=b1/part-1.avro"
C = "s3://lake/bronze/shop/orders/ingest_date=2026-01-02/batch_id=b2/part-0.avro"
SUMMARIES = {"b1": "s3://lake/bronze/_run_summaries/shop/orders/b1.json",
             "b2": "s3://lake/bronze/_run_summaries/shop/orders/b2.json"}  # fmt: skip


def test_batches_read_whole_have_no_problem():
    assert batch_of(C) == "b2"
    assert problems([A, B, C], [(A, T1, 4), (B, T1, 6), (C, T2, 3)], {"b1": 10, "b2": 3}, SUMMARIES) == []


def test_a_short_batch_names_each_file_with_its_rows_and_a_file_read_as_nothing():
    found = problems([A, B, C], [(A, T1, 4), (C, T2, 3)], {"b1": 10, "b2": 3}, SUMMARIES)
    assert found == [
        f"batch b1: bronze wrote 10 rows, silver read 4 from {A} (4 rows), {B} (0 rows); "
        "a file is damaged: restore it or re-run bronze for the batch"
    ]


def test_a_batch_without_summary_cannot_be_checked():
    found = problems([C], [(C, T2, 3)], {"b2": None}, SUMMARIES)
    assert found == [
        f"batch b2: no bronze run summary at {SUMMARIES['b2']}, so its files ({C}) cannot be checked; "
        "re-run bronze for the batch (or delete its folder if bronze failed after writing it and a later "
        "batch re-read its rows)"
    ]


def test_a_batch_bronze_ran_twice_is_checked_by_its_last_run():
    # A Glue re-run of an incremental table adds a file to the batch; the summary counts that run's rows.
    assert problems([A, B], [(A, T1, 5), (B, T2, 2)], {"b1": 2}, SUMMARIES) == []
    assert len(problems([A, B], [(A, T1, 5), (B, T2, 1)], {"b1": 2}, SUMMARIES)) == 1


def test_a_batch_with_rows_re_read_later_in_its_run_counts_them_from_the_runs_start():
    # A `rows` reconcile re-reads changed rows into the batch after its snapshot (a later
    # `_ingested_at`); the summary counts the batch's and the re-read's rows since the run's start.
    T3 = datetime(2026, 1, 3)
    read = [(A, T1, 5), (A, T2, 4), (B, T3, 2)]  # an earlier run's rows, this run's, its re-read
    assert problems([A, B], read, {"b1": 6}, SUMMARIES, {"b1": T2}) == []
    assert len(problems([A, B], read[:2], {"b1": 6}, SUMMARIES, {"b1": T2})) == 1  # re-read file lost
