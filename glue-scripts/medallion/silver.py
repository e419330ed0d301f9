"""Silver transformations: type the bronze rows per the spec, quarantine what fails, deduplicate.

Order matters: validation comes first (a row with a null key cannot be deduplicated), then the
valid rows are deduplicated on the primary key keeping the latest ingested row. A newer version
that fails validation is quarantined and the previous valid version stays in silver.
Running these transforms needs `spark.sql.legacy.timeParserPolicy=CORRECTED` (the jobs set it), so
that an unparseable timestamp becomes a quarantined row instead of a job failure.

A run's rows are told apart by `_ingested_at` (one value per bronze batch, its start): they are the
rows ingested after the newest row the silver table holds (its watermark, `iceberg.newest_ingested`), i.e.
the bronze batches no earlier silver MERGE has applied (`ingested_after`); see silver_job.py.

A full-load table (no watermark column: each bronze batch is the whole source table) follows its newest
batch (`full_load_rows`): a key no row of that batch has is deleted from silver, a key whose newest
row silver rejects is kept at its previous version, and rows of older pending batches count only for
the keys the newest batch still has (so N runs leave what one run over the same batches leaves).
"""

from __future__ import annotations

import functools
import operator
from datetime import datetime

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from .bronze import METADATA_COLUMNS
from .spec import Table

REASON = "_reason"
DERIVED_DATE_PARTS = ("year", "month")
_RAW = "__raw"


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _clean(df: DataFrame, name: str) -> SparkColumn:
    """Strings are trimmed and empty strings become null; other types pass through."""
    col = F.col(_ident(name))
    if isinstance(df.schema[name].dataType, StringType):
        return F.nullif(F.trim(col), F.lit(""))
    return col


def _typed(name: str, type_name: str, fmt: str | None, is_string: bool) -> SparkColumn:
    """The value as `type_name`, or null when it cannot be converted. A formatted string is parsed
    with its format; an already typed value (e.g. a JDBC timestamp) is cast."""
    if is_string and fmt and type_name in ("timestamp", "date"):
        parsed = F.try_to_timestamp(F.col(_ident(name)), F.lit(fmt))
        return parsed.cast("date") if type_name == "date" else parsed
    return F.expr(f"try_cast({_ident(name)} AS {type_name})")


def conform(bronze: DataFrame, table: Table) -> DataFrame:
    """Typed spec columns (other source columns unchanged), the bronze metadata, `_reason` (null
    for a valid row, else every failure joined by '; ') and `__raw` (the row as strings)."""
    metadata = [c for c in METADATA_COLUMNS if c in bronze.columns]
    data_columns = [c for c in bronze.columns if c not in METADATA_COLUMNS]
    missing = [c.name for c in table.columns if c.name not in bronze.columns]
    if missing:
        raise ValueError(f"table {table.name}: bronze data lacks the spec column(s) {', '.join(missing)}")
    raw = F.struct(*[F.col(_ident(c)).cast("string").alias(c) for c in bronze.columns]).alias(_RAW)
    cleaned = bronze.select(*[_clean(bronze, c).alias(c) for c in data_columns], *metadata, raw)

    spec = {c.name: c for c in table.columns}
    typed = []
    reasons = []
    for name in data_columns:
        ident = F.col(_ident(name))
        if name not in spec:
            typed.append(ident.alias(name))
            continue
        col = spec[name]
        value = _typed(name, col.type, col.format, isinstance(cleaned.schema[name].dataType, StringType))
        typed.append(value.alias(name))
        how = f" with format {col.format}" if col.format else ""
        reasons.append(
            F.when(ident.isNotNull() & value.isNull(), F.lit(f"unparseable {name} as {col.type}{how}"))
        )
        if name in table.primary_key:
            reasons.append(F.when(ident.isNull(), F.lit(f"null primary key {name}")))
    reason = F.concat_ws("; ", *reasons) if reasons else F.lit("")
    return cleaned.select(*typed, *metadata, F.nullif(reason, F.lit("")).alias(REASON), _RAW)


def quarantine_rows(conformed: DataFrame) -> DataFrame:
    """The failed rows as delivered (every column as a string) with their `_reason`."""
    return conformed.where(F.col(REASON).isNotNull()).select(f"{_RAW}.*", REASON)


def valid_rows(conformed: DataFrame) -> DataFrame:
    return conformed.where(F.col(REASON).isNull()).drop(REASON, _RAW)


def deduplicate(valid: DataFrame, table: Table) -> DataFrame:
    """One row per primary key (all data columns when there is none): the latest `_ingested_at`,
    ties broken by the greater `_batch_id`."""
    keys = list(table.primary_key) or [c for c in valid.columns if c not in METADATA_COLUMNS]
    window = Window.partitionBy(*[F.col(_ident(k)) for k in keys]).orderBy(
        F.col("_ingested_at").desc(), F.col("_batch_id").desc()
    )
    return valid.withColumn("__rank", F.row_number().over(window)).where("__rank = 1").drop("__rank")


def add_date_parts(df: DataFrame, table: Table) -> DataFrame:
    """Integer `year` and `month` of the date column; a source column of the same name (TICKIT's
    date.year, date.month 'JAN') is kept as delivered instead of being overwritten."""
    if not table.date_column:
        return df
    date_col = F.col(_ident(table.date_column))
    parts = {"year": F.year(date_col), "month": F.month(date_col)}
    return df.withColumns({k: v.cast("int") for k, v in parts.items() if k not in df.columns})


