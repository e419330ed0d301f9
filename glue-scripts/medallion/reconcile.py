"""Reconciling an incremental table with its source (docs/iceberg.md#incremental-tables-reconcile):
bronze's key snapshot (the source's primary keys, and with `compare: rows` each row's hash computed
by the source itself), when bronze takes one (every `everyRuns`-th run), which silver rows a
snapshot deletes, and (rows) which keys bronze re-reads because their row changed in place. Reading
above a watermark never sees a deleted row or a row changed in place.

No race deletes a row: a snapshot deletes only silver rows ingested before it started (`_ingested_at`
< its `key_scan_started`); a row inserted or updated while it is read arrives in a later batch.

No race loses an update (rows): the hash bronze records for a key is only ever one the source
computed in the same query that read the row's values (a batch's `_row_hash`, a re-read's), never a
snapshot's. A row changed while the snapshot reads it shows the snapshot its old hash (re-read by a
later reconcile) or its new one (re-read now); either way the recorded hash names a version the lake
holds, so a difference from the source is seen by the next snapshot at the latest."""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .bronze import bronze_batch_path, quote_identifier, quote_table, sql_literal

KEYS_FOLDER = "_keys"
# The source's hash of a row, read with it (compare: rows): kept in bronze, dropped by silver.
ROW_HASH = "_row_hash"
# Below the key snapshots: the hashes bronze last read per key (`hashes_path`).
HASHES_FOLDER = "_hashes"
# Keys re-read by key per query (batched IN lists / OR-ed key equalities), and the most keys re-read
# by key at all: past that (e.g. the first `rows` run of a table bronze read without hashes) bronze
# re-reads the table whole once, one query instead of thousands.
REREAD_CHUNK = 1000
REREAD_BY_KEY_LIMIT = 20_000
_KEY_TYPES = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.DecimalType, T.StringType, T.DateType)
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


def hashes_path(bronze_path: str, source: str, table: str, batch_id: str) -> str:
    """The table's recorded hashes as of a run (key columns, `_row_hash`, `_ingested_at`), which the
    schedule names; written by a `rows` reconcile."""
    return f"{keys_table_path(bronze_path, source, table)}/{HASHES_FOLDER}/{batch_id}"


def hash_kind(kind: T.DataType) -> str:
    """How `row_hash_sql` renders a column of Spark type `kind` for SQL Server (its default text
    forms drop timestamp digits and float digits): timestamp, date, float or other."""
    if isinstance(kind, T.TimestampType | T.TimestampNTZType):
        return "timestamp"
    if isinstance(kind, T.DateType):
        return "date"
    if isinstance(kind, T.FloatType | T.DoubleType):
        return "float"
    return "other"


def hash_columns(schema: T.StructType) -> list[tuple[str, str]]:
    """The source columns a row hash covers, in the source's order, with their `hash_kind`: every
    column the source delivers (bronze's metadata and the hash itself excluded), so a change to any
    column silver keeps is seen."""
    skip = {ROW_HASH, "_ingested_at", "_batch_id", "_source"}
    return [(f.name, hash_kind(f.dataType)) for f in schema.fields if f.name not in skip]


def row_hash_sql(dialect: str, columns: list[tuple[str, str]]) -> str:
    """SQL computing a row's hash from its `(name, hash_kind)` columns with the source's own
    functions, so the lake never reproduces the source's text forms (and silver's normalisation never
    looks like a change). Every value is told apart from null and from its neighbours:
    - PostgreSQL: md5 of the row's composite text form, which quotes a value holding a comma, quote
      or parenthesis, writes null as nothing and an empty string as "" (PostgreSQL 8.16.6
      https://www.postgresql.org/docs/current/rowtypes.html#ROWTYPES-IO-SYNTAX, md5:
      https://www.postgresql.org/docs/current/functions-string.html).
    - MySQL/MariaDB: MD5 of CONCAT_WS over each value's HEX (hex digits only, so ',' separates) or
      'n' for null, since CONCAT_WS skips nulls (https://mariadb.com/kb/en/concat_ws,
      https://mariadb.com/kb/en/md5, https://mariadb.com/kb/en/hex).
    - SQL Server: HASHBYTES('SHA2_256') of the same hex-or-'n' list (no input limit since SQL Server
      2016, 8000 bytes before), datetimes converted with style 126 (ISO 8601, every fraction digit)
      and floats with style 3 (17 digits, lossless, SQL Server 2016+)
      (https://learn.microsoft.com/sql/t-sql/functions/hashbytes-transact-sql,
      https://learn.microsoft.com/sql/t-sql/functions/cast-and-convert-transact-sql,
      https://learn.microsoft.com/sql/t-sql/functions/concat-ws-transact-sql). No SQL Server runs
      here: its SQL is checked as text only."""
    if not columns:
        raise ValueError("a row hash needs the table's columns")
    quoted = [(quote_identifier(dialect, name), kind) for name, kind in columns]
    if dialect == "postgres":
        return f"md5(ROW({', '.join(q for q, _ in quoted)})::text)"
    if dialect == "mysql":
        parts = [f"IFNULL(HEX(CAST({q} AS CHAR)), 'n')" for q, _ in quoted]
        return f"MD5(CONCAT_WS(',', {', '.join(parts)}))"
    if dialect == "sqlserver":
        styles = {"timestamp": ", 126", "date": ", 126", "float": ", 3"}
        parts = [
            "ISNULL(CONVERT(varchar(max), CONVERT(varbinary(max), "
            f"CONVERT(nvarchar(max), {q}{styles.get(k, '')})), 2), 'n')"
            for q, k in quoted
        ]
        return f"LOWER(CONVERT(char(64), HASHBYTES('SHA2_256', CONCAT_WS(',', {', '.join(parts)})), 2))"
    raise ValueError(f"unknown SQL dialect {dialect!r}")


