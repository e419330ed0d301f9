"""The local counterpart of the Glue crawlers: each configured table's columns, types and row count,
read from information_schema of its server, as one JSON file per table."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from .errors import LocalDbError
from .servers import log, mariadb_connect, pg_connect, read_servers
from .spec import SourceTable, read_spec, source_tables

PG_COLUMNS = """SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale
FROM information_schema.columns WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"""
MARIADB_COLUMNS = """SELECT column_name, column_type FROM information_schema.columns
WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position"""


def _pg_type(data_type: str, length: int | None, precision: int | None, scale: int | None) -> str:
    if data_type in ("character varying", "character"):
        return f"{'varchar' if data_type == 'character varying' else 'char'}({length})"
    if data_type == "numeric":
        return f"decimal({precision},{scale})"
    return {"timestamp without time zone": "timestamp", "integer": "int"}.get(data_type, data_type)


def _mariadb_type(column_type: str) -> str:
    """tinyint(1) is MariaDB's boolean; other integer display widths (int(11)) carry no type information."""
    if column_type == "tinyint(1)":
        return "boolean"
    return re.sub(r"^(tinyint|smallint|mediumint|int|bigint)\(\d+\)", r"\1", column_type)


def _describe(servers: dict, table: SourceTable) -> tuple[list[dict], int]:
    if table.server == "postgres":
        with pg_connect(servers["postgres"], table.database) as conn:
            rows = conn.execute(PG_COLUMNS, (table.schema, table.table)).fetchall()
            columns = [{"name": r[0], "type": _pg_type(*r[1:])} for r in rows]
            count = (
                conn.execute(f'SELECT count(*) FROM "{table.schema}"."{table.table}"').fetchone()[0]
                if columns
                else 0
            )
    else:
        with mariadb_connect(servers["mariadb"]) as conn, conn.cursor() as cur:
            cur.execute(MARIADB_COLUMNS, (table.database, table.table))
            columns = [{"name": r[0], "type": _mariadb_type(r[1])} for r in cur.fetchall()]
            count = 0
            if columns:
                cur.execute(f"SELECT count(*) FROM `{table.database}`.`{table.table}`")
                count = cur.fetchone()[0]
    if not columns:
        raise LocalDbError(
            "crawl",
            f"source {table.source}: table {table.source_table} does not exist in database "
            f"{table.database} on the local {table.server} server (run `load` first)",
        )
    return columns, count


def crawl(data_dir: Path | str, lake_spec: dict | str | Path, catalog_dir: Path | str) -> list[dict]:
    """Writes OUT/<source catalog database>/<catalogTable>.json per table; returns the entries written."""
    spec = read_spec(lake_spec)
    servers = read_servers(Path(data_dir))
    folder = Path(catalog_dir) / spec["databases"]["source"]
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for table in source_tables(spec):
        columns, count = _describe(servers, table)
        entry = {
            "name": table.catalog_table,
            "source": table.source,
            "sourceTable": table.source_table,
            "columns": columns,
            "rowCount": count,
            "crawledAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        (folder / f"{table.catalog_table}.json").write_text(json.dumps(entry, indent=2) + "\n")
        entries.append(entry)
    log(f"crawled {len(entries)} tables into {folder}")
    return entries


def summary(entries: list[dict]) -> str:
    """The human table: source, table, columns, rows."""
    header = ("source", "table", "columns", "rows")
    lines = [(e["source"], e["sourceTable"], str(len(e["columns"])), f"{e['rowCount']:,}") for e in entries]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *lines]
    )
