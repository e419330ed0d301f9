"""Runs a Glue entry script (bronze, silver, gold or forget) on local Spark through spark-submit.

    python glue-scripts/local_submit.py silver --lake_spec spec.json --environment local \\
        --bronze_path file:///abs/.local-lake/lake/bronze --silver_path file:///abs/.local-lake/lake/silver

`submit(job, arguments)` does the same from Python and raises JobFailed when the job fails.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

GLUE_SCRIPTS = Path(__file__).resolve().parent
JARS_DIR = GLUE_SCRIPTS / "jars" / "lib"
PACKAGE = GLUE_SCRIPTS / "medallion"
LOG4J = GLUE_SCRIPTS / "log4j2-local.properties"
JOBS = ("bronze", "silver", "gold", "forget")
# The layer each Iceberg job writes: its path is the Iceberg catalog's warehouse (iceberg.json); the
# forget job writes silver and gold, whose tables all have explicit locations.
ICEBERG_JOBS = {"silver": "silver_path", "gold": "gold_path", "forget": "silver_path"}
ICEBERG = json.loads((PACKAGE / "iceberg.json").read_text(encoding="utf-8"))
GLUE_ENDPOINT = "AWS_ENDPOINT_URL_GLUE"
LOG_TAIL_LINES = 60
# Spark's driver is also its executor in local mode; ample for TICKIT on a 2-core/24 GiB machine.
DRIVER_MEMORY = "4g"
# Both the JVM (JDBC timestamp conversion) and Python (collected timestamps) compute in UTC.
# C1 only: a local job lives a minute or less, and C2's compilations cost more CPU than they save
# (measured on 2 cores at scale 1: silver 76 -> 55 CPU s, gold 50 -> 30). Glue's JVMs are not ours.
JAVA_OPTIONS = f"-Duser.timezone=UTC -Dlog4j2.configurationFile=file:{LOG4J} -XX:TieredStopAtLevel=1"


class JobFailed(RuntimeError):
    def __init__(self, job: str, returncode: int, log_tail: str):
        super().__init__(f"{job} job failed with exit code {returncode}; last log lines:\n{log_tail}")
        self.job, self.returncode, self.log_tail = job, returncode, log_tail


def spark_jars() -> list[Path]:
    """The Avro and JDBC driver jars the jobs need locally (fetched by scripts/setup.sh)."""
    jars = sorted(JARS_DIR.glob("*.jar"))
    if not any(j.name.startswith("spark-avro") for j in jars):
        raise FileNotFoundError(f"no spark-avro jar in {JARS_DIR}: run `bash scripts/setup.sh` first")
    return jars


def spark_submit_executable() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-submit"


def package_zip(directory: Path) -> Path:
    """The medallion package as a zip with `medallion/` at its root (what Glue gets as --extra-py-files):
    every file, package data included, without bytecode (as the component's assets.ts builds it)."""
    target = directory / "medallion.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(PACKAGE.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                archive.write(file, f"medallion/{file.relative_to(PACKAGE).as_posix()}")
    return target


def iceberg_conf(job: str, arguments: Mapping[str, str], glue_endpoint: str | None) -> dict[str, str]:
    """The Spark settings of the Iceberg catalog for the silver and gold jobs (none for bronze): the
    shared and local ones of iceberg.json, the layer path as warehouse, and the local Glue endpoint."""
    if job not in ICEBERG_JOBS:
        return {}
    catalog = f"spark.sql.catalog.{ICEBERG['catalog']}"
    layer = arguments.get(ICEBERG_JOBS[job]) or arguments.get(f"--{ICEBERG_JOBS[job]}")
    conf = {**ICEBERG["sparkConf"], **ICEBERG["localSparkConf"]}
    if layer:
        conf[f"{catalog}.warehouse"] = str(layer)
    if glue_endpoint:
        conf[f"{catalog}.glue.endpoint"] = glue_endpoint
    return conf


def submit_command(
    job: str, arguments: Mapping[str, str], py_files: Path, glue_endpoint: str | None = None
) -> list[str]:
    """The spark-submit command line of a job; argument names may be given with or without `--`."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}: expected one of {', '.join(JOBS)}")
    confs = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.executor.extraJavaOptions": JAVA_OPTIONS,
        **iceberg_conf(job, arguments, glue_endpoint),
    }
    command = [
        str(spark_submit_executable()),
        "--master", "local[2]",
        "--name", f"medallion-{job}",
        "--driver-memory", DRIVER_MEMORY,
        "--driver-java-options", JAVA_OPTIONS,
        "--jars", ",".join(str(j) for j in spark_jars()),
        "--py-files", str(py_files),
    ]  # fmt: skip
    for key, value in confs.items():
        command += ["--conf", f"{key}={value}"]
    command.append(str(GLUE_SCRIPTS / f"{job}_job.py"))
    for name, value in arguments.items():
        if value is not None:
            command += [f"--{name.removeprefix('--')}", str(value)]
    return command


def submit(job: str, arguments: Mapping[str, str], *, extra_env: Mapping[str, str] | None = None) -> None:
    """Runs the job to completion, streaming its output; raises JobFailed on a non-zero exit."""
    env = {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "TZ": "UTC",
    }
    env.update(extra_env or {})
    tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
    with tempfile.TemporaryDirectory(prefix="medallion-submit-") as tmp:
        command = submit_command(job, arguments, package_zip(Path(tmp)), env.get(GLUE_ENDPOINT))
        with subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        ) as process:
            for line in process.stdout:
                sys.stdout.write(line)
                tail.append(line)
            returncode = process.wait()
    if returncode != 0:
        raise JobFailed(job, returncode, "".join(tail))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in JOBS:
        print(f"usage: local_submit.py {{{'|'.join(JOBS)}}} --name value ...", file=sys.stderr)
        return 2
    sys.path.insert(0, str(GLUE_SCRIPTS))
    from medallion.arguments import ArgumentError, parse_pairs

    try:
        submit(argv[0], parse_pairs(argv[1:]))
    except (ArgumentError, FileNotFoundError) as err:
        print(f"local_submit: {err}", file=sys.stderr)
        return 2
    except JobFailed as err:
        print(f"local_submit: {argv[0]} job failed with exit code {err.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
