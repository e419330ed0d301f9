"""What a silver run changed: its inserted and changed rows (`changes`, counted before its MERGE) and
the delete audit (`record_deletes`): every key a run deleted from a silver table, one row per key in
the lake's Iceberg table `<silver db>._deletes` at `<silver_path>/_deletes/` (source names start with
a letter, so no `<source>_<table>` or source folder is named so).

The audit cannot share the MERGE's commit (Iceberg commits one table at a time), so it is derived
from the table's history instead of the run's memory: the keys a snapshot deleted are those its
parent holds and it does not (both read by time travel). Each run audits the snapshots of the table's
current history after the one the table property `medallion.deletes-audited-snapshot` names (without
it, only the current snapshot), skipping a snapshot the audit already holds rows of, then moves the
property to the current snapshot. A job that dies between the MERGE and the audit append leaves the
property behind: the next run fills the gap, and a re-run adds nothing. See
docs/iceberg.md#full-load-tables-and-deletes.
"""

from __future__ import annotations

import functools
import operator

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from . import iceberg
from .bronze import METADATA_COLUMNS
from .silver import key_join, keys_equal

AUDIT_TABLE = "_deletes"
AUDITED_SNAPSHOT = "medallion.deletes-audited-snapshot"
# Snapshot operations that can remove rows (`append` only adds, `replace` is maintenance rewriting
# files with the same rows): https://iceberg.apache.org/spec/#snapshots
REMOVING = ("overwrite", "delete")


def _keys_of(frame: DataFrame, keys: list[str], types: dict) -> DataFrame:
    """The key columns of `frame`, null for a key column it lacks (an older snapshot's schema)."""
    return frame.select(
        *[
            (F.col(iceberg.quote(k)) if k in frame.columns else F.lit(None).cast(types[k])).alias(k)
            for k in keys
        ]
    )


def changes(before: DataFrame, rows: DataFrame, keys: list[str], null_safe: bool) -> tuple[int, int]:
    """(inserted, changed): of the rows a MERGE (iceberg.merge_newest) applies to a table holding
    `before`, those whose key the table lacks, and those newer than the table's row of their key with
    a different value in a data column (the MERGE rewrites a newer row with equal values too: not a
    change). `rows` must have the table's columns (iceberg.align)."""
    data = [c for c in rows.columns if c not in METADATA_COLUMNS and c not in keys and c in before.columns]
    names = {c: f"__t{i}" for i, c in enumerate(before.columns)}
    table = before.select(
        *[F.col(iceberg.quote(c)).alias(a) for c, a in names.items()], F.lit(True).alias("__matched")
    )
    joined = rows.join(table, keys_equal({k: names[k] for k in keys}, null_safe), "left")
    newer = (F.col("_ingested_at") > F.col(names["_ingested_at"])) | (
        (F.col("_ingested_at") == F.col(names["_ingested_at"]))
        & (F.col("_batch_id") > F.col(names["_batch_id"]))
    )
    differs = functools.reduce(
        operator.or_, [~F.col(iceberg.quote(c)).eqNullSafe(F.col(names[c])) for c in data], F.lit(False)
    )
    counted = joined.agg(
        F.count(F.when(F.col("__matched").isNull() & F.col("_ingested_at").isNotNull(), 1)),
        F.count(F.when(F.col("__matched") & newer & differs, 1)),
    ).first()
    return int(counted[0]), int(counted[1])


def _unaudited(spark: SparkSession, name: str) -> list[tuple[int, int, object]]:
    """(snapshot, parent, committed_at) of the snapshots of the table's current history after its
    audited snapshot (only the current one when it has none) that may have removed rows, oldest first.
    A parent that expired ends the walk: what its child deleted can no longer be told."""
    snapshots = {
        r["snapshot_id"]: r
        for r in spark.sql(
            f"SELECT snapshot_id, parent_id, operation, committed_at FROM {name}.snapshots"
        ).collect()
    }
    mark = iceberg.get_property(spark, name, AUDITED_SNAPSHOT)
    found, at = [], iceberg.current_snapshot(spark, name)
    while at is not None and at in snapshots and str(at) != mark:
        found.append(snapshots[at])
        if mark is None:
            break
        at = snapshots[at]["parent_id"]
    return [
        (s["snapshot_id"], s["parent_id"], s["committed_at"])
        for s in reversed(found)
        if s["operation"] in REMOVING and s["parent_id"] in snapshots
    ]


def record_deletes(
    spark: SparkSession,
    database: str,
    silver_root: str,
    name: str,
    source: str,
    table: str,
    keys: list[str],
    batch_id: str,
    maintenance,
) -> dict:
    """Appends to the audit table the keys each unaudited snapshot of the silver table `name` deleted
    (source, table_name, key as JSON text of the `keys` columns, this run's `batch_id`, the deleting
    snapshot and its commit time) and returns how many (`keys`) and, when it appended, the audit
    table's maintenance (iceberg.maintain, as the lake spec's `tableMaintenance` says). A table
    without primary key is keyed by all its data columns: a changed row is audited as the deletion
    of its old values."""
    audit = iceberg.table_name(database, AUDIT_TABLE)
    pending = _unaudited(spark, name)
    if pending and iceberg.exists(spark, audit):
        listed = ", ".join(str(s) for s, _, _ in pending)
        done = {
            r[0]
            for r in spark.table(audit)
            .where(
                (F.col("source") == source)
                & (F.col("table_name") == table)
                & F.expr(f"snapshot_id IN ({listed})")
            )
            .select("snapshot_id")
            .distinct()
            .collect()
        }
        pending = [p for p in pending if p[0] not in done]
    recorded = 0
    for snapshot, parent, committed_at in pending:
        after = spark.read.option("snapshot-id", snapshot).table(name)
        types = {f.name: f.dataType for f in after.schema.fields}
        before = spark.read.option("snapshot-id", parent).table(name)
        # A null-safe match either way: a key a snapshot has is never audited as deleted by it.
        gone = key_join(_keys_of(before, keys, types), _keys_of(after, keys, types), keys, True, "left_anti")
        rows = gone.select(
            F.lit(source).alias("source"),
            F.lit(table).alias("table_name"),
            F.to_json(
                F.struct(*[F.col(iceberg.quote(k)) for k in keys]), {"ignoreNullFields": "false"}
            ).alias("key"),
            F.lit(batch_id).alias("batch_id"),
            F.lit(snapshot).cast("bigint").alias("snapshot_id"),
            F.lit(committed_at).cast("timestamp").alias("deleted_at"),
        ).persist()
        count = rows.count()
        if count and iceberg.exists(spark, audit):
            rows.writeTo(audit).append()
        elif count:
            iceberg.create(spark, audit, rows, f"{silver_root}/{AUDIT_TABLE}")
        rows.unpersist()
        recorded += count
    current = iceberg.current_snapshot(spark, name)
    if current is not None and iceberg.get_property(spark, name, AUDITED_SNAPSHOT) != str(current):
        iceberg.set_property(spark, name, AUDITED_SNAPSHOT, str(current))
    done = {"keys": recorded}
    if recorded:
        done["maintenance"] = iceberg.maintain(spark, audit, maintenance)
    return done
