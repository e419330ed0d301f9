"""New rows at the sources past the bronze watermarks, for the history benchmark (`npm run bench --
--increments K`): each incrementally read table (a watermark column that is its one integer primary
key, as the TICKIT tables are) gets copies of its first `fraction` of rows under new keys above its
largest (rows without a key, the generator's anomalies, are not copied); the full-load tables are
delivered whole by every bronze run anyway, which silver MERGEs as updates. An update in place of an
incrementally read row is invisible to a watermark on its key, so the changed rows of an increment
are those re-delivered by full loads.

Run it with the lake's `--from bronze`: the load step would otherwise reload the tables whose row
counts no longer match what it loaded.
"""

from __future__ import annotations

import math
from pathlib import Path

from psycopg import sql

from .servers import mariadb_connect, pg_connect, read_servers
from .spec import SourceTable, read_spec, source_tables

INTEGER_TYPES = ("smallint", "int", "bigint")


def _key(table: SourceTable) -> str | None:
    """The column new rows continue past: the watermark column when it is the table's integer key."""
    spec = table.spec
    types = {c.name: c.type for c in spec.columns}
    if spec.watermark_column and list(spec.primary_key) == [spec.watermark_column]:
        return spec.watermark_column if types.get(spec.watermark_column) in INTEGER_TYPES else None
    return None


def _pg_copy(server: dict, table: SourceTable, key: str, rows: int) -> int:
    name, column = sql.Identifier(table.schema, table.table), sql.Identifier(key)
    with pg_connect(server, table.database) as conn:
        (top,) = conn.execute(sql.SQL("SELECT max({}) FROM {}").format(column, name)).fetchone()
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE increment AS SELECT * FROM {} WHERE {} IS NOT NULL ORDER BY {} LIMIT {}"
            ).format(name, column, column, sql.Literal(rows))
        )
        conn.execute(sql.SQL("UPDATE increment SET {} = {} + {}").format(column, column, sql.Literal(top)))
        return conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM increment").format(name)).rowcount


def _mariadb_copy(server: dict, table: SourceTable, key: str, rows: int) -> int:
    name, column = f"`{table.database}`.`{table.table}`", f"`{key}`"
    with mariadb_connect(server, table.database, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT max({column}) FROM {name}")
        (top,) = cur.fetchone()
        copied = (
            f"CREATE TEMPORARY TABLE increment AS SELECT * FROM {name} WHERE {column} IS NOT NULL "
            f"ORDER BY {column} LIMIT %s"
        )
        cur.execute(copied, (rows,))
        cur.execute(f"UPDATE increment SET {column} = {column} + %s", (top,))
        return cur.execute(f"INSERT INTO {name} SELECT * FROM increment")


COPY = {"postgres": _pg_copy, "mariadb": _mariadb_copy}


def count_rows(server: dict, table: SourceTable) -> int:
    if table.server == "postgres":
        with pg_connect(server, table.database) as conn:
            name = sql.Identifier(table.schema, table.table)
            return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(name)).fetchone()[0]
    with mariadb_connect(server) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM `{table.database}`.`{table.table}`")
        return cur.fetchone()[0]


def add_increment(data_dir: Path | str, lake_spec, fraction: float) -> dict:
    """Inserts about `fraction` of each incrementally read table's rows as new rows; returns per table
    the rows inserted (0 for full-load tables, re-delivered whole)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    servers = read_servers(Path(data_dir).resolve())
    inserted = {}
    for table in source_tables(read_spec(lake_spec)):
        key = _key(table)
        server = servers[table.server]
        if key is None:
            inserted[f"{table.source}.{table.source_table}"] = 0
            continue
        rows = max(1, math.ceil(count_rows(server, table) * fraction))
        inserted[f"{table.source}.{table.source_table}"] = COPY[table.server](server, table, key, rows)
    return {"inserted": inserted}
