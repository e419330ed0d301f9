"""The sample's own config matches its sources: every column the local stack declares (its table
catalog, lakes/tickit/catalog.yaml) against the column types the local source tables are created
with (localdb.tables, which `load` creates and `crawl` reads back), through the jobs' own drift check,
so that a default `npm run lake` reports no schema drift."""

import pytest
from localdb.crawl import _mariadb_type
from localdb.spec import lake_spec_for_stack, read_spec, source_tables
from localdb.tables import SCHEMAS, column_type
from medallion.drift import compare_columns


def crawled(server: str, table: str) -> list[dict]:
    """The table's columns as the local crawler writes them to the catalog (GetTable's shape)."""
    types = [(name, column_type(portable, server)) for name, portable in SCHEMAS[table]]
    if server == "mariadb":  # information_schema's spellings, as crawl renames them
        types = [(name, _mariadb_type(t)) for name, t in types]
    return [{"Name": name, "Type": t} for name, t in types]


@pytest.fixture(scope="module")
def local_tables():
    return source_tables(read_spec(lake_spec_for_stack("local")))


def test_every_configured_table_matches_its_local_source(local_tables):
    assert {t.short for t in local_tables} == set(SCHEMAS)
    drifted = {
        t.short: compare_columns([vars(c) for c in t.spec.columns], crawled(t.server, t.short)).as_dict()
        for t in local_tables
    }
    assert {name: d for name, d in drifted.items() if any(d.values())} == {}


def test_the_drift_check_sees_a_mistyped_column():
    # What this rests on: date.holiday declared boolean (as the sample once did) is char(1) at the source.
    configured = [{"name": "holiday", "type": "boolean", "format": None}]
    drift = compare_columns(configured, [c for c in crawled("mariadb", "date") if c["Name"] == "holiday"])
    assert drift.retyped == [{"name": "holiday", "configured": "boolean", "crawled": "char(1)"}]
