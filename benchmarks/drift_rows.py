"""How far silver is from its sources: per table, the keys only the source has, the keys only silver
has, and the rows of a common key whose values differ. The target is 0 everywhere.

Computed independently of the silver job: the source side is localdb's verify views (the raw source
rows copied to a scratch PostgreSQL database, with silver's documented rules applied in SQL: see
localdb/verify.py), the silver side is the silver Iceberg tables of the local Glue catalog
(AWS_ENDPOINT_URL_GLUE) read with Spark, as benchmarks/scan_bytes.py does, copied next to them; the
comparison is SQL over both, on every column the two share. Prints one line
`DRIFT_ROWS {"<source>/<table>": {"onlySource": n, "onlySilver": n, "differ": n}, ...}`.
Usage: python benchmarks/drift_rows.py --data-dir SOURCES --lake-spec FILE --silver-db DB
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def drift_sql(view: str, copy: str, keys: list[str], columns: list[str], booleans: set[str]) -> str:
    """One row (onlySource, onlySilver, differ) comparing two relations of the verify schema; the
    `booleans` columns compare as booleans (a source's 't' is silver's true; the views keep the text)."""
    on = " AND ".join(f's."{k}" = t."{k}"' for k in keys)

    def values(alias: str) -> str:
        return ", ".join(f'{alias}."{c}"' + ("::boolean" if c in booleans else "") for c in columns)

    return (
        f'SELECT (SELECT count(*) FROM verify."{view}" s WHERE NOT EXISTS '
        f'(SELECT 1 FROM verify."{copy}" t WHERE {on})), '
        f'(SELECT count(*) FROM verify."{copy}" t WHERE NOT EXISTS '
        f'(SELECT 1 FROM verify."{view}" s WHERE {on})), '
        f'(SELECT count(*) FROM verify."{view}" s JOIN verify."{copy}" t ON {on} '
        f"WHERE ROW({values('s')}) IS DISTINCT FROM ROW({values('t')}))"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True, help="folder of the source servers' state files")
    parser.add_argument("--lake-spec", required=True, help="lake spec JSON file")
    parser.add_argument("--silver-db", required=True, help="silver catalog database")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT / "glue-scripts"), str(ROOT / "local-lake")]
    from local_spark import local_iceberg_session
    from localdb.servers import pg_connect, read_servers
    from localdb.spec import find, read_spec, source_tables
    from localdb.tables import SCHEMAS

    # The verify views the tests' expected-gold check also reads: the same source side, not a second copy.
    from localdb.verify import SCHEMA, TICKIT, VERIFY_DATABASE, copy_to_verify
    from medallion.iceberg import table_name
    from psycopg import sql
    from pyspark.sql import functions as F

    servers = read_servers(Path(args.data_dir).resolve())
    tables = [find(source_tables(read_spec(args.lake_spec)), short) for short in TICKIT]
    copy_to_verify(servers, tables)
    # Timestamps as text in UTC, as the verify views hold them (the session's time zone).
    spark = local_iceberg_session("medallion-bench-drift", "silver")
    spark.sparkContext.setLogLevel("ERROR")
    result = {}
    with pg_connect(servers["postgres"], VERIFY_DATABASE) as conn:
        for table in tables:
            silver = spark.table(table_name(args.silver_db, f"{table.source}_{table.short}"))
            columns = [name for name, _ in SCHEMAS[table.short] if name in silver.columns]
            copy = sql.Identifier(SCHEMA, f"{table.short}_silver")
            listed = sql.SQL(", ").join(map(sql.Identifier, columns))
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(copy))
            conn.execute(
                sql.SQL("CREATE TABLE {} AS SELECT {} FROM {} WITH NO DATA").format(
                    copy, listed, sql.Identifier(SCHEMA, table.short)
                )
            )
            text = silver.select(*[F.col(f"`{c}`").cast("string").alias(c) for c in columns])
            with (
                conn.cursor() as cur,
                cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(copy, listed)) as out,
            ):
                for row in text.toLocalIterator():
                    out.write_row(tuple(row))
            keys = list(table.spec.primary_key)
            booleans = {c.name for c in table.spec.columns if c.type == "boolean"}
            only_source, only_silver, differ = conn.execute(
                drift_sql(table.short, f"{table.short}_silver", keys, columns, booleans)
            ).fetchone()
            result[f"{table.source}/{table.short}"] = {
                "onlySource": only_source,
                "onlySilver": only_silver,
                "differ": differ,
            }
    spark.stop()
    print("DRIFT_ROWS " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
