"""Job I/O shared by the entry scripts: the Spark (or Glue) session, files through the Hadoop
FileSystem API (so s3:// on Glue and file:// locally work alike), run summaries and metrics.
Everything else in the package is pure."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlparse

from pyspark.sql import SparkSession
from pyspark.sql import types as T

from . import catalog, lake_formation

METRIC_PREFIX = "MEDALLION_METRIC "
# boto3's per-service endpoint variable; the local lake sets it to its Glue catalog server.
LOCAL_CATALOG_ENDPOINT = "AWS_ENDPOINT_URL_GLUE"
# The local lake's folder (a file: URI). Trino's local file system, the local Athena, reads only
# `local:///<path under its root>` locations, so tables below this folder are registered that way;
# never set on Glue, where locations are the s3:// paths the jobs write.
LOCAL_LAKE_ROOT = "MEDALLION_LOCAL_LAKE_ROOT"
# Set by the local benchmark only: the job stops after opening its tables (`medallion.floor`).
FLOOR = "MEDALLION_FLOOR"

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
    _glue: Any = field(default=None, repr=False)

    @property
    def on_glue(self) -> bool:
        return self.glue_context is not None

    @property
    def catalog_enabled(self) -> bool:
        """On Glue always; locally only with a local catalog endpoint, so a local run never writes
        to the catalog of whatever AWS account the machine's credentials belong to."""
        return self.on_glue or bool(os.environ.get(LOCAL_CATALOG_ENDPOINT))

    @property
    def glue(self):
        if self._glue is None:
            self._glue = catalog.glue_client()
        return self._glue

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
    if os.environ.get(FLOOR) and glue_context is None:
        from . import floor  # the benchmark's floor of the job: its tables opened, then the end

        floor.run(spark, app_name.removeprefix("medallion-"), argv)
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
    """A whole small file (lake spec, connections, state) through Hadoop's file system, for s3://
    and local paths alike; not `spark.read.text`, which would run a Spark job per file."""
    fs, jpath = _fs(spark, path)
    if not fs.exists(jpath):
        raise FileNotFoundError(f"file not found: {path}")
    stream = fs.open(jpath)
    try:
        return bytes(stream.readAllBytes()).decode("utf-8")
    finally:
        stream.close()


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


def entries(spark: SparkSession, folder: str) -> set[str]:
    """The names in a folder (none when it does not exist); checksum files are not listed."""
    fs, jpath = _fs(spark, folder)
    if not fs.exists(jpath):
        return set()
    return {str(status.getPath().getName()) for status in fs.listStatus(jpath)}


def remove_added(spark: SparkSession, folder: str, before: set[str], root: str) -> None:
    """Undoes a write into `folder`: deletes the entries not in `before` (its names before the
    write), then `folder` and its parents below `root` that are left empty."""
    fs, jpath = _fs(spark, folder)
    for name in entries(spark, folder) - before:
        fs.delete(spark._jvm.org.apache.hadoop.fs.Path(jpath, name), True)
    below = str(_fs(spark, root)[1].toUri().getPath()).rstrip("/") + "/"
    while str(jpath.toUri().getPath()).startswith(below):
        if fs.exists(jpath):
            if len(fs.listStatus(jpath)):
                break
            fs.delete(jpath, False)
        jpath = jpath.getParent()


def metric(event: str, **fields: Any) -> None:
    """One parseable progress line per table/model (the local runner shows progress from them)."""
    print(METRIC_PREFIX + json.dumps({"event": event, **fields}, default=str, sort_keys=True), flush=True)


def catalog_location(location: str) -> str:
    """Where the catalog says a table lives: `location` itself, or locally its `local:///` form."""
    root = os.environ.get(LOCAL_LAKE_ROOT)
    if not root or not location.startswith("file:"):
        return location
    root_path = PurePosixPath(unquote(urlparse(root).path))
    path = PurePosixPath(unquote(urlparse(location).path))
    if not path.is_relative_to(root_path):
        raise ValueError(f"{location} lies outside the local lake folder {root} ({LOCAL_LAKE_ROOT})")
    return "local:///" + quote(str(path.relative_to(root_path)))


