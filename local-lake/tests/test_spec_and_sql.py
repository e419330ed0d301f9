"""Pure parts: mapping the lake spec to local servers, datetime patterns, the silver-rule views, the CLI."""

import re

import pytest
from localdb.__main__ import redacted
from localdb.errors import LocalDbError
from localdb.spec import find, read_spec, source_tables
from localdb.verify import clean_view_sql, translate_pattern


def table(name, source_table, columns, primary_key=()):
    return {"name": name, "sourceTable": source_table, "catalogTable": f"c_{name}",
            "primaryKey": list(primary_key), "watermarkColumn": None, "partitionColumn": None,
            "dateColumn": None,
            "columns": [{"name": n, "type": t, "format": f} for n, t, f in columns]}  # fmt: skip


def spec(*sources):
    """A lake spec as the component writes it, parsed by read_spec (medallion.spec's parser)."""
    layers = ("source", "bronze", "silver", "gold")
    return read_spec({"lake": "t", "environment": "local", "databases": {x: f"t_local_{x}" for x in layers},
                      "sources": [{"name": n, "engine": e, "database": "tickit", "connectionName": n,
                                   "tables": t} for n, e, t in sources]})  # fmt: skip


SALES = table("sales", "sales", [("salesid", "int", None), ("saletime", "timestamp", "M/d/yyyy HH:mm:ss")],
              primary_key=["salesid"])  # fmt: skip


def test_engines_map_to_servers_and_sql_server_is_stood_in_by_postgres():
    tables = source_tables(spec(("saas", "postgres", [table("venue", "saas.venue", [])]),
                                ("ecomm", "mysql", [SALES]),
                                ("crm", "sqlserver", [table("users", "users", [])])))  # fmt: skip
    mapped = {(t.source, t.server, t.schema, t.table) for t in tables}
    assert mapped == {("saas", "postgres", "saas", "venue"), ("ecomm", "mariadb", None, "sales"),
                      ("crm", "postgres", "public", "users")}  # fmt: skip
    assert find(tables, "sales").source == "ecomm"


def test_an_unknown_table_is_an_error_naming_source_and_table():
    with pytest.raises(
        LocalDbError, match=r"source saas table saas.orders: no local rows for table 'orders'"
    ):
        source_tables(spec(("saas", "postgres", [table("orders", "saas.orders", [])])))


def test_an_invalid_spec_is_refused_by_the_jobs_parser_naming_the_path(tmp_path):
    engines = "expected one of postgres, mysql, sqlserver"
    with pytest.raises(LocalDbError, match=rf"lake spec: sources\[0\]\.engine: {engines}"):
        spec(("x", "oracle", [SALES]))
    broken = tmp_path / "spec.json"
    broken.write_text('{"lake": "t"}')
    with pytest.raises(LocalDbError, match=rf"{re.escape(str(broken))}: databases: expected a dict"):
        read_spec(broken)


def test_a_table_configured_twice_cannot_be_found_by_short_name():
    tables = source_tables(spec(("a", "mysql", [SALES]), ("b", "postgres", [SALES])))
    with pytest.raises(LocalDbError, match=r"found in a.sales, b.sales"):
        find(tables, "sales")


def test_spark_patterns_translate_to_postgres_formats_and_strict_regexes():
    pg, regex = translate_pattern("M/d/yyyy HH:mm:ss")
    assert pg == "FMMM/FMDD/YYYY HH24:MI:SS"
    for good in ("2/18/2008 02:36:48", "12/31/2008 23:59:59", "02/01/2008 00:00:00"):
        assert re.fullmatch(regex, good), good
    for bad in ("not a timestamp", "2008-02-18T02:36:48", "N/A", "13/1/2008 00:00:00", "2/18/2008 24:00:00"):
        assert not re.fullmatch(regex, bad), bad
    assert translate_pattern("yyyy-MM-dd") == (
        "YYYY-MM-DD",
        r"^\d{4}\-(0[1-9]|1[0-2])\-(0[1-9]|[12]\d|3[01])$",
    )
    with pytest.raises(LocalDbError, match="unsupported letter 'h' in datetime pattern 'hh:mm a'"):
        translate_pattern("hh:mm a")


def test_the_clean_view_keeps_valid_rows_once_per_key():
    [sales] = source_tables(spec(("ecomm", "mysql", [SALES])))
    view = clean_view_sql(sales)
    assert view.startswith('SELECT DISTINCT ON ("salesid")')
    assert "to_timestamp(nullif(btrim(\"saletime\"), ''), 'FMMM/FMDD/YYYY HH24:MI:SS')" in view
    assert "nullif(btrim(\"salesid\"::text), '') IS NOT NULL" in view  # null keys are left out
    assert 'FROM verify."sales_raw"' in view


def test_printed_output_never_carries_passwords():
    shown = redacted(
        {"postgres": {"port": 5, "password": "s3cret"}, "mariadb": {"password": "x", "user": "u"}}
    )
    assert "s3cret" not in repr(shown) and "'x'" not in repr(shown)
    assert shown["postgres"]["port"] == 5 and shown["mariadb"]["user"] == "u"
