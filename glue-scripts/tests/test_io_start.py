"""`io.start` on Glue: Job.init must get the options awsglue's getResolvedOptions resolves, as Glue
documents, or job bookmarks stay off (awsglue/utils.py adds `job_bookmark_option`, JOB_ID, TempDir...).
https://docs.aws.amazon.com/glue/latest/dg/programming-etl-connect-bookmarks.html
awsglue itself exists only on Glue, so its three entry points are replaced by recorders here."""

from medallion import io

# What Glue passes a bronze run on top of the contract arguments.
GLUE_ARGV = [
    "--lake_spec", "s3://assets/scripts/lake-spec.json", "--environment", "dev", "--bronze_path", "s3://bronze",
    "--JOB_ID", "j_0123", "--JOB_RUN_ID", "jr_abc123", "--JOB_NAME", "tickit-dev-bronze",
    "--job-bookmark-option", "job-bookmark-enable", "--TempDir", "s3://assets/temp/bronze/",
]  # fmt: skip
# awsglue's getResolvedOptions(sys.argv, ["JOB_NAME"]) result for GLUE_ARGV: its own keys, not the contract's.
RESOLVED = {
    "JOB_NAME": "tickit-dev-bronze",
    "JOB_ID": "j_0123",
    "JOB_RUN_ID": "jr_abc123",
    "SECURITY_CONFIGURATION": None,
    "job_bookmark_option": "job-bookmark-enable",
    "job_bookmark_from": None,
    "job_bookmark_to": None,
    "encryption_type": None,
    "TempDir": "s3://assets/temp/bronze/",
    "RedshiftTempDir": "s3://assets/temp/bronze/",
}


def test_on_glue_job_init_gets_the_resolved_glue_options(monkeypatch, spark):
    calls = {}

    class FakeGlueContext:
        def __init__(self, spark_context):
            self.spark_session = spark

    class FakeJob:
        def __init__(self, glue_context):
            pass

        def init(self, name, options):
            calls["init"] = (name, options)

    def fake_resolved_options(argv, names):
        calls["resolve"] = (list(argv), list(names))
        return dict(RESOLVED)

    monkeypatch.setattr(io, "GlueContext", FakeGlueContext)
    monkeypatch.setattr(io, "Job", FakeJob)
    monkeypatch.setattr(io, "getResolvedOptions", fake_resolved_options, raising=False)

    runtime = io.start("medallion-bronze", GLUE_ARGV)

    argv, names = calls["resolve"]
    # getResolvedOptions parses argv[1:], like sys.argv: the run's arguments must all follow argv[0].
    assert argv[1:] == GLUE_ARGV
    assert names == ["JOB_NAME"]
    name, options = calls["init"]
    assert name == "tickit-dev-bronze"
    assert options["job_bookmark_option"] == "job-bookmark-enable"
    assert options["JOB_ID"] == "j_0123"
    assert runtime.on_glue
    assert runtime.bookmark_option == "job-bookmark-enable"


def test_off_glue_there_is_no_job_and_no_bookmark(spark):
    runtime = io.start("medallion-bronze", ["--lake_spec", "file:///x.json"])
    assert not runtime.on_glue
    assert runtime.job is None
    assert runtime.bookmark_option is None
