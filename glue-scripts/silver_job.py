"""Silver Glue job: each table's new bronze batches -> typed, validated, deduplicated rows MERGEd
into the table's Iceberg table `<silver db>.<source>_<table>` (located at <silver_path>/<source>/<table>/),
failed rows appended to `<source>_<table>_quarantine` (at <silver_path>/_quarantine/<source>/<table>/).

A run reads only the bronze batches the silver table has not absorbed: those ingested after the newest
`_ingested_at` the table holds (its watermark, committed atomically with its rows), found by listing the
bronze batch folders written since (`io.new_batch_folders`). The quarantine is written first (a batch's
rows replace any of the same batch, so a retry after a crash duplicates nothing), the silver MERGE last:
until it commits, the batches stay new, and re-applying them changes nothing (the MERGE only takes rows
newer than the table's; silver.deduplicate's order). See docs/iceberg.md.

A full-load table (no watermark column) follows its newest batch: the MERGE also deletes the keys
that batch lacks, and the quarantine is that batch's rejects; a run that would delete more than the
table's `maxDeleteShare` writes nothing to it and fails the job at the end (the delete guard, so a
truncated source read never wipes silver). See docs/iceberg.md#full-load-tables-and-deletes.

A batch is applied whole or not at all: the rows read of each batch must be those bronze's run summary
counts (medallion.batches), else the table keeps its silver and watermark, the other tables go on, and
the job fails at the end naming it. A table without bronze data yet gets an empty table of its
declared columns, so gold reads it as empty.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime

from medallion import audit, batches, iceberg, io, metrics, quality, reconcile
from medallion.arguments import parse_job_arguments
from medallion.bronze import METADATA_COLUMNS, bronze_table_path, resolve_batch_id
from medallion.catalog import avro_reader_schema, catalog_table_name
from medallion.silver import (
    conform,
    conform_keys,
    deduplicate,
    empty_silver_rows,
    full_load_rows,
    ingested_after,
    key_join,
    newest_batch,
    quarantine_rows,
    shadowed_date_parts,
    silver_rows,
)
from medallion.spec import LakeSpec, Source, Table, parse_lake_spec
from pyspark import StorageLevel
from pyspark.sql import functions as F


def parse_args(argv: list[str]) -> dict[str, str | None]:
    return parse_job_arguments("silver", argv)


class DataQualityError(RuntimeError):
    """Error-severity table rules failed: those tables keep their previous silver version."""


class DeleteGuardError(RuntimeError):
    """Runs would have deleted more than `maxDeleteShare` of tables: they keep their previous silver."""


def delete_guard(source: Source, table: Table, deleting: int, rows_before: int) -> str | None:
    """Why the run must not delete `deleting` of the table's `rows_before` silver rows (more than its
    `maxDeleteShare`: an empty or truncated source read must not wipe silver), or None; it links to
    the docs of what deletes (a full-load table's newest batch, else a reconcile's key snapshot)."""
    share = deleting / rows_before if rows_before else 0.0
    if share <= table.max_delete_share:
        return None
    section = "full-load-tables-and-deletes" if table.full_load else "incremental-tables-reconcile"
    return (
        f"{source.name}/{table.name}: this run would delete {deleting} of the table's {rows_before} silver "
        f"rows (share {share:.3g}), more than maxDeleteShare {table.max_delete_share:g} (the table's "
        "maxDeleteShare, else the lake's); the table keeps its silver, quarantine and watermark. If the "
        "source really lost those rows, raise maxDeleteShare for one run "
        f"(docs/iceberg.md#{section})"
    )


def reference_rows(spark, spec: LakeSpec, table: Table) -> dict:
    """The silver rows of every table the table's reference rules point at (refined earlier in this
    run, see quality.refinement_order); a table without silver yet has no keys."""
    rows = {}
    for rule in table.rules:
        if rule.reference:
            source, target = rule.reference.source, rule.reference.table
            name = iceberg.table_name(spec.databases["silver"], catalog_table_name(source, target))
            rows[quality.reference_key(rule)] = (
                spark.table(name)
                if iceberg.exists(spark, name)
                else spark.createDataFrame([], f"`{rule.reference.column}` string")
            )
    return rows


def merge_keys(table: Table, rows) -> tuple[list[str], bool]:
    """The MERGE keys and whether they match null-safely: the primary key, or, for a table without
    one, every data column (as silver.deduplicate keys it; such a table keeps each distinct row)."""
    if table.primary_key:
        return list(table.primary_key), False
    return [c for c in rows.columns if c not in METADATA_COLUMNS], True


def unreadable_file(spark, files: list[str]) -> tuple[str, str] | None:
    """The first of `files` Spark cannot read (each read alone, with its own schema) and why."""
    for file in files:
        try:
            spark.read.format("avro").options(**batches.STRICT_READ).load(file).count()
        except Exception as error:  # py4j's or pyspark's wrapper of the reader's Java exception
            return file, str(error).strip().splitlines()[0]
    return None


def read_bronze(spark, bronze_path: str, source: Source, table: Table, folders: list[str]):
    """The rows of the bronze batch folders, every row bronze wrote of each batch (its run summary's
    count, medallion.batches) or an IncompleteBatchError naming the table, batch and files."""
    files = io.avro_files(spark, folders)
    where = f"{source.name}/{table.name}"
    try:
        # Partition directories (ingest_date=, batch_id=) are layout, not columns: `_batch_id` is.
        # Every batch is read with the newest batch's schema: spark-avro would otherwise take one
        # file's schema, and a column the source gained later would vanish (older rows: null).
        reader_schema = avro_reader_schema(io.avro_file_schema(spark, folders))
        rows = (
            spark.read.format("avro")
            .options(recursiveFileLookup="true", pathGlobFilter="*.avro", avroSchema=reader_schema)
            .options(**batches.STRICT_READ)
            .load(folders)
        )
        read = [
            (io.hadoop_path(spark, r[0]), r[1], r[2])
            for r in rows.groupBy(F.input_file_name(), "_ingested_at").count().collect()
        ]
    except Exception as error:
        unreadable = unreadable_file(spark, files)
        if unreadable is None:
            raise
        file, why = unreadable
        raise batches.IncompleteBatchError(
            f"{where}: batch {batches.batch_of(file)}: bronze file {file} cannot be read ({why}); "
            "restore it or re-run bronze for the batch"
        ) from error
    ids = sorted({batches.batch_of(f) for f in files})
    paths = {b: batches.summary_path(bronze_path, source.name, table.name, b) for b in ids}
    summaries = {b: json.loads(io.read_text(spark, p)) for b, p in paths.items() if io.exists(spark, p)}
    written = {b: summaries[b]["rows"] if b in summaries else None for b in paths}
    # The run's start as `collect()` gives the rows' `_ingested_at` (naive, the process's local zone).
    since = {b: datetime.fromisoformat(s["ingested_at"]).astimezone().replace(tzinfo=None)
             for b, s in summaries.items() if s.get("ingested_at")}  # fmt: skip
    found = batches.problems(files, read, written, paths, since)
    if found:
        raise batches.IncompleteBatchError(f"{where}: {'; '.join(found)}")
    # A `rows` table's hash of each row (reconcile.ROW_HASH) stays in bronze: never a silver column.
    return rows.drop(reconcile.ROW_HASH)


def pending_snapshot(spark, bronze_root: str, source: Source, table: Table, silver_table: str) -> dict | None:
    """The newest key snapshot bronze took of a reconciled table that silver has not applied (its
    `key_scan_started` after the table's APPLIED_PROPERTY): {batch_id, folder, started, keys}, or
    None. A snapshot without a run summary naming its start cannot be applied safely: it is skipped."""
    if not table.reconcile or not iceberg.exists(spark, silver_table):
        return None
    found = []
    for folder in io.new_batch_folders(
        spark, reconcile.keys_table_path(bronze_root, source.name, table.name), None
    ):
        batch_id = batches.batch_of(f"{folder}/x")
        path = batches.summary_path(bronze_root, source.name, table.name, batch_id)
        summary = json.loads(io.read_text(spark, path)) if io.exists(spark, path) else {}
        if summary.get("key_scan_started") and summary.get("keys_read") is not None:
            started = datetime.fromisoformat(summary["key_scan_started"])
            found.append(
                {"batch_id": batch_id, "folder": folder, "started": started, "keys": summary["keys_read"]}
            )
    if not found:
        return None
    newest = max(found, key=lambda f: f["started"])
    applied = iceberg.get_property(spark, silver_table, reconcile.APPLIED_PROPERTY)
    if applied is not None and newest["started"] <= datetime.fromisoformat(applied):
        return None
    return newest


def read_snapshot(spark, source: Source, table: Table, snapshot: dict):
    """The snapshot's keys as silver holds them, every key bronze wrote (its `keys_read`) or an
    IncompleteBatchError naming the folder."""
    keys = spark.read.format("avro").options(**batches.STRICT_READ).load(snapshot["folder"])
    read = keys.count()
    if read != snapshot["keys"]:
        raise batches.IncompleteBatchError(
            f"{source.name}/{table.name}: key snapshot {snapshot['folder']}: bronze wrote {snapshot['keys']} "
            f"keys, silver read {read}; restore it or re-run bronze for batch {snapshot['batch_id']}"
        )
    if read == 0 and not set(table.primary_key) <= set(keys.columns):
        keys = spark.createDataFrame([], ", ".join(f"`{k}` string" for k in table.primary_key))
    return conform_keys(keys, table)


def apply_snapshot(spark, name: str, keys, table: Table, started: datetime) -> int:
    """Deletes, in one MERGE commit, the silver rows the snapshot deletes (reconcile.deleted_rows:
    ingested before it started, keyed by a key it lacks); returns how many. Re-applying it deletes
    nothing more."""
    pk = list(table.primary_key)
    deleting = reconcile.deleted_rows(spark.table(name), keys, pk, started).count()
    if deleting:
        iceberg.delete_unmatched(spark, name, keys, pk, started)
    iceberg.set_property(spark, name, reconcile.APPLIED_PROPERTY, started.isoformat(sep=" "))
    return deleting


def write_quarantine(spark, name: str, location: str, rows, batch_ids: list[str], replace: bool) -> None:
    """The run's failed rows replace any rows of the same batches (left by a run that crashed before
    its silver MERGE), so the quarantine never holds a batch twice; with `replace` (a full-load
    table's: its newest batch's rejects) they replace the whole quarantine in one commit."""
    if not iceberg.exists(spark, name):
        iceberg.create(spark, name, rows, location)
        return
    aligned = iceberg.align(spark, name, rows)  # also without rows: the columns follow bronze's
    if replace:
        aligned.writeTo(name).overwrite(F.lit(True))
        return
    if rows.isEmpty():
        return
    listed = ", ".join(iceberg.literal(b) for b in batch_ids)
    spark.sql(f"DELETE FROM {name} WHERE _batch_id IN ({listed})")
    aligned.writeTo(name).append()


def refine_table(
    runtime: io.Runtime, spec: LakeSpec, args: dict, source: Source, table: Table, batch_id: str
) -> dict:
    spark = runtime.spark
    began = time.monotonic()
    silver_root = args["silver_path"].rstrip("/")
    bronze_path = bronze_table_path(args["bronze_path"], source.name, table.name)
    database = spec.databases["silver"]
    name = catalog_table_name(source.name, table.name)
    silver_table = iceberg.table_name(database, name)
    location = f"{silver_root}/{source.name}/{table.name}"
    quarantine_table = iceberg.table_name(database, f"{name}_quarantine")
    iceberg.refuse_plain_tables(runtime, database, (name, f"{name}_quarantine"))
    summary = {
        "source": source.name,
        "table": table.name,
        "batch_id": batch_id,
        "bronze_rows": 0,
        "silver_rows": 0,
        "quarantined_rows": 0,
        "duplicates_removed": 0,
        "rows_deleted": 0,
        "rows_inserted": 0,
        "rows_changed": 0,
    }
    existed = iceberg.exists(spark, silver_table)
    current = spark.table(silver_table) if existed else None
    mark = iceberg.newest_ingested(spark, silver_table) if existed else None
    folders = io.new_batch_folders(spark, bronze_path, mark)
    read = None
    snapshot = pending_snapshot(spark, args["bronze_path"], source, table, silver_table)
    snapshot_keys, reconcile_guard = None, None
    try:
        if folders:
            read = read_bronze(spark, args["bronze_path"], source, table, folders)
        if snapshot:
            snapshot_keys = read_snapshot(spark, source, table, snapshot).persist(
                StorageLevel.MEMORY_AND_DISK
            )
            # The guard counts the silver rows the snapshot deletes now; pending rows it also
            # drops were never in silver.
            doomed = reconcile.deleted_rows(
                current, snapshot_keys, list(table.primary_key), snapshot["started"]
            )
            reconcile_guard = delete_guard(source, table, doomed.count(), current.count())
            started = snapshot["started"].isoformat(sep=" ")
            summary["reconcile"] = {"snapshot": snapshot["batch_id"], "key_scan_started": started}
            summary["reconcile"]["keys"] = snapshot["keys"]
    except batches.IncompleteBatchError as error:
        # Never a partial batch: silver, quarantine and the watermark stay as they are.
        read, snapshot = None, None
        summary.update(incomplete_batch=str(error), kept_previous_silver=True)
    if read is not None:
        bronze = ingested_after(read, mark)
        references = reference_rows(spark, spec, table)
        checked = quality.check_rows(conform(bronze, table), table.rules, references)
        checked = checked.persist(StorageLevel.MEMORY_AND_DISK)
        valid, quarantined, row_results = quality.count_rows(checked, table.rules)
        conformed = quality.drop_checks(checked)
        if table.full_load:
            # The newest batch decides what exists; its rejects are the quarantine.
            rows, present = full_load_rows(conformed, table)
            rejects = quarantine_rows(newest_batch(conformed))
        else:
            rows, present, rejects = silver_rows(conformed, table), None, quarantine_rows(conformed)
        run_rows = rows.persist(StorageLevel.MEMORY_AND_DISK)
        keys, null_safe = merge_keys(table, run_rows)
        deleting, guard = 0, None
        if current is not None and present is not None and valid + quarantined > 0:
            current = key_join(current, present, keys, null_safe, "left_semi")  # what the MERGE keeps
            rows_before = spark.table(silver_table).count()
            deleting = rows_before - current.count()
            # A table without a primary key cannot tell a changed row from a deleted one (its key is
            # every column): its guard counts the rows the table would lose.
            losing = deleting if table.primary_key else max(rows_before - run_rows.count(), 0)
            guard = delete_guard(source, table, losing, rows_before)
        guard = guard or reconcile_guard
        # The table as this run's MERGE would leave it, for the rules on the whole table (unique,
        # freshness); lazy, so a table without such rules never computes it.
        after = (
            run_rows
            if current is None
            else deduplicate(current.unionByName(run_rows, allowMissingColumns=True), table)
        )
        table_results = quality.check_table(after, table.rules, datetime.now(UTC), run_rows)
        if table.rules:
            summary["quality"] = row_results + table_results
        if guard:
            summary["delete_guard"] = guard
        if guard or quality.failed_errors(table_results):
            # Never half-apply: silver and quarantine stay at their previous snapshots.
            summary["kept_previous_silver"] = True
            run_silver = 0
        elif existed and valid + quarantined == 0:
            run_silver = 0  # nothing new: no commit
        else:
            batch_ids = [r[0] for r in bronze.select("_batch_id").distinct().collect()]
            write_quarantine(
                spark,
                quarantine_table,
                f"{silver_root}/_quarantine/{source.name}/{table.name}",
                rejects,
                batch_ids,
                replace=table.full_load,
            )
            if existed:
                aligned = iceberg.align(spark, silver_table, run_rows)
                summary["rows_inserted"], summary["rows_changed"] = audit.changes(
                    spark.table(silver_table), aligned, keys, null_safe
                )
                iceberg.merge_newest(spark, silver_table, aligned, keys, null_safe, present)
                summary["rows_deleted"] = deleting
            else:
                iceberg.create(spark, silver_table, run_rows, location, properties=iceberg.WATERMARK_METRICS)
                summary["rows_inserted"] = run_rows.count()
            run_silver = ingested_after(spark.table(silver_table), mark).count()
            # As text: a 64-bit id loses digits in JSON readers that use doubles (JavaScript).
            summary["snapshot"] = str(iceberg.current_snapshot(spark, silver_table))
        checked.unpersist()
        summary.update(
            bronze_rows=valid + quarantined,
            quarantined_rows=quarantined,
            duplicates_removed=valid - run_rows.count(),
            this_run={
                "ingested_after": None if mark is None else mark.isoformat(sep=" "),
                "bronze_rows": valid + quarantined,
                "silver_rows": run_silver,
                "quarantined_rows": quarantined,
            },
        )
        run_rows.unpersist()
        shadowed = shadowed_date_parts(bronze.columns, table)
        if shadowed:
            summary["source_columns_kept_over_derived"] = shadowed
    elif not folders and not existed:
        summary["note"] = f"no bronze data under {bronze_path}"
        if table.columns:
            # Gold reads it as empty until rows arrive; the first rows MERGE into it.
            rows = empty_silver_rows(spark, table)
            iceberg.create(spark, silver_table, rows, location, properties=iceberg.WATERMARK_METRICS)
            summary["note"] += ": created the table empty, with the declared columns"
    if snapshot and reconcile_guard:
        summary.update(delete_guard=reconcile_guard, kept_previous_silver=True)
    elif snapshot and not summary.get("kept_previous_silver"):
        deleted = apply_snapshot(spark, silver_table, snapshot_keys, table, snapshot["started"])
        summary["reconcile"]["rows_deleted"] = deleted
        summary["rows_deleted"] += deleted
    if snapshot_keys is not None:
        snapshot_keys.unpersist()
    if (table.full_load or table.reconcile) and iceberg.exists(spark, silver_table):
        # Every key the table's snapshots deleted, also those of a run that died before this step.
        summary["deletes_audit"] = audit.record_deletes(
            spark, database, silver_root, silver_table, source.name, table.name,
            merge_keys(table, spark.table(silver_table))[0], batch_id, spec.table_maintenance,
        )  # fmt: skip
    if iceberg.exists(spark, silver_table):
        summary["silver_rows"] = spark.table(silver_table).count()
        # Of the rows before the run: those now, less those inserted, plus those deleted.
        before = summary["silver_rows"] - summary["rows_inserted"] + summary["rows_deleted"]
        summary["delete_share"] = summary["rows_deleted"] / before if before > 0 else 0.0
        summary["maintenance"] = {
            t: iceberg.maintain(spark, t, spec.table_maintenance)
            for t in (silver_table, quarantine_table)
            if iceberg.exists(spark, t)  # no quarantine before a table's first rows
        }
        # After the tables' last commits (catalog.classify_columns says why); the quarantine holds
        # the same values.
        classified = {c.name.lower(): c.classification for c in table.columns if c.classification}
        for short, t in ((name, silver_table), (f"{name}_quarantine", quarantine_table)):
            if iceberg.exists(spark, t):
                io.classify_table(runtime, database, short, classified, args.get("lake_formation_tag"))
    summary.setdefault("this_run", {"ingested_after": None if mark is None else mark.isoformat(sep=" "),
                                    "bronze_rows": 0, "silver_rows": 0, "quarantined_rows": 0})  # fmt: skip
    io.write_json(spark, f"{silver_root}/_run_summaries/{source.name}/{table.name}/{batch_id}.json", summary)
    io.metric("silver_table", **summary, seconds=round(time.monotonic() - began, 2))
    return summary


def run_metrics(summary: dict) -> dict:
    """A table's metrics: rows of this run's bronze batches (read, written to silver, quarantined;
    nothing written when an error table rule or the delete guard kept the previous silver), failed
    rules, the rows the run deleted (a full-load table's keys its source no longer has) and their
    share of the table's rows before the run, and the rows it changed in place (an existing key's
    values)."""
    this_run = summary.get("this_run", {"bronze_rows": 0, "silver_rows": 0, "quarantined_rows": 0})
    return {
        "RowsRead": this_run["bronze_rows"],
        "RowsWritten": 0 if summary.get("kept_previous_silver") else this_run["silver_rows"],
        "QuarantinedRows": this_run["quarantined_rows"],
        "QualityFailures": sum(not r["passed"] for r in summary.get("quality", [])),
        "RowsDeleted": summary.get("rows_deleted", 0),
        "DeleteShare": summary.get("delete_share", 0.0),
        "RowsChanged": summary.get("rows_changed", 0),
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
        (DataQualityError, DeleteGuardError, batches.IncompleteBatchError),
    ):
        summaries = [
            refine_table(runtime, spec, args, s, t, batch_id) for s, t in quality.refinement_order(spec)
        ]
        failures = [
            f"{s['source']}/{s['table']}: {quality.failure_text(r)}"
            for s in summaries
            for r in quality.failed_errors(s.get("quality", []))
        ]
        incomplete = [s["incomplete_batch"] for s in summaries if "incomplete_batch" in s]
        guarded = [s["delete_guard"] for s in summaries if "delete_guard" in s]
        io.metric(
            "silver_done",
            batch_id=batch_id,
            tables=len(summaries),
            quarantined_rows=sum(s["quarantined_rows"] for s in summaries),
            quality_errors=len(failures),
            incomplete_tables=len(incomplete),
            rows_deleted=sum(s["rows_deleted"] for s in summaries),
            rows_changed=sum(s["rows_changed"] for s in summaries),
            delete_guarded_tables=len(guarded),
        )
        per_table = {f"{s['source']}/{s['table']}": run_metrics(s) for s in summaries}
        totals = {
            m: sum(t[m] for t in per_table.values())
            for m in (
                "RowsRead",
                "RowsWritten",
                "QuarantinedRows",
                "QualityFailures",
                "RowsDeleted",
                "RowsChanged",
            )
        }
        # The run's largest share (the delete-share alarm's), not a sum of shares.
        totals["DeleteShare"] = max((t["DeleteShare"] for t in per_table.values()), default=0.0)
        metrics.publish_run(
            runtime.on_glue, spec.metrics_namespace, spec.lake, spec.environment, "silver",
            {**totals, "JobSucceeded": 0 if failures or incomplete or guarded else 1}, per_table, began,
        )  # fmt: skip
        if incomplete:
            raise batches.IncompleteBatchError(
                "bronze batches silver could not read whole (those tables keep their previous silver): "
                + "; ".join(incomplete + failures + guarded)
            )
        if failures:
            raise DataQualityError(
                "data-quality rules of severity error failed (those tables keep their previous silver): "
                + "; ".join(failures + guarded)
            )
        if guarded:
            raise DeleteGuardError(
                "runs that would delete more than maxDeleteShare of a table (those tables keep their "
                "previous silver): " + "; ".join(guarded)
            )
        runtime.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
