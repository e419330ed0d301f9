"""Create the source databases, tables and read-only logins, and fill them with TICKIT rows."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from pathlib import Path

from psycopg import sql

from . import generate
from . import tables as tables_module
from .errors import LocalDbError
from .generate import anomalies, generate_dataset
from .servers import log, mariadb_connect, pg_connect, read_servers, write_private
from .spec import SourceTable, read_spec, source_tables
from .tables import REAL_TABLES, SAMPLE_DIR, SCHEMAS, column_type, read_real

# MariaDB serves the mysql sources through the jdbc:mysql: scheme (permitMysqlScheme), so Spark
# applies its MySQL dialect (backtick quoting), exactly as for a MySQL source on AWS.
DRIVERS = {
    "postgres": ("jdbc:postgresql://{host}:{port}/{database}", "org.postgresql.Driver"),
    "mariadb": ("jdbc:mysql://{host}:{port}/{database}?permitMysqlScheme", "org.mariadb.jdbc.Driver"),
}


def data_fingerprint() -> str:
    """Changes whenever the loaded rows could: the generator's code or the real sample rows."""
    digest = hashlib.sha256()
    for path in [Path(generate.__file__), Path(tables_module.__file__), *sorted(SAMPLE_DIR.glob("*.txt"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _login(source: str) -> str:
    return f"lake_{source}"


def _ddl_columns(short: str, engine: str) -> str:
    quote = (lambda n: f'"{n}"') if engine == "postgres" else (lambda n: f"`{n}`")
    return ", ".join(f"{quote(name)} {column_type(kind, engine)}" for name, kind in SCHEMAS[short])


def _pg_prepare(server: dict, databases: set[str]) -> None:
    with pg_connect(server, autocommit=True) as conn:
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        for database in sorted(databases - existing):
            log(f"postgres: creating database {database}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def _pg_login(server: dict, table: SourceTable, password: str) -> None:
    login = _login(table.source)
    with pg_connect(server, table.database, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(login), sql.Literal(password))
        )
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(table.database), sql.Identifier(login)
            )
        )
        conn.execute(
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                sql.Identifier(table.schema), sql.Identifier(login)
            )
        )
        conn.execute(
            sql.SQL("GRANT SELECT ON {}.{} TO {}").format(
                sql.Identifier(table.schema), sql.Identifier(table.table), sql.Identifier(login)
            )
        )


def _pg_count(server: dict, table: SourceTable) -> int | None:
    with pg_connect(server, table.database) as conn:
        if (
            conn.execute("SELECT to_regclass(%s)", (f'"{table.schema}"."{table.table}"',)).fetchone()[0]
            is None
        ):
            return None
        return conn.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(table.schema), sql.Identifier(table.table)
            )
        ).fetchone()[0]


def _pg_fill(server: dict, table: SourceTable, rows: list[tuple]) -> None:
    name = sql.Identifier(table.schema, table.table)
    with pg_connect(server, table.database) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(table.schema)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(name))
        conn.execute(sql.SQL("CREATE TABLE {} (" + _ddl_columns(table.short, "postgres") + ")").format(name))
        columns = sql.SQL(", ").join(sql.Identifier(c) for c, _ in SCHEMAS[table.short])
        with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(name, columns)) as copy:
            for row in rows:
                copy.write_row(row)


def _mariadb_count(server: dict, table: SourceTable) -> int | None:
    with mariadb_connect(server) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (table.database, table.table),
        )
        if cur.fetchone()[0] == 0:
            return None
        cur.execute(f"SELECT count(*) FROM `{table.database}`.`{table.table}`")
        return cur.fetchone()[0]


def _tsv_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _mariadb_fill(server: dict, table: SourceTable, rows: list[tuple]) -> None:
    qualified = f"`{table.database}`.`{table.table}`"
    columns = ", ".join(f"`{c}`" for c, _ in SCHEMAS[table.short])
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8", delete=False) as handle:
        for row in rows:
            handle.write("\t".join(_tsv_value(v) for v in row) + "\n")
    try:
        with mariadb_connect(server, local_infile=True, charset="utf8mb4") as conn, conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE IF NOT EXISTS `{table.database}` CHARACTER SET utf8mb4")
            cur.execute(f"DROP TABLE IF EXISTS {qualified}")
            cur.execute(f"CREATE TABLE {qualified} ({_ddl_columns(table.short, 'mariadb')})")
            cur.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE {qualified} CHARACTER SET utf8mb4 "
                f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({columns})",
                (handle.name,),
            )
            cur.execute("SHOW WARNINGS LIMIT 5")
            warnings = cur.fetchall()
            if warnings:  # LOCAL turns data errors into warnings: a truncated value must not pass silently
                raise LocalDbError(
                    f"load {table.source}.{table.source_table}", f"MariaDB warnings: {warnings}"
                )
            conn.commit()
    finally:
        os.unlink(handle.name)


