"""The gold entry script in-process on the test session: model files beside the lake spec, an error
test that keeps a model unwritten and skips what reads it, and bad input refused before any write."""

import json
import uuid
from datetime import datetime

import gold_job
import pytest
from medallion import iceberg, io
from medallion.models import ModelError
from tickit_spec import spec_dict

MONTHLY = "SELECT CAST(month(saletime) AS INT) AS month, SUM(qtysold) AS tickets FROM ecomm_sales GROUP BY 1"
BEST = "SELECT month, tickets FROM monthly ORDER BY tickets DESC LIMIT 1"
AFTER_BEST = "SELECT month FROM best_month"


def _model(name, columns, partition_by=(), tests=()):
    return {"name": name, "file": f"gold-models/{name}-0.sql", "description": f"{name} model",
            "partitionBy": list(partition_by), "columns": [{"name": c, "description": c} for c in columns],
            "tests": list(tests), "queries": []}  # fmt: skip


FEW_TICKETS = {
    "name": "few_tickets", "check": "expression", "severity": "error", "expression": "tickets < 4",
    "column": None, "columns": [], "min": None, "max": None, "values": [], "pattern": None,
    "reference": None, "maxAgeHours": None,
}  # fmt: skip


@pytest.fixture
def lake(spark, tmp_path, glue, moto_endpoint, monkeypatch):
    """Silver's ecomm_sales as an Iceberg table in a fresh database of moto's Glue, a fresh gold one."""
    monkeypatch.setenv(io.LOCAL_CATALOG_ENDPOINT, moto_endpoint)
    gold_db = f"gold_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": gold_db})
    at = datetime(2008, 3, 1)
    sales = spark.createDataFrame(
        [(1, 2, datetime(2008, 1, 5), at, "b1"), (2, 4, datetime(2008, 2, 1), at, "b1"),
         (3, 1, datetime(2008, 2, 9), at, "b1")],
        "salesid int, qtysold int, saletime timestamp, _ingested_at timestamp, _batch_id string",
    )  # fmt: skip
    iceberg.create(
        spark,
        iceberg.table_name(glue.database, "ecomm_sales"),
        sales,
        (tmp_path / "silver/ecomm/sales").as_uri(),
    )
    spec = spec_dict()
    spec["databases"] = {**spec["databases"], "silver": glue.database, "gold": gold_db}
    spec["gold"] = {"models": [
        _model("after_best", ["month"]),
        _model("best_month", ["month", "tickets"], tests=[FEW_TICKETS]),
        _model("monthly", ["tickets", "month"], ["month"]),
    ]}  # fmt: skip
    (tmp_path / "assets/gold-models").mkdir(parents=True)
    (tmp_path / "assets/lake-spec.json").write_text(json.dumps(spec))
    for name, sql in {"after_best": AFTER_BEST, "best_month": BEST, "monthly": MONTHLY}.items():
        (tmp_path / f"assets/gold-models/{name}-0.sql").write_text(sql)
    argv = ["--lake_spec", (tmp_path / "assets/lake-spec.json").as_uri(), "--environment", "test",
            "--silver_path", (tmp_path / "silver").as_uri(), "--gold_path", (tmp_path / "gold").as_uri(),
            "--batch_id", "b1"]  # fmt: skip
    return tmp_path, argv, glue, gold_db


def _gold_tables(glue, gold_db):
    return sorted(t["Name"] for t in glue.get_tables(DatabaseName=gold_db)["TableList"])


def test_an_error_test_keeps_the_model_unwritten_skips_its_readers_and_fails_the_job(spark, lake):
    root, argv, glue, gold_db = lake
    with pytest.raises(gold_job.ModelTestError, match=r"best_month: few_tickets \(tickets < 4\): 1 rows"):
        gold_job.main(argv)
    summary = json.loads((root / "gold/_run_summaries/b1.json").read_text())["models"]
    assert (summary["monthly"]["written"], summary["monthly"]["rows"], summary["monthly"]["partitions"]) == (
        True,
        2,
        2,
    )
    assert summary["best_month"]["written"] is False
    assert [(t["rule"], t["passed"], t["failed_rows"]) for t in summary["best_month"]["tests"]] == [
        ("few_tickets", False, 1)
    ]
    assert summary["after_best"] == {"skipped": "reads best_month, which was not written"}
    assert _gold_tables(glue, gold_db) == ["monthly"]
    rows = sorted(tuple(r) for r in spark.table(iceberg.table_name(gold_db, "monthly")).collect())
    assert rows == [(2, 1), (5, 2)]  # (tickets, month): month is the partition column, last
    # Documented in the catalog, as Athena shows it: Iceberg's Glue catalog writes the table comment and
    # the column comments to Glue. A second run overwrites the rows and keeps them.
    for run in ("b1", "b2"):
        if run == "b2":
            with pytest.raises(gold_job.ModelTestError):
                gold_job.main([*argv[:-1], run])
        table = glue.get_table(DatabaseName=gold_db, Name="monthly")["Table"]
        assert table["Parameters"]["table_type"].upper() == "ICEBERG"
        assert (
            table.get("Description") == "monthly model"
            or table["Parameters"].get("comment") == "monthly model"
        )
        columns = {c["Name"]: c.get("Comment") for c in table["StorageDescriptor"]["Columns"]}
        assert columns == {"tickets": "tickets", "month": "month"}, run
    refreshed = json.loads((root / "gold/_run_summaries/b2.json").read_text())["models"]["monthly"]
    assert refreshed["refresh"] == "full" and refreshed["rows"] == 2