def hashed(dialect: str, columns: list[tuple[str, str]]) -> str:
    """`, <row hash> AS _row_hash`: what a `rows` table's reads add to their SELECT list."""
    return f", {row_hash_sql(dialect, columns)} AS {quote_identifier(dialect, ROW_HASH)}"


def key_query(
    dialect: str, source_table: str, primary_key: list[str], hash_of: list[tuple[str, str]] | None = None
) -> str:
    """The key snapshot's query: only the primary key columns (and, for `rows`, the row hash of the
    `hash_of` columns), pushed down to the source whole."""
    if not primary_key:
        raise ValueError("a key snapshot needs the table's primary key")
    keys = ", ".join(quote_identifier(dialect, k) for k in primary_key)
    extra = hashed(dialect, hash_of) if hash_of else ""
    return f"SELECT {keys}{extra} FROM {quote_table(dialect, source_table)}"


def reread_queries(
    dialect: str,
    source_table: str,
    key_types: dict[str, T.DataType],
    keys: list[tuple],
    hash_of: list[tuple[str, str]],
) -> list[str]:
    """The queries re-reading the rows of `keys` (tuples in `key_types`' order) with their hash,
    REREAD_CHUNK keys each: `IN (...)` for a one-column key, OR-ed key equalities otherwise. Every
    key value becomes an exact literal of its column's type (`bronze.sql_literal`, which refuses
    anything else); key types that cannot be re-read exactly (floats, timestamps stored at
    millisecond precision) are refused, and the caller re-reads the table whole."""
    names = list(key_types)
    unsupported = [n for n, k in key_types.items() if not isinstance(k, _KEY_TYPES)]
    if unsupported:
        raise ValueError(f"keys {unsupported} cannot be re-read by key (integer, decimal, string, date can)")
    select = f"SELECT *{hashed(dialect, hash_of)} FROM {quote_table(dialect, source_table)}"
    quoted = [quote_identifier(dialect, n) for n in names]
    queries = []
    for start in range(0, len(keys), REREAD_CHUNK):
        chunk = keys[start : start + REREAD_CHUNK]
        literals = [[sql_literal(dialect, key_types[n], v) for n, v in zip(names, key, strict=True)]
                    for key in chunk]  # fmt: skip
        if len(names) == 1:
            where = f"{quoted[0]} IN ({', '.join(lit[0] for lit in literals)})"
        else:
            where = " OR ".join(
                "(" + " AND ".join(f"{q} = {v}" for q, v in zip(quoted, lit, strict=True)) + ")"
                for lit in literals
            )
        queries.append(f"{select} WHERE {where}")
    return queries


def whole_read_query(dialect: str, source_table: str, hash_of: list[tuple[str, str]]) -> str:
    """The table whole with its hashes: the re-read when too many keys changed to read them by key."""
    return f"SELECT *{hashed(dialect, hash_of)} FROM {quote_table(dialect, source_table)}"


def recorded_hashes(state: DataFrame | None, ingested: DataFrame, keys: list[str]) -> DataFrame:
    """The hash bronze last read per key: the newest (`_ingested_at`) of the recorded state's rows
    and the rows bronze ingested since (their `_row_hash`; null where bronze read no hash, e.g. a
    batch before `rows` was set), one row per key (key columns, `_row_hash`, `_ingested_at`)."""
    columns = [*keys, ROW_HASH, "_ingested_at"]
    rows = ingested.select(*[F.col(f"`{c}`") for c in columns])
    if state is not None:
        rows = rows.unionByName(state.select(*[F.col(f"`{c}`") for c in columns]))
    order = F.col("_ingested_at").desc(), F.col(ROW_HASH).isNull()  # a tie: the known hash
    window = Window.partitionBy(*[F.col(f"`{k}`") for k in keys]).orderBy(*order)
    return rows.withColumn("__n", F.row_number().over(window)).where("__n = 1").drop("__n")


def changed_keys(snapshot: DataFrame, recorded: DataFrame, keys: list[str]) -> DataFrame:
    """The snapshot's keys whose hash differs from the one bronze last read for them, or that bronze
    has no hash for (never read with one): the keys to re-read. Only key columns. A key with a null
    column is never one: it matches nothing (as for deletes), cannot be re-read by key, and silver
    rejects its row (else every run would re-read such a table whole)."""
    snapshot = snapshot.where(functools.reduce(operator.and_, [F.col(f"`{k}`").isNotNull() for k in keys]))
    renamed = recorded.select(
        *[F.col(f"`{k}`").alias(f"__key{i}") for i, k in enumerate(keys)], F.col(ROW_HASH).alias("__hash")
    )
    pairs = [F.col(f"`{k}`") == F.col(f"__key{i}") for i, k in enumerate(keys)]
    equal = functools.reduce(operator.and_, pairs)
    joined = snapshot.join(renamed, equal, "left")
    differs = F.col("__hash").isNull() | (F.col("__hash") != F.col(ROW_HASH))
    return joined.where(differs).select(*[F.col(f"`{k}`") for k in keys]).distinct()


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
