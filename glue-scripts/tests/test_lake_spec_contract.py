"""The spec the component really produces (lakeSpec() over Pulumi.dev.yaml) parses here, with the
tables, keys and formats that the stack config declares."""

import json
import subprocess
from pathlib import Path

from medallion.spec import Column, parse_lake_spec

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import * as fs from "fs";
import * as YAML from "yaml";
import { lakeSpec, parseLakeConfig } from "./components/medallion-lake";
const raw = YAML.parse(fs.readFileSync("Pulumi.dev.yaml", "utf8")).config["medallion-lake:lake"];
process.stdout.write(JSON.stringify(lakeSpec(parseLakeConfig(raw), "dev")));
"""


def test_the_component_lake_spec_of_the_dev_stack_parses():
    done = subprocess.run(
        ["npx", "--no-install", "ts-node", "-T", "-e", SCRIPT], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    spec = parse_lake_spec(done.stdout)
    assert spec.environment == "dev"
    assert [(s.name, s.engine, t.source_table) for s, t in spec.tables()] == [
        ("saas", "postgres", "saas.category"), ("saas", "postgres", "saas.venue"),
        ("saas", "postgres", "saas.event"), ("ecomm", "mysql", "date"), ("ecomm", "mysql", "listing"),
        ("ecomm", "mysql", "sales"), ("crm", "sqlserver", "crm.users"),
    ]  # fmt: skip
    _, sales = spec.find_table("sales")
    assert (sales.primary_key, sales.watermark_column, sales.partition_column, sales.date_column) == (
        ("salesid",), "salesid", "salesid", "saletime"
    )  # fmt: skip
    assert Column("saletime", "timestamp", "M/d/yyyy HH:mm:ss") in sales.columns
    assert Column("pricepaid", "decimal(8,2)", None) in sales.columns
    _, date = spec.find_table("date")
    assert Column("holiday", "boolean", None) in date.columns and date.date_column == "caldate"
    assert set(spec.databases) == {"source", "bronze", "silver", "gold"}
    assert spec.metrics_namespace == "MedallionLake/tickit"  # the namespace the job roles may put metrics in
    assert json.loads(done.stdout)["lake"] == spec.lake == "tickit"
