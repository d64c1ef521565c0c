"""A worker process that evaluates SPARQL on the embedded store and can be killed at a time limit.

pyoxigraph offers no way to cancel a running query, and a thread cannot be stopped, so
queries run in a child process (``python -m kg.query_process``) that opens the store
read-only. At the limit the child is killed (the work really stops) and a fresh one starts
with the next query. The child reopens the store when the store's stamp file changes.
Requests and replies are length-prefixed pickles over the child's stdin and stdout.

The child caps its own memory (``RLIMIT_DATA``, setting ``query_memory_mb``) so a query that
would take the machine's memory dies alone inside its cap, and on Linux it moves into a new
network namespace with no interfaces before it loads the engine, so even a SERVICE clause that
slipped past the check could not reach any host (pyoxigraph has no switch to turn SERVICE off).
"""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from councilkg.errors import QueryError, QueryTimeout

_HEADER = struct.Struct("!Q")
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
STARTUP_TIMEOUT_S = 60.0
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


class QueryOverMemory(QueryError):
    """A query that ran out of its worker's memory cap."""


class QueryOverCPU(QueryTimeout):
    """A query that used up its CPU-time limit (it is costly, not merely slowed by a busy machine)."""


def limit_memory(memory_mb: int) -> None:
    """Cap this process's data memory (heap and private mappings) at ``memory_mb``; 0 means no cap.

    ``RLIMIT_DATA`` rather than ``RLIMIT_AS``: address space also counts the reserved, unused
    arenas of every thread and mapped files, which would refuse ordinary queries.
    """
    import resource

    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


def isolate_network() -> bool:
    """Move this (still single-threaded) process into an empty network namespace, where possible.

    Uses an unprivileged user namespace; where the kernel or a container forbids that, nothing
    changes and False is returned (the parser check is then the only guard against SERVICE).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def memory_message(memory_mb: int) -> str:
    """The one-line error of a query that ran out of its memory cap."""
    return f"query needed more memory than the limit of {memory_mb} MB (setting query_memory_mb)"


def _send(stream: IO[bytes], message: Any) -> None:
    blob = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(blob)) + blob)
    stream.flush()


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive(stream: IO[bytes]) -> Any:
    (size,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    return pickle.loads(_read_exact(stream, size))


def answer(store: Any, sparql: str, fmt: str | None, max_results: int) -> tuple[Any, ...]:
    """Evaluate one query on an open pyoxigraph store; ``("ok", body, media)`` or ``("error", msg)``."""
    from kg.results import serialise

    try:
        from kg.query import declares_dataset

        # A query naming its graphs (FROM, or the protocol's default-graph-uri) runs on those.
        result = store.query(sparql, use_default_graph_as_union=not declares_dataset(sparql))
        body, media = serialise(result, fmt, max_results)
        return ("ok", body, media)
    except MemoryError:
        return ("memory",)
    except SyntaxError as exc:
        return ("error", f"SPARQL syntax error: {str(exc).splitlines()[0]}")
    except QueryError as exc:
        return ("error", exc.message)
    except Exception as exc:  # any evaluation failure becomes one line for the user
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        return ("error", f"query failed: {type(exc).__name__}: {first_line}")


def _open_read_only(path: str) -> Any:
    """Open a read-only view, retrying while a writer's compaction swaps the files underneath."""
    from pyoxigraph import Store

    for attempt in range(10):
        try:
            return Store.read_only(path)
        except (OSError, RuntimeError):
            if attempt == 9:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _is_storage_error(reply: tuple[Any, ...]) -> bool:
    return reply[0] == "error" and any(w in reply[1] for w in ("No such file", "Corruption", "IO error"))


def serve(inp: IO[bytes], out: IO[bytes]) -> None:
    """Child main loop: say "ready", then answer (path, stamp, sparql, fmt, max_results) requests."""
    store: Any = None
    opened: tuple[str, str] | None = None
    _send(out, "ready")
    while True:
        try:
            path, stamp, sparql, fmt, max_results = _receive(inp)
        except EOFError:
            return
        reply: tuple[Any, ...] = ("error", "not run")
        for _ in range(2):  # a second try on a fresh view when the files moved under the first
            if opened != (path, stamp):
                store = None
                try:
                    store = _open_read_only(path)
                    opened = (path, stamp)
                except (OSError, RuntimeError) as exc:
                    reply = ("error", f"graph store {path} cannot be read: {str(exc).splitlines()[0]}")
                    break
            reply = answer(store, sparql, fmt, max_results)
            if not _is_storage_error(reply):
                break
            opened = None
        _send(out, reply)


def _await_reply(
    process: subprocess.Popen[bytes], timeout_s: float, cpu_limit_s: float | None
) -> QueryTimeout | None:
    """Wait for the child's reply: None once it is there, else the error that stops the query,
    with the CPU seconds the query used as its ``cpu_s`` (None where they cannot be read).

    A CPU-time limit measures what the query costs rather than how busy the machine is: on a
    loaded machine a trivial query can take a second of wall time."""
    assert process.stdout is not None
    wall_message = f"query stopped after the time limit of {timeout_s:g} s (setting query_timeout_s)"
    deadline = time.monotonic() + timeout_s
    start = process_cpu_s(process.pid)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            error = QueryTimeout(wall_message)
            break
        poll_s = left if cpu_limit_s is None else min(left, CPU_POLL_S)
        ready, _, _ = select.select([process.stdout], [], [], poll_s)
        if ready:
            return None
        used = process_cpu_s(process.pid) if cpu_limit_s is not None else None
        if start is not None and used is not None and cpu_limit_s is not None and used - start >= cpu_limit_s:
            error = QueryOverCPU(f"query stopped after {cpu_limit_s:g} s of CPU time")
            break
    now = process_cpu_s(process.pid)
    error.cpu_s = now - start if start is not None and now is not None else None  # type: ignore[attr-defined]
    return error


