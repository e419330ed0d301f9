"""Source schema drift: a table's configured columns (the lake spec) against the columns a crawler
found in the source (Glue GetTable's `StorageDescriptor.Columns`, `[{"Name": ..., "Type": ...}]`).

Pure. A configured type accepts the crawled types silver converts without parsing text, plus text
when the column has a `format` (dates and timestamps delivered as strings); anything else is a
retyped column. Glue lowercases column names, so names compare case-insensitively.
Crawled columns have GetTable's Column shape (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-catalog-tables.html#aws-glue-api-catalog-tables-Column)
and Hive type names such as int, bigint, smallint, decimal(8,2), varchar(20), string
(https://docs.aws.amazon.com/athena/latest/ug/data-types.html); a few information_schema spellings
(integer, datetime, text, ...) are read as their Hive equivalents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_DECIMAL = re.compile(r"^(?:decimal|numeric)\((\d+),\s*(\d+)\)$")
_TEXT = re.compile(r"^(?:string|text|(?:var)?char\(\d+\))$")
# Other spellings crawlers and information_schema use for the same types.
_ALIASES = {
    "integer": "int",
    "mediumint": "int",
    "double precision": "double",
    "real": "float",
    "datetime": "timestamp",
    "timestamp without time zone": "timestamp",
}
# Decimal digits each integer type needs: a decimal(p,s) holds it when p - s is at least this.
_INTEGER_DIGITS = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19}
# Per configured type, the crawled types silver converts to it without parsing text.
_ACCEPTS = {
    "string": {"string"},
    "boolean": {"boolean"},
    "smallint": {"tinyint", "smallint"},
    "int": {"tinyint", "smallint", "int"},
    "bigint": {"tinyint", "smallint", "int", "bigint"},
    "double": {"tinyint", "smallint", "int", "bigint", "float", "double", "decimal"},
    "date": {"date"},
    "timestamp": {"date", "timestamp"},
}


@dataclass(frozen=True)
class Drift:
    """Crawled columns not configured, configured columns not crawled, and type mismatches."""

    new: list[dict] = field(default_factory=list)  # [{"name", "type"}], crawled order
    missing: list[str] = field(default_factory=list)  # configured order
    retyped: list[dict] = field(default_factory=list)  # [{"name", "configured", "crawled"}]

    @property
    def found(self) -> bool:
        return bool(self.new or self.missing or self.retyped)

    def as_dict(self) -> dict:
        return {"new": self.new, "missing": self.missing, "retyped": self.retyped}


def _normalized(crawled_type: str) -> str:
    t = " ".join(crawled_type.strip().lower().split())
    t = _ALIASES.get(t, t)
    if _TEXT.match(t):
        return "string"
    decimal = _DECIMAL.match(t)
    return f"decimal({decimal[1]},{decimal[2]})" if decimal else t


def compatible(configured_type: str, configured_format: str | None, crawled_type: str) -> bool:
    """Whether silver's conversion to `configured_type` fits a source column crawled as `crawled_type`."""
    crawled = _normalized(crawled_type)
    if crawled == "string" and configured_format and configured_type in ("date", "timestamp"):
        return True
    wanted = _DECIMAL.match(configured_type)
    if wanted:
        precision, scale = int(wanted[1]), int(wanted[2])
        found = _DECIMAL.match(crawled)
        if found:  # no integer digit and no fraction digit may be lost
            return int(found[2]) <= scale and int(found[1]) - int(found[2]) <= precision - scale
        return _INTEGER_DIGITS.get(crawled, precision + 1) <= precision - scale
    base = "decimal" if _DECIMAL.match(crawled) else crawled
    return base in _ACCEPTS.get(configured_type, set())


def compare_columns(configured: Sequence[Mapping], crawled: Sequence[Mapping]) -> Drift:
    """Drift of one table. `configured` is the lake spec table's `columns` (`name`, `type`,
    `format`); an untyped table (no columns) has nothing to compare, so no drift.
    @raises ValueError when a crawled column lacks Glue's `Name` or `Type`."""
    if not configured:
        return Drift()
    for i, column in enumerate(crawled):
        if not column.get("Name") or not column.get("Type"):
            raise ValueError(f"crawled column {i} lacks Name or Type (GetTable's shape): {dict(column)!r}")
    crawled_types = {c["Name"].lower(): c["Type"] for c in crawled}
    known = {c["name"].lower() for c in configured}
    new = [{"name": c["Name"], "type": c["Type"]} for c in crawled if c["Name"].lower() not in known]
    missing = [c["name"] for c in configured if c["name"].lower() not in crawled_types]
    retyped = []
    for c in configured:
        crawled_type = crawled_types.get(c["name"].lower())
        if crawled_type and not compatible(c["type"], c.get("format"), crawled_type):
            retyped.append({"name": c["name"], "configured": c["type"], "crawled": crawled_type})
    return Drift(new, missing, retyped)
