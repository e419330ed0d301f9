"""File-based end-to-end run of the silver and gold entry scripts through local_submit (no databases):
a tiny bronze Avro dataset written here, two runs, identical results, partition overwrite."""

import contextlib
import io
import json
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

import boto3
import pytest
from bronze_files import write_batch
from local_submit import JobFailed, submit
from medallion import iceberg
from tickit_spec import tickit_gold, write_spec_with_gold

pytestmark = pytest.mark.spark  # spark-submit runs, also in tests without the spark fixture

T1, T2 = datetime(2008, 6, 1, 12, 0), datetime(2008, 6, 2, 12, 0)
BRONZE = {
    ("saas", "category"): (
        "catid smallint, catgroup string, catname string, catdesc string",
        [[(1, "Sports", "MLB", "Major League Baseball"), (2, "Shows ", "Musicals", "Musical theatre")]],
    ),
    ("saas", "venue"): (
        "venueid smallint, venuename string, venuecity string, venuestate string, venueseats int",
        [[(1, "Arena", "Springfield", "IL", 5000)]],
    ),
    ("saas", "event"): (  # delivered typed, as PostgreSQL does
        "eventid int, venueid smallint, catid smallint, dateid smallint, eventname string, "
        "starttime timestamp",
        [[(100, 1, 1, 1827, "Event A", datetime(2008, 1, 10, 20, 0)),
          (101, 2, 2, 1828, "Event B", datetime(2008, 2, 15, 19, 0))]],  # venue 2 missing
    ),
    ("ecomm", "listing"): (
        "listid string, sellerid string, eventid string, dateid string, numtickets string, "
        "priceperticket string, totalprice string, listtime string",
        [[("1", "10", "100", "1827", "10", "50.00", "500.00", "1/2/2008 10:00:00"),
          ("2", "11", "101", "1828", "4", "20.00", "80.00", "1/3/2008 11:00:00")]],
    ),
    ("ecomm", "sales"): (  # delivered as strings; batch b2 corrects sale 2
        "salesid string, listid string, sellerid string, buyerid string, eventid string, dateid string, "
        "qtysold string, pricepaid string, commission string, saletime string",
        [[("1", "1", "10", "20", "100", "1827", "2", "100.00", "15.00", "1/5/2008 10:00:00"),
          ("2", "2", "11", "21", "101", "1828", "1", "20.00", "3.00", "2/16/2008 12:00:00"),
          ("3", "2", "11", "20", "101", "1828", "1", "20.00", "3.00", "13/45/2008 99:00:00")],
         [("2", "2", "11", "21", "101", "1828", "1", "25.00", "3.75", "2/16/2008 12:00:00")]],
    ),
    ("crm", "users"): (
        "userid int, username string, firstname string, lastname string, city string, state string, "
        "likesports string",
        [[(10, "alice01", "Alice", "Ames", "Austin", "TX", "t"),
          (11, "bob02", "Bob", "Burr", "Boston", "MA", "f"),
          (20, "dan04", "Dan", "Dorn", "Denver", "CO", "1"),
          (21, "erin05", "Erin", "Eck", "Eugene", "OR", "0")]],
    ),
}  # fmt: skip
NAMESPACE = "MedallionLake/local-jobs-test"
CLOUDWATCH_CLIENT = {"region_name": "us-east-1", "aws_access_key_id": "test", "aws_secret_access_key": "test"}
CLOUDWATCH_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
}
GOLD_MODELS = tuple(m["name"] for m in tickit_gold()[0]["models"])  # as the stack declares them


def _write_bronze(spark, root: Path):
    from pyspark.sql import functions as F

    for (source, table), (ddl, batches) in BRONZE.items():
        for n, (rows, at) in enumerate(zip(batches, (T1, T2), strict=False), start=1):
            df = spark.createDataFrame(rows, ddl).withColumns(
                {"_ingested_at": F.lit(at), "_batch_id": F.lit(f"b{n}"), "_source": F.lit(source)}
            )
            write_batch(spark, root.as_uri(), source, table, f"b{n}", at, df)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snapshot(spark, database: str, tables):
    """Every row of each table, as tuples in a stable order."""
    return {
        t: sorted(tuple(r) for r in spark.table(iceberg.table_name(database, t)).collect()) for t in tables
    }


