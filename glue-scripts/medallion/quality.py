"""Declared data-quality rules (`medallion.rules`) evaluated on Spark DataFrames, the same on Glue and
locally. Row rules run on the conformed rows before deduplication: a failing `error` rule appends its
name to the row's `_reason` (the row is quarantined), a failing `warn` rule is only counted. Table
rules run on the silver rows of the run: a failing `error` rule keeps the table's previous silver
version and fails the job, a failing `warn` rule is reported; rowCount counts only the rows the run
added or changed (see `medallion.silver`). Null values pass every rule but `notNull`. Rule values
reach Spark only as literals (`isin`, `rlike` with a string), never as SQL; the one exception is a
gold model's `expression` test, SQL by the author of the model's SQL (`medallion.gold` runs the
tests of gold models, where nothing is quarantined).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .rules import TABLE_CHECKS, Rule
from .silver import REASON
from .spec import LakeSpec, Source, Table

_CHECK = "__dq_"


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def describe(rule: Rule, per_run: bool = True) -> str:
    """The rule as a short sentence, for summaries and alerts; `per_run`: a rowCount rule counts the
    run's rows (silver), not the whole table (a gold model, rebuilt each run)."""
    bounds = " and ".join(f"{op} {v:g}" for op, v in ((">=", rule.min), ("<=", rule.max)) if v is not None)
    texts = {
        "notNull": lambda: f"{rule.column} is not null",
        "range": lambda: f"{rule.column} {bounds}",
        "acceptedValues": lambda: f"{rule.column} in ({', '.join(map(str, rule.values))})",
        "pattern": lambda: f"{rule.column} matches {rule.pattern}",
        "reference": lambda: (
            f"{rule.column} exists in {rule.reference.source}.{rule.reference.table}.{rule.reference.column}"
        ),
        "rowCount": lambda: f"{'rows this run' if per_run else 'rows'} {bounds}",
        "unique": lambda: f"({', '.join(rule.columns)}) unique",
        "freshness": lambda: f"newest {rule.column} at most {rule.max_age_hours:g} h old",
        "expression": lambda: rule.expression,
    }
    return texts[rule.check]()


def reference_key(rule: Rule) -> str:
    """`<source>/<table>` of the table a reference rule needs."""
    return f"{rule.reference.source}/{rule.reference.table}"


def refinement_order(spec: LakeSpec) -> list[tuple[Source, Table]]:
    """The spec's tables, each after the tables its reference rules point at (else spec order)."""
    by_key = {f"{s.name}/{t.name}": (s, t) for s, t in spec.tables()}
    ordered: list[tuple[Source, Table]] = []
    placed: set[str] = set()

    def place(key: str, trail: tuple[str, ...]) -> None:
        if key in placed:
            return
        if key in trail:
            raise ValueError(f"reference cycle: {' -> '.join((*trail, key))}")
        source, table = by_key[key]
        for rule in table.rules:
            if rule.reference:
                place(reference_key(rule), (*trail, key))
        placed.add(key)
        ordered.append((source, table))

    for key in by_key:
        place(key, ())
    return ordered


def _fails(rule: Rule, value: SparkColumn) -> SparkColumn:
    """True where a row fails a row rule (other than reference); nulls pass all but notNull."""
    if rule.check == "notNull":
        return value.isNull()
    if rule.check == "range":
        ok = F.lit(True)
        if rule.min is not None:
            ok = ok & (value >= F.lit(rule.min))
        if rule.max is not None:
            ok = ok & (value <= F.lit(rule.max))
        return ~ok
    if rule.check == "acceptedValues":
        return ~value.isin(list(rule.values))
    if rule.check == "pattern":
        return ~value.cast("string").rlike(rule.pattern)
    if rule.check == "expression":  # a gold model test: SQL from the model's author, like the model
        return ~F.expr(rule.expression)
    raise ValueError(f"rule {rule.name}: {rule.check} is not a row check")


