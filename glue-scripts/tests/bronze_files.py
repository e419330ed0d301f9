"""Bronze batches as the bronze job leaves them, for the silver tests: the batch's Avro files under
`<source>/<table>/ingest_date=<day>/batch_id=<id>/` and its run summary with the rows written."""

from __future__ import annotations

from datetime import datetime

from medallion import io
from medallion.batches import summary_path
from medallion.bronze import bronze_batch_path


def write_batch(spark, bronze_path: str, source: str, table: str, batch_id: str, at: datetime, frame) -> str:
    """Writes `frame` (bronze metadata columns included) as the batch; returns its folder."""
    folder = bronze_batch_path(bronze_path, source, table, at.date(), batch_id)
    frame.write.format("avro").save(folder)
    # The fields silver reads of bronze_job.ingest_table's summary.
    summary = {"source": source, "table": table, "batch_id": batch_id, "rows": frame.count()}
    io.write_json(spark, summary_path(bronze_path, source, table, batch_id), summary)
    return folder
