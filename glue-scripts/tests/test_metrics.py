"""Job metrics for CloudWatch: the datums (names and dimensions the component's alarms and dashboard
read), when they are published, and that publishing never fails a job."""

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
