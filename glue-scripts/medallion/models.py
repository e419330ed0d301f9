"""Gold models as the lake spec carries them (`gold.models`, built by the component from each model's
SQL file and its declaration): parsing, the tables and models each model's SQL reads (parsed with
sqlglot, not matched with regular expressions), and the order to build them in. Pure: running them is
`medallion.gold`.

A model reads silver tables by their lake names (`<source>_<table>`) and other models by their names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .rules import EXPRESSION_CHECK, ROW_CHECKS, TABLE_CHECKS, Rule, RuleError, parse_rules

TEST_CHECKS = (*ROW_CHECKS, *TABLE_CHECKS, EXPRESSION_CHECK)
LAYERS = ("silver", "gold")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ModelError(ValueError):
    """A gold model is malformed or cannot run; the message names the model and what is wrong."""


REFRESHES = ("full", "partitions")


@dataclass(frozen=True)
class Model:
    name: str
    # Location of the SQL file relative to the lake spec's folder (content-hashed key).
    file: str
    description: str
    partition_by: tuple[str, ...]
    # (name, description) of every column the query returns, in declaration order.
    columns: tuple[tuple[str, str], ...]
    tests: tuple[Rule, ...]
    # "full": rebuilt whole each run; "partitions": only the partitions the run's silver changes touch.
    refresh: str = "full"
    # Columns computed from classified columns that are not classified: column -> reason.
    declassify: tuple[tuple[str, str], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def _text(raw: dict, key: str, path: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ModelError(f"{path}.{key}: expected a non-empty string, got {value!r}")
    return value


def _check_reference(raw: dict, path: str) -> None:
    """A reference test's target in spec form: `{source: silver|gold, table: <lake name>, column}`."""
    ref = raw.get("reference")
    if not isinstance(ref, dict) or ref.get("source") not in LAYERS:
        raise ModelError(f"{path}.reference: expected {{source: silver|gold, table, column}}, got {ref!r}")


def parse_model(raw: object, path: str) -> Model:
    if not isinstance(raw, dict):
        raise ModelError(f"{path}: expected an object")
    name = _text(raw, "name", path)
    if not _NAME.match(name):
        raise ModelError(
            f"{path}.name: {name!r} must be lowercase letters, digits and _, starting with a letter"
        )
    path = f"{path} ({name})"
    columns = raw.get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, dict) for c in columns):
        raise ModelError(f"{path}.columns: expected a non-empty list of {{name, description}}: {columns!r}")
    pairs = tuple(
        (_text(c, "name", f"{path}.columns[{i}]"), c.get("description") or "") for i, c in enumerate(columns)
    )
    names = [n for n, _ in pairs]
    if len(set(names)) != len(names):
        raise ModelError(f"{path}.columns: column names must be unique: {names}")
    partition_by = raw.get("partitionBy") or []
    if not isinstance(partition_by, list):
        raise ModelError(f"{path}.partitionBy: expected a list of column names, got {partition_by!r}")
    for col in partition_by:
        if col not in names:
            raise ModelError(
                f"{path}.partitionBy: {col!r} is not among the model's columns ({', '.join(names)})"
            )
    refresh = raw.get("refresh", "full")
    if refresh not in REFRESHES:
        raise ModelError(f"{path}.refresh: expected one of {', '.join(REFRESHES)}, got {refresh!r}")
    if refresh == "partitions" and not partition_by:
        raise ModelError(f"{path}.refresh: partitions needs partitionBy (the partitions to rebuild)")
    declassify = raw.get("declassify") or {}
    if not isinstance(declassify, dict) or not all(
        isinstance(r, str) and r.strip() for r in declassify.values()
    ):
        raise ModelError(
            f"{path}.declassify: expected {{column: reason}} with non-empty reasons, got {declassify!r}"
        )
    for col in declassify:
        if col not in names:
            raise ModelError(
                f"{path}.declassify: {col!r} is not among the model's columns ({', '.join(names)})"
            )
    tests = raw.get("tests") or []
    for i, test in enumerate(tests):
        if isinstance(test, dict) and test.get("check") == "reference":
            _check_reference(test, f"{path}.tests[{i}]")
    try:
        rules = parse_rules(tests, f"{path}.tests", set(names), TEST_CHECKS)
    except RuleError as err:
        raise ModelError(str(err)) from err
    return Model(
        name=name,
        file=_text(raw, "file", path),
        description=_text(raw, "description", path),
        partition_by=tuple(partition_by),
        columns=pairs,
        tests=rules,
        refresh=refresh,
        declassify=tuple(sorted(declassify.items())),
    )


