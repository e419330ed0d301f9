"""Incremental silver and gold on Iceberg (the session's `glue_catalog` on moto's Glue, as local jobs
have it): silver after N incremental runs equals silver built in one run from the same bronze, a
re-run changes nothing, a failed MERGE leaves the table at its previous snapshot, and a gold model
refreshed by partitions rebuilds exactly the partitions the changed rows touch."""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
import silver_job
from bronze_files import write_batch
from medallion import gold, iceberg, io
from medallion.spec import TableMaintenance, parse_lake_spec
from pyspark.sql import functions as F
from tickit_spec import _table

BRONZE_DDL = "id string, amount string, note string"
# Three bronze batches of one table: inserts, an update of id 1 (batch 2), a row that fails typing
# (id 3 in batch 2), its correction (batch 3), another update (id 4), and a column the source gained.
BATCHES = [
    ("b1", datetime(2026, 1, 1, 6), [("1", "10.00", "a"), ("2", "20.00", "b")]),
    ("b2", datetime(2026, 1, 2, 6), [("1", "11.00", "a2"), ("3", "oops", "c"), ("4", "40.00", "d")]),
    ("b3", datetime(2026, 1, 2, 18), [("3", "30.00", "c2"), ("4", "41.00", "d2"), ("5", "50.00", None)]),
]


def _spec(database: str) -> dict:
    columns = {"id": "int", "amount": "decimal(8,2)", "note": "string"}
    return {
        "lake": "inc",
        "environment": "test",
        "databases": {"source": "src", "bronze": "brz", "silver": database, "gold": database},
        "sources": [
            {
                "name": "shop",
                "engine": "postgres",
                "database": "shop",
                "connectionName": "c",
                # Incremental (a watermark column): each batch holds the rows changed since the last.
                "tables": [_table("orders", ["id"], columns, watermark="id")],
            }  # fmt: skip
        ],
    }


def _write_batch(spark, bronze, batch):
    batch_id, at, rows = batch
    frame = spark.createDataFrame(rows, BRONZE_DDL).withColumns(
        {"_ingested_at": F.lit(at), "_batch_id": F.lit(batch_id), "_source": F.lit("shop")}
    )
    if batch_id == "b3":  # the source gained a column
        frame = frame.withColumn("channel", F.when(F.col("id").isNotNull(), F.lit("web")))  # nullable
    write_batch(spark, bronze, "shop", "orders", batch_id, at, frame)


@pytest.fixture()
def silver_env(spark, glue, moto_endpoint, monkeypatch, tmp_path):
    """A runtime whose catalog is moto's Glue, a fresh database, and a refine function."""
    monkeypatch.setenv(io.LOCAL_CATALOG_ENDPOINT, moto_endpoint)
    runtime = io.Runtime(spark, None, None)
    spec = parse_lake_spec(json.dumps(_spec(glue.database)))
    source, table = spec.tables()[0]
    args = {"bronze_path": (tmp_path / "bronze").as_uri(), "silver_path": f"file://{tmp_path}/silver"}

    def refine(run: str) -> dict:
        return silver_job.refine_table(runtime, spec, args, source, table, run)

    return {"refine": refine, "bronze": args["bronze_path"], "database": glue.database, "glue": glue}


def _rows(spark, name):
    return sorted(tuple(r) for r in spark.table(name).drop("_ingested_at").collect())


def test_n_incremental_runs_equal_one_full_run_and_a_rerun_changes_nothing(spark, silver_env, glue, tmp_path):
    silver = iceberg.table_name(silver_env["database"], "shop_orders")
    quarantine = iceberg.table_name(silver_env["database"], "shop_orders_quarantine")
    for n, batch in enumerate(BATCHES):
        _write_batch(spark, silver_env["bronze"], batch)
        summary = silver_env["refine"](f"run{n}")
        assert summary["this_run"]["bronze_rows"] == len(batch[2])  # only the new batch was read
    incremental = (_rows(spark, silver), _rows(spark, quarantine))
    snapshot = iceberg.current_snapshot(spark, silver)

    rerun = silver_env["refine"]("again")
    assert rerun["this_run"]["bronze_rows"] == 0
    since = spark.sql(
        f"SELECT operation FROM {silver}.snapshots WHERE committed_at > "
        f"(SELECT committed_at FROM {silver}.snapshots WHERE snapshot_id = {snapshot})"
    ).collect()
    assert {r[0] for r in since} <= {"replace"}  # at most maintenance's compaction, no data commit
    assert (_rows(spark, silver), _rows(spark, quarantine)) == incremental

    # One run over the same three batches, into another database.
    other = f"db_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": other})
    runtime = io.Runtime(spark, None, None)
    spec = parse_lake_spec(json.dumps(_spec(other)))
    source, table = spec.tables()[0]
    args = {"bronze_path": silver_env["bronze"], "silver_path": f"file://{tmp_path}/silver_once"}
    silver_job.refine_table(runtime, spec, args, source, table, "once")
    once = (
        _rows(spark, iceberg.table_name(other, "shop_orders")),
        _rows(spark, iceberg.table_name(other, "shop_orders_quarantine")),
    )
    assert incremental == once
    # Written by hand: the latest version per key, the new column null in rows from before b3.
    assert incremental[0] == [
        (1, D("11.00"), "a2", None, "b2"),
        (2, D("20.00"), "b", None, "b1"),
        (3, D("30.00"), "c2", "web", "b3"),
        (4, D("41.00"), "d2", "web", "b3"),
        (5, D("50.00"), None, "web", "b3"),
    ]
    assert [(r[0], r[3], r[-1]) for r in incremental[1]] == [
        ("3", "b2", "unparseable amount as decimal(8,2)")
    ]


