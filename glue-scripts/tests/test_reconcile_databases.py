"""`reconcile: keys` end to end against real PostgreSQL and MariaDB servers: bronze through
spark-submit takes the key snapshot of an id-watermarked table with the pushed-down key query, on
its first run and then every `everyRuns` (2) runs; silver (Spark + Iceberg) deletes the row the
source deleted and keeps the others.

The key scan is one query of the key column alone (PostgreSQL's statement log shows it).

Runs: b1 reads ids 1-3 and snapshots them; then id 2 is deleted and id 4 inserted at the source;
b2 reads id 4 and skips the scan (1 run since the last); b3 reads nothing and snapshots 1, 3, 4."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import silver_job
from local_bronze import local_bronze
from medallion import iceberg, io
from medallion.spec import parse_lake_spec
from pyspark.sql import functions as F
from tickit_spec import _table

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "local-lake"))  # localdb: the local database servers

from localdb.servers import mariadb_connect, pg_connect  # noqa: E402

pytestmark = pytest.mark.integration

ROWS = [(1, "a"), (2, "b"), (3, "c")]
SOURCES = {"pg": ("postgres", "s.orders"), "maria": ("mysql", "orders")}


def _spec(silver_database: str) -> dict:
    def table(source_table: str) -> dict:
        spec = _table(source_table, ["id"], {"id": "int", "amount": "string"}, watermark="id")
        return {**spec, "reconcile": {"compare": "keys", "everyRuns": 2}, "maxDeleteShare": 0.5}

    return {
        "lake": "rk", "environment": "test",
        "databases": {"source": "rk_src", "bronze": "rk_bronze", "silver": silver_database,
                      "gold": "rk_gold"},
        "sources": [{"name": name, "engine": engine, "database": "rk", "connectionName": f"c-{name}",
                     "tables": [table(source_table)]}
                    for name, (engine, source_table) in SOURCES.items()],
    }  # fmt: skip


def _execute(servers: dict, statement: str, rows: list | None = None) -> None:
    """Runs `statement` ({table}: the source table) on both servers."""
    with pg_connect(servers["postgres"], "rk", autocommit=True) as conn, conn.cursor() as cur:
        sql = statement.format(table=SOURCES["pg"][1])
        cur.executemany(sql, rows) if rows else cur.execute(sql)
    with mariadb_connect(servers["mariadb"], "rk", autocommit=True) as conn, conn.cursor() as cur:
        sql = statement.format(table=SOURCES["maria"][1])
        cur.executemany(sql, rows) if rows else cur.execute(sql)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, database_servers):
    servers = database_servers
    pg, maria = servers["postgres"], servers["mariadb"]
    with pg_connect(pg, autocommit=True) as conn:
        conn.execute("CREATE DATABASE rk")
        conn.execute("ALTER DATABASE rk SET log_statement = 'all'")  # new sessions log every query
    with pg_connect(pg, "rk", autocommit=True) as conn:
        conn.execute("CREATE SCHEMA s")
        conn.execute("CREATE TABLE s.orders (id int PRIMARY KEY, amount varchar(10))")
    with mariadb_connect(maria, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE rk")
        cur.execute("CREATE TABLE rk.orders (id int PRIMARY KEY, amount varchar(10))")
    _execute(servers, "INSERT INTO {table} VALUES (%s, %s)", ROWS)
    root = tmp_path_factory.mktemp("reconcile-databases")
    bronze, bronze_run = local_bronze(root, servers, "rk", _spec("unused"))

    def run(batch_id: str) -> dict:
        bronze_run(batch_id)
        return {s: json.loads((bronze / "_run_summaries" / s / "orders" / f"{batch_id}.json").read_text())
                for s in SOURCES}  # fmt: skip

    first = run("b1")
    _execute(servers, "DELETE FROM {table} WHERE id = 2")
    _execute(servers, "INSERT INTO {table} VALUES (%s, %s)", [(4, "d")])
    second = run("b2")
    log_file = Path(pg["log"])
    logged_before = log_file.stat().st_size
    third = run("b3")
    with log_file.open(encoding="utf-8", errors="replace") as handle:
        handle.seek(logged_before)
        log = handle.read()
    return {"b1": first, "b2": second, "b3": third, "bronze": bronze, "root": root, "pg_log": log}


def _snapshot(spark, runs, source: str, batch_id: str) -> list[int]:
    folders = list((runs["bronze"] / "_keys" / source / "orders").glob(f"ingest_date=*/batch_id={batch_id}"))
    assert len(folders) == 1, folders
    return sorted(r["id"] for r in spark.read.format("avro").load(str(folders[0])).collect())


def test_each_run_reads_the_rows_above_the_watermark(runs):
    rows = {b: {s: (runs[b][s]["rows"], runs[b][s]["error"]) for s in SOURCES} for b in ("b1", "b2", "b3")}
    assert rows == {"b1": {"pg": (3, None), "maria": (3, None)},
                    "b2": {"pg": (1, None), "maria": (1, None)},
                    "b3": {"pg": (0, None), "maria": (0, None)}}  # fmt: skip


def test_the_first_run_snapshots_every_key(spark, runs):
    for source in SOURCES:
        summary = runs["b1"][source]
        assert summary["keys_read"] == 3
        assert summary["key_scan_started"] and summary["key_scan_seconds"] >= 0
        assert _snapshot(spark, runs, source, "b1") == [1, 2, 3]


def test_every_runs_2_skips_the_scan_on_the_next_run(runs):
    for source in SOURCES:
        summary = runs["b2"][source]
        assert (summary["keys_read"], summary["key_scan_started"], summary["key_scan_seconds"]) == (None,) * 3
        assert not list((runs["bronze"] / "_keys" / source / "orders").glob("ingest_date=*/batch_id=b2"))


def test_the_scan_after_a_delete_holds_exactly_the_remaining_keys(spark, runs):
    for source in SOURCES:
        assert runs["b3"][source]["keys_read"] == 3
        assert _snapshot(spark, runs, source, "b3") == [1, 3, 4]


def test_the_key_scan_reads_only_the_key_column_pushed_down(runs):
    # The statements that read rows of the table, not Spark's schema probe (`WHERE 1=0`).
    reads = [line for line in runs["pg_log"].splitlines()
             if "execute" in line and '"s"."orders"' in line and "WHERE 1=0" not in line]  # fmt: skip
    assert len(reads) == 2, reads  # the batch above the watermark and the key scan
    key_scan = 'SELECT "id" FROM (SELECT "id" FROM "s"."orders") SPARK_GEN_SUBQ_0'
    assert any(line.rstrip().endswith(key_scan) for line in reads), reads


def test_silver_deletes_the_row_the_source_deleted(spark, glue, moto_endpoint, monkeypatch, runs):
    monkeypatch.setenv(io.LOCAL_CATALOG_ENDPOINT, moto_endpoint)
    spec = parse_lake_spec(json.dumps(_spec(glue.database)))
    args = {"bronze_path": runs["bronze"].as_uri(), "silver_path": (runs["root"] / "silver").as_uri()}
    for source, table in spec.tables():
        created = silver_job.refine_table(io.Runtime(spark, None, None), spec, args, source, table, "r1")
        assert created.get("error") is None and created["silver_rows"] == 4, created
        # The table's first run creates it from every batch; the next applies the newest snapshot.
        applied = silver_job.refine_table(io.Runtime(spark, None, None), spec, args, source, table, "r2")
        assert applied["reconcile"]["rows_deleted"] == 1 and applied["rows_deleted"] == 1, applied
        rows = spark.table(iceberg.table_name(glue.database, f"{source.name}_orders"))
        assert sorted(tuple(r) for r in rows.select(F.col("id").cast("int"), "amount").collect()) == [
            (1, "a"), (3, "c"), (4, "d")
        ], source.name  # fmt: skip
