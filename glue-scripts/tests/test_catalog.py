import pytest
from medallion.catalog import catalog_statements, catalog_table_name


def test_table_names_per_layer():
    assert catalog_table_name("ecomm", "sales") == "ecomm_sales"
    assert catalog_table_name(None, "top_buyers") == "top_buyers"


def test_partitioned_table_statements():
    assert catalog_statements(
        "tickit_dev_gold", "sales_by_month", "parquet", "s3://gold-bkt/sales_by_month/", True
    ) == [
        "CREATE TABLE IF NOT EXISTS `tickit_dev_gold`.`sales_by_month` USING parquet "
        "LOCATION 's3://gold-bkt/sales_by_month/'",
        "ALTER TABLE `tickit_dev_gold`.`sales_by_month` RECOVER PARTITIONS",
        "REFRESH TABLE `tickit_dev_gold`.`sales_by_month`",
    ]


def test_unpartitioned_table_statements():
    assert catalog_statements("db", "saas_venue", "parquet", "s3://silver/saas/venue", False) == [
        "CREATE TABLE IF NOT EXISTS `db`.`saas_venue` USING parquet LOCATION 's3://silver/saas/venue/'",
        "REFRESH TABLE `db`.`saas_venue`",
    ]


def test_unknown_format_is_rejected():
    with pytest.raises(ValueError, match="unsupported table format 'csv'"):
        catalog_statements("db", "t", "csv", "s3://x", False)
