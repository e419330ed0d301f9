"""The local Spark session of the benchmark scripts: the lake's Iceberg tables through the local Glue
catalog (AWS_ENDPOINT_URL_GLUE), with the jars and Iceberg settings the jobs run with (local_submit)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "glue-scripts"))

from local_submit import GLUE_ENDPOINT, iceberg_conf, spark_jars  # noqa: E402


def local_iceberg_session(app: str, layer: str, extra: dict[str, str] | None = None) -> SparkSession:
    """A `local[2]` session named `app` whose Iceberg catalog's warehouse is `layer`, timestamps in UTC;
    `extra` adds or overrides Spark settings."""
    builder = SparkSession.builder.master("local[2]").appName(app)
    settings = {
        **iceberg_conf(layer, {}, os.environ.get(GLUE_ENDPOINT)),
        "spark.jars": ",".join(str(j) for j in spark_jars()),
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.showConsoleProgress": "false",
        **(extra or {}),
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
