"""Erasure of a data subject (docs/erasure.md): the pure parts of the forget job (forget_job.py).

The subject is one primary-key value of one source table, given as `--table <source>.<table>` and
`--key` (a JSON object of the key columns' values as text). `subject_key` validates both against
the lake spec (the table exists, the columns are exactly its primary key, each value parses as its
column's type), so that no value reaches a path, SQL text or an ARN unchecked: paths are built from
the spec's names only, and values reach SQL only as typed literals (`sql_literal`) or Spark Columns.

The erasure record (`record_path`, `record`) names the subject by `key_digest`, a SHA-256 of the
table and the canonical key, never by its values.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .spec import LakeSpec, Source, Table

ERASURES_FOLDER = "_erasures"
# Where the forget job stages a bronze folder's rewritten files before they replace the originals
# (outside every table folder, so no reader lists it as a batch).
STAGING_FOLDER = "_erasure_staging"
_TABLE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z0-9_][A-Za-z0-9_.]*)$")
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")
_INTEGER_RANGES = {"smallint": 2**15, "int": 2**31, "bigint": 2**63}
# The longest key value accepted (a key is an identifier, not a document).
MAX_VALUE_LENGTH = 1024


class ErasureError(ValueError):
    """The erasure cannot run as asked: the message names the argument and what is wrong."""


@dataclass(frozen=True)
class SubjectKey:
    """One subject: its table and typed primary-key values (in the primary key's order)."""

    source: Source
    table: Table
    # Column -> (spec type, typed value).
    values: tuple[tuple[str, str, object], ...]

    @property
    def lake_name(self) -> str:
        return f"{self.source.name}_{self.table.name}"

    @property
    def label(self) -> str:
        """`<source>.<table>`, for messages (never the values)."""
        return f"{self.source.name}.{self.table.name}"


def find_table(spec: LakeSpec, name: str) -> tuple[Source, Table]:
    """The spec's table `<source>.<table>`, or an ErasureError listing the tables there are."""
    match = _TABLE.match(name or "")
    if not match:
        raise ErasureError(f"--table {name!r}: expected <source>.<table>, e.g. crm.users")
    for source, table in spec.tables():
        if (source.name, table.name) == (match[1], match[2]):
            return source, table
    known = ", ".join(f"{s.name}.{t.name}" for s, t in spec.tables())
    raise ErasureError(f"--table {name}: the lake has no such table (it has {known})")


def parse_value(type_name: str, text: str, column: str) -> object:
    """`text` as a value of the spec type `type_name`, or an ErasureError naming the column."""
    if not isinstance(text, str) or not text.strip():
        raise ErasureError(f"--key {column}: the value must be non-empty text")
    if len(text) > MAX_VALUE_LENGTH:
        raise ErasureError(f"--key {column}: the value is longer than {MAX_VALUE_LENGTH} characters")
    # Messages never repeat the value: on Glue they reach the logs.
    wrong = ErasureError(f"--key {column}: the value is not a {type_name}")
    value = text.strip()
    if type_name == "string":
        return value  # silver trims strings (silver._clean): so does the match
    if type_name in _INTEGER_RANGES:
        if not re.fullmatch(r"[+-]?\d+", value):
            raise wrong
        number, bound = int(value), _INTEGER_RANGES[type_name]
        if not -bound <= number < bound:
            raise ErasureError(f"--key {column}: the value is out of the range of a {type_name}")
        return number
    if type_name == "boolean":
        if value.lower() not in ("true", "false"):
            raise wrong
        return value.lower() == "true"
    if type_name == "double":
        try:
            number = float(value)
        except ValueError:
            raise wrong from None
        if not math.isfinite(number):
            raise wrong
        return number
    decimal = _DECIMAL.match(type_name)
    if decimal:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise wrong from None
        precision, scale = int(decimal[1]), int(decimal[2])
        if not number.is_finite() or number != number.quantize(Decimal(1).scaleb(-scale)):
            raise ErasureError(f"--key {column}: the value has more than {scale} decimal places")
        if abs(number) >= Decimal(10) ** (precision - scale):
            raise ErasureError(f"--key {column}: the value does not fit {type_name}")
        return number.quantize(Decimal(1).scaleb(-scale))
    try:
        if type_name == "date":
            return date.fromisoformat(value)
        if type_name == "timestamp":
            parsed = datetime.fromisoformat(value)
            # Silver's timestamps are UTC without a zone (the jobs' session time zone).
            return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    except ValueError:
        raise wrong from None
    raise ErasureError(f"--key {column}: the column's type {type_name} cannot be matched")


def subject_key(spec: LakeSpec, table_name: str, key_json: str) -> SubjectKey:
    """The validated subject of `--table` and `--key` (a JSON object: key column -> value as text).
    A table without a primary key cannot be erased by key: refused."""
    source, table = find_table(spec, table_name)
    if not table.primary_key:
        raise ErasureError(
            f"--table {table_name}: the table declares no primaryKey, so its rows cannot be told apart "
            "by a key; erasure needs one"
        )
    try:
        given = json.loads(key_json or "")
    except json.JSONDecodeError as err:
        raise ErasureError(f"--key: not a JSON object of key column -> value ({err.msg})") from None
    if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
        raise ErasureError(
            '--key: expected a JSON object of key column -> value as text, e.g. {"userid": "42"}'
        )
    expected = list(table.primary_key)
    if set(given) != set(expected):
        missing = [c for c in expected if c not in given]
        extra = sorted(set(given) - set(expected))
        parts = [
            f"missing {', '.join(missing)}" if missing else "",
            f"not key columns: {', '.join(extra)}" if extra else "",
        ]
        raise ErasureError(
            f"--key: {table_name}'s primary key is ({', '.join(expected)}); "
            + "; ".join(p for p in parts if p)
        )
    types = {c.name: c.type for c in table.columns}
    values = tuple(
        (c, types.get(c, "string"), parse_value(types.get(c, "string"), given[c], c)) for c in expected
    )
    return SubjectKey(source, table, values)


def canonical(value: object) -> str:
    """A typed key value as text, the same for every way of writing it (`007` and `7`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def key_digest(subject: SubjectKey) -> str:
    """SHA-256 (hex) of the table and its canonical key: names the subject in the erasure record and
    in messages without its values. A key from a small domain (a numeric id) can be guessed back by
    hashing candidates: it is a pseudonym, not an anonymisation (docs/erasure.md)."""
    payload = {
        "source": subject.source.name,
        "table": subject.table.name,
        "key": {c: canonical(v) for c, _, v in subject.values},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def sql_literal(type_name: str, value: object) -> str:
    """A typed key value as a Spark SQL literal (from the parsed value, never the given text)."""
    if type_name == "string":
        text = str(value)
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if type_name == "boolean":
        return "TRUE" if value else "FALSE"
    if type_name in _INTEGER_RANGES:
        return str(int(value))
    if type_name == "double":
        return f"CAST('{float(value)!r}' AS DOUBLE)"
    if type_name == "date":
        return f"DATE '{value.isoformat()}'"
    if type_name == "timestamp":
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if _DECIMAL.match(type_name):
        return f"CAST('{value}' AS {type_name.upper()})"
    raise ErasureError(f"type {type_name} has no literal")


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def typed_condition(subject: SubjectKey) -> str:
    """SQL: a typed table's row (silver) is the subject's."""
    return " AND ".join(f"{_quote(c)} = {sql_literal(t, v)}" for c, t, v in subject.values)


def raw_condition(subject: SubjectKey, columns: Mapping[str, bool]) -> str:
    """SQL: a row of raw columns (bronze, quarantine, key snapshots; `columns`: name -> whether it is
    a string) is the subject's: each key column converted as silver.conform converts it (trimmed,
    empty as null, typed with the column's format) equals the value. A key column missing never
    matches (FALSE); a null never matches."""
    formats = {c.name: c.format for c in subject.table.columns}
    parts = []
    for column, type_name, value in subject.values:
        if column not in columns:
            return "FALSE"
        name = _quote(column)
        fmt = formats.get(column)
        if columns[column] and fmt and type_name in ("date", "timestamp"):
            converted = f"try_to_timestamp(trim({name}), {sql_literal('string', fmt)})"
            converted = f"CAST({converted} AS DATE)" if type_name == "date" else converted
        else:
            converted = f"try_cast(nullif(trim(CAST({name} AS STRING)), '') AS {type_name})"
        parts.append(f"coalesce({converted} = {sql_literal(type_name, value)}, FALSE)")
    return " AND ".join(parts)


def raw_match(frame: DataFrame, subject: SubjectKey) -> Column:
    """`raw_condition` on `frame`'s columns, as a Column."""
    columns = {f.name: f.dataType.typeName() == "string" for f in frame.schema.fields}
    return F.expr(raw_condition(subject, columns))


def split_subject(frame: DataFrame, subject: SubjectKey) -> tuple[DataFrame, DataFrame]:
    """(kept, removed): the rows of raw `frame` that are not, and are, the subject's."""
    match = raw_match(frame, subject)
    return frame.where(~match), frame.where(match)


def removed_in_newest_run(removed: Sequence[datetime | None], newest: datetime | None) -> int:
    """How many removed rows the bronze run summary of their batch counts: those of the batch's
    newest `_ingested_at` (medallion.batches compares that run's rows with the summary)."""
    return sum(1 for at in removed if at == newest)


def adjusted_summary(summary: Mapping, field: str, removed: int) -> dict:
    """A bronze run summary with `removed` fewer rows in `field` (`rows`, or a key snapshot's
    `keys_read`), so silver's completeness check (medallion.batches) still holds for the batch."""
    if summary.get(field) is None:
        return dict(summary)
    if removed > summary[field]:
        raise ErasureError(
            f"the run summary counts {summary[field]} {field}, fewer than the {removed} removed"
        )
    return {
        **summary,
        field: summary[field] - removed,
        "erased_rows": summary.get("erased_rows", 0) + removed,
    }


def record_path(silver_path: str, subject: SubjectKey, digest: str) -> str:
    """The erasure record: `<silver>/_erasures/<source>/<table>/<digest>.json`."""
    folder = f"{silver_path.rstrip('/')}/{ERASURES_FOLDER}/{subject.source.name}/{subject.table.name}"
    return f"{folder}/{digest}.json"


def record(
    subject: SubjectKey,
    digest: str,
    started: datetime,
    report: Mapping,
    completed: bool,
    previous: Mapping | None = None,
) -> dict:
    """The erasure record: table, key columns, digest, when, what was removed; no key values."""
    erasures = list((previous or {}).get("erasures", []))
    entry = {"started": started.isoformat(), "completed": completed, "removed": dict(report)}
    if erasures and not erasures[-1].get("completed"):
        erasures[-1] = entry  # the resumed erasure
    else:
        erasures.append(entry)
    return {
        "source": subject.source.name,
        "table": subject.table.name,
        "key_columns": [c for c, _, _ in subject.values],
        "key_sha256": digest,
        "erasures": erasures,
    }


def found_anything(report: Mapping) -> bool:
    """Whether an erasure's report removed any row or key of the subject."""
    counted = ("rows_removed", "quarantine_rows_removed", "audit_rows_removed", "keys_removed")
    return any(layer.get(k, 0) for layer in report.values() if isinstance(layer, Mapping) for k in counted)


def outcome(found: bool, previous: Mapping | None, label: str, digest: str) -> str:
    """`erased`, `resumed` (a recorded erasure that did not complete), `already erased`, or an
    ErasureError for a key the lake never held (no row, no record)."""
    last = ((previous or {}).get("erasures") or [{}])[-1]
    if previous and not last.get("completed"):
        return "resumed"
    if found:
        return "erased again" if previous else "erased"
    if previous:
        return "already erased"
    raise ErasureError(
        f"{label} holds no row with that key in bronze, silver, its quarantine or its key snapshots, and "
        f"no erasure of it is recorded (key sha256 {digest[:16]}...): check --table and --key "
        "(nothing was changed)"
    )
