"""Gold models (`medallion.models`) on Spark: each model's SQL runs with Spark SQL over temporary views
named by lake names (silver tables as `<source>_<table>`, models by name), in dependency order.

`plan` analyses every model before anything runs, so a bad model (a table it cannot read, a column
it does not return, a test on a column it does not have) fails the job before any gold is written.
`run_tests` evaluates a model's tests with the silver rule evaluator (`medallion.quality`) on the
rows the run computed: nothing is quarantined in gold, a failing test is only counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from . import iceberg, lineage, quality
from .models import Model, ModelError, build_order, reference_tables
from .silver import REASON, ingested_after, key_join
from .spec import LakeSpec, Table


@dataclass(frozen=True)
class PlannedModel:
    model: Model
    # Lake names the model's SQL reads (silver tables and models).
    reads: frozenset[str]
    # The model's rows (lazy), partition columns last.
    frame: DataFrame
    # The model's classified columns (column -> classification), by the lineage of its SQL.
    classified: Mapping[str, str]


def _columns_problem(model: Model, returned: list[str]) -> str | None:
    declared = model.column_names
    unreturned = [c for c in model.partition_by if c not in returned]
    if unreturned:
        returns = ", ".join(returned)
        return f"partition column(s) {', '.join(unreturned)} not returned by the query (it returns {returns})"
    missing = [c for c in declared if c not in returned]
    extra = [c for c in returned if c not in declared]
    if len(set(returned)) != len(returned):
        return f"the query returns a column name twice: {', '.join(returned)}"
    if missing or extra:
        parts = [f"declared but not returned: {', '.join(missing)}" if missing else "",
                 f"returned but not declared: {', '.join(extra)}" if extra else ""]  # fmt: skip
        return (
            "the query's columns differ from the declared columns (" + "; ".join(p for p in parts if p) + ")"
        )
    return None


def select_models(spec: LakeSpec, names: str | None) -> frozenset[str] | None:
    """The models a run builds: `names` (the job's `--models`, comma-separated) or, when absent, all
    (None). @raises ModelError naming the unknown models and the spec's."""
    if names is None:
        return None
    chosen = frozenset(n.strip() for n in names.split(",") if n.strip())
    known = [m.name for m in spec.gold_models]
    unknown = sorted(chosen - set(known))
    if unknown or not chosen:
        raise ModelError(
            f"--models: unknown gold model(s) {', '.join(unknown) or '(none named)'}; "
            f"the lake's models: {', '.join(known) or 'none'}"
        )
    return chosen


def plan(
    spark: SparkSession,
    spec: LakeSpec,
    sql: Mapping[str, str],
    read_silver: Callable[[str], DataFrame],
    only: frozenset[str] | None = None,
    read_gold: Callable[[str], DataFrame] | None = None,
) -> list[PlannedModel]:
    """Every model of the spec (or of `only`), analysed (not run) in dependency order, each registered
    as a temporary view for the models after it, with its columns' classifications (`lineage`, from the
    silver tables' real columns). `read_silver(lake_name)` returns a silver table's rows; with `only`,
    the models those read (or reference) but that are not rebuilt are their gold tables,
    `read_gold(name)`. @raises ModelError naming the model and the problem."""
    silver = spec.silver_tables()
    order = build_order(spec.gold_models, sql, silver)
    needed = {t for _, reads in order for t in reads if t in silver}
    needed |= {t for m, _ in order for layer, t in reference_tables(m) if layer == "silver"}
    inputs = {name: read_silver(name) for name in sorted(needed)}
    for name, rows in inputs.items():
        rows.createOrReplaceTempView(name)
    schema = {name: rows.columns for name, rows in inputs.items()}
    # Lineage follows every model (a model reading another takes its classifications), built or not.
    classified = lineage.classify_models([m for m, _ in order], sql, schema, spec.silver_classifications())
    if only is not None:
        order = [(m, reads) for m, reads in order if m.name in only]
        kept = {t for _, reads in order for t in reads if t not in silver}
        kept |= {t for m, _ in order for layer, t in reference_tables(m) if layer == "gold"}
        for name in sorted(kept - only):
            read_gold(name).createOrReplaceTempView(name)
    planned = []
    for model, reads in order:
        try:
            frame = spark.sql(sql[model.name])
        except AnalysisException as err:
            raise ModelError(f"gold model {model.name!r}: Spark cannot analyse the SQL: {err}") from err
        problem = _columns_problem(model, frame.columns)
        if problem:
            raise ModelError(f"gold model {model.name!r}: {problem}")
        data_columns = [c for c in frame.columns if c not in model.partition_by]
        frame = frame.select(*data_columns, *model.partition_by)
        for test in model.tests:
            if test.expression:
                try:
                    frame.where(F.expr(test.expression)).schema  # noqa: B018 (analysis only)
                except AnalysisException as err:
                    raise ModelError(
                        f"gold model {model.name!r} test {test.name}: the expression does not analyse: {err}"
                    ) from err
        frame.createOrReplaceTempView(model.name)
        planned.append(PlannedModel(model, frozenset(reads), frame, classified[model.name]))
    return planned


def run_tests(spark: SparkSession, planned: PlannedModel, now: datetime) -> list[dict]:
    """Each test's result on the model's rows (`passed`, `failed_rows` or `observed`)."""
    tests = planned.model.tests
    if not tests:
        return []
    references = {quality.reference_key(t): spark.table(t.reference.table) for t in tests if t.reference}
    rows = planned.frame.withColumn(REASON, F.lit(None).cast("string"))
    checked = quality.check_rows(rows, tests, references)
    _, _, row_results = quality.count_rows(checked, tests)
    # A model is rebuilt whole each run: a row count counts the model's rows.
    return row_results + quality.check_table(planned.frame, tests, now)


def failed_errors(results: list[dict]) -> list[dict]:
    """Failed tests of severity error: the model is not written and the job fails."""
    return [r for r in results if not r["passed"] and r["severity"] == "error"]


def silver_marks(spark: SparkSession, tables: Mapping[str, str]) -> dict[str, dict]:
    """Per silver table (lake name -> Spark table name): its current snapshot and newest
    `_ingested_at`, what a model built now has seen (stored on the model's table)."""
    marks = {}
    for lake_name, name in tables.items():
        newest = iceberg.newest_ingested(spark, name)
        marks[lake_name] = {
            "snapshot": iceberg.current_snapshot(spark, name),
            "ingested": None if newest is None else newest.isoformat(sep=" "),
        }
    return marks


def changed_rows(spark: SparkSession, name: str, table: Table, mark: Mapping) -> DataFrame | None:
    """The rows of a silver table the runs since `mark` wrote (ingested after it) together with the
    versions they replaced and the rows they deleted (keys its source lost: a full-load or a reconciled
    table's), both read at the marked snapshot; None when that snapshot has expired."""
    if mark.get("ingested") is None or mark.get("snapshot") is None:
        return None
    current = spark.table(name)
    new = ingested_after(current, datetime.fromisoformat(mark["ingested"]))
    snapshot = int(mark["snapshot"])
    if spark.sql(f"SELECT 1 FROM {name}.snapshots WHERE snapshot_id = {snapshot}").isEmpty():
        return None  # expired by maintenance
    before = spark.read.option("snapshot-id", snapshot).table(name)
    null_safe = not table.primary_key
    keys = list(table.primary_key) or [c for c in new.columns if not c.startswith("_")]
    replaced = key_join(before, new, keys, null_safe, "left_semi")
    # Only tables whose runs delete rows (full load, reconcile) need the anti join: on an append-only
    # table it would scan the table whole for nothing.
    deletes = table.full_load or table.reconcile is not None
    deleted = key_join(before, current, keys, null_safe, "left_anti") if deletes else None
    changed = new.unionByName(replaced, allowMissingColumns=True)
    return changed if deleted is None else changed.unionByName(deleted, allowMissingColumns=True)


def touched_partitions(
    spark: SparkSession, model_sql: str, partition_by: Sequence[str], changed: Mapping[str, DataFrame]
) -> list[tuple]:
    """The partition values a model's rows take when one silver input at a time is narrowed to its
    changed rows (`changed`: lake name -> rows); the other inputs stay whole. Valid for models whose
    every output row comes from input rows in the same partition, what `refresh: partitions` declares."""
    found: set[tuple] = set()
    for lake_name, rows in changed.items():
        whole = spark.table(lake_name)
        rows.createOrReplaceTempView(lake_name)
        try:
            values = spark.sql(model_sql).select(*partition_by).distinct().collect()
        finally:
            whole.createOrReplaceTempView(lake_name)
        found.update(tuple(r) for r in values)
    return sorted(found, key=lambda t: tuple((v is None, str(v)) for v in t))


def partition_filter(partition_by: Sequence[str], values: Sequence[tuple]):
    """A Column true for rows in any of the partitions `values` (None matches null)."""
    condition = F.lit(False)
    for value in values:
        match = F.lit(True)
        for column, v in zip(partition_by, value, strict=True):
            match = match & (F.col(column).isNull() if v is None else F.col(column) == F.lit(v))
        condition = condition | match
    return condition


def written_stats(spark: SparkSession, name: str, partition_by: tuple[str, ...]) -> dict[str, int]:
    """Rows and partitions of the model's table as the run left it, from Iceberg's `partitions`
    metadata table (the manifests' record counts, not a scan of the rows): exact for a gold table,
    which only whole-file overwrites write (no delete files).
    https://iceberg.apache.org/docs/1.7.1/spark-queries/#partitions"""
    row = spark.sql(
        f"SELECT coalesce(sum(record_count), 0) AS n, count(*) AS p FROM {name}.partitions"
    ).first()
    return {"rows": int(row["n"]), "partitions": int(row["p"]) if partition_by else 0}