def shadowed_date_parts(columns: list[str], table: Table) -> list[str]:
    """Derived date parts that a source column of the same name prevents (reported in the logs)."""
    return [p for p in DERIVED_DATE_PARTS if table.date_column and p in columns]


def silver_layout(df: DataFrame) -> DataFrame:
    """Data columns, derived date parts, then `_ingested_at`, `_batch_id` (the `_source` is implied by
    the silver path)."""
    data = [c for c in df.columns if c not in METADATA_COLUMNS]
    return df.select(*[F.col(_ident(c)) for c in data], "_ingested_at", "_batch_id")


def silver_rows(conformed: DataFrame, table: Table) -> DataFrame:
    """The silver table from conformed rows: valid rows, deduplicated, with date parts."""
    return silver_layout(add_date_parts(deduplicate(valid_rows(conformed), table), table))


def empty_silver_rows(spark, table: Table) -> DataFrame:
    """No rows, with the columns and types `silver_rows` gives bronze rows of the declared columns
    (the silver table of a source table that has delivered nothing yet)."""
    delivered = ", ".join(f"{_ident(c.name)} string" for c in table.columns)
    metadata = "_ingested_at timestamp, _batch_id string, _source string"
    bronze = spark.createDataFrame([], f"{delivered}, {metadata}")
    return silver_rows(conform(bronze, table), table)


def newest_ingested(df: DataFrame) -> datetime | None:
    """The newest `_ingested_at` of silver or quarantine rows (the quarantine holds it as a string);
    None for no rows."""
    return df.agg(F.max(F.col("_ingested_at").cast("timestamp"))).first()[0]


def ingested_after(df: DataFrame, mark: datetime | None) -> DataFrame:
    """The rows ingested after `mark`: this run's rows (every row on a table's first run)."""
    return df if mark is None else df.where(F.col("_ingested_at") > F.lit(mark).cast("timestamp"))


def newest_batch(df: DataFrame) -> DataFrame:
    """The rows of the newest batch among `df`'s (latest `_ingested_at`, ties: the greater `_batch_id`,
    silver.deduplicate's order); no rows for no rows."""
    newest = (
        df.select("_ingested_at", "_batch_id")
        .orderBy(F.col("_ingested_at").desc(), F.col("_batch_id").desc())
        .first()
    )
    if newest is None:
        return df
    return df.where((F.col("_ingested_at") == F.lit(newest[0])) & (F.col("_batch_id") == F.lit(newest[1])))


def key_join(left: DataFrame, right: DataFrame, keys: list[str], null_safe: bool, how: str) -> DataFrame:
    """`left` semi- or anti-joined (`how`) with `right` on `keys`, with `<=>` when `null_safe`; a key
    column `left` lacks (a silver table before the column a source gained is added) compares as null."""
    types = {f.name: f.dataType for f in right.schema.fields}
    left = left.withColumns({k: F.lit(None).cast(types[k]) for k in keys if k not in left.columns})
    renamed = {k: f"__key{i}" for i, k in enumerate(keys)}
    other = right.select(*[F.col(_ident(k)).alias(alias) for k, alias in renamed.items()])
    return left.join(other, keys_equal(renamed, null_safe), how)


def keys_equal(renamed: dict[str, str], null_safe: bool) -> SparkColumn:
    """Each key column equal to its copy of the other side (`renamed`: key -> the copy's name), with
    `<=>` when `null_safe` (a table keyed by all its columns, where a null is a value)."""
    equal = [
        F.col(_ident(k)).eqNullSafe(F.col(alias)) if null_safe else F.col(_ident(k)) == F.col(alias)
        for k, alias in renamed.items()
    ]
    return functools.reduce(operator.and_, equal)


def full_load_rows(conformed: DataFrame, table: Table) -> tuple[DataFrame, DataFrame]:
    """A full-load table's (rows to MERGE, keys present at the source) from the conformed rows of its
    pending batches. With a primary key, a key is present when a row of the newest batch has it, valid
    or rejected (a rejected update keeps the previous version); a null key is never present. The rows
    are `silver_rows` of every pending batch, for the present keys only. Without a primary key (keyed
    by all columns), the newest batch's valid rows are both: they replace the table's content."""
    newest = newest_batch(conformed)
    if not table.primary_key:
        rows = silver_rows(newest, table)
        return rows, rows.select(*[_ident(c) for c in rows.columns if c not in METADATA_COLUMNS])
    keys = list(table.primary_key)
    present = newest.where(functools.reduce(operator.and_, [F.col(_ident(k)).isNotNull() for k in keys]))
    present = present.select(*[_ident(k) for k in keys]).distinct()
    return key_join(silver_rows(conformed, table), present, keys, False, "left_semi"), present


def conform_keys(keys: DataFrame, table: Table) -> DataFrame:
    """A key snapshot's keys as silver holds them (cleaned and typed as `conform` does, so a key
    silver trimmed or cast still matches); a key silver could not type is dropped, as no silver
    row has it."""
    spec = {c.name: c for c in table.columns}
    pk = list(table.primary_key)
    cleaned = keys.select(*[_clean(keys, k).alias(k) for k in pk])
    if spec:
        strings = {k: isinstance(cleaned.schema[k].dataType, StringType) for k in pk}
        cleaned = cleaned.select(*[_typed(k, spec[k].type, spec[k].format, strings[k]).alias(k) for k in pk])
    present = functools.reduce(operator.and_, [F.col(_ident(k)).isNotNull() for k in pk])
    return cleaned.where(present).distinct()
