import zipfile

import local_submit
import pytest


def test_command_runs_the_entry_script_with_jars_conf_and_arguments(tmp_path):
    command = local_submit.submit_command(
        "silver",
        {"lake_spec": "/s.json", "--silver_path": "file:///l/silver", "batch_id": None},
        tmp_path / "m.zip",
    )
    assert command[0].endswith("/pyspark/bin/spark-submit")
    assert command[command.index("--master") + 1] == "local[2]"
    jars = command[command.index("--jars") + 1].split(",")
    assert any("spark-avro_2.12-3.5.4.jar" in j for j in jars) and any("postgresql" in j for j in jars)
    assert command[command.index("--py-files") + 1] == str(tmp_path / "m.zip")
    confs = [command[i + 1] for i, token in enumerate(command) if token == "--conf"]
    assert "spark.sql.session.timeZone=UTC" in confs
    assert "spark.sql.sources.partitionOverwriteMode=dynamic" in confs
    java = command[command.index("--driver-java-options") + 1].split()
    assert "-Duser.timezone=UTC" in java and "-XX:TieredStopAtLevel=1" in java
    script = command.index(str(local_submit.GLUE_SCRIPTS / "silver_job.py"))
    assert command[script + 1 :] == ["--lake_spec", "/s.json", "--silver_path", "file:///l/silver"]


def test_unknown_job_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown job 'platinum'"):
        local_submit.submit_command("platinum", {}, tmp_path / "m.zip")


def test_package_zip_has_the_package_at_its_root(tmp_path):
    with zipfile.ZipFile(local_submit.package_zip(tmp_path)) as archive:
        names = set(archive.namelist())
    assert {
        "medallion/__init__.py",
        "medallion/silver.py",
        "medallion/gold.py",
        "medallion/job_arguments.json",
    } <= names
    assert all(
        n.startswith("medallion/") and "__pycache__" not in n and not n.endswith(".pyc") for n in names
    )


def test_missing_jars_point_at_setup(tmp_path, monkeypatch):
    monkeypatch.setattr(local_submit, "JARS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="run `bash scripts/setup.sh` first"):
        local_submit.spark_jars()


def test_cli_usage_and_argument_errors(capsys):
    assert local_submit.main([]) == 2
    assert "usage: local_submit.py {bronze|silver|gold|forget}" in capsys.readouterr().err
    assert local_submit.main(["gold", "stray"]) == 2
    assert "unexpected argument 'stray'" in capsys.readouterr().err
