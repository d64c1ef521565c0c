"""A worker process that evaluates SPARQL on the embedded store and can be killed at a time limit.

pyoxigraph offers no way to cancel a running query, and a thread cannot be stopped, so
queries run in a child process (``python -m kg.query_process``) that opens the store
read-only. At the limit the child is killed (the work really stops) and a fresh one starts
with the next query. The child reopens the store when the store's stamp file changes.
Requests and replies are length-prefixed pickles over the child's stdin and stdout.
"""

from __future__ import annotations

import os
import pickle
import select
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
        result = store.query(sparql, use_default_graph_as_union=True)
        body, media = serialise(result, fmt, max_results)
        return ("ok", body, media)
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


class QueryProcess:
    """One reusable child process running queries on a read-only view of an Oxigraph store."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self._process: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self.close()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PROJECT_ROOT, env.get("PYTHONPATH", "")) if p)
        process = self._process = subprocess.Popen(
            [sys.executable, "-m", "kg.query_process"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )
        # The time limit covers evaluation only, so wait (generously) for the child to import.
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT_S)
        try:
            if not ready or _receive(process.stdout) != "ready":
                raise EOFError
        except EOFError:
            self.close()
            raise QueryError("the SPARQL worker process could not start") from None
        return process

    def run(
        self, sparql: str, fmt: str | None, timeout_s: float, max_results: int, stamp: str
    ) -> tuple[bytes, str]:
        """Evaluate one query; kills the child and raises :class:`QueryTimeout` past ``timeout_s``."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            _send(process.stdin, (str(self.store_path), stamp, sparql, fmt, max_results))
            ready, _, _ = select.select([process.stdout], [], [], timeout_s)
            if not ready:
                self.close()
                raise QueryTimeout(
                    f"query stopped after the time limit of {timeout_s:g} s (setting query_timeout_s)"
                )
            reply = _receive(process.stdout)
        except (EOFError, OSError):
            self.close()
            raise QueryError("query worker stopped unexpectedly (out of memory?)") from None
        if reply[0] == "ok":
            return reply[1], reply[2]
        raise QueryError(reply[1])

    def close(self) -> None:
        """Kill the child process, if any, and reap it."""
        if self._process is None:
            return
        process, self._process = self._process, None
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


if __name__ == "__main__":
    _out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but replies may reach the parent's pipe
    serve(sys.stdin.buffer, _out)
