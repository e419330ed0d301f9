"""CLI: python -m localdb {start,stop,load,crawl,spec,catalog-*,trino-*} ...
(JSON on stdout, progress on stderr)."""

from __future__ import annotations

import argparse
import json
import sys

from . import glue_catalog, trino_server
from .crawl import crawl, summary
from .errors import LocalDbError
from .increment import add_increment
from .load import load
from .servers import start, stop
from .spec import lake_spec_for_stack


def redacted(value):
    """Printed output never carries passwords: they stay in the 0600 files servers.json, connections.json."""
    if isinstance(value, dict):
        return {k: "(in servers.json)" if k == "password" else redacted(v) for k, v in value.items()}
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m localdb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str, spec: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        if name.startswith("catalog-"):
            sub.add_argument(
                "--catalog-dir", required=True, help="folder of the catalog server and catalog.json"
            )
        elif name != "spec":
            sub.add_argument("--data-dir", required=True, help="folder of the servers' data and state files")
        if spec:
            sub.add_argument("--lake-spec", required=True, help="lake spec JSON file")
        return sub

    started = command("start", "start PostgreSQL and MariaDB on 127.0.0.1 (initialize on first use)")
    started.add_argument("--pg-port", type=int)
    started.add_argument("--mariadb-port", type=int)
    command("stop", "stop both servers")
    loaded = command("load", "create and fill the configured source tables", spec=True)
    loaded.add_argument("--scale", type=float, default=1.0, help="multiplier of the generated row counts")
    loaded.add_argument("--seed", type=int, default=2008)
    loaded.add_argument("--reset", action="store_true", help="drop and reload every table")
    incremented = command("increment", "insert, update and delete source rows (history benchmark)", spec=True)
    incremented.add_argument("--fraction", type=float, default=0.001, help="share of each table's rows")
    incremented.add_argument("--seed", type=int, default=2008, help="seed of the rows updated and deleted")
    crawled = command("crawl", "write one catalog JSON per configured table", spec=True)
    crawled.add_argument("--catalog-dir", required=True, help="folder of the running local Glue catalog")
    catalog_start = command(
        "catalog-start", "start the local Glue Data Catalog (moto), restoring catalog.json"
    )
    catalog_start.add_argument(
        "--database", action="append", default=[], help="database to create if missing"
    )
    command("catalog-save", "write the running catalog to catalog.json")
    command("catalog-stop", "save the catalog and stop its server")
    trino_start = command("trino-start", "launch Trino on 127.0.0.1 over the local Glue catalog (no wait)")
    trino_start.add_argument("--glue-endpoint", required=True)
    trino_start.add_argument("--lake-dir", required=True, help="root of the local:/// table locations")
    command("trino-wait", "wait until Trino accepts queries")
    command("trino-stop", "stop Trino")
    spec = command("spec", "print the lake spec of a stack (Pulumi.<stack>.yaml), built by the component")
    spec.add_argument("--stack", default="local")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "start":
            result = redacted(start(args.data_dir, args.pg_port, args.mariadb_port))
        elif args.command == "stop":
            result = stop(args.data_dir)
        elif args.command == "load":
            result = load(args.data_dir, args.lake_spec, args.scale, args.seed, args.reset)
            for table in result["tables"]:
                line = f"{table['source']:>8} {table['sourceTable']:<16} {table['rows']:>9,} rows"
                print(f"{line}  {table['status']}", file=sys.stderr)
        elif args.command == "increment":
            result = add_increment(args.data_dir, args.lake_spec, args.fraction, args.seed)
        elif args.command == "crawl":
            result = crawl(args.data_dir, args.lake_spec, args.catalog_dir)
            print(summary(result), file=sys.stderr)
        elif args.command == "catalog-start":
            entry = glue_catalog.start(args.catalog_dir, args.database)
            result = {**entry, "env": glue_catalog.env(entry["endpoint"])}
        elif args.command == "catalog-save":
            result = {"tables": glue_catalog.save(args.catalog_dir)}
        elif args.command == "catalog-stop":
            result = glue_catalog.stop(args.catalog_dir)
        elif args.command == "trino-start":
            result = trino_server.start(args.data_dir, args.glue_endpoint, args.lake_dir)
        elif args.command == "trino-wait":
            result = trino_server.wait(args.data_dir)
        elif args.command == "trino-stop":
            result = trino_server.stop(args.data_dir)
        else:
            result = lake_spec_for_stack(args.stack)
    except (LocalDbError, ValueError) as error:
        print(f"localdb {args.command} failed: {error}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
