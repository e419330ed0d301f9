"""Silver Glue job: every table's bronze Avro -> typed, validated, deduplicated snappy Parquet
under <silver_path>/<source>/<table>/, failed rows to <silver_path>/_quarantine/<source>/<table>/.

Each table is recomputed fully from bronze, so a re-run gives the same result.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from medallion import io
from medallion.arguments import parse_job_arguments
from medallion.bronze import bronze_table_path, resolve_batch_id
from medallion.catalog import avro_reader_schema, catalog_table_name
from medallion.silver import REASON, conform, quarantine_rows, shadowed_date_parts, silver_rows
from medallion.spec import LakeSpec, Source, Table, parse_lake_spec
from pyspark import StorageLevel


def parse_args(argv: list[str]) -> dict[str, str | None]:
    return parse_job_arguments("silver", argv)


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
        conformed = conform(bronze, table).persist(StorageLevel.MEMORY_AND_DISK)
        counts = conformed.groupBy(conformed[REASON].isNull().alias("valid")).count().collect()
        by_validity = {row["valid"]: row["count"] for row in counts}
        silver = silver_rows(conformed, table)
        quarantine = quarantine_rows(conformed)

        silver_path = f"{silver_root}/{source.name}/{table.name}"
        quarantine_path = f"{silver_root}/_quarantine/{source.name}/{table.name}"
        silver.write.mode("overwrite").option("compression", "snappy").parquet(silver_path)
        quarantine.coalesce(1).write.mode("overwrite").option("compression", "snappy").parquet(
            quarantine_path
        )
        written_silver = spark.read.parquet(silver_path)
        written = written_silver.count()
        conformed.unpersist()
        valid = by_validity.get(True, 0)
        summary.update(
            bronze_rows=valid + by_validity.get(False, 0),
            silver_rows=written,
            quarantined_rows=by_validity.get(False, 0),
            duplicates_removed=valid - written,
        )
        name = catalog_table_name(source.name, table.name)
        database = spec.databases["silver"]
        summary["catalog"] = {
            name: io.register_table(runtime, database, name, "parquet", silver_path, written_silver.schema),
            f"{name}_quarantine": io.register_table(
                runtime,
                database,
                f"{name}_quarantine",
                "parquet",
                quarantine_path,
                spark.read.parquet(quarantine_path).schema,
            ),
        }
        shadowed = shadowed_date_parts(bronze.columns, table)
        if shadowed:
            summary["source_columns_kept_over_derived"] = shadowed
    else:
        summary["note"] = f"no bronze data under {bronze_path}"
    io.write_json(spark, f"{silver_root}/_run_summaries/{source.name}/{table.name}/{batch_id}.json", summary)
    io.metric("silver_table", **summary, seconds=round(time.monotonic() - began, 2))
    return summary


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    runtime = io.start("medallion-silver", argv)
    spec = parse_lake_spec(io.read_text(runtime.spark, args["lake_spec"]))
    batch_id = resolve_batch_id(args["batch_id"], args["JOB_RUN_ID"], datetime.now(UTC))
    summaries = [refine_table(runtime, spec, args, s, t, batch_id) for s, t in spec.tables()]
    runtime.commit()
    io.metric(
        "silver_done",
        batch_id=batch_id,
        tables=len(summaries),
        quarantined_rows=sum(s["quarantined_rows"] for s in summaries),
    )


if __name__ == "__main__":
    main(sys.argv[1:])