def check_rows(
    conformed: DataFrame, rules: tuple[Rule, ...], references: Mapping[str, DataFrame]
) -> DataFrame:
    """The conformed rows with one boolean column per row rule (true: the row fails it) and the
    names of failed `error` rules appended to `_reason`. `references` maps `<source>/<table>` to the
    referenced table's rows (its silver table)."""
    df = conformed
    row_rules = [r for r in rules if r.is_row_rule]
    for i, rule in enumerate(row_rules):
        value = F.col(_ident(rule.column)) if rule.column else None
        if rule.check == "reference":
            keys = (
                references[reference_key(rule)]
                .select(F.col(_ident(rule.reference.column)).alias(f"__ref_{i}"))
                .distinct()
                .withColumn(f"__hit_{i}", F.lit(True))
            )
            df = df.join(keys, value == F.col(f"__ref_{i}"), "left").drop(f"__ref_{i}")
            failed = value.isNotNull() & F.col(f"__hit_{i}").isNull()
            df = df.withColumn(f"{_CHECK}{i}", failed).drop(f"__hit_{i}")
        else:
            df = df.withColumn(f"{_CHECK}{i}", F.coalesce(_fails(rule, value), F.lit(False)))
    reasons = [
        F.when(F.col(f"{_CHECK}{i}"), F.lit(r.name)) for i, r in enumerate(row_rules) if r.severity == "error"
    ]
    if reasons:
        df = df.withColumn(REASON, F.nullif(F.concat_ws("; ", F.col(REASON), *reasons), F.lit("")))
    return df


def drop_checks(checked: DataFrame) -> DataFrame:
    return checked.drop(*[c for c in checked.columns if c.startswith(_CHECK)])


def count_rows(checked: DataFrame, rules: tuple[Rule, ...]) -> tuple[int, int, list[dict]]:
    """One pass over the checked rows: valid rows, quarantined rows and each row rule's result."""
    row_rules = [r for r in rules if r.is_row_rule]
    aggregates = [
        F.count(F.when(F.col(REASON).isNull(), 1)).alias("valid"),
        F.count(F.when(F.col(REASON).isNotNull(), 1)).alias("quarantined"),
        *[F.count(F.when(F.col(f"{_CHECK}{i}"), 1)).alias(f"r{i}") for i in range(len(row_rules))],
    ]
    row = checked.agg(*aggregates).first()
    results = [_result(rule, row[f"r{i}"] == 0, failed_rows=row[f"r{i}"]) for i, rule in enumerate(row_rules)]
    return row["valid"], row["quarantined"], results


def check_table(
    table_rows: DataFrame,
    rules: tuple[Rule, ...],
    now: datetime,
    run_rows: DataFrame | None = None,
) -> list[dict]:
    """The result of each table rule on the table as the run leaves it (`table_rows`); `now` is
    timezone-aware. rowCount counts `run_rows`, the rows the run adds or changes (silver), or, when
    not given, every row (a gold model)."""
    results = []
    for rule in (r for r in rules if not r.is_row_rule):
        if rule.check == "rowCount":
            n = (table_rows if run_rows is None else run_rows).count()
            ok = (rule.min is None or n >= rule.min) and (rule.max is None or n <= rule.max)
            results.append(_result(rule, ok, observed=n, per_run=run_rows is not None))
        elif rule.check == "unique":
            cols = [F.col(_ident(c)) for c in rule.columns]
            dup = (
                table_rows.dropna(subset=list(rule.columns))
                .groupBy(*cols)
                .count()
                .where("count > 1")
                .agg(F.coalesce(F.sum("count"), F.lit(0)).alias("n"))
                .first()["n"]
            )
            results.append(_result(rule, dup == 0, failed_rows=dup))
        else:  # freshness
            newest = F.max(F.col(_ident(rule.column)).cast("timestamp")).cast("double")
            age = table_rows.agg(((F.lit(now.timestamp()) - newest) / 3600).alias("h")).first()["h"]
            ok = age is not None and age <= rule.max_age_hours
            results.append(_result(rule, ok, observed=None if age is None else round(age, 1)))
    return results


def _result(
    rule: Rule, passed: bool, failed_rows: int | None = None, observed=None, per_run: bool = True
) -> dict:
    result = {
        "rule": rule.name,
        "check": rule.check,
        "severity": rule.severity,
        "passed": bool(passed),
        "description": describe(rule, per_run),
    }
    if failed_rows is not None:
        result["failed_rows"] = failed_rows
    if observed is not None or rule.check == "freshness":
        result["observed"] = observed
    return result


def failed_errors(results: list[dict]) -> list[dict]:
    """Failed table rules of severity error (they fail the job)."""
    return [r for r in results if not r["passed"] and r["severity"] == "error" and r["check"] in TABLE_CHECKS]


def failure_text(result: dict) -> str:
    """`range_qtysold (qtysold >= 1 and <= 8): 3 rows` / `row_count (row count >= 1000): observed 12`."""
    found = (
        f"{result['failed_rows']} rows" if "failed_rows" in result else f"observed {result.get('observed')}"
    )
    return f"{result['rule']} ({result['description']}): {found}"
