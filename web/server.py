"""Serving the explorer on waitress (a production WSGI server), and the bundled demo."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from councilkg.settings import Settings

log = logging.getLogger(__name__)


def sample_corpus() -> tuple[Path, Path]:
    """The bundled sample papers folder and its catalogue."""
    import corpus

    folder = Path(corpus.__file__).resolve().parent / "data" / "samples"
    return folder, folder / "catalogue.csv"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          announce: Callable[[str], None] = print) -> None:
    """Serve the explorer until interrupted; resources are closed on the way out."""
    from waitress import serve as waitress_serve

    from web import close_app, create_app

    one_thread_per_request()
    app = create_app({"SETTINGS": settings})
    announce(f"councilkg explorer on http://{host}:{port}/  (SPARQL endpoint http://{host}:{port}/sparql)")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="councilkg",
                       max_request_body_size=int(settings.max_request_kb) * 1024)
    finally:
        close_app(app)


def one_thread_per_request() -> None:
    """Let each request's model inference use one CPU thread.

    The server's parallelism comes from its request threads; letting every request's query
    encoding also spread over all cores makes the threads spin against each other (on a
    loaded 2-core machine a query encoding went from 40 ms to 1 s). Applied before the
    encoder's libraries load (they read the variables once), and to torch if already loaded.
    """
    import os
    import sys

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
