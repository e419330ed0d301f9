"""The classification LF-tag the silver and gold jobs set in Lake Formation mode
(medallion/lake_formation.py), against moto's Lake Formation and Glue servers."""

from __future__ import annotations

import boto3
import pytest
from medallion import lake_formation

KEY = "shop-test-classification"


@pytest.fixture()
def lf(moto_endpoint, glue):
    client = boto3.client(
        "lakeformation",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    try:
        client.create_lf_tag(TagKey=KEY, TagValues=["unclassified", "pii", "sensitive"])
    except client.exceptions.ClientError:
        pass  # declared by an earlier test on the same server
    glue.create_table(
        DatabaseName=glue.database,
        TableInput={
            "Name": "crm_users",
            "StorageDescriptor": {
                "Columns": [
                    {"Name": "userid", "Type": "int"},
                    {"Name": "email", "Type": "string"},
                    {"Name": "commission", "Type": "double"},
                ]
            },
            "PartitionKeys": [{"Name": "year", "Type": "int"}],
        },
    )
    return client


def column_tags(client, database: str) -> dict[str, list[str]]:
    tags = client.get_resource_lf_tags(
        Resource={
            "TableWithColumns": {
                "DatabaseName": database,
                "Name": "crm_users",
                "ColumnNames": ["userid", "email", "commission", "year"],
            }
        }
    )
    return {
        c["Name"]: [v for t in c["LFTags"] if t["TagKey"] == KEY for v in t["TagValues"]]
        for c in tags.get("LFTagsOnColumns", [])
    }


def test_assignments_give_every_column_a_value():
    assert lake_formation.tag_assignments(
        ["userid", "Email", "commission"], {"email": "pii", "commission": "sensitive"}
    ) == {
        "unclassified": ["userid"],
        "pii": ["Email"],
        "sensitive": ["commission"],
    }


def test_tags_classified_columns_and_the_table(lf, glue):
    lake_formation.tag_table(
        lf,
        glue.database,
        "crm_users",
        ["userid", "email", "commission", "year"],
        {"email": "pii", "commission": "sensitive"},
        KEY,
    )
    assert column_tags(lf, glue.database) == {
        "userid": ["unclassified"],
        "email": ["pii"],
        "commission": ["sensitive"],
        "year": ["unclassified"],
    }
    table = lf.get_resource_lf_tags(Resource={"Table": {"DatabaseName": glue.database, "Name": "crm_users"}})
    assert [t["TagValues"] for t in table["LFTagsOnTable"] if t["TagKey"] == KEY] == [["unclassified"]]


def test_a_declassified_column_goes_back_to_unclassified(lf, glue):
    lake_formation.tag_table(
        lf, glue.database, "crm_users", ["userid", "email", "commission", "year"], {"email": "pii"}, KEY
    )
    lake_formation.tag_table(
        lf, glue.database, "crm_users", ["userid", "email", "commission", "year"], {}, KEY
    )
    assert set(v for values in column_tags(lf, glue.database).values() for v in values) == {"unclassified"}


def test_a_refused_tag_fails_the_job_naming_the_table(lf, glue):
    with pytest.raises(lake_formation.LakeFormationError, match=rf"{glue.database}\.crm_users"):
        lake_formation.tag_table(lf, glue.database, "crm_users", ["userid"], {}, "no-such-tag-key")
