"""Serving the explorer on waitress (a production WSGI server), and the bundled demo."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
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

    With ``processes`` > 1 (POSIX only) the listening socket is opened once and that many
    worker processes, forked before anything heavy is loaded, accept on it (the pre-fork model
    of gunicorn): search's Python work holds one process's GIL, so processes use the cores that
    threads cannot. Each process keeps its own rate-limit window and answer cache.
    """
    one_thread_per_request()
    announce(f"councilkg explorer on http://{host}:{port}/  (SPARQL endpoint http://{host}:{port}/sparql)")
    if processes <= 1 or not hasattr(os, "fork"):
        _serve_here(settings, threads, host=host, port=port)
        return
    sock = socket.create_server((host, port), family=_family(host), backlog=1024)
    children: list[int] = []
    try:
        for _ in range(processes):
            pid = os.fork()
            if pid == 0:  # a worker: serve on the shared socket until told to stop
                code = 0
                try:
                    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
                    _serve_here(settings, threads, sockets=[sock])
                except (KeyboardInterrupt, SystemExit):
                    pass
                except Exception:  # noqa: BLE001 - logged; the parent sees the exit status
                    log.exception("web worker %s stopped", os.getpid())
                    code = 1
                finally:
                    os._exit(code)
            children.append(pid)
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


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _serve_here(settings: Settings, threads: int, **where: object) -> None:
    """waitress in this process, on ``host``/``port`` or on pre-opened ``sockets``."""
    from web import close_app, create_app

    app = create_app({"SETTINGS": settings})
    try:
        logging.basicConfig()
        create_server(app, threads, **where).run()
    finally:
        close_app(app)


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
