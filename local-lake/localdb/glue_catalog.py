"""The local Glue Data Catalog: moto's server (the AWS API mock, in server mode) on 127.0.0.1,
answering the Glue API the jobs, the crawl step and Trino call. moto keeps its state in memory, so
the catalog is saved as `catalog.json` in the catalog folder (after every step and when the server
stops) and restored when it starts: a stop and start of the local servers loses no table.

The jobs reach it through boto3's standard `AWS_ENDPOINT_URL_GLUE` variable, with throwaway
credentials (`env()`): nothing here can reach a real AWS account.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from medallion import catalog

from .errors import LocalDbError
from .servers import _pid_alive, _wait, free_port, log, write_private

REGION = "us-east-1"
# moto accepts any credentials; these are not secrets and are only ever sent to loopback.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local-lake", "AWS_SECRET_ACCESS_KEY": "local-lake"}
SNAPSHOT = "catalog.json"
SERVER_FILE = "server.json"
# The parts of GetDatabase/GetTable/GetPartition answers that CreateDatabase/CreateTable/
# BatchCreatePartition take back (https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html).
DATABASE_INPUT_KEYS = ("Name", "Description", "LocationUri", "Parameters")
PARTITION_INPUT_KEYS = ("Values", "StorageDescriptor", "Parameters")


def env(endpoint: str) -> dict[str, str]:
    """What a process needs to use the local catalog through boto3 (or the AWS SDK for Java)."""
    return {
        "AWS_ENDPOINT_URL_GLUE": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        **CREDENTIALS,
    }


def client(endpoint: str):
    import boto3

    return boto3.client(
        "glue",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _pick(item: dict, keys: tuple[str, ...]) -> dict:
    return {k: item[k] for k in keys if k in item}


def _pages(glue, operation: str, key: str, **kwargs) -> list[dict]:
    return [item for page in glue.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def snapshot(glue) -> dict:
    """Every database, table and partition, as the inputs that recreate them."""
    databases = []
    for database in _pages(glue, "get_databases", "DatabaseList"):
        name = database["Name"]
        tables = []
        for table in _pages(glue, "get_tables", "TableList", DatabaseName=name):
            partitions = (
                _pages(glue, "get_partitions", "Partitions", DatabaseName=name, TableName=table["Name"])
                if table.get("PartitionKeys")
                else []
            )
            tables.append(
                {
                    "table": _pick(table, catalog.TABLE_INPUT_KEYS),
                    "partitions": [_pick(p, PARTITION_INPUT_KEYS) for p in partitions],
                }
            )
        databases.append({"database": _pick(database, DATABASE_INPUT_KEYS), "tables": tables})
    return {"databases": databases}


def restore(glue, saved: dict) -> int:
    """Recreates a snapshot in an empty catalog; returns the number of tables."""
    count = 0
    for entry in saved.get("databases", []):
        name = entry["database"]["Name"]
        glue.create_database(DatabaseInput=entry["database"])
        for table in entry["tables"]:
            glue.create_table(DatabaseName=name, TableInput=table["table"])
            catalog.create_partitions(glue, name, table["table"]["Name"], table["partitions"])
            count += 1
    return count


def ensure_databases(glue, names: list[str]) -> list[str]:
    """Creates the lake's databases the catalog lacks (on AWS the component creates them)."""
    existing = {d["Name"] for d in _pages(glue, "get_databases", "DatabaseList")}
    created = [n for n in names if n not in existing]
    for name in created:
        glue.create_database(DatabaseInput={"Name": name})
    return created


def _server_file(catalog_dir: Path) -> Path:
    return catalog_dir / SERVER_FILE


def read_server(catalog_dir: Path | str) -> dict:
    path = _server_file(Path(catalog_dir))
    if not path.exists():
        raise LocalDbError("read catalog server", f"{path} does not exist: start the catalog server first")
    return json.loads(path.read_text())


def save(catalog_dir: Path | str) -> int:
    """Writes the running catalog to catalog.json; returns the number of tables saved."""
    catalog_dir = Path(catalog_dir)
    saved = snapshot(client(read_server(catalog_dir)["endpoint"]))
    temporary = catalog_dir / f".{SNAPSHOT}.tmp"
    temporary.write_text(json.dumps(saved, indent=1, sort_keys=True, default=str) + "\n")
    temporary.replace(catalog_dir / SNAPSHOT)  # atomic: a crash never leaves half a snapshot
    return sum(len(d["tables"]) for d in saved["databases"])


def start(catalog_dir: Path | str, databases: list[str], port: int | None = None) -> dict:
    """Starts the catalog server (or finds it running), restores catalog.json into a new one, and
    creates the given databases where missing. Returns the server entry (endpoint, pid, log)."""
    catalog_dir = Path(catalog_dir).resolve()
    catalog_dir.mkdir(parents=True, exist_ok=True)
    server_file = _server_file(catalog_dir)
    if server_file.exists():
        running = json.loads(server_file.read_text())
        if _pid_alive(running.get("pid")):
            log(f"glue catalog already running at {running['endpoint']}")
            ensure_databases(client(running["endpoint"]), databases)
            return {**running, "reused": True}
    port = port or free_port()
    log_file = catalog_dir / "moto.log"
    endpoint = f"http://127.0.0.1:{port}"
    log(f"starting the Glue catalog (moto server) on {endpoint}")
    with open(log_file, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives the localdb command that started it
        )
    glue = client(endpoint)
    try:
        _wait("start glue catalog", glue.get_databases, log_file)
        entry = {"endpoint": endpoint, "port": port, "pid": process.pid, "log": str(log_file)}
        write_private(server_file, entry)
        snapshot_file = catalog_dir / SNAPSHOT
        if snapshot_file.exists():
            tables = restore(glue, json.loads(snapshot_file.read_text()))
            log(f"restored {tables} tables from {snapshot_file}")
        ensure_databases(glue, databases)
    except Exception:
        process.kill()
        server_file.unlink(missing_ok=True)
        raise
    return entry


def stop(catalog_dir: Path | str) -> dict:
    """Saves the catalog and stops the server; a no-op when it is not running."""
    catalog_dir = Path(catalog_dir)
    server_file = _server_file(catalog_dir)
    if not server_file.exists():
        return {"stopped": False}
    entry = json.loads(server_file.read_text())
    tables = None
    if _pid_alive(entry.get("pid")):
        try:
            tables = save(catalog_dir)
        finally:
            os.kill(entry["pid"], signal.SIGTERM)
            deadline = time.monotonic() + 10
            while _pid_alive(entry["pid"]) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _pid_alive(entry["pid"]):
                os.kill(entry["pid"], signal.SIGKILL)
    server_file.unlink(missing_ok=True)
    log(f"stopped the Glue catalog ({tables} tables saved to {catalog_dir / SNAPSHOT})")
    return {"stopped": True, "tables": tables}
