"""The silver entry script in-process on the test session (moto's Glue catalog, real Avro files):
a damaged bronze batch fails its table whole and the job at the end, the other tables go on; so does a
full-load batch that would delete more than maxDeleteShare of its table; a source table without rows
gets an empty silver table that gold reads as empty; a partitions gold model follows silver's deletes."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime
from pathlib import Path

import gold_job
import pytest
import silver_job
from bronze_files import write_batch
from medallion import batches, iceberg, io
from pyspark.sql import functions as F
from tickit_spec import _table

T1, T2, T3 = datetime(2026, 1, 1, 6), datetime(2026, 1, 2, 6), datetime(2026, 1, 3, 6)
ORDERS = {"id": "int", "customer_id": "int", "note": "string"}
CUSTOMERS = {"id": "int", "name": "string", "age": "smallint", "signup": ("date", "yyyy-MM-dd")}
# Large enough that spark-avro's 64,000-byte sync interval cuts a batch of 10 into several blocks.
NOTE = "n" * 13_000


def _model(name: str, columns: list[str], partition_by: tuple[str, ...] = ()) -> dict:
    described = [{"name": c, "description": c} for c in columns]
    refresh = {"refresh": "partitions"} if partition_by else {}
    return {"name": name, "file": f"gold-models/{name}.sql", "description": name,
            "partitionBy": list(partition_by), "columns": described, "tests": [], "queries": [],
            **refresh}  # fmt: skip


@pytest.fixture()
def lake(spark, tmp_path, glue, moto_endpoint, monkeypatch):
    """Source `shop` with orders and customers, a gold model over each, fresh silver and gold databases;
    `silver(run)` and `gold(run)` run the entry scripts."""
    monkeypatch.setenv(io.LOCAL_CATALOG_ENDPOINT, moto_endpoint)
    gold_db = f"gold_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": gold_db})
    models = {
        "named_orders": ("SELECT o.id, c.name FROM shop_orders o LEFT JOIN shop_customers c "
                         "ON o.customer_id = c.id", ["id", "name"]),
        "customer_count": ("SELECT count(*) AS customers FROM shop_customers", ["customers"]),
        "customers_by_age": ("SELECT count(*) AS customers, age FROM shop_customers GROUP BY age",
                             ["customers", "age"], ("age",)),
    }  # fmt: skip
    spec = {
        "lake": "shop", "environment": "test",
        "databases": {"source": "src", "bronze": "brz", "silver": glue.database, "gold": gold_db},
        "sources": [{"name": "shop", "engine": "postgres", "database": "shop", "connectionName": "c",
                     "tables": [_table("orders", ["id"], ORDERS, watermark="id"),
                                _table("customers", ["id"], CUSTOMERS, date="signup")]}],
        "gold": {"models": [_model(name, *rest) for name, (_, *rest) in models.items()]},
    }  # fmt: skip
    customers = spec["sources"][0]["tables"][1]
    for column in customers["columns"]:
        if column["name"] == "name":
            column["classification"] = "pii"  # named_orders.name carries it by lineage
    (tmp_path / "gold-models").mkdir()
    for name, (sql, *_) in models.items():
        (tmp_path / f"gold-models/{name}.sql").write_text(sql)
    (tmp_path / "lake-spec.json").write_text(json.dumps(spec))
    paths = {"bronze_path": (tmp_path / "bronze").as_uri(), "silver_path": (tmp_path / "silver").as_uri(),
             "gold_path": (tmp_path / "gold").as_uri()}  # fmt: skip
    common = ["--lake_spec", (tmp_path / "lake-spec.json").as_uri(), "--environment", "test"]

    def argv(run: str, *layers: str) -> list[str]:
        return [*common, *(a for p in layers for a in (f"--{p}", paths[p])), "--batch_id", run]

    return {
        "root": tmp_path,
        "bronze": paths["bronze_path"],
        "silver": lambda run: silver_job.main(argv(run, "bronze_path", "silver_path")),
        "gold": lambda run: gold_job.main(argv(run, "silver_path", "gold_path")),
        "orders": iceberg.table_name(glue.database, "shop_orders"),
        "customers": iceberg.table_name(glue.database, "shop_customers"),
        "gold_db": gold_db,
        "glue": glue,
    }


def _batch(spark, lake, table: str, batch_id: str, at: datetime, rows: list[tuple], ddl: str) -> str:
    """A bronze batch of strings in one Avro file, as bronze writes it; returns its folder."""
    metadata = {"_ingested_at": F.lit(at), "_batch_id": F.lit(batch_id), "_source": F.lit("shop")}
    frame = spark.createDataFrame(rows, ddl).coalesce(1).withColumns(metadata)
    return write_batch(spark, lake["bronze"], "shop", table, batch_id, at, frame)


def _orders(spark, lake, batch_id: str, at: datetime, ids: range, note: str = "x") -> str:
    rows = [(str(i), "7", note) for i in ids]
    return _batch(spark, lake, "orders", batch_id, at, rows, "id string, customer_id string, note string")


def _customers(spark, lake, batch_id: str, at: datetime, rows: list[tuple]) -> str:
    ddl = "id string, name string, age string, signup string"
    return _batch(spark, lake, "customers", batch_id, at, rows, ddl)


def _rows(spark, name: str) -> list[tuple]:
    return sorted(tuple(r) for r in spark.table(name).collect())


def _blocks(data: bytes) -> list[tuple[int, int]]:
    """(end offset, rows) of each data block of an Avro object container file: every block ends with
    the file's 16-byte sync marker, which also ends the header and the file; a block starts with its
    row count (a zig-zag varint). https://avro.apache.org/docs/1.11.1/specification/#object-container-files"""
    sync = data[-16:]
    ends = [m.end() for m in re.finditer(re.escape(sync), data)]
    blocks = []
    for start, end in zip(ends, ends[1:], strict=False):
        value = shift = 0
        for byte in data[start:]:
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        blocks.append((end, (value >> 1) ^ -(value & 1)))
    return blocks


