"""Gold Glue job: the lake's gold models (SQL files the lake spec lists, `medallion.models`) run with
Spark SQL over the silver Iceberg tables in dependency order, each written to its Iceberg table
`<gold db>.<model>` (located at <gold_path>/<model>/, partitioned by its partition columns) in one
commit, and tested first. A `refresh: full` model is replaced whole; a `refresh: partitions` model
recomputes only the partitions its silver inputs' changed rows touch (found from the silver marks
stored on its table, see `medallion.gold`), falling back to a full rebuild when it cannot tell. Every
model is checked before the first one runs. A model whose error-severity test fails is not written,
the models reading it are skipped, and the job fails after reporting every model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import time
from datetime import UTC, datetime

from medallion import gold, iceberg, io, metrics, quality
from medallion.arguments import parse_job_arguments
from medallion.bronze import resolve_batch_id
from medallion.models import ModelError
from medallion.spec import SpecError, parse_lake_spec
from pyspark.sql import functions as F

# Table properties of a gold model: the silver marks (`gold.silver_marks`) its rows were built from,
# and the fingerprint of the model (SQL and partitioning) that built them.
SILVER_MARKS = "medallion.silver-marks"
MODEL_FINGERPRINT = "medallion.model-sha256"


class ModelTestError(RuntimeError):
    """Error-severity tests of gold models failed: those models keep their previous gold version."""


class Seconds:
    """The seconds of a model's phases (plan, tests, write, stats, maintenance), for its metric."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.laps[phase] = round(now - self._last, 2)
        self._last = now


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


def write_full(spark, name: str, rows, location: str, model) -> None:
    """The model's rows replace the table's in one commit: an overwrite of every row while the columns
    and partitioning stay as they are (the table keeps its documentation), else CREATE OR REPLACE
    TABLE (the first run, or a model whose columns or partitioning changed; the history is kept)."""
    if iceberg.exists(spark, name) and iceberg.same_layout(spark, name, rows, model.partition_by):
        rows.writeTo(name).overwrite(F.lit(True))
    else:
        iceberg.create(spark, name, rows, location, model.partition_by, replace=iceberg.exists(spark, name))


def model_fingerprint(model, sql: str) -> str:
    """What decides a partitions model's rows besides its inputs: its SQL and partition columns."""
    contract = json.dumps({"sql": sql, "partition_by": list(model.partition_by)}, sort_keys=True)
    return hashlib.sha256(contract.encode("utf-8")).hexdigest()


def plan_refresh(
    spark, step, name: str, inputs: dict[str, str], silver: dict, sql: str, marks, erased: dict | None = None
) -> dict:
    """How this run writes a model: `full`, `partitions` (with the partitions and their filter) or
    `unchanged` (a partitions model none of whose silver inputs changed). A model whose SQL or
    partitioning changed since its table was built is rebuilt whole: its kept partitions would
    otherwise hold rows of the old SQL. An input whose snapshot is the one marked (`marks`: this run's
    `gold.silver_marks`) has not changed: the metadata says so, no rows are read for it. `erased`
    (lake name -> rows an erasure deleted, which
    `gold.changed_rows` does not see on a table whose runs never delete) count as changed rows;
    None for a table (rows unknown) rebuilds its partitions models whole."""
    model = step.model
    full = {"how": "full", "partitions": None, "condition": None}
    reads_gold = any(t not in silver for t in step.reads)
    if model.refresh != "partitions" or reads_gold or not iceberg.exists(spark, name):
        return full
    properties = iceberg.properties(spark, name)
    stored = properties.get(SILVER_MARKS)
    if stored is None or properties.get(MODEL_FINGERPRINT) != model_fingerprint(model, sql):
        return full
    stored_marks = json.loads(stored)
    if set(stored_marks) != set(inputs):
        return full
    changed = {}
    for lake_name, table_name in inputs.items():
        snapshot = marks[lake_name]["snapshot"]
        unmoved = snapshot is not None and stored_marks[lake_name].get("snapshot") == snapshot
        if unmoved and not (erased and lake_name in erased):
            continue
        rows = gold.changed_rows(spark, table_name, silver[lake_name][1], stored_marks[lake_name])
        if rows is None:
            return full  # the marked snapshot expired: the changes cannot be told apart
        if erased and lake_name in erased:
            if erased[lake_name] is None:
                return full  # an erasure that resumes no longer knows the rows it deleted
            rows = rows.unionByName(erased[lake_name], allowMissingColumns=True)
        changed[lake_name] = rows
    if not changed:  # the stored marks are this run's: nothing to commit either
        return {"how": "unchanged", "partitions": [], "condition": None, "same_marks": True}
    partitions = gold.touched_partitions(spark, sql, model.partition_by, changed)
    if not partitions:
        return {"how": "unchanged", "partitions": [], "condition": None}
    condition = gold.partition_filter(model.partition_by, partitions)
    return {"how": "partitions", "partitions": partitions, "condition": condition}


