"""Bronze Glue job: every configured source table -> Avro under
<bronze_path>/<source>/<table>/ingest_date=YYYY-MM-DD/batch_id=<id>/ with ingestion metadata.

On AWS Glue the tables are read through each source's Glue connection with job bookmarks on the
watermark column; locally through Spark's JDBC reader (credentials from --local_connections) with
an explicit watermark state file per table.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from datetime import UTC, datetime

from medallion import batches, bronze, catalog, drift, io, metrics, reconcile
from medallion.arguments import parse_job_arguments
from medallion.catalog import catalog_table_name
from medallion.spec import LakeSpec, Source, Table, parse_lake_spec
from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F
from pyspark.sql import types as T

# Parallel local reads of tables with a partitionColumn; Glue uses as many hash partitions.
READ_PARTITIONS = 4
# The folders of bronze_batch_path, as the catalog's partition keys.
BRONZE_PARTITION_FIELDS = (
    T.StructField("ingest_date", T.DateType()),
    T.StructField("batch_id", T.StringType()),
)
# Rows per JDBC round trip: the PostgreSQL driver otherwise buffers the whole result in memory.
FETCH_SIZE = 10_000


def parse_args(argv: list[str]) -> dict[str, str | None]:
    return parse_job_arguments("bronze", argv)


def _read_glue(runtime: io.Runtime, source: Source, table: Table) -> DataFrame:
    options = {
        "useConnectionProperties": "true",
        "connectionName": source.connection_name,
        "dbtable": bronze.quote_table(source.engine, table.source_table),
    }
    if table.partition_column:
        options.update(hashfield=table.partition_column, hashpartitions=str(READ_PARTITIONS))
    # Bookmarks apply only with a transformation_ctx: full-load tables get none.
    ctx = {}
    if table.watermark_column:
        options.update(jobBookmarkKeys=[table.watermark_column], jobBookmarkKeysSortOrder="asc")
        ctx["transformation_ctx"] = f"bronze_{source.name}_{table.name}"
    frame = runtime.glue_context.create_dynamic_frame.from_options(
        connection_type=bronze.GLUE_CONNECTION_TYPES[source.engine], connection_options=options, **ctx
    )
    return frame.toDF()


def _read_jdbc(
    runtime: io.Runtime, connection: dict, table: Table, after: object, up_to: object
) -> tuple[DataFrame, list | None]:
    """The batch read and, for a `rows` table, the columns its `_row_hash` covers (the batch carries
    the hash the source computed in the same query)."""
    dialect = bronze.dialect_for_jdbc_url(connection["url"])
    reader = _jdbc_reader(runtime, connection)
    kind, hash_of, extra = None, None, ""
    if after is not None or up_to is not None or _rows(table):
        # The watermark column's type, for exact literals, and the columns a row hash covers:
        # Spark's schema probe (`WHERE 1=0`) reads no rows.
        probe = reader.option("dbtable", bronze.quote_table(dialect, table.source_table)).load()
        if after is not None or up_to is not None:
            kind = watermark_type(probe, table)
        if _rows(table):
            hash_of = reconcile.hash_columns(probe.schema)
            extra = reconcile.hashed(dialect, hash_of)
    query = bronze.source_query(
        dialect, table.source_table, table.watermark_column, kind, after, up_to, extra
    )
    if table.partition_column:
        bounds_sql = bronze.bounds_query(dialect, query, table.partition_column)
        lo, hi = reader.option("dbtable", bronze.as_dbtable(bounds_sql)).load().first()
        if lo is not None:
            reader = reader.options(
                partitionColumn=table.partition_column,
                lowerBound=str(lo),
                upperBound=str(hi),
                numPartitions=str(READ_PARTITIONS),
            )
    return reader.option("dbtable", bronze.as_dbtable(query)).load(), hash_of


def _dialect(source: Source, connection: dict | None) -> str:
    """The SQL dialect of a pushed-down query: the spec's engine on Glue, the local server's URL's."""
    return bronze.dialect_for_jdbc_url(connection["url"]) if connection else source.engine