@pytest.fixture(scope="module")
def lake(spark, tmp_path_factory, moto_endpoint):
    root = tmp_path_factory.mktemp("lake")
    spec_path = root / "lake-spec.json"
    write_spec_with_gold(spec_path, metrics_namespace=NAMESPACE)
    _write_bronze(spark, root / "bronze")
    common = {"lake_spec": str(spec_path), "environment": "test"}
    paths = {
        "bronze_path": (root / "bronze").as_uri(),
        "silver_path": (root / "silver").as_uri(),
        "gold_path": (root / "gold").as_uri(),
    }
    silver_tables = [f"{s}_{t}" for s, t in BRONZE] + ["ecomm_sales_quarantine"]
    databases = json.loads(spec_path.read_text())["databases"]
    glue = boto3.client("glue", endpoint_url=moto_endpoint, **CLOUDWATCH_CLIENT)
    for database in databases.values():
        glue.create_database(DatabaseInput={"Name": database})

    def run(batch_id, cloudwatch):
        env = {
            **CLOUDWATCH_ENV,
            "AWS_ENDPOINT_URL_CLOUDWATCH": cloudwatch,
            "AWS_ENDPOINT_URL_GLUE": moto_endpoint,
        }
        submit("silver", {**common, "bronze_path": paths["bronze_path"], "silver_path": paths["silver_path"],
                          "batch_id": batch_id}, extra_env=env)  # fmt: skip
        submit("gold", {**common, "silver_path": paths["silver_path"], "gold_path": paths["gold_path"],
                        "--batch_id": batch_id, "--JOB_RUN_ID": "ignored"}, extra_env=env)  # fmt: skip
        return (
            _snapshot(spark, databases["silver"], silver_tables),
            _snapshot(spark, databases["gold"], GOLD_MODELS),
        )

    # The first run publishes its metrics to moto's CloudWatch, the second to an endpoint that is down.
    first = run("run1", moto_endpoint)
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        second = run("run2", f"http://127.0.0.1:{_closed_port()}")
    cloudwatch = boto3.client("cloudwatch", endpoint_url=moto_endpoint, **CLOUDWATCH_CLIENT)
    return {"root": root, "first": first, "second": second, "second_log": log.getvalue(),
            "cloudwatch": cloudwatch}  # fmt: skip


def test_silver_types_dedupes_and_quarantines(lake):
    silver, _ = lake["first"]
    sales = silver["ecomm_sales"]
    assert [(r[0], r[7], r[9], r[-1]) for r in sales] == [  # salesid, pricepaid, saletime, _batch_id
        (1, D("100.00"), datetime(2008, 1, 5, 10, 0), "b1"),
        (2, D("25.00"), datetime(2008, 2, 16, 12, 0), "b2"),
    ]
    assert [r[-1] for r in silver["ecomm_sales_quarantine"]] == [
        "unparseable saletime as timestamp with format M/d/yyyy HH:mm:ss"
    ]
    assert [r[1] for r in silver["saas_category"]] == ["Sports", "Shows"]  # "Shows " trimmed
    assert [r[-1] for r in silver["crm_users"]] == ["b1"] * 4
    summary = json.loads((lake["root"] / "silver/_run_summaries/ecomm/sales/run1.json").read_text())
    assert summary.pop("snapshot").isdigit()  # the silver table's snapshot after the MERGE, as text
    assert set(summary.pop("maintenance")) == {
        "glue_catalog.`tickit_test_silver`.`ecomm_sales`",
        "glue_catalog.`tickit_test_silver`.`ecomm_sales_quarantine`",
    }
    # The first run's rows are all of bronze; the second run has no new bronze batch.
    assert summary == {"source": "ecomm", "table": "sales", "batch_id": "run1", "bronze_rows": 4,
                       "silver_rows": 2, "quarantined_rows": 1, "duplicates_removed": 1, "rows_deleted": 0,
                       "rows_inserted": 2, "rows_changed": 0, "delete_share": 0.0,
                       "this_run": {"ingested_after": None, "bronze_rows": 4, "silver_rows": 2,
                                    "quarantined_rows": 1}}  # fmt: skip
    second = json.loads((lake["root"] / "silver/_run_summaries/ecomm/sales/run2.json").read_text())
    assert second["this_run"] == {"ingested_after": "2008-06-02 12:00:00", "bronze_rows": 0, "silver_rows": 0,
                                  "quarantined_rows": 0}  # fmt: skip


