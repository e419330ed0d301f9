"""The local counterpart of the Glue JDBC crawlers: each configured table's columns and types, read
from information_schema of its server, written to the source database of the (local) Glue Data
Catalog through the Glue API, as a crawler writes them: named as the spec's `catalogTable`, JDBC
classification, the source's connection name, `<database>.<schema>.<table>` as location."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from medallion import catalog

from . import glue_catalog
from .errors import LocalDbError
from .servers import log, mariadb_connect, pg_connect, read_servers
from .spec import SourceTable, read_spec, source_tables

# The classification a Glue JDBC crawler gives a table, per engine.
CLASSIFICATION = {"postgres": "postgresql", "mysql": "mysql", "sqlserver": "sqlserver"}
# MariaDB types without a Hive/Glue type of the same name, as Glue names them.
MARIADB_GLUE_TYPES = {
    "datetime": "timestamp",
    "mediumint": "int",
    "year": "int",
    "text": "string",
    "tinytext": "string",
    "mediumtext": "string",
    "longtext": "string",
    "json": "string",
}

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
    base = re.sub(r"^(tinyint|smallint|mediumint|int|bigint)\(\d+\)", r"\1", column_type).removesuffix(
        " unsigned"
    )
    return MARIADB_GLUE_TYPES.get(base, base)


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


def table_input(table: SourceTable, connection_name: str, columns: list[dict]) -> dict:
    """The Glue TableInput a JDBC crawler writes for one source table (pure)."""
    location = ".".join(p for p in (table.database, table.schema, table.table) if p)
    return {
        "Name": table.catalog_table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": CLASSIFICATION[table.engine],
            "connectionName": connection_name,
            "typeOfData": "table",
            "compressionType": "none",
        },
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": c["name"], "Type": c["type"]} for c in columns],
            "Location": location,
            "Compressed": False,
            "SerdeInfo": {"Parameters": {}},
        },
    }


def crawl(data_dir: Path | str, lake_spec: dict | str | Path, catalog_dir: Path | str) -> list[dict]:
    """Writes every configured table into the source database of the running local Glue catalog;
    returns what it found per table (columns, row count, whether the catalog changed)."""
    spec = read_spec(lake_spec)
    servers = read_servers(Path(data_dir))
    glue = glue_catalog.client(glue_catalog.read_server(catalog_dir)["endpoint"])
    database = spec.databases["source"]
    glue_catalog.ensure_databases(glue, [database])
    connections = {s.name: s.connection_name for s in spec.sources}
    entries = []
    for table in source_tables(spec):
        columns, count = _describe(servers, table)
        registered = catalog.register(glue, database, table_input(table, connections[table.source], columns))
        entries.append(
            {
                "database": database,
                "name": table.catalog_table,
                "source": table.source,
                "sourceTable": table.source_table,
                "columns": columns,
                "rowCount": count,
                "catalog": registered["table"],
                "crawledAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
        )
    log(f"crawled {len(entries)} tables into the Glue catalog database {database}")
    return entries


def summary(entries: list[dict]) -> str:
    """The human table: source, table, columns, rows."""
    header = ("source", "table", "columns", "rows", "catalog table")
    lines = [
        (
            e["source"],
            e["sourceTable"],
            str(len(e["columns"])),
            f"{e['rowCount']:,}",
            f"{e['name']} ({e['catalog']})",
        )
        for e in entries
    ]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *lines]
    )
