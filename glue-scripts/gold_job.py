"""Gold Glue job: silver TICKIT tables -> the analytics models (medallion.gold) as Parquet under
<gold_path>/<model>/<partition columns>/, with dynamic partition overwrite: a re-run replaces
exactly the partitions it recomputes.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from medallion import gold, io, metrics
from medallion.arguments import parse_job_arguments
from medallion.bronze import resolve_batch_id
from medallion.catalog import catalog_table_name
from medallion.spec import SpecError, parse_lake_spec


def parse_args(argv: list[str]) -> dict[str, str | None]:
    return parse_job_arguments("gold", argv)


def main(argv: list[str]) -> None:
    began = time.monotonic()
    args = parse_args(argv)
    runtime = io.start("medallion-gold", argv)
    spark = runtime.spark
    spec = parse_lake_spec(io.read_text(spark, args["lake_spec"]))
    batch_id = resolve_batch_id(args["batch_id"], args["JOB_RUN_ID"], datetime.now(UTC))
    silver_root, gold_root = args["silver_path"].rstrip("/"), args["gold_path"].rstrip("/")

    tables = {}
    for name in gold.GOLD_INPUTS:
        source, table = spec.find_table(name)
        path = f"{silver_root}/{source.name}/{table.name}"
        if not io.exists(spark, path):
            raise SpecError(f"gold input {name!r}: no silver table at {path}; run the silver job first")
        tables[name] = spark.read.parquet(path)

    summary = {"batch_id": batch_id, "models": {}, "orphans": gold.orphan_counts(tables)}
    io.metric("gold_orphans", batch_id=batch_id, **summary["orphans"])
    for name, model in gold.MODELS.items():
        began = time.monotonic()
        path = f"{gold_root}/{name}"
        partitions = list(model.partition_by)
        # One file per (small) partition; dynamic mode leaves partitions this run does not produce.
        model_rows = gold.build_model(name, tables)
        model_rows.repartition(*partitions).write.mode("overwrite").option(
            "partitionOverwriteMode", "dynamic"
        ).partitionBy(*partitions).parquet(path)
        per_partition = spark.read.parquet(path).groupBy(*partitions).count().collect()
        stats = {"rows": sum(r["count"] for r in per_partition), "partitions": len(per_partition)}
        summary["models"][name] = stats
        stats["catalog"] = io.register_table(
            runtime,
            spec.databases["gold"],
            catalog_table_name(None, name),
            "parquet",
            path,
            model_rows.schema,
            partitions,
        )
        io.metric(
            "gold_model", model=name, batch_id=batch_id, **stats, seconds=round(time.monotonic() - began, 2)
        )
    io.write_json(spark, f"{gold_root}/_run_summaries/{batch_id}.json", summary)
    runtime.commit()
    io.metric("gold_done", batch_id=batch_id, models=len(summary["models"]))
    rows = {name: {"RowsWritten": stats["rows"]} for name, stats in summary["models"].items()}
    totals = {"RowsWritten": sum(r["RowsWritten"] for r in rows.values()), "JobSucceeded": 1}
    metrics.publish_run(
        runtime.on_glue, spec.metrics_namespace, spec.lake, spec.environment, "gold", totals, rows, began
    )


if __name__ == "__main__":
    main(sys.argv[1:])
