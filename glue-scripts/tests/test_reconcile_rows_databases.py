"""`reconcile: rows` end to end against real PostgreSQL and MariaDB servers: bronze (the job's own
`ingest_table`, in this process so a test can change the source while the snapshot is read) and
silver (Spark + Iceberg) over an id-watermarked table whose rows change in place.

The source's rows are normalised by silver (a padded string trimmed, a microsecond timestamp, a
4-digit decimal declared with 2) and one row is quarantined (qty 'x' is no int). Runs:
- b1 reads every row with its hash; its snapshot matches them all: nothing re-read.
- b2, no change at the source: 0 rows read, nothing re-read.
- id 2 updated in place, id 4 deleted, id 5 inserted; b3 reads id 5, then, before its snapshot, id 5
  is updated (after the batch read it) and, right after the snapshot read it, id 1 (the race: the
  snapshot saw the old hash); b3 re-reads id 2 and id 5 alone (the quarantined and the normalised
  rows are not re-read).
- b4 re-reads id 1 (the race's update is not lost); b5 reads nothing (the re-read's hash recorded).
Each run's bronze summary says what it read. Silver refined after runs 1 and 5 (the second run
MERGEs every later batch and applies the newest snapshot) equals silver refined once over the same
batches and snapshots (created from every batch, then the snapshot applied), and the sources'
cleaned rows. The database servers are the session's (`database_servers`, shared with the other
database tests), the Spark session too; each silver refine costs most of this module's time, so
there are four."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import bronze_job
import pytest
import silver_job
from medallion import iceberg, io
from medallion.spec import parse_lake_spec
from pyspark.sql import functions as F
from tickit_spec import _table

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "local-lake"))  # localdb: the local database servers

from localdb.servers import mariadb_connect, pg_connect  # noqa: E402

pytestmark = pytest.mark.integration

SOURCES = {"pg": ("postgres", "s.orders"), "maria": ("mysql", "orders")}
COLUMNS = {"id": "int", "amount": "string", "at": "timestamp", "price": "decimal(10,2)", "qty": "int"}
ROWS = [
    (1, "a  ", "2026-01-01 10:00:00.123456", Decimal("1.2345"), "1"),
    (2, "b", "2026-01-02 10:00:00.654321", Decimal("2.5000"), "2"),
    (3, "c", "2026-01-03 10:00:00", Decimal("3.0000"), "x"),  # quarantined: qty is no int
    (4, "d", "2026-01-04 10:00:00", Decimal("4.0000"), "4"),
]
INSERT = "INSERT INTO {table} VALUES (%s, %s, %s, %s, %s)"


def _spec(silver_database: str) -> dict:
    def table(source_table: str) -> dict:
        spec = _table(source_table, ["id"], COLUMNS, watermark="id")
        return {**spec, "reconcile": {"compare": "rows", "everyRuns": 1}, "maxDeleteShare": 0.5}

    return {
        "lake": "rr", "environment": "test",
        # No compaction (what is proved here is not maintenance's, and each costs seconds of Spark).
        "tableMaintenance": {"compactionMinInputFiles": 1000, "compactionDeleteRatio": 1},
        "databases": {"source": "rr_src", "bronze": "rr_bronze", "silver": silver_database,
                      "gold": "rr_gold"},
        "sources": [{"name": name, "engine": engine, "database": "rr", "connectionName": f"c-{name}",
                     "tables": [table(source_table)]}
                    for name, (engine, source_table) in SOURCES.items()],
    }  # fmt: skip


def _execute(servers: dict, statement: str, rows: list | None = None, only: str | None = None) -> None:
    """Runs `statement` ({table}: the source table) on both servers (or the `only` source's)."""
    if only in (None, "pg"):
        with pg_connect(servers["postgres"], "rr", autocommit=True) as conn, conn.cursor() as cur:
            sql = statement.format(table=SOURCES["pg"][1])
            cur.executemany(sql, rows) if rows else cur.execute(sql)
    if only in (None, "maria"):
        with mariadb_connect(servers["mariadb"], "rr", autocommit=True) as conn, conn.cursor() as cur:
            sql = statement.format(table=SOURCES["maria"][1])
            cur.executemany(sql, rows) if rows else cur.execute(sql)


def _source_rows(servers: dict) -> dict[str, list[tuple]]:
    with pg_connect(servers["postgres"], "rr") as conn, conn.cursor() as cur:
        cur.execute("SELECT id, amount, at, price, qty FROM s.orders ORDER BY id")
        pg = cur.fetchall()
    with mariadb_connect(servers["mariadb"], "rr") as conn, conn.cursor() as cur:
        cur.execute("SELECT id, amount, at, price, qty FROM orders ORDER BY id")
        maria = cur.fetchall()
    return {"pg": pg, "maria": maria}


def _cleaned(rows: list[tuple]) -> list[tuple]:
    """The source's rows as silver must hold them, written independently of silver: strings trimmed,
    timestamps in milliseconds (bronze's Avro), decimals rounded to 2 places, a row whose qty is no
    int left out (quarantined)."""
    kept = [r for r in rows if str(r[4]).strip().isdigit()]
    return [
        (r[0], r[1].strip(), r[2].replace(microsecond=r[2].microsecond // 1000 * 1000),
         Decimal(r[3]).quantize(Decimal("0.01")), int(r[4]))
        for r in kept
    ]  # fmt: skip


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory, database_servers):
    servers = database_servers
    pg, maria = servers["postgres"], servers["mariadb"]
    with pg_connect(pg, autocommit=True) as conn:
        conn.execute("CREATE DATABASE rr")
    ddl = "(id int PRIMARY KEY, amount varchar(10), at {ts}, price numeric(10,4), qty varchar(5))"
    with pg_connect(pg, "rr", autocommit=True) as conn:
        conn.execute("CREATE SCHEMA s")
        conn.execute("CREATE TABLE s.orders " + ddl.format(ts="timestamp(6)"))
    with mariadb_connect(maria, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE rr")
        cur.execute("CREATE TABLE rr.orders " + ddl.format(ts="datetime(6)"))
    _execute(servers, INSERT, ROWS)
    root = tmp_path_factory.mktemp("reconcile-rows")
    bronze = root / "bronze"
    spec = parse_lake_spec(json.dumps(_spec("unused")))
    connections = {
        "pg": {"user": pg["user"], "password": pg["password"], "driver": "org.postgresql.Driver",
               "url": f"jdbc:postgresql://127.0.0.1:{pg['port']}/rr"},
        "maria": {"user": maria["user"], "password": maria["password"],
                  "driver": "org.mariadb.jdbc.Driver", "url": f"jdbc:mysql://127.0.0.1:{maria['port']}/rr?permitMysqlScheme"},
    }  # fmt: skip
    args = {"bronze_path": bronze.as_uri(), "local_connections": "test"}
    runtime = io.Runtime(spark, None, None)

    def run(number: int) -> dict:
        now = datetime.now(UTC)  # as bronze_job.main: the run's start, in milliseconds
        started = now.replace(microsecond=now.microsecond // 1000 * 1000)
        return {
            s.name: bronze_job.ingest_table(runtime, spec, args, connections, s, t, f"b{number}", started)
            for s, t in spec.tables()
        }

    summaries = {"b1": run(1), "b2": run(2)}
    _execute(servers, "UPDATE {table} SET amount = 'B' WHERE id = 2")
    _execute(servers, "DELETE FROM {table} WHERE id = 4")
    _execute(servers, INSERT, [(5, "e", "2026-01-05 10:00:00", Decimal("5"), "5")])
    snapshot = bronze_job.snapshot_keys

    def racing_snapshot(runtime, spark, source, *rest):
        only = source.name
        _execute(servers, "UPDATE {table} SET price = 55 WHERE id = 5", only=only)  # after the batch read it
        taken = snapshot(runtime, spark, source, *rest)
        _execute(servers, "UPDATE {table} SET amount = 'A' WHERE id = 1", only=only)  # after it read id 1
        return taken

    bronze_job.snapshot_keys = racing_snapshot
    try:
        summaries["b3"] = run(3)
    finally:
        bronze_job.snapshot_keys = snapshot
    summaries["b4"] = run(4)
    summaries["b5"] = run(5)
    return {"summaries": summaries, "bronze": bronze, "root": root, "source": _source_rows(servers)}


def test_in_place_updates_are_re_read_once_and_nothing_else_is(runs):
    got = {b: {s: (runs["summaries"][b][s]["rows"], runs["summaries"][b][s]["rows_reread"],
                   runs["summaries"][b][s]["error"]) for s in SOURCES}
           for b in runs["summaries"]}  # fmt: skip
    each = lambda rows, reread: {"pg": (rows, reread, None), "maria": (rows, reread, None)}  # noqa: E731
    assert got == {
        "b1": each(4, 0),  # every row read with its hash: the snapshot matches all
        "b2": each(0, 0),  # no change: nothing read (the quarantined, normalised rows included)
        "b3": each(3, 2),  # id 5 inserted; id 2, and id 5 changed before the snapshot, re-read
        "b4": each(1, 1),  # id 1, changed while the snapshot read it, re-read by the next
        "b5": each(0, 0),  # the re-read rows' hashes recorded: nothing re-read again
    }
    for summary in runs["summaries"]["b3"].values():
        assert summary["keys_read"] == 4 and summary["reread_whole_table"] is False


def test_the_recorded_hashes_hold_the_source_keys_alone(spark, runs):
    for source in SOURCES:
        schedule = json.loads((runs["bronze"] / "_keys" / source / "orders" / "_schedule.json").read_text())
        folders = list((runs["bronze"] / "_keys" / source / "orders" / "_hashes").iterdir())
        assert [f.as_uri().rstrip("/") for f in folders] == [schedule["hashes"]["folder"].rstrip("/")]
        kept = spark.read.format("avro").load(str(folders[0]))
        assert sorted(r["id"] for r in kept.collect()) == [1, 2, 3, 5]
        assert kept.where(F.col("_row_hash").isNull()).count() == 0


def _refine(spark, spec, args, times: int) -> dict[str, list[tuple]]:
    for _ in range(times):
        for source, table in spec.tables():
            summary = silver_job.refine_table(io.Runtime(spark, None, None), spec, args, source, table, "r")
            assert "incomplete_batch" not in summary and "delete_guard" not in summary, summary
    rows = {}
    for source, _ in spec.tables():
        silver = spark.table(iceberg.table_name(spec.databases["silver"], f"{source.name}_orders"))
        assert "_row_hash" not in silver.columns  # bronze's hash is never a silver column
        rows[source.name] = sorted(
            (r["id"], r["amount"], r["at"], r["price"], r["qty"])
            for r in silver.select("id", "amount", "at", "price", "qty").collect()
        )
    return rows


def test_silver_after_every_run_equals_one_run_and_the_sources_cleaned_rows(
    spark, glue, moto_endpoint, monkeypatch, runs
):
    monkeypatch.setenv(io.LOCAL_CATALOG_ENDPOINT, moto_endpoint)
    bronze = runs["bronze"]
    # Silver refined after each bronze run: the batches and snapshots as they arrived.
    each = parse_lake_spec(json.dumps(_spec(glue.database)))
    staged = bronze.parent / "staged"
    step_args = {"bronze_path": staged.as_uri(), "silver_path": (runs["root"] / "silver-each").as_uri()}
    # Silver runs after bronze's runs 1 and 5 (the runs between are checked by their bronze summaries).
    for runs_through in ((1,), (2, 3, 4, 5)):
        for path in bronze.rglob("*"):
            relative = path.relative_to(bronze)
            if path.is_file() and any(_of_run(relative, n) for n in runs_through):
                (staged / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, staged / relative)
        stepped = _refine(spark, each, step_args, 1)
    # One silver over every batch and snapshot (its first run creates the table, the next applies
    # the newest snapshot).
    glue.create_database(DatabaseInput={"Name": f"{glue.database}_one"})
    one = parse_lake_spec(json.dumps(_spec(f"{glue.database}_one")))
    one_args = {"bronze_path": bronze.as_uri(), "silver_path": (runs["root"] / "silver-one").as_uri()}
    once = _refine(spark, one, one_args, 2)
    assert stepped == once
    for source in SOURCES:
        expected = _cleaned(runs["source"][source])
        assert [r[0] for r in expected] == [1, 2, 5]
        assert stepped[source] == expected, source


def _of_run(relative: Path, number: int) -> bool:
    """Whether a bronze file belongs to run `number` (its batch, key snapshot or run summary)."""
    text = relative.as_posix()
    return f"batch_id=b{number}/" in text or text.endswith(f"/b{number}.json")