def parse_models(raw: object, silver_tables: Iterable[str]) -> tuple[Model, ...]:
    """The spec's `gold` section (absent means no models); names unique and distinct from silver's."""
    if raw is None:
        return ()
    models_raw = raw.get("models") if isinstance(raw, dict) else None
    if not isinstance(models_raw, list):
        raise ModelError("gold.models: expected a list")
    models = tuple(parse_model(m, f"gold.models[{i}]") for i, m in enumerate(models_raw))
    seen: set[str] = set()
    silver = set(silver_tables)
    for model in models:
        if model.name in seen:
            raise ModelError(f"gold model {model.name!r} is declared twice")
        if model.name in silver:
            raise ModelError(
                f"gold model {model.name!r} has the lake name of a silver table: rename the model"
            )
        seen.add(model.name)
    return models


def referenced_tables(sql: str, model: str) -> set[str]:
    """The tables a model's SELECT reads, CTE names excluded, lowercased. Parsed as Spark SQL by
    sqlglot (the job runs it on Spark); only one SELECT statement, only unqualified names."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        statements = [s for s in sqlglot.parse(sql, dialect="spark") if s is not None]
    except ParseError as err:
        raise ModelError(f"gold model {model!r}: the SQL does not parse: {err}") from err
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        kinds = ", ".join(type(s).__name__ for s in statements) or "nothing"
        raise ModelError(f"gold model {model!r}: the SQL must be one SELECT statement, found {kinds}")
    tree = statements[0]
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    tables = set()
    for table in tree.find_all(exp.Table):
        if table.args.get("db") or table.args.get("catalog"):
            raise ModelError(
                f"gold model {model!r}: {table.sql(dialect='spark')} is qualified; refer to silver tables "
                "by lake name (<source>_<table>) and to gold models by name, without a database"
            )
        if not table.name:
            raise ModelError(f"gold model {model!r}: reads {table.sql(dialect='spark')}, not a lake table")
        if table.name.lower() not in ctes:
            tables.add(table.name.lower())
    return tables


def build_order(
    models: Iterable[Model], sql: Mapping[str, str], silver_tables: Iterable[str]
) -> list[tuple[Model, set[str]]]:
    """Each model with what it reads, dependencies first (spec order otherwise). Unknown tables and
    dependency cycles are errors naming the model."""
    by_name = {m.name: m for m in models}
    silver = set(silver_tables)
    reads = {}
    for name in by_name:
        reads[name] = referenced_tables(sql[name], name)
        unknown = sorted(reads[name] - silver - set(by_name))
        if unknown:
            raise ModelError(
                f"gold model {name!r} reads unknown table(s) {', '.join(unknown)}; known silver tables: "
                f"{', '.join(sorted(silver)) or 'none'}; gold models: {', '.join(by_name)}"
            )
    ordered: list[tuple[Model, set[str]]] = []
    placed: set[str] = set()

    def place(name: str, trail: tuple[str, ...]) -> None:
        if name in placed:
            return
        if name in trail:
            cycle = (*trail[trail.index(name) :], name)
            raise ModelError(f"gold models depend on each other in a cycle: {' -> '.join(cycle)}")
        for dep in sorted(reads[name] & set(by_name)):
            place(dep, (*trail, name))
        placed.add(name)
        ordered.append((by_name[name], reads[name]))

    for name in by_name:
        place(name, ())
    return ordered


def reference_tables(model: Model) -> set[tuple[str, str]]:
    """(layer, lake name) of every table the model's reference tests point at."""
    return {(r.reference.source, r.reference.table) for r in model.tests if r.reference}
