"""The local Trino's access rules from the catalog (localdb.trino_rules), pure: the job role first and
unrestricted, masks only on classified columns of Iceberg tables, bronze and source tables denied."""

from localdb import trino_rules


def _table(database, name, columns, iceberg=True, partition_keys=()):
    return {
        "DatabaseName": database,
        "Name": name,
        "Parameters": {"table_type": "ICEBERG"} if iceberg else {"classification": "avro"},
        "StorageDescriptor": {"Columns": [{"Name": c, "Parameters": p} for c, p in columns.items()]},
        "PartitionKeys": [{"Name": c, "Parameters": p} for c, p in partition_keys],
    }


def test_classified_columns_are_masked_for_everyone_but_the_job_role():
    tables = [
        _table(
            "lake_gold",
            "top_buyers",
            {"buyerid": {}, "username": {"classification": "pii"}},
            partition_keys=[("year", {})],
        ),  # fmt: skip
        _table("lake_silver", "crm_users", {"email": {"classification": "pii", "iceberg.field.id": "3"}}),
        _table("lake_silver", "saas_event", {"eventid": {"iceberg.field.id": "1"}}),
        _table("lake_bronze", "crm_users", {"email": {}}, iceberg=False),
    ]
    assert trino_rules.rules(tables) == {
        "tables": [
            {"user": "lake\\-job", "privileges": ["SELECT"]},
            {"schema": "lake_bronze", "table": "crm_users", "privileges": []},
            {"schema": "lake_gold", "table": "top_buyers", "privileges": ["SELECT"],
             "columns": [{"name": "username", "mask": "NULL"}]},
            {"schema": "lake_silver", "table": "crm_users", "privileges": ["SELECT"],
             "columns": [{"name": "email", "mask": "NULL"}]},
            {"privileges": ["SELECT"]},
        ]
    }  # fmt: skip


def test_the_access_control_file_points_at_the_rules_and_refreshes_them(tmp_path):
    text = trino_rules.access_control_properties(tmp_path)
    settings = dict(line.split("=", 1) for line in text.splitlines())
    assert settings == {
        "access-control.name": "file",
        "security.config-file": str(tmp_path / "rules.json"),
        "security.refresh-period": "1s",
    }
