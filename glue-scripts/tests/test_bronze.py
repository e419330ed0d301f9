import json
import re
import socket
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import bronze_job
import pytest
from medallion import bronze
from pyspark.sql import types as T


@pytest.mark.parametrize(
    ("dialect", "table", "quoted"),
    [
        ("postgres", "saas.category", '"saas"."category"'),
        ("mysql", "date", "`date`"),
        ("sqlserver", "crm.users", "[crm].[users]"),
        ("postgres", 'odd"name', '"odd""name"'),
        ("mysql", "a`b", "`a``b`"),
        ("sqlserver", "x]y", "[x]]y]"),
    ],
)
def test_identifiers_are_quoted_per_dialect(dialect, table, quoted):
    assert bronze.quote_table(dialect, table) == quoted


def test_unknown_dialect_is_an_error():
    with pytest.raises(ValueError, match="unknown SQL dialect 'oracle'"):
        bronze.quote_identifier("oracle", "t")


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("jdbc:postgresql://127.0.0.1:5432/tickit", "postgres"),
        ("jdbc:mariadb://127.0.0.1:3306/tickit", "mysql"),
        ("jdbc:mysql://h/tickit", "mysql"),
        ("jdbc:sqlserver://h:1433;databaseName=tickit", "sqlserver"),
    ],
)
def test_the_local_dialect_follows_the_jdbc_url(url, dialect):
    assert bronze.dialect_for_jdbc_url(url) == dialect


def test_unsupported_jdbc_url_is_named():
    with pytest.raises(ValueError, match="unsupported JDBC URL 'jdbc:oracle:thin:@h'"):
        bronze.dialect_for_jdbc_url("jdbc:oracle:thin:@h")


LONG, TS = T.LongType(), T.TimestampType()


def test_source_query_full_and_windowed():
    assert bronze.source_query("mysql", "sales", None) == "SELECT * FROM `sales`"
    assert (
        bronze.source_query("mysql", "sales", "salesid", LONG, after=100)
        == "SELECT * FROM `sales` WHERE `salesid` > 100"
    )
    assert (
        bronze.source_query(
            "postgres",
            "saas.event",
            "starttime",
            TS,
            after="2008-01-01 00:00:00+00:00",
            up_to="2008-02-01 01:00:00",
        )
        == 'SELECT * FROM "saas"."event" WHERE "starttime" > \'2008-01-01 00:00:00.000000+00:00\''
        " AND \"starttime\" <= '2008-02-01 01:00:00.000000+00:00'"
    )
    # A full-load table ignores watermarks it cannot use.
    assert (
        bronze.source_query("postgres", "saas.venue", None, None, after=5) == 'SELECT * FROM "saas"."venue"'
    )


def test_bounds_query_and_dbtable():
    query = "SELECT * FROM `sales` WHERE `salesid` > 7"
    assert (
        bronze.as_dbtable(bronze.bounds_query("mysql", query, "salesid"))
        == "(SELECT MIN(`salesid`) AS lo, MAX(`salesid`) AS hi"
        " FROM (SELECT * FROM `sales` WHERE `salesid` > 7) b) src"
    )


