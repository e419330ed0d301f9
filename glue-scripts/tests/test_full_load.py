"""Full-load tables (no watermark column: each bronze batch is the whole source table) on Iceberg: the
newest batch decides what exists. A key it lacks is deleted in the run's one MERGE commit, a key whose
newest row silver rejects keeps its previous version, a null key deletes nothing, the quarantine is the
newest batch's rejects, and N runs leave what one run over the same batches leaves."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal as D

import pytest
import silver_job
from bronze_files import write_batch
from medallion import audit, iceberg, io
from medallion.spec import parse_lake_spec
from pyspark.sql import functions as F
from tickit_spec import _table

BRONZE_DDL = "id string, amount string"
T1, T2, T3 = datetime(2026, 1, 1, 6), datetime(2026, 1, 2, 6), datetime(2026, 1, 3, 6)


def _spec(database: str, primary_key: list[str]) -> dict:
    table = _table("orders", primary_key, {"id": "int", "amount": "decimal(8,2)"})  # no watermark
    return {
        "lake": "full", "environment": "test",
        "databases": {"source": "src", "bronze": "brz", "silver": database, "gold": database},
        "sources": [{"name": "shop", "engine": "postgres", "database": "shop", "connectionName": "c",
                     "tables": [{**table, "maxDeleteShare": 1}]}],
    }  # fmt: skip


@pytest.fixture()
def lake(spark, glue, moto_endpoint, monkeypatch, tmp_path):
    """`batch(id, at, rows)` writes a full bronze batch, `refine(run, database=None, primary_key=["id"])`
    refines it into a silver database (the test's own by default)."""
    monkeypatch.setenv(io.LOCAL_CATALOG_ENDPOINT, moto_endpoint)
    bronze = (tmp_path / "bronze").as_uri()

    def batch(batch_id: str, at: datetime, rows: list[tuple]) -> None:
        metadata = {"_ingested_at": F.lit(at), "_batch_id": F.lit(batch_id), "_source": F.lit("shop")}
        frame = spark.createDataFrame(rows, BRONZE_DDL).coalesce(1).withColumns(metadata)
        write_batch(spark, bronze, "shop", "orders", batch_id, at, frame)

    def refine(run: str, database: str | None = None, primary_key: tuple[str, ...] = ("id",)) -> dict:
        database = database or glue.database
        spec = parse_lake_spec(json.dumps(_spec(database, list(primary_key))))
        source, table = spec.tables()[0]
        args = {"bronze_path": bronze, "silver_path": (tmp_path / f"silver_{database}").as_uri()}
        return silver_job.refine_table(io.Runtime(spark, None, None), spec, args, source, table, run)

    return {
        "batch": batch,
        "refine": refine,
        "silver": iceberg.table_name(glue.database, "shop_orders"),
        "quarantine": iceberg.table_name(glue.database, "shop_orders_quarantine"),
        "glue": glue,
    }


def _rows(spark, name: str) -> list[tuple]:
    rows = (tuple(r) for r in spark.table(name).drop("_ingested_at").collect())
    return sorted(rows, key=lambda r: [(v is None, str(v)) for v in r])  # null keys last


def _snapshots(spark, name: str) -> list[tuple]:
    return [tuple(r) for r in spark.sql(f"SELECT snapshot_id, operation FROM {name}.snapshots "
                                        "ORDER BY committed_at").collect()]  # fmt: skip


def test_a_key_the_source_lost_is_deleted_in_the_runs_one_commit(spark, lake):
    lake["batch"]("b1", T1, [("1", "10.00"), ("2", "20.00"), ("3", "30.00")])
    lake["refine"]("run1")
    before = _snapshots(spark, lake["silver"])
    lake["batch"]("b2", T2, [("1", "11.00"), ("3", "30.00"), ("4", "40.00")])  # 2 deleted, 4 new
    summary = lake["refine"]("run2")
    assert _rows(spark, lake["silver"]) == [
        (1, D("11.00"), "b2"),
        (3, D("30.00"), "b2"),
        (4, D("40.00"), "b2"),
    ]
    assert summary["rows_deleted"] == 1 and silver_job.run_metrics(summary)["RowsDeleted"] == 1
    # One commit (the MERGE's; a maintenance compaction would be a `replace`) holds the delete.
    commits = [s for s in _snapshots(spark, lake["silver"])[len(before) :] if s[1] != "replace"]
    assert [op for _, op in commits] == ["overwrite"]
    assert str(commits[0][0]) == summary["snapshot"]
    # A hard delete in the current snapshot; time travel still shows the row.
    old = spark.read.option("snapshot-id", before[-1][0]).table(lake["silver"])
    assert sorted(r["id"] for r in old.collect()) == [1, 2, 3]

    again = lake["refine"]("run3")  # nothing new: nothing deleted
    assert again["rows_deleted"] == 0 and len(_rows(spark, lake["silver"])) == 3


def test_the_quarantine_is_the_newest_batchs_rejects_not_every_runs(spark, lake):
    bad = [("7", "oops"), ("8", "nope")]
    lake["batch"]("b1", T1, [("1", "10.00"), *bad])
    lake["refine"]("run1")
    lake["batch"]("b2", T2, [("1", "10.00"), *bad])  # the same bad rows again
    lake["refine"]("run2")
    quarantined = spark.table(lake["quarantine"]).select("id", "_batch_id").collect()
    assert sorted(tuple(r) for r in quarantined) == [("7", "b2"), ("8", "b2")]  # 2, not 4
    lake["batch"]("b3", T3, [("1", "10.00")])  # the source fixed them
    lake["refine"]("run3")
    assert spark.table(lake["quarantine"]).count() == 0


def test_a_rejected_update_and_a_null_key_delete_nothing(spark, lake):
    lake["batch"]("b1", T1, [("1", "10.00"), ("2", "20.00")])
    lake["refine"]("run1")
    # id 2's new version fails typing; a row without a key is quarantined and matches no row.
    lake["batch"]("b2", T2, [("1", "11.00"), ("2", "oops"), (None, "5.00")])
    summary = lake["refine"]("run2")
    assert summary["rows_deleted"] == 0
    assert _rows(spark, lake["silver"]) == [(1, D("11.00"), "b2"), (2, D("20.00"), "b1")]
    reasons = sorted((r["id"] or "", r["_reason"]) for r in spark.table(lake["quarantine"]).collect())
    assert reasons == [("", "null primary key id"), ("2", "unparseable amount as decimal(8,2)")]


BATCHES = [
    ("b1", T1, [("1", "10.00"), ("2", "20.00"), ("3", "30.00"), ("4", "40.00")]),
    # 4 deleted, 5 new, 2's update rejected (its b1 version stays).
    ("b2", T2, [("1", "10.00"), ("2", "bad"), ("3", "31.00"), ("5", "50.00")]),
    # 3 deleted, 6 new, 1 updated, 2 still rejected; a null key.
    ("b3", T3, [("1", "12.00"), ("2", "bad"), ("5", "50.00"), ("6", "60.00"), (None, "1.00")]),
]


def test_n_runs_equal_one_run_over_the_same_full_batches(spark, lake):
    for n, batch in enumerate(BATCHES):
        lake["batch"](*batch)
        lake["refine"](f"run{n}")
    incremental = (_rows(spark, lake["silver"]), _rows(spark, lake["quarantine"]))

    other = f"db_{uuid.uuid4().hex[:8]}"
    lake["glue"].create_database(DatabaseInput={"Name": other})
    summary = lake["refine"]("once", other)
    once = tuple(
        _rows(spark, iceberg.table_name(other, t)) for t in ("shop_orders", "shop_orders_quarantine")
    )
    assert incremental == once
    # Written by hand: the keys of b3, 2 at its last valid version.
    assert incremental[0] == [(1, D("12.00"), "b3"), (2, D("20.00"), "b1"), (5, D("50.00"), "b3"),
                              (6, D("60.00"), "b3")]  # fmt: skip
    assert [(r[0], r[2]) for r in incremental[1]] == [("2", "b3"), (None, "b3")]
    assert summary["rows_deleted"] == 0  # a first run creates the table: nothing to delete


def test_a_table_without_primary_key_is_replaced_by_its_newest_batch(spark, lake):
    lake["batch"]("b1", T1, [("1", "10.00"), ("1", "10.00"), ("2", "20.00"), ("3", "30.00")])
    lake["refine"]("run1", primary_key=())
    lake["batch"]("b2", T2, [("1", "10.00"), ("2", "21.00"), ("3", "30.00")])  # 2 changed
    summary = lake["refine"]("run2", primary_key=())
    assert _rows(spark, lake["silver"]) == [
        (1, D("10.00"), "b2"),
        (2, D("21.00"), "b2"),
        (3, D("30.00"), "b2"),
    ]
    # The row (2, 20.00): without a key, a changed row is a deleted one and an inserted one.
    assert summary["rows_deleted"] == 1


def _audit(spark, lake) -> list[tuple]:
    name = iceberg.table_name(lake["glue"].database, audit.AUDIT_TABLE)
    rows = spark.table(name).select("source", "table_name", "key", "batch_id", "snapshot_id").collect()
    return sorted(tuple(r) for r in rows)


def test_the_audit_holds_each_key_a_run_deleted_once(spark, lake):
    lake["batch"]("b1", T1, [("1", "10.00"), ("2", "20.00"), ("3", "30.00"), ("4", "40.00")])
    lake["refine"]("run1")
    lake["batch"]("b2", T2, [("1", "10.00"), ("3", "30.00")])  # 2 and 4 deleted
    summary = lake["refine"]("run2")
    snapshot = int(summary["snapshot"])
    assert _audit(spark, lake) == [
        ("shop", "orders", '{"id":2}', "run2", snapshot),
        ("shop", "orders", '{"id":4}', "run2", snapshot),
    ]
    assert summary["deletes_audit"]["keys"] == 2
    assert silver_job.run_metrics(summary)["DeleteShare"] == 0.5  # 2 of the 4 rows before the run
    audited = spark.table(iceberg.table_name(lake["glue"].database, audit.AUDIT_TABLE))
    snapshots = spark.table(f"{lake['silver']}.snapshots")
    committed = snapshots.where(f"snapshot_id = {snapshot}").first()["committed_at"]
    assert {r["deleted_at"] for r in audited.collect()} == {committed}

    again = lake["refine"]("run3")  # nothing new, nothing unaudited
    assert again["deletes_audit"]["keys"] == 0 and len(_audit(spark, lake)) == 2


def test_a_run_that_died_before_its_audit_is_audited_by_the_next(spark, lake, monkeypatch):
    lake["batch"]("b1", T1, [("1", "10.00"), ("2", "20.00"), ("3", "30.00")])
    lake["refine"]("run1")
    lake["batch"]("b2", T2, [("1", "10.00"), ("3", "30.00")])  # 2 deleted

    def died(*args, **kwargs):
        raise RuntimeError("the job died after its MERGE")

    with monkeypatch.context() as patched:
        patched.setattr(audit, "record_deletes", died)
        with pytest.raises(RuntimeError, match="died"):
            lake["refine"]("run2")
    merged = iceberg.current_snapshot(spark, lake["silver"])
    assert sorted(r["id"] for r in spark.table(lake["silver"]).collect()) == [1, 3]  # the MERGE committed

    lake["batch"]("b3", T3, [("1", "10.00")])  # and the next run deletes 3
    summary = lake["refine"]("run3")
    assert _audit(spark, lake) == [
        ("shop", "orders", '{"id":2}', "run3", merged),
        ("shop", "orders", '{"id":3}', "run3", int(summary["snapshot"])),
    ]
    lake["refine"]("run4")
    assert len(_audit(spark, lake)) == 2


def test_rows_changed_counts_in_place_changes_not_rewrites(spark, lake):
    lake["batch"]("b1", T1, [("1", "10.00"), ("2", "20.00"), ("3", "30.00")])
    first = lake["refine"]("run1")
    assert (first["rows_inserted"], first["rows_changed"]) == (3, 0)
    # Every row is rewritten (a newer batch), only 2's value changed; 4 is new.
    lake["batch"]("b2", T2, [("1", "10.00"), ("2", "21.00"), ("3", "30.00"), ("4", "40.00")])
    summary = lake["refine"]("run2")
    assert (summary["rows_inserted"], summary["rows_changed"], summary["rows_deleted"]) == (1, 1, 0)
    assert silver_job.run_metrics(summary)["RowsChanged"] == 1
    assert summary["deletes_audit"]["keys"] == 0
