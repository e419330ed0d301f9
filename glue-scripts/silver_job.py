"""Silver Glue job: every table's bronze Avro -> typed, validated, deduplicated snappy Parquet
under <silver_path>/<source>/<table>/, failed rows to <silver_path>/_quarantine/<source>/<table>/.

Each table is recomputed fully from bronze, so a re-run gives the same result.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from medallion import io, metrics, quality
from medallion.arguments import parse_job_arguments
from medallion.bronze import bronze_table_path, resolve_batch_id
from medallion.catalog import avro_reader_schema, catalog_table_name
from medallion.silver import (
    conform,
    ingested_after,
    newest_ingested,
    quarantine_rows,
    run_row_counts,
    shadowed_date_parts,
    silver_rows,
)
from medallion.spec import LakeSpec, Source, Table, parse_lake_spec
from pyspark import StorageLevel


def parse_args(argv: list[str]) -> dict[str, str | None]:
    return parse_job_arguments("silver", argv)


class DataQualityError(RuntimeError):
    """Error-severity table rules failed: those tables keep their previous silver version."""


def reference_rows(spark, silver_root: str, table: Table) -> dict:
    """The silver rows of every table the table's reference rules point at (refined earlier in this
    run, see quality.refinement_order); a table without silver yet has no keys."""
    rows = {}
    for rule in table.rules:
        if rule.reference:
            path = f"{silver_root}/{quality.reference_key(rule)}"
            rows[quality.reference_key(rule)] = (
                spark.read.parquet(path)
                if io.has_files(spark, path, ".parquet")
                else spark.createDataFrame([], f"`{rule.reference.column}` string")
            )
    return rows


def previous_mark(spark, paths) -> datetime | None:
    """The newest `_ingested_at` the table's previous silver and quarantine hold (None before the
    first silver run): the bronze batches ingested later are this run's."""
    marks = [newest_ingested(spark.read.parquet(p)) for p in paths if io.has_files(spark, p, ".parquet")]
    return max((m for m in marks if m is not None), default=None)


def refine_table(
    runtime: io.Runtime, spec: LakeSpec, args: dict, source: Source, table: Table, batch_id: str
) -> dict:
    spark = runtime.spark
    began = time.monotonic()
    silver_root = args["silver_path"].rstrip("/")
    bronze_path = bronze_table_path(args["bronze_path"], source.name, table.name)
    summary = {
        "source": source.name,
        "table": table.name,
        "batch_id": batch_id,
        "bronze_rows": 0,
        "silver_rows": 0,
        "quarantined_rows": 0,
        "duplicates_removed": 0,
    }
    if io.has_files(spark, bronze_path, ".avro"):
        # Partition directories (ingest_date=, batch_id=) are layout, not columns: `_batch_id` is.
        # Every batch is read with the newest batch's schema: spark-avro would otherwise take one
        # file's schema, and a column the source gained later would vanish (older rows: null).
        reader_schema = avro_reader_schema(io.avro_file_schema(spark, bronze_path))
        bronze = (
            spark.read.format("avro")
            .options(recursiveFileLookup="true", pathGlobFilter="*.avro", avroSchema=reader_schema)
            .load(bronze_path)
        )
        silver_path = f"{silver_root}/{source.name}/{table.name}"
        quarantine_path = f"{silver_root}/_quarantine/{source.name}/{table.name}"
        # Read before this run overwrites them: rows ingested later are this run's.
        mark = previous_mark(spark, (silver_path, quarantine_path))
        references = reference_rows(spark, silver_root, table)
        checked = quality.check_rows(conform(bronze, table), table.rules, references)
        checked = checked.persist(StorageLevel.MEMORY_AND_DISK)
        valid, quarantined, row_results = quality.count_rows(checked, table.rules)
        run_valid, run_quarantined = run_row_counts(checked, mark)
        conformed = quality.drop_checks(checked)
        silver = silver_rows(conformed, table)
        table_results = quality.check_table(silver, table.rules, datetime.now(UTC), mark)
        if table.rules:
            summary["quality"] = row_results + table_results
        if quality.failed_errors(table_results):
            # Never half-apply: the previous silver version and quarantine stay as they were.
            written = silver.count()
            run_silver = ingested_after(silver, mark).count()
            summary["kept_previous_silver"] = True
        else:
            silver.write.mode("overwrite").option("compression", "snappy").parquet(silver_path)
            quarantine_rows(conformed).coalesce(1).write.mode("overwrite").option(
                "compression", "snappy"
            ).parquet(quarantine_path)
            written_silver = spark.read.parquet(silver_path)
            written = written_silver.count()
            run_silver = ingested_after(written_silver, mark).count()  # Parquet: one column, cheap
            name = catalog_table_name(source.name, table.name)
            database = spec.databases["silver"]
            summary["catalog"] = {
                name: io.register_table(
                    runtime, database, name, "parquet", silver_path, written_silver.schema
                ),
                f"{name}_quarantine": io.register_table(
                    runtime,
                    database,
                    f"{name}_quarantine",
                    "parquet",
                    quarantine_path,
                    spark.read.parquet(quarantine_path).schema,
                ),
            }
        checked.unpersist()
        this_run = {
            "ingested_after": None if mark is None else mark.isoformat(sep=" "),
            "bronze_rows": run_valid + run_quarantined,
            "silver_rows": run_silver,
            "quarantined_rows": run_quarantined,
        }
        summary.update(
            bronze_rows=valid + quarantined,
            silver_rows=written,
            quarantined_rows=quarantined,
            duplicates_removed=valid - written,
            this_run=this_run,
        )
        shadowed = shadowed_date_parts(bronze.columns, table)
        if shadowed:
            summary["source_columns_kept_over_derived"] = shadowed
    else:
        summary["note"] = f"no bronze data under {bronze_path}"
    io.write_json(spark, f"{silver_root}/_run_summaries/{source.name}/{table.name}/{batch_id}.json", summary)
    io.metric("silver_table", **summary, seconds=round(time.monotonic() - began, 2))
    return summary


