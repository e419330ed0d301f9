"""Classifications carried into gold by the column lineage of the models' SQL (medallion.lineage): on
the TICKIT models of the local stack as the component builds them, and on models written here for
joins, CTEs, aggregates, CASE, window functions, UNION, `SELECT *`, declassify and refusals."""

import json
import sys
import tempfile
from pathlib import Path

import pytest
from medallion.lineage import classify_model, classify_models, strictest
from medallion.models import Model, ModelError, build_order
from medallion.spec import parse_lake_spec
from tickit_spec import REPO

SILVER_METADATA = ("_ingested_at", "_batch_id", "_source")

USERS = ("userid", "username", "firstname", "lastname", "email", "phone", "likesports")
SALES = ("salesid", "buyerid", "sellerid", "qtysold", "pricepaid", "commission", "saletime")
SCHEMA = {"crm_users": USERS, "ecomm_sales": SALES, "saas_event": ("eventid", "eventname")}
CLASSIFIED = {
    "crm_users": {c: "pii" for c in ("username", "firstname", "lastname", "email", "phone")},
    "ecomm_sales": {"commission": "sensitive"},
}


def _model(name, columns, declassify=None):
    return Model(name=name, file=f"{name}.sql", description=name, partition_by=(),
                 columns=tuple((c, c) for c in columns), tests=(),
                 declassify=tuple(sorted((declassify or {}).items())))  # fmt: skip


def _classify(sql, columns, declassify=None):
    return classify_model(_model("m", columns, declassify), sql, SCHEMA, CLASSIFIED)


@pytest.fixture(scope="module")
def tickit():
    """The local stack's lake spec as the component builds it (ts-node, once), and the models' SQL."""
    sys.path.insert(0, str(REPO / "local-lake"))
    from localdb.spec import lake_spec_for_stack

    with tempfile.TemporaryDirectory() as folder:
        raw = lake_spec_for_stack("local", spec_file=Path(folder) / "lake-spec.json")
        sql = {m["name"]: (Path(folder) / m["file"]).read_text() for m in raw["gold"]["models"]}
    return parse_lake_spec(json.dumps(raw)), sql


def test_the_tickit_models_carry_the_users_personal_columns_and_the_commission(tickit):
    spec, sql = tickit
    # The silver tables' columns as the silver job writes them: declared, date parts, metadata.
    schema = {
        name: [c.name for c in t.columns]
        + (["year", "month"] if t.date_column else [])
        + list(SILVER_METADATA)
        for name, (_, t) in spec.silver_tables().items()
    }
    order = [m for m, _ in build_order(spec.gold_models, sql, spec.silver_tables())]
    found = classify_models(order, sql, schema, spec.silver_classifications())
    person = {c: "pii" for c in ("username", "firstname", "lastname", "city", "state")}
    assert found == {
        "top_buyers": person,
        "top_sellers": person,
        "sales_by_category": {"commission": "sensitive"},
        "sales_by_month": {"commission": "sensitive"},
        "event_performance": {},
    }


def test_a_join_through_ctes_and_subqueries_carries_the_joined_columns():
    sql = """
        WITH buyers AS (SELECT buyerid, SUM(pricepaid) AS spent FROM ecomm_sales GROUP BY buyerid),
             named AS (SELECT b.buyerid, b.spent, u.email AS contact
                       FROM buyers b JOIN crm_users u ON b.buyerid = u.userid)
        SELECT n.buyerid, n.spent, x.contact
        FROM named n JOIN (SELECT buyerid, contact FROM named) x ON n.buyerid = x.buyerid
    """
    assert _classify(sql, ["buyerid", "spent", "contact"]) == {"contact": "pii"}


def test_aggregates_case_and_window_functions_derive_from_their_arguments():
    sql = """
        SELECT
            COUNT(DISTINCT email) AS distinct_emails,
            COUNT(*) AS users,
            MAX(CASE WHEN phone IS NULL THEN 0 ELSE 1 END) AS any_phone,
            ROW_NUMBER() OVER (PARTITION BY lastname ORDER BY userid) AS rank_in_family,
            MAX(likesports) AS likes
        FROM crm_users
        GROUP BY lastname, userid
    """
    assert _classify(sql, ["distinct_emails", "users", "any_phone", "rank_in_family", "likes"]) == {
        "distinct_emails": "pii",
        "any_phone": "pii",
        "rank_in_family": "pii",
    }


