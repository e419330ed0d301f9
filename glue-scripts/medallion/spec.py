"""The lake spec: the JSON the component uploads (`--lake_spec`) describing every source table.

Bronze and silver are driven entirely by it, so adding a table needs no code change.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

from .models import Model, ModelError, parse_models
from .rules import Rule, parse_rules

ENGINES = ("postgres", "mysql", "sqlserver")
SIMPLE_TYPES = ("string", "boolean", "smallint", "int", "bigint", "double", "date", "timestamp")
_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")
# The component's default of `maxDeleteShare` (packages/medallion-lake/src/model/config.ts), for specs written
# before the delete guard.
DEFAULT_MAX_DELETE_SHARE = 0.5


class SpecError(ValueError):
    """The lake spec is malformed; the message names the offending path."""


# The classifications a column may declare, most restrictive first (packages/medallion-lake/src/model/
# classification.ts, docs/governance.md).
CLASSIFICATIONS = ("pii", "sensitive")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    format: str | None
    # "pii", "sensitive" or None (absent in specs written before classifications).
    classification: str | None = None


@dataclass(frozen=True)
class Reconcile:
    """An incremental table's reconcile (docs/iceberg.md#incremental-tables-reconcile): `keys`, bronze
    also snapshots the source's primary keys and silver deletes what the snapshot lacks; `rows`, the
    snapshot also holds each row's hash computed by the source, and bronze re-reads the rows whose
    hash differs from the one it last read (rows changed in place). Bronze takes a snapshot on every
    `every_runs`-th run of the table (and the first after a change)."""

    compare: str
    every_runs: int = 1


@dataclass(frozen=True)
class Table:
    name: str
    source_table: str
    catalog_table: str
    primary_key: tuple[str, ...]
    watermark_column: str | None
    partition_column: str | None
    date_column: str | None
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    # Most of a full-load table's silver rows one run may delete (0..1), silver_job's delete guard.
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE
    reconcile: Reconcile | None = None

    @property
    def full_load(self) -> bool:
        """Each bronze batch is the whole source table (no watermark column)."""
        return self.watermark_column is None


@dataclass(frozen=True)
class Source:
    name: str
    engine: str
    database: str
    connection_name: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class TableMaintenance:
    """Iceberg table maintenance, run by the jobs after writing a table (`iceberg.maintain`); the
    defaults are the component's (packages/medallion-lake/src/model/table-maintenance.ts says why)."""

    snapshot_retention_days: int = 5
    snapshots_to_keep: int = 1
    orphan_file_retention_days: int = 3
    compaction_min_input_files: int = 5
    compaction_small_file_mib: float = 32
    compaction_delete_ratio: float = 0.3


def _whole(minimum: int):
    return lambda v: isinstance(v, int) and v >= minimum, f"an integer >= {minimum}"


def _number_in(low: float, high: float):
    """A number above `low` and at most `high`."""
    return lambda v: isinstance(v, int | float) and low < v <= high, f"a number in ({low}, {high}]"


# Spec key -> (TableMaintenance field, (valid?, what is allowed)); booleans are never numbers here.
MAINTENANCE_KEYS = {
    "snapshotRetentionDays": ("snapshot_retention_days", _whole(1)),
    "snapshotsToKeep": ("snapshots_to_keep", _whole(1)),
    "orphanFileRetentionDays": ("orphan_file_retention_days", _whole(1)),
    "compactionMinInputFiles": ("compaction_min_input_files", _whole(2)),
    "compactionSmallFileMiB": ("compaction_small_file_mib", _number_in(0, 384)),
    "compactionDeleteRatio": ("compaction_delete_ratio", _number_in(0, 1)),
}


def _maintenance(raw: object) -> TableMaintenance:
    """`tableMaintenance` (absent in specs written before Iceberg: the defaults)."""
    if raw is None:
        return TableMaintenance()
    if not isinstance(raw, dict):
        raise SpecError(f"tableMaintenance: expected an object, got {raw!r}")
    unknown = sorted(set(raw) - set(MAINTENANCE_KEYS))
    if unknown:
        raise SpecError(f"tableMaintenance: unknown key(s) {', '.join(unknown)}")
    values = {}
    for key, (field, (valid, allowed)) in MAINTENANCE_KEYS.items():
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not valid(value):
                raise SpecError(f"tableMaintenance.{key}: expected {allowed}, got {value!r}")
            values[field] = value
    return TableMaintenance(**values)


