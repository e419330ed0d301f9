"""Issue 3: the whole lake on one machine. Real PostgreSQL and MariaDB servers on loopback are loaded
with the real TICKIT rows plus generated users, listing and sales (scale 0.02, with the documented
anomalies); the bronze, silver and gold entry scripts then run through spark-submit with the arguments
the component gives the Glue jobs, twice. Counts must reconcile at every layer, the TICKIT facts must
hold, and every gold measure must equal an independent SQL computation on the sources.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "local-lake"))  # localdb: servers, loader
sys.path.insert(0, str(REPO / "tests" / "support"))  # expected_gold: the independent SQL

from expected_gold import expected  # noqa: E402
from local_submit import submit  # noqa: E402
from localdb import anomalies, load  # noqa: E402
from localdb.generate import BAD_SALETIMES  # noqa: E402
from localdb.servers import running  # noqa: E402
from localdb.spec import lake_spec_for_stack  # noqa: E402
from medallion import iceberg  # noqa: E402

pytestmark = pytest.mark.integration

SCALE = 0.02
JOBS = ("bronze", "silver", "gold")
MODEL_KEYS = {
    "sales_by_month": ("year", "month"),
    "sales_by_category": ("catgroup", "catname"),
    "event_performance": ("eventid",),
    "top_sellers": ("year", "rank"),
    "top_buyers": ("year", "rank"),
}


def component_arguments(spec_path: Path, lake_dir: Path) -> dict[str, dict[str, str]]:
    """Per job, what the component passes to Glue: `systemArguments()` + `jobArguments()` (TypeScript)."""
    paths = {
        "lakeSpec": spec_path.as_uri(),
        "environment": "local",
        **{f"{layer}Path": (lake_dir / layer).as_uri() for layer in ("bronze", "silver", "gold")},
    }
    script = (
        'import { jobArguments } from "medallion-lake";'
        ' import { systemArguments } from "./packages/medallion-lake/src/component/jobs";'
        f" const paths = {json.dumps(paths)};"
        ' const layers = ["bronze", "silver", "gold"] as const;'
        " process.stdout.write(JSON.stringify(Object.fromEntries(layers.map((l) => [l, {"
        ' ...systemArguments(l, "5.0", "assets", "s3://assets/medallion.zip"),'
        " ...jobArguments(l, paths) }]))));"
    )
    command = ["npx", "--no-install", "ts-node", "-T", "-e", script]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def run_all(arguments: dict, batch_id: str, connections: Path, env: dict) -> None:
    for job in JOBS:
        extra = {"--batch_id": batch_id}
        if job == "bronze":
            extra["--local_connections"] = connections.as_uri()
        submit(job, {**arguments[job], **extra}, extra_env=env)


def read_gold(spark, gold_db: str) -> dict[str, dict[tuple, dict]]:
    """Every gold model as {key: row}, values normalised like `expected` (money as 2-decimal strings)."""
    result = {}
    for model, key in MODEL_KEYS.items():
        rows = {}
        for row in spark.table(iceberg.table_name(gold_db, model)).collect():
            values = {k: f"{v:.2f}" if isinstance(v, Decimal) else v for k, v in row.asDict().items()}
            rows[tuple(values[k] for k in key)] = values
        result[model] = rows
    return result


def summaries(root: Path, batch_id: str) -> dict[str, dict]:
    return {
        p.parent.name: json.loads(p.read_text()) for p in root.glob(f"_run_summaries/*/*/{batch_id}.json")
    }


@pytest.fixture(scope="module")
def lake(spark, moto_endpoint):
    with running() as (folder, _):
        spec_path = folder / "lake-spec.json"
        lake_spec_for_stack("local", spec_file=spec_path)  # the spec and the gold models' SQL beside it
        spec = json.loads(spec_path.read_text())
        # The catalog databases the component creates on AWS, in moto's Glue (the local catalog).
        glue = boto3.client("glue", endpoint_url=moto_endpoint)
        for database in spec["databases"].values():
            glue.create_database(DatabaseInput={"Name": database})
        env = {"AWS_ENDPOINT_URL_GLUE": moto_endpoint}
        loaded = load(folder, spec_path, scale=SCALE)
        lake_dir = folder / "lake"
        arguments = component_arguments(spec_path, lake_dir)
        run_all(arguments, "run1", folder / "connections.json", env)
        # A second run of every job is the e2e test's (tests/local-lake/e2e.test.ts, "a second run").
        yield {
            "dir": lake_dir,
            "spec": spec,
            "silver": lambda source, table: spark.table(
                iceberg.table_name(spec["databases"]["silver"], f"{source}_{table}")
            ),
            "arguments": arguments,
            "source_rows": {t["table"]: t["rows"] for t in loaded["tables"]},
            "expected": expected(folder, spec_path),
            "gold": read_gold(spark, spec["databases"]["gold"]),
        }


def test_jobs_get_the_contract_arguments_and_glue_system_arguments(lake):
    contract = json.loads((REPO / "glue-scripts" / "medallion" / "job_arguments.json").read_text())["jobs"]
    for job in JOBS:
        given = lake["arguments"][job]
        assert {f"--{name}" for name in contract[job]["required"]} <= set(given)
        assert given["--job-bookmark-option"] == "job-bookmark-enable"  # tolerated by the entry scripts
        assert given["--environment"] == "local" and given["--lake_spec"].startswith("file:///")


def test_source_rows_land_in_bronze_unchanged(lake):
    bronze = summaries(lake["dir"] / "bronze", "run1")
    assert {table: s["rows"] for table, s in bronze.items()} == lake["source_rows"]
    assert lake["source_rows"]["sales"] == 3449 + 4 and lake["source_rows"]["listing"] == 3850 + 2


def test_silver_accounts_for_every_bronze_row(lake):
    for s in summaries(lake["dir"] / "silver", "run1").values():
        merged = s["this_run"]["silver_rows"]  # the rows the run inserted or updated
        assert merged + s["quarantined_rows"] + s["duplicates_removed"] == s["bronze_rows"], s
    first = summaries(lake["dir"] / "silver", "run1")
    assert {t: s["bronze_rows"] for t, s in first.items()} == lake["source_rows"]
    quarantined = {t: s["quarantined_rows"] for t, s in first.items() if s["quarantined_rows"]}
    duplicates = {t: s["duplicates_removed"] for t, s in first.items() if s["duplicates_removed"]}
    by_table = {}
    for anomaly in anomalies():
        by_table.setdefault((anomaly["table"], anomaly["outcome"]), 0)
        by_table[anomaly["table"], anomaly["outcome"]] += anomaly["rows"]
    assert quarantined == {"sales": by_table["sales", "quarantined"]} == {"sales": 4}
    assert duplicates == {"listing": by_table["listing", "deduplicated"]} == {"listing": 2}


def test_anomalies_are_quarantined_with_their_reasons(lake, spark):
    rows = lake["silver"]("ecomm", "sales_quarantine").collect()
    reasons = sorted((r["saletime"], r["salesid"] is None, r["_reason"]) for r in rows)
    unparseable = "unparseable saletime as timestamp with format M/d/yyyy HH:mm:ss"
    assert [r for r in reasons if r[2] == unparseable] == sorted(
        (t, False, unparseable) for t in BAD_SALETIMES
    )
    assert [r[1:] for r in reasons if r[2] != unparseable] == [(True, "null primary key salesid")]


def test_tickit_facts_hold_after_silver(lake, spark):
    venue = lake["silver"]("saas", "venue")
    assert venue.where("venuestate = 'FL'").groupBy().sum("venueseats").first()[0] == 250_411
    event = lake["silver"]("saas", "event")
    assert event.select("venueid").distinct().count() == 204
    assert event.count() == 8798


def test_events_with_a_missing_venue_stay_in_event_performance(lake):
    unknown = [r for r in lake["gold"]["event_performance"].values() if r["venuename"] == "Unknown venue"]
    assert len(unknown) == 139 and {r["venueid"] for r in unknown} == {12, 51, 64}
    assert len(lake["gold"]["event_performance"]) == 8798


@pytest.mark.parametrize("model", list(MODEL_KEYS))
def test_gold_equals_the_independent_sql(lake, model):
    key = MODEL_KEYS[model]
    want = {tuple(r[k] for k in key): r for r in lake["expected"][model]}
    got = lake["gold"][model]
    assert sorted(got) == sorted(want), f"{model}: different keys"
    for k, row in want.items():
        actual = got[k]
        assert set(actual) == set(row), f"{model} {k}: columns {sorted(actual)} != {sorted(row)}"
        for column, value in row.items():
            if isinstance(value, float):
                assert actual[column] == pytest.approx(value, rel=1e-12), (model, k, column)
            else:
                assert actual[column] == value, (model, k, column, actual[column], value)