MICROS = datetime(2024, 1, 1, 10, 0, 59, 987654, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("dialect", "kind", "value", "literal"),
    [
        # Beyond 2^53 and 38 digits: never through a float.
        ("postgres", LONG, 9007199254740993, "9007199254740993"),
        ("mysql", T.DecimalType(38, 10), Decimal("1234567890123456789012345678.1234567891"),
         "1234567890123456789012345678.1234567891"),
        ("sqlserver", T.DecimalType(10, 2), Decimal("1E+2"), "100"),
        ("postgres", T.DoubleType(), 0.1, "0.1"),
        # Microseconds, in UTC; PostgreSQL's quoted literal takes the column's type.
        ("postgres", TS, MICROS, "'2024-01-01 10:00:59.987654+00:00'"),
        ("postgres", TS, MICROS.astimezone(PLUS_TWO), "'2024-01-01 10:00:59.987654+00:00'"),
        ("mysql", TS, MICROS, "CAST('2024-01-01 10:00:59.987654' AS DATETIME(6))"),
        ("sqlserver", TS, MICROS, "CAST('2024-01-01 10:00:59.987654 +00:00' AS datetimeoffset(7))"),
        ("sqlserver", T.DateType(), date(2024, 1, 2), "CAST('2024-01-02' AS date)"),
        ("postgres", T.DateType(), date(2024, 1, 2), "DATE '2024-01-02'"),
        # Strings compare by code point, as Spark's max does, and cannot end their literal.
        ("postgres", T.StringType(), "O'Hare\\", "E'O''Hare\\\\' COLLATE \"C\""),
        ("mysql", T.StringType(), "\\' OR 1=1", "_utf8mb4 X'5c27204f5220313d31' COLLATE utf8mb4_bin"),
        ("sqlserver", T.StringType(), "O'Hare", "N'O''Hare' COLLATE Latin1_General_100_BIN2"),
    ],
)  # fmt: skip
def test_sql_literals_are_exact_and_typed_per_dialect(dialect, kind, value, literal):
    assert bronze.sql_literal(dialect, kind, value) == literal


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (LONG, True),
        (LONG, "1; DROP TABLE x"),
        (T.DecimalType(10, 2), Decimal("NaN")),
        (T.DoubleType(), float("inf")),
        (TS, datetime(2024, 1, 1)),  # no offset: which instant?
        (T.StringType(), 5),
        (T.BinaryType(), b"x"),
    ],
)
def test_a_watermark_that_is_not_of_its_columns_type_is_refused(kind, value):
    expected = re.escape(f"a watermark of a {kind.simpleString()} column cannot be {value!r}")
    with pytest.raises(ValueError, match=expected):
        bronze.sql_literal("postgres", kind, value)


def test_batch_id_precedence_and_safety():
    now = datetime(2008, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert bronze.resolve_batch_id("manual-1", "jr_abc", now) == "manual-1"
    assert bronze.resolve_batch_id(None, "jr_abc", now) == "jr_abc"
    assert bronze.resolve_batch_id(None, None, now) == "20080304T050607Z"
    with pytest.raises(ValueError, match="batch id '../x' may only contain"):
        bronze.resolve_batch_id("../x", None, now)


def test_bronze_paths():
    assert (
        bronze.bronze_batch_path("s3://b/", "ecomm", "sales", date(2008, 3, 4), "b1")
        == "s3://b/ecomm/sales/ingest_date=2008-03-04/batch_id=b1"
    )


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        (TS, MICROS, "2024-01-01 10:00:59.987654+00:00"),
        (TS, datetime(2008, 1, 2, 3, 4, 5, tzinfo=PLUS_TWO), "2008-01-02 01:04:05+00:00"),
        (T.DateType(), date(2008, 1, 2), "2008-01-02"),
        (T.DecimalType(38, 10), Decimal("17.0000000000"), "17.0000000000"),
        (T.DecimalType(38, 0), Decimal("12345678901234567890123456789012345678"),
         "12345678901234567890123456789012345678"),
        (LONG, 9007199254740993, 9007199254740993),
        (T.StringType(), "a", "a"),
    ],
)  # fmt: skip
def test_json_watermarks_are_exact_and_read_back_as_they_were(kind, value, stored):
    assert bronze.json_watermark(value) == stored
    # Through the state file's JSON text and back: the same value, not a float's or a string's.
    assert bronze.decode_watermark(kind, json.loads(json.dumps(stored))) == value


def test_a_state_written_before_offsets_were_recorded_reads_as_utc():
    assert bronze.decode_watermark(TS, "2008-01-02 03:04:05.25") == datetime(
        2008, 1, 2, 3, 4, 5, 250000, tzinfo=UTC
    )
    assert bronze.decode_watermark(T.DecimalType(10, 2), 17) == Decimal(17)


