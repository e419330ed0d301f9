"""Forget Glue job: erases one data subject (a primary-key value of one table) from the lake
(docs/erasure.md). Run on demand: on AWS as the component's `<lake>-<env>-forget` job, locally by
`npm run forget`, which holds the data folder's run lock so no lake run writes meanwhile.

    --table <source>.<table> --key '{"<key column>": "<value>", ...}'

In order, so that a run that dies is resumed by the next (the erasure record is written first,
marked not completed, and completed last):
1. silver: the subject's rows are deleted from the table, its quarantine and the delete audit
   (`_deletes`), and every data file that may hold them (also older, superseded versions of its rows)
   is rewritten without them (`rewrite_data_files` filtered on the key, applying the deletes);
2. gold: the models reading the table (directly or through models) are rebuilt as the gold job would
   (gold_job.refresh_models), the erased rows counting as changed rows: a partitions model rebuilds
   the partitions they touched, a full model is recomputed;
3. bronze: every Avro file holding the subject (batches, key snapshots and other files below `_keys/`)
   is rewritten with the other rows, and the batch's run summary counts the rows it has left;
4. the touched Iceberg tables' older snapshots are expired and their orphan files removed, so time
   travel no longer reaches the values (https://iceberg.apache.org/docs/1.7.1/spark-procedures/);
5. on AWS, the noncurrent S3 object versions below the touched tables' prefixes are deleted.

A key the lake never held (no row anywhere, no erasure record) is refused; a key erased before
succeeds as `already erased`. The report (a MEDALLION_METRIC `erasure` line and the record) counts
what was removed per layer and names the subject only by its digest.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import gold_job
from medallion import audit, erasure, iceberg, io, object_versions, reconcile
from medallion.arguments import parse_job_arguments
from medallion.bronze import bronze_table_path, resolve_batch_id
from medallion.catalog import avro_reader_schema, catalog_table_name
from medallion.spec import parse_lake_spec
from pyspark.sql import functions as F

STAMP = "%Y-%m-%d %H:%M:%S"


def parse_args(argv: list[str]) -> dict[str, str | None]:
    return parse_job_arguments("forget", argv)


def _procedure(spark, procedure: str, name: str, arguments: str = "") -> list:
    table = name.split(".", 1)[1]  # procedures take the table name within the catalog
    extra = f", {arguments}" if arguments else ""
    return spark.sql(
        f"CALL {iceberg.CATALOG}.system.{procedure}(table => {iceberg.literal(table)}{extra})"
    ).collect()


def rewrite_files(spark, name: str, where: str | None) -> int:
    """Rewrites every data file of the table that may hold rows matching `where` (every file when
    None), applying the deletes, then drops the position deletes left dangling; returns how many
    data files were rewritten. A file the key's column bounds exclude holds none of its rows."""
    filtered = f"where => {iceberg.literal(where)}, " if where else ""
    done = _procedure(spark, "rewrite_data_files", name, f"{filtered}options => map('rewrite-all', 'true')")
    _procedure(spark, "rewrite_position_delete_files", name, "options => map('rewrite-all', 'true')")
    return int(done[0]["rewritten_data_files_count"]) if done else 0


def expire(spark, name: str, now: datetime) -> dict:
    """Expires every snapshot but the current one, and deletes the files below the table's location
    that no metadata references and that are older than `now` (files of runs that died, for one). The
    `remove_orphan_files` procedure refuses an interval under 24 hours, so this uses Iceberg's action
    API, which takes any: the erasure holds the lake (the run lock locally; on AWS, docs/erasure.md).
    https://iceberg.apache.org/docs/1.7.1/spark-procedures/#remove_orphan_files"""
    older = iceberg.literal(now.strftime(STAMP))
    expired = _procedure(
        spark, "expire_snapshots", name, f"older_than => TIMESTAMP {older}, retain_last => 1"
    )
    jvm = spark._jvm
    table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, name)
    action = jvm.org.apache.iceberg.spark.actions.SparkActions.get(spark._jsparkSession).deleteOrphanFiles(
        table
    )
    orphans = action.olderThan(int(now.timestamp() * 1000)).execute().orphanFileLocations()
    row = expired[0]
    return {
        "snapshots_expired": int(row["deleted_manifest_lists_count"]),
        "files_deleted": int(row["deleted_data_files_count"])
        + int(row["deleted_position_delete_files_count"]),
        "orphan_files_removed": len(list(orphans)),
    }


