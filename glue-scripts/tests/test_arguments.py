import importlib
import json
import subprocess
import sys
from pathlib import Path

import local_submit
import pytest
from medallion.arguments import ArgumentError, parse_job_arguments, parse_pairs

CONTRACT_FILE = Path(__file__).resolve().parents[1] / "medallion" / "job_arguments.json"
CONTRACT = json.loads(CONTRACT_FILE.read_text())["jobs"]
# What Glue adds to every run on top of the contract arguments (some flags carry no value).
GLUE_SYSTEM_ARGS = [
    "--JOB_ID", "j_0123", "--JOB_RUN_ID", "jr_abc123", "--JOB_NAME", "tickit-dev-silver",
    "--job-bookmark-option", "job-bookmark-enable", "--TempDir", "s3://tmp-bucket/glue/",
    "--enable-metrics", "--enable-glue-datacatalog", "true", "--extra-py-files", "s3://scripts/medallion.zip",
    "--job-language", "python",
]  # fmt: skip


def _entry(job):
    return importlib.import_module(f"{job}_job")


def test_the_contract_loads_from_the_package_zip_glue_gets(tmp_path):
    """--extra-py-files hands Glue a zip: the package data must load through zipimport, with no
    glue-scripts/ directory on the path (a fresh interpreter in an empty working directory)."""
    archive = local_submit.package_zip(tmp_path)
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "import medallion.arguments as a; print(a.__file__); print(json.dumps(a.JOB_ARGUMENTS))"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(archive)], cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    module_file, loaded = run.stdout.splitlines()
    assert module_file.startswith(str(archive))  # imported from the zip, not from the source tree
    assert json.loads(loaded) == CONTRACT


@pytest.mark.parametrize("job", sorted(CONTRACT))
def test_entry_script_accepts_exactly_the_contract_names(job):
    names = CONTRACT[job]["required"] + CONTRACT[job]["optional"]
    argv = [token for n in names for token in (f"--{n}", f"value-of-{n}")] + GLUE_SYSTEM_ARGS
    args = _entry(job).parse_args(argv)
    assert {k: v for k, v in args.items() if k in names} == {n: f"value-of-{n}" for n in names}
    assert set(args) == set(names) | {"JOB_RUN_ID"}
    assert args["JOB_RUN_ID"] == "jr_abc123"


@pytest.mark.parametrize("job", sorted(CONTRACT))
def test_optional_arguments_may_be_absent(job):
    required = CONTRACT[job]["required"]
    args = _entry(job).parse_args([t for n in required for t in (f"--{n}", "x")])
    assert all(args[n] is None for n in CONTRACT[job]["optional"])
    assert args["JOB_RUN_ID"] is None


@pytest.mark.parametrize("job", sorted(CONTRACT))
def test_each_missing_required_argument_is_named(job):
    required = CONTRACT[job]["required"]
    for missing in required:
        argv = [t for n in required if n != missing for t in (f"--{n}", "x")] + GLUE_SYSTEM_ARGS
        with pytest.raises(ArgumentError, match=f"{job} job: missing required argument\\(s\\) --{missing}$"):
            _entry(job).parse_args(argv)


def test_a_misspelt_name_does_not_count_and_empty_values_are_missing():
    with pytest.raises(ArgumentError, match="--lake_spec, --silver_path"):
        parse_job_arguments(
            "gold", ["--lake-spec", "s.json", "--environment", "dev", "--gold_path", "g", "--silver_path="]
        )


def test_pairs_accept_equals_and_bare_flags_and_reject_positionals():
    assert parse_pairs(["--a=1", "--flag", "--b", "2"]) == {"a": "1", "flag": "", "b": "2"}
    with pytest.raises(ArgumentError, match="unexpected argument 'stray' at position 2"):
        parse_pairs(["--a", "1", "stray"])
