"""The seven TICKIT source tables: their real schemas and the real rows shipped in sample-data/tickit.

Types are written once, portably; `column_type` renders them for PostgreSQL or MariaDB.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample-data" / "tickit"

LIKES = (
    "sports",
    "theatre",
    "concerts",
    "jazz",
    "classical",
    "opera",
    "rock",
    "vegas",
    "broadway",
    "musicals",
)

# (column, portable type). No primary keys: the sources must be able to hold the anomalies.
SCHEMAS: dict[str, list[tuple[str, str]]] = {
    "category": [
        ("catid", "smallint"),
        ("catgroup", "varchar(10)"),
        ("catname", "varchar(10)"),
        ("catdesc", "varchar(50)"),
    ],
    "venue": [
        ("venueid", "smallint"),
        ("venuename", "varchar(100)"),
        ("venuecity", "varchar(30)"),
        ("venuestate", "char(2)"),
        ("venueseats", "int"),
    ],
    "event": [
        ("eventid", "int"),
        ("venueid", "smallint"),
        ("catid", "smallint"),
        ("dateid", "smallint"),
        ("eventname", "varchar(200)"),
        ("starttime", "timestamp"),
    ],
    "date": [
        ("dateid", "smallint"),
        ("caldate", "date"),
        ("day", "char(3)"),
        ("week", "smallint"),
        ("month", "char(5)"),
        ("qtr", "char(5)"),
        ("year", "smallint"),
        ("holiday", "char(1)"),
    ],
    "listing": [
        ("listid", "int"),
        ("sellerid", "int"),
        ("eventid", "int"),
        ("dateid", "smallint"),
        ("numtickets", "smallint"),
        ("priceperticket", "decimal(8,2)"),
        ("totalprice", "decimal(8,2)"),
        ("listtime", "varchar(20)"),
    ],
    "sales": [
        ("salesid", "int"),
        ("listid", "int"),
        ("sellerid", "int"),
        ("buyerid", "int"),
        ("eventid", "int"),
        ("dateid", "smallint"),
        ("qtysold", "smallint"),
        ("pricepaid", "decimal(8,2)"),
        ("commission", "decimal(8,2)"),
        ("saletime", "varchar(20)"),
    ],
    "users": [
        ("userid", "int"),
        ("username", "char(8)"),
        ("firstname", "varchar(30)"),
        ("lastname", "varchar(30)"),
        ("city", "varchar(30)"),
        ("state", "char(2)"),
        ("email", "varchar(100)"),
        ("phone", "char(14)"),
    ]
    + [(f"like{like}", "boolean") for like in LIKES],
}

REAL_TABLES = ("category", "venue", "date", "event")


def column_type(portable: str, engine: str) -> str:
    """SQL type for `engine` ("postgres" or "mariadb"); MariaDB's TIMESTAMP shifts time zones: DATETIME."""
    if engine == "mariadb" and portable == "timestamp":
        return "datetime"
    return portable


def _parse(value: str, portable: str):
    if portable in ("smallint", "int"):
        return int(value)
    if portable.startswith("decimal"):
        return Decimal(value)
    if portable == "date":
        return dt.date.fromisoformat(value)
    if portable == "timestamp":
        return dt.datetime.fromisoformat(value)
    return value


def read_real(table: str, sample_dir: Path = SAMPLE_DIR) -> list[tuple]:
    """Typed rows of one of the four real tables ('|'-separated, no header)."""
    if table not in REAL_TABLES:
        raise ValueError(f"no real rows for table {table!r}: real tables are {', '.join(REAL_TABLES)}")
    schema = SCHEMAS[table]
    path = sample_dir / f"{table}.txt"
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.rstrip("\n").split("|")
            if len(fields) != len(schema):
                raise ValueError(f"{path}:{number}: expected {len(schema)} fields, got {len(fields)}")
            rows.append(
                tuple(_parse(value, portable) for value, (_, portable) in zip(fields, schema, strict=True))
            )
    return rows