def _columns(frame) -> dict[str, bool]:
    return {f.name: f.dataType.typeName() == "string" for f in frame.schema.fields}


def locate(spark, spec, args: dict, subject) -> dict:
    """What the lake holds of the subject, read only: silver rows (and the rows themselves, for
    gold), quarantine and audit rows, and the bronze folders with their rows of it."""
    database = spec.databases["silver"]
    lake = catalog_table_name(subject.source.name, subject.table.name)
    found = {"silver": None, "silver_rows": 0, "quarantine_rows": 0, "audit_rows": 0, "folders": {}}
    silver = iceberg.table_name(database, lake)
    if iceberg.exists(spark, silver):
        rows = spark.table(silver).where(erasure.typed_condition(subject))
        collected = rows.collect()  # one subject: a handful of rows
        found.update(silver=spark.createDataFrame(collected, rows.schema), silver_rows=len(collected))
    quarantine = iceberg.table_name(database, f"{lake}_quarantine")
    if iceberg.exists(spark, quarantine):
        table = spark.table(quarantine)
        found["quarantine_rows"] = table.where(erasure.raw_match(table, subject)).count()
    deletes = iceberg.table_name(database, audit.AUDIT_TABLE)
    if iceberg.exists(spark, deletes):
        found["audit_rows"] = spark.table(deletes).where(audit_condition(spark, subject)).count()
    for root in bronze_roots(args["bronze_path"], subject):
        for folder, rows in bronze_matches(spark, root, subject).items():
            found["folders"][folder] = rows
    return found


def audit_condition(spark, subject) -> str:
    """SQL: a `_deletes` row of the subject (its key as audit.record_deletes writes it)."""
    typed = [F.lit(v).cast(t).alias(c) for c, t, v in subject.values]
    key = spark.range(1).select(F.to_json(F.struct(*typed), {"ignoreNullFields": "false"})).first()[0]
    return (
        f"source = {iceberg.literal(subject.source.name)} AND table_name = "
        f"{iceberg.literal(subject.table.name)} AND key = {iceberg.literal(key)}"
    )


def bronze_roots(bronze_path: str, subject) -> list[str]:
    """The bronze folders that may hold the subject: the table's batches and everything below its
    `_keys/` folder (key snapshots, and any other per-table state kept there)."""
    source, table = subject.source.name, subject.table.name
    return [
        bronze_table_path(bronze_path, source, table),
        reconcile.keys_table_path(bronze_path, source, table),
    ]


def bronze_matches(spark, root: str, subject) -> dict[str, list]:
    """Folder -> the `_ingested_at` of each of the subject's rows in its Avro files (None when the
    files have no such column), for the folders below `root` that hold any. Each folder is read with
    the schema of its newest file (folders of one root may differ: a column the source gained)."""
    if not io.exists(spark, root):
        return {}
    folders = sorted({f.rsplit("/", 1)[0] for f in io.avro_files(spark, [root])})
    found = {}
    for folder in folders:
        rows = spark.read.format("avro").option(
            "avroSchema", avro_reader_schema(io.avro_file_schema(spark, folder))
        )
        rows = rows.load(folder)
        matched = rows.where(erasure.raw_match(rows, subject))
        at = F.col("_ingested_at") if "_ingested_at" in rows.columns else F.lit(None)
        hits = [r[0] for r in matched.select(at).collect()]
        if hits:
            found[folder] = hits
    return found


MANIFEST = "_erasure.json"


