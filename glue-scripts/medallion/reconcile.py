"""Reconciling an incremental table with its source (docs/iceberg.md#incremental-tables-reconcile):
bronze's key snapshot (the source's primary keys), when bronze takes one (every `everyRuns`-th run),
and which silver rows a snapshot deletes. Reading above a watermark never sees a deleted row.

No race deletes a row: a snapshot deletes only silver rows ingested before it started (`_ingested_at`
< its `key_scan_started`); a row inserted or updated while it is read arrives in a later batch."""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .bronze import bronze_batch_path, quote_identifier, quote_table

KEYS_FOLDER = "_keys"
# Silver's table property naming the newest key snapshot it applied (its `key_scan_started`).
APPLIED_PROPERTY = "medallion.reconcile.applied"


def keys_table_path(bronze_path: str, source: str, table: str) -> str:
    return f"{bronze_path.rstrip('/')}/{KEYS_FOLDER}/{source}/{table}"


def keys_batch_path(bronze_path: str, source: str, table: str, ingest_date: date, batch_id: str) -> str:
    """A key snapshot, dated like the batch whose run took it."""
    return bronze_batch_path(f"{bronze_path.rstrip('/')}/{KEYS_FOLDER}", source, table, ingest_date, batch_id)


def schedule_path(bronze_path: str, source: str, table: str) -> str:
    """Bronze's durable count of the table's runs since its last key snapshot."""
    return f"{keys_table_path(bronze_path, source, table)}/_schedule.json"


def key_query(dialect: str, source_table: str, primary_key: list[str]) -> str:
    """The key snapshot's query: only the primary key columns, pushed down to the source whole."""
    if not primary_key:
        raise ValueError("a key snapshot needs the table's primary key")
    keys = ", ".join(quote_identifier(dialect, k) for k in primary_key)
    return f"SELECT {keys} FROM {quote_table(dialect, source_table)}"


def snapshot_due(state: dict | None, reconcile: dict, batch_id: str) -> bool:
    """Whether this bronze run takes a key snapshot: on the first run with this reconcile setting,
    then every `everyRuns`-th run; a re-run of a counted batch decides as that batch did."""
    if not state or state.get("reconcile") != reconcile:
        return True
    if state.get("batch_id") == batch_id:
        return bool(state["scanned"])
    return state["runs_since_scan"] + 1 >= reconcile["everyRuns"]


def record_run(state: dict | None, reconcile: dict, batch_id: str, scanned: bool) -> dict:
    """The schedule after a run of the table (written only when the run ingested the table)."""
    if state and state.get("reconcile") == reconcile and state.get("batch_id") == batch_id:
        return state  # a re-run counts once
    since = 0 if scanned else (state or {}).get("runs_since_scan", 0) + 1
    return {"reconcile": reconcile, "batch_id": batch_id, "scanned": scanned, "runs_since_scan": since}


def _key_match(left: DataFrame, right: DataFrame, keys: list[str], how: str) -> DataFrame:
    other = right.select(*[F.col(f"`{k}`").alias(f"__key{i}") for i, k in enumerate(keys)]).distinct()
    equal = [F.col(f"`{k}`") == F.col(f"__key{i}") for i, k in enumerate(keys)]
    return left.join(other, functools.reduce(operator.and_, equal), how).select(*left.columns)


def deleted_rows(silver: DataFrame, snapshot: DataFrame, keys: list[str], started: datetime) -> DataFrame:
    """The silver rows a key snapshot deletes: ingested before it started and keyed by a key it
    lacks. A row ingested since (inserted or updated at the source while the snapshot was read) stays."""
    before = silver.where(F.col("_ingested_at") < F.lit(started).cast("timestamp"))
    return _key_match(before, snapshot, keys, "left_anti")
