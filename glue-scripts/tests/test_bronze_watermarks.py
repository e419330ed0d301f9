"""Exact watermarks (issue 20, item 7) through spark-submit against real PostgreSQL and MariaDB
servers: watermark columns whose newest values a lossy encoding would change (microsecond
timestamps, a timestamptz, a bigint above 2^53, a numeric(38,10), a varchar whose order depends on
the collation). Bronze runs three times: b1 reads everything, b2 (no source change) must read 0 rows
from every table, b3 (one row just past each watermark) must read exactly that row."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from local_bronze import local_bronze
from tickit_spec import _table

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "local-lake"))  # localdb: the local database servers

from localdb.servers import mariadb_connect, pg_connect  # noqa: E402

pytestmark = pytest.mark.integration

# table: (PostgreSQL type, MariaDB type or None, spec type, rows, the row b3 adds past the watermark)
TABLES = {
    "ts_t": ("timestamp(6)", "datetime(6)", "timestamp",
             ["2024-01-01 10:00:00", "2024-01-01 10:00:59.987654"], "2024-01-01 10:00:59.987655"),
    "tstz_t": ("timestamptz", None, "timestamp",
               ["2024-01-01 10:00:00+00", "2024-01-01 12:00:59.987654+02"], "2024-01-01 10:00:59.987655+00"),
    "big_t": ("bigint", "bigint", "bigint",
              [9007199254740992, 9007199254740993], 9007199254740994),
    "dec_t": ("numeric(38,10)", "decimal(38,10)", "decimal(38,10)",
              ["1.5", "1234567890123456789012345678.1234567891"], "1234567890123456789012345678.1234567892"),
    # 'a' sorts after 'B' by code point (Spark's max) but before it in MariaDB's default collation.
    "str_t": ("varchar(20)", "varchar(20)", "string", ["B", "a"], "aa"),
}  # fmt: skip
SOURCES = {"pg": "postgres", "maria": "mysql"}


def _tables(source: str) -> list[str]:
    return [t for t, (_, maria, *_rest) in TABLES.items() if source == "pg" or maria]


def _spec() -> dict:
    return {
        "lake": "wm",
        "environment": "test",
        "databases": {"source": "wm_src", "bronze": "wm_bronze", "silver": "wm_silver", "gold": "wm_gold"},
        "sources": [
            {
                "name": source,
                "engine": engine,
                "database": "wm",
                "connectionName": f"c-{source}",
                "tables": [
                    _table(f"{t}" if source == "maria" else f"s.{t}", ["id"],
                           {"id": "int", "v": TABLES[t][2]}, watermark="v")
                    for t in _tables(source)
                ],
            }
            for source, engine in SOURCES.items()
        ],
    }  # fmt: skip


def _insert(servers: dict, rows: dict[str, list]) -> None:
    """Inserts (id, v) rows per table into both servers (MariaDB only where it has the table)."""
    with pg_connect(servers["postgres"], "wm", autocommit=True) as conn, conn.cursor() as cur:
        for table, values in rows.items():
            cur.executemany(f"INSERT INTO s.{table} VALUES (%s, %s)", values)
    with mariadb_connect(servers["mariadb"], "wm", autocommit=True) as conn, conn.cursor() as cur:
        for table, values in rows.items():
            if TABLES[table][1]:
                # MariaDB's DATETIME takes no offset; its table holds the UTC wall times.
                cur.executemany(f"INSERT INTO {table} VALUES (%s, %s)", values)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, database_servers):
    servers = database_servers
    pg, maria = servers["postgres"], servers["mariadb"]
    with pg_connect(pg, autocommit=True) as conn:
        conn.execute("CREATE DATABASE wm")
    with pg_connect(pg, "wm", autocommit=True) as conn:
        conn.execute("CREATE SCHEMA s")
        for table, (pg_type, *_rest) in TABLES.items():
            conn.execute(f"CREATE TABLE s.{table} (id int, v {pg_type})")
    with mariadb_connect(maria, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE wm")  # the server's default collation, case-insensitive
        for table, (_pg, maria_type, *_rest) in TABLES.items():
            if maria_type:
                cur.execute(f"CREATE TABLE wm.{table} (id int, v {maria_type})")
    _insert(servers, {t: list(enumerate(rows, 1)) for t, (*_types, rows, _new) in TABLES.items()})
    root = tmp_path_factory.mktemp("bronze-watermarks")
    bronze, bronze_run = local_bronze(root, servers, "wm", _spec())

    def run(batch_id: str) -> dict:
        bronze_run(batch_id)
        return {
            (s, t): json.loads((bronze / "_run_summaries" / s / t / f"{batch_id}.json").read_text())
            for s in SOURCES
            for t in _tables(s)
        }

    first = run("b1")
    unchanged = run("b2")
    _insert(servers, {t: [(len(rows) + 1, new)] for t, (*_types, rows, new) in TABLES.items()})
    added = run("b3")
    return {"b1": first, "b2": unchanged, "b3": added, "bronze": bronze}


def test_the_first_run_reads_every_row(runs):
    assert {k: (s["rows"], s["error"]) for k, s in runs["b1"].items()} == {k: (2, None) for k in runs["b1"]}


def test_a_run_with_no_source_change_reads_no_row_and_writes_no_batch(runs):
    assert {k: (s["rows"], s["error"], s["incremental"]) for k, s in runs["b2"].items()} == {
        k: (0, None, True) for k in runs["b2"]
    }
    assert not list(runs["bronze"].glob("*/*/ingest_date=*/batch_id=b2"))


def test_a_row_just_past_each_watermark_is_read_alone(runs):
    assert {k: (s["rows"], s["error"]) for k, s in runs["b3"].items()} == {k: (1, None) for k in runs["b3"]}


def test_the_state_file_holds_the_exact_source_values(runs):
    def state(source, table):
        return json.loads((runs["bronze"] / "_state" / source / f"{table}.json").read_text())

    assert state("pg", "ts_t")["watermark"] == "2024-01-01 10:00:59.987655+00:00"
    assert state("pg", "tstz_t")["watermark"] == "2024-01-01 10:00:59.987655+00:00"
    assert state("pg", "big_t")["watermark"] == 9007199254740994
    assert state("maria", "dec_t")["watermark"] == "1234567890123456789012345678.1234567892"
    assert state("maria", "str_t")["watermark"] == "aa"
