"""Start and stop one PostgreSQL and one MariaDB server on 127.0.0.1, with their data under one folder.

PostgreSQL refuses to run as root, so when we are root it runs as the `postgres` system user.
Admin credentials are random per data folder and kept in DIR/servers.json (mode 0600).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pymysql

from .errors import LocalDbError

READY_TIMEOUT_S = 60
ADMIN_USER = "lakeadmin"


def log(message: str) -> None:
    print(f"[localdb] {message}", file=sys.stderr, flush=True)


def _run(step: str, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        output = (result.stderr.strip() or result.stdout.strip())[-2000:]
        raise LocalDbError(step, f"`{' '.join(args)}` exited with {result.returncode}: {output}")
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_root() -> bool:
    return os.geteuid() == 0


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def _mariadbd() -> Path | None:
    for candidate in (shutil.which("mariadbd"), "/usr/sbin/mariadbd"):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def ensure_installed() -> tuple[Path, Path]:
    """The PostgreSQL bin folder and mariadbd; installs the Debian packages when missing and we are root."""
    missing = [
        package
        for package, found in (("postgresql", _postgres_bin()), ("mariadb-server", _mariadbd()))
        if found is None
    ]
    if missing:
        setup = Path(__file__).resolve().parents[2] / "scripts" / "setup.sh"
        if _is_root() and shutil.which("apt-get"):
            log(f"installing {' '.join(missing)} through scripts/setup.sh")
            _run("install database servers", ["bash", str(setup)])
        else:
            raise LocalDbError(
                "find database servers",
                f"missing {', '.join(missing)}; install them (Debian/Ubuntu: "
                f"sudo apt-get install {' '.join(missing)}) and retry",
            )
    pg_bin, mariadbd = _postgres_bin(), _mariadbd()
    if pg_bin is None or mariadbd is None:
        raise LocalDbError("find database servers", "still missing after installation")
    return pg_bin, mariadbd


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if _is_root() else args


def _check_reachable(path: Path, user: str) -> None:
    """Fail clearly when the postgres user cannot reach the data folder (e.g. a 0700 parent)."""
    for parent in [*reversed(path.parents)]:
        mode = parent.stat().st_mode
        if parent.stat().st_uid != pwd.getpwnam(user).pw_uid and not mode & 0o001:
            raise LocalDbError(
                "start postgres",
                f"user {user} cannot traverse {parent} (mode {oct(mode & 0o777)}); "
                f"use a data folder whose parents are world-executable (chmod o+x {parent})",
            )


def _pid_alive(pid: int | None) -> bool:
    """Whether the process runs; a zombie (exited, not yet reaped by its parent) does not."""
    if not pid:
        return False
    try:
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except (FileNotFoundError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait(step: str, probe, log_file: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            probe()
            return
        except Exception as error:  # noqa: BLE001 - any connection error means "not ready yet"
            last = error
            time.sleep(0.3)
    tail = log_file.read_text(errors="replace")[-1500:] if log_file.exists() else "(no log)"
    raise LocalDbError(step, f"not ready after {READY_TIMEOUT_S}s ({last}); log {log_file}:\n{tail}")


def _admin_entry(port: int, password: str, data: Path, log_file: Path) -> dict:
    """What servers.json records of either server: its loopback admin login, data folder and log."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "user": ADMIN_USER,
        "password": password,
        "data": str(data),
        "log": str(log_file),
    }


def _login(server: dict) -> dict:
    """The admin login of a servers.json entry, as keyword arguments both drivers accept."""
    return {
        "host": server["host"],
        "port": server["port"],
        "user": server["user"],
        "password": server["password"],
        "connect_timeout": 5,
    }


def pg_connect(server: dict, dbname: str = "postgres", **kwargs) -> psycopg.Connection:
    return psycopg.connect(**_login(server), dbname=dbname, **kwargs)


def mariadb_connect(server: dict, database: str | None = None, **kwargs) -> pymysql.Connection:
    return pymysql.connect(**_login(server), database=database, **kwargs)


def write_private(path: Path, payload: dict) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle, indent=2)
    os.chmod(path, 0o600)


