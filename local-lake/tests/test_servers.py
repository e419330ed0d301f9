"""Real PostgreSQL and MariaDB servers on loopback: start/stop, load, crawl (into the local Glue
catalog), expected, the CLI."""

import json
import os
import socket
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pymysql
import pytest
from expected_gold import expected
from localdb import LocalDbError, crawl, generate_dataset, glue_catalog, load, start, stop
from localdb.servers import running
from localdb.spec import lake_spec_for_stack

pytestmark = pytest.mark.integration

SCALE, SEED = 0.02, 2008
# Valid rows at scale 0.02 (49,990 / 192,497 / 172,456 x 0.02) plus the anomalies (2 listings, 4 sales).
ROWS = {
    "category": 11,
    "venue": 202,
    "event": 8798,
    "date": 365,
    "users": 1000,
    "listing": 3852,
    "sales": 3453,
}
LOCAL_LAKE = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lake_spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "lake-spec.json"
    path.write_text(json.dumps(lake_spec_for_stack("local")))
    return path


@pytest.fixture(scope="module")
def servers():
    with running() as (folder, started):
        yield folder, started


@pytest.fixture(scope="module")
def loaded(servers, lake_spec):
    folder, _ = servers
    return load(folder, lake_spec, scale=SCALE, seed=SEED)


def by_table(report):
    return {t["table"]: t for t in report["tables"]}


def test_start_again_reuses_the_running_servers(servers):
    folder, first = servers
    again = start(folder)
    for name in ("postgres", "mariadb"):
        assert (again[name]["pid"], again[name]["port"]) == (first[name]["pid"], first[name]["port"])
        assert again[name]["host"] == "127.0.0.1"
    assert oct((folder / "servers.json").stat().st_mode & 0o777) == "0o600"


def test_load_fills_every_table_with_the_expected_rows(loaded):
    tables = by_table(loaded)
    assert {name: t["rows"] for name, t in tables.items()} == ROWS
    assert {name: t["server"] for name, t in tables.items()} == {
        "category": "postgres", "venue": "postgres", "event": "postgres", "users": "postgres",
        "date": "mariadb", "listing": "mariadb", "sales": "mariadb"}  # fmt: skip
    assert sum(a["rows"] for a in loaded["anomalies"]) == 6


def test_a_second_load_changes_nothing_and_a_new_seed_reloads_only_generated_tables(
    servers, lake_spec, loaded
):
    folder, _ = servers
    assert {t["status"] for t in load(folder, lake_spec, scale=SCALE, seed=SEED)["tables"]} == {"unchanged"}
    reseeded = by_table(load(folder, lake_spec, scale=SCALE, seed=SEED + 1))
    assert {name for name, t in reseeded.items() if t["status"] == "loaded"} == {"users", "listing", "sales"}
    reset = by_table(load(folder, lake_spec, scale=SCALE, seed=SEED, reset=True))
    assert {t["status"] for t in reset.values()} == {"loaded"}
    assert {name: t["rows"] for name, t in reset.items()} == ROWS


def test_the_logins_of_connections_json_can_read_but_not_write(servers, loaded):
    folder, _ = servers
    connections = json.loads((folder / "connections.json").read_text())
    assert oct((folder / "connections.json").stat().st_mode & 0o777) == "0o600"
    saas = connections["saas"]
    assert saas["driver"] == "org.postgresql.Driver" and saas["url"].startswith(
        "jdbc:postgresql://127.0.0.1:"
    )
    port = int(saas["url"].split("//")[1].split("/")[0].split(":")[1])
    login = {"user": saas["user"], "password": saas["password"]}
    with psycopg.connect(host="127.0.0.1", port=port, dbname="tickit", **login) as conn:
        assert conn.execute("SELECT count(*) FROM saas.event").fetchone()[0] == 8798
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM saas.event")
    ecomm = connections["ecomm"]
    assert (
        ecomm["driver"] == "org.mariadb.jdbc.Driver"
        and ecomm["url"].startswith("jdbc:mysql://127.0.0.1:")
        and ecomm["url"].endswith("/tickit?permitMysqlScheme")
    )
    port = int(ecomm["url"].split("//")[1].split("/")[0].split(":")[1])  # jdbc:mysql://host:port/db?...
    with pymysql.connect(host="127.0.0.1", port=port, user=ecomm["user"], password=ecomm["password"],
                         database="tickit") as conn, conn.cursor() as cur:  # fmt: skip
        cur.execute("SELECT count(*), count(salesid) FROM sales")
        assert cur.fetchone() == (3453, 3452)  # one sale without a salesid
        with pytest.raises(pymysql.err.OperationalError, match="DELETE command denied"):
            cur.execute("DELETE FROM sales")


@pytest.fixture()
def catalog(tmp_path):
    """A local Glue catalog server for one test, in tmp_path (the crawl's --catalog-dir)."""
    server = glue_catalog.start(tmp_path, [])
    yield glue_catalog.client(server["endpoint"])
    glue_catalog.stop(tmp_path)


