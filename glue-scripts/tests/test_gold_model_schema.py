"""schema/gold-model.schema.json, the JSON Schema generated from the zod schema the component checks
gold model declarations with, read here by an independent validator (jsonschema): every TICKIT model
declaration validates, and malformed ones fail at the field that is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "gold-model.schema.json").read_text())
MODELS = sorted((ROOT / "gold-models" / "tickit").glob("*.yaml"))
VALID = {"description": "Tickets per month.", "partitionBy": ["month"], "columns": {"month": "Month"}}


def errors(declaration: object) -> list[str]:
    """Each error as `<path>: <message>`, the path joined with dots (`tests.0.check`)."""
    validator = Draft202012Validator(SCHEMA)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(declaration)]


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_there_are_the_five_tickit_models():
    assert len(MODELS) == 5


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_every_tickit_model_validates(path):
    assert errors(yaml.safe_load(path.read_text())) == []


@pytest.mark.parametrize(
    ("declaration", "field"),
    [
        ({**VALID, "refresh": "sometimes"}, "refresh"),
        ({**VALID, "partitionBy": ["Month"]}, "partitionBy.0"),
        ({**VALID, "columns": {"Month": "Month"}}, "columns"),
        ({**VALID, "tests": [{"check": "between", "column": "month"}]}, "tests.0"),
        ({**VALID, "tests": [{"check": "unique"}]}, "tests.0"),
        ({**VALID, "queries": [{"name": "Q", "description": "x", "sql": "SELECT 1"}]}, "queries.0.name"),
        ({"partitionBy": ["month"], "columns": {"month": "Month"}}, ""),
    ],
)
def test_a_malformed_declaration_fails_at_its_field(declaration, field):
    found = errors(declaration)
    assert found, "the schema accepted a malformed declaration"
    assert any(e.split(": ", 1)[0] == field for e in found), found


def test_an_unknown_field_is_refused_by_name():
    assert any("'partition_by'" in e for e in errors({**VALID, "partition_by": ["month"]}))