def test_a_failed_merge_leaves_the_table_at_its_previous_snapshot(spark, silver_env):
    _write_batch(spark, silver_env["bronze"], BATCHES[0])
    silver_env["refine"]("run1")
    silver = iceberg.table_name(silver_env["database"], "shop_orders")
    before, rows = iceberg.current_snapshot(spark, silver), _rows(spark, silver)
    # Two source rows for one key: Iceberg's MERGE fails at run time, before it commits.
    duplicate = spark.table(silver).unionByName(spark.table(silver)).withColumn("_batch_id", F.lit("zz"))
    with pytest.raises(Exception, match="(?i)multiple|cardinality"):
        iceberg.merge_newest(spark, silver, duplicate, ["id"], null_safe=False)
    assert iceberg.current_snapshot(spark, silver) == before
    assert _rows(spark, silver) == rows


def test_a_type_the_table_cannot_take_is_an_error_naming_the_column(spark, silver_env):
    _write_batch(spark, silver_env["bronze"], BATCHES[0])
    silver_env["refine"]("run1")
    silver = iceberg.table_name(silver_env["database"], "shop_orders")
    wrong = spark.table(silver).withColumn("amount", F.lit("x"))
    with pytest.raises(
        iceberg.IcebergError, match="column amount is decimal\\(8,2\\) in the table but string"
    ):
        iceberg.align(spark, silver, wrong)


def test_partition_refresh_rebuilds_only_the_touched_partitions(spark, silver_env):
    for batch in BATCHES[:2]:
        _write_batch(spark, silver_env["bronze"], batch)
    silver_env["refine"]("run1")
    database = silver_env["database"]
    silver = iceberg.table_name(database, "shop_orders")
    spark.table(silver).createOrReplaceTempView("shop_orders")
    model_sql = (
        "SELECT sum(amount) AS total, count(*) AS n, id % 2 AS parity FROM shop_orders GROUP BY id % 2"
    )
    marks = gold.silver_marks(spark, {"shop_orders": silver})
    spec = parse_lake_spec(json.dumps(_spec(database)))
    table = spec.tables()[0][1]

    # Batch 3 changes ids 3 and 4 (odd and even) and adds 5 (odd).
    _write_batch(spark, silver_env["bronze"], BATCHES[2])
    silver_env["refine"]("run2")
    spark.table(silver).createOrReplaceTempView("shop_orders")
    changed = gold.changed_rows(spark, silver, table, marks["shop_orders"])
    assert sorted(r["id"] for r in changed.collect()) == [3, 4, 4, 5]  # new 3, 4, 5 and the old 4
    assert gold.touched_partitions(spark, model_sql, ["parity"], {"shop_orders": changed}) == [(0,), (1,)]
    only_new = gold.changed_rows(
        spark, silver, table, gold.silver_marks(spark, {"shop_orders": silver})["shop_orders"]
    )
    assert only_new.count() == 0  # nothing ingested since the current mark

    condition = gold.partition_filter(["parity"], [(1,), (None,)])
    frame = spark.createDataFrame([(1,), (2,), (None,)], "parity int")
    assert sorted(r[0] for r in frame.where(condition).collect() if r[0] is not None) == [1]
    assert frame.where(condition).count() == 2  # 1 and null


def test_an_expired_mark_falls_back_to_a_full_rebuild(spark, silver_env):
    _write_batch(spark, silver_env["bronze"], BATCHES[0])
    silver_env["refine"]("run1")
    silver = iceberg.table_name(silver_env["database"], "shop_orders")
    table = parse_lake_spec(json.dumps(_spec(silver_env["database"]))).tables()[0][1]
    assert (
        gold.changed_rows(spark, silver, table, {"snapshot": 42, "ingested": "2026-01-01 00:00:00"}) is None
    )


