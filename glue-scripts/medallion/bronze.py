"""Pure helpers of the bronze job: SQL for the source reads, batch ids, ingestion metadata and the
local watermark state (on Glue, job bookmarks keep the watermark instead)."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

METADATA_COLUMNS = ("_ingested_at", "_batch_id", "_source")
_BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_JDBC_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlserver": "sqlserver"}
GLUE_CONNECTION_TYPES = {"postgres": "postgresql", "mysql": "mysql", "sqlserver": "sqlserver"}


def dialect_for_jdbc_url(url: str) -> str:
    """The SQL dialect of a JDBC URL. Locally the server decides quoting, not the spec's engine:
    PostgreSQL stands in for the crm source's SQL Server."""
    match = re.match(r"^jdbc:([a-z]+):", url)
    if not match or match[1] not in _JDBC_DIALECTS:
        raise ValueError(
            f"unsupported JDBC URL {url!r}: expected jdbc:postgresql:, jdbc:mysql:, "
            "jdbc:mariadb: or jdbc:sqlserver:"
        )
    return _JDBC_DIALECTS[match[1]]


def quote_identifier(dialect: str, name: str) -> str:
    if dialect == "postgres":
        return '"' + name.replace('"', '""') + '"'
    if dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    if dialect == "sqlserver":
        return "[" + name.replace("]", "]]") + "]"
    raise ValueError(f"unknown SQL dialect {dialect!r}")


def quote_table(dialect: str, source_table: str) -> str:
    """`schema.table` or `table`, each part quoted for the dialect (e.g. MySQL's `date`)."""
    return ".".join(quote_identifier(dialect, part) for part in source_table.split("."))


_INTEGERS = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
_FLOATS = (T.FloatType, T.DoubleType)
_TIMESTAMPS = (T.TimestampType, T.TimestampNTZType)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _string_literal(dialect: str, text: str) -> str:
    """A string literal compared by code point, as Spark's `max` orders strings (UTF-8 bytes), not
    by the column's collation (MariaDB's default is case-insensitive: 'B' > 'a' there). PostgreSQL's
    E'' string escapes backslashes whatever standard_conforming_strings says; MySQL's is a hex
    literal, safe whatever sql_mode's NO_BACKSLASH_ESCAPES says; SQL Server has no backslash escapes.
    Binary collations compare trailing spaces as PAD SPACE (MySQL, SQL Server) and SQL Server's
    nvarchar by UTF-16 code unit: watermarks that differ only there are not told apart."""
    if dialect == "postgres":
        return "E'" + text.replace("\\", "\\\\").replace("'", "''") + '\' COLLATE "C"'
    if dialect == "mysql":
        return f"_utf8mb4 X'{text.encode('utf-8').hex()}' COLLATE utf8mb4_bin"
    if dialect == "sqlserver":
        return "N'" + text.replace("'", "''") + "' COLLATE Latin1_General_100_BIN2"
    raise ValueError(f"unknown SQL dialect {dialect!r}")


def sql_literal(dialect: str, kind: T.DataType, value: object) -> str:
    """A watermark value (as `decode_watermark` gives it) as an exact SQL literal of the column's
    type: numbers bare (a bare decimal is exact in all three engines; MySQL compares a quoted one as
    a double), timestamps and dates cast from their ISO text in UTC (the jobs' JVM zone, which the
    JDBC drivers read zone-less columns in). PostgreSQL's quoted literal takes the column's own type
    (timestamp ignores the offset, timestamptz honours it); MariaDB's DATETIME literals take no
    offset; SQL Server's datetimeoffset compares with datetime, datetime2 and datetimeoffset."""
    if isinstance(kind, _INTEGERS) and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(kind, T.DecimalType) and isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    if isinstance(kind, _FLOATS) and isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(kind, _TIMESTAMPS) and isinstance(value, datetime) and value.tzinfo is not None:
        utc = value.astimezone(UTC)
        text = {
            "postgres": "'{}'",
            "mysql": "CAST('{}' AS DATETIME(6))",
            "sqlserver": "CAST('{} +00:00' AS datetimeoffset(7))",
        }[dialect]
        wall = utc.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return text.format(f"{wall}+00:00" if dialect == "postgres" else wall)
    if isinstance(kind, T.DateType) and isinstance(value, date) and not isinstance(value, datetime):
        cast = {"postgres": "DATE '{}'", "mysql": "CAST('{}' AS DATE)", "sqlserver": "CAST('{}' AS date)"}
        return cast[dialect].format(value.isoformat())
    if isinstance(kind, T.StringType) and isinstance(value, str):
        return _string_literal(dialect, value)
    raise ValueError(
        f"a watermark of a {kind.simpleString()} column cannot be {value!r}: watermark columns must be"
        " integers, decimals, floating point numbers, timestamps, dates or strings"
    )