def _rows(table: Table) -> bool:
    """Whether the table reconciles rows changed in place (its reads carry the source's row hash)."""
    return bool(table.reconcile and table.reconcile.compare == "rows")


def _jdbc_reader(runtime: io.Runtime, connection: dict):
    return runtime.spark.read.format("jdbc").options(
        url=connection["url"],
        user=connection["user"],
        password=connection["password"],
        driver=connection["driver"],
        fetchsize=str(FETCH_SIZE),
    )


def _read_query(runtime: io.Runtime, source: Source, table: Table, connection: dict | None, sql) -> DataFrame:
    """The rows of a query pushed down whole to the source; `sql(dialect)` builds it. On Glue through
    the table's connection with `sampleQuery` and no transformation_ctx, so the job bookmark neither
    filters nor moves (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-jdbc-home.html,
    https://docs.aws.amazon.com/glue/latest/dg/programming-etl-connect-bookmarks.html); locally
    through Spark's JDBC `query` option."""
    if runtime.on_glue:
        options = {
            "useConnectionProperties": "true",
            "connectionName": source.connection_name,
            "dbtable": bronze.quote_table(source.engine, table.source_table),
            "sampleQuery": sql(source.engine),
        }
        frame = runtime.glue_context.create_dynamic_frame.from_options(
            connection_type=bronze.GLUE_CONNECTION_TYPES[source.engine], connection_options=options
        )
        return frame.toDF()
    dialect = bronze.dialect_for_jdbc_url(connection["url"])
    return _jdbc_reader(runtime, connection).option("query", sql(dialect)).load()


def snapshot_keys(
    runtime, spark, source: Source, table: Table, connection, out: str, hash_of: list | None = None
) -> tuple[int, str, float]:
    """Writes the table's key snapshot (its primary keys, and with `hash_of` each row's hash) as Avro
    to `out`; returns (keys read, when the read started, seconds it took). A silver row ingested
    before that start whose key the snapshot lacks was deleted at the source."""
    began = time.monotonic()
    started = datetime.now(UTC)
    keys = _read_query(
        runtime, source, table, connection,
        lambda dialect: reconcile.key_query(dialect, table.source_table, list(table.primary_key), hash_of),
    )  # fmt: skip
    observation = Observation()
    observed = keys.observe(observation, F.count(F.lit(1)).alias("keys"))
    observed.write.mode("overwrite").format("avro").option(
        "avroSchema", io.avro_write_schema(spark, keys.schema)
    ).save(out)
    return observation.get["keys"], started.isoformat(sep=" "), round(time.monotonic() - began, 2)


def _hash_columns(runtime, source: Source, table: Table, connection, batch: DataFrame) -> list:
    """The columns a `rows` table's hash covers when the batch read did not say (on Glue, whose
    bookmarked read carries no hash): the batch's columns, else a probe of the table's columns
    (`WHERE 1=0`, no rows) through the same pushed-down read as the key scan."""
    if batch.columns:
        return reconcile.hash_columns(batch.schema)
    probe = _read_query(
        runtime, source, table, connection,
        lambda dialect: f"SELECT * FROM {bronze.quote_table(dialect, table.source_table)} WHERE 1=0",
    )  # fmt: skip
    if not probe.columns:
        raise ValueError(
            f"reconcile rows: the columns of {table.source_table} could not be read (an empty probe had "
            "none); run again once the table has rows"
        )
    return reconcile.hash_columns(probe.schema)


def _ingested_since(spark, table_path: str, keys: list[str], through: datetime | None) -> DataFrame | None:
    """(key columns, `_row_hash`, `_ingested_at`) of the bronze rows ingested after `through` (every
    row when None); `_row_hash` null for rows read without one. None when there are none."""
    after = None if through is None else through.astimezone(UTC).replace(tzinfo=None)
    folders = io.new_batch_folders(spark, table_path, after)
    if not folders:
        return None
    schema = catalog.avro_reader_schema(io.avro_file_schema(spark, folders))
    rows = (
        spark.read.format("avro")
        .options(recursiveFileLookup="true", pathGlobFilter="*.avro", avroSchema=schema)
        .load(folders)
    )
    if reconcile.ROW_HASH not in rows.columns:
        rows = rows.withColumn(reconcile.ROW_HASH, F.lit(None).cast("string"))
    if through is not None:
        rows = rows.where(F.col("_ingested_at") > F.lit(through).cast("timestamp"))
    return rows.select(*[F.col(f"`{c}`") for c in (*keys, reconcile.ROW_HASH, "_ingested_at")])