def test_gold_models_from_the_silver_tables(lake):
    _, gold = lake["first"]
    assert gold["sales_by_month"] == [  # sorted rows: gross_sales first
        (D("25.00"), D("3.75"), 1, 1, D("25.00"), 2008, 2),
        (D("100.00"), D("15.00"), 2, 1, D("50.00"), 2008, 1),
    ]
    assert [(r[0], r[4], r[7], r[8], r[9]) for r in gold["event_performance"]] == [
        (100, "Arena", 10, 2, 0.2),
        (101, "Unknown venue", 4, 1, 0.25),
    ]
    assert [r[:2] for r in gold["top_buyers"]] == [(1, 20), (2, 21)]  # 100.00 beats the corrected 25.00
    summary = json.loads((lake["root"] / "gold/_run_summaries/run1.json").read_text())
    # The declared warn tests report orphans: event 101's venue is missing, every sale's event exists.
    performance = summary["models"]["event_performance"]["tests"]
    venue = next(t for t in performance if t["rule"] == "events_with_known_venue")
    assert (venue["passed"], venue["failed_rows"], venue["severity"]) == (False, 1, "warn")
    category = summary["models"]["sales_by_category"]["tests"]
    assert next(t for t in category if t["rule"] == "sales_of_known_categories")["passed"] is True
    model = summary["models"]["sales_by_month"]
    assert "rewritten_data_files" in model.pop("maintenance")
    tests = model.pop("tests")
    assert len(tests) == 4 and all(t["passed"] for t in tests), tests
    # a first run is full; this test's spec classifies no column
    assert model == {"refresh": "full", "rows": 2, "partitions": 2, "written": True, "classified": {}}


def test_a_rerun_without_new_bronze_changes_nothing(lake):
    silver1, gold1 = lake["first"]
    silver2, gold2 = lake["second"]
    assert silver2 == silver1
    assert gold2 == gold1
    models = json.loads((lake["root"] / "gold/_run_summaries/run2.json").read_text())["models"]
    refresh = {name: m["refresh"] for name, m in models.items()}
    # sales_by_month declares `refresh: partitions`: no silver row changed, so no partition is rebuilt.
    assert refresh == {
        "event_performance": "full",
        "sales_by_category": "full",
        "sales_by_month": "unchanged",
        "top_buyers": "full",
        "top_sellers": "full",
    }


def test_a_failing_job_raises_with_its_log(tmp_path):
    with pytest.raises(JobFailed) as failure:
        submit(
            "silver", {"lake_spec": str(tmp_path / "none.json"), "environment": "test", "bronze_path": "x"}
        )
    assert failure.value.returncode != 0
    assert "silver job: missing required argument(s) --silver_path" in failure.value.log_tail


def test_the_jobs_publish_their_metrics_and_a_down_endpoint_fails_neither(lake):
    cloudwatch = lake["cloudwatch"]
    now = datetime.now(UTC)

    def total(metric, layer, table=None):
        dims = [{"Name": "Lake", "Value": "tickit"}, {"Name": "Environment", "Value": "test"},
                {"Name": "Layer", "Value": layer}]  # fmt: skip
        dims += [{"Name": "Table", "Value": table}] if table else []
        metric = {"Namespace": NAMESPACE, "MetricName": metric, "Dimensions": dims}
        query = {"Id": "m", "MetricStat": {"Metric": metric, "Period": 3600, "Stat": "Sum"}}
        data = cloudwatch.get_metric_data(
            MetricDataQueries=[query], StartTime=now - timedelta(hours=1), EndTime=now + timedelta(minutes=5)
        )
        return sum(data["MetricDataResults"][0]["Values"])

    # Only run1 reached moto: its rows are all of bronze's (sales: 4 read, 2 in silver, 1 quarantined).
    assert (total("RowsRead", "silver", "ecomm/sales"), total("RowsWritten", "silver", "ecomm/sales"),
            total("QuarantinedRows", "silver", "ecomm/sales")) == (4, 2, 1)  # fmt: skip
    assert total("RowsWritten", "silver") == sum(len(rows) for rows in lake["first"][0].values()) - 1
    assert total("JobSucceeded", "silver") == 1 and total("JobSucceeded", "gold") == 1
    assert total("RowsWritten", "gold", "sales_by_month") == 2
    # run2 finished (the fixture would have raised) and said why its metrics are missing.
    assert lake["second_log"].count("warning: could not publish") == 2
