"""Silver and gold tables as Apache Iceberg tables (format version 2) in the Glue Data Catalog, through
the Spark catalog `iceberg.json` defines (Glue 5.0 ships Iceberg 1.7.1 for `--datalake-formats
iceberg`; locally the same runtime talks to the local Glue endpoint). Every write is one Iceberg
commit: it either lands whole or leaves the table at its previous snapshot.

- Silver tables are merge-on-read: a MERGE writes the new rows and small position-delete files instead
  of rewriting every file holding an updated key, so a run costs in proportion to its rows; maintenance
  (`maintain`) compacts them. https://iceberg.apache.org/docs/1.7.1/configuration/#write-properties
- Schema evolution is explicit (`align`): a column the rows gained is added to the table (Iceberg's
  `ALTER TABLE ... ADD COLUMN ... AFTER`), a column they lack is written as null.
  https://iceberg.apache.org/docs/1.7.1/spark-ddl/#alter-table-add-column
- MERGE INTO with a condition on WHEN MATCHED, and WHEN NOT MATCHED BY SOURCE for a full-load table's
  deletes: https://iceberg.apache.org/docs/1.7.1/spark-writes/#merge-into
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from . import silver

CONTRACT = json.loads(resources.files(__package__).joinpath("iceberg.json").read_text(encoding="utf-8"))
CATALOG: str = CONTRACT["catalog"]

# Merge-on-read for every row-level operation; format version 2 is what position deletes need.
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.delete.mode": "merge-on-read",
    "write.update.mode": "merge-on-read",
    "write.merge.mode": "merge-on-read",
}
# A silver table's: exact bounds of `_ingested_at` in the manifests, whatever its column count
# (`newest_ingested` reads them).
WATERMARK_METRICS = {"write.metadata.metrics.column._ingested_at": "full"}
ICEBERG_TABLE_TYPE = "ICEBERG"  # the Glue table parameter `table_type` of an Iceberg table
# Table property: when maintenance last removed orphan files (ISO timestamp, UTC).
ORPHANS_REMOVED_AT = "medallion.orphan-files-removed-at"


class IcebergError(RuntimeError):
    """An Iceberg table cannot be written as asked (naming the table and why)."""


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def table_name(database: str, table: str) -> str:
    """The Spark name of a catalog table: `glue_catalog`.`<database>`.`<table>`."""
    return f"{CATALOG}.{quote(database)}.{quote(table)}"


def literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def exists(spark: SparkSession, name: str) -> bool:
    """Whether the catalog has the table (`spark.catalog.tableExists` misreads quoted 3-part names)."""
    try:
        spark.table(name).schema  # noqa: B018 (loads the table's metadata)
    except AnalysisException as error:
        if "TABLE_OR_VIEW_NOT_FOUND" in str(error) or "SCHEMA_NOT_FOUND" in str(error):
            return False
        raise
    return True


def _view(frame: DataFrame, purpose: str) -> str:
    view = f"__medallion_{purpose}"
    frame.createOrReplaceTempView(view)
    return view


def create(
    spark: SparkSession,
    name: str,
    rows: DataFrame,
    location: str,
    partition_by: Sequence[str] = (),
    properties: Mapping[str, str] | None = None,
    replace: bool = False,
) -> None:
    """Creates the table at `location` with `rows` as its first snapshot (CREATE TABLE AS SELECT: the
    table appears only if the rows are written), or with `replace` replaces it whole in one commit
    (REPLACE TABLE AS SELECT: the table keeps its history)."""
    props = {**TABLE_PROPERTIES, **(properties or {})}
    partitioned = f"PARTITIONED BY ({', '.join(quote(c) for c in partition_by)}) " if partition_by else ""
    spark.sql(
        f"{'CREATE OR REPLACE' if replace else 'CREATE'} TABLE {name} USING iceberg {partitioned}"
        f"LOCATION {literal(location)} "
        f"TBLPROPERTIES ({', '.join(f'{literal(k)}={literal(v)}' for k, v in props.items())}) "
        f"AS SELECT * FROM {_view(rows, 'create')}"
    )


# Iceberg's type promotions (https://iceberg.apache.org/spec/#schema-evolution), by Spark type name;
# Iceberg has no byte or short type (Spark writes them as int).
_PROMOTIONS = {("byte", "integer"), ("short", "integer"), ("byte", "long"), ("short", "long"),
               ("integer", "long"), ("float", "double")}  # fmt: skip


def _fits(narrow: T.DataType, wide: T.DataType) -> bool:
    """Whether values of `narrow` are exactly values of `wide` (an Iceberg promotion or equal)."""
    if isinstance(narrow, T.DecimalType) and isinstance(wide, T.DecimalType):
        return narrow.scale == wide.scale and narrow.precision <= wide.precision
    return narrow == wide or (narrow.typeName(), wide.typeName()) in _PROMOTIONS


def align(spark: SparkSession, name: str, rows: DataFrame) -> DataFrame:
    """`rows` shaped as the table: columns the rows have and the table lacks are added to the table
    (after the column that precedes them in `rows`); a column whose table type is narrower than the
    rows' is widened where Iceberg allows it (int -> bigint, float -> double, decimal precision);
    columns the table has and the rows lack are null; columns come in the table's order with its
    types. Any other type change is an error naming the column."""
    table_fields = {f.name: f for f in spark.table(name).schema.fields}
    previous = None
    for field in rows.schema.fields:
        current = table_fields.get(field.name)
        if current is None:
            position = f" AFTER {quote(previous)}" if previous else " FIRST"
            column = f"{quote(field.name)} {field.dataType.simpleString()}"
            spark.sql(f"ALTER TABLE {name} ADD COLUMN {column}{position}")
        elif _fits(current.dataType, field.dataType) and not _fits(field.dataType, current.dataType):
            spark.sql(
                f"ALTER TABLE {name} ALTER COLUMN {quote(field.name)} TYPE {field.dataType.simpleString()}"
            )
        elif not _fits(field.dataType, current.dataType):
            raise IcebergError(
                f"table {name}: column {field.name} is {current.dataType.simpleString()} in the table but "
                f"{field.dataType.simpleString()} in this run's rows, which Iceberg cannot convert; "
                "rebuild the table to change its type"
            )
        previous = field.name
    present = set(rows.columns)
    return rows.select(
        *[
            (F.col(quote(f.name)) if f.name in present else F.lit(None)).cast(f.dataType).alias(f.name)
            for f in spark.table(name).schema.fields
        ]
    )


def same_layout(spark: SparkSession, name: str, rows: DataFrame, partition_by: Sequence[str]) -> bool:
    """Whether `rows` have the table's columns (names and types, in order) and the table is
    partitioned by exactly `partition_by` (identity partitions)."""
    table = spark.table(name).schema
    shape = [(f.name, f.dataType) for f in table.fields] == [(f.name, f.dataType) for f in rows.schema.fields]
    # The `partitions` metadata table has a `partition` struct of the partition columns when the
    # table is partitioned.
    fields = {f.name: f for f in spark.table(f"{name}.partitions").schema.fields}
    current = [f.name for f in fields["partition"].dataType.fields] if "partition" in fields else []
    return shape and current == list(partition_by)


def document(spark: SparkSession, name: str, description: str, comments: Mapping[str, str]) -> None:
    """The table's `comment` property and its columns' comments, which Iceberg's Glue catalog writes
    to the Glue table's Description and columns' Comment (what Athena shows); only what differs is
    changed, so an unchanged model commits nothing."""
    if get_property(spark, name, "comment") != description:
        set_property(spark, name, "comment", description)
    for field in spark.table(name).schema.fields:
        wanted = comments.get(field.name) or ""
        if wanted and field.metadata.get("comment") != wanted:
            spark.sql(f"ALTER TABLE {name} ALTER COLUMN {quote(field.name)} COMMENT {literal(wanted)}")


def newer(source: str, target: str) -> str:
    """SQL: the `source` row is a newer version than the `target` row (later `_ingested_at`, ties
    broken by the greater `_batch_id`: silver.deduplicate's order)."""
    return (
        f"({source}._ingested_at > {target}._ingested_at OR ({source}._ingested_at = {target}._ingested_at"
        f" AND {source}._batch_id > {target}._batch_id))"
    )


def merge_newest(
    spark: SparkSession,
    name: str,
    rows: DataFrame,
    keys: Sequence[str],
    null_safe: bool,
    present: DataFrame | None = None,
) -> None:
    """One MERGE: a row whose key the table lacks is inserted, a row newer than the table's row of its
    key replaces it, an older or equal one changes nothing (so re-applying rows is a no-op). `rows`
    must hold at most one row per key. `null_safe` matches keys with `<=>` (a table without primary
    key is keyed by all its data columns, which may be null).

    With `present` (the keys the source has, a full-load table's), a table row whose key is not among
    them is deleted in the same commit (`WHEN NOT MATCHED BY SOURCE THEN DELETE`, Spark 3.5's MERGE
    syntax, which Iceberg 1.7.1's Spark 3.5 extensions run:
    https://iceberg.apache.org/docs/1.7.1/spark-writes/#merge-into); a present key without a row in
    `rows` (its newest source row was rejected) joins the MERGE as a marker row that changes nothing."""
    if not keys:
        raise IcebergError(f"table {name}: a merge needs key columns")
    equal = " <=> " if null_safe else " = "
    on = " AND ".join(f"t.{quote(k)}{equal}s.{quote(k)}" for k in keys)
    deletes = ""
    if present is not None:
        types = {f.name: f.dataType for f in rows.schema.fields}
        markers = silver.key_join(present, rows, list(keys), null_safe, "left_anti")
        markers = markers.select(*[F.col(quote(k)).cast(types[k]).alias(k) for k in keys])
        rows = rows.unionByName(markers, allowMissingColumns=True)
        deletes = " WHEN NOT MATCHED BY SOURCE THEN DELETE"
    spark.sql(
        f"MERGE INTO {name} t USING {_view(rows, 'merge')} s ON {on} "
        f"WHEN MATCHED AND {newer('s', 't')} THEN UPDATE SET * "
        f"WHEN NOT MATCHED AND s._ingested_at IS NOT NULL THEN INSERT *{deletes}"
    )


def delete_unmatched(
    spark: SparkSession, name: str, keys: DataFrame, key_columns: Sequence[str], before: datetime
) -> None:
    """One MERGE commit deleting the table's rows ingested before `before` whose key `keys` lacks
    (`WHEN NOT MATCHED BY SOURCE AND ... THEN DELETE`, as `merge_newest`'s deletes): a reconcile's.
    https://iceberg.apache.org/docs/1.7.1/spark-writes/#merge-into"""
    on = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in key_columns)
    mark = literal(before.isoformat(sep=" "))
    spark.sql(
        f"MERGE INTO {name} t USING {_view(keys, 'keys')} s ON {on} "
        f"WHEN NOT MATCHED BY SOURCE AND t._ingested_at < CAST({mark} AS TIMESTAMP) THEN DELETE"
    )


