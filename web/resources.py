"""Cached getters for the heavy resources the views read: graph store, search index, corpus.

Each resource opens on first use in a request (never at import time), is kept on the
application for later requests, and is closed when the application is torn down. Tests and
embedders can hand ready objects in through the app config keys
``GRAPH_STORE``, ``SEARCH_INDEX`` and ``CORPUS_STORE``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings

_EXTENSION = "councilkg_resources"


class Resources:
    """The per-application holder of opened resources (thread-safe lazy opening)."""

    def __init__(self, settings: Settings, provided: dict[str, Any]) -> None:
        self.settings = settings
        self._provided = provided
        self._opened: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._per_thread = threading.local()
        # The embedded store answers protocol queries through one worker process whose pipe
        # carries one query at a time.
        self.query_lock = threading.Lock()

    def get(self, name: str, opener: Callable[[Settings], Any]) -> Any:
        """The resource ``name``, opening it with ``opener`` (or the provided factory) once."""
        if name in self._opened:
            return self._opened[name]
        with self._lock:
            if name not in self._opened:
                provided = self._provided.get(name)
                self._opened[name] = opener(self.settings) if provided is None else provided
        return self._opened[name]

    def get_per_thread(self, name: str, opener: Callable[[Settings], Any]) -> Any:
        """Like :meth:`get`, but one instance per thread (for SQLite connections bound to one)."""
        provided = self._provided.get(name)
        if provided is not None:
            return provided
        resource = getattr(self._per_thread, name, None)
        if resource is None:
            resource = opener(self.settings)
            setattr(self._per_thread, name, resource)
        return resource

    def close(self) -> None:
        """Close every resource that was opened here (provided objects are left to their owner)."""
        with self._lock:
            for name, resource in list(self._opened.items()):
                if name in self._provided:
                    continue
                close = getattr(resource, "close", None)
                if callable(close):
                    close()
            self._opened.clear()


def init_app(app: Flask, settings: Settings) -> None:
    """Register the resource holder on ``app``."""
    provided = {
        name: app.config.get(key)
        for name, key in (("graph", "GRAPH_STORE"), ("search", "SEARCH_INDEX"), ("corpus", "CORPUS_STORE"))
    }
    app.extensions[_EXTENSION] = Resources(settings, {k: v for k, v in provided.items() if v is not None})


def _resources() -> Resources:
    return current_app.extensions[_EXTENSION]


def get_settings() -> Settings:
    """The settings of the running app."""
    return _resources().settings


def _open_graph_store(settings: Settings) -> Any:
    from kg.store import open_graph_store

    return open_graph_store(settings)


def _open_search_index(settings: Settings) -> Any:
    from search.index import open_search_index

    return open_search_index(settings)


def _open_corpus_store(settings: Settings) -> Any:
    from corpus.store import STORE_FILE, CorpusStore

    if not (settings.data_path / STORE_FILE).exists():
        raise CouncilKGError("no papers have been built yet: run `councilkg build PATH`", status=503)
    return CorpusStore.open(settings)


def get_graph_store() -> Any:
    """The graph store (``kg.store.open_graph_store``), opened once per app."""
    return _resources().get("graph", _open_graph_store)


def get_search_index() -> Any:
    """The search index (``search.index.SearchIndex``), opened once per app."""
    return _resources().get("search", _open_search_index)


def get_corpus_store() -> Any:
    """The corpus store (``corpus.store.CorpusStore``), one per server thread."""
    return _resources().get_per_thread("corpus", _open_corpus_store)


def run_sparql(query: str, media_type: str) -> tuple[bytes, str]:
    """Run a protocol query safely through the kg layer, one at a time per store."""
    from web.sparql_protocol import run

    store = get_graph_store()
    with _resources().query_lock:
        return run(store, query, media_type)