@dataclass(frozen=True)
class LakeSpec:
    lake: str
    environment: str
    databases: dict[str, str]
    sources: tuple[Source, ...]
    metrics_namespace: str | None = None
    gold_models: tuple[Model, ...] = ()
    table_maintenance: TableMaintenance = TableMaintenance()

    def tables(self) -> list[tuple[Source, Table]]:
        return [(s, t) for s in self.sources for t in s.tables]

    def silver_tables(self) -> dict[str, tuple[Source, Table]]:
        """Every table by its lake name, `<source>_<table>` (how gold models refer to it)."""
        return {f"{s.name}_{t.name}": (s, t) for s, t in self.tables()}

    def silver_classifications(self) -> dict[str, dict[str, str]]:
        """Per silver lake name, its classified columns' classifications (tables without any left out)."""
        found = {
            name: {c.name: c.classification for c in table.columns if c.classification}
            for name, (_, table) in self.silver_tables().items()
        }
        return {name: columns for name, columns in found.items() if columns}

    def find_table(self, short_name: str) -> tuple[Source, Table]:
        """The one table named `short_name` across all sources (gold looks inputs up this way)."""
        found = [(s, t) for s, t in self.tables() if t.name == short_name]
        if len(found) != 1:
            where = ", ".join(f"{s.name}.{t.name}" for s, t in found) or "no source"
            raise SpecError(
                f"table {short_name!r} must be configured in exactly one source, found in {where}"
            )
        return found[0]


def _get(obj: object, key: str, path: str, kind: type, optional: bool = False):
    """obj[key], of type `kind` (a string must not be empty); None when optional and absent."""
    if not isinstance(obj, dict):
        raise SpecError(f"{path or 'lake spec'}: expected an object")
    value = obj.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or value == "":
        expected = "a non-empty string" if kind is str else f"a {kind.__name__}"
        raise SpecError(f"{path + '.' if path else ''}{key}: expected {expected}, got {value!r}")
    return value


def validate_type(type_name: str, path: str) -> str:
    if type_name in SIMPLE_TYPES:
        return type_name
    match = _DECIMAL.match(type_name)
    if match and 0 < int(match[1]) <= 38 and int(match[2]) <= int(match[1]):
        return f"decimal({match[1]},{match[2]})"
    raise SpecError(
        f"{path}: unknown type {type_name!r}, expected one of {', '.join(SIMPLE_TYPES)}, decimal(p,s)"
    )


def _share(raw: dict, path: str) -> float:
    """`maxDeleteShare`: a number in [0, 1] (absent in specs written before it: the default)."""
    value = raw.get("maxDeleteShare")
    if value is None:
        return DEFAULT_MAX_DELETE_SHARE
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise SpecError(f"{path}.maxDeleteShare: expected a number in [0, 1], got {value!r}")
    return float(value)


def _reconcile(raw: dict, path: str, primary_key: tuple, watermark: str | None) -> Reconcile | None:
    """`reconcile` (absent or null: none), refused on a table it cannot apply to, naming the field."""
    value = raw.get("reconcile")
    if value is None:
        return None
    where = f"{path}.reconcile"
    if not isinstance(value, dict) or set(value) - {"compare", "everyRuns"}:
        raise SpecError(f"{where}: expected {{compare, everyRuns}}, got {value!r}")
    compare, every = value.get("compare"), value.get("everyRuns", 1)
    if compare not in ("keys", "rows"):
        raise SpecError(f"{where}.compare: expected keys or rows, got {compare!r}")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise SpecError(f"{where}.everyRuns: expected an integer >= 1, got {every!r}")
    if not watermark:
        raise SpecError(f"{where}: needs a watermarkColumn (a full-load table already follows its deletes)")
    if not primary_key:
        raise SpecError(f"{where}: needs a primaryKey (the keys it compares)")
    return Reconcile(compare, every)


