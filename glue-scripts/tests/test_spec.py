import json

import pytest
from medallion.spec import Column, Reconcile, SpecError, TableMaintenance, parse_lake_spec
from tickit_spec import spec_dict


def test_parses_the_tables_of_every_source():
    spec = parse_lake_spec(json.dumps(spec_dict()))
    assert [(s.name, t.name) for s, t in spec.tables()] == [
        ("saas", "category"), ("saas", "venue"), ("saas", "event"),
        ("ecomm", "listing"), ("ecomm", "sales"), ("crm", "users"),
    ]  # fmt: skip
    source, sales = spec.find_table("sales")
    assert source.engine == "mysql" and source.connection_name == "tickit-test-ecomm"
    assert sales.primary_key == ("salesid",)
    assert sales.watermark_column == "salesid" and sales.partition_column == "salesid"
    assert sales.columns[-1] == Column("saletime", "timestamp", "M/d/yyyy HH:mm:ss")
    assert spec.databases["gold"] == "tickit_test_gold"


def test_a_tables_delete_guard_share_defaults_to_the_components_for_older_specs():
    raw = spec_dict()
    raw["sources"][0]["tables"][1]["maxDeleteShare"] = 0
    tables = [t for _, t in parse_lake_spec(json.dumps(raw)).tables()]
    assert [t.max_delete_share for t in tables[:3]] == [0.5, 0.0, 0.5]
    assert [t.full_load for t in tables[:3]] == [True, True, False]  # event has a watermark column


def test_reconcile_is_off_unless_given_and_every_run_by_default():
    raw = spec_dict()
    raw["sources"][2]["tables"][0]["reconcile"] = {"compare": "keys"}
    raw["sources"][0]["tables"][2]["reconcile"] = {"compare": "rows", "everyRuns": 3}
    spec = parse_lake_spec(json.dumps(raw))
    assert spec.find_table("users")[1].reconcile == Reconcile("keys", 1)
    assert spec.find_table("event")[1].reconcile == Reconcile("rows", 3)
    assert spec.find_table("sales")[1].reconcile is None


def test_find_table_rejects_missing_and_ambiguous_names():
    raw = spec_dict()
    raw["sources"][2]["tables"][0]["name"] = "sales"  # crm.users now also called sales
    spec = parse_lake_spec(json.dumps(raw))
    with pytest.raises(
        SpecError, match=r"'sales' must be configured in exactly one source, found in ecomm.sales, crm"
    ):
        spec.find_table("sales")
    with pytest.raises(SpecError, match="found in no source"):
        spec.find_table("date")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r["sources"][1].update(engine="oracle"), r"sources\[1\].engine: expected one of postgres"),
        (lambda r: r["sources"][0]["tables"][1]["columns"][4].update(type="integer"),
         r"sources\[0\].tables\[1\].columns\[4\].type: unknown type 'integer'"),
        (lambda r: r["sources"][1]["tables"][1].update(primaryKey=["sale_id"]),
         r"sources\[1\].tables\[1\]: primary_key 'sale_id' is not among the declared columns"),
        (lambda r: r["sources"][0].pop("connectionName"),
         r"sources\[0\].connectionName: expected a non-empty string, got None"),
        (lambda r: r["databases"].pop("gold"), r"databases.gold: expected a non-empty string, got None"),
        (lambda r: r["sources"][0]["tables"][0].update(maxDeleteShare=1.5),
         r"sources\[0\].tables\[0\].maxDeleteShare: expected a number in \[0, 1\], got 1.5"),
        (lambda r: r["sources"][0]["tables"][0].update(maxDeleteShare=True),
         r"sources\[0\].tables\[0\].maxDeleteShare: expected a number in \[0, 1\], got True"),
        (lambda r: r["sources"][0]["tables"][0].update(reconcile={"compare": "keys", "everyRuns": 1}),
         r"sources\[0\].tables\[0\].reconcile: needs a watermarkColumn"),
        (lambda r: r["sources"][2]["tables"][0].update(reconcile={"compare": "keys"}, primaryKey=[]),
         r"sources\[2\].tables\[0\].reconcile: needs a primaryKey"),
        (lambda r: r["sources"][2]["tables"][0].update(reconcile={"compare": "hash"}),
         r"sources\[2\].tables\[0\].reconcile.compare: expected keys or rows, got 'hash'"),
        (lambda r: r["sources"][2]["tables"][0].update(reconcile={"compare": "keys", "everyRuns": 0}),
         r"sources\[2\].tables\[0\].reconcile.everyRuns: expected an integer >= 1, got 0"),
        (lambda r: r["sources"][2]["tables"][0].update(reconcile="keys"),
         r"sources\[2\].tables\[0\].reconcile: expected \{compare, everyRuns\}, got 'keys'"),
    ],
)  # fmt: skip
def test_malformed_specs_name_the_offending_path(mutate, message):
    raw = spec_dict()
    mutate(raw)
    with pytest.raises(SpecError, match=message):
        parse_lake_spec(json.dumps(raw))