def rewrite_bronze_folder(spark, bronze_path: str, folder: str, subject, removed_at: list) -> int:
    """Rewrites a bronze folder's Avro files without the subject's rows (with their writer schema),
    and its run summary with the rows it has left; returns the rows removed. The kept rows are staged
    outside the table folders with a manifest (their file names, the summary to write) before anything
    is replaced, so a run that dies part-way is finished by the next (`finish_staged`)."""
    root = bronze_path.rstrip("/")
    base = io.hadoop_path(spark, root)
    if not folder.startswith(f"{base}/"):
        raise erasure.ErasureError(f"bronze folder {folder} is not below {bronze_path}")
    relative = folder[len(base) + 1 :]
    stage = f"{root}/{erasure.STAGING_FOLDER}/{relative}"
    schema = io.avro_file_schema(spark, folder)
    rows = spark.read.format("avro").option("avroSchema", avro_reader_schema(schema)).load(folder)
    newest = rows.agg(F.max("_ingested_at")).first()[0] if "_ingested_at" in rows.columns else None
    io.delete_glob(spark, stage)
    rows.where(~erasure.raw_match(rows, subject)).write.format("avro").option("avroSchema", schema).save(
        stage
    )
    staged = io.avro_files(spark, [stage])
    left = spark.read.format("avro").load(stage).count() if staged else 0
    manifest = {
        "folder": folder,
        "files": [f.rsplit("/", 1)[1] for f in staged] if left else [],
        "summary": None,
    }
    batch = folder.rsplit("batch_id=", 1)[1] if "batch_id=" in folder else None
    if batch is not None:
        keys = relative.startswith(f"{reconcile.KEYS_FOLDER}/")
        summary = f"{root}/_run_summaries/{subject.source.name}/{subject.table.name}/{batch}.json"
        if io.exists(spark, summary):
            counted = len(removed_at) if keys else erasure.removed_in_newest_run(removed_at, newest)
            previous = json.loads(io.read_text(spark, summary))
            adjusted = erasure.adjusted_summary(previous, "keys_read" if keys else "rows", counted)
            manifest["summary"] = {"path": summary, "content": adjusted}
    io.write_json(spark, f"{stage}/{MANIFEST}", manifest)
    finish_staged(spark, stage)
    return len(removed_at)


def finish_staged(spark, stage: str) -> None:
    """Replaces a bronze folder's Avro files by the staged ones its manifest lists (deleting the
    others, moving those still staged), writes its run summary and removes the stage; safe to repeat
    after dying at any point."""
    manifest = json.loads(io.read_text(spark, f"{stage}/{MANIFEST}"))
    folder, files = manifest["folder"], set(manifest["files"])
    for file in io.avro_files(spark, [folder]) if io.exists(spark, folder) else []:
        if file.rsplit("/", 1)[1] not in files:
            io.delete_glob(spark, file)
    for name in sorted(files):
        if io.exists(spark, f"{stage}/{name}"):
            io.move(spark, f"{stage}/{name}", f"{folder}/{name}")
    if not files:
        io.delete_glob(spark, folder)  # bronze leaves no empty batch
    if manifest["summary"]:
        io.write_json(spark, manifest["summary"]["path"], manifest["summary"]["content"])
    io.delete_glob(spark, stage)


def finish_pending_stages(spark, bronze_path: str) -> int:
    """Finishes the bronze rewrites a run that died left staged; a stage without its manifest (the
    run died while writing it, nothing was replaced yet) is dropped. Returns how many were finished."""
    root = f"{bronze_path.rstrip('/')}/{erasure.STAGING_FOLDER}"
    if not io.exists(spark, root):
        return 0
    manifests = sorted({f.rsplit("/", 1)[0] for f in io.files_named(spark, root, MANIFEST)})
    for stage in manifests:
        finish_staged(spark, stage)
    io.delete_glob(spark, root)
    return len(manifests)