def test_the_floor_opens_the_tables_and_writes_nothing(spark, lake, monkeypatch, capsys):
    root, argv, glue, gold_db = lake
    monkeypatch.setenv(io.FLOOR, "1")
    with pytest.raises(SystemExit) as ended:
        gold_job.main(argv)
    assert ended.value.code == 0
    floor = [json.loads(line.removeprefix(io.METRIC_PREFIX)) for line in capsys.readouterr().out.splitlines()
             if line.startswith(io.METRIC_PREFIX)]  # fmt: skip
    spec = json.loads((root / "assets/lake-spec.json").read_text())
    silver_tables = sum(len(s["tables"]) for s in spec["sources"])
    # Only ecomm_sales is in silver; no model was built yet.
    assert [(m["event"], m["job"], m["tables"], m["missing"]) for m in floor] == [
        ("floor", "gold", 1, silver_tables - 1 + len(spec["gold"]["models"]))
    ]
    assert _gold_tables(glue, gold_db) == []
    assert not (root / "gold").exists()


def test_a_missing_model_file_is_refused_before_anything_is_written(lake):
    root, argv, glue, gold_db = lake
    (root / "assets/gold-models/monthly-0.sql").unlink()
    with pytest.raises(ModelError, match=r"gold model 'monthly': its SQL file is missing: .*monthly-0\.sql"):
        gold_job.main(argv)
    assert _gold_tables(glue, gold_db) == []


def test_a_bad_model_is_refused_before_any_model_runs(lake):
    root, argv, glue, gold_db = lake
    (root / "assets/gold-models/after_best-0.sql").write_text("SELECT month, nope FROM best_month")
    with pytest.raises(ModelError, match="gold model 'after_best': Spark cannot analyse the SQL"):
        gold_job.main(argv)
    assert _gold_tables(glue, gold_db) == []  # monthly, first in order, was not written either


def test_a_partitions_model_whose_sql_changed_is_rebuilt_whole(spark, lake):
    root, argv, glue, gold_db = lake
    spec_file = root / "assets/lake-spec.json"
    spec = json.loads(spec_file.read_text())
    spec["gold"]["models"] = [{**_model("monthly", ["tickets", "month"], ["month"]), "refresh": "partitions"}]
    spec_file.write_text(json.dumps(spec))

    def run(batch: str) -> tuple[str, list]:
        gold_job.main([*argv[:-1], batch])
        summary = json.loads((root / f"gold/_run_summaries/{batch}.json").read_text())["models"]["monthly"]
        rows = sorted(tuple(r) for r in spark.table(iceberg.table_name(gold_db, "monthly")).collect())
        return summary["refresh"], rows

    assert run("b1") == ("full", [(2, 1), (5, 2)])  # first build
    assert run("b2") == ("unchanged", [(2, 1), (5, 2)])  # no silver rows since
    # Same inputs, new SQL: every partition is rebuilt with it, none kept from the old SQL.
    tenfold = MONTHLY.replace("SUM(qtysold)", "10 * SUM(qtysold)")
    (root / "assets/gold-models/monthly-0.sql").write_text(tenfold)
    assert run("b3") == ("full", [(20, 1), (50, 2)])
    assert run("b4")[0] == "unchanged"


def test_models_rebuilds_only_the_named_models_and_refuses_unknown_ones(spark, lake):
    root, argv, glue, gold_db = lake
    with pytest.raises(ModelError, match=r"--models: unknown gold model\(s\) nope; the lake's models: a"):
        gold_job.main([*argv, "--models", "monthly,nope"])
    # after_best reads best_month, which --models does not rebuild and which has no table yet.
    with pytest.raises(ModelError, match=r"gold model 'best_month' is read by the models named, but has no"):
        gold_job.main([*argv, "--models", "after_best"])
    assert _gold_tables(glue, gold_db) == []
    gold_job.main([*argv[:-1], "m1", "--models", "monthly"])
    summary = json.loads((root / "gold/_run_summaries/m1.json").read_text())["models"]
    assert list(summary) == ["monthly"] and summary["monthly"]["rows"] == 2
    assert _gold_tables(glue, gold_db) == ["monthly"]
    # best_month reads monthly from its gold table; its error test fails as in a whole run.
    with pytest.raises(gold_job.ModelTestError, match="best_month: few_tickets"):
        gold_job.main([*argv[:-1], "m2", "--models", "best_month"])
    assert list(json.loads((root / "gold/_run_summaries/m2.json").read_text())["models"]) == ["best_month"]
