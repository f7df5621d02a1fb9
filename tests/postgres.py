"""A throwaway PostgreSQL server for the tests that need a real database.

One server per test session (per pytest-xdist worker): `initdb` into a temporary folder,
`pg_ctl start` on a free loopback port with fsync off and trust auth, stopped and removed
at the end even when tests fail. Each test gets a fresh database (`pg_database`).

`initdb` refuses to run as root, so as root the server runs as the `postgres` system user
(`runuser -u postgres`); as another user it runs as that user. Tests skip with a reason
when the binaries (Debian's `postgresql` package) or `runuser` are missing.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_ROOT = Path("/usr/lib/postgresql")


def _bin_dir() -> Path | None:
    """The newest installed server's bin directory."""
    found = sorted(PG_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class PgServer:
    port: int
    host: str = "127.0.0.1"
    user: str = "postgres"

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            conn.execute(sql)


def _run_as(user: str | None, *argv: str | Path) -> None:
    prefix = ["runuser", "-u", user, "--"] if user else []
    result = subprocess.run(
        [*prefix, *map(str, argv)], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{Path(str(argv[0])).name} failed:\n{result.stdout}{result.stderr}")


@contextlib.contextmanager
def running_server() -> Iterator[PgServer]:
    """Start a server in a temporary folder; stop it and remove the folder afterwards."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip(f"PostgreSQL server binaries not found under {PG_ROOT} (apt-get postgresql)")
    run_user = None
    if os.geteuid() == 0:  # initdb refuses root: run as the postgres system user
        if shutil.which("runuser") is None:
            pytest.skip("running as root but `runuser` is missing: cannot start PostgreSQL")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root but there is no `postgres` system user")
        run_user = "postgres"
    base = Path(tempfile.mkdtemp(prefix="orion-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if run_user:
        for path in (base, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    started = False
    try:
        _run_as(run_user, bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        options = (
            f"-F -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            f"-k {sockets} -p {port} -c listen_addresses=127.0.0.1"
        )
        _run_as(run_user, bin_dir / "pg_ctl", "-D", data, "-l", base / "server.log",
                "-w", "-o", options, "start")  # fmt: skip
        started = True
        yield PgServer(port)
    finally:
        if started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                _run_as(run_user, bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway server for the whole session (one per xdist worker)."""
    with running_server() as server:
        yield server


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """A fresh, empty database for one test; its DSN. Dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg_server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.dsn(name)
    finally:
        pg_server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