def test_crawl_writes_the_source_tables_through_the_glue_api(servers, lake_spec, loaded, tmp_path, catalog):
    folder, _ = servers
    entries = crawl(folder, lake_spec, tmp_path)
    tables = {t["Name"]: t for t in catalog.get_tables(DatabaseName="tickit_local_source")["TableList"]}
    assert sorted(tables) == sorted(e["name"] for e in entries) and len(tables) == 7
    connections = {s["name"]: s["connectionName"] for s in json.loads(lake_spec.read_text())["sources"]}
    sales = tables["ecomm_tickit_sales"]
    assert sales["Parameters"]["classification"] == "mysql"
    assert sales["Parameters"]["connectionName"] == connections["ecomm"]
    assert sales["StorageDescriptor"]["Location"] == "tickit.sales"
    columns = sales["StorageDescriptor"]["Columns"]
    assert columns[0] == {"Name": "salesid", "Type": "int"}
    assert columns[-1] == {"Name": "saletime", "Type": "varchar(20)"}
    assert next(e for e in entries if e["name"] == "ecomm_tickit_sales")["rowCount"] == 3453
    users = tables["crm_tickit_crm_users"]  # SQL Server source, served by PostgreSQL here
    assert users["Parameters"]["classification"] == "sqlserver"
    assert users["StorageDescriptor"]["Location"] == "tickit.crm.users"
    assert {"Name": "likesports", "Type": "boolean"} in users["StorageDescriptor"]["Columns"]
    # A second crawl of unchanged sources changes no table.
    assert {e["catalog"] for e in crawl(folder, lake_spec, tmp_path)} == {"unchanged"}


def test_crawl_of_a_missing_table_names_it(servers, lake_spec, loaded, tmp_path, catalog):
    folder, _ = servers
    spec = json.loads(lake_spec.read_text())
    spec["sources"][1]["database"] = "nowhere"
    with pytest.raises(LocalDbError, match=r"source ecomm: table date does not exist in database nowhere"):
        crawl(folder, spec, tmp_path)


def test_expected_gold_reconciles_with_the_generated_rows(servers, lake_spec, loaded):
    folder, _ = servers
    result = expected(folder, lake_spec)
    assert result["checks"] == {"fl_venueseats": 250_411, "event_distinct_venueids": 204,
                                "events_missing_venue": 139, "missing_venue_ids": [12, 51, 64]}  # fmt: skip
    # Independently of SQL: the valid generated sales (numbered, with a parseable time), in Python.
    rows = generate_dataset(SCALE, SEED)["sales"]
    valid = [r for r in rows if r[0] is not None and r[9][0].isdigit() and "T" not in r[9]]
    assert len(valid) == 3449
    months = result["sales_by_month"]
    assert sum(m["orders"] for m in months) == 3449
    assert sum(Decimal(m["gross_sales"]) for m in months) == sum(r[7] for r in valid)
    assert sum(Decimal(m["commission"]) for m in months) == sum(r[8] for r in valid)
    assert sum(m["tickets_sold"] for m in months) == sum(r[6] for r in valid)
    assert {(m["year"], m["month"]) for m in months} <= {(2008, n) for n in range(1, 13)}
    assert sum(c["orders"] for c in result["sales_by_category"]) == 3449
    events = result["event_performance"]
    assert len(events) == 8798
    unknown = [e for e in events if e["venuename"] == "Unknown venue"]
    assert len(unknown) == 139 and {e["venueid"] for e in unknown} == {12, 51, 64}
    assert all(e["venuecity"] is None for e in unknown)
    assert sum(e["tickets_sold"] for e in events) == sum(r[6] for r in valid)
    for model, measure in (("top_sellers", "gross_sales"), ("top_buyers", "total_spent")):
        top = result[model]
        assert [t["rank"] for t in top] == list(range(1, 11))
        assert [Decimal(t[measure]) for t in top] == sorted((Decimal(t[measure]) for t in top), reverse=True)
        assert all(len(t["username"]) == 8 for t in top)


def test_cli_prints_json_and_fails_clearly(servers, lake_spec, loaded, tmp_path, catalog):
    folder, _ = servers
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(LOCAL_LAKE), str(LOCAL_LAKE.parent / "glue-scripts")]),
    }
    command = [sys.executable, "-m", "localdb"]
    paths = ["--data-dir", str(folder), "--lake-spec", str(lake_spec)]
    ok = subprocess.run([*command, "crawl", *paths, "--catalog-dir", str(tmp_path)], capture_output=True,
                        text=True, env=env)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert [e["rowCount"] for e in json.loads(ok.stdout)] == [11, 202, 8798, 365, 3852, 3453, 1000]
    assert "saas.category" in ok.stderr  # the human summary goes to stderr
    shown = subprocess.run(
        [*command, "start", "--data-dir", str(folder)], capture_output=True, text=True, env=env
    )
    started = json.loads(shown.stdout)
    assert started["postgres"]["password"] == "(in servers.json)"
    missing = ["--data-dir", str(folder), "--lake-spec", str(tmp_path / "none.json")]
    bad = subprocess.run([*command, "load", *missing], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "localdb load failed: read lake spec:" in bad.stderr and bad.stdout == ""


def test_stop_stops_both_servers_and_is_idempotent(servers):
    folder, started = servers
    assert stop(folder) == {"postgres": "stopped", "mariadb": "stopped"}
    for name in ("postgres", "mariadb"):
        with (
            pytest.raises(ConnectionRefusedError),
            socket.create_connection(("127.0.0.1", started[name]["port"])),
        ):
            pass
    assert stop(folder) == {"postgres": "not running", "mariadb": "not running"}