def erase_silver(spark, spec, args: dict, subject, found: dict, batch_id: str) -> tuple[dict, list[str]]:
    """Deletes the subject from its silver table, quarantine and the delete audit, rewriting the files
    that held it; returns (counts, the Iceberg tables touched)."""
    database = spec.databases["silver"]
    lake = catalog_table_name(subject.source.name, subject.table.name)
    name = iceberg.table_name(database, lake)
    report = {"rows_removed": 0, "quarantine_rows_removed": 0, "audit_rows_removed": 0, "files_rewritten": 0}
    touched = []
    table = subject.table
    if iceberg.exists(spark, name):
        if table.full_load or table.reconcile:
            # First what earlier runs deleted and did not audit yet: their snapshots expire below.
            audit.record_deletes(
                spark, database, args["silver_path"].rstrip("/"), name, subject.source.name, table.name,
                list(table.primary_key), batch_id, spec.table_maintenance,
            )  # fmt: skip
            found["audit_rows"] = count_audit(spark, spec, subject)
        condition = erasure.typed_condition(subject)
        if found["silver_rows"]:
            spark.sql(f"DELETE FROM {name} WHERE {condition}")
        report["rows_removed"] = found["silver_rows"]
        report["files_rewritten"] += rewrite_files(spark, name, condition)
        # The erasure's own snapshots delete no key the audit should record.
        current = iceberg.current_snapshot(spark, name)
        if current is not None:
            iceberg.set_property(spark, name, audit.AUDITED_SNAPSHOT, str(current))
        touched.append(name)
    quarantine = iceberg.table_name(database, f"{lake}_quarantine")
    if iceberg.exists(spark, quarantine):
        if found["quarantine_rows"]:
            condition = erasure.raw_condition(subject, _columns(spark.table(quarantine)))
            spark.sql(f"DELETE FROM {quarantine} WHERE {condition}")
        report["quarantine_rows_removed"] = found["quarantine_rows"]
        report["files_rewritten"] += rewrite_files(spark, quarantine, None)  # a small table: every file
        touched.append(quarantine)
    deletes = iceberg.table_name(database, audit.AUDIT_TABLE)
    if found["audit_rows"]:
        spark.sql(f"DELETE FROM {deletes} WHERE {audit_condition(spark, subject)}")
        report["audit_rows_removed"] = found["audit_rows"]
        report["files_rewritten"] += rewrite_files(spark, deletes, table_condition(subject))
        touched.append(deletes)
    return report, touched


def count_audit(spark, spec, subject) -> int:
    deletes = iceberg.table_name(spec.databases["silver"], audit.AUDIT_TABLE)
    if not iceberg.exists(spark, deletes):
        return 0
    return spark.table(deletes).where(audit_condition(spark, subject)).count()


def erase_gold(runtime, spec, args: dict, subject, erased, batch_id: str) -> tuple[dict, list[str]]:
    """Rebuilds the gold models reading the subject's table (gold_job.refresh_models with the erased
    rows; None: rebuild them whole); returns (per model how, the Iceberg tables written)."""
    summary, failures = gold_job.refresh_models(
        runtime, spec, {"gold_path": args["gold_path"], "lake_spec": args["lake_spec"]}, batch_id,
        erased={subject.lake_name: erased},
    )  # fmt: skip
    if failures:
        raise gold_job.ModelTestError(
            "the erasure deleted the subject from silver, but gold model tests of severity error failed, "
            f"so those models still hold rows built from it: {'; '.join(failures)}. Fix them and run the "
            "erasure again: it resumes"
        )
    report, touched = {}, []
    for model, stats in summary["models"].items():
        if stats.get("written"):
            report[model] = {
                "refresh": stats["refresh"],
                "partitions_rebuilt": stats.get("partitions_rebuilt"),
            }
            touched.append(iceberg.table_name(spec.databases["gold"], model))
    return report, touched