@pytest.mark.parametrize(("kind", "value"), [(TS, "yesterday"), (LONG, "12"), (T.DecimalType(10, 2), "1,5")])
def test_a_state_value_that_is_not_of_the_columns_type_is_named(kind, value):
    with pytest.raises(
        ValueError, match=re.escape(f"holds {value!r}, not a value of the watermark column's type")
    ):
        bronze.decode_watermark(kind, value)


def test_watermark_state_through_new_empty_and_rerun_batches():
    # First batch: no state, full read up to 100.
    assert bronze.plan_batch(None, "salesid", "b1") == (None, None)
    state = bronze.record_batch(None, "salesid", LONG, "b1", None, 100)
    assert state == {
        "column": "salesid",
        "watermark": 100,
        "batches": [{"batch_id": "b1", "from": None, "to": 100}],
    }
    # Second batch reads after 100, reaches 150.
    assert bronze.plan_batch(state, "salesid", "b2") == (100, None)
    state = bronze.record_batch(state, "salesid", LONG, "b2", 100, 150)
    # A batch finding nothing keeps the watermark.
    assert bronze.plan_batch(state, "salesid", "b3") == (150, None)
    state = bronze.record_batch(state, "salesid", LONG, "b3", 150, None)
    assert state["watermark"] == 150 and state["batches"][-1] == {"batch_id": "b3", "from": 150, "to": 150}
    # Re-running b2 re-reads exactly its window (b3 came after it); re-running b3 is open-ended.
    assert bronze.plan_batch(state, "salesid", "b2") == (100, 150)
    assert bronze.plan_batch(state, "salesid", "b3") == (150, None)
    # Recording a re-run keeps the batch in place.
    rerun = bronze.record_batch(state, "salesid", LONG, "b2", 100, 150)
    assert [b["batch_id"] for b in rerun["batches"]] == ["b1", "b2", "b3"]
    assert rerun == state


def test_state_of_another_watermark_column_is_ignored():
    state = bronze.record_batch(None, "salesid", LONG, "b1", None, 100)
    assert bronze.plan_batch(state, "saletime", "b2") == (None, None)
    assert bronze.record_batch(state, "saletime", TS, "b2", None, "2008-12-31 00:00:00") == {
        "column": "saletime",
        "watermark": "2008-12-31 00:00:00",
        "batches": [{"batch_id": "b2", "from": None, "to": "2008-12-31 00:00:00"}],
    }


def test_the_watermark_is_the_highest_batch_by_the_columns_type():
    # As strings "9.5" > "10.25"; the watermark would move back and re-read (9.5, 10.25] every run.
    state = bronze.record_batch(None, "amount", T.DecimalType(10, 2), "b1", None, "9.5")
    state = bronze.record_batch(state, "amount", T.DecimalType(10, 2), "b2", "9.5", "10.25")
    state = bronze.record_batch(state, "amount", T.DecimalType(10, 2), "b1", None, "9.5")  # re-run
    assert state["watermark"] == "10.25"


def test_ingestion_metadata_is_appended(spark):
    df = spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string")
    at = datetime(2008, 5, 6, 7, 8, 9, tzinfo=UTC)
    out = bronze.add_ingestion_metadata(df, "ecomm", "b7", at)
    assert out.columns == ["id", "v", "_ingested_at", "_batch_id", "_source"]
    assert dict(out.dtypes)["_ingested_at"] == "timestamp"
    assert [tuple(r) for r in out.orderBy("id").collect()] == [
        (1, "a", datetime(2008, 5, 6, 7, 8, 9), "b7", "ecomm"),
        (2, "b", datetime(2008, 5, 6, 7, 8, 9), "b7", "ecomm"),
    ]


def test_metadata_name_clash_is_an_error(spark):
    df = spark.createDataFrame([(1,)], "_source int")
    with pytest.raises(ValueError, match=r"source crm: columns \['_source'\] clash"):
        bronze.add_ingestion_metadata(df, "crm", "b1", datetime(2008, 1, 1, tzinfo=UTC))


BOOKMARKED = "after the job bookmark on eventid"
REREAD = "full re-read: job bookmarks are off"