def source_query(
    dialect: str,
    source_table: str,
    watermark_column: str | None,
    kind: T.DataType | None = None,
    after: object = None,
    up_to: object = None,
    extra: str = "",
) -> str:
    """SELECT of one table, restricted to watermark values in (after, up_to] when given: JSON values
    of the local state, decoded for the watermark column's type `kind`. `extra` is appended to the
    SELECT list (a `rows` table's `reconcile.hashed`)."""
    conditions = []
    for op, bound in ((">", after), ("<=", up_to)):
        if watermark_column and bound is not None:
            literal = sql_literal(dialect, kind, decode_watermark(kind, bound))
            conditions.append(f"{quote_identifier(dialect, watermark_column)} {op} {literal}")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT *{extra} FROM {quote_table(dialect, source_table)}{where}"


def bounds_query(dialect: str, query: str, partition_column: str) -> str:
    """MIN/MAX of the partition column over `query`, for Spark's parallel JDBC read bounds."""
    col = quote_identifier(dialect, partition_column)
    return f"SELECT MIN({col}) AS lo, MAX({col}) AS hi FROM ({query}) b"


def as_dbtable(query: str) -> str:
    """A query as the `dbtable` option (a derived table), which, unlike `query`, allows partitioning."""
    return f"({query}) src"


def resolve_batch_id(batch_id: str | None, job_run_id: str | None, now: datetime) -> str:
    """`--batch_id`, else the Glue JOB_RUN_ID, else a UTC timestamp; safe as a path segment."""
    chosen = batch_id or job_run_id or now.strftime("%Y%m%dT%H%M%SZ")
    if not _BATCH_ID.match(chosen):
        raise ValueError(f"batch id {chosen!r} may only contain letters, digits, '_', '.' and '-'")
    return chosen


def bronze_table_path(bronze_path: str, source: str, table: str) -> str:
    return f"{bronze_path.rstrip('/')}/{source}/{table}"


def bronze_batch_path(bronze_path: str, source: str, table: str, ingest_date: date, batch_id: str) -> str:
    table_path = bronze_table_path(bronze_path, source, table)
    return f"{table_path}/ingest_date={ingest_date.isoformat()}/batch_id={batch_id}"


def add_ingestion_metadata(df: DataFrame, source: str, batch_id: str, ingested_at: datetime) -> DataFrame:
    """Appends `_ingested_at` (the batch's start, one value per batch), `_batch_id` and `_source`."""
    clash = [c for c in METADATA_COLUMNS if c in df.columns]
    if clash:
        raise ValueError(f"source {source}: columns {clash} clash with the bronze metadata columns")
    return df.withColumns(
        {
            "_ingested_at": F.lit(ingested_at).cast("timestamp"),
            "_batch_id": F.lit(batch_id),
            "_source": F.lit(source),
        }
    )


def write_metrics(df: DataFrame, watermark_column: str | None) -> list[Column]:
    """What a batch's write observes (`DataFrame.observe`), so the source is read once: `rows`, and
    for an incremental table the `first` and `reached` watermarks. py4j hands back numbers and
    strings as Python values but timestamps and dates as Java objects, so those are observed as
    their internal values (microseconds, days since the epoch) for `observed_watermark`."""
    metrics = [F.count(F.lit(1)).alias("rows")]
    if watermark_column:
        kind = df.select(watermark_column).schema[0].dataType
        for name, aggregate in (("first", F.min), ("reached", F.max)):
            value = aggregate(watermark_column)
            if isinstance(kind, _TIMESTAMPS):
                value = F.unix_micros(value.cast("timestamp"))
            elif isinstance(kind, T.DateType):
                value = F.unix_date(value)
            metrics.append(value.alias(name))
    return metrics


def observed_watermark(kind: T.DataType, value: object) -> object:
    """A watermark observed through `write_metrics` as `collect()` would give it."""
    if value is None:
        return None
    if isinstance(kind, _TIMESTAMPS):
        return _EPOCH + timedelta(microseconds=value)
    if isinstance(kind, T.DateType):
        return date(1970, 1, 1) + timedelta(days=value)
    return value