def run_metrics(summary: dict) -> dict:
    """A table's metrics: rows of this run's bronze batches (read, written to silver, quarantined;
    nothing written when an error table rule kept the previous silver) and failed rules."""
    this_run = summary.get("this_run", {"bronze_rows": 0, "silver_rows": 0, "quarantined_rows": 0})
    return {
        "RowsRead": this_run["bronze_rows"],
        "RowsWritten": 0 if summary.get("kept_previous_silver") else this_run["silver_rows"],
        "QuarantinedRows": this_run["quarantined_rows"],
        "QualityFailures": sum(not r["passed"] for r in summary.get("quality", [])),
    }


def main(argv: list[str]) -> None:
    began = time.monotonic()
    args = parse_args(argv)
    runtime = io.start("medallion-silver", argv)
    spec = parse_lake_spec(io.read_text(runtime.spark, args["lake_spec"]))
    batch_id = resolve_batch_id(args["batch_id"], args["JOB_RUN_ID"], datetime.now(UTC))
    with metrics.failure_reported(
        runtime.on_glue,
        spec.metrics_namespace,
        spec.lake,
        spec.environment,
        "silver",
        began,
        (DataQualityError,),
    ):
        summaries = [
            refine_table(runtime, spec, args, s, t, batch_id) for s, t in quality.refinement_order(spec)
        ]
        failures = [
            f"{s['source']}/{s['table']}: {quality.failure_text(r)}"
            for s in summaries
            for r in quality.failed_errors(s.get("quality", []))
        ]
        io.metric(
            "silver_done",
            batch_id=batch_id,
            tables=len(summaries),
            quarantined_rows=sum(s["quarantined_rows"] for s in summaries),
            quality_errors=len(failures),
        )
        per_table = {f"{s['source']}/{s['table']}": run_metrics(s) for s in summaries}
        totals = {
            m: sum(t[m] for t in per_table.values())
            for m in ("RowsRead", "RowsWritten", "QuarantinedRows", "QualityFailures")
        }
        metrics.publish_run(
            runtime.on_glue, spec.metrics_namespace, spec.lake, spec.environment, "silver",
            {**totals, "JobSucceeded": 0 if failures else 1}, per_table, began,
        )  # fmt: skip
        if failures:
            raise DataQualityError(
                "data-quality rules of severity error failed (those tables keep their previous silver): "
                + "; ".join(failures)
            )
        runtime.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