@pytest.mark.parametrize(
    ("watermark", "on_glue", "bookmark_option", "after", "incremental", "read_from"),
    [
        (None, True, "job-bookmark-enable", None, False, "full load: the table has no watermarkColumn"),
        ("eventid", True, "job-bookmark-enable", None, True, f"{BOOKMARKED} (job-bookmark-enable)"),
        # pause reads from the last bookmark too; it only does not advance it (Glue's bookmark options).
        ("eventid", True, "job-bookmark-pause", None, True, f"{BOOKMARKED} (job-bookmark-pause)"),
        ("eventid", True, "job-bookmark-disable", None, False, f"{REREAD} (job-bookmark-disable)"),
        ("eventid", False, None, None, False, "full read: no earlier watermark of eventid"),
        ("eventid", False, None, 42, True, "after the local watermark eventid > 42"),
    ],
)  # fmt: skip
def test_the_run_summary_says_whether_and_from_where_a_read_was_incremental(
    watermark, on_glue, bookmark_option, after, incremental, read_from
):
    assert bronze.describe_read(watermark, on_glue, bookmark_option, after) == (incremental, read_from)


@pytest.mark.parametrize(
    ("ddl", "values", "first", "reached"),
    [
        ("w timestamp", [datetime(2024, 1, 2, 3, 4, 5, 250000), datetime(2024, 1, 1)],
         "2024-01-01 00:00:00+00:00", "2024-01-02 03:04:05.250000+00:00"),
        ("w timestamp", [datetime(2024, 1, 1, 10, 0, 59, 987654)], "2024-01-01 10:00:59.987654+00:00",
         "2024-01-01 10:00:59.987654+00:00"),
        ("w bigint", [9007199254740993, 1], 1, 9007199254740993),
        ("w date", [date(2024, 1, 2), date(2023, 12, 31)], "2023-12-31", "2024-01-02"),
        ("w decimal(10,2)", [Decimal("12.25"), Decimal("1.50")], "1.50", "12.25"),
        ("w decimal(38,10)", [Decimal("1234567890123456789012345678.1234567891")],
         "1234567890123456789012345678.1234567891", "1234567890123456789012345678.1234567891"),
        ("w int", [17, 5], 5, 17),
        ("w string", ["b", "a"], "a", "b"),
    ],
)  # fmt: skip
def test_a_write_observes_its_rows_and_watermarks(spark, tmp_path, ddl, values, first, reached):
    df = spark.createDataFrame([(v, n) for n, v in enumerate([*values, None])], f"{ddl}, n int")
    out = (tmp_path / "out").as_uri()
    assert bronze_job.write_batch(spark, df, out, "overwrite", "w") == (len(values) + 1, first, reached)
    assert spark.read.format("avro").load(out).count() == len(values) + 1


def test_an_empty_write_observes_no_rows_and_a_full_load_no_watermark(spark, tmp_path):
    empty = spark.createDataFrame([], "w timestamp")
    assert bronze_job.write_batch(spark, empty, (tmp_path / "e").as_uri(), "overwrite", "w") == (
        0,
        None,
        None,
    )
    full = spark.createDataFrame([(1,)], "w int")
    assert bronze_job.write_batch(spark, full, (tmp_path / "f").as_uri(), "overwrite", None) == (
        1,
        None,
        None,
    )


def test_errors_are_one_line_and_a_jvm_error_is_its_class_and_message(spark):
    assert bronze.error_text(ValueError("no entry\n  for crm")) == "ValueError: no entry for crm"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    reader = spark.read.format("jdbc").options(
        url=f"jdbc:postgresql://127.0.0.1:{port}/crm", dbtable="t", driver="org.postgresql.Driver"
    )
    with pytest.raises(Exception) as failure:
        reader.load()
    text = bronze.error_text(failure.value)
    assert text.startswith(f"org.postgresql.util.PSQLException: Connection to 127.0.0.1:{port} refused.")
    assert "\n" not in text and "at org." not in text  # no Java stack trace
