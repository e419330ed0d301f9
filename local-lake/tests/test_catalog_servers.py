"""The local Glue catalog server (moto) survives a stop and start with every table and partition,
and Trino's configuration: loopback only, the catalog endpoint, the lake folder as its only root,
read-only; Java 24+ is required with a message naming what is missing."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from localdb import glue_catalog, trino_server
from localdb.errors import LocalDbError
from medallion import catalog
from pyspark.sql import types as T

pytestmark = pytest.mark.servers  # starts its servers itself (no fixture marks it)


def test_catalog_survives_a_stop_and_start(tmp_path):
    folder = tmp_path / "catalog"
    server = glue_catalog.start(folder, ["lake_gold", "lake_silver"])
    try:
        glue = glue_catalog.client(server["endpoint"])
        schema = T.StructType([T.StructField("n", T.LongType()), T.StructField("year", T.IntegerType())])
        table = catalog.table_input("model", schema, "parquet", "local:///gold/model/", ["year"])
        catalog.register(glue, "lake_gold", table, [[str(y)] for y in range(1990, 2140)])  # > 1 page
        evolved = T.StructType([T.StructField("n", T.LongType()), T.StructField("note", T.StringType())])
        catalog.register(
            glue, "lake_silver", catalog.table_input("t", evolved, "parquet", "local:///silver/t/")
        )
    finally:
        stopped = glue_catalog.stop(folder)
    assert stopped == {"stopped": True, "tables": 2}
    assert not (folder / "server.json").exists()

    restarted = glue_catalog.start(folder, ["lake_gold", "lake_silver", "lake_bronze"])
    try:
        glue = glue_catalog.client(restarted["endpoint"])
        names = sorted(d["Name"] for d in glue.get_databases()["DatabaseList"])
        assert names == ["lake_bronze", "lake_gold", "lake_silver"]
        stored = glue.get_table(DatabaseName="lake_gold", Name="model")["Table"]
        assert stored["StorageDescriptor"]["Location"] == "local:///gold/model/"
        assert [k["Name"] for k in stored["PartitionKeys"]] == ["year"]
        pages = glue.get_paginator("get_partitions").paginate(DatabaseName="lake_gold", TableName="model")
        assert len([p for page in pages for p in page["Partitions"]]) == 150
        columns = glue.get_table(DatabaseName="lake_silver", Name="t")["Table"]["StorageDescriptor"][
            "Columns"
        ]
        assert [c["Name"] for c in columns] == ["n", "note"]
        # Registering the restored table again is a no-op: the snapshot kept its definition exactly.
        assert catalog.register(glue, "lake_gold", table, [["1990"]]) == {
            "table": "unchanged",
            "partitions_added": 0,
        }
    finally:
        glue_catalog.stop(folder)


def test_a_running_catalog_is_reused_not_started_twice(tmp_path):
    first = glue_catalog.start(tmp_path, ["a"])
    try:
        again = glue_catalog.start(tmp_path, ["a", "b"])
        assert again["endpoint"] == first["endpoint"] and again["reused"] is True
        glue = glue_catalog.client(first["endpoint"])
        assert sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]) == ["a", "b"]
    finally:
        glue_catalog.stop(tmp_path)


def test_saved_catalog_is_written_atomically_as_json(tmp_path):
    glue_catalog.start(tmp_path, ["only"])
    try:
        assert glue_catalog.save(tmp_path) == 0
        saved = json.loads((tmp_path / glue_catalog.SNAPSHOT).read_text())
        assert saved == {"databases": [{"database": {"Name": "only"}, "tables": []}]}
        assert not list(tmp_path.glob(".*.tmp"))
    finally:
        glue_catalog.stop(tmp_path)


def test_trino_configuration_is_loopback_read_only_and_rooted_at_the_lake(tmp_path):
    files = trino_server.config_files(tmp_path, 8123, "http://127.0.0.1:5000", tmp_path / "lake")
    node = files["node.properties"]
    assert "node.bind-ip=127.0.0.1" in node and "node.internal-address=127.0.0.1" in node
    config = files["config.properties"]
    assert "http-server.http.port=8123" in config and "discovery.uri=http://127.0.0.1:8123" in config
    hive = dict(line.split("=", 1) for line in files["catalog/awsdatacatalog.properties"].splitlines())
    assert hive["connector.name"] == "hive"
    assert hive["hive.metastore"] == "glue"
    assert hive["hive.metastore.glue.endpoint-url"] == "http://127.0.0.1:5000"
    assert hive["hive.security"] == "read-only"
    assert hive["local.location"] == str(tmp_path / "lake")
    jvm = files["jvm.config"].splitlines()
    # Bounded memory, and C1 only so its start-up leaves the second core to the load and the jobs.
    assert "-Xmx2G" in jvm and "-XX:TieredStopAtLevel=1" in jvm


def _fake_jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


def test_trino_needs_java_24_and_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("TRINO_JAVA_HOME", raising=False)
    monkeypatch.setenv("JAVA_HOME", str(_fake_jdk(tmp_path, "jdk17", "17.0.2")))
    with pytest.raises(LocalDbError, match="needs Java 24 or later and none was found") as error:
        trino_server.find_java(tmp_path)
    assert "TRINO_JAVA_HOME" in str(error.value)
    newer = _fake_jdk(tmp_path, "jdk25", "25.0.1")
    assert trino_server.find_java(tmp_path) == newer
    monkeypatch.setenv("TRINO_JAVA_HOME", str(_fake_jdk(tmp_path, "jdk24", "24")))
    assert trino_server.find_java(tmp_path) == tmp_path / "jdk24"


def test_trino_start_time_is_read_from_its_log_not_from_when_the_run_asked():
    # Lines as Trino 476 writes them (tab-separated); the run may wait for it minutes later.
    log = (
        "2026-12-02T12:58:01.020Z\tINFO\tmain\tio.airlift.log.Logging\tDisabling stderr output\n"
        "2026-12-02T12:58:16.177Z\tINFO\tmain\tio.trino.server.Server\t======== SERVER STARTED ========\n"
    )
    assert trino_server.ready_at(log) == datetime(2026, 12, 2, 12, 58, 16, 177000, tzinfo=UTC).timestamp()
    assert trino_server.ready_at(log.splitlines()[0]) is None
