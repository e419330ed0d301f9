"""The bronze entry script through spark-submit against a real PostgreSQL server (issue 19, items 11
and 14). The server logs every statement of the source database (`log_statement = 'all'`), so the
test sees each query bronze sends it. The lake spec has two sources: `crm`, whose address is a
closed port, then `shop`, one of whose tables does not exist; bronze must ingest the rest, read each
table once, record the failures in the run summaries and exit non-zero naming them."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from local_submit import JobFailed, submit
from tickit_spec import _table

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "local-lake"))  # localdb: the local database servers

from localdb.servers import free_port, pg_connect, running  # noqa: E402

pytestmark = pytest.mark.integration

ORDERS = [
    (1, Decimal("10.50"), datetime(2024, 1, 1, 9, 0)),
    (2, Decimal("20.00"), datetime(2024, 1, 2, 9, 30)),
    (3, Decimal("7.25"), datetime(2024, 1, 3, 10, 0)),
]
ITEMS = [(1, "pen"), (2, "ink")]
SETUP_SQL = [
    "CREATE SCHEMA s",
    "CREATE TABLE s.orders (id int, amount numeric(8,2), placed timestamp)",
    "CREATE TABLE s.items (id int, name text)",
    "CREATE TABLE s.empty_t (id int)",
]
DROPPED_CRM_TABLE = "users"


def _spec() -> dict:
    orders = _table(
        "s.orders",
        ["id"],
        {"id": "int", "amount": "decimal(8,2)", "placed": "timestamp"},
        watermark="placed",
    )
    return {
        "lake": "bj",
        "environment": "test",
        "databases": {"source": "bj_src", "bronze": "bj_bronze", "silver": "bj_silver", "gold": "bj_gold"},
        "sources": [
            {"name": "crm", "engine": "postgres", "database": "crm", "connectionName": "c-crm",
             "tables": [_table(f"crm.{DROPPED_CRM_TABLE}", ["id"], {"id": "int"})]},
            {"name": "shop", "engine": "postgres", "database": "shop", "connectionName": "c-shop",
             "tables": [
                 orders,
                 _table("s.missing", ["id"], {"id": "int"}),  # no such table: fails alone
                 _table("s.empty_t", ["id"], {"id": "int"}),
                 _table("s.items", ["id"], {"id": "int", "name": "string"}),
             ]},
        ],
    }  # fmt: skip


def _statements(log: str, quoted_table: str) -> list[str]:
    """The statements that read rows of a table: not Spark's schema probe (`WHERE 1=0`, no rows),
    nor a further fetch from a query already counted."""
    return [
        line
        for line in log.splitlines()
        if "execute" in line and quoted_table in line and "WHERE 1=0" not in line and "fetch from" not in line
    ]


@pytest.fixture(scope="module")
def run(spark, tmp_path_factory):
    with running() as (folder, servers):
        server = servers["postgres"]
        with pg_connect(server, autocommit=True) as conn:
            conn.execute("CREATE DATABASE shop")
            conn.execute("ALTER DATABASE shop SET log_statement = 'all'")  # new sessions log every query
        with pg_connect(server, "shop", autocommit=True) as conn:
            for statement in SETUP_SQL:
                conn.execute(statement)
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO s.orders VALUES (%s, %s, %s)", ORDERS)
                cur.executemany("INSERT INTO s.items VALUES (%s, %s)", ITEMS)
        root = tmp_path_factory.mktemp("bronze-job")
        spec_path = root / "lake-spec.json"
        spec_path.write_text(json.dumps(_spec()))
        closed = free_port()
        login = {"user": server["user"], "password": server["password"], "driver": "org.postgresql.Driver"}
        connections = root / "connections.json"
        connections.write_text(
            json.dumps(
                {
                    "crm": {**login, "url": f"jdbc:postgresql://127.0.0.1:{closed}/crm"},
                    "shop": {**login, "url": f"jdbc:postgresql://127.0.0.1:{server['port']}/shop"},
                }
            )
        )
        log_file = Path(server["log"])
        logged_before = log_file.stat().st_size
        with pytest.raises(JobFailed) as failure:
            submit(
                "bronze",
                {
                    "lake_spec": str(spec_path),
                    "environment": "test",
                    "bronze_path": (root / "bronze").as_uri(),
                    "local_connections": connections.as_uri(),
                    "batch_id": "b1",
                },
            )
        with log_file.open(encoding="utf-8", errors="replace") as handle:
            handle.seek(logged_before)
            log = handle.read()
        summaries = {
            (p.parent.parent.name, p.parent.name): json.loads(p.read_text())
            for p in (root / "bronze").glob("_run_summaries/*/*/b1.json")
        }
        yield {
            "failure": failure.value,
            "closed": closed,
            "log": log,
            "bronze": root / "bronze",
            "summaries": summaries,
        }


def test_each_source_table_is_queried_once(run):
    # Before: `isEmpty()` read each table once and the write a second time.
    for table in ("orders", "items", "empty_t"):
        statements = _statements(run["log"], f'"s"."{table}"')
        assert len(statements) == 1, (table, statements)


def test_the_reachable_source_is_ingested_with_counts_and_watermark_from_the_write(run, spark):
    orders = run["summaries"]["shop", "orders"]
    assert (orders["rows"], orders["error"]) == (3, None)
    assert (orders["watermark_first_read"], orders["watermark_to"]) == (
        "2024-01-01 09:00:00+00:00",
        "2024-01-03 10:00:00+00:00",
    )
    state = json.loads((run["bronze"] / "_state/shop/orders.json").read_text())
    assert state["watermark"] == "2024-01-03 10:00:00+00:00"
    written = spark.read.format("avro").load(str(run["bronze"] / "shop/orders/ingest_date=*/batch_id=b1"))
    assert sorted((r.id, r.amount, r.placed, r._batch_id) for r in written.collect()) == [
        (*row, "b1") for row in ORDERS
    ]
    items = spark.read.format("avro").load(str(run["bronze"] / "shop/items/ingest_date=*/batch_id=b1"))
    assert sorted((r.id, r.name) for r in items.collect()) == ITEMS
    assert run["summaries"]["shop", "items"]["rows"] == 2


def test_an_empty_table_writes_no_batch_but_a_summary(run):
    empty = run["summaries"]["shop", "empty_t"]
    assert (empty["rows"], empty["error"], empty["watermark_to"]) == (0, None, None)
    assert not (run["bronze"] / "shop" / "empty_t").exists()


def test_the_unreachable_source_and_the_missing_table_are_named_in_their_summaries(run):
    crm = run["summaries"]["crm", DROPPED_CRM_TABLE]
    assert crm["rows"] == 0
    assert f"Connection to 127.0.0.1:{run['closed']} refused" in crm["error"]
    missing = run["summaries"]["shop", "missing"]
    assert missing["rows"] == 0 and 'relation "s.missing" does not exist' in missing["error"]
    assert not (run["bronze"] / "crm").exists() and not (run["bronze"] / "shop" / "missing").exists()


def test_the_job_fails_after_the_other_tables_naming_each_failed_source_and_table(run):
    failure = run["failure"]
    assert failure.returncode != 0
    message = next(line for line in failure.log_tail.splitlines() if line.startswith("IngestionFailed"))
    assert "2 of 5 tables were not ingested" in message
    refused = f"Connection to 127.0.0.1:{run['closed']} refused"
    assert f"source crm table {DROPPED_CRM_TABLE}: org.postgresql.util.PSQLException: {refused}" in message
    assert (
        'source shop table missing: org.postgresql.util.PSQLException: ERROR: relation "s.missing"' in message
    )
