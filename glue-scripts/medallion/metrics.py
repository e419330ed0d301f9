"""CloudWatch metrics of a job run (names and dimensions as packages/medallion-lake/src/model/metrics.ts
defines them), published with boto3 `put_metric_data` under the lake's namespace from the lake spec.

Publishing never fails a job: any error is printed and the run goes on. It happens on Glue, or
locally when `AWS_ENDPOINT_URL_CLOUDWATCH` points at an endpoint (e.g. a moto server); otherwise it
is skipped. Short timeouts and few retries keep an unreachable endpoint (no monitoring VPC endpoint
and no NAT) from holding a job for minutes (botocore's defaults: 60 s connect, 5 attempts).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Mapping

# put_metric_data takes at most 1,000 metric datums per call.
BATCH = 1000
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_CLOUDWATCH"
# https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html
CLIENT_CONFIG = {"connect_timeout": 5, "read_timeout": 10, "retries": {"max_attempts": 2, "mode": "standard"}}


def job_metrics(
    lake: str,
    environment: str,
    layer: str,
    totals: Mapping[str, float],
    tables: Mapping[str, Mapping[str, float]],
) -> list[dict]:
    """Datums for one job run: `totals` (metric name -> value) with Lake/Environment/Layer, and per
    table (`<source>/<table>` -> metric name -> value) with a Table dimension too."""
    base = [
        {"Name": "Lake", "Value": lake},
        {"Name": "Environment", "Value": environment},
        {"Name": "Layer", "Value": layer},
    ]
    datums = [
        {"MetricName": m, "Dimensions": base, "Value": float(v), "Unit": _unit(m)} for m, v in totals.items()
    ]
    for table, values in tables.items():
        dims = [*base, {"Name": "Table", "Value": table}]
        datums += [
            {"MetricName": m, "Dimensions": dims, "Value": float(v), "Unit": _unit(m)}
            for m, v in values.items()
        ]
    return datums


def _unit(metric: str) -> str:
    return {"JobSeconds": "Seconds", "DeleteShare": "None"}.get(metric, "Count")


def should_publish(on_glue: bool, environ: Mapping[str, str] = os.environ) -> bool:
    return on_glue or bool(environ.get(ENDPOINT_VARIABLE))


def publish(namespace: str, datums: list[dict], client=None) -> bool:
    """Puts the datums; True when all were accepted. Never raises."""
    try:
        if client is None:
            import boto3  # on Glue; locally only needed with an endpoint
            from botocore.config import Config

            client = boto3.client("cloudwatch", config=Config(**CLIENT_CONFIG))
        for start in range(0, len(datums), BATCH):
            client.put_metric_data(Namespace=namespace, MetricData=datums[start : start + BATCH])
        return True
    except Exception as err:  # noqa: BLE001 - metrics must never fail the job
        print(
            f"warning: could not publish {len(datums)} metrics to {namespace}: {err}",
            file=sys.stderr,
            flush=True,
        )
        return False


def publish_run(
    on_glue: bool,
    namespace: str | None,
    lake: str,
    environment: str,
    layer: str,
    totals,
    tables,
    began: float,
) -> None:
    """The job run's metrics, plus JobSeconds since `began` (time.monotonic()), when publishing is on."""
    if not namespace or not should_publish(on_glue):
        return
    totals = {**totals, "JobSeconds": round(time.monotonic() - began, 1)}
    publish(namespace, job_metrics(lake, environment, layer, totals, tables))


@contextlib.contextmanager
def failure_reported(
    on_glue: bool,
    namespace: str | None,
    lake: str,
    environment: str,
    layer: str,
    began: float,
    reported: tuple[type[BaseException], ...] = (),
) -> Iterator[None]:
    """Publishes JobSucceeded=0 when the body raises, then re-raises: a job that crashes (a write
    fails, an input is missing) still reports its failure. Errors in `reported` are those the body
    raises after publishing its own run metrics (a failed data-quality rule); they pass untouched."""
    try:
        yield
    except reported:
        raise
    except Exception:
        publish_run(on_glue, namespace, lake, environment, layer, {"JobSucceeded": 0}, {}, began)
        raise


def bronze_metrics(summaries: list[dict], crashed_table: str | None, succeeded: bool) -> tuple[dict, dict]:
    """(totals, per table) of a bronze run: rows ingested (read from the source and written, so
    RowsRead = RowsWritten), batches written (a table with no new rows writes none), tables whose
    ingestion failed (those whose summary has an `error`, the run going on with the others, and
    `crashed_table`, `<source>/<table>`, whose failure stopped the run) and whether the run
    succeeded (it fails after the tables when one failed, or when committing its bookmarks fails)."""
    tables = {
        f"{s['source']}/{s['table']}": {
            "RowsRead": s["rows"],
            "RowsWritten": s["rows"],
            "BatchesWritten": 1 if s["rows"] else 0,
            "TablesFailed": 1 if s.get("error") else 0,
        }
        for s in summaries
    }
    if crashed_table is not None:
        tables[crashed_table] = {"TablesFailed": 1}
    totals = {
        m: sum(t.get(m, 0) for t in tables.values())
        for m in ("RowsRead", "RowsWritten", "BatchesWritten", "TablesFailed")
    }
    return {**totals, "JobSucceeded": 1 if succeeded else 0}, tables
