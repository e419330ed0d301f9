"""The local Athena: a Trino server (the engine Athena engine version 3 is built on) on 127.0.0.1,
whose Hive connector reads the local Glue catalog (`hive.metastore=glue` at the moto endpoint) and
the lake folder through Trino's local file system.

scripts/setup.sh installs the server (`io.trino:trino-server-core`) and the Hive plugin
(`io.trino:trino-hive`) from Maven into `.tools/`. Trino 476 needs Java 24 or later; the server is
started in the background (`start`) so the lake run does not wait for its ~25 s start-up, and
`wait` blocks until it accepts queries. Configuration: https://trino.io/docs/476/installation/deployment.html,
https://trino.io/docs/476/object-storage/metastores.html#aws-glue-catalog-configuration-properties,
https://trino.io/docs/476/object-storage/file-system-local.html
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from . import glue_catalog, trino_rules
from .errors import LocalDbError
from .servers import _pid_alive, free_port, log, write_private

VERSION = "476"
REPO = Path(__file__).resolve().parents[2]
INSTALL_DIR = REPO / ".tools" / f"trino-server-{VERSION}"
MIN_JAVA = 24
# The catalog name Athena gives the Glue Data Catalog; named queries name only database and table.
CATALOG = "awsdatacatalog"
# Trino's Iceberg catalog over the same Glue catalog (Athena reads Iceberg tables natively).
ICEBERG_CATALOG = "iceberg"
READY_TIMEOUT_S = 180
# A 2-core, 24 GiB machine runs Spark (4 GiB) beside it: 2 GiB heap, 1 GiB per query.
HEAP = "2G"
QUERY_MEMORY = "1GB"


def _java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    if not release.exists():
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)', release.read_text(), re.MULTILINE)
    return int(match.group(1)) if match else None


def find_java(jvm: Path = Path("/usr/lib/jvm")) -> Path:
    """A JDK >= 24: $TRINO_JAVA_HOME, $JAVA_HOME, or the newest under `jvm`."""
    candidates = [Path(p) for p in (os.environ.get("TRINO_JAVA_HOME"), os.environ.get("JAVA_HOME")) if p]
    if jvm.is_dir():
        candidates += sorted(jvm.iterdir(), key=lambda p: _java_major(p) or 0, reverse=True)
    for home in candidates:
        if (_java_major(home) or 0) >= MIN_JAVA and (home / "bin" / "java").exists():
            return home
    raise LocalDbError(
        "find java for trino",
        f"Trino {VERSION} needs Java {MIN_JAVA} or later and none was found "
        f"(looked at $TRINO_JAVA_HOME, $JAVA_HOME and {jvm}/*); install a JDK {MIN_JAVA}+ "
        "(for example Temurin 25) and set TRINO_JAVA_HOME to it",
    )


def _installed() -> Path:
    launcher = INSTALL_DIR / "bin" / "launcher"
    if not launcher.exists() or not all((INSTALL_DIR / "plugin" / p).is_dir() for p in ("hive", "iceberg")):
        raise LocalDbError(
            "find trino", f"Trino {VERSION} is not installed in {INSTALL_DIR}: run scripts/setup.sh"
        )
    return launcher


def config_files(data_dir: Path, port: int, glue_endpoint: str, lake_dir: Path) -> dict[str, str]:
    """The etc/ folder of the server: node, JVM, server and the one Hive catalog (pure)."""
    access_key, secret_key = glue_catalog.CREDENTIALS.values()
    lines = lambda *items: "\n".join(items) + "\n"  # noqa: E731
    return {
        "node.properties": lines(
            "node.environment=local_lake",
            "node.id=local-lake",
            f"node.data-dir={data_dir / 'data'}",
            # Loopback only: without these Trino announces and polls the machine's network address.
            "node.internal-address=127.0.0.1",
            "node.external-address=127.0.0.1",
            "node.bind-ip=127.0.0.1",
        ),
        "jvm.config": lines(
            "-server",
            f"-Xmx{HEAP}",
            "-XX:+UseG1GC",
            # C1 only: a local server lives minutes over small data, and C2's compilations would
            # double its start-up CPU (measured 21 s -> 10.5 s) on 2 cores the load and jobs need.
            "-XX:TieredStopAtLevel=1",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djdk.attach.allowAttachSelf=true",
            "-Duser.timezone=UTC",
        ),
        "config.properties": lines(
            "coordinator=true",
            "node-scheduler.include-coordinator=true",
            f"http-server.http.port={port}",
            f"discovery.uri=http://127.0.0.1:{port}",
            f"query.max-memory={QUERY_MEMORY}",
            f"query.max-memory-per-node={QUERY_MEMORY}",
            "http-server.log.enabled=false",
        ),
        "log.properties": lines("io.trino=WARN", "io.trino.server.Server=INFO"),
        # What a consumer sees: classified columns masked (trino_rules, docs/governance.md).
        "access-control.properties": trino_rules.access_control_properties(data_dir / "etc"),
        f"catalog/{CATALOG}.properties": lines(
            "connector.name=hive",
            "hive.metastore=glue",
            f"hive.metastore.glue.region={glue_catalog.REGION}",
            f"hive.metastore.glue.endpoint-url={glue_endpoint}",
            f"hive.metastore.glue.aws-access-key={access_key}",
            f"hive.metastore.glue.aws-secret-key={secret_key}",
            # moto answers every GetPartitions segment with all partitions: one segment, no duplicates.
            "hive.metastore.glue.partitions-segments=1",
            # Queries only, as through Athena's read path; the jobs own the catalog.
            "hive.security=read-only",
            # The lake folder is the root of local:/// locations (the jobs register them so).
            "fs.native-local.enabled=true",
            f"local.location={lake_dir}",
            # Silver and gold are Iceberg tables: queries of them go to the Iceberg catalog, so one
            # name serves both, as the Glue Data Catalog does in Athena.
            # https://trino.io/docs/476/connector/hive.html#table-redirection
            f"hive.iceberg-catalog-name={ICEBERG_CATALOG}",
        ),
        f"catalog/{ICEBERG_CATALOG}.properties": lines(
            "connector.name=iceberg",
            "iceberg.catalog.type=glue",
            f"hive.metastore.glue.region={glue_catalog.REGION}",
            f"hive.metastore.glue.endpoint-url={glue_endpoint}",
            f"hive.metastore.glue.aws-access-key={access_key}",
            f"hive.metastore.glue.aws-secret-key={secret_key}",
            "iceberg.security=read-only",
            # Iceberg records absolute file: URIs (local Spark's HadoopFileIO); they resolve from /.
            "fs.native-local.enabled=true",
            "local.location=/",
        ),
    }


def _server_file(data_dir: Path) -> Path:
    return data_dir / "server.json"


def read_server(data_dir: Path | str) -> dict:
    path = _server_file(Path(data_dir))
    if not path.exists():
        raise LocalDbError("read trino server", f"{path} does not exist: start Trino first")
    return json.loads(path.read_text())


def _launcher_args(data_dir: Path) -> list[str]:
    return [
        "--etc-dir",
        str(data_dir / "etc"),
        "--data-dir",
        str(data_dir / "data"),
        "--launcher-log-file",
        str(data_dir / "launcher.log"),
        "--server-log-file",
        str(data_dir / "server.log"),
    ]


def start(data_dir: Path | str, glue_endpoint: str, lake_dir: Path | str, port: int | None = None) -> dict:
    """Launches Trino in the background (or finds it running against the same catalog); does not
    wait for it to accept queries (see `wait`)."""
    data_dir = Path(data_dir).resolve()
    launcher = _installed()
    java = find_java()
    server_file = _server_file(data_dir)
    if server_file.exists():
        running = json.loads(server_file.read_text())
        if running.get("glue") == glue_endpoint and _pid_alive(_launcher_pid(data_dir)):
            log(f"trino already running at {running['url']}")
            return {**running, "reused": True}
        stop(data_dir)
    port = port or free_port()
    for name, text in config_files(data_dir, port, glue_endpoint, Path(lake_dir).resolve()).items():
        (data_dir / "etc" / name).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / "etc" / name).write_text(text)
    trino_rules.write(data_dir / "etc", glue_endpoint, settle=False)
    env = {**os.environ, "JAVA_HOME": str(java), "PATH": f"{java / 'bin'}:{os.environ.get('PATH', '')}"}
    log(f"starting trino {VERSION} on http://127.0.0.1:{port} (java {java})")
    result = subprocess.run(
        [str(launcher), "start", *_launcher_args(data_dir)], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise LocalDbError("start trino", (result.stderr or result.stdout).strip()[-1500:])
    entry = {
        "url": f"http://127.0.0.1:{port}",
        "port": port,
        "glue": glue_endpoint,
        "catalog": CATALOG,
        "jobUser": trino_rules.JOB_USER,
        "log": str(data_dir / "server.log"),
        "started": time.time(),
    }
    write_private(server_file, entry)
    return entry


def _launcher_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "data" / "var" / "run" / "launcher.pid"
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _info(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/v1/info", timeout=5) as response:
        return json.load(response)


SERVER_STARTED_LINE = r"^(\S+)\s+INFO\s+\S+\s+io\.trino\.server\.Server\s+=+ SERVER STARTED =+"


def ready_at(log_text: str) -> float | None:
    """When the server logged that it started (epoch seconds), from its server.log; None if not yet."""
    match = re.search(SERVER_STARTED_LINE, log_text, re.MULTILINE)
    if not match:
        return None
    return datetime.fromisoformat(match.group(1).replace("Z", "+00:00")).timestamp()


def wait(data_dir: Path | str, timeout_s: float = READY_TIMEOUT_S) -> dict:
    """Blocks until Trino accepts queries, its access rules following the catalog's classifications
    (`trino_rules.write`); returns its entry with the seconds it took to start (from its log: the run
    waits for it long after it is ready, which would overstate the start)."""
    data_dir = Path(data_dir)
    entry = read_server(data_dir)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _pid_alive(_launcher_pid(data_dir)):
            break
        try:
            if not _info(entry["url"]).get("starting", True):
                # The rules of the catalog as the jobs left it, before anyone queries.
                trino_rules.write(data_dir / "etc", entry["glue"])
                log_file = Path(entry["log"])
                ready = ready_at(log_file.read_text(errors="replace")) if log_file.exists() else None
                return {**entry, "startSeconds": round((ready or time.time()) - entry["started"], 1)}
        except OSError:
            pass
        time.sleep(0.5)
    log_file = Path(entry["log"])
    tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else "(no log)"
    state = "exited" if not _pid_alive(_launcher_pid(data_dir)) else f"not ready after {timeout_s:.0f}s"
    raise LocalDbError("wait for trino", f"{state}; log {log_file}:\n{tail}")


def stop(data_dir: Path | str) -> dict:
    data_dir = Path(data_dir)
    if not _server_file(data_dir).exists():
        return {"stopped": False}
    if _pid_alive(_launcher_pid(data_dir)):
        subprocess.run([str(_installed()), "stop", *_launcher_args(data_dir)], capture_output=True, text=True)
    _server_file(data_dir).unlink(missing_ok=True)
    log("stopped trino")
    return {"stopped": True}
