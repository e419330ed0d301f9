"""Job metrics for CloudWatch: the datums (names and dimensions the component's alarms and dashboard
read), when they are published, that they reach a CloudWatch API (moto's server) and that publishing
never fails a job."""

import socket
import time
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from medallion import metrics


def test_datums_carry_the_lake_environment_layer_and_table_dimensions():
    datums = metrics.job_metrics(
        "tickit",
        "dev",
        "silver",
        {"RowsRead": 10, "JobSeconds": 2.5},
        {"ecomm/sales": {"QuarantinedRows": 3}},
    )
    job = [{"Name": "Lake", "Value": "tickit"}, {"Name": "Environment", "Value": "dev"},
           {"Name": "Layer", "Value": "silver"}]  # fmt: skip
    assert datums == [
        {"MetricName": "RowsRead", "Dimensions": job, "Value": 10.0, "Unit": "Count"},
        {"MetricName": "JobSeconds", "Dimensions": job, "Value": 2.5, "Unit": "Seconds"},
        {"MetricName": "QuarantinedRows", "Dimensions": [*job, {"Name": "Table", "Value": "ecomm/sales"}],
         "Value": 3.0, "Unit": "Count"},
    ]  # fmt: skip


def test_publishes_on_glue_or_with_an_endpoint_only():
    assert metrics.should_publish(True, {}) is True
    assert metrics.should_publish(False, {}) is False
    assert metrics.should_publish(False, {"AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:5000"}) is True


class Recorder:
    def __init__(self, fail=False):
        self.calls, self.fail = [], fail

    def put_metric_data(self, Namespace, MetricData):  # noqa: N803 - boto3's argument names
        if self.fail:
            raise ConnectionError("endpoint unreachable")
        self.calls.append((Namespace, len(MetricData)))


def test_sends_at_most_1000_datums_per_call():
    client = Recorder()
    datums = metrics.job_metrics("tickit", "dev", "gold", {f"M{i}": i for i in range(2001)}, {})
    assert metrics.publish("MedallionLake/tickit", datums, client) is True
    assert client.calls == [
        ("MedallionLake/tickit", 1000),
        ("MedallionLake/tickit", 1000),
        ("MedallionLake/tickit", 1),
    ]


def test_a_publishing_failure_is_reported_and_never_raised(capsys):
    assert (
        metrics.publish("MedallionLake/tickit", [{"MetricName": "X", "Value": 1.0}], Recorder(fail=True))
        is False
    )
    assert (
        "could not publish 1 metrics to MedallionLake/tickit: endpoint unreachable" in capsys.readouterr().err
    )


def test_bronze_reports_rows_batches_and_the_failed_table():
    summaries = [
        {"source": "ecomm", "table": "sales", "rows": 120},
        {"source": "saas", "table": "category", "rows": 0},
    ]
    totals, tables = metrics.bronze_metrics(summaries, "saas/event", False)
    assert totals == {
        "RowsRead": 120,
        "RowsWritten": 120,
        "BatchesWritten": 1,
        "TablesFailed": 1,
        "JobSucceeded": 0,
    }
    assert tables == {
        "ecomm/sales": {"RowsRead": 120, "RowsWritten": 120, "BatchesWritten": 1, "TablesFailed": 0},
        "saas/category": {"RowsRead": 0, "RowsWritten": 0, "BatchesWritten": 0, "TablesFailed": 0},
        "saas/event": {"TablesFailed": 1},
    }
    assert metrics.bronze_metrics(summaries, None, True)[0]["JobSucceeded"] == 1
    # Every table ingested, then committing the bookmarks failed.
    assert metrics.bronze_metrics(summaries, None, False)[0] == {
        "RowsRead": 120,
        "RowsWritten": 120,
        "BatchesWritten": 1,
        "TablesFailed": 0,
        "JobSucceeded": 0,
    }


def test_bronze_counts_every_table_that_failed_while_the_run_went_on():
    summaries = [
        {"source": "crm", "table": "users", "rows": 0, "error": "PSQLException: Connection refused"},
        {"source": "crm", "table": "accounts", "rows": 0, "error": "PSQLException: Connection refused"},
        {"source": "ecomm", "table": "sales", "rows": 120, "error": None},
    ]
    totals, tables = metrics.bronze_metrics(summaries, None, False)
    assert totals == {
        "RowsRead": 120,
        "RowsWritten": 120,
        "BatchesWritten": 1,
        "TablesFailed": 2,
        "JobSucceeded": 0,
    }
    assert tables["crm/users"] == {"RowsRead": 0, "RowsWritten": 0, "BatchesWritten": 0, "TablesFailed": 1}
    assert tables["ecomm/sales"]["TablesFailed"] == 0