def reread_changed(
    runtime, spark, source: Source, table: Table, connection, bronze_path: str, out: str,
    batch_id: str, keys_out: str, hash_of: list, previous: dict | None,
) -> tuple[dict, dict]:  # fmt: skip
    """A `rows` reconcile after its snapshot (`keys_out`, keys with their hashes): re-reads the rows
    whose hash differs from the one bronze last read for their key (`reconcile.changed_keys`), by
    key, into the batch `out` (ingested now, after the snapshot started, so silver's MERGE takes
    them over the batch's older rows); then records the hashes as of this run (only the snapshot's
    keys). Returns (summary fields, the schedule's `hashes` entry). A table bronze has no hashes
    for yet (switched to rows after it was read) re-reads every row once, whole."""
    began = time.monotonic()
    keys = list(table.primary_key)
    table_path = bronze.bronze_table_path(bronze_path, source.name, table.name)
    state_ref = (previous or {}).get("hashes")
    state, through = None, None
    if state_ref and io.exists(spark, state_ref["folder"]):
        state = spark.read.format("avro").load(state_ref["folder"])
        through = datetime.fromisoformat(state_ref["through"])
    snapshot = spark.read.format("avro").load(keys_out)
    ingested = _ingested_since(spark, table_path, keys, through)
    if ingested is None:
        ingested = (
            snapshot.limit(0)
            .select(*keys, reconcile.ROW_HASH)
            .withColumn("_ingested_at", F.lit(None).cast("timestamp"))
        )
    base = reconcile.recorded_hashes(state, ingested, keys).persist(StorageLevel.MEMORY_AND_DISK)
    recorded = base
    changed = reconcile.changed_keys(snapshot.select(*keys, reconcile.ROW_HASH), recorded, keys)
    changed_count = changed.count()
    now = datetime.now(UTC)
    reread_at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    reread_rows, queries = 0, None
    if 0 < changed_count <= reconcile.REREAD_BY_KEY_LIMIT:
        key_types = {k: snapshot.schema[k].dataType for k in keys}
        changed_rows = [tuple(r) for r in changed.collect()]
        try:
            queries = reconcile.reread_queries(
                _dialect(source, connection), table.source_table, key_types, changed_rows, hash_of
            )
        except ValueError:
            queries = None  # keys that cannot be re-read exactly by key: the table whole
    whole = bool(changed_count) and queries is None
    if changed_count:
        if whole:
            queries = [reconcile.whole_read_query(_dialect(source, connection), table.source_table, hash_of)]
        frames = [_read_query(runtime, source, table, connection, lambda _d, q=q: q) for q in queries]
        reread = bronze.add_ingestion_metadata(
            functools.reduce(DataFrame.unionByName, frames), source.name, batch_id, reread_at
        )
        reread_rows = write_batch(spark, reread, out, "append", None)[0]
    if reread_rows:
        at = F.lit(reread_at).cast("timestamp")
        written = spark.read.format("avro").load(out).where(F.col("_ingested_at") == at)
        columns = (*keys, reconcile.ROW_HASH, "_ingested_at")
        recorded = reconcile.recorded_hashes(recorded, written.select(*columns), keys)
    # Only the keys the source still has: a deleted key's hash is never compared again.
    kept = recorded.join(snapshot.select(*keys).distinct(), keys, "left_semi")
    name = f"{batch_id}.{int(reread_at.timestamp() * 1000)}"
    folder = reconcile.hashes_path(bronze_path, source.name, table.name, name)
    avro_schema = io.avro_write_schema(spark, kept.schema)
    kept.write.mode("overwrite").format("avro").option("avroSchema", avro_schema).save(folder)
    base.unpersist()
    fields = {
        "rows_reread": reread_rows,
        "reread_whole_table": whole,
        "reread_seconds": round(time.monotonic() - began, 2),
    }
    return fields, {"folder": folder, "through": reread_at.isoformat(sep=" ")}


