"""Column classifications carried into gold by column lineage (docs/governance.md): a gold column takes
the classification of every classified silver or gold column its value is computed from, found by
sqlglot's column lineage of the model's SQL (https://sqlglot.com/sqlglot/lineage.html) after sqlglot's
`qualify` has resolved every column to its table and expanded every `*` against the inputs' columns
(https://sqlglot.com/sqlglot/optimizer/qualify.html). A column computed from classifications of
several kinds takes the most restrictive (`spec.CLASSIFICATIONS` order). A model's `declassify`
removes a column's classification, with a reason.

What is followed: the columns a value is computed from, through CTEs, subqueries, joins, UNION
branches, function arguments, CASE conditions and window specifications (`ROW_NUMBER() OVER
(PARTITION BY email)` derives from email). What is not: columns that only filter, join or group rows
(`WHERE`, `ON`, `GROUP BY`), which decide which rows a value comes from but are not in it.

A model whose lineage cannot be resolved while it reads a classified column (an unknown column, a `*`
over a table whose columns are not known) is refused, naming the model and the classified columns:
its gold columns could otherwise carry personal data unmarked. Pure: no Spark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .models import Model, ModelError, referenced_tables
from .spec import CLASSIFICATIONS

# A column's classification, lake table -> column -> classification (lowercase names).
Classified = Mapping[str, Mapping[str, str]]


def strictest(classifications: Iterable[str]) -> str | None:
    """The most restrictive of `classifications` (CLASSIFICATIONS order), None for none."""
    found = set(classifications)
    return next((c for c in CLASSIFICATIONS if c in found), None)


def _refused(model: str, inputs: list[str], why: str) -> ModelError:
    return ModelError(
        f"gold model {model!r}: the lineage of its columns cannot be resolved ({why}), and it reads "
        f"classified column(s) {', '.join(inputs)}; refer to every column by a name its inputs have "
        "(list the columns instead of * over a table whose columns are not declared)"
    )


def _leaf_columns(node) -> list[tuple[str | None, str]]:
    """(lake table or None, column) of every source a lineage node's value comes from."""
    from sqlglot import exp

    leaves = []
    for n in node.walk():
        if n.downstream:
            continue
        column = n.name.split(".")[-1].strip('"').strip("`").lower()
        table = n.source.name.lower() if isinstance(n.source, exp.Table) else None
        leaves.append((table, column))
    return leaves


def classify_model(
    model: Model, sql: str, schema: Mapping[str, Iterable[str]], classified: Classified
) -> dict[str, str]:
    """The model's classified columns (column -> classification), declassified ones removed.
    `schema`: the columns of each table the model may read (lake name -> names); `classified`: the
    classified columns of silver tables and earlier models. @raises ModelError naming the model and
    the column when lineage cannot be resolved for a classified input, or when `declassify` names a
    column computed from no classified column."""
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.lineage import lineage
    from sqlglot.optimizer.qualify import qualify

    reads = referenced_tables(sql, model.name)
    inputs = sorted(f"{t}.{c}" for t in reads for c in classified.get(t, {}))
    declassify = dict(model.declassify)
    if not inputs:
        if declassify:
            raise ModelError(
                f"gold model {model.name!r}: declassify names {', '.join(declassify)}, but the model "
                "reads no classified column: remove it"
            )
        return {}
    known = {t: {c.lower(): "string" for c in cols} for t, cols in schema.items() if t in reads}
    try:
        tree = sqlglot.parse_one(sql, dialect="spark")
        qualified = qualify(tree, schema=known, dialect="spark", validate_qualify_columns=True)
    except SqlglotError as err:
        raise _refused(model.name, inputs, str(err).splitlines()[0]) from err
    selects = [s.lower() for s in qualified.named_selects]
    if "*" in selects:
        unknown = sorted(reads - set(known))
        raise _refused(
            model.name, inputs, f"a * over {', '.join(unknown) or 'a table'} whose columns are not known"
        )
    found: dict[str, str] = {}
    for column in selects:
        try:
            node = lineage(column, qualified, schema=known, dialect="spark")
        except SqlglotError as err:
            raise _refused(model.name, inputs, f"column {column}: {str(err).splitlines()[0]}") from err
        leaves = _leaf_columns(node)
        if any(c == "*" and t in classified for t, c in leaves):
            raise _refused(model.name, inputs, f"column {column} comes from a * that was not expanded")
        level = strictest(classified.get(t, {}).get(c) for t, c in leaves if t)
        if level:
            found[column] = level
    unclassified = sorted(set(declassify) - set(found))
    if unclassified:
        raise ModelError(
            f"gold model {model.name!r}: declassify names {', '.join(unclassified)}, computed from no "
            f"classified column (its classified columns: {', '.join(sorted(found)) or 'none'}): remove it"
        )
    return {c: level for c, level in found.items() if c not in declassify}


def classify_models(
    ordered: Iterable[Model], sql: Mapping[str, str], schema: Mapping[str, Iterable[str]], silver: Classified
) -> dict[str, dict[str, str]]:
    """Every model's classified columns, `ordered` dependencies first (`models.build_order`): a model
    reading another takes the classifications computed for it. `schema` holds the silver tables'
    columns; each model's own are its declared columns."""
    classified: dict[str, Mapping[str, str]] = dict(silver)
    columns: dict[str, Iterable[str]] = dict(schema)
    result = {}
    for model in ordered:
        result[model.name] = classify_model(model, sql[model.name], columns, classified)
        classified[model.name] = result[model.name]
        columns[model.name] = model.column_names
    return result
