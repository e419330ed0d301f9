"""One increment of source changes for the history benchmark (`npm run bench -- --increments K`):
new rows, rows updated in place and rows deleted, at the sources, between two lake runs.

- Inserts: each incrementally read table (a watermark column that is its one integer primary key, as
  the TICKIT tables are) gets copies of its first `fraction` of rows under new keys above its largest
  (rows without a key, the generator's anomalies, are not copied).
- Updates in place: about UPDATE_SHARE of the rows of the tables in UPDATES get new values (+1 in each
  listed column). On sales and listing (id-watermarked) the watermark on the key cannot see them: the
  lake keeps the old values until `reconcile: rows` exists, and the benchmark's drift shows them. On
  venue (full load) the next batch re-delivers them and silver counts them as changed.
- Deletes: about DELETE_SHARE of the rows of the tables in DELETES, at least one row (far below the
  delete guard's default maxDeleteShare of 0.5 for venue, the full-load one). The lake does not
  cascade, and neither does this: a deleted listing's sales stay.

Updated and deleted rows are drawn, before the inserts, from the existing rows with a key and non-null
update columns, by a random generator seeded with `seed`, the table and its current size: the same
sources and seed give the same increment, and every increment of a run draws anew.

Run it with the lake's `--from bronze`: the load step would otherwise reload the tables whose row
counts no longer match what it loaded.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from psycopg import sql

from .servers import mariadb_connect, pg_connect, read_servers
from .spec import SourceTable, read_spec, source_tables

INTEGER_TYPES = ("smallint", "int", "bigint")
UPDATE_SHARE = 0.0005
DELETE_SHARE = 0.0001
# Columns an in-place update adds 1 to, per TICKIT table (constants: the only names in the SQL below
# besides the spec's validated identifiers).
UPDATES = {
    "sales": ("pricepaid", "commission"),
    "listing": ("priceperticket", "totalprice"),
    "venue": ("venueseats",),
}
DELETES = ("sales", "listing", "venue")


def _key(table: SourceTable) -> str | None:
    """The column new rows continue past: the watermark column when it is the table's integer key."""
    spec = table.spec
    types = {c.name: c.type for c in spec.columns}
    if spec.watermark_column and list(spec.primary_key) == [spec.watermark_column]:
        return spec.watermark_column if types.get(spec.watermark_column) in INTEGER_TYPES else None
    return None


def share_rows(rows: int, share: float) -> int:
    """Rows an increment changes of a table of `rows`: `share` of them rounded up, at least one (none
    of an empty table)."""
    return min(rows, max(1, math.ceil(rows * share)))


def pick_keys(keys: list, rows: int, seed: int, label: str) -> list:
    """`rows` of `keys`, drawn by a generator seeded with (seed, label, len(keys)); sorted."""
    rng = random.Random(f"{seed}:{label}:{len(keys)}")
    return sorted(rng.sample(sorted(keys), min(rows, len(keys))))


class _Postgres:
    def __init__(self, server: dict, table: SourceTable):
        self.conn = pg_connect(server, table.database, autocommit=True)
        self.name = sql.Identifier(table.schema, table.table)

    def count(self) -> int:
        return self.conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self.name)).fetchone()[0]

    def keys(self, key: str, non_null: tuple[str, ...]) -> list:
        where = sql.SQL(" AND ").join(
            sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in (key, *non_null)
        )
        query = sql.SQL("SELECT {} FROM {} WHERE {}").format(sql.Identifier(key), self.name, where)
        return [r[0] for r in self.conn.execute(query)]

    def update(self, key: str, columns: tuple[str, ...], keys: list) -> int:
        sets = sql.SQL(", ").join(sql.SQL("{0} = {0} + 1").format(sql.Identifier(c)) for c in columns)
        query = sql.SQL("UPDATE {} SET {} WHERE {} = ANY(%s)").format(self.name, sets, sql.Identifier(key))
        return self.conn.execute(query, (keys,)).rowcount

    def delete(self, key: str, keys: list) -> int:
        query = sql.SQL("DELETE FROM {} WHERE {} = ANY(%s)").format(self.name, sql.Identifier(key))
        return self.conn.execute(query, (keys,)).rowcount

    def copy_past_top(self, key: str, rows: int) -> int:
        column = sql.Identifier(key)
        (top,) = self.conn.execute(sql.SQL("SELECT max({}) FROM {}").format(column, self.name)).fetchone()
        self.conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE increment AS SELECT * FROM {} WHERE {} IS NOT NULL ORDER BY {} LIMIT {}"
            ).format(self.name, column, column, sql.Literal(rows))
        )
        self.conn.execute(
            sql.SQL("UPDATE increment SET {} = {} + {}").format(column, column, sql.Literal(top))
        )
        return self.conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM increment").format(self.name)).rowcount

    def close(self) -> None:
        self.conn.close()


