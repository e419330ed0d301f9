"""An independent computation of every gold measure, in SQL on the source data, for reconciliation.

The raw source rows of the seven TICKIT tables are copied unchanged into the scratch schema `verify` of
a scratch PostgreSQL database; views there apply the silver job's documented rules (strings trimmed,
empty strings null; a row with a null primary key or an unparseable formatted timestamp is left out;
one row per primary key), and the gold models are plain SQL over those views, with the gold job's
documented handling of gaps (a sale of an unknown event counts under 'Unknown', an event without its
venue is 'Unknown venue', a seller or buyer missing from users keeps null names).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from psycopg import sql

from .errors import LocalDbError
from .servers import log, mariadb_connect, pg_connect, read_servers
from .spec import SourceTable, find, read_spec, source_tables
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


MEASURES = """sum(s.pricepaid) AS gross_sales, sum(s.commission) AS commission,
    sum(s.qtysold) AS tickets_sold, count(*) AS orders,
    round(sum(s.pricepaid) / nullif(sum(s.qtysold), 0), 2) AS avg_ticket_price"""

MODELS = {
    "sales_by_month": f"""
SELECT extract(year FROM s.saletime)::int AS year, extract(month FROM s.saletime)::int AS month, {MEASURES}
FROM verify.sales s GROUP BY 1, 2 ORDER BY 1, 2""",
    "sales_by_category": f"""
SELECT coalesce(c.catgroup, 'Unknown') AS catgroup, coalesce(c.catname, 'Unknown') AS catname, {MEASURES}
FROM verify.sales s LEFT JOIN verify.event e ON e.eventid = s.eventid
LEFT JOIN verify.category c ON c.catid = e.catid
GROUP BY 1, 2 ORDER BY 1, 2""",
    "event_performance": """
WITH listed AS (SELECT eventid, sum(numtickets) AS tickets_listed FROM verify.listing GROUP BY eventid),
sold AS (SELECT eventid, sum(qtysold) AS tickets_sold, sum(pricepaid) AS gross_sales FROM verify.sales
         GROUP BY eventid)
SELECT extract(year FROM e.starttime)::int AS year, extract(month FROM e.starttime)::int AS month,
    e.eventid, e.eventname, c.catname, e.venueid, coalesce(v.venuename, 'Unknown venue') AS venuename,
    v.venuecity, v.venuestate, coalesce(l.tickets_listed, 0) AS tickets_listed,
    coalesce(so.tickets_sold, 0) AS tickets_sold,
    coalesce(so.tickets_sold, 0)::double precision / nullif(l.tickets_listed, 0) AS sell_through,
    coalesce(so.gross_sales, 0) AS gross_sales
FROM verify.event e LEFT JOIN verify.category c ON c.catid = e.catid
LEFT JOIN verify.venue v ON v.venueid = e.venueid
LEFT JOIN listed l ON l.eventid = e.eventid LEFT JOIN sold so ON so.eventid = e.eventid
ORDER BY e.eventid""",
    "top_sellers": """
WITH totals AS (SELECT extract(year FROM saletime)::int AS year, sellerid, sum(pricepaid) AS gross_sales,
                       sum(qtysold) AS tickets_sold FROM verify.sales GROUP BY 1, 2),
ranked AS (SELECT *, row_number() OVER (PARTITION BY year ORDER BY gross_sales DESC, sellerid) AS rank
           FROM totals)
SELECT r.year, r.rank, r.sellerid, u.username, u.firstname, u.lastname, u.city, u.state, r.gross_sales,
    r.tickets_sold
FROM ranked r LEFT JOIN verify.users u ON u.userid = r.sellerid WHERE r.rank <= 10 ORDER BY r.year, r.rank""",
    "top_buyers": """
WITH totals AS (SELECT extract(year FROM saletime)::int AS year, buyerid, sum(pricepaid) AS total_spent,
                       sum(qtysold) AS tickets_bought, count(*) AS orders FROM verify.sales GROUP BY 1, 2),
ranked AS (SELECT *, row_number() OVER (PARTITION BY year ORDER BY total_spent DESC, buyerid) AS rank
           FROM totals)
SELECT r.year, r.rank, r.buyerid, u.username, u.firstname, u.lastname, u.city, u.state, r.total_spent,
    r.tickets_bought, r.orders
FROM ranked r LEFT JOIN verify.users u ON u.userid = r.buyerid WHERE r.rank <= 10 ORDER BY r.year, r.rank""",
}

CHECKS = {
    "fl_venueseats": "SELECT sum(venueseats) FROM verify.venue WHERE venuestate = 'FL'",
    "event_distinct_venueids": "SELECT count(DISTINCT venueid) FROM verify.event",
    "events_missing_venue": "SELECT count(*) FROM verify.event e WHERE NOT EXISTS "
    "(SELECT 1 FROM verify.venue v WHERE v.venueid = e.venueid)",
    "missing_venue_ids": "SELECT array_agg(DISTINCT venueid ORDER BY venueid) FROM verify.event e "
    "WHERE NOT EXISTS "
    "(SELECT 1 FROM verify.venue v WHERE v.venueid = e.venueid)",
}


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


def _jsonable(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _copy_to_verify(servers: dict, tables: list[SourceTable]) -> None:
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


def expected(data_dir: Path | str, lake_spec: dict | str | Path) -> dict:
    """{model: rows} for every gold model, plus `checks` over the valid source rows."""
    servers = read_servers(Path(data_dir))
    configured = source_tables(read_spec(lake_spec))
    tables = [find(configured, short) for short in TICKIT]
    try:
        _copy_to_verify(servers, tables)
        result = {}
        with pg_connect(servers["postgres"], VERIFY_DATABASE) as conn:
            for model, query in MODELS.items():
                cur = conn.execute(query)
                names = [d.name for d in cur.description]
                result[model] = [{n: _jsonable(v) for n, v in zip(names, row, strict=True)} for row in cur]
            result["checks"] = {name: conn.execute(query).fetchone()[0] for name, query in CHECKS.items()}
    except LocalDbError:
        raise
    except Exception as error:
        raise LocalDbError("compute expected gold", str(error)) from error
    return result