def _mariadb_login(server: dict, table: SourceTable, password: str) -> None:
    login = _login(table.source)
    with mariadb_connect(server) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE USER IF NOT EXISTS '{login}'@'127.0.0.1' IDENTIFIED BY %s", (password,))
        cur.execute(f"ALTER USER '{login}'@'127.0.0.1' IDENTIFIED BY %s", (password,))
        cur.execute(f"GRANT SELECT ON `{table.database}`.`{table.table}` TO '{login}'@'127.0.0.1'")


OPS = {
    "postgres": (_pg_count, _pg_fill, _pg_login),
    "mariadb": (_mariadb_count, _mariadb_fill, _mariadb_login),
}


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def load(
    data_dir: Path | str,
    lake_spec: dict | str | Path,
    scale: float = 1,
    seed: int = 2008,
    reset: bool = False,
) -> dict:
    """Fill every configured table; tables whose recorded scale/seed/row count match are left alone.
    Writes DIR/connections.json (the bronze job's `local_connections`) and returns the per-table counts."""
    data_dir = Path(data_dir).resolve()
    servers = read_servers(data_dir)
    tables = source_tables(read_spec(lake_spec))
    for table in tables:
        if table.engine == "sqlserver":
            log(
                f"source {table.source} ({table.source_table}): SQL Server has no local server; "
                "PostgreSQL stands in for it"
            )
    state_file, connections_file = data_dir / "load-state.json", data_dir / "connections.json"
    state, connections = _read_json(state_file), _read_json(connections_file)
    _pg_prepare(servers["postgres"], {t.database for t in tables if t.server == "postgres"})
    fingerprint = data_fingerprint()
    dataset = None
    report = []
    for table in tables:
        server = servers[table.server]
        count, fill, grant = OPS[table.server]
        key = f"{table.source}:{table.source_table}"
        current = count(server, table)
        # Real rows do not depend on scale and seed.
        wanted = (
            {"data": fingerprint}
            if table.short in REAL_TABLES
            else {"data": fingerprint, "scale": scale, "seed": seed}
        )
        recorded = state.get(key, {})
        if not reset and current is not None and recorded == {**wanted, "rows": current}:
            status = "unchanged"
        else:
            if table.short in REAL_TABLES:
                rows = read_real(table.short)
            else:
                dataset = dataset or generate_dataset(scale, seed)
                rows = dataset[table.short]
            log(f"loading {len(rows)} rows into {table.source} {table.source_table} ({table.server})")
            try:
                fill(server, table, rows)
            except LocalDbError:
                raise
            except Exception as error:
                raise LocalDbError(f"load {table.source}.{table.source_table}", str(error)) from error
            current = count(server, table)
            if current != len(rows):
                raise LocalDbError(
                    f"load {table.source}.{table.source_table}",
                    f"{current} rows in the table after loading {len(rows)}",
                )
            state[key] = {**wanted, "rows": current}
            write_private(state_file, state)
            status = "loaded"
        login = connections.get(table.source, {})
        password = login.get("password") or secrets.token_urlsafe(18)
        grant(server, table, password)
        url, driver = DRIVERS[table.server]
        connections[table.source] = {
            "url": url.format(host=server["host"], port=server["port"], database=table.database),
            "user": _login(table.source),
            "password": password,
            "driver": driver,
        }
        report.append(
            {
                "source": table.source,
                "table": table.short,
                "sourceTable": table.source_table,
                "server": table.server,
                "rows": current,
                "status": status,
            }
        )
    write_private(connections_file, connections)
    return {
        "scale": scale,
        "seed": seed,
        "tables": report,
        "anomalies": anomalies(),
        "connections": str(connections_file),
    }