def test_filters_joins_and_groupings_alone_do_not_classify_a_value():
    sql = (
        "SELECT COUNT(*) AS n, SUM(qtysold) AS tickets FROM ecomm_sales s JOIN crm_users u "
        "ON s.buyerid = u.userid WHERE u.email LIKE '%@example.com' GROUP BY u.lastname"
    )
    assert _classify(sql, ["n", "tickets"]) == {}


def test_a_column_computed_from_pii_and_sensitive_columns_is_pii():
    sql = (
        "SELECT concat(u.email, CAST(s.commission AS STRING)) AS mixed, s.commission "
        "FROM ecomm_sales s JOIN crm_users u ON s.buyerid = u.userid"
    )
    assert _classify(sql, ["mixed", "commission"]) == {"mixed": "pii", "commission": "sensitive"}
    assert strictest(["sensitive", "pii"]) == "pii" and strictest([]) is None


def test_union_branches_each_carry_their_classification():
    sql = "SELECT eventname AS label FROM saas_event UNION ALL SELECT lastname AS label FROM crm_users"
    assert _classify(sql, ["label"]) == {"label": "pii"}


def test_select_star_over_a_declared_table_is_expanded_and_classified():
    assert _classify("SELECT * FROM crm_users", USERS) == {
        c: "pii" for c in ("username", "firstname", "lastname", "email", "phone")
    }


def test_select_star_over_a_table_whose_columns_are_not_known_is_refused_when_it_reads_a_classified_one():
    # raw_notes is an untyped silver table: its columns are not declared, so not in the schema.
    sql = "SELECT * FROM crm_users u JOIN raw_notes r ON u.userid = r.userid"
    with pytest.raises(
        ModelError, match=r"gold model 'm'.*cannot be resolved.*\* over raw_notes.*crm_users\.email"
    ):
        _classify(sql, ["userid"])
    # Without a classified input nothing is at stake: not refused.
    assert _classify("SELECT * FROM raw_notes", ["note"]) == {}


def test_an_unresolvable_column_is_refused_naming_the_model_and_the_classified_columns():
    sql = "SELECT email, note FROM crm_users u JOIN raw_notes r ON u.userid = r.userid"
    with pytest.raises(
        ModelError, match=r"gold model 'm'.*Column 'note' could not be resolved.*crm_users\.email"
    ):
        _classify(sql, ["email", "note"])


def test_declassify_removes_a_classification_and_must_name_a_classified_column():
    sql = "SELECT lastname, COUNT(DISTINCT email) AS buyer_count FROM crm_users GROUP BY lastname"
    assert _classify(sql, ["lastname", "buyer_count"], {"buyer_count": "aggregate count"}) == {
        "lastname": "pii"
    }
    with pytest.raises(ModelError, match=r"declassify names likes, computed from no classified column"):
        _classify(
            "SELECT email, likesports AS likes FROM crm_users", ["email", "likes"], {"likes": "not personal"}
        )
    with pytest.raises(ModelError, match=r"declassify names n, but the model reads no classified column"):
        _classify("SELECT COUNT(*) AS n FROM saas_event", ["n"], {"n": "aggregate count"})


def test_a_model_reading_a_model_takes_its_classifications():
    first = _model("buyers", ["buyerid", "name"])
    second = _model("shout", ["loud", "buyerid"])
    sql = {"buyers": "SELECT userid AS buyerid, firstname AS name FROM crm_users",
           "shout": "SELECT upper(name) AS loud, buyerid FROM buyers"}  # fmt: skip
    assert classify_models([first, second], sql, SCHEMA, CLASSIFIED) == {
        "buyers": {"name": "pii"},
        "shout": {"loud": "pii"},
    }
