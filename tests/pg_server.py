"""A real PostgreSQL server for the store tests: initdb in a temporary folder, loopback only.

``postgres_server`` (session) starts one server for the whole run; ``postgres_url`` (per
test) creates a fresh database on it, so every test starts from empty tables. Tests using
them are skipped, with the reason, when the Debian PostgreSQL binaries are not installed.
initdb refuses to run as root, so as root the server runs as ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
"""Debian's versioned binary folders, newest first (``apt-get install postgresql``)."""


def postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None when PostgreSQL is not installed."""
    for folder in PG_BIN_DIRS:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    """``argv`` run as ``nobody`` when we are root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "nobody", "--", *argv] if os.geteuid() == 0 else argv


class PostgresServer:
    """One throwaway server: ``url(dbname)`` connects to a database on it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="councilkg-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "councilkg"

    def start(self) -> None:
        """initdb, then pg_ctl start on 127.0.0.1 (no Unix socket outside the temp folder)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "nobody", "nogroup")
        log = self.root / "server.log"
        subprocess.run(
            _as_server_user(
                [str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust"]
                + ["-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        subprocess.run(
            _as_server_user(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options]
                + ["-w", "start"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        subprocess.run(
            _as_server_user([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        """A ``postgresql://`` URL of a database on this server."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by :meth:`create_database` (its connections are closed first)."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test run (skipped when PostgreSQL is not installed)."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql): server back end untested")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: PostgreSQL back end untested")
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        server.stop()
        detail = getattr(exc, "stderr", b"") or b""
        pytest.fail(f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[-400:]}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of an empty database of its own for one test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.server)]
"""Parameters of a fixture that runs a store test once per back end."""


def backend_settings(request: pytest.FixtureRequest, data_dir: Path) -> dict[str, str]:
    """Setting overrides selecting the back end of ``request.param`` for ``data_dir``."""
    values = {"data_dir": str(data_dir)}
    if request.param == "postgres":
        values["database"] = request.getfixturevalue("postgres_url")
    return values