def partition_folders(spark: SparkSession, location: str, keys: Sequence[str]) -> list[list[str]]:
    """The values of every `<key>=<value>/...` folder below `location`, Hive escapes undone."""
    if not keys or not exists(spark, location):
        return []
    fs, jpath = _fs(spark, location.rstrip("/") + "/" + "/".join(f"{k}=*" for k in keys))
    folders = []
    for status in fs.globStatus(jpath) or []:
        if not status.isDirectory():
            continue
        names = str(status.getPath().toUri().getPath()).rstrip("/").split("/")[-len(keys) :]
        folders.append([unquote(name.split("=", 1)[1]) for name in names])
    return folders


def avro_write_schema(spark: SparkSession, schema: T.StructType) -> str:
    """The Avro schema to write a DataFrame with (the `avroSchema` option): Spark's own mapping of
    `schema` (SchemaConverters, as spark-avro uses when none is given), made readable by Athena."""
    jvm = spark._jvm
    jschema = jvm.org.apache.spark.sql.types.DataType.fromJson(schema.json())
    derived = jvm.org.apache.spark.sql.avro.SchemaConverters.toAvroType(jschema, False, "topLevelRecord", "")
    return catalog.athena_avro_schema(str(derived.toString()))


def avro_files(spark: SparkSession, folders: Sequence[str]) -> list[str]:
    """Every Avro file below `folders` (recursively), as Hadoop paths."""
    found = []
    for folder in folders:
        fs, jpath = _fs(spark, folder)
        files = fs.listFiles(jpath, True)
        while files.hasNext():
            path = files.next().getPath()
            if path.getName().endswith(".avro"):
                found.append(str(path.toString()))
    return sorted(found)


def hadoop_path(spark: SparkSession, uri: str) -> str:
    """A file URI as Spark reports it (`input_file_name`: `file:///x`) in Hadoop's form (`file:/x`)."""
    jvm = spark._jvm
    return str(jvm.org.apache.hadoop.fs.Path(jvm.java.net.URI(uri)).toString())


def avro_file_schema(spark: SparkSession, folders: str | Sequence[str]) -> str:
    """The writer schema in the header of the newest Avro file below `folders`."""
    newest = None
    for folder in [folders] if isinstance(folders, str) else folders:
        fs, jpath = _fs(spark, folder)
        files = fs.listFiles(jpath, True)
        while files.hasNext():
            status = files.next()
            if status.getPath().getName().endswith(".avro") and (
                newest is None or status.getModificationTime() > newest[1].getModificationTime()
            ):
                newest = (fs, status)
    if newest is None:
        raise FileNotFoundError(f"no Avro file under {folders}")
    fs, status = newest
    jvm = spark._jvm
    stream = jvm.org.apache.avro.file.DataFileStream(
        fs.open(status.getPath()), jvm.org.apache.avro.generic.GenericDatumReader()
    )
    try:
        return str(stream.getSchema().toString())
    finally:
        stream.close()


# Slack between the clock that stamps `_ingested_at` (the bronze job's) and the one that stamps file
# modification times (the file system's; S3's on AWS, where a multipart upload's LastModified is its
# start, still after the batch's start): batch folders this much older than the watermark are read
# too, and their rows filtered out by `_ingested_at`. Clocks are NTP-synced to well under a second;
# an hour re-read every batch of the last hour (measured: the full build's, on every increment).
CLOCK_SLACK_MS = 300_000