def test_a_damaged_bronze_file_fails_its_table_whole_and_the_job_at_the_end(spark, lake):
    _orders(spark, lake, "b1", T1, range(1, 4))
    lake["silver"]("run1")
    orders, quarantine = lake["orders"], lake["orders"].replace("shop_orders", "shop_orders_quarantine")
    before = {t: (iceberg.current_snapshot(spark, t), _rows(spark, t)) for t in (orders, quarantine)}
    mark = iceberg.newest_ingested(spark, orders)
    assert mark == T1 and len(before[orders][1]) == 3

    folder = _orders(spark, lake, "b2", T2, range(11, 21), NOTE)
    (file,) = Path(folder.removeprefix("file://")).glob("*.avro")
    # S3 keeps no checksum beside a file; the local file system's .crc would flag the cut itself.
    file.with_name(f".{file.name}.crc").unlink()
    intact = file.read_bytes()
    blocks = _blocks(intact)
    assert len(blocks) > 1 and sum(n for _, n in blocks) == 10
    first_end, first_rows = blocks[0]
    _customers(spark, lake, "c1", T2, [("1", "Ann", "30", "2026-01-01")])
    partial = f"bronze wrote 10 rows, silver read {first_rows} from "
    # Avro ends a file at a block cut short without an error (EOF is its end of file), and Spark returns
    # what it read of a file it cannot read when ignoreCorruptFiles is on (as here for the last damage).
    bad_sync = intact[: first_end - 16] + bytes(16) + intact[first_end:]
    damages = {
        "cut inside a block": (intact[: first_end + 100], partial, "false"),
        "cut at a block boundary": (intact[:first_end], partial, "false"),
        "cut to nothing": (b"", "", "false"),
        "a sync marker overwritten": (bad_sync, "cannot be read", "true"),
    }
    for n, (damage, (content, why, ignore_corrupt)) in enumerate(damages.items()):
        file.write_bytes(content)
        spark.conf.set("spark.sql.files.ignoreCorruptFiles", ignore_corrupt)
        try:
            with pytest.raises(batches.IncompleteBatchError) as failure:
                lake["silver"](f"damaged{n}")
        finally:
            spark.conf.unset("spark.sql.files.ignoreCorruptFiles")
        message = str(failure.value)
        assert "shop/orders: batch b2: " in message and why in message, (damage, message)
        assert file.name in message, (damage, message)
        assert "shop/customers" not in message
        # Nothing of the batch applied: silver, quarantine and the watermark as before.
        assert {t: (iceberg.current_snapshot(spark, t), _rows(spark, t)) for t in before} == before, damage
        assert iceberg.newest_ingested(spark, orders) == mark
        summary = lake["root"] / f"silver/_run_summaries/shop/orders/damaged{n}.json"
        summary = json.loads(summary.read_text())
        assert summary["incomplete_batch"].startswith("shop/orders: batch b2: ")
        assert summary["incomplete_batch"] in message
        # The other table was refined in the same run.
        assert [(r["id"], r["name"]) for r in spark.table(lake["customers"]).collect()] == [(1, "Ann")]

    file.write_bytes(intact)  # restored
    lake["silver"]("restored")
    assert sorted(r["id"] for r in spark.table(orders).collect()) == [1, 2, 3, *range(11, 21)]
    assert iceberg.newest_ingested(spark, orders) == T2


