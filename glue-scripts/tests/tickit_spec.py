"""A hand-written lake spec (the JSON shape lakeSpec() produces) for the TICKIT tables the tests use."""

from __future__ import annotations

import copy
import functools
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_TS = "M/d/yyyy HH:mm:ss"


def _table(source_table, pk, columns, watermark=None, partition=None, date=None):
    name = source_table.split(".")[-1]
    return {
        "name": name,
        "sourceTable": source_table,
        "catalogTable": source_table.replace(".", "_"),
        "primaryKey": pk,
        "watermarkColumn": watermark,
        "partitionColumn": partition,
        "dateColumn": date,
        "columns": [
            {
                "name": n,
                "type": t if isinstance(t, str) else t[0],
                "format": None if isinstance(t, str) else t[1],
            }
            for n, t in columns.items()
        ],
    }


SPEC = {
    "lake": "tickit",
    "environment": "test",
    "databases": {"source": "tickit_test_source", "bronze": "tickit_test_bronze",
                  "silver": "tickit_test_silver", "gold": "tickit_test_gold"},
    "sources": [
        {"name": "saas", "engine": "postgres", "database": "tickit", "connectionName": "tickit-test-saas",
         "tables": [
             _table("saas.category", ["catid"],
                    {"catid": "smallint", "catgroup": "string", "catname": "string", "catdesc": "string"}),
             _table("saas.venue", ["venueid"],
                    {"venueid": "smallint", "venuename": "string", "venuecity": "string",
                     "venuestate": "string", "venueseats": "int"}),
             _table("saas.event", ["eventid"],
                    {"eventid": "int", "venueid": "smallint", "catid": "smallint", "dateid": "smallint",
                     "eventname": "string", "starttime": ("timestamp", "yyyy-MM-dd HH:mm:ss")},
                    watermark="eventid", date="starttime"),
         ]},
        {"name": "ecomm", "engine": "mysql", "database": "tickit", "connectionName": "tickit-test-ecomm",
         "tables": [
             _table("listing", ["listid"],
                    {"listid": "int", "sellerid": "int", "eventid": "int", "dateid": "smallint",
                     "numtickets": "smallint", "priceperticket": "decimal(8,2)", "totalprice": "decimal(8,2)",
                     "listtime": ("timestamp", _TS)},
                    watermark="listid", partition="listid", date="listtime"),
             _table("sales", ["salesid"],
                    {"salesid": "int", "listid": "int", "sellerid": "int", "buyerid": "int", "eventid": "int",
                     "dateid": "smallint", "qtysold": "smallint", "pricepaid": "decimal(8,2)",
                     "commission": "decimal(8,2)", "saletime": ("timestamp", _TS)},
                    watermark="salesid", partition="salesid", date="saletime"),
         ]},
        {"name": "crm", "engine": "sqlserver", "database": "tickit", "connectionName": "tickit-test-crm",
         "tables": [
             _table("crm.users", ["userid"],
                    {"userid": "int", "username": "string", "firstname": "string", "lastname": "string",
                     "city": "string", "state": "string", "likesports": "boolean"},
                    watermark="userid"),
         ]},
    ],
}  # fmt: skip


def spec_dict() -> dict:
    """A fresh copy, safe to modify in a test."""
    return copy.deepcopy(SPEC)


def table_dict(short_name: str) -> dict:
    return next(t for s in SPEC["sources"] for t in s["tables"] if t["name"] == short_name)


@functools.cache
def _tickit_gold() -> tuple[dict, dict[str, str]]:
    """The `gold` section of the local stack's lake spec as the component builds it (ts-node, once per
    session), and each model file's SQL by its spec-relative path."""
    sys.path.insert(0, str(REPO / "local-lake"))
    from localdb.spec import lake_spec_for_stack

    with tempfile.TemporaryDirectory() as folder:
        spec_file = Path(folder) / "lake-spec.json"
        gold = lake_spec_for_stack("local", spec_file=spec_file)["gold"]
        return gold, {m["file"]: (Path(folder) / m["file"]).read_text() for m in gold["models"]}


def tickit_gold() -> tuple[dict, dict[str, str]]:
    """A fresh copy of the TICKIT gold models in spec form, and their SQL by file."""
    gold, sql = _tickit_gold()
    return copy.deepcopy(gold), dict(sql)


def write_spec_with_gold(spec_file: Path, metrics_namespace: str | None = None) -> dict:
    """SPEC with the TICKIT gold models (and a metrics namespace if given), written to `spec_file`
    with the models' SQL beside it."""
    gold, sql = tickit_gold()
    spec = spec_dict()
    spec["gold"] = gold
    if metrics_namespace:
        spec["metricsNamespace"] = metrics_namespace
    spec_file.write_text(json.dumps(spec))
    for name, text in sql.items():
        (spec_file.parent / name).parent.mkdir(parents=True, exist_ok=True)
        (spec_file.parent / name).write_text(text)
    return spec