def new_batch_folders(spark: SparkSession, table_path: str, after: datetime | None) -> list[str]:
    """The `ingest_date=*/batch_id=*` folders of a bronze table holding Avro files written after
    `after` (naive UTC; every folder when None): a silver run reads the batches it has not applied
    (and those of `CLOCK_SLACK_MS` before its watermark), not the table's history. A batch's
    files are written after its `_ingested_at`, so a batch ingested after `after` is always listed."""
    if not exists(spark, table_path):
        return []
    since_ms = None if after is None else after.replace(tzinfo=UTC).timestamp() * 1000 - CLOCK_SLACK_MS
    since_day = None if after is None else after.date().isoformat()
    fs, jpath = _fs(spark, table_path.rstrip("/") + "/ingest_date=*/batch_id=*")
    folders = []
    for status in fs.globStatus(jpath) or []:
        day = str(status.getPath().getParent().getName()).split("=", 1)[1]
        if not status.isDirectory() or (since_day is not None and day < since_day):
            continue
        files = fs.listFiles(status.getPath(), True)
        newest = None
        while files.hasNext():
            file = files.next()
            if file.getPath().getName().endswith(".avro"):
                newest = max(newest or 0, file.getModificationTime())
        if newest is not None and (since_ms is None or newest > since_ms):
            folders.append(str(status.getPath().toString()))
    return sorted(folders)


def crawled_columns(runtime: Runtime, database: str, table: str) -> list[dict] | None:
    """The columns the crawler last wrote for a source table (Glue's `[{Name, Type}]`), or None when
    there is no catalog or the table has not been crawled yet."""
    if not runtime.catalog_enabled:
        return None
    try:
        return runtime.glue.get_table(DatabaseName=database, Name=table)["Table"]["StorageDescriptor"][
            "Columns"
        ]
    except Exception as error:
        if catalog.not_found(error):
            return None
        raise


def register_table(
    runtime: Runtime,
    database: str,
    table: str,
    fmt: str,
    location: str,
    schema: T.StructType,
    partition_keys: Sequence[str] = (),
    avro_files: str | None = None,
) -> dict[str, Any]:
    """Registers (creates or updates) a table over what a job wrote, with every partition folder
    under `location`, in the Glue Data Catalog. `schema` is the written DataFrame's, partition
    columns included; for Avro, `avro_files` is a folder of the newest files, whose writer schema the
    table gets. Returns what changed, for the run summary."""
    if not runtime.catalog_enabled:
        return {"table": f"not registered (no Glue catalog: set {LOCAL_CATALOG_ENDPOINT} locally)"}
    avro_schema = (
        catalog.avro_reader_schema(avro_file_schema(runtime.spark, avro_files or location))
        if fmt == "avro"
        else None
    )
    definition = catalog.table_input(
        table, schema, fmt, catalog_location(location), partition_keys, avro_schema
    )
    partitions = partition_folders(runtime.spark, location, partition_keys)
    return catalog.register(runtime.glue, database, definition, partitions)


def classify_table(
    runtime: Runtime,
    database: str,
    table: str,
    classifications: Mapping[str, str],
    lake_formation_tag: str | None = None,
) -> bool:
    """The table's columns' classification parameters in the Glue catalog (`catalog.classify_columns`);
    whether anything changed. With `lake_formation_tag` (Lake Formation mode) also the columns' and
    the table's classification LF-tag (`lake_formation.tag_table`). Off Glue without a local catalog
    endpoint there is no catalog: nothing."""
    if not runtime.catalog_enabled:
        return False
    changed = catalog.classify_columns(runtime.glue, database, table, classifications)
    if lake_formation_tag:
        found = runtime.glue.get_table(DatabaseName=database, Name=table)["Table"]
        fields = (*found.get("StorageDescriptor", {}).get("Columns", []), *found.get("PartitionKeys", []))
        client = lake_formation.lake_formation_client()
        names = [c["Name"] for c in fields]
        lake_formation.tag_table(client, database, table, names, classifications, lake_formation_tag)
    return changed


def move(spark: SparkSession, source: str, target: str) -> None:
    """Renames a file (on S3 a copy and a delete), replacing nothing: `target` must not exist."""
    fs, jsource = _fs(spark, source)
    if not fs.rename(jsource, _fs(spark, target)[1]):
        raise OSError(f"could not move {source} to {target}")


def files_named(spark: SparkSession, folder: str, name: str) -> list[str]:
    """Every file called `name` below `folder` (recursively), as Hadoop paths."""
    fs, jpath = _fs(spark, folder)
    found = []
    files = fs.listFiles(jpath, True)
    while files.hasNext():
        path = files.next().getPath()
        if path.getName() == name:
            found.append(str(path.toString()))
    return sorted(found)
