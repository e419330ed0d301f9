"""Catalog registration: the table definitions sent to the Glue API (checked against moto's server,
which validates them as the Glue API does), schema evolution, idempotent partitions."""

import json

import pytest
from medallion import catalog
from pyspark.sql import types as T

SALES = T.StructType(
    [
        T.StructField("salesid", T.IntegerType()),
        T.StructField("pricepaid", T.DecimalType(8, 2)),
        T.StructField("saletime", T.TimestampType()),
        T.StructField("tags", T.ArrayType(T.StringType())),
        T.StructField("year", T.IntegerType()),
        T.StructField("month", T.IntegerType()),
    ]
)
# What Spark's Avro writer derives for a nullable int and a decimal(8,2) column.
WRITER_SCHEMA = {
    "type": "record",
    "name": "topLevelRecord",
    "fields": [
        {"name": "salesid", "type": ["int", "null"]},
        {
            "name": "pricepaid",
            "type": [
                {
                    "type": "fixed",
                    "name": "fixed",
                    "size": 4,
                    "logicalType": "decimal",
                    "precision": 8,
                    "scale": 2,
                },
                "null",
            ],
        },
        {"name": "_ingested_at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    ],
}


def test_table_names_per_layer():
    assert catalog.catalog_table_name("ecomm", "sales") == "ecomm_sales"
    assert catalog.catalog_table_name(None, "top_buyers") == "top_buyers"


def test_glue_types_are_the_hive_names():
    assert [catalog.glue_type(f.dataType) for f in SALES.fields] == [
        "int",
        "decimal(8,2)",
        "timestamp",
        "array<string>",
        "int",
        "int",
    ]
    nested = T.StructType(
        [T.StructField("a", T.ShortType()), T.StructField("m", T.MapType(T.StringType(), T.LongType()))]
    )
    assert catalog.glue_type(nested) == "struct<a:smallint,m:map<string,bigint>>"


def test_parquet_table_definition_has_columns_serde_formats_and_partition_keys(glue):
    table = catalog.table_input(
        "sales_by_month", SALES, "parquet", "s3://gold-bkt/sales_by_month", ["year", "month"]
    )
    assert catalog.register(glue, glue.database, table) == {"table": "created", "partitions_added": 0}
    stored = glue.get_table(DatabaseName=glue.database, Name="sales_by_month")["Table"]
    storage = stored["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == [
        ("salesid", "int"),
        ("pricepaid", "decimal(8,2)"),
        ("saletime", "timestamp"),
        ("tags", "array<string>"),
    ]
    assert [(k["Name"], k["Type"]) for k in stored["PartitionKeys"]] == [("year", "int"), ("month", "int")]
    assert storage["Location"] == "s3://gold-bkt/sales_by_month/"
    assert (
        storage["SerdeInfo"]["SerializationLibrary"]
        == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    )
    assert storage["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert stored["TableType"] == "EXTERNAL_TABLE"
    assert stored["Parameters"]["classification"] == "parquet"


def test_avro_table_carries_its_reader_schema(glue):
    schema = T.StructType(
        [T.StructField("salesid", T.IntegerType()), T.StructField("pricepaid", T.DecimalType(8, 2))]
        + [T.StructField("_ingested_at", T.TimestampType(), False)]
        + [T.StructField("ingest_date", T.DateType()), T.StructField("batch_id", T.StringType())]
    )
    literal = catalog.avro_reader_schema(json.dumps(WRITER_SCHEMA))
    table = catalog.table_input(
        "ecomm_sales", schema, "avro", "s3://bronze/ecomm/sales/", ["ingest_date", "batch_id"], literal
    )
    catalog.register(glue, glue.database, table, [["2026-12-01", "b1"]])
    stored = glue.get_table(DatabaseName=glue.database, Name="ecomm_sales")["Table"]
    storage = stored["StorageDescriptor"]
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.avro.AvroSerDe"
    assert storage["InputFormat"] == "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat"
    assert stored["Parameters"]["classification"] == "avro"
    assert json.loads(stored["Parameters"]["avro.schema.literal"]) == json.loads(literal)
    assert json.loads(storage["SerdeInfo"]["Parameters"]["avro.schema.literal"]) == json.loads(literal)
    assert [(k["Name"], k["Type"]) for k in stored["PartitionKeys"]] == [
        ("ingest_date", "date"),
        ("batch_id", "string"),
    ]


def test_avro_reader_schema_gives_nullable_fields_a_null_default_and_keeps_logical_types():
    reader = json.loads(catalog.avro_reader_schema(WRITER_SCHEMA))
    salesid, pricepaid, ingested = reader["fields"]
    assert salesid == {"name": "salesid", "type": ["null", "int"], "default": None}
    assert pricepaid["type"][0] == "null" and pricepaid["default"] is None
    assert pricepaid["type"][1]["logicalType"] == "decimal" and pricepaid["type"][1]["precision"] == 8
    # Not nullable: no default, unchanged.
    assert ingested == WRITER_SCHEMA["fields"][2]


def test_athena_avro_schema_writes_decimals_as_bytes_and_timestamps_in_milliseconds():
    written = json.loads(catalog.athena_avro_schema(json.dumps(WRITER_SCHEMA)))
    assert written["fields"][0] == WRITER_SCHEMA["fields"][0]
    assert written["fields"][1]["type"] == [
        {"type": "bytes", "logicalType": "decimal", "precision": 8, "scale": 2},
        "null",
    ]
    assert written["fields"][2]["type"] == {"type": "long", "logicalType": "timestamp-millis"}


def test_avro_table_without_schema_is_rejected():
    with pytest.raises(catalog.CatalogError, match="Avro table needs the files' Avro schema"):
        catalog.table_input("t", SALES, "avro", "s3://x/t")


def test_unknown_format_and_partition_column_are_rejected():
    with pytest.raises(catalog.CatalogError, match="unsupported format 'csv'"):
        catalog.table_input("t", SALES, "csv", "s3://x/t")
    with pytest.raises(
        catalog.CatalogError, match=r"partition columns \['day'\] are not in the written schema"
    ):
        catalog.table_input("t", SALES, "parquet", "s3://x/t", ["day"])


def test_second_registration_of_the_same_table_changes_nothing(glue):
    table = catalog.table_input("t", SALES, "parquet", "s3://x/t", ["year", "month"])
    catalog.register(glue, glue.database, table, [["2008", "1"]])
    assert catalog.register(glue, glue.database, table, [["2008", "1"]]) == {
        "table": "unchanged",
        "partitions_added": 0,
    }
    versions = glue.get_table_versions(DatabaseName=glue.database, TableName="t")["TableVersions"]
    assert len(versions) == 1


def test_a_new_column_updates_the_table(glue):
    old = T.StructType(SALES.fields[:2])
    catalog.register(glue, glue.database, catalog.table_input("t", old, "parquet", "s3://x/t"))
    evolved = T.StructType([*old.fields, T.StructField("note", T.StringType())])
    assert (
        catalog.register(glue, glue.database, catalog.table_input("t", evolved, "parquet", "s3://x/t"))[
            "table"
        ]
        == "updated"
    )
    columns = glue.get_table(DatabaseName=glue.database, Name="t")["Table"]["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == ["salesid", "pricepaid", "note"]


def test_changed_partition_keys_are_refused(glue):
    catalog.register(glue, glue.database, catalog.table_input("t", SALES, "parquet", "s3://x/t", ["year"]))
    with pytest.raises(
        catalog.CatalogError, match=r"partition keys changed from \['year'\] to \['year', 'month'\]"
    ):
        catalog.register(
            glue, glue.database, catalog.table_input("t", SALES, "parquet", "s3://x/t", ["year", "month"])
        )


def test_only_missing_partitions_are_created_with_their_own_locations(glue):
    table = catalog.table_input("t", SALES, "parquet", "s3://x/t/", ["year", "month"])
    first = [[str(2008), str(m)] for m in range(1, 13)] + [["2009", str(m)] for m in range(1, 120)]
    assert (
        catalog.register(glue, glue.database, table, first)["partitions_added"] == 131
    )  # two BatchCreatePartition calls
    assert catalog.register(glue, glue.database, table, [*first, ["2010", "1"]])["partitions_added"] == 1
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=glue.database, TableName="t")
    partitions = [p for page in pages for p in page["Partitions"]]
    assert len(partitions) == 132
    by_values = {tuple(p["Values"]): p for p in partitions}
    assert by_values[("2010", "1")]["StorageDescriptor"]["Location"] == "s3://x/t/year=2010/month=1/"


def test_a_missing_database_is_an_error_naming_it(glue):
    table = catalog.table_input("t", SALES, "parquet", "s3://x/t")
    with pytest.raises(Exception, match="nosuchdb"):
        catalog.register(glue, "nosuchdb", table)