def affected_models(planned, erased: set[str]) -> set[str]:
    """The models reading any of the `erased` silver tables, directly or through other models."""
    affected: set[str] = set()
    for step in planned:  # dependency order: a model's inputs come first
        if step.reads & (erased | affected):
            affected.add(step.model.name)
    return affected


def refresh_models(
    runtime, spec, args: dict, batch_id: str, erased: dict | None = None
) -> tuple[dict, list[str]]:
    """Writes every model as `plan_refresh` says and its run summary; returns (summary, the failed
    error tests). With `erased` (an erasure's deleted silver rows by lake name), only the models
    reading those tables are written (`affected_models`), the others are left as they are."""
    spark = runtime.spark
    gold_root = args["gold_path"].rstrip("/")
    silver = spec.silver_tables()
    silver_names = {n: iceberg.table_name(spec.databases["silver"], n) for n in silver}
    iceberg.refuse_plain_tables(runtime, spec.databases["gold"], [m.name for m in spec.gold_models])

    def read_silver(name: str):
        if not iceberg.exists(spark, silver_names[name]):
            # Silver creates a typed table's table (empty until rows arrive) on its first run.
            why = "run the silver job first" if silver[name][1].columns else (
                "the table declares no columns, so silver creates it only with its first rows: declare "
                "its columns to have gold read it as empty until then"
            )  # fmt: skip
            raise SpecError(f"gold input {name!r}: no silver table {silver_names[name]}; {why}")
        return spark.table(silver_names[name])

    def read_gold(name: str):
        table = iceberg.table_name(spec.databases["gold"], name)
        if not iceberg.exists(spark, table):
            raise ModelError(f"--models: gold model {name!r} is read by the models named, but has no "
                             "table yet: name it in --models too")  # fmt: skip
        return spark.table(table)

    model_sql = read_model_sql(spark, args["lake_spec"], spec)
    only = gold.select_models(spec, args.get("models"))
    planned = gold.plan(spark, spec, model_sql, read_silver, only, read_gold)
    marks_of: dict[str, dict] = {}  # per silver table: its mark, read once a run (silver is not written)
    summary = {"batch_id": batch_id, "models": {}}
    not_written: set[str] = set()
    failures = []
    affected = None if erased is None else affected_models(planned, set(erased))
    for step in planned:
        model_began = time.monotonic()
        model = step.model
        if affected is not None and model.name not in affected:
            summary["models"][model.name] = {"refresh": "unaffected by the erasure"}
            continue
        blocked = sorted(step.reads & not_written)
        if blocked:
            not_written.add(model.name)
            summary["models"][model.name] = {"skipped": f"reads {', '.join(blocked)}, which was not written"}
            io.metric("gold_model", model=model.name, batch_id=batch_id, skipped=True)
            continue
        name = iceberg.table_name(spec.databases["gold"], model.name)
        inputs = {t: silver_names[t] for t in sorted(step.reads) if t in silver}
        # What a partitions model's next run compares with (a full model needs none).
        marks = None
        if model.refresh == "partitions":
            for lake_name, table_name in inputs.items():
                if lake_name not in marks_of:
                    marks_of[lake_name] = gold.silver_marks(spark, {lake_name: table_name})[lake_name]
            marks = {t: marks_of[t] for t in inputs}
        seconds = Seconds()
        refresh = plan_refresh(spark, step, name, inputs, silver, model_sql[model.name], marks, erased)
        seconds.lap("plan")
        stats: dict = {"refresh": refresh["how"]}
        if refresh["how"] == "unchanged":
            results = []
        else:
            rows = step.frame if refresh["partitions"] is None else step.frame.where(refresh["condition"])
            rows.persist()  # tested, written and read by later models: compute once
            # The tests see the model as this run leaves it: kept partitions and rebuilt ones.
            partial = refresh["partitions"] is not None
            kept = spark.table(name).where(~refresh["condition"]) if partial else None
            whole = rows if kept is None else kept.unionByName(rows)
            results = gold.run_tests(spark, dataclasses.replace(step, frame=whole), datetime.now(UTC))
            seconds.lap("tests")
        errors = gold.failed_errors(results)
        stats["tests"] = results
        if errors:
            not_written.add(model.name)
            failures += [f"{model.name}: {quality.failure_text(r)}" for r in errors]
            stats["written"] = False
        else:
            if refresh["how"] == "full":
                write_full(spark, name, rows, f"{gold_root}/{model.name}", model)
            elif refresh["how"] == "partitions":
                rows.writeTo(name).overwrite(refresh["condition"])
                stats["partitions_rebuilt"] = len(refresh["partitions"])
            seconds.lap("write")
            if marks is not None and not refresh.get("same_marks"):
                iceberg.set_properties(spark, name, {
                    SILVER_MARKS: json.dumps(marks, sort_keys=True),
                    MODEL_FINGERPRINT: model_fingerprint(model, model_sql[model.name]),
                })  # fmt: skip
            iceberg.document(spark, name, model.description, dict(model.columns))
            stats.update(gold.written_stats(spark, name, model.partition_by), written=True)
            seconds.lap("stats")
            # Maintenance has work only after a write (the snapshots say so): an unchanged model
            # added no files or snapshots since the run that last maintained it.
            wrote = refresh["how"] != "unchanged"
            stats["maintenance"] = iceberg.maintain(spark, name, spec.table_maintenance) if wrote else None
            seconds.lap("maintenance")
            # Later models read what was written.
            spark.table(name).createOrReplaceTempView(model.name)
        summary["models"][model.name] = stats
        io.metric(
            "gold_model",
            model=model.name,
            batch_id=batch_id,
            refresh=refresh["how"],
            rows=stats.get("rows"),
            partitions=stats.get("partitions"),
            tests_failed=sum(not r["passed"] for r in results),
            seconds=round(time.monotonic() - model_began, 2),
            **{f"{phase}_s": s for phase, s in seconds.laps.items()},
        )
    for step in planned:
        # After each table's last commit (catalog.classify_columns says why); also on a model not
        # written this run, whose table holds the earlier rows of the same columns.
        name = iceberg.table_name(spec.databases["gold"], step.model.name)
        if iceberg.exists(spark, name):
            tag = args.get("lake_formation_tag")
            io.classify_table(runtime, spec.databases["gold"], step.model.name, step.classified, tag)
        if summary["models"][step.model.name].get("written"):
            summary["models"][step.model.name]["classified"] = dict(step.classified)
    io.write_json(spark, f"{gold_root}/_run_summaries/{batch_id}.json", summary)
    return summary, failures


def main(argv: list[str]) -> None:
    began = time.monotonic()
    args = parse_args(argv)
    runtime = io.start("medallion-gold", argv)
    spec = parse_lake_spec(io.read_text(runtime.spark, args["lake_spec"]))
    batch_id = resolve_batch_id(args["batch_id"], args["JOB_RUN_ID"], datetime.now(UTC))
    with metrics.failure_reported(
        runtime.on_glue, spec.metrics_namespace, spec.lake, spec.environment, "gold", began, (ModelTestError,)
    ):
        summary, failures = refresh_models(runtime, spec, args, batch_id)
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
