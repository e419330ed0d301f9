"""The lake spec as this package uses it: which source tables live on which local server.

The spec itself is parsed and validated by the Glue jobs' own parser (`medallion.spec`), so the
local lake reads exactly what the jobs read."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from medallion.spec import LakeSpec, SpecError, Table, parse_lake_spec

from .errors import LocalDbError
from .tables import SCHEMAS

REPO = Path(__file__).resolve().parents[2]
# PostgreSQL stands in for SQL Server, which has no local server here.
SERVER_FOR_ENGINE = {"postgres": "postgres", "sqlserver": "postgres", "mysql": "mariadb"}


@dataclass(frozen=True)
class SourceTable:
    source: str
    engine: str
    server: str  # "postgres" or "mariadb"
    database: str
    schema: str | None  # PostgreSQL schema; None on MariaDB
    table: str  # unqualified table name in the source database
    short: str  # TICKIT table name (category, venue, ...)
    source_table: str
    catalog_table: str
    spec: Table


def read_spec(spec: LakeSpec | dict | str | Path) -> LakeSpec:
    """The parsed lake spec, from a parsed spec, its JSON object or a JSON file."""
    if isinstance(spec, LakeSpec):
        return spec
    where = "lake spec" if isinstance(spec, dict) else str(spec)
    try:
        return parse_lake_spec(json.dumps(spec) if isinstance(spec, dict) else Path(spec).read_text())
    except (OSError, SpecError) as error:
        raise LocalDbError("read lake spec", f"{where}: {error}") from error


def source_tables(spec: LakeSpec) -> list[SourceTable]:
    """Every configured table, mapped to its local server; unknown engines or tables are errors."""
    result = []
    for source in spec.sources:
        name, engine = source.name, source.engine
        if engine not in SERVER_FOR_ENGINE:
            raise LocalDbError(
                "map sources",
                f"source {name}: engine {engine!r} has no local server "
                f"(known: {', '.join(SERVER_FOR_ENGINE)})",
            )
        server = SERVER_FOR_ENGINE[engine]
        for table in source.tables:
            if table.name not in SCHEMAS:
                raise LocalDbError(
                    "map sources",
                    f"source {name} table {table.source_table}: no local rows for "
                    f"table {table.name!r} (known: {', '.join(SCHEMAS)})",
                )
            parts = table.source_table.split(".")
            if server == "postgres":
                schema, unqualified = (parts[0], parts[-1]) if len(parts) > 1 else ("public", parts[0])
            else:
                schema, unqualified = None, parts[-1]
            result.append(
                SourceTable(
                    name,
                    engine,
                    server,
                    source.database,
                    schema,
                    unqualified,
                    table.name,
                    table.source_table,
                    table.catalog_table,
                    table,
                )
            )
    return result


def find(tables: list[SourceTable], short: str) -> SourceTable:
    """The one configured table with this TICKIT name, across sources."""
    found = [t for t in tables if t.short == short]
    if len(found) != 1:
        where = ", ".join(f"{t.source}.{t.source_table}" for t in found) or "no source"
        raise LocalDbError(
            "find table", f"table {short!r} must be configured in exactly one source, found in {where}"
        )
    return found[0]


def lake_spec_for_stack(stack: str, repo: Path = REPO, spec_file: Path | None = None) -> dict:
    """The lake spec exactly as the component builds it: `lakeSpec(parseLakeConfig(...), stack)` over
    `Pulumi.<stack>.yaml` in `repo` (its relative paths start there), run by ts-node. With
    `spec_file`, also writes it there with the gold models' SQL files beside it (where the spec
    names them), as the component uploads them."""
    write = f" writeLakeSpec({json.dumps(str(spec_file))}, spec, config.gold.models);" if spec_file else ""
    script = (
        'import { loadLakeStack } from "./local-lake/lib/config";'
        ' import { writeLakeSpec } from "./local-lake/lib/lake-files";'
        f" const root = {json.dumps(str(repo.resolve()))};"
        f" const {{ config, spec }} = loadLakeStack({json.dumps(stack)}, root);{write}"
        " process.stdout.write(JSON.stringify(spec));"
    )
    result = subprocess.run(
        ["npx", "--no-install", "ts-node", "-T", "-e", script], cwd=repo, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise LocalDbError(
            "build lake spec", f"ts-node exited with {result.returncode}: {result.stderr[-2000:]}"
        )
    return json.loads(result.stdout)