def newest_ingested(spark: SparkSession, name: str) -> datetime | None:
    """The table's newest `_ingested_at` from Iceberg's column metrics of its live data files (a
    metadata read, not a scan), None for a table without rows; scanned when the files carry no
    metrics for the column. A full-load table's deletes may leave the bound of a deleted row, which
    is older than the batch that deleted it: the watermark never passes a batch silver has not
    applied (at worst that batch is read again, and re-applying it changes nothing)."""
    row = spark.sql(
        f"SELECT max(readable_metrics._ingested_at.upper_bound) AS newest, count(*) AS files "
        f"FROM {name}.files WHERE content = 0"
    ).first()
    if row["files"] == 0:
        return None
    if row["newest"] is None:
        return silver.newest_ingested(spark.table(name))
    return row["newest"]


def current_snapshot(spark: SparkSession, name: str) -> int | None:
    """The id of the table's current snapshot (None for a table without one)."""
    row = spark.sql(f"SELECT snapshot_id FROM {name}.refs WHERE name = 'main'").first()
    return None if row is None else int(row[0])


def refuse_plain_tables(runtime, database: str, names: Sequence[str]) -> None:
    """Raises naming the one-time migration when a table of `names` is in the catalog but is not an
    Iceberg table (a lake built before silver and gold became Iceberg: plain Parquet tables)."""
    if not runtime.catalog_enabled:
        raise IcebergError(
            "silver and gold are Iceberg tables in the Glue Data Catalog: locally set AWS_ENDPOINT_URL_GLUE "
            "to the local catalog (npm run lake does)"
        )
    for name in names:
        try:
            table = runtime.glue.get_table(DatabaseName=database, Name=name)["Table"]
        except Exception as error:
            if getattr(error, "response", {}).get("Error", {}).get("Code") == "EntityNotFoundException":
                continue
            raise
        if table.get("Parameters", {}).get("table_type", "").upper() != ICEBERG_TABLE_TYPE:
            raise IcebergError(
                f"table {database}.{name} is a plain (pre-Iceberg) table: run the one-time migration of "
                "docs/iceberg.md#migrating-a-lake-built-before-iceberg first"
            )


