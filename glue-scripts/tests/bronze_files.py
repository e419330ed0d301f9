"""Bronze batches as the bronze job leaves them, for the silver tests: the batch's Avro files under
`<source>/<table>/ingest_date=<day>/batch_id=<id>/` and its run summary with the rows written, and
the key snapshots of reconciled tables (`_keys/...`)."""

from __future__ import annotations

import json
from datetime import datetime

from medallion import io
from medallion.batches import summary_path
from medallion.bronze import bronze_batch_path
from medallion.reconcile import keys_batch_path


def write_batch(spark, bronze_path: str, source: str, table: str, batch_id: str, at: datetime, frame) -> str:
    """Writes `frame` (bronze metadata columns included) as the batch; returns its folder."""
    folder = bronze_batch_path(bronze_path, source, table, at.date(), batch_id)
    frame.write.format("avro").save(folder)
    # The fields silver reads of bronze_job.ingest_table's summary.
    summary = {"source": source, "table": table, "batch_id": batch_id, "rows": frame.count()}
    io.write_json(spark, summary_path(bronze_path, source, table, batch_id), summary)
    return folder


def write_keys(spark, bronze_path: str, source: str, table: str, batch_id: str, started: datetime, frame):
    """Writes `frame` as the key snapshot bronze's run `batch_id` took, its read started at `started`,
    and adds `keys_read` and `key_scan_started` to the batch's run summary (as bronze_job does)."""
    folder = keys_batch_path(bronze_path, source, table, started.date(), batch_id)
    frame.write.format("avro").save(folder)
    path = summary_path(bronze_path, source, table, batch_id)
    summary = json.loads(io.read_text(spark, path)) if io.exists(spark, path) else {"rows": 0}
    summary.update(keys_read=frame.count(), key_scan_started=started.isoformat(sep=" "))
    io.write_json(spark, path, summary)
    return folder