def test_a_batch_without_its_bronze_run_summary_is_not_applied(spark, lake):
    folder = _orders(spark, lake, "b1", T1, range(1, 4))
    summary = batches.summary_path(lake["bronze"], "shop", "orders", "b1")
    Path(summary.removeprefix("file://")).unlink()
    with pytest.raises(batches.IncompleteBatchError, match=f"batch b1: no bronze run summary at {summary}"):
        lake["silver"]("run1")
    assert not iceberg.exists(spark, lake["orders"])
    assert Path(folder.removeprefix("file://")).is_dir()  # bronze untouched


def test_a_table_without_rows_gets_an_empty_table_gold_reads_as_empty(spark, lake):
    _orders(spark, lake, "b1", T1, range(1, 3))
    lake["silver"]("run1")  # customers: no bronze batch yet
    table = spark.table(lake["customers"])
    assert table.count() == 0
    # The declared columns typed (smallint is Iceberg's int), the derived date parts, the metadata.
    assert table.dtypes == [("id", "int"), ("name", "string"), ("age", "int"), ("signup", "date"),
                            ("year", "int"), ("month", "int"), ("_ingested_at", "timestamp"),
                            ("_batch_id", "string")]  # fmt: skip
    lake["gold"]("run1")
    gold = {m: iceberg.table_name(lake["gold_db"], m) for m in ("named_orders", "customer_count")}
    assert _rows(spark, gold["named_orders"]) == [(1, None), (2, None)]
    assert _rows(spark, gold["customer_count"]) == [(0,)]

    # The first rows MERGE into the empty table.
    _customers(spark, lake, "c1", T3, [("7", "Bo", "41", "2026-01-02")])
    lake["silver"]("run2")
    assert _rows(spark, lake["customers"]) == [(7, "Bo", 41, date(2026, 1, 2), 2026, 1, T3, "c1")]
    lake["gold"]("run2")
    assert _rows(spark, gold["named_orders"]) == [(1, "Bo"), (2, "Bo")]


def test_gold_over_an_untyped_table_without_rows_names_the_fix(lake):
    spec_file = lake["root"] / "lake-spec.json"
    spec = json.loads(spec_file.read_text())
    customers = spec["sources"][0]["tables"][1]
    customers.update(primaryKey=[], columns=[], dateColumn=None)  # untyped: its columns come with its rows
    spec_file.write_text(json.dumps(spec))
    with pytest.raises(gold_job.SpecError, match="shop_customers.*declare its columns to have gold read it"):
        lake["gold"]("run1")


def _column_parameters(glue, database: str, table: str) -> dict[str, dict[str, str]]:
    """Each column's Glue parameters as the Glue API returns them, data and partition columns."""
    found = glue.get_table(DatabaseName=database, Name=table)["Table"]
    columns = [*found["StorageDescriptor"]["Columns"], *found.get("PartitionKeys", [])]
    return {c["Name"]: c.get("Parameters", {}) for c in columns}