def erase_versions(args: dict, subject, models: list[str]) -> dict:
    """On AWS: deletes the noncurrent object versions below the prefixes the erasure rewrote."""
    import boto3

    source, table = subject.source.name, subject.table.name
    prefixes = {
        "bronze_path": [f"{source}/{table}/", f"{reconcile.KEYS_FOLDER}/{source}/{table}/",
                        f"_run_summaries/{source}/{table}/", f"{erasure.STAGING_FOLDER}/"],
        "silver_path": [f"{source}/{table}/", f"_quarantine/{source}/{table}/", f"{audit.AUDIT_TABLE}/"],
        "gold_path": [f"{m}/" for m in models],
    }  # fmt: skip
    client = boto3.client("s3")
    deleted = {}
    for argument, listed in prefixes.items():
        bucket = object_versions.bucket_of(args[argument])
        deleted[bucket] = sum(object_versions.delete_noncurrent(client, bucket, p) for p in listed)
    return deleted


def table_condition(subject) -> str:
    return (
        f"source = {iceberg.literal(subject.source.name)} AND "
        f"table_name = {iceberg.literal(subject.table.name)}"
    )


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    runtime = io.start("medallion-forget", argv)
    spark = runtime.spark
    spec = parse_lake_spec(io.read_text(spark, args["lake_spec"]))
    subject = erasure.subject_key(spec, args["table"], args["key"])
    digest = erasure.key_digest(subject)
    started = datetime.now(UTC)
    batch_id = resolve_batch_id(args["batch_id"], args["JOB_RUN_ID"], started)
    iceberg.refuse_plain_tables(runtime, spec.databases["silver"], [subject.lake_name])
    path = erasure.record_path(args["silver_path"], subject, digest)
    previous = json.loads(io.read_text(spark, path)) if io.exists(spark, path) else None
    found = locate(spark, spec, args, subject)
    anything = bool(
        found["silver_rows"] or found["quarantine_rows"] or found["audit_rows"] or found["folders"]
    )
    status = erasure.outcome(anything, previous, subject.label, digest)
    report: dict = {"status": status, "table": subject.label, "key_sha256": digest}
    if status != "already erased":
        io.write_json(spark, path, erasure.record(subject, digest, started, {}, False, previous))
        silver, touched = erase_silver(spark, spec, args, subject, found, batch_id)
        report["silver"] = silver
        # Resumed: the rows deleted by the run that died are unknown, so the models are rebuilt whole.
        erased = None if status == "resumed" else found["silver"]
        report["gold"], written = {}, []
        if status == "resumed" or silver["rows_removed"]:
            report["gold"], written = erase_gold(runtime, spec, args, subject, erased, batch_id)
        bronze = {"files_rewritten": 0, "rows_removed": 0, "key_files_rewritten": 0, "keys_removed": 0}
        bronze["unfinished_rewrites_finished"] = finish_pending_stages(spark, args["bronze_path"])
        if bronze["unfinished_rewrites_finished"]:  # those folders changed since `locate` read them
            roots = bronze_roots(args["bronze_path"], subject)
            found["folders"] = {
                f: r for root in roots for f, r in bronze_matches(spark, root, subject).items()
            }
        for folder, removed_at in found["folders"].items():
            keys = f"/{reconcile.KEYS_FOLDER}/" in folder
            removed = rewrite_bronze_folder(spark, args["bronze_path"], folder, subject, removed_at)
            bronze["key_files_rewritten" if keys else "files_rewritten"] += 1
            bronze["keys_removed" if keys else "rows_removed"] += removed
        # The staging folder's empty parents, once every rewrite finished.
        io.delete_glob(spark, f"{args['bronze_path'].rstrip('/')}/{erasure.STAGING_FOLDER}")
        report["bronze"] = bronze
        now = datetime.now(UTC)
        report["snapshots"] = {t.split(".", 1)[1]: expire(spark, t, now) for t in [*touched, *written]}
        if runtime.on_glue:
            models = [t.rsplit(".", 1)[1].strip("`") for t in written]
            report["noncurrent_versions_deleted"] = erase_versions(args, subject, models)
        else:
            report["noncurrent_versions_deleted"] = "none locally (the local file system keeps no versions)"
        io.write_json(spark, path, erasure.record(subject, digest, started, report, True, previous))
    io.metric("erasure", **report)
    runtime.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
