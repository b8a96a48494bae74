"""Helpers for the store, crash and concurrency tests: a throwaway PostgreSQL server, state snapshots."""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from typing import Any

import pytest

from routing_core import Engine, Event

PG_ENV = "ROUTING_CORE_TEST_POSTGRES"


def events(engine: Engine) -> list[Event]:
    """Every event of the engine (ids are E00000001.. in order of opening)."""
    return [engine.event(f"E{k:08d}") for k in range(1, engine.stats().events + 1)]


def decision_summary(d: Any) -> dict[str, Any]:
    return d.to_dict()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> str | None:
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(os.path.realpath(found))
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(candidates[-1]) if candidates else None


class PostgresServer:
    """A PostgreSQL server of its own in a temporary directory, on 127.0.0.1 and a free port.

    As root it runs as the ``postgres`` system user (Debian's package creates it): the server refuses
    to run as root.
    """

    def __init__(self) -> None:
        self.url = ""
        self._dir = ""
        self._bin = ""
        self._as: list[str] = []

    def start(self) -> str | None:
        """Start and return None, or the reason it cannot run here."""
        bin_dir = _pg_bin()
        if bin_dir is None:
            return "no PostgreSQL server binaries (initdb) on this machine: apt-get install postgresql"
        self._bin = bin_dir
        self._dir = tempfile.mkdtemp(prefix="routing_core_pg_")
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run the server as"
            os.chmod(self._dir, 0o755)
            os.chown(self._dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        data = os.path.join(self._dir, "data")
        port = _free_port()
        try:
            subprocess.run(
                [
                    *self._as,
                    f"{bin_dir}/initdb",
                    "-D",
                    data,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            subprocess.run(
                [
                    *self._as,
                    f"{bin_dir}/pg_ctl",
                    "-D",
                    data,
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    os.path.join(self._dir, "log"),
                    "-o",
                    f"-c listen_addresses=127.0.0.1 -p {port} -k {self._dir} -c fsync=on",
                    "start",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            return f"cannot start a PostgreSQL server: {exc} {detail.decode(errors='replace')[-300:]}"
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        return None

    def stop(self) -> None:
        if self._dir and self.url:
            subprocess.run(
                [
                    *self._as,
                    f"{self._bin}/pg_ctl",
                    "-D",
                    os.path.join(self._dir, "data"),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)


_SHARED: dict[str, Any] = {}


def shared_postgres() -> tuple[str | None, str]:
    """(URL, "") of a server shared by the whole session, started on first use and stopped at exit;
    or (None, the reason it cannot run here). $ROUTING_CORE_TEST_POSTGRES names an external one."""
    if os.environ.get(PG_ENV):
        return os.environ[PG_ENV], ""
    if "result" not in _SHARED:
        server = PostgresServer()
        reason = server.start()
        atexit.register(server.stop)
        _SHARED["result"] = (None, reason) if reason else (server.url, "")
    result: tuple[str | None, str] = _SHARED["result"]
    return result


def fresh_database(server_url: str) -> str:
    """Create an empty database on the server and return its URL."""
    import psycopg

    name = "rc_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


def wait_until(predicate: Any, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A PostgreSQL server for the store tests: $ROUTING_CORE_TEST_POSTGRES, or one started here."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install '.[postgres]' to test the PostgreSQL store")
    url, reason = shared_postgres()
    if url is None:
        pytest.skip(f"no PostgreSQL server can run here: {reason}")
    return url