def _classification(column: dict, path: str) -> str | None:
    value = column.get("classification")
    if value is not None and value not in CLASSIFICATIONS:
        raise SpecError(f"{path}.classification: expected one of {', '.join(CLASSIFICATIONS)}, got {value!r}")
    return value


def _table(raw: object, path: str) -> Table:
    columns = []
    for i, col in enumerate(_get(raw, "columns", path, list)):
        cpath = f"{path}.columns[{i}]"
        columns.append(
            Column(
                name=_get(col, "name", cpath, str),
                type=validate_type(_get(col, "type", cpath, str), f"{cpath}.type"),
                format=_get(col, "format", cpath, str, optional=True),
                classification=_classification(col, cpath),
            )
        )
    names = {c.name for c in columns}
    primary_key = tuple(_get(raw, "primaryKey", path, list))
    watermark = _get(raw, "watermarkColumn", path, str, optional=True)
    table = Table(
        name=_get(raw, "name", path, str),
        source_table=_get(raw, "sourceTable", path, str),
        catalog_table=_get(raw, "catalogTable", path, str),
        primary_key=primary_key,
        watermark_column=watermark,
        partition_column=_get(raw, "partitionColumn", path, str, optional=True),
        date_column=_get(raw, "dateColumn", path, str, optional=True),
        columns=tuple(columns),
        rules=parse_rules(raw.get("rules"), f"{path}.rules", names),
        max_delete_share=_share(raw, path),
        reconcile=_reconcile(raw, path, primary_key, watermark),
    )
    if names:  # typed table: every referenced column must be declared
        for field in ("primary_key", "watermark_column", "partition_column", "date_column"):
            value = getattr(table, field)
            for ref in value if isinstance(value, tuple) else [value] if value else []:
                if ref not in names:
                    raise SpecError(f"{path}: {field} {ref!r} is not among the declared columns")
    return table


def parse_lake_spec(text: str) -> LakeSpec:
    """Parses and validates the lake spec JSON text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise SpecError(f"lake spec is not valid JSON: {err}") from err
    databases = _get(raw, "databases", "", dict)
    for layer in ("source", "bronze", "silver", "gold"):
        _get(databases, layer, "databases", str)
    sources = []
    for i, src in enumerate(_get(raw, "sources", "", list)):
        path = f"sources[{i}]"
        engine = _get(src, "engine", path, str)
        if engine not in ENGINES:
            raise SpecError(f"{path}.engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
        tables = tuple(
            _table(t, f"{path}.tables[{j}]") for j, t in enumerate(_get(src, "tables", path, list))
        )
        short_names = [t.name for t in tables]
        if len(set(short_names)) != len(short_names):
            raise SpecError(f"{path}.tables: table names must be unique within a source: {short_names}")
        sources.append(
            Source(
                name=_get(src, "name", path, str),
                engine=engine,
                database=_get(src, "database", path, str),
                connection_name=_get(src, "connectionName", path, str),
                tables=tables,
            )
        )
    spec = LakeSpec(
        lake=_get(raw, "lake", "", str),
        environment=_get(raw, "environment", "", str),
        databases=dict(databases),
        sources=tuple(sources),
        metrics_namespace=_get(raw, "metricsNamespace", "", str, optional=True),
        table_maintenance=_maintenance(raw.get("tableMaintenance")),
    )
    try:
        models = parse_models(raw.get("gold"), spec.silver_tables())
    except ModelError as err:
        raise SpecError(str(err)) from err
    spec = dataclasses.replace(spec, gold_models=models)
    lake_tables = {"silver": set(spec.silver_tables()), "gold": {m.name for m in models}}
    for model in models:
        for test in model.tests:
            ref = test.reference
            if ref and ref.table not in lake_tables[ref.source]:
                raise SpecError(
                    f"gold model {model.name!r} test {test.name}: unknown {ref.source} table {ref.table!r}"
                )
    known = {(s.name, t.name) for s, t in spec.tables()}
    for source, table in spec.tables():
        for rule in table.rules:
            ref = rule.reference
            if ref and (ref.source, ref.table) not in known:
                raise SpecError(
                    f"{source.name}.{table.name} rule {rule.name}: unknown table {ref.source}.{ref.table}"
                )
    return spec
