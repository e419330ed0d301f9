"""Shared fixtures of the Glue-script tests: one local SparkSession for the whole test session."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

GLUE_SCRIPTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(GLUE_SCRIPTS))  # the medallion package, entry scripts and local_submit

# Naive datetimes in tests mean UTC, like the session time zone, whatever the host's zone.
os.environ["TZ"] = "UTC"
time.tzset()
# Test JVMs (this session's and those of spark-submit runs) are short-lived on small data: quick C1
# compilation and a simple collector halve their CPU time.
os.environ.setdefault("SPARK_SUBMIT_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")


@pytest.fixture(scope="session")
def spark(moto_endpoint, tmp_path_factory):
    """The session, with the jobs' Iceberg catalog (`glue_catalog`) on moto's Glue, as local jobs have it."""
    from local_submit import LOG4J, iceberg_conf, spark_jars
    from pyspark.sql import SparkSession

    java_options = f"-Duser.timezone=UTC -Dlog4j2.configurationFile=file:{LOG4J}"
    os.environ.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
    )
    warehouse = tmp_path_factory.mktemp("warehouse").as_uri()
    builder = SparkSession.builder
    for key, value in iceberg_conf("silver", {"silver_path": warehouse}, moto_endpoint).items():
        builder = builder.config(key, value)
    session = (
        builder.master("local[2]")
        .appName("medallion-tests")
        .config("spark.jars", ",".join(str(j) for j in spark_jars()))  # spark-avro + JDBC drivers
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # As the jobs set it: unparseable timestamps are nulls (quarantined), not exceptions.
        .config("spark.sql.legacy.timeParserPolicy", "CORRECTED")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's server on loopback: the real Glue and CloudWatch API surfaces (validation, paging,
    errors) that catalog registration and metric publishing talk to, in place of AWS."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def database_servers():
    """Real PostgreSQL and MariaDB servers on loopback (localdb), started once for every test module
    that uses them and stopped at the end of the session: each module creates its own databases.
    Yields `running()`'s servers (name -> login, port, log file)."""
    sys.path.insert(0, str(GLUE_SCRIPTS.parent / "local-lake"))  # localdb: the local database servers
    from localdb.servers import running

    with running() as (_folder, servers):
        yield servers


@pytest.fixture()
def glue(moto_endpoint):
    """A Glue client of the moto server with a fresh database per test."""
    import uuid

    import boto3

    client = boto3.client(
        "glue",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    database = f"db_{uuid.uuid4().hex[:8]}"
    client.create_database(DatabaseInput={"Name": database})
    client.database = database
    return client
