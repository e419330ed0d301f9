"""The floor of a job (`npm run bench` measures it next to every increment): what a run of the silver
or gold entry script costs before it does any work of its own. With MEDALLION_FLOOR (`io.FLOOR`) set
(local only, the benchmark sets it; never on Glue) `io.start` hands over here right after the session
starts: the lake spec is read, every Iceberg table the job would touch is opened through the Glue
catalog (the catalog's GetTable, the table's metadata.json) with one metadata read (its `main` ref, a
small Spark job over the metadata tables, what a job needs at least to tell whether a table changed),
and the job ends: no row is read or written. See docs/performance.md."""

from __future__ import annotations

import time

from . import iceberg, io
from .arguments import parse_pairs
from .spec import parse_lake_spec


def floor_tables(job: str, spec) -> list[str]:
    """The Spark names of the tables `job` opens: silver, each silver table and its quarantine; gold,
    the silver tables its models read and the models' tables."""
    silver_db, gold_db = spec.databases["silver"], spec.databases["gold"]
    if job == "silver":
        names = [n for lake_name in spec.silver_tables() for n in (lake_name, f"{lake_name}_quarantine")]
        return [iceberg.table_name(silver_db, n) for n in names]
    if job == "gold":
        silver = [iceberg.table_name(silver_db, n) for n in spec.silver_tables()]
        return silver + [iceberg.table_name(gold_db, m.name) for m in spec.gold_models]
    raise ValueError(f"the floor is measured for the silver and gold jobs, not {job!r}")


def run(spark, job: str, argv: list[str]) -> None:
    """Opens the job's tables (missing ones are counted, not created), prints a `floor` metric, ends
    the process with exit code 0."""
    began = time.monotonic()
    spec = parse_lake_spec(io.read_text(spark, parse_pairs(argv)["lake_spec"]))
    opened = missing = 0
    for name in floor_tables(job, spec):
        if iceberg.exists(spark, name):
            iceberg.current_snapshot(spark, name)
            opened += 1
        else:
            missing += 1
    io.metric("floor", job=job, tables=opened, missing=missing, seconds=round(time.monotonic() - began, 2))
    raise SystemExit(0)