def test_classified_columns_carry_their_glue_column_parameter_in_silver_and_gold(spark, lake):
    glue, silver_db, gold_db = lake["glue"], lake["customers"].split(".")[1].strip("`"), lake["gold_db"]
    _orders(spark, lake, "b1", T1, range(1, 3))
    _customers(spark, lake, "c1", T1, [("7", "Bo", "41", "2026-01-02")])
    for run in ("run1", "run2"):  # run2's commits rebuild the Glue columns: the parameter is set again
        if run == "run2":
            _customers(
                spark, lake, "c2", T2, [("7", "Bo", "41", "2026-01-02"), ("8", "Al", "39", "2026-01-03")]
            )
        lake["silver"](run)
        lake["gold"](run)
        silver = _column_parameters(glue, silver_db, "shop_customers")
        assert {c: p.get("classification") for c, p in silver.items()} == {
            "id": None, "name": "pii", "age": None, "signup": None, "year": None, "month": None,
            "_ingested_at": None, "_batch_id": None,
        }, run  # fmt: skip
        assert silver["name"]["iceberg.field.id"]  # Iceberg's own parameters are kept
        gold = _column_parameters(glue, gold_db, "named_orders")
        assert {c: p.get("classification") for c, p in gold.items()} == {"id": None, "name": "pii"}, run
        by_age = _column_parameters(glue, gold_db, "customers_by_age")
        assert all("classification" not in p for p in by_age.values()), run
    summary = json.loads((lake["root"] / "gold/_run_summaries/run2.json").read_text())["models"]
    assert summary["named_orders"]["classified"] == {"name": "pii"}


def _people(ids_ages: dict[int, int]) -> list[tuple]:
    return [(str(i), f"p{i}", str(age), "2026-01-01") for i, age in ids_ages.items()]


def test_a_run_that_would_delete_most_of_a_table_leaves_it_and_fails_the_job_naming_it(spark, lake):
    _customers(spark, lake, "c1", T1, _people({i: 30 for i in range(1, 11)}))
    _orders(spark, lake, "b1", T1, range(1, 3))
    lake["silver"]("run1")
    customers = lake["customers"]
    quarantine = customers.replace("shop_customers", "shop_customers_quarantine")
    before = {t: (iceberg.current_snapshot(spark, t), _rows(spark, t)) for t in (customers, quarantine)}
    mark = iceberg.newest_ingested(spark, customers)

    # A truncated source read: 1 of the 10 customers (and a bad row); orders go on.
    _customers(spark, lake, "c2", T2, [*_people({1: 31}), ("2", "p2", "old", "2026-01-01")])
    _orders(spark, lake, "b2", T2, range(3, 5))
    with pytest.raises(silver_job.DeleteGuardError) as failure:
        lake["silver"]("run2")
    message = str(failure.value)
    assert "shop/customers: this run would delete 8 of the table's 10 silver rows (share 0.8)" in message
    assert "more than maxDeleteShare 0.5" in message and "shop/orders" not in message
    assert {t: (iceberg.current_snapshot(spark, t), _rows(spark, t)) for t in before} == before
    assert iceberg.newest_ingested(spark, customers) == mark
    summary = json.loads((lake["root"] / "silver/_run_summaries/shop/customers/run2.json").read_text())
    assert summary["delete_guard"] in message and summary["rows_deleted"] == 0
    assert sorted(r["id"] for r in spark.table(lake["orders"]).collect()) == [1, 2, 3, 4]

    # Raising the table's setting lets the run through (a source that really lost those rows); the
    # rejected row's key stays at its previous version.
    spec_file = lake["root"] / "lake-spec.json"
    spec = json.loads(spec_file.read_text())
    spec["sources"][0]["tables"][1]["maxDeleteShare"] = 0.8
    spec_file.write_text(json.dumps(spec))
    lake["silver"]("run3")
    assert sorted((r["id"], r["age"]) for r in spark.table(customers).collect()) == [(1, 31), (2, 30)]
    summary = json.loads((lake["root"] / "silver/_run_summaries/shop/customers/run3.json").read_text())
    assert summary["rows_deleted"] == 8
    assert silver_job.run_metrics(summary)["DeleteShare"] == 0.8  # the delete-share alarm's metric


def test_a_partitions_gold_model_drops_a_deleted_rows_contribution(spark, lake):
    _customers(spark, lake, "c1", T1, _people({1: 30, 2: 30, 3: 30, 4: 40, 5: 50}))
    lake["silver"]("run1")
    lake["gold"]("run1")
    by_age = iceberg.table_name(lake["gold_db"], "customers_by_age")
    assert _rows(spark, by_age) == [(1, 40), (1, 50), (3, 30)]

    _customers(spark, lake, "c2", T2, _people({1: 30, 3: 30, 5: 50}))  # 2 and 4 deleted at the source
    lake["silver"]("run2")
    lake["gold"]("run2")
    assert _rows(spark, by_age) == [(1, 50), (2, 30)]  # age 40's only row gone, with its partition
    summary = json.loads((lake["root"] / "gold/_run_summaries/run2.json").read_text())["models"]
    assert summary["customers_by_age"]["refresh"] == "partitions"
