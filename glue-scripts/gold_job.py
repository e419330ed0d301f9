"""Gold Glue job: the lake's gold models (SQL files the lake spec lists, `medallion.models`) run with
Spark SQL over the silver tables in dependency order, each written as Parquet under
<gold_path>/<model>/<partition columns>/ with dynamic partition overwrite (a re-run replaces exactly
the partitions it recomputes), registered in the catalog and tested. Every model is checked before
the first one runs. A model whose error-severity test fails is not written, the models reading it
are skipped, and the job fails after reporting every model.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from medallion import gold, io, metrics, quality
from medallion.arguments import parse_job_arguments
from medallion.bronze import resolve_batch_id
from medallion.catalog import catalog_table_name
from medallion.models import ModelError
from medallion.spec import SpecError, parse_lake_spec


class ModelTestError(RuntimeError):
    """Error-severity tests of gold models failed: those models keep their previous gold version."""


def parse_args(argv: list[str]) -> dict[str, str | None]:
    return parse_job_arguments("gold", argv)


def read_model_sql(spark, spec_uri: str, spec) -> dict[str, str]:
    """Each model's SQL, from its file beside the lake spec (the component uploads both)."""
    folder = spec_uri.rsplit("/", 1)[0]
    sql = {}
    for model in spec.gold_models:
        path = f"{folder}/{model.file}"
        try:
            sql[model.name] = io.read_text(spark, path)
        except FileNotFoundError as err:
            raise ModelError(f"gold model {model.name!r}: its SQL file is missing: {path}") from err
    return sql


def main(argv: list[str]) -> None:
    began = time.monotonic()
    args = parse_args(argv)
    runtime = io.start("medallion-gold", argv)
    spark = runtime.spark
    spec = parse_lake_spec(io.read_text(spark, args["lake_spec"]))
    batch_id = resolve_batch_id(args["batch_id"], args["JOB_RUN_ID"], datetime.now(UTC))
    with metrics.failure_reported(
        runtime.on_glue, spec.metrics_namespace, spec.lake, spec.environment, "gold", began, (ModelTestError,)
    ):
        silver_root, gold_root = args["silver_path"].rstrip("/"), args["gold_path"].rstrip("/")
        silver = spec.silver_tables()

        def read_silver(name: str):
            source, table = silver[name]
            path = f"{silver_root}/{source.name}/{table.name}"
            if not io.exists(spark, path):
                raise SpecError(f"gold input {name!r}: no silver table at {path}; run the silver job first")
            return spark.read.parquet(path)

        planned = gold.plan(spark, spec, read_model_sql(spark, args["lake_spec"], spec), read_silver)
        summary = {"batch_id": batch_id, "models": {}}
        not_written: set[str] = set()
        failures = []
        for step in planned:
            model_began = time.monotonic()
            model = step.model
            blocked = sorted(step.reads & not_written)
            if blocked:
                not_written.add(model.name)
                summary["models"][model.name] = {
                    "skipped": f"reads {', '.join(blocked)}, which was not written"
                }
                io.metric("gold_model", model=model.name, batch_id=batch_id, skipped=True)
                continue
            step.frame.persist()  # tested, written and read by later models: compute once
            results = gold.run_tests(spark, step, datetime.now(UTC))
            errors = gold.failed_errors(results)
            stats: dict = {"tests": results}
            if errors:
                not_written.add(model.name)
                failures += [f"{model.name}: {quality.failure_text(r)}" for r in errors]
                stats["written"] = False
            else:
                path = f"{gold_root}/{model.name}"
                gold.write_model(step.frame, path, model.partition_by)
                stats.update(gold.written_stats(spark, path, model.partition_by), written=True)
                stats["catalog"] = io.register_table(
                    runtime,
                    spec.databases["gold"],
                    catalog_table_name(None, model.name),
                    "parquet",
                    path,
                    step.frame.schema,
                    model.partition_by,
                    description=model.description,
                    comments=dict(model.columns),
                )
            summary["models"][model.name] = stats
            io.metric(
                "gold_model",
                model=model.name,
                batch_id=batch_id,
                rows=stats.get("rows"),
                partitions=stats.get("partitions"),
                tests_failed=sum(not r["passed"] for r in results),
                seconds=round(time.monotonic() - model_began, 2),
            )
        io.write_json(spark, f"{gold_root}/_run_summaries/{batch_id}.json", summary)
        written = {name: s for name, s in summary["models"].items() if s.get("written")}
        io.metric("gold_done", batch_id=batch_id, models=len(written), test_errors=len(failures))
        rows = {name: {"RowsWritten": s["rows"]} for name, s in written.items()}
        totals = {
            "RowsWritten": sum(r["RowsWritten"] for r in rows.values()),
            "JobSucceeded": 0 if failures else 1,
        }
        metrics.publish_run(
            runtime.on_glue, spec.metrics_namespace, spec.lake, spec.environment, "gold", totals, rows, began
        )
        if failures:
            raise ModelTestError(
                "gold model tests of severity error failed (those models keep their previous gold, the "
                f"models reading them were skipped): {'; '.join(failures)}"
            )
        runtime.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