def _orphaned_data(step: str, data: Path, root: Path) -> LocalDbError:
    """A data folder survives but the servers.json with its admin password does not."""
    return LocalDbError(
        step,
        f"{data} exists but {root.parent}/servers.json with its admin password is missing; "
        "remove the data folder to start afresh",
    )


def read_servers(data_dir: Path) -> dict:
    path = Path(data_dir) / "servers.json"
    if not path.exists():
        raise LocalDbError("read servers", f"{path} does not exist: run `start --data-dir {data_dir}` first")
    return json.loads(path.read_text())


def _start_postgres(pg_bin: Path, root: Path, port: int | None, previous: dict | None) -> dict:
    data, log_file = root / "data", root / "postgres.log"
    run_as = "postgres" if _is_root() else pwd.getpwuid(os.geteuid()).pw_name
    root.mkdir(parents=True, exist_ok=True)
    if _is_root():
        _check_reachable(root, run_as)
        shutil.chown(root, run_as, run_as)
    os.chmod(root, 0o700)
    if previous and _pid_alive(_pg_pid(data)):
        log(f"postgres already running on port {previous['port']}")
        return {**previous, "pid": _pg_pid(data)}
    if not (data / "PG_VERSION").exists():
        password = previous["password"] if previous else secrets.token_urlsafe(24)
        pwfile = root / "admin.pw"
        pwfile.write_text(password + "\n")
        if _is_root():
            shutil.chown(pwfile, run_as, run_as)
        os.chmod(pwfile, 0o600)
        log(f"initializing postgres data in {data}")
        try:
            _run(
                "initialize postgres",
                _as_postgres(
                    [
                        str(pg_bin / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        ADMIN_USER,
                        "--auth=scram-sha-256",
                        f"--pwfile={pwfile}",
                        "--encoding=UTF8",
                        "--locale=C.UTF-8",
                    ]
                ),
            )
        finally:
            pwfile.unlink(missing_ok=True)
    else:
        if not previous:
            raise _orphaned_data("start postgres", data, root)
        password = previous["password"]
    port = port or (previous or {}).get("port") or free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' -c fsync=off"
    log(f"starting postgres on 127.0.0.1:{port}")
    _run(
        "start postgres",
        _as_postgres(
            [
                str(pg_bin / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log_file),
                "-o",
                options,
                "-w",
                "-t",
                str(READY_TIMEOUT_S),
                "start",
            ]
        ),
    )
    server = {**_admin_entry(port, password, data, log_file), "bin": str(pg_bin), "run_as": run_as}
    _wait("wait for postgres", lambda: pg_connect(server).close(), log_file)
    return {**server, "pid": _pg_pid(data)}


def _pg_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return None


def _socket_path(root: Path) -> Path:
    """Unix socket paths are limited to ~107 bytes; long data folders get a short one under /tmp."""
    path = root / "mariadb.sock"
    if len(str(path)) < 100:
        return path
    return Path("/tmp") / f"localdb-{hashlib.sha256(str(root).encode()).hexdigest()[:12]}.sock"


def _start_mariadb(mariadbd: Path, root: Path, port: int | None, previous: dict | None) -> dict:
    data, log_file, pid_file, sock = (
        root / "data",
        root / "mariadb.log",
        root / "mariadb.pid",
        _socket_path(root),
    )
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    pid = int(pid_file.read_text().strip()) if pid_file.exists() else None
    if previous and _pid_alive(pid):
        log(f"mariadb already running on port {previous['port']}")
        return {**previous, "pid": pid}
    fresh = not (data / "mysql").exists()
    if fresh:
        log(f"initializing mariadb data in {data}")
        install_db = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
        args = [
            install_db,
            "--no-defaults",
            f"--datadir={data}",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
        ]
        if _is_root():
            args.append("--user=root")
        _run("initialize mariadb", args)
    elif not previous:
        raise _orphaned_data("start mariadb", data, root)
    port = port or (previous or {}).get("port") or free_port()
    args = [
        str(mariadbd),
        "--no-defaults",
        f"--datadir={data}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--socket={sock}",
        f"--pid-file={pid_file}",
        f"--log-error={log_file}",
        "--skip-name-resolve",
        "--local-infile=1",
        "--innodb-flush-log-at-trx-commit=0",
        "--character-set-server=utf8mb4",
    ]
    if _is_root():
        args.append("--user=root")
    log(f"starting mariadb on 127.0.0.1:{port}")
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(
            args, stdin=devnull, stdout=devnull, stderr=devnull, start_new_session=True
        )
    password = previous["password"] if previous else secrets.token_urlsafe(24)
    server = {**_admin_entry(port, password, data, log_file), "socket": str(sock), "pid_file": str(pid_file)}

    def ready() -> None:
        if process.poll() is not None:
            raise LocalDbError("start mariadb", f"mariadbd exited with {process.returncode}; see {log_file}")
        if fresh:
            # The admin user is created once, over the socket: mariadb-install-db gives root (and the
            # installing OS user) a socket-authenticated login.
            os_user = pwd.getpwuid(os.geteuid()).pw_name
            with pymysql.connect(unix_socket=str(sock), user=os_user) as conn, conn.cursor() as cur:
                cur.execute(
                    f"CREATE USER IF NOT EXISTS '{ADMIN_USER}'@'127.0.0.1' IDENTIFIED BY %s", (password,)
                )
                cur.execute(f"GRANT ALL PRIVILEGES ON *.* TO '{ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION")
        mariadb_connect(server).close()

    try:
        _wait("wait for mariadb", ready, log_file)
    except LocalDbError:
        if process.poll() is None:
            process.terminate()
        raise
    return {**server, "pid": process.pid}


def start(data_dir: Path | str, pg_port: int | None = None, mariadb_port: int | None = None) -> dict:
    """Start (initializing on first use) both servers, reusing running ones. Returns servers.json."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pg_bin, mariadbd = ensure_installed()
    state_file = data_dir / "servers.json"
    previous = json.loads(state_file.read_text()) if state_file.exists() else {}
    servers = dict(previous)
    try:
        servers["postgres"] = _start_postgres(
            pg_bin, data_dir / "postgres", pg_port, previous.get("postgres")
        )
        write_private(state_file, servers)
        servers["mariadb"] = _start_mariadb(
            mariadbd, data_dir / "mariadb", mariadb_port, previous.get("mariadb")
        )
    finally:
        write_private(state_file, servers)
    return servers


def _wait_gone(pid: int, step: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while _pid_alive(pid):
        if time.monotonic() > deadline:
            raise LocalDbError(step, f"process {pid} still running after {timeout}s")
        try:  # reap it when it is our child
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.2)


def stop(data_dir: Path | str) -> dict:
    """Stop both servers cleanly; stopping what is not running is fine. Returns what was stopped."""
    data_dir = Path(data_dir).resolve()
    state_file = data_dir / "servers.json"
    if not state_file.exists():
        log(f"nothing to stop: {state_file} does not exist")
        return {"postgres": "not running", "mariadb": "not running"}
    servers = json.loads(state_file.read_text())
    result = {}
    pg = servers.get("postgres")
    if pg and _pid_alive(_pg_pid(Path(pg["data"]))):
        log("stopping postgres")
        _run(
            "stop postgres",
            _as_postgres([str(Path(pg["bin"]) / "pg_ctl"), "-D", pg["data"], "-m", "fast", "-w", "stop"]),
        )
        result["postgres"] = "stopped"
    else:
        result["postgres"] = "not running"
    maria = servers.get("mariadb")
    pid_file = Path(maria["pid_file"]) if maria else None
    pid = int(pid_file.read_text().strip()) if pid_file and pid_file.exists() else None
    if pid and _pid_alive(pid):
        log("stopping mariadb")
        os.kill(pid, signal.SIGTERM)  # mariadbd shuts down cleanly on SIGTERM
        _wait_gone(pid, "stop mariadb")
        result["mariadb"] = "stopped"
    else:
        result["mariadb"] = "not running"
    return result


@contextlib.contextmanager
def running(data_dir: Path | str | None = None):
    """Servers for the duration of a block, stopped afterwards even on failure. Without a data folder, a
    throwaway one under the system temp folder (traversable by the postgres user, 0711) is used and
    removed afterwards."""
    scratch = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="localdb-")) if scratch else Path(data_dir)
    if scratch:
        os.chmod(folder, 0o711)
    try:
        yield folder, start(folder)
    finally:
        try:
            stop(folder)
        finally:
            if scratch:
                shutil.rmtree(folder, ignore_errors=True)
