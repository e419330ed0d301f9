"""The bronze job run through spark-submit against the local PostgreSQL and MariaDB servers, for the
tests that need a real source database: the sources `pg` and `maria` read database `database` on each."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from local_submit import submit


def local_bronze(root: Path, servers: dict, database: str, spec: dict) -> tuple[Path, Callable[[str], None]]:
    """Writes the lake spec and the connections under `root`; returns the bronze folder and a function
    that runs the bronze job as batch `batch_id`."""
    pg, maria = servers["postgres"], servers["mariadb"]
    spec_path = root / "lake-spec.json"
    spec_path.write_text(json.dumps(spec))
    connections = root / "connections.json"
    connections.write_text(
        json.dumps(
            {
                "pg": {"user": pg["user"], "password": pg["password"], "driver": "org.postgresql.Driver",
                       "url": f"jdbc:postgresql://127.0.0.1:{pg['port']}/{database}"},
                "maria": {"user": maria["user"], "password": maria["password"],
                          "driver": "org.mariadb.jdbc.Driver",
                          "url": f"jdbc:mysql://127.0.0.1:{maria['port']}/{database}?permitMysqlScheme"},
            }
        )
    )  # fmt: skip
    bronze = root / "bronze"

    def run(batch_id: str) -> None:
        submit(
            "bronze",
            {
                "lake_spec": str(spec_path),
                "environment": "test",
                "bronze_path": bronze.as_uri(),
                "local_connections": connections.as_uri(),
                "batch_id": batch_id,
            },
        )

    return bronze, run