def properties(spark: SparkSession, name: str) -> dict[str, str]:
    """The table's properties."""
    return {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {name}").collect()}


def get_property(spark: SparkSession, name: str, key: str) -> str | None:
    """A table property's value, None when unset."""
    return properties(spark, name).get(key)


def set_properties(spark: SparkSession, name: str, values: Mapping[str, str]) -> None:
    """Sets the properties in one commit."""
    listed = ", ".join(f"{literal(k)}={literal(v)}" for k, v in values.items())
    spark.sql(f"ALTER TABLE {name} SET TBLPROPERTIES ({listed})")


def set_property(spark: SparkSession, name: str, key: str, value: str) -> None:
    set_properties(spark, name, {key: value})


def _most_small_files(spark: SparkSession, name: str, small_bytes: int) -> int:
    """The most live data files under `small_bytes` that one partition of the table holds (the
    unpartitioned table's count): what `rewrite_data_files`' `min-input-files` compares."""
    files = spark.table(f"{name}.files").where(f"content = 0 AND file_size_in_bytes < {small_bytes}")
    by_partition = ["partition"] if "partition" in files.columns else []
    row = files.groupBy(*by_partition).count().agg(F.max("count")).first()
    return int(row[0] or 0)


def maintain(spark: SparkSession, name: str, maintenance, now: datetime | None = None) -> dict:
    """Iceberg's maintenance procedures on one table, as the lake spec's `tableMaintenance` says, each
    costing in proportion to what the runs added, not to the table:
    - compaction packs the small data files (under `compaction_small_file_mib`) of a partition once it
      holds `compaction_min_input_files` of them, leaving bigger files as they are;
    - once position deletes reach `compaction_delete_ratio` of the table's rows, every data file with
      deletes is rewritten without them (Iceberg 1.7.1 has no `delete-ratio-threshold`: the table's
      snapshot summary stands in for it);
    - delete files are compacted (and those of rewritten data files dropped) after a data rewrite or
      once `compaction_min_input_files` of them gathered;
    - snapshots older than `snapshot_retention_days` are expired (keeping the newest
      `snapshots_to_keep`), and once per `orphan_file_retention_days` files no snapshot references
      that are older than that are deleted.
    Each procedure runs only when the table's metadata says it has work, so a run that has none pays
    a few metadata queries. Returns what the procedures did.
    https://iceberg.apache.org/docs/1.7.1/spark-procedures/#table-maintenance"""
    now = now or datetime.now(UTC)
    table = name.split(".", 1)[1]  # procedures take the table name within the catalog
    stamp = "%Y-%m-%d %H:%M:%S"
    done = {"rewritten_data_files": 0, "added_data_files": 0, "expired_snapshots": 0, "expired_data_files": 0,
            "orphan_files_removed": 0}  # fmt: skip
    snapshots = spark.sql(
        f"SELECT committed_at, summary FROM {name}.snapshots ORDER BY committed_at"
    ).collect()
    if not snapshots:
        return done
    current = dict(snapshots[-1]["summary"])
    minimum = int(maintenance.compaction_min_input_files)
    delete_files = int(current.get("total-delete-files", 0))
    deleted_rows = int(current.get("total-position-deletes", 0))
    heavy_deletes = delete_files > 0 and deleted_rows >= maintenance.compaction_delete_ratio * max(
        int(current.get("total-records", 0)), 1
    )
    small_bytes = int(maintenance.compaction_small_file_mib * 1024 * 1024)
    # Fewer live data files than `minimum` in the whole table (the snapshot summary says so): no
    # partition can hold `minimum` small ones, and the files metadata need not be read.
    few_files = int(current.get("total-data-files", minimum)) < minimum
    if heavy_deletes or (not few_files and _most_small_files(spark, name, small_bytes) >= minimum):
        options = {"min-input-files": str(minimum), "min-file-size-bytes": str(small_bytes)}
        if heavy_deletes:
            options["delete-file-threshold"] = "1"
        listed = ", ".join(f"{literal(k)}, {literal(v)}" for k, v in options.items())
        compacted = spark.sql(
            f"CALL {CATALOG}.system.rewrite_data_files(table => {literal(table)}, options => map({listed}))"
        ).first()
        done["rewritten_data_files"] = int(compacted["rewritten_data_files_count"])
        done["added_data_files"] = int(compacted["added_data_files_count"])
    # Position deletes of rewritten files stay referenced ("dangling") until their own rewrite drops
    # them (Iceberg 1.7.1's `remove-dangling-deletes` option left them, measured).
    if (done["rewritten_data_files"] and delete_files) or delete_files >= minimum:
        spark.sql(
            f"CALL {CATALOG}.system.rewrite_position_delete_files(table => {literal(table)}, "
            "options => map('rewrite-all', 'true'))"
        )
    older = now - timedelta(days=maintenance.snapshot_retention_days)
    oldest = snapshots[0]["committed_at"].replace(tzinfo=UTC)  # the session's time zone is UTC
    if len(snapshots) > maintenance.snapshots_to_keep and oldest < older:
        expired = spark.sql(
            f"CALL {CATALOG}.system.expire_snapshots(table => {literal(table)}, older_than => TIMESTAMP "
            f"{literal(older.strftime(stamp))}, retain_last => {int(maintenance.snapshots_to_keep)})"
        ).first()
        done["expired_snapshots"] = int(expired["deleted_manifest_lists_count"])
        done["expired_data_files"] = int(expired["deleted_data_files_count"]) + int(
            expired["deleted_position_delete_files_count"]
        )
    # Orphan cleanup lists every file under the table's location: once per retention period (the
    # table property records when; a new table starts the clock), not every run.
    retention = timedelta(days=maintenance.orphan_file_retention_days)
    last = get_property(spark, name, ORPHANS_REMOVED_AT)
    if last is None:
        set_property(spark, name, ORPHANS_REMOVED_AT, now.isoformat())
    elif now - datetime.fromisoformat(last) >= retention:
        orphans = spark.sql(
            f"CALL {CATALOG}.system.remove_orphan_files(table => {literal(table)}, "
            f"older_than => TIMESTAMP {literal((now - retention).strftime(stamp))})"
        ).collect()
        done["orphan_files_removed"] = len(orphans)
        set_property(spark, name, ORPHANS_REMOVED_AT, now.isoformat())
    return done
