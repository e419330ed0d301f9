"""An independent computation of every gold measure, in SQL on the source data: the oracle the
end-to-end tests compare the lake's gold tables with (tests/local-lake/e2e.test.ts). Test support only:
no runtime code imports it.

The gold models are plain SQL over the verify views of the sources (localdb/verify.py: the raw rows
cleaned by the silver job's documented rules), with the gold job's documented handling of gaps (a sale
of an unknown event counts under 'Unknown', an event without its venue is 'Unknown venue', a seller or
buyer missing from users keeps null names).

Run: PYTHONPATH=local-lake:glue-scripts python tests/support/expected_gold.py DATA_DIR LAKE_SPEC
(prints {model: rows, "checks": {...}} as JSON on stdout).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from localdb.errors import LocalDbError
from localdb.servers import pg_connect, read_servers
from localdb.spec import find, read_spec, source_tables
from localdb.verify import TICKIT, VERIFY_DATABASE, copy_to_verify

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


def _jsonable(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def expected(data_dir: Path | str, lake_spec: dict | str | Path) -> dict:
    """{model: rows} for every gold model, plus `checks` over the valid source rows."""
    servers = read_servers(Path(data_dir))
    configured = source_tables(read_spec(lake_spec))
    tables = [find(configured, short) for short in TICKIT]
    try:
        copy_to_verify(servers, tables)
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


if __name__ == "__main__":
    # python expected_gold.py DATA_DIR LAKE_SPEC: a LocalDbError ends it with its message and status 1.
    json.dump(expected(sys.argv[1], sys.argv[2]), sys.stdout)