def error_text(error: BaseException) -> str:
    """An error on one line for the run summary and the job's error: a JVM error's class and message
    (py4j's text of it adds the whole Java stack trace), else the Python exception's."""
    java = getattr(error, "java_exception", None)
    text = str(java.toString()) if java is not None else f"{type(error).__name__}: {error}"
    return " ".join(text.split())


def json_watermark(value: object) -> object:
    """A watermark read from Spark as its exact JSON value: integers as JSON integers (Python's json
    never passes them through a float), decimals as strings, timestamps in UTC with microseconds and
    the offset, dates in ISO form; `decode_watermark` reads it back."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def decode_watermark(kind: T.DataType, value: object) -> object:
    """A JSON watermark of the local state as the Python value of a column of type `kind`. A
    timestamp without offset (written before offsets were recorded) is UTC, as it was read."""
    try:
        if value is None or isinstance(value, bool):
            pass
        elif isinstance(kind, _TIMESTAMPS) and isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        elif isinstance(kind, T.DateType) and isinstance(value, str):
            return date.fromisoformat(value)
        elif isinstance(kind, T.DecimalType) and isinstance(value, str | int):
            return Decimal(str(value))
        elif isinstance(kind, _FLOATS) and isinstance(value, int | float):
            return float(value)
        elif isinstance(kind, _INTEGERS) and isinstance(value, int):
            return value
        elif isinstance(kind, T.StringType) and isinstance(value, str):
            return value
    except (ValueError, ArithmeticError):
        pass
    raise ValueError(
        f"the local watermark state holds {value!r}, not a value of the watermark column's type"
        f" {kind.simpleString()} (did the source column's type change? delete the table's state file"
        " under _state/ to read it whole again)"
    )


def plan_batch(state: dict | None, column: str, batch_id: str) -> tuple[object, object]:
    """The (after, up_to] watermark window of a batch. A new batch starts at the highest watermark
    reached; re-running a recorded batch re-reads its own window (open-ended if it was the last)."""
    if not state or state.get("column") != column:
        return None, None
    batches = state.get("batches", [])
    for i, batch in enumerate(batches):
        if batch["batch_id"] == batch_id:
            return batch["from"], (batch["to"] if i < len(batches) - 1 else None)
    return state.get("watermark"), None


def record_batch(
    state: dict | None, column: str, kind: T.DataType, batch_id: str, after: object, reached: object
) -> dict:
    """The state after a batch read rows up to `reached` (None when it read nothing). The watermark
    is the highest by the column's type `kind` ("10.5" > "9.5" as decimals, not as strings)."""
    kept = state if state and state.get("column") == column else {"column": column, "batches": []}
    batches = [b for b in kept["batches"] if b["batch_id"] != batch_id]
    rerun_at = next((i for i, b in enumerate(kept["batches"]) if b["batch_id"] == batch_id), len(batches))
    to = reached if reached is not None else after
    batches.insert(rerun_at, {"batch_id": batch_id, "from": after, "to": to})
    marks = [b["to"] for b in batches if b["to"] is not None]
    highest = max(marks, key=lambda mark: decode_watermark(kind, mark)) if marks else None
    return {"column": column, "watermark": highest, "batches": batches}


# Bookmark options that read from the last bookmark: `pause` does so without advancing it.
# https://docs.aws.amazon.com/glue/latest/dg/monitor-continuations.html
_INCREMENTAL_BOOKMARK_OPTIONS = ("job-bookmark-enable", "job-bookmark-pause")


def describe_read(
    watermark_column: str | None, on_glue: bool, bookmark_option: str | None, after: object
) -> tuple[bool, str]:
    """Whether this run read a table incrementally, and from what, for the run summary: a full
    re-read of an incremental table (bookmarks off, no earlier watermark) shows there."""
    if not watermark_column:
        return False, "full load: the table has no watermarkColumn"
    if on_glue:
        if bookmark_option in _INCREMENTAL_BOOKMARK_OPTIONS:
            return True, f"after the job bookmark on {watermark_column} ({bookmark_option})"
        return False, f"full re-read: job bookmarks are off ({bookmark_option})"
    if after is None:
        return False, f"full read: no earlier watermark of {watermark_column}"
    return True, f"after the local watermark {watermark_column} > {after}"
