"""The spec the component really produces (lakeSpec() over the committed stacks) parses here, with the
tables, keys and formats that the stack config declares, and stays within the generated JSON Schema
of the lake spec (schema/lake-spec.schema.json)."""

import json
import subprocess
from pathlib import Path

import pytest
from medallion.spec import Column, parse_lake_spec

REPO = Path(__file__).resolve().parents[2]
STACKS = ("dev", "prod", "local")
SCRIPT = f"""
import {{ loadLakeStack }} from "./local-lake/lib/config";
const root = {json.dumps(str(REPO))};
const specs = Object.fromEntries({list(STACKS)!r}.map((env) => [env, loadLakeStack(env, root).spec]));
process.stdout.write(JSON.stringify(specs));
"""


@pytest.fixture(scope="module")
def emitted() -> dict[str, dict]:
    """The lake spec of each committed stack, as lakeSpec() emits it (one ts-node run)."""
    done = subprocess.run(
        ["npx", "--no-install", "ts-node", "-T", "-e", SCRIPT], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_spec_parses(emitted, stack):
    spec = parse_lake_spec(json.dumps(emitted[stack]))
    assert spec.environment == stack and spec.lake == "tickit"
    assert len(spec.tables()) == sum(len(s["tables"]) for s in emitted[stack]["sources"])


@pytest.mark.parametrize("stack", STACKS)
def test_every_field_emitted_is_declared_in_the_generated_schema(emitted, stack):
    """A field lakeSpec() writes that the JSON Schema lacks would be a contract nobody documented."""
    schema = json.loads((REPO / "schema" / "lake-spec.schema.json").read_text())

    def undeclared(value, node, at):
        if isinstance(value, dict):
            props = node.get("properties", {})
            found = [f"{at}.{k}" for k in value if k not in props]
            for key, child in value.items():
                if key in props:
                    found += undeclared(child, _object_branch(props[key]), f"{at}.{key}")
            return found + [f"{at}.{k} (required)" for k in node.get("required", []) if k not in value]
        if isinstance(value, list) and "items" in node:
            return [
                p
                for i, v in enumerate(value)
                for p in undeclared(v, _object_branch(node["items"]), f"{at}[{i}]")
            ]
        return []

    assert undeclared(emitted[stack], schema, "spec") == []


def _object_branch(node: dict) -> dict:
    """The object alternative of an `anyOf` (nullable objects), else the node itself."""
    for branch in node.get("anyOf", []):
        if branch.get("type") in ("object", "array"):
            return branch
    return node


def test_the_component_lake_spec_of_the_dev_stack_parses(emitted):
    spec = parse_lake_spec(json.dumps(emitted["dev"]))
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
    assert Column("holiday", "string", None) in date.columns and date.date_column == "caldate"
    assert set(spec.databases) == {"source", "bronze", "silver", "gold"}
    assert spec.metrics_namespace == "MedallionLake/tickit"  # the namespace the job roles may put metrics in
    assert emitted["dev"]["lake"] == spec.lake == "tickit"