class QueryProcess:
    """One reusable child process running queries on a read-only view of an Oxigraph store.

    Once a query has been killed (time limit, memory cap), a standby child is kept started, with
    the store opened by a trivial query: the next query takes it at once instead of waiting for
    Python and the engine to import (a second or more on a busy machine), and a new standby
    starts behind it."""

    def __init__(self, store_path: Path, memory_mb: int = 0) -> None:
        self.store_path = store_path
        self.memory_mb = memory_mb
        self._process: subprocess.Popen[bytes] | None = None
        self._spare: subprocess.Popen[bytes] | None = None
        self._stamp = ""

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT_ROOT, env.get("PYTHONPATH", "")) if p)
        return subprocess.Popen(
            [sys.executable, "-m", "kg.query_process", str(self.memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )

    def _replace(self) -> None:
        """Kill the child (a query it ran was stopped); make sure its successor is starting."""
        self._kill_active()
        self._start_spare()

    def _start_spare(self) -> None:
        """Start the standby child, unless one is alive, and have it open the store."""
        if self._spare is not None and self._spare.poll() is None:
            return
        if self._spare is not None:
            _reap(self._spare)
        spare = self._spare = self._spawn()
        assert spare.stdin is not None
        try:
            _send(spare.stdin, (str(self.store_path), self._stamp, WARM_UP_QUERY, "json", 1))
        except OSError:
            _reap(spare)
            self._spare = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        spare, self._spare = self._spare, None
        self._kill_active()
        process = self._process = spare if spare is not None and spare.poll() is None else self._spawn()
        if spare is not None and process is not spare:
            _reap(spare)
        if spare is not None:
            self._start_spare()  # queries here have been killed before: keep a standby
        # The time limit covers evaluation only, so wait (generously) for the child to import.
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT_S)
        try:
            if not ready or _receive(process.stdout) != "ready":
                raise EOFError
            if process is spare:
                # Its warm-up answer comes next (read without select: it may already sit in the
                # pipe's buffer beside "ready"; a trivial ASK answers, or the child is gone: EOF).
                _receive(process.stdout)
        except EOFError:
            self.close()
            raise QueryError("the SPARQL worker process could not start") from None
        return process

    def run(
        self, sparql: str, fmt: str | None, timeout_s: float, max_results: int, stamp: str,
        cpu_limit_s: float | None = None,
    ) -> tuple[bytes, str]:
        """Evaluate one query; kills the child and raises :class:`QueryTimeout` past ``timeout_s``
        (wall clock) or, when given, past ``cpu_limit_s`` of the child's CPU time."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        self._stamp = stamp
        try:
            _send(process.stdin, (str(self.store_path), stamp, sparql, fmt, max_results))
            stopped = _await_reply(process, timeout_s, cpu_limit_s)
            if stopped is not None:
                self._replace()
                raise stopped
            reply = _receive(process.stdout)
        except (EOFError, OSError):
            returncode = self._kill_active(grace_s=2.0)
            self._start_spare()
            # Past RLIMIT_DATA the engine's allocator aborts the process (Rust: "memory allocation
            # failed" then SIGABRT); the kernel's OOM killer sends SIGKILL.
            if self.memory_mb > 0 and returncode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
                raise QueryOverMemory(memory_message(self.memory_mb)) from None
            raise QueryError("query worker stopped unexpectedly") from None
        if reply[0] == "ok":
            return reply[1], reply[2]
        if reply[0] == "memory":
            self._replace()  # a process that met its cap may be left in a bad state: start afresh
            raise QueryOverMemory(memory_message(self.memory_mb))
        raise QueryError(reply[1])

    def close(self, grace_s: float = 0.0) -> int | None:
        """Kill the child processes, if any, and reap them; the exit status of the one running
        queries (None when there was none).

        ``grace_s``: how long to let a dying child finish exiting first (so its status says why).
        """
        if self._spare is not None:
            _reap(self._spare)
            self._spare = None
        return self._kill_active(grace_s)

    def _kill_active(self, grace_s: float = 0.0) -> int | None:
        """Kill and reap the child running queries (not the standby); its exit status."""
        if self._process is None:
            return None
        process, self._process = self._process, None
        try:
            returncode = process.wait(timeout=grace_s) if grace_s > 0 else process.poll()
        except subprocess.TimeoutExpired:
            returncode = None
        if returncode is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        return returncode


CPU_POLL_S = 0.05
"""How often a query under a CPU-time limit has its worker's CPU time read."""
WARM_UP_QUERY = "ASK {}"
"""What a freshly started worker runs first, to open the store before a real query comes."""


def process_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system, all threads) used so far by process ``pid``; None where
    ``/proc`` cannot tell (not Linux, or the process is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Kill a child that never ran a query and close its pipes."""
    process.kill()
    process.wait(timeout=10)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


if __name__ == "__main__":
    isolate_network()  # first, while this process has one thread
    limit_memory(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    _out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies may reach the parent's pipe
    serve(sys.stdin.buffer, _out)
