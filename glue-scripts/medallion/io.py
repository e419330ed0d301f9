"""Job I/O shared by the entry scripts: the Spark (or Glue) session, files through the Hadoop
FileSystem API (so s3:// on Glue and file:// locally work alike), run summaries and metrics.
Everything else in the package is pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

from .catalog import catalog_statements

METRIC_PREFIX = "MEDALLION_METRIC "

try:  # Present only on AWS Glue; locally the jobs run on plain PySpark.
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from awsglue.utils import getResolvedOptions
except ImportError:
    GlueContext = None
    Job = None
    getResolvedOptions = None


@dataclass
class Runtime:
    spark: SparkSession
    glue_context: Any  # awsglue.context.GlueContext on Glue, else None
    job: Any  # awsglue.job.Job on Glue, else None
    # Glue's resolved `--job-bookmark-option` (job-bookmark-enable/-pause/-disable); None off Glue.
    bookmark_option: str | None = None

    @property
    def on_glue(self) -> bool:
        return self.glue_context is not None

    def commit(self) -> None:
        """Commits Glue job bookmarks (a no-op locally)."""
        if self.job is not None:
            self.job.commit()


def start(app_name: str, argv: list[str]) -> Runtime:
    """The job's session. On Glue, `Job.init` gets the options `getResolvedOptions` resolves from the
    run's arguments, as Glue documents: it alone turns `--job-bookmark-option` into the
    `job_bookmark_option` key (and adds JOB_ID, JOB_RUN_ID, TempDir, SECURITY_CONFIGURATION) that the
    JVM job reads; without them bookmarks stay off and incremental tables are read in full.
    https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-pyspark-extensions-get-resolved-options.html
    https://docs.aws.amazon.com/glue/latest/dg/programming-etl-connect-bookmarks.html ("Always call job.init")
    """
    if GlueContext is not None:
        from pyspark.context import SparkContext

        glue_context = GlueContext(SparkContext.getOrCreate())
        job = Job(glue_context)
        # getResolvedOptions reads argv like sys.argv: the first entry is the program, then the options.
        options = getResolvedOptions([app_name, *argv], ["JOB_NAME"])
        job.init(options["JOB_NAME"], options)
        spark = glue_context.spark_session
        bookmark_option = options["job_bookmark_option"]
    else:
        glue_context = job = bookmark_option = None
        spark = SparkSession.builder.appName(app_name).getOrCreate()
    # Unparseable timestamps become quarantined rows instead of SparkUpgradeExceptions.
    spark.conf.set("spark.sql.legacy.timeParserPolicy", "CORRECTED")
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    return Runtime(spark, glue_context, job, bookmark_option)


def _fs(spark: SparkSession, path: str):
    jpath = spark._jvm.org.apache.hadoop.fs.Path(path)
    return jpath.getFileSystem(spark._jsc.hadoopConfiguration()), jpath


def exists(spark: SparkSession, path: str) -> bool:
    fs, jpath = _fs(spark, path)
    return bool(fs.exists(jpath))


def has_files(spark: SparkSession, path: str, suffix: str) -> bool:
    """Whether any file ending in `suffix` lies under `path` (recursively)."""
    fs, jpath = _fs(spark, path)
    if not fs.exists(jpath):
        return False
    files = fs.listFiles(jpath, True)
    while files.hasNext():
        if files.next().getPath().getName().endswith(suffix):
            return True
    return False


def read_text(spark: SparkSession, path: str) -> str:
    """A whole small file (lake spec, connections, state) through Spark, for s3:// and local paths."""
    if not exists(spark, path):
        raise FileNotFoundError(f"file not found: {path}")
    return spark.read.text(path, wholetext=True).first()[0]


def write_text(spark: SparkSession, path: str, text: str) -> None:
    fs, jpath = _fs(spark, path)
    out = fs.create(jpath, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()


def write_json(spark: SparkSession, path: str, payload: Mapping[str, Any]) -> None:
    write_text(spark, path, json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


def delete_glob(spark: SparkSession, pattern: str) -> int:
    """Deletes every path matching the glob; returns how many were deleted."""
    fs, jpath = _fs(spark, pattern)
    matches = fs.globStatus(jpath) or []
    for status in matches:
        fs.delete(status.getPath(), True)
    return len(matches)


def metric(event: str, **fields: Any) -> None:
    """One parseable progress line per table/model (the local runner shows progress from them)."""
    print(METRIC_PREFIX + json.dumps({"event": event, **fields}, default=str, sort_keys=True), flush=True)


def register_table(
    runtime: Runtime, database: str, table: str, fmt: str, location: str, partitioned: bool
) -> None:
    """Registers/refreshes an output table in the Glue Data Catalog; skipped off Glue."""
    if not runtime.on_glue:
        return
    for statement in catalog_statements(database, table, fmt, location, partitioned):
        runtime.spark.sql(statement)
