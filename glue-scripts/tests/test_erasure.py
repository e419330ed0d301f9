"""The forget job's pure parts (medallion.erasure): the subject's validation against the lake spec,
its digest, SQL literals and the raw-row match on local Spark, run-summary counts and the outcome;
and the deletion of noncurrent S3 versions (medallion.object_versions) against moto's S3."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import boto3
import pytest
import tickit_spec
from medallion import erasure, object_versions
from medallion.spec import parse_lake_spec


def _spec(change=None):
    raw = tickit_spec.spec_dict()
    if change:
        change(raw)
    return parse_lake_spec(json.dumps(raw))


def _with_composite(raw):
    """A table keyed by a date and a string, the date parsed from text with a format."""
    raw["sources"][0]["tables"].append(
        tickit_spec._table(
            "saas.visits", ["day", "code"],
            {"day": ("date", "dd/MM/yyyy"), "code": "string", "note": "string"},
        )
    )  # fmt: skip


def test_a_one_column_key_is_typed_as_its_column():
    subject = erasure.subject_key(_spec(), "crm.users", '{"userid": " 0042 "}')
    assert (subject.source.name, subject.table.name) == ("crm", "users")
    assert subject.values == (("userid", "int", 42),)


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ("users", '{"userid": "1"}', "expected <source>.<table>"),
        ("crm.user", '{"userid": "1"}', "the lake has no such table (it has saas.category"),
        ("crm.users; DROP", '{"userid": "1"}', "expected <source>.<table>"),
        ("crm.users", "userid=1", "not a JSON object"),
        ("crm.users", '["1"]', "expected a JSON object"),
        ("crm.users", '{"userid": 1}', "as text"),
        (
            "crm.users",
            '{"username": "x"}',
            "primary key is (userid); missing userid; not key columns: username",
        ),
        ("crm.users", '{"userid": "1", "city": "x"}', "not key columns: city"),
        ("crm.users", '{"userid": "1 OR 1=1"}', "--key userid: the value is not a int"),
        ("crm.users", '{"userid": "2147483648"}', "out of the range of a int"),
        ("crm.users", '{"userid": "  "}', "must be non-empty"),
        ("saas.category", '{"catid": "40000"}', "out of the range of a smallint"),
    ],
)
def test_bad_subjects_are_refused_naming_the_argument(table, key, message):
    with pytest.raises(erasure.ErasureError) as refused:
        erasure.subject_key(_spec(), table, key)
    assert message in str(refused.value)
    assert "1 OR 1" not in str(refused.value) and "2147483648" not in str(refused.value)  # no value in logs


def test_a_table_without_primary_key_cannot_be_erased_by_key():
    def drop_key(raw):
        raw["sources"][2]["tables"][0]["primaryKey"] = []

    with pytest.raises(erasure.ErasureError, match="declares no primaryKey"):
        erasure.subject_key(_spec(drop_key), "crm.users", '{"userid": "1"}')


def test_composite_keys_need_every_column_typed():
    spec = _spec(_with_composite)
    subject = erasure.subject_key(spec, "saas.visits", '{"code": "A\'1", "day": "2008-03-01"}')
    assert subject.values == (("day", "date", date(2008, 3, 1)), ("code", "string", "A'1"))
    with pytest.raises(erasure.ErasureError, match="missing code"):
        erasure.subject_key(spec, "saas.visits", '{"day": "2008-03-01"}')
    with pytest.raises(erasure.ErasureError, match="not a date"):
        erasure.subject_key(spec, "saas.visits", '{"day": "01/03/2008", "code": "x"}')


@pytest.mark.parametrize(
    ("type_name", "text", "value"),
    [
        ("bigint", "-9223372036854775808", -(2**63)),
        ("boolean", "TRUE", True),
        ("double", "1.5", 1.5),
        ("decimal(8,2)", "12.5", Decimal("12.50")),
        ("timestamp", "2008-01-02T03:04:05+01:00", datetime(2008, 1, 2, 2, 4, 5)),
        ("string", "  Ann  ", "Ann"),
    ],
)
def test_values_parse_per_type(type_name, text, value):
    assert erasure.parse_value(type_name, text, "c") == value


@pytest.mark.parametrize(("type_name", "text"), [("decimal(8,2)", "1.234"), ("decimal(4,2)", "100"),
                                                 ("double", "nan"), ("boolean", "yes")])  # fmt: skip
def test_values_that_do_not_fit_are_refused(type_name, text):
    with pytest.raises(erasure.ErasureError):
        erasure.parse_value(type_name, text, "c")


def test_the_digest_is_the_same_for_every_spelling_and_holds_no_value():
    spec = _spec()
    one = erasure.key_digest(erasure.subject_key(spec, "crm.users", '{"userid": "42"}'))
    assert one == erasure.key_digest(erasure.subject_key(spec, "crm.users", '{"userid": "+042"}'))
    assert one != erasure.key_digest(erasure.subject_key(spec, "crm.users", '{"userid": "43"}'))
    assert one != erasure.key_digest(erasure.subject_key(spec, "saas.category", '{"catid": "42"}'))
    assert len(one) == 64 and "42" not in json.dumps(erasure.record(
        erasure.subject_key(spec, "crm.users", '{"userid": "42"}'), one, datetime(2024, 1, 1), {}, True
    )).replace(one, "")  # fmt: skip


@pytest.mark.parametrize(
    ("type_name", "value"),
    [("string", "O'Brien \\' --"), ("date", date(2008, 3, 1)), ("timestamp", datetime(2008, 1, 2, 3, 4, 5)),
     ("decimal(8,2)", Decimal("12.50")), ("double", 0.1), ("bigint", 2**62), ("boolean", False)],
)  # fmt: skip
def test_sql_literals_read_back_as_the_value(spark, type_name, value):
    assert spark.sql(f"SELECT {erasure.sql_literal(type_name, value)} AS v").first()["v"] == value


def test_raw_rows_match_as_silver_types_them(spark):
    """Bronze and quarantine rows are raw: padded strings, a date as formatted text."""
    spec = _spec(_with_composite)
    subject = erasure.subject_key(spec, "saas.visits", '{"day": "2008-03-01", "code": "A1"}')
    rows = spark.createDataFrame(
        [(" 01/03/2008 ", " A1 ", "subject"), ("01/03/2008", "A2", "other code"),
         ("02/03/2008", "A1", "other day"), (None, "A1", "null day"), ("garbage", "A1", "unparseable")],
        "day string, code string, note string",
    )  # fmt: skip
    kept, removed = erasure.split_subject(rows, subject)
    assert [r["note"] for r in removed.collect()] == ["subject"]
    assert sorted(r["note"] for r in kept.collect()) == ["null day", "other code", "other day", "unparseable"]
    users = erasure.subject_key(_spec(), "crm.users", '{"userid": "7"}')
    typed = spark.createDataFrame([(7, "a"), (8, "b")], "userid int, username string")
    assert [r["username"] for r in erasure.split_subject(typed, users)[1].collect()] == ["a"]
    # A frame without the key column (another kind of file) never matches.
    assert erasure.split_subject(typed.drop("userid"), users)[1].count() == 0


def test_silver_rows_match_by_the_typed_condition(spark):
    subject = erasure.subject_key(
        _spec(_with_composite), "saas.visits", '{"day": "2008-03-01", "code": "A1"}'
    )
    rows = spark.createDataFrame(
        [(date(2008, 3, 1), "A1"), (date(2008, 3, 1), "A2")], "day date, code string"
    )
    assert rows.where(erasure.typed_condition(subject)).collect() == [(date(2008, 3, 1), "A1")]


def test_run_summaries_count_the_rows_left():
    at = datetime(2024, 1, 1)
    assert erasure.removed_in_newest_run([at, datetime(2023, 1, 1), at], at) == 2
    summary = {"rows": 10, "batch_id": "b"}
    assert erasure.adjusted_summary(summary, "rows", 2) == {"rows": 8, "batch_id": "b", "erased_rows": 2}
    assert erasure.adjusted_summary({"keys_read": None}, "keys_read", 1) == {"keys_read": None}
    with pytest.raises(erasure.ErasureError):
        erasure.adjusted_summary(summary, "rows", 11)


def test_outcomes_refuse_a_key_never_held_and_succeed_once_erased():
    with pytest.raises(erasure.ErasureError) as refused:
        erasure.outcome(False, None, "crm.users", "ab" * 32)
    assert "holds no row with that key" in str(refused.value) and "nothing was changed" in str(refused.value)
    done = {"erasures": [{"completed": True}]}
    assert erasure.outcome(True, None, "crm.users", "d") == "erased"
    assert erasure.outcome(False, done, "crm.users", "d") == "already erased"
    assert erasure.outcome(True, done, "crm.users", "d") == "erased again"  # re-ingested since
    assert erasure.outcome(False, {"erasures": [{"completed": False}]}, "crm.users", "d") == "resumed"


def test_a_resumed_erasure_replaces_its_unfinished_entry():
    subject = erasure.subject_key(_spec(), "crm.users", '{"userid": "1"}')
    started = datetime(2024, 1, 1)
    pending = erasure.record(subject, "d", started, {}, False)
    done = erasure.record(subject, "d", started, {"silver": {"rows_removed": 1}}, True, pending)
    assert [e["completed"] for e in done["erasures"]] == [True]
    again = erasure.record(subject, "d", started, {}, False, done)
    assert [e["completed"] for e in again["erasures"]] == [True, False]


def test_noncurrent_versions_below_the_prefix_are_deleted_and_current_ones_kept(moto_endpoint):
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
    s3.create_bucket(Bucket="lake-bronze")
    s3.put_bucket_versioning(Bucket="lake-bronze", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"v1", b"v2", b"v3"):
        s3.put_object(Bucket="lake-bronze", Key="crm/users/a.avro", Body=body)
        s3.put_object(Bucket="lake-bronze", Key="crm/users_old/a.avro", Body=body)
    s3.put_object(Bucket="lake-bronze", Key="crm/users/gone.avro", Body=b"x")
    s3.delete_object(Bucket="lake-bronze", Key="crm/users/gone.avro")  # a delete marker on top

    assert object_versions.delete_noncurrent(s3, "lake-bronze", "crm/users/") == 3
    left = s3.list_object_versions(Bucket="lake-bronze")
    versions = sorted((v["Key"], v["IsLatest"]) for v in left.get("Versions", []))
    assert versions == [("crm/users/a.avro", True)] + [
        ("crm/users_old/a.avro", x) for x in (False, False, True)
    ]
    assert [(m["Key"], m["IsLatest"]) for m in left["DeleteMarkers"]] == [("crm/users/gone.avro", True)]
    assert s3.get_object(Bucket="lake-bronze", Key="crm/users/a.avro")["Body"].read() == b"v3"
    assert object_versions.delete_noncurrent(s3, "lake-bronze", "crm/users/") == 0
    with pytest.raises(ValueError, match="must end with /"):
        object_versions.delete_noncurrent(s3, "lake-bronze", "crm/users")
    with pytest.raises(ValueError, match="not an s3://bucket"):
        object_versions.bucket_of("file:///tmp/lake")