@pytest.fixture()
def cloudwatch_env(monkeypatch):
    """What a job process sees: region and throwaway credentials (the endpoint is set per test)."""
    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test",
                        "AWS_SECRET_ACCESS_KEY": "test"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_a_run_s_metrics_reach_cloudwatch_through_the_endpoint_variable(cloudwatch_env, moto_endpoint):
    cloudwatch_env.setenv(metrics.ENDPOINT_VARIABLE, moto_endpoint)
    namespace = f"MedallionLake/t{uuid.uuid4().hex[:8]}"
    totals, tables = metrics.bronze_metrics([{"source": "ecomm", "table": "sales", "rows": 7}], None, True)
    metrics.publish_run(False, namespace, "tickit", "test", "bronze", totals, tables, time.monotonic())

    cloudwatch = boto3.client("cloudwatch", endpoint_url=moto_endpoint)
    listed = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
    job = [{"Name": "Lake", "Value": "tickit"}, {"Name": "Environment", "Value": "test"},
           {"Name": "Layer", "Value": "bronze"}]  # fmt: skip
    table = [*job, {"Name": "Table", "Value": "ecomm/sales"}]
    names = {(m["MetricName"], len(m["Dimensions"])) for m in listed}
    assert names == {
        *(
            (m, 3)
            for m in (
                "RowsRead",
                "RowsWritten",
                "BatchesWritten",
                "TablesFailed",
                "JobSucceeded",
                "JobSeconds",
            )
        ),
        *((m, 4) for m in ("RowsRead", "RowsWritten", "BatchesWritten", "TablesFailed")),
    }
    now = datetime.now(UTC)
    queries = [
        {"Id": "rows", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "RowsWritten",
                                                 "Dimensions": table}, "Period": 60, "Stat": "Sum"}},
        {"Id": "ok", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "JobSucceeded",
                                               "Dimensions": job}, "Period": 60, "Stat": "Sum"}},
    ]  # fmt: skip
    data = cloudwatch.get_metric_data(
        MetricDataQueries=queries, StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=5)
    )
    assert {r["Id"]: r["Values"] for r in data["MetricDataResults"]} == {"rows": [7.0], "ok": [1.0]}


def test_an_unreachable_endpoint_neither_fails_nor_holds_the_job(cloudwatch_env, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cloudwatch_env.setenv(metrics.ENDPOINT_VARIABLE, f"http://127.0.0.1:{port}")
    started = time.monotonic()
    metrics.publish_run(
        False, "MedallionLake/tickit", "tickit", "test", "gold", {"JobSucceeded": 1}, {}, started
    )
    assert time.monotonic() - started < 20
    assert "warning: could not publish 2 metrics to MedallionLake/tickit" in capsys.readouterr().err


def test_a_crashing_job_reports_its_failure_and_an_already_reported_one_is_not_doubled(
    cloudwatch_env, moto_endpoint
):
    cloudwatch_env.setenv(metrics.ENDPOINT_VARIABLE, moto_endpoint)
    cloudwatch = boto3.client("cloudwatch", endpoint_url=moto_endpoint)

    class RuleFailed(RuntimeError):
        """Stands for a job's own error raised after it published its run metrics."""

    def published(body) -> dict[str, list[float]]:
        """The job-level metrics the run published, by name, with their values."""
        # A lake name of its own too: moto 5.2.5's get_metric_data ignores the namespace of a query
        # with dimensions, so another test's gold JobSucceeded for "tickit" would be summed in.
        lake = f"t{uuid.uuid4().hex[:8]}"
        namespace = f"MedallionLake/{lake}"
        began = time.monotonic()
        try:
            with metrics.failure_reported(False, namespace, lake, "test", "gold", began, (RuleFailed,)):
                body()
        except (OSError, RuleFailed):
            pass
        listed = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
        if not listed:
            return {}
        now = datetime.now(UTC)
        data = cloudwatch.get_metric_data(
            MetricDataQueries=[
                {"Id": m["MetricName"].lower(), "Label": m["MetricName"],
                 "MetricStat": {"Metric": m, "Period": 60, "Stat": "Sum"}}
                for m in listed
            ],
            StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=5),
        )  # fmt: skip
        return {r["Label"]: r["Values"] for r in data["MetricDataResults"]}

    def crash():
        raise OSError("gold path is not a folder")

    def rule_failed():
        raise RuleFailed("reported by the job")

    crashed = published(crash)
    assert sorted(crashed) == ["JobSeconds", "JobSucceeded"] and crashed["JobSucceeded"] == [0.0]
    assert published(rule_failed) == {}
    assert published(lambda: None) == {}
    with pytest.raises(OSError, match="not a folder"):  # the job still fails with its own error
        with metrics.failure_reported(False, None, "tickit", "test", "gold", time.monotonic()):
            crash()
