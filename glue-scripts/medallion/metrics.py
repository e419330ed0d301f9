"""CloudWatch metrics of a job run (names and dimensions as components/medallion-lake/metrics.ts
defines them), published with boto3 `put_metric_data` under the lake's namespace from the lake spec.

Publishing never fails a job: any error is printed and the run goes on. It happens on Glue, or
locally when `AWS_ENDPOINT_URL_CLOUDWATCH` points at an endpoint (e.g. a moto server); otherwise it
is skipped.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping

# put_metric_data takes at most 1,000 metric datums per call.
BATCH = 1000
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_CLOUDWATCH"


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
    return "Seconds" if metric == "JobSeconds" else "Count"


def should_publish(on_glue: bool, environ: Mapping[str, str] = os.environ) -> bool:
    return on_glue or bool(environ.get(ENDPOINT_VARIABLE))


def publish(namespace: str, datums: list[dict], client=None) -> bool:
    """Puts the datums; True when all were accepted. Never raises."""
    try:
        if client is None:
            import boto3  # on Glue; locally only needed with an endpoint

            client = boto3.client("cloudwatch")
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
