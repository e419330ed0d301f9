"""What a consumer sees on the local Trino: Trino's file-based access control
(https://trino.io/docs/476/security/file-system-access-control.html), its rules generated from the
local Glue catalog as the jobs left it, so the local query engine shows a consumer what Athena
would (docs/governance.md):

- the job role user (`JOB_USER`) reads every table and column as written;
- any other user reads silver and gold (the Iceberg tables) with every column whose Glue column
  parameter `classification` is set (by the silver and gold jobs) masked to NULL, and no bronze or
  source table (the lake grants consumers none).

Trino rereads the rules file every `REFRESH_SECONDS` (`security.refresh-period`), so the rules follow
the catalog without a restart; `write` rewrites it whenever the catalog's classifications changed.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from medallion.catalog import CLASSIFICATION_PARAMETER
from medallion.iceberg import ICEBERG_TABLE_TYPE

from . import glue_catalog

# The Trino user the local lake's own steps (its checks and named queries) query as: the job role.
JOB_USER = "lake-job"
REFRESH_SECONDS = 1
RULES_FILE = "rules.json"


def access_control_properties(etc_dir: Path) -> str:
    """etc/access-control.properties: the file-based system access control over `RULES_FILE`."""
    return (
        "access-control.name=file\n"
        f"security.config-file={etc_dir / RULES_FILE}\n"
        f"security.refresh-period={REFRESH_SECONDS}s\n"
    )


def _exact(name: str) -> str:
    """A regular expression matching exactly `name` (Trino matches a rule's patterns whole)."""
    return re.escape(name)


def rules(tables: list[dict]) -> dict:
    """The rules for the catalog's `tables` (GetTables' entries with their `DatabaseName`), pure.
    Table rules apply first match first, and a user no rule matches is denied."""
    per_table = []
    for table in sorted(tables, key=lambda t: (t["DatabaseName"], t["Name"])):
        where = {"schema": _exact(table["DatabaseName"]), "table": _exact(table["Name"])}
        if (table.get("Parameters") or {}).get("table_type", "").upper() != ICEBERG_TABLE_TYPE:
            per_table.append({**where, "privileges": []})  # bronze and source: the job role only
            continue
        columns = [*table.get("StorageDescriptor", {}).get("Columns", []), *table.get("PartitionKeys", [])]
        masked = sorted(
            c["Name"].lower() for c in columns if (c.get("Parameters") or {}).get(CLASSIFICATION_PARAMETER)
        )
        if masked:
            per_table.append(
                {**where, "privileges": ["SELECT"], "columns": [{"name": c, "mask": "NULL"} for c in masked]}
            )
    return {
        "tables": [
            {"user": _exact(JOB_USER), "privileges": ["SELECT"]},
            *per_table,
            {"privileges": ["SELECT"]},
        ]
    }


def catalog_tables(glue_endpoint: str) -> list[dict]:
    """Every table of every database of the local Glue catalog, with its `DatabaseName`."""
    glue = glue_catalog.client(glue_endpoint)
    found = []
    for page in glue.get_paginator("get_databases").paginate():
        for database in page["DatabaseList"]:
            for tables in glue.get_paginator("get_tables").paginate(DatabaseName=database["Name"]):
                found += [{**t, "DatabaseName": database["Name"]} for t in tables["TableList"]]
    return found


def write(etc_dir: Path, glue_endpoint: str, settle: bool = True) -> bool:
    """Writes the rules of the catalog at `glue_endpoint` to `etc_dir/RULES_FILE` (atomically) when
    they changed; with `settle`, then waits out Trino's refresh period, so the next query is checked
    against them. Returns whether they changed."""
    path = Path(etc_dir) / RULES_FILE
    text = json.dumps(rules(catalog_tables(glue_endpoint)), indent=1, sort_keys=True) + "\n"
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(text)
    os.replace(partial, path)
    if settle:
        time.sleep(REFRESH_SECONDS + 0.5)
    return True
