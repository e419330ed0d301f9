"""Glue Data Catalog registration of what the jobs write, through the Glue API (boto3), the same on
AWS Glue and locally (where `AWS_ENDPOINT_URL_GLUE` points boto3 at the local catalog server).

The table definitions are what Athena needs to read the files: explicit columns, the Hive SerDe and
input/output formats of the format, `classification`, the location and partition keys, and for Avro
the writer's schema in `avro.schema.literal` (without it Athena/Trino cannot resolve Avro `fixed`
decimals or timestamp logical types). References:
- TableInput, StorageDescriptor, PartitionInput:
  https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
- Athena's SerDes and table properties for Avro and Parquet:
  https://docs.aws.amazon.com/athena/latest/ug/avro-serde.html,
  https://docs.aws.amazon.com/athena/latest/ug/parquet-serde.html
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import types as T

BATCH_CREATE_PARTITION_LIMIT = 100  # BatchCreatePartition takes at most 100 partitions a call.


@dataclass(frozen=True)
class StorageFormat:
    classification: str
    serde: str
    input_format: str
    output_format: str


FORMATS: dict[str, StorageFormat] = {
    "avro": StorageFormat(
        "avro",
        "org.apache.hadoop.hive.serde2.avro.AvroSerDe",
        "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
        "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
    ),
    "parquet": StorageFormat(
        "parquet",
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    ),
}


class CatalogError(RuntimeError):
    """A registration the catalog refused, naming the database and table."""


def catalog_table_name(source: str | None, table: str) -> str:
    """Bronze/silver: `<source>_<table>` (quarantine: `..._quarantine`); gold: `<model>`."""
    return f"{source}_{table}" if source else table


def glue_type(data_type: T.DataType) -> str:
    """The Hive type name Glue and Athena use for a Spark type (the crawler's names)."""
    simple = {
        T.StringType: "string",
        T.BooleanType: "boolean",
        T.ByteType: "tinyint",
        T.ShortType: "smallint",
        T.IntegerType: "int",
        T.LongType: "bigint",
        T.FloatType: "float",
        T.DoubleType: "double",
        T.DateType: "date",
        T.TimestampType: "timestamp",
        T.TimestampNTZType: "timestamp",
        T.BinaryType: "binary",
    }
    for spark_type, name in simple.items():
        if isinstance(data_type, spark_type):
            return name
    if isinstance(data_type, T.DecimalType):
        return f"decimal({data_type.precision},{data_type.scale})"
    if isinstance(data_type, T.ArrayType):
        return f"array<{glue_type(data_type.elementType)}>"
    if isinstance(data_type, T.MapType):
        return f"map<{glue_type(data_type.keyType)},{glue_type(data_type.valueType)}>"
    if isinstance(data_type, T.StructType):
        return "struct<" + ",".join(f"{f.name}:{glue_type(f.dataType)}" for f in data_type.fields) + ">"
    raise CatalogError(f"no Glue type for Spark type {data_type.simpleString()}")


def athena_avro_schema(avro_schema: str) -> str:
    """The Avro schema Spark derives for a DataFrame, adjusted to what Athena engine version 3
    (Trino 476) reads back: decimals as `bytes` with the decimal logical type (the Hive AvroSerDe's
    own form) instead of Spark's `fixed`, which Trino fails on ("Could not serialize data to JSON");
    timestamps as `timestamp-millis`, the precision Athena reads Hive timestamps at (Trino misreads
    `timestamp-micros` at that precision), so sub-millisecond digits are dropped in bronze."""
    schema = json.loads(avro_schema)

    def adjust(node):
        if isinstance(node, list):
            return [adjust(branch) for branch in node]
        if not isinstance(node, dict):
            return node
        if node.get("logicalType") == "decimal" and node.get("type") == "fixed":
            return {
                "type": "bytes",
                "logicalType": "decimal",
                "precision": node["precision"],
                "scale": node["scale"],
            }
        if node.get("logicalType") in ("timestamp-micros", "local-timestamp-micros"):
            return {**node, "logicalType": node["logicalType"].replace("micros", "millis")}
        adjusted = {**node}
        if isinstance(node.get("type"), (dict, list)):
            adjusted["type"] = adjust(node["type"])
        for key in ("fields", "items", "values"):
            if key in node:
                adjusted[key] = adjust(node[key])
        return adjusted

    return json.dumps(adjust(schema), separators=(",", ":"))


def avro_reader_schema(writer_schema: str | Mapping[str, Any]) -> str:
    """The table's `avro.schema.literal`: the files' writer schema with every nullable field given
    `"default": null` (and "null" first in its union, as Avro requires of a null default), so files
    written before a column was added still resolve against it, the column reading as null."""
    schema = (
        json.loads(writer_schema) if isinstance(writer_schema, str) else copy.deepcopy(dict(writer_schema))
    )
    if schema.get("type") != "record":
        raise CatalogError(f"Avro schema must be a record, got {schema.get('type')!r}")
    for field in schema["fields"]:
        branches = field["type"]
        if isinstance(branches, list) and "null" in branches:
            field["type"] = ["null", *[b for b in branches if b != "null"]]
            field["default"] = None
    return json.dumps(schema, separators=(",", ":"))


# Glue's limit on a column comment.
# https://docs.aws.amazon.com/glue/latest/webapi/API_Column.html
MAX_COMMENT = 255


def _columns(
    fields: Iterable[T.StructField], comments: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    columns = [{"Name": f.name, "Type": glue_type(f.dataType)} for f in fields]
    for column in columns:
        if (comments or {}).get(column["Name"]):
            column["Comment"] = comments[column["Name"]][:MAX_COMMENT]
    return columns


def table_input(
    name: str,
    schema: T.StructType,
    fmt: str,
    location: str,
    partition_keys: Sequence[str] = (),
    avro_schema: str | None = None,
    description: str | None = None,
    comments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The Glue `TableInput` of a table over `location`. `schema` holds the data columns and, typed
    as Spark wrote them, the partition columns (`partition_keys`, in folder order)."""
    storage = FORMATS.get(fmt)
    if storage is None:
        raise CatalogError(f"table {name}: unsupported format {fmt!r} (expected one of {', '.join(FORMATS)})")
    by_name = {f.name: f for f in schema.fields}
    missing = [k for k in partition_keys if k not in by_name]
    if missing:
        raise CatalogError(f"table {name}: partition columns {missing} are not in the written schema")
    data_fields = [f for f in schema.fields if f.name not in partition_keys]
    parameters = {"classification": storage.classification, "EXTERNAL": "TRUE"}
    serde_parameters = {"serialization.format": "1"}
    if fmt == "avro":
        if avro_schema is None:
            raise CatalogError(f"table {name}: an Avro table needs the files' Avro schema")
        parameters["avro.schema.literal"] = avro_schema
        serde_parameters["avro.schema.literal"] = avro_schema
    result: dict[str, Any] = {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": _columns((by_name[k] for k in partition_keys), comments),
        "StorageDescriptor": {
            "Columns": _columns(data_fields, comments),
            "Location": location.rstrip("/") + "/",
            "InputFormat": storage.input_format,
            "OutputFormat": storage.output_format,
            "Compressed": False,
            "SerdeInfo": {"SerializationLibrary": storage.serde, "Parameters": serde_parameters},
        },
    }
    if description:
        result["Description"] = description
    return result


def partition_input(table: Mapping[str, Any], values: Sequence[str]) -> dict[str, Any]:
    """The `PartitionInput` of one partition folder (`<location>/<key>=<value>/...`) of a table."""
    keys = [k["Name"] for k in table["PartitionKeys"]]
    if len(values) != len(keys):
        raise CatalogError(f"table {table['Name']}: partition {list(values)} does not match keys {keys}")
    storage = copy.deepcopy(table["StorageDescriptor"])
    storage["Location"] += "/".join(f"{k}={v}" for k, v in zip(keys, values, strict=True)) + "/"
    return {"Values": list(values), "StorageDescriptor": storage, "Parameters": dict(table["Parameters"])}


def _comparable(table: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a table definition registration owns (GetTable adds timestamps, versions...)."""
    storage = table.get("StorageDescriptor", {})
    return {
        "TableType": table.get("TableType"),
        "Parameters": table.get("Parameters", {}),
        "PartitionKeys": [{"Name": k["Name"], "Type": k["Type"]} for k in table.get("PartitionKeys", [])],
        "Columns": [
            {"Name": c["Name"], "Type": c["Type"], "Comment": c.get("Comment")}
            for c in storage.get("Columns", [])
        ],
        "Description": table.get("Description"),
        "Location": storage.get("Location"),
        "InputFormat": storage.get("InputFormat"),
        "OutputFormat": storage.get("OutputFormat"),
        "SerdeInfo": storage.get("SerdeInfo", {}),
    }


def glue_client():
    """The Glue client: on AWS Glue the job role's credentials and region; locally boto3 follows
    AWS_ENDPOINT_URL_GLUE (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html)."""
    import boto3

    return boto3.client("glue")


def not_found(error: Exception) -> bool:
    """Whether a Glue API error is EntityNotFoundException (no such table or database)."""
    return getattr(error, "response", {}).get("Error", {}).get("Code") == "EntityNotFoundException"


def register(
    client, database: str, table: Mapping[str, Any], partitions: Iterable[Sequence[str]] = ()
) -> dict[str, Any]:
    """Creates the table, or updates it when its definition differs from `table` (schema evolution:
    never left stale), then creates the partitions the catalog lacks. Idempotent. Returns what it did:
    `{"table": "created" | "updated" | "unchanged", "partitions_added": n}`."""
    name = table["Name"]
    try:
        current = client.get_table(DatabaseName=database, Name=name)["Table"]
    except Exception as error:
        if not not_found(error):
            raise CatalogError(f"GetTable {database}.{name}: {error}") from error
        current = None
    if current is None:
        client.create_table(DatabaseName=database, TableInput=dict(table))
        action = "created"
    elif _comparable(current) != _comparable(table):
        if [k["Name"] for k in current.get("PartitionKeys", [])] != [
            k["Name"] for k in table["PartitionKeys"]
        ]:
            raise CatalogError(
                f"table {database}.{name}: partition keys changed from "
                f"{[k['Name'] for k in current.get('PartitionKeys', [])]} to "
                f"{[k['Name'] for k in table['PartitionKeys']]}; existing partitions would no longer "
                "match: drop the table (and its data) to change them"
            )
        client.update_table(DatabaseName=database, TableInput=dict(table))
        action = "updated"
    else:
        action = "unchanged"
    added = _add_partitions(client, database, table, partitions) if table["PartitionKeys"] else 0
    return {"table": action, "partitions_added": added}


def _existing_partitions(client, database: str, name: str) -> set[tuple[str, ...]]:
    existing: set[tuple[str, ...]] = set()
    for page in client.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=name):
        existing.update(tuple(p["Values"]) for p in page["Partitions"])
    return existing


def create_partitions(client, database: str, name: str, inputs: Sequence[Mapping[str, Any]]) -> None:
    """BatchCreatePartition in chunks of the API's limit; a partition that exists already (created
    concurrently since a listing) is fine, any other refusal raises naming the partitions."""
    for start in range(0, len(inputs), BATCH_CREATE_PARTITION_LIMIT):
        response = client.batch_create_partition(
            DatabaseName=database,
            TableName=name,
            PartitionInputList=list(inputs[start : start + BATCH_CREATE_PARTITION_LIMIT]),
        )
        errors = [
            e for e in response.get("Errors", []) if e["ErrorDetail"]["ErrorCode"] != "AlreadyExistsException"
        ]
        if errors:
            details = "; ".join(f"{e['PartitionValues']}: {e['ErrorDetail']['ErrorMessage']}" for e in errors)
            raise CatalogError(f"BatchCreatePartition {database}.{name}: {details}")


def _add_partitions(
    client, database: str, table: Mapping[str, Any], partitions: Iterable[Sequence[str]]
) -> int:
    name = table["Name"]
    new = sorted({tuple(p) for p in partitions} - _existing_partitions(client, database, name))
    create_partitions(client, database, name, [partition_input(table, values) for values in new])
    return len(new)


# The Glue column parameter holding a column's classification (docs/governance.md); the component's
# CLASSIFICATION_PARAMETER (packages/medallion-lake/src/model/classification.ts).
CLASSIFICATION_PARAMETER = "classification"
# What CreateTable's and UpdateTable's TableInput take of what GetTable returns (the rest is
# read-only: versions, timestamps, catalog id). https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html
TABLE_INPUT_KEYS = ("Name", "Description", "Owner", "Retention", "StorageDescriptor",
                     "PartitionKeys", "TableType", "Parameters", "TargetTable", "ViewOriginalText",
                     "ViewExpandedText")  # fmt: skip


def classify_columns(client, database: str, name: str, classifications: Mapping[str, str]) -> bool:
    """Sets the `classification` parameter of each column (data and partition) named in
    `classifications` (lowercase column -> classification) and removes it from the others; UpdateTable
    only when something differs. Returns whether it updated the table.

    Called after a run's last commit of an Iceberg table: Iceberg's Glue catalog rebuilds every
    column with only its own `iceberg.field.*` parameters on each commit (IcebergToGlueConverter in
    apache/iceberg's aws module), so a classification set before a commit would be lost."""
    try:
        table = client.get_table(DatabaseName=database, Name=name)["Table"]
    except Exception as error:
        raise CatalogError(f"GetTable {database}.{name}: {error}") from error
    changed = False
    columns = [*table.get("StorageDescriptor", {}).get("Columns", []), *table.get("PartitionKeys", [])]
    for column in columns:
        parameters = dict(column.get("Parameters") or {})
        wanted = classifications.get(column["Name"].lower())
        if parameters.get(CLASSIFICATION_PARAMETER) == wanted:
            continue
        if wanted is None:
            parameters.pop(CLASSIFICATION_PARAMETER)
        else:
            parameters[CLASSIFICATION_PARAMETER] = wanted
        column["Parameters"] = parameters
        changed = True
    if changed:
        table_input = {k: table[k] for k in TABLE_INPUT_KEYS if k in table}
        client.update_table(DatabaseName=database, TableInput=table_input, SkipArchive=True)
    return changed