def _drop_old_hashes(spark, bronze_path: str, source: Source, table: Table, hashes: dict | None) -> None:
    """Removes the table's recorded hashes but those the schedule names (older runs', or a failed
    run's that no schedule names)."""
    if not hashes:
        return
    parent = hashes["folder"].rsplit("/", 1)[0]
    for name in io.entries(spark, parent) - {hashes["folder"].rsplit("/", 1)[1]}:
        io.delete_glob(spark, f"{parent}/{name}")


def watermark_type(df: DataFrame, table: Table) -> T.DataType:
    """The Spark type of the table's watermark column (resolved as Spark does, ignoring case)."""
    return df.select(table.watermark_column).schema[0].dataType


def _local_connections(runtime: io.Runtime, path: str | None) -> dict:
    if runtime.on_glue:
        return {}
    if not path:
        raise ValueError("bronze job: --local_connections is required when not running on AWS Glue")
    try:
        connections = json.loads(io.read_text(runtime.spark, path))
    except json.JSONDecodeError as err:
        raise ValueError(f"--local_connections {path}: not valid JSON: {err}") from err
    return connections


def _connection(connections: dict, source: Source, path: str | None) -> dict:
    conn = connections.get(source.name)
    if not isinstance(conn, dict):
        raise ValueError(f"--local_connections {path}: no entry for source {source.name!r}")
    missing = [k for k in ("url", "user", "password", "driver") if not conn.get(k)]
    if missing:
        raise ValueError(f"--local_connections {path}: source {source.name!r} lacks {', '.join(missing)}")
    return conn


class IngestionFailed(RuntimeError):
    """Tables that could not be ingested; every other table was."""


def write_batch(spark, batch: DataFrame, out: str, mode: str, watermark_column: str | None) -> tuple:
    """Writes a batch and returns (rows, first watermark, reached watermark), observed during the
    write: the source is queried once, by the write itself."""
    observation = Observation()
    observed = batch.observe(observation, *bronze.write_metrics(batch, watermark_column))
    observed.write.mode(mode).format("avro").option(
        "avroSchema", io.avro_write_schema(spark, batch.schema)
    ).save(out)
    values = observation.get
    if not watermark_column:
        return values["rows"], None, None
    kind = batch.select(watermark_column).schema[0].dataType
    first, reached = (bronze.observed_watermark(kind, values[k]) for k in ("first", "reached"))
    return values["rows"], bronze.json_watermark(first), bronze.json_watermark(reached)