def test_maintenance_compacts_expires_and_removes_orphans_without_changing_rows(spark, silver_env, tmp_path):
    for n, batch in enumerate(BATCHES):
        _write_batch(spark, silver_env["bronze"], batch)
        silver_env["refine"](f"run{n}")
    silver = iceberg.table_name(silver_env["database"], "shop_orders")
    rows = _rows(spark, silver)
    first = spark.sql(f"SELECT snapshot_id FROM {silver}.snapshots ORDER BY committed_at").first()[0]
    orphan = tmp_path / "silver/shop/orders/data/orphan.parquet"
    orphan.write_bytes(b"not referenced by any snapshot")
    settings = TableMaintenance(snapshot_retention_days=5, snapshots_to_keep=1, orphan_file_retention_days=3,
                                compaction_min_input_files=2, compaction_delete_ratio=0.01)  # fmt: skip
    later = datetime.now(UTC) + timedelta(days=10)
    # Ten days on, with orphans removed that day: compaction and expiry have work, orphan cleanup not.
    iceberg.set_property(spark, silver, iceberg.ORPHANS_REMOVED_AT, later.isoformat())
    done = iceberg.maintain(spark, silver, settings, now=later)
    assert done["expired_snapshots"] > 0
    # The MERGEs of ids 1, 3 and 4 wrote position deletes; the runs' compaction folded them in.
    operations = [r[0] for r in spark.sql(f"SELECT operation FROM {silver}.snapshots").collect()]
    summary = spark.sql(f"SELECT summary FROM {silver}.snapshots ORDER BY committed_at DESC").first()[0]
    assert summary["total-delete-files"] == "0", (operations, summary)
    assert done["orphan_files_removed"] == 0
    assert _rows(spark, silver) == rows
    assert spark.sql(f"SELECT count(*) FROM {silver}.snapshots").first()[0] == 1  # retain_last 1
    with pytest.raises(Exception, match="(?i)snapshot"):
        spark.read.option("snapshot-id", first).table(silver).collect()  # expired: no time travel there
    # Orphans (Iceberg refuses a cutoff less than a day ago, so the clock is set back instead): the last
    # cleanup 10 days ago and an unreferenced file 10 days old; a run now removes it.
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    os.utime(orphan, (ten_days_ago.timestamp(), ten_days_ago.timestamp()))
    iceberg.set_property(spark, silver, iceberg.ORPHANS_REMOVED_AT, ten_days_ago.isoformat())
    assert iceberg.maintain(spark, silver, settings)["orphan_files_removed"] == 1
    assert not orphan.exists()
    assert _rows(spark, silver) == rows


def _live_files(spark, name):
    """(data file paths, delete file count) of the table's current snapshot."""
    files = spark.sql(f"SELECT content, file_path FROM {name}.files").collect()
    return {r[1] for r in files if r[0] == 0}, sum(r[0] != 0 for r in files)


def test_compaction_packs_small_files_and_rewrites_deletes_past_the_ratio(spark, silver_env, tmp_path):
    name = iceberg.table_name(silver_env["database"], f"t_{uuid.uuid4().hex[:8]}")
    ddl = "id int, note string, _ingested_at timestamp, _batch_id string"
    at = datetime(2026, 1, 1)
    big = spark.createDataFrame([(i, f"note {i:06d} " * 4, at, "b0") for i in range(20000)], ddl)
    iceberg.create(spark, name, big.coalesce(1), f"file://{tmp_path}/t")
    (big_file,), _ = _live_files(spark, name)
    later = datetime(2026, 1, 2)
    for n in range(3):  # three runs' small files; the last also updates id 0 (a position delete)
        rows = spark.createDataFrame([(n if n == 2 else 20000 + n, "new", later, f"b{n + 1}")], ddl)
        iceberg.merge_newest(spark, name, rows.where("id IS NOT NULL"), ["id"], False)
    rows = _rows(spark, name)
    data, deletes = _live_files(spark, name)
    assert len(data) == 4 and deletes == 1
    small_mib = (os.path.getsize(big_file.removeprefix("file:")) / 2) / (1024 * 1024)
    settings = TableMaintenance(compaction_min_input_files=2, compaction_small_file_mib=small_mib,
                                compaction_delete_ratio=0.5)  # fmt: skip
    done = iceberg.maintain(spark, name, settings)
    data, deletes = _live_files(spark, name)
    # The three small files packed into one; the big file and its one deleted row (1 of 20,002) kept.
    assert (done["rewritten_data_files"], done["added_data_files"]) == (3, 1)
    assert big_file in data and len(data) == 2 and deletes == 1
    assert _rows(spark, name) == rows
    # Past the ratio, the big file is rewritten without its deleted row and the delete file dropped.
    done = iceberg.maintain(spark, name, dataclasses.replace(settings, compaction_delete_ratio=1e-6))
    data, deletes = _live_files(spark, name)
    assert big_file not in data and deletes == 0 and done["rewritten_data_files"] >= 1
    assert _rows(spark, name) == rows


def test_a_plain_table_of_a_lake_built_before_iceberg_is_refused_naming_the_migration(
    spark, silver_env, glue
):
    glue.create_table(
        DatabaseName=silver_env["database"],
        TableInput={"Name": "shop_orders", "TableType": "EXTERNAL_TABLE",
                    "Parameters": {"classification": "parquet"},
                    "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int"}], "Location": "file:///old/"}},
    )  # fmt: skip
    _write_batch(spark, silver_env["bronze"], BATCHES[0])
    with pytest.raises(iceberg.IcebergError, match="shop_orders is a plain .*docs/iceberg.md#migrating"):
        silver_env["refine"]("run1")
    assert [t["Name"] for t in glue.get_tables(DatabaseName=silver_env["database"])["TableList"]] == [
        "shop_orders"
    ]
