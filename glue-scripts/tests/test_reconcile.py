"""Reconciled incremental tables (`reconcile: keys`) on Iceberg: silver deletes the rows whose key
bronze's newest key snapshot lacks, but only rows ingested before the snapshot started (a row
inserted while it was read survives), through the delete guard, applying each snapshot once; N runs
leave what one run over the same batches and snapshots leaves."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime

import pytest
import silver_job
from bronze_files import write_batch, write_keys
from medallion import audit, iceberg, io, reconcile
from medallion.spec import parse_lake_spec
from pyspark.sql import functions as F
from tickit_spec import _table

T1, S1, T2, S2, T3 = (
    datetime(2026, 1, d, h, tzinfo=UTC) for d, h in ((1, 6), (1, 7), (2, 6), (2, 7), (3, 6))
)  # noqa: E501


def _spec(database: str, share: float) -> dict:
    table = _table("orders", ["id"], {"id": "int", "amount": "string"}, watermark="id")
    table.update(reconcile={"compare": "keys", "everyRuns": 1}, maxDeleteShare=share)
    return {
        "lake": "rec", "environment": "test",
        "databases": {"source": "src", "bronze": "brz", "silver": database, "gold": database},
        "sources": [{"name": "shop", "engine": "postgres", "database": "shop", "connectionName": "c",
                     "tables": [table]}],
    }  # fmt: skip


@pytest.fixture()
def lake(spark, glue, moto_endpoint, monkeypatch, tmp_path):
    monkeypatch.setenv(io.LOCAL_CATALOG_ENDPOINT, moto_endpoint)
    bronze = (tmp_path / "bronze").as_uri()

    def batch(batch_id: str, at: datetime, rows: list[tuple]) -> None:
        metadata = {"_ingested_at": F.lit(at), "_batch_id": F.lit(batch_id), "_source": F.lit("shop")}
        frame = spark.createDataFrame(rows, "id string, amount string").coalesce(1).withColumns(metadata)
        write_batch(spark, bronze, "shop", "orders", batch_id, at, frame)

    def keys(batch_id: str, started: datetime, ids: list[int]) -> None:
        frame = spark.createDataFrame([(i,) for i in ids], "id int").coalesce(1)
        write_keys(spark, bronze, "shop", "orders", batch_id, started, frame)

    def refine(run: str, database: str | None = None, share: float = 1.0) -> dict:
        database = database or glue.database
        spec = parse_lake_spec(json.dumps(_spec(database, share)))
        source, table = spec.tables()[0]
        args = {"bronze_path": bronze, "silver_path": (tmp_path / f"silver_{database}").as_uri()}
        return silver_job.refine_table(io.Runtime(spark, None, None), spec, args, source, table, run)

    return {"batch": batch, "keys": keys, "refine": refine, "glue": glue,
            "silver": iceberg.table_name(glue.database, "shop_orders")}  # fmt: skip


def _ids(spark, name: str) -> list[tuple]:
    return sorted((r["id"], r["amount"], r["_batch_id"]) for r in spark.table(name).collect())


def test_a_row_deleted_at_the_source_leaves_silver_once(spark, lake):
    lake["batch"]("b1", T1, [("1", "a"), ("2", "b"), ("3", "c")])
    lake["refine"]("run1")
    lake["keys"]("b2", S1, [1, 3])  # bronze's next run: no new id, 2 deleted at the source
    summary = lake["refine"]("run2")
    assert _ids(spark, lake["silver"]) == [(1, "a", "b1"), (3, "c", "b1")]
    assert summary["rows_deleted"] == 1 and summary["reconcile"]["rows_deleted"] == 1
    assert silver_job.run_metrics(summary)["RowsDeleted"] == 1
    applied = iceberg.get_property(spark, lake["silver"], reconcile.APPLIED_PROPERTY)
    assert applied == "2026-01-01 07:00:00+00:00"
    audited = spark.table(iceberg.table_name(lake["glue"].database, audit.AUDIT_TABLE)).collect()
    assert [(r["source"], r["table_name"], json.loads(r["key"]), r["batch_id"]) for r in audited] == [
        ("shop", "orders", {"id": 2}, "run2")
    ]
    again = lake["refine"]("run3")  # the snapshot is applied: nothing more
    assert again["rows_deleted"] == 0 and "reconcile" not in again
    assert spark.table(iceberg.table_name(lake["glue"].database, audit.AUDIT_TABLE)).count() == 1


def test_a_row_inserted_while_the_snapshot_is_read_survives(spark, lake):
    lake["batch"]("b1", T1, [("1", "a"), ("2", "b")])
    lake["refine"]("run1")
    # The snapshot starts at S1 and misses id 3, inserted meanwhile and ingested by batch b2 at T2.
    lake["keys"]("k1", S1, [1])
    lake["batch"]("b2", T2, [("3", "c")])
    summary = lake["refine"]("run2")
    assert _ids(spark, lake["silver"]) == [(1, "a", "b1"), (3, "c", "b2")]
    assert summary["rows_deleted"] == 1


def test_the_guard_refuses_a_snapshot_that_would_delete_too_much(spark, lake):
    lake["batch"]("b1", T1, [("1", "a"), ("2", "b"), ("3", "c")])
    lake["refine"]("run1")
    lake["keys"]("b2", S2, [])  # a truncated or empty key read
    lake["batch"]("b3", T3, [("4", "d")])  # ingested after the snapshot: never its to delete
    summary = lake["refine"]("run2", share=0.5)
    assert summary["kept_previous_silver"] and "maxDeleteShare 0.5" in summary["delete_guard"]
    assert "would delete 3 of the table's 3 silver rows" in summary["delete_guard"]
    assert summary["delete_guard"].endswith("(docs/iceberg.md#incremental-tables-reconcile)")
    assert _ids(spark, lake["silver"]) == [(1, "a", "b1"), (2, "b", "b1"), (3, "c", "b1")]
    assert iceberg.get_property(spark, lake["silver"], reconcile.APPLIED_PROPERTY) is None
    assert silver_job.run_metrics(summary)["RowsWritten"] == 0
    allowed = lake["refine"]("run3", share=1.0)  # the source really lost them
    assert allowed["rows_deleted"] == 3 and _ids(spark, lake["silver"]) == [(4, "d", "b3")]


def test_the_guard_links_to_the_docs_of_what_deletes():
    source, table = parse_lake_spec(json.dumps(_spec("db", 0.5))).tables()[0]
    full = dataclasses.replace(table, watermark_column=None, reconcile=None)
    docs = "(docs/iceberg.md#{})"
    assert silver_job.delete_guard(source, table, 3, 3).endswith(docs.format("incremental-tables-reconcile"))
    assert silver_job.delete_guard(source, full, 3, 3).endswith(docs.format("full-load-tables-and-deletes"))


def test_n_runs_equal_one_run_over_the_same_batches_and_snapshots(spark, lake):
    steps = [
        lambda: lake["batch"]("b1", T1, [("1", "a"), ("2", "b"), ("3", "c")]),
        lambda: lake["keys"]("b1", S1, [1, 2, 3]),
        lambda: lake["batch"]("b2", T2, [("4", "d"), ("5", "e")]),
        lambda: lake["keys"]("b2", S2, [1, 3, 4]),  # 2 and 5 deleted
        lambda: lake["batch"]("b3", T3, [("6", "f")]),
    ]
    for n, step in enumerate(steps):
        step()
        lake["refine"](f"run{n}")
    other = f"db_{uuid.uuid4().hex[:8]}"
    lake["glue"].create_database(DatabaseInput={"Name": other})
    lake["refine"]("once", other)  # creates the table from every batch
    lake["refine"]("once-reconcile", other)  # applies the newest snapshot
    expected = [(1, "a", "b1"), (3, "c", "b1"), (4, "d", "b2"), (6, "f", "b3")]  # written by hand
    assert _ids(spark, lake["silver"]) == expected
    assert _ids(spark, iceberg.table_name(other, "shop_orders")) == expected


def test_a_null_key_is_never_re_read(spark):
    # TICKIT's sales has a row without salesid: it matches no recorded hash, and re-reading it by key
    # is impossible (once it made every run re-read the table whole).
    from medallion.reconcile import changed_keys

    snapshot = spark.createDataFrame([(1, "a"), (None, "b"), (2, "c")], "id int, _row_hash string")
    recorded = spark.createDataFrame([(1, "a"), (2, "x"), (None, "b")], "id int, _row_hash string")
    assert [r["id"] for r in changed_keys(snapshot, recorded, ["id"]).collect()] == [2]