def ingest_table(
    runtime: io.Runtime,
    spec: LakeSpec,
    args: dict,
    connections: dict,
    source: Source,
    table: Table,
    batch_id: str,
    started: datetime,
) -> dict:
    """Ingests one table and writes its run summary. A failure is recorded there (`error`) instead
    of raised, so the other tables are still ingested; the batch it was writing is removed."""
    spark, bronze_path = runtime.spark, args["bronze_path"]
    began = time.monotonic()
    state_path = f"{bronze_path.rstrip('/')}/_state/{source.name}/{table.name}.json"
    local_incremental = not runtime.on_glue and table.watermark_column
    table_path = bronze.bronze_table_path(bronze_path, source.name, table.name)
    out = bronze.bronze_batch_path(bronze_path, source.name, table.name, started.date(), batch_id)
    # Re-running a batch replaces it (even one first written on another ingest date) when this read
    # covers the batch again: full loads, and local windows. A Glue bookmark may have moved past the
    # batch's rows, so there a re-run adds to the batch instead of deleting rows it cannot re-read.
    replace = not (runtime.on_glue and table.watermark_column)
    summary = {
        "source": source.name,
        "table": table.name,
        "batch_id": batch_id,
        "ingest_date": started.date().isoformat(),
        "rows": 0,
        "replaced_batch": False,
        "incremental": None,
        "read_from": None,
        "watermark_from": None,
        "watermark_first_read": None,
        "watermark_to": None,
        "catalog": None,
        "drift": None,
        "error": None,
        # The run's start, every row's `_ingested_at` but a `rows` reconcile's re-read (later).
        "ingested_at": started.isoformat(sep=" "),
    }
    if table.reconcile:
        summary.update(keys_read=None, key_scan_started=None, key_scan_seconds=None)
    if _rows(table):
        summary.update(rows_reread=0, reread_whole_table=False, reread_seconds=None)
    before = None  # the batch folder's entries before this run wrote into it
    keys_out = reconcile.keys_batch_path(bronze_path, source.name, table.name, started.date(), batch_id)
    keys_before = None
    try:
        state = None
        if local_incremental and io.exists(spark, state_path):
            state = json.loads(io.read_text(spark, state_path))
        after, up_to = (
            bronze.plan_batch(state, table.watermark_column, batch_id) if local_incremental else (None, None)
        )
        incremental, read_from = bronze.describe_read(
            table.watermark_column, runtime.on_glue, runtime.bookmark_option, after
        )
        summary.update(incremental=incremental, read_from=read_from, watermark_from=after)
        crawled = io.crawled_columns(runtime, spec.databases["source"], table.catalog_table)
        # What the last finished crawl saw against the configured columns (None: not crawled yet).
        if crawled is not None:
            summary["drift"] = drift.compare_columns([vars(c) for c in table.columns], crawled).as_dict()
        connection = None if runtime.on_glue else _connection(connections, source, args["local_connections"])
        hash_of = None
        if runtime.on_glue:
            df = _read_glue(runtime, source, table)
        else:
            df, hash_of = _read_jdbc(runtime, connection, table, after, up_to)
        kind = watermark_type(df, table) if table.watermark_column and df.columns else None
        replaced = io.delete_glob(spark, f"{table_path}/ingest_date=*/batch_id={batch_id}") if replace else 0
        summary["replaced_batch"] = replaced > 0
        rows, first_read, reached = 0, None, None
        before = io.entries(spark, out)
        if df.columns:  # a Glue read that found nothing may have no columns at all
            batch = bronze.add_ingestion_metadata(df, source.name, batch_id, started)
            rows, first_read, reached = write_batch(
                spark, batch, out, "overwrite" if replace else "append", table.watermark_column
            )
        schedule = None
        if table.reconcile:
            # After the batch: its rows were ingested before the snapshot started, so it covers them.
            schedule_file = reconcile.schedule_path(bronze_path, source.name, table.name)
            previous = (
                json.loads(io.read_text(spark, schedule_file)) if io.exists(spark, schedule_file) else None
            )
            setting = {"compare": table.reconcile.compare, "everyRuns": table.reconcile.every_runs}
            due = reconcile.snapshot_due(previous, setting, batch_id)
            if due:
                keys_table = reconcile.keys_table_path(bronze_path, source.name, table.name)
                io.delete_glob(spark, f"{keys_table}/ingest_date=*/batch_id={batch_id}")
                keys_before = io.entries(spark, keys_out)
                if _rows(table) and hash_of is None:
                    hash_of = _hash_columns(runtime, source, table, connection, df)
                keys_read, scan_started, scan_seconds = snapshot_keys(
                    runtime, spark, source, table, connection, keys_out, hash_of if _rows(table) else None
                )
                summary.update(
                    keys_read=keys_read, key_scan_started=scan_started, key_scan_seconds=scan_seconds
                )
            recorded = reconcile.record_run(previous, setting, batch_id, due)
            hashes = (previous or {}).get("hashes")
            if due and _rows(table):
                fields, hashes = reread_changed(
                    runtime, spark, source, table, connection, bronze_path, out, batch_id, keys_out,
                    hash_of, previous,
                )  # fmt: skip
                summary.update(fields)
                rows += fields["rows_reread"]
            schedule = (schedule_file, {**recorded, "hashes": hashes} if hashes else recorded)
        if rows:
            # Columns as the Avro files hold them (read back), plus the two partition folders.
            written = spark.read.format("avro").load(out).schema
            summary["catalog"] = io.register_table(
                runtime,
                spec.databases["bronze"],
                catalog_table_name(source.name, table.name),
                "avro",
                table_path,
                T.StructType([*written.fields, *BRONZE_PARTITION_FIELDS]),
                [f.name for f in BRONZE_PARTITION_FIELDS],
                avro_files=out,
            )
        else:
            io.remove_added(spark, out, before, bronze_path)  # an empty table leaves no batch
        # Last: a table that fails before here leaves neither its batch nor a moved watermark.
        if schedule:
            io.write_json(spark, *schedule)
            _drop_old_hashes(spark, bronze_path, source, table, schedule[1].get("hashes"))
        if local_incremental:
            recorded = bronze.record_batch(state, table.watermark_column, kind, batch_id, after, reached)
            io.write_json(spark, state_path, recorded)
        summary.update(rows=rows, watermark_first_read=first_read, watermark_to=reached)
    except Exception as error:  # noqa: BLE001 - one table's failure must not stop the others
        summary.update(rows=0, watermark_first_read=None, watermark_to=None, error=bronze.error_text(error))
        if table.reconcile:
            summary.update(keys_read=None, key_scan_started=None, key_scan_seconds=None)
        if _rows(table):
            summary.update(rows_reread=0, reread_whole_table=False, reread_seconds=None)
        for folder, entries in ((out, before), (keys_out, keys_before)):
            if entries is None:
                continue
            try:
                io.remove_added(spark, folder, entries, bronze_path)
            except Exception as cleanup:  # noqa: BLE001 - reported with the error it follows
                summary["error"] += (
                    f"; removing its partial batch {folder} failed: {bronze.error_text(cleanup)}"
                )
    summary["seconds"] = round(time.monotonic() - began, 2)
    io.write_json(spark, batches.summary_path(bronze_path, source.name, table.name, batch_id), summary)
    io.metric("bronze_table", **summary)
    return summary


