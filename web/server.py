"""Serving the explorer on waitress (a production WSGI server), and the bundled demo."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from councilkg.settings import Settings

log = logging.getLogger(__name__)


def sample_corpus() -> tuple[Path, Path]:
    """The bundled sample papers folder and its catalogue."""
    import corpus

    folder = Path(corpus.__file__).resolve().parent / "data" / "samples"
    return folder, folder / "catalogue.csv"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          announce: Callable[[str], None] = print, processes: int = 1) -> None:
    """Serve the explorer until interrupted; resources are closed on the way out.

    The search models (encoder, index state) are loaded and run once before the server says
    it is ready (:func:`web.resources.warm_search`). One process binds the port, warms, then
    accepts. With ``processes`` > 1 (POSIX only) the listening socket is opened once and that
    many worker processes, forked before anything heavy is loaded, accept on it (the pre-fork
    model of gunicorn): search's Python work holds one process's GIL, so processes use the
    cores that threads cannot. Each worker warms in a background thread while it serves (a
    search asked meanwhile gets a quick "warming up" 503) and tells the parent when it is
    warm; the parent reports ready once every worker is. Each process keeps its own
    rate-limit window and answer cache.
    """
    one_thread_per_request()
    where = f"http://{host}:{port}/  (SPARQL endpoint http://{host}:{port}/sparql)"
    if processes <= 1 or not hasattr(os, "fork"):
        _serve_here(settings, threads, announce=announce, where=where, host=host, port=port)
        return
    sock = socket.create_server((host, port), family=_family(host), backlog=1024)
    announce(f"councilkg explorer listening on {where}; warming up the search models")
    ready_read, ready_write = os.pipe()
    children: list[int] = []
    try:
        for _ in range(processes):
            pid = os.fork()
            if pid == 0:  # a worker: serve on the shared socket until told to stop
                code = 0
                try:
                    os.close(ready_read)
                    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
                    _serve_here(settings, threads, ready_fd=ready_write, sockets=[sock])
                except (KeyboardInterrupt, SystemExit):
                    pass
                except Exception:  # noqa: BLE001 - logged; the parent sees the exit status
                    log.exception("web worker %s stopped", os.getpid())
                    code = 1
                finally:
                    os._exit(code)
            children.append(pid)
        os.close(ready_write)
        threading.Thread(target=_announce_when_warm, args=(ready_read, processes, where, announce),
                         name="councilkg-ready", daemon=True).start()
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while children:
            pid, _status = os.wait()
            if pid in children:
                children.remove(pid)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        sock.close()


def _announce_when_warm(ready_fd: int, processes: int, where: str, announce: Callable[[str], None]) -> None:
    """Read one byte per warmed worker from ``ready_fd`` (end of file once every worker has
    written or died), then say the explorer is ready."""
    warm = 0
    with os.fdopen(ready_fd, "rb", buffering=0) as pipe:
        while warm < processes:
            byte = pipe.read(1)
            if not byte:
                break
            warm += 1
    if warm == processes:
        announce(f"councilkg explorer ready on {where}")
    else:
        announce(f"councilkg explorer ready on {where} ({warm} of {processes} workers warmed up)")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _serve_here(settings: Settings, threads: int, announce: Callable[[str], None] | None = None,
                where: str = "", ready_fd: int | None = None, **bind: object) -> None:
    """waitress in this process, on ``host``/``port`` or on pre-opened ``sockets``.

    Alone (``announce`` given): bind, warm the search models, say so, accept. As a pre-fork
    worker (``ready_fd`` given): accept at once, warm in a background thread and write one
    byte to ``ready_fd`` when warm.
    """
    from web import close_app, create_app
    from web.resources import warm_search, warmup_of

    app = create_app({"SETTINGS": settings})
    try:
        logging.basicConfig()
        server = create_server(app, threads, **bind)  # binds first: a busy port fails at once
        if ready_fd is None:
            if announce is not None:
                announce("warming up the search models…")
            warmup = warm_search(app)
            if announce is not None:
                announce(f"councilkg explorer ready on {where}{_warm_note(warmup)}")
        else:
            warmup_of(app).start()  # searches wait for no lock from the first accepted request on
            threading.Thread(target=_warm_and_tell, args=(app, ready_fd), name="councilkg-warmup",
                             daemon=True).start()
        server.run()
    finally:
        close_app(app)


def _warm_note(warmup: Any) -> str:
    if warmup.error:
        return f"  (search warm-up failed: {warmup.error})"
    return f"  (search warmed up in {warmup.seconds:.1f} s)"


def _warm_and_tell(app: Any, ready_fd: int) -> None:
    from web.resources import warm_search

    try:
        warm_search(app)
    finally:
        with contextlib.suppress(OSError):
            os.write(ready_fd, b".")
        with contextlib.suppress(OSError):
            os.close(ready_fd)


WAITRESS_MARGIN = 64 * 1024
"""Bytes by which waitress's own size limits exceed the app's, so that the app (which answers
in its JSON/HTML error shape) is the one that refuses a request just over its limits."""


def create_server(app: Any, threads: int, **where: Any) -> Any:
    """The waitress server for ``app``: on ``host``/``port`` or pre-opened ``sockets``.

    The limits on expensive routes may hold some threads (running or waiting); ``threads``
    more stay free for every other page. waitress's body and header limits sit above the
    app's (``MAX_CONTENT_LENGTH``, ``MAX_URL_BYTES``, ``MAX_HEADER_BYTES``), so the app
    answers a request over its limits with its own error shape; a request beyond even
    waitress's limits gets the same JSON shape from :class:`JSONErrorChannel` instead of
    waitress's plain text.
    """
    from waitress.server import BaseWSGIServer
    from waitress.server import create_server as waitress_server

    from web import limiter_threads

    server = waitress_server(
        app, threads=threads + limiter_threads(app), ident="councilkg",
        max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]) + WAITRESS_MARGIN,
        max_request_header_size=int(app.config["MAX_URL_BYTES"]) + int(app.config["MAX_HEADER_BYTES"])
        + WAITRESS_MARGIN,
        **where,
    )
    channel = json_error_channel()
    for dispatcher in [server, *getattr(server, "map", {}).values()]:
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = channel
    return server


def json_error_channel() -> type:
    """waitress's connection class answering its own refusals (a body or header block over
    waitress's limits, a malformed request) as ``{"error": …, "status": …}`` JSON."""
    import json

    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class JSONErrorTask(ErrorTask):
        def execute(self) -> None:
            error = self.request.error
            messages = {413: "request too large", 431: "request headers too large"}
            message = messages.get(error.code, str(error.reason).lower())
            body = json.dumps({"error": message, "status": error.code}).encode("utf-8")
            self.status = f"{error.code} {error.reason}"
            self.response_headers.extend([("Content-Type", "application/json")])
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class JSONErrorChannel(HTTPChannel):
        error_task_class = JSONErrorTask

    return JSONErrorChannel


def one_thread_per_request() -> None:
    """Let each request's model inference use one CPU thread.

    The server's parallelism comes from its request threads; letting every request's query
    encoding also spread over all cores makes the threads spin against each other (on a
    loaded 2-core machine a query encoding went from 40 ms to 1 s). Applied before the
    encoder's libraries load (they read the variables once), and to torch if already loaded.
    """
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def build_samples(settings: Settings, announce: Callable[[str], None] = print) -> None:
    """Build the bundled sample corpus into the data dir (incremental: unchanged papers are skipped)."""
    from councilkg.pipeline import build

    folder, catalogue = sample_corpus()
    announce(f"building the sample corpus from {folder} into {settings.data_path}")
    report = build([folder], settings, catalogue=catalogue)
    for line in report.summary_lines():
        announce(line)


def demo(settings: Settings, host: str = "127.0.0.1", port: int = 8000,
         announce: Callable[[str], None] = print) -> None:
    """Build the bundled samples if needed, then serve them."""
    build_samples(settings, announce)
    serve(settings, host, port, announce=announce)
