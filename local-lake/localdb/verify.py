"""The verify copy of the TICKIT sources: their raw rows in a scratch PostgreSQL database, cleaned by views.

The raw source rows of the seven TICKIT tables are copied unchanged into the scratch schema `verify` of
a scratch PostgreSQL database; views there apply the silver job's documented rules (strings trimmed,
empty strings null; a row with a null primary key or an unparseable formatted timestamp is left out;
one row per primary key). The drift benchmark (benchmarks/drift_rows.py) compares silver with these
views; the tests' independent gold computation (tests/support/expected_gold.py) queries them.
"""

from __future__ import annotations

import re

from psycopg import sql

from .errors import LocalDbError
from .servers import log, mariadb_connect, pg_connect
from .spec import SourceTable
from .tables import SCHEMAS

VERIFY_DATABASE = "localdb_verify"
SCHEMA = "verify"
TICKIT = ("category", "venue", "event", "date", "listing", "sales", "users")

# Spark datetime pattern letters -> (PostgreSQL to_timestamp pattern, regex of a valid value).
PATTERN_TOKENS = {
    "yyyy": ("YYYY", r"\d{4}"),
    "MM": ("MM", r"(0[1-9]|1[0-2])"),
    "M": ("FMMM", r"(1[0-2]|0?[1-9])"),
    "dd": ("DD", r"(0[1-9]|[12]\d|3[01])"),
    "d": ("FMDD", r"([12]\d|3[01]|0?[1-9])"),
    "HH": ("HH24", r"([01]\d|2[0-3])"),
    "mm": ("MI", r"[0-5]\d"),
    "ss": ("SS", r"[0-5]\d"),
}


def translate_pattern(pattern: str) -> tuple[str, str]:
    """A Spark datetime pattern as (PostgreSQL to_timestamp format, anchored regex of accepted values)."""
    pg, regex, rest = "", "", pattern
    while rest:
        token = next((t for t in PATTERN_TOKENS if rest.startswith(t)), None)
        if token:
            pg, regex, rest = (
                pg + PATTERN_TOKENS[token][0],
                regex + PATTERN_TOKENS[token][1],
                rest[len(token) :],
            )
        elif rest[0].isalpha():
            raise LocalDbError(
                "translate pattern", f"unsupported letter {rest[0]!r} in datetime pattern {pattern!r}"
            )
        else:
            pg, regex, rest = pg + rest[0], regex + re.escape(rest[0]), rest[1:]
    return pg, f"^{regex}$"


def clean_view_sql(table: SourceTable) -> str:
    """SELECT of the valid, deduplicated rows of one copied table, typed as silver types them."""
    spec_columns = {c.name: c for c in table.spec.columns}
    select, conditions = [], []
    for name, portable in SCHEMAS[table.short]:
        column = f'"{name}"'
        is_text = portable.startswith(("varchar", "char"))
        value = f"nullif(btrim({column}), '')" if is_text else column
        spec = spec_columns.get(name)
        if is_text and spec and spec.format and spec.type in ("timestamp", "date"):
            pg_format, regex = translate_pattern(spec.format)
            parsed = f"CASE WHEN {value} ~ '{regex}' THEN to_timestamp({value}, '{pg_format}')::timestamp END"
            value = f"({parsed})::{spec.type}"
            conditions.append(f"(nullif(btrim({column}), '') IS NULL OR {value} IS NOT NULL)")
        select.append(f"{value} AS {column}")
    keys = list(table.spec.primary_key) or [name for name, _ in SCHEMAS[table.short]]
    conditions += [f"nullif(btrim(\"{k}\"::text), '') IS NOT NULL" for k in table.spec.primary_key]
    key_list = ", ".join(f'"{k}"' for k in keys)
    where = " AND ".join(conditions) or "true"
    return (
        f'SELECT DISTINCT ON ({key_list}) {", ".join(select)} FROM {SCHEMA}."{table.short}_raw" '
        f"WHERE {where} ORDER BY {key_list}"
    )


def _fetch_raw(servers: dict, table: SourceTable) -> list[tuple]:
    columns = [name for name, _ in SCHEMAS[table.short]]
    if table.server == "postgres":
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table.schema, table.table)
        )
        with pg_connect(servers["postgres"], table.database) as conn:
            return conn.execute(query).fetchall()
    booleans = [i for i, (_, portable) in enumerate(SCHEMAS[table.short]) if portable == "boolean"]
    with mariadb_connect(servers["mariadb"], table.database) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT {', '.join(f'`{c}`' for c in columns)} FROM `{table.table}`")
        rows = cur.fetchall()
    if not booleans:
        return list(rows)
    return [tuple(bool(v) if i in booleans and v is not None else v for i, v in enumerate(r)) for r in rows]


def copy_to_verify(servers: dict, tables: list[SourceTable]) -> None:
    with pg_connect(servers["postgres"], autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (VERIFY_DATABASE,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(VERIFY_DATABASE)))
    with pg_connect(servers["postgres"], VERIFY_DATABASE) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in tables:
            rows = _fetch_raw(servers, table)
            raw = sql.Identifier(SCHEMA, f"{table.short}_raw")
            ddl = ", ".join(f'"{n}" {t}' for n, t in SCHEMAS[table.short])
            conn.execute(sql.SQL("CREATE TABLE {} (" + ddl + ")").format(raw))
            with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} FROM STDIN").format(raw)) as copy:
                for row in rows:
                    copy.write_row(row)
            conn.execute(f'CREATE VIEW {SCHEMA}."{table.short}" AS {clean_view_sql(table)}')
            log(f"verify: copied {len(rows)} raw rows of {table.source} {table.source_table}")