class _MariaDb:
    def __init__(self, server: dict, table: SourceTable):
        self.conn = mariadb_connect(server, table.database, autocommit=True)
        self.name = f"`{table.database}`.`{table.table}`"

    def _run(self, query: str, args=None):
        with self.conn.cursor() as cur:
            count = cur.execute(query, args)
            return count, cur.fetchall()

    def count(self) -> int:
        return self._run(f"SELECT count(*) FROM {self.name}")[1][0][0]

    def keys(self, key: str, non_null: tuple[str, ...]) -> list:
        where = " AND ".join(f"`{c}` IS NOT NULL" for c in (key, *non_null))
        return [r[0] for r in self._run(f"SELECT `{key}` FROM {self.name} WHERE {where}")[1]]

    def update(self, key: str, columns: tuple[str, ...], keys: list) -> int:
        if not keys:
            return 0
        sets = ", ".join(f"`{c}` = `{c}` + 1" for c in columns)
        return self._run(f"UPDATE {self.name} SET {sets} WHERE `{key}` IN %s", (keys,))[0]

    def delete(self, key: str, keys: list) -> int:
        if not keys:
            return 0
        return self._run(f"DELETE FROM {self.name} WHERE `{key}` IN %s", (keys,))[0]

    def copy_past_top(self, key: str, rows: int) -> int:
        ((top,),) = self._run(f"SELECT max(`{key}`) FROM {self.name}")[1]
        self._run(
            f"CREATE TEMPORARY TABLE increment AS SELECT * FROM {self.name} WHERE `{key}` IS NOT NULL "
            f"ORDER BY `{key}` LIMIT %s",
            (rows,),
        )
        self._run(f"UPDATE increment SET `{key}` = `{key}` + %s", (top,))
        return self._run(f"INSERT INTO {self.name} SELECT * FROM increment")[0]

    def close(self) -> None:
        self.conn.close()


SERVERS = {"postgres": _Postgres, "mariadb": _MariaDb}


def _change_table(db, table: SourceTable, fraction: float, seed: int) -> tuple[int, int, int]:
    """(inserted, changed, deleted) of one table: updates and deletes first, among the rows before the
    increment, then the inserts."""
    label = f"{table.source}.{table.source_table}"
    rows = db.count()
    changed = deleted = 0
    pk = list(table.spec.primary_key)
    columns = {c.name for c in table.spec.columns}
    update_columns = tuple(c for c in UPDATES.get(table.short, ()) if c in columns)
    if len(pk) == 1 and (update_columns or table.short in DELETES):
        keys = db.keys(pk[0], update_columns)
        n_update = share_rows(rows, UPDATE_SHARE) if update_columns else 0
        n_delete = share_rows(rows, DELETE_SHARE) if table.short in DELETES else 0
        drawn = pick_keys(keys, n_update + n_delete, seed, label)
        random.Random(f"{seed}:{label}:split").shuffle(drawn)
        changed = db.update(pk[0], update_columns, drawn[:n_update]) if n_update else 0
        deleted = db.delete(pk[0], drawn[n_update:]) if n_delete else 0
    key = _key(table)
    inserted = db.copy_past_top(key, share_rows(rows, fraction)) if key else 0
    return inserted, changed, deleted


def add_increment(data_dir: Path | str, lake_spec, fraction: float, seed: int = 2008) -> dict:
    """Inserts about `fraction` of each incrementally read table's rows as new rows, updates and deletes
    a few rows (see the module's docstring); returns per table (`<source>.<table>`) the rows inserted
    (0 for full-load tables, re-delivered whole), changed and deleted."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    servers = read_servers(Path(data_dir).resolve())
    result = {"inserted": {}, "changed": {}, "deleted": {}}
    for table in source_tables(read_spec(lake_spec)):
        db = SERVERS[table.server](servers[table.server], table)
        try:
            counts = _change_table(db, table, fraction, seed)
        finally:
            db.close()
        for kind, n in zip(result, counts, strict=True):
            result[kind][f"{table.source}.{table.source_table}"] = n
    return result
