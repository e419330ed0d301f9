"""Glue Data Catalog registration of the jobs' outputs (Spark SQL; run only on AWS Glue)."""

from __future__ import annotations


def catalog_table_name(source: str | None, table: str) -> str:
    """Bronze/silver tables are `<source>_<table>`, gold tables `<model>`."""
    return f"{source}_{table}" if source else table


def catalog_statements(database: str, table: str, fmt: str, location: str, partitioned: bool) -> list[str]:
    """Create the table over its location if needed (schema and partition columns inferred from the
    files), load partitions written since, and drop cached file listings."""
    if fmt not in ("avro", "parquet"):
        raise ValueError(f"unsupported table format {fmt!r}")
    name = f"`{database}`.`{table}`"
    location = location.rstrip("/").replace("'", "\\'")
    statements = [f"CREATE TABLE IF NOT EXISTS {name} USING {fmt} LOCATION '{location}/'"]
    if partitioned:
        statements.append(f"ALTER TABLE {name} RECOVER PARTITIONS")
    statements.append(f"REFRESH TABLE {name}")
    return statements
