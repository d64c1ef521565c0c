"""A local Virtuoso Open Source server for councilkg: its ``virtuoso.ini``, start, user and stop.

The tests and the graph benchmark start one on loopback in a temporary directory; the same
settings suit a first production server (docs/virtuoso.md says which ones matter and why).
``virtuoso-t`` and ``isql-vt`` come with the Debian package ``virtuoso-opensource``.

>>> "ResultSetMaxRows = 100000000" in virtuoso_ini(Path("/tmp/v"), 1111, 8890)
True
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from councilkg.errors import CouncilKGError

SERVER_BINARY = "virtuoso-t"
ISQL_BINARY = "isql-vt"
START_TIMEOUT_S = 120.0


def virtuoso_ini(directory: Path, sql_port: int, http_port: int, buffers: int = 20000,
                 host: str = "127.0.0.1") -> str:
    """A ``virtuoso.ini`` keeping every file in ``directory`` and listening on ``host`` only.

    ``buffers`` are 8 KB pages of cache (20,000: ~170 MB); Virtuoso's guide gives ~2/3 of the
    RAM to them on a dedicated machine. The [SPARQL] limits are what councilkg relies on: no
    row cap below its own ``query_max_results`` (a cut answer is refused, not shown short), no
    refusal by the cost estimate, no server-wide time limit (councilkg sends one per query).
    """
    d = directory.resolve()
    return f"""; councilkg: Virtuoso for one knowledge graph (kg/virtuoso.py, docs/virtuoso.md)
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort                 = {host}:{sql_port}
DisableUnixSocket          = 1
DisableTcpSocket           = 0
MaxClientConnections       = 20
CheckpointInterval         = 60
O_DIRECT                   = 0
CaseMode                   = 2
DirsAllowed                = {d}
NumberOfBuffers            = {buffers}
MaxDirtyBuffers            = {buffers * 3 // 4}
MaxQueryMem                = 1G
ThreadsPerQuery            = 2
AsyncQueueMaxThreads       = 10
TransactionAfterImageLimit = 500000000

[HTTPServer]
ServerPort           = {host}:{http_port}
ServerRoot           = {d}
MaxClientConnections = 20
ServerThreads        = 20
KeepAliveTimeout     = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class VirtuosoServer:
    """A running ``virtuoso-t``: its directory, ports, process and councilkg's user."""

    directory: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen
    user: str = "councilkg"
    password: str = "councilkg"

    @property
    def endpoint(self) -> str:
        """The anonymous endpoint (read-only unless the ``SPARQL`` user was granted updates)."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def url(self) -> str:
        """The ``graph_store`` value: the digest-authenticated endpoint with the user's credentials."""
        return f"http://{self.user}:{self.password}@127.0.0.1:{self.http_port}/sparql-auth"

    def isql(self, *statements: str) -> str:
        """Run SQL statements as ``dba`` through ``isql-vt``; the output, or an error on failure."""
        script = self.directory / "councilkg-setup.sql"
        script.write_text("".join(s.rstrip().rstrip(";") + ";\n" for s in statements), encoding="utf-8")
        isql = shutil.which(ISQL_BINARY) or ISQL_BINARY
        done = subprocess.run([isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", str(script)],
                              capture_output=True, text=True, timeout=60, check=False)
        out = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in out:
            lines = [line for line in out.splitlines() if "Error" in line] or out.splitlines()[-1:]
            raise CouncilKGError(f"isql-vt on port {self.sql_port} failed: {lines[0] if lines else '?'}")
        return out

    def stop(self) -> None:
        """Stop the server (it checkpoints first) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def virtuoso_available() -> bool:
    """Whether ``virtuoso-t`` and ``isql-vt`` are installed."""
    return shutil.which(SERVER_BINARY) is not None and shutil.which(ISQL_BINARY) is not None


def start_virtuoso(directory: Path, buffers: int = 20000, anonymous_update: bool = False) -> VirtuosoServer:
    """Start ``virtuoso-t`` on free loopback ports with a fresh database in ``directory``.

    Creates councilkg's user with the ``SPARQL_UPDATE`` role (it writes through the digest-
    authenticated ``/sparql-auth``); ``anonymous_update`` also grants it to the anonymous
    ``SPARQL`` user, which makes ``/sparql`` writable by anyone who can reach the port.
    """
    if not virtuoso_available():
        raise CouncilKGError("virtuoso-t / isql-vt not found: install the Debian package virtuoso-opensource")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(directory, sql_port, http_port, buffers), encoding="utf-8")
    log = open(directory / "virtuoso-t.out", "wb")  # noqa: SIM115 (the process keeps writing it)
    process = subprocess.Popen(
        [shutil.which(SERVER_BINARY) or SERVER_BINARY, "+foreground", "+configfile", str(ini)],
        cwd=directory, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(directory)},
    )
    log.close()
    server = VirtuosoServer(directory, sql_port, http_port, process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            tail = (directory / "virtuoso-t.out").read_text(errors="replace").strip().splitlines()[-3:]
            raise CouncilKGError(f"virtuoso-t exited with {process.returncode}: {' / '.join(tail)}")
        try:
            urllib.request.urlopen(server.endpoint + "?query=ASK%7B%7D", timeout=2).read()
            break
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                server.stop()
                raise CouncilKGError(f"virtuoso-t did not answer on port {http_port} within "
                                     f"{START_TIMEOUT_S:g} s") from None
            time.sleep(0.3)
    statements = [f"DB.DBA.USER_CREATE ('{server.user}', '{server.password}')",
                  f'GRANT SPARQL_UPDATE TO "{server.user}"']
    if anonymous_update:
        statements.append('GRANT SPARQL_UPDATE TO "SPARQL"')
    try:
        server.isql(*statements)
    except Exception:
        server.stop()
        raise
    return server


@contextlib.contextmanager
def running_virtuoso(directory: Path | None = None, **options: object) -> Iterator[VirtuosoServer]:
    """:func:`start_virtuoso` for a ``with`` block (a temporary directory when none is given)."""
    with contextlib.ExitStack() as stack:
        if directory is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="virtuoso-")))
        server = start_virtuoso(directory, **options)  # type: ignore[arg-type]
        try:
            yield server
        finally:
            server.stop()


__all__ = ["VirtuosoServer", "running_virtuoso", "start_virtuoso", "virtuoso_available", "virtuoso_ini"]