def failure_message(summaries: list[dict]) -> str | None:
    """The job's error when tables failed, naming each source, table and error; None otherwise."""
    failed = [s for s in summaries if s["error"]]
    if not failed:
        return None
    return (
        f"bronze: {len(failed)} of {len(summaries)} tables were not ingested (the others were): "
        + "; ".join(f"source {s['source']} table {s['table']}: {s['error']}" for s in failed)
    )


def main(argv: list[str]) -> None:
    began = time.monotonic()
    args = parse_args(argv)
    runtime = io.start("medallion-bronze", argv)
    spec = parse_lake_spec(io.read_text(runtime.spark, args["lake_spec"]))
    # Milliseconds, as bronze stores timestamps (catalog.athena_avro_schema).
    now = datetime.now(UTC)
    started = now.replace(microsecond=now.microsecond // 1000 * 1000)
    batch_id = bronze.resolve_batch_id(args["batch_id"], args["JOB_RUN_ID"], started)
    connections = _local_connections(runtime, args["local_connections"])
    summaries, current, succeeded = [], None, False
    try:
        for source, table in spec.tables():
            current = f"{source.name}/{table.name}"
            summaries.append(ingest_table(runtime, spec, args, connections, source, table, batch_id, started))
        current = None
        failure = failure_message(summaries)
        io.metric(
            "bronze_done",
            batch_id=batch_id,
            tables=len(summaries),
            rows=sum(s["rows"] for s in summaries),
            failed=sum(bool(s["error"]) for s in summaries),
        )
        if failure:
            # No commit: a bookmark would move past the rows of a table whose write failed. The
            # next run reads the other tables' rows again, in a new batch that silver deduplicates.
            # https://docs.aws.amazon.com/glue/latest/dg/programming-etl-connect-bookmarks.html
            raise IngestionFailed(failure)
        runtime.commit()
        succeeded = True
    finally:
        # Also when the run fails: the rows ingested, the failed tables and a table whose ingestion
        # crashed the run (e.g. its summary could not be written); never raises.
        totals, per_table = metrics.bronze_metrics(summaries, current, succeeded)
        metrics.publish_run(
            runtime.on_glue,
            spec.metrics_namespace,
            spec.lake,
            spec.environment,
            "bronze",
            totals,
            per_table,
            began,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