def test_decimal_types_are_normalised_and_bounded():
    raw = spec_dict()
    raw["sources"][1]["tables"][1]["columns"][7]["type"] = "decimal(10, 3)"
    _, sales = parse_lake_spec(json.dumps(raw)).find_table("sales")
    assert sales.columns[7].type == "decimal(10,3)"
    raw["sources"][1]["tables"][1]["columns"][7]["type"] = "decimal(2,3)"
    with pytest.raises(SpecError, match="unknown type 'decimal"):
        parse_lake_spec(json.dumps(raw))


def test_untyped_tables_may_leave_keys_and_columns_empty():
    raw = spec_dict()
    raw["sources"][0]["tables"][0].update(primaryKey=[], columns=[], watermarkColumn=None)
    _, category = parse_lake_spec(json.dumps(raw)).find_table("category")
    assert category.columns == () and category.primary_key == ()


def test_not_json_is_reported():
    with pytest.raises(SpecError, match="not valid JSON"):
        parse_lake_spec("{sources:")
    with pytest.raises(SpecError, match="^lake spec: expected an object$"):
        parse_lake_spec("[]")


def test_table_maintenance_defaults_when_absent_and_takes_every_key():
    assert parse_lake_spec(json.dumps(spec_dict())).table_maintenance == TableMaintenance()
    raw = {
        "snapshotRetentionDays": 7,
        "snapshotsToKeep": 2,
        "orphanFileRetentionDays": 4,
        "compactionMinInputFiles": 3,
        "compactionSmallFileMiB": 0.5,
        "compactionDeleteRatio": 1,
    }
    parsed = parse_lake_spec(json.dumps({**spec_dict(), "tableMaintenance": raw})).table_maintenance
    assert parsed == TableMaintenance(7, 2, 4, 3, 0.5, 1)


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"snapshotsToKeep": 1.5}, "tableMaintenance.snapshotsToKeep: expected an integer >= 1, got 1.5"),
        ({"compactionMinInputFiles": True}, "compactionMinInputFiles: expected an integer >= 2, got True"),
        ({"compactionSmallFileMiB": 0}, r"compactionSmallFileMiB: expected a number in \(0, 384\], got 0"),
        ({"compactionDeleteRatio": 1.2}, r"compactionDeleteRatio: expected a number in \(0, 1\], got 1.2"),
        ({"compactionDeleteRatio": "0.3"}, "compactionDeleteRatio: expected a number in"),
        ({"compactionRatio": 0.3}, "tableMaintenance: unknown key"),
    ],
)
def test_bad_table_maintenance_values_name_the_key(raw, message):
    with pytest.raises(SpecError, match=message):
        parse_lake_spec(json.dumps({**spec_dict(), "tableMaintenance": raw}))
