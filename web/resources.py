"""Cached getters for the heavy resources the views read: graph store, search index, corpus.

Each resource opens on first use in a request (never at import time), is kept on the
application for later requests, and is closed when the application is torn down. Tests and
embedders can hand ready objects in through the app config keys
``GRAPH_STORE``, ``SEARCH_INDEX`` and ``CORPUS_STORE``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings

_EXTENSION = "councilkg_resources"

log = logging.getLogger(__name__)

WARM_QUERY = "how much is the budget for home care"
"""The question the warm-up runs once, so that the index state, the keyword postings and the
encoder are all loaded before the first real search."""

WARMING_RETRY_AFTER_S = 3
"""Retry-After of the "warming up" answer: a warm-up on ONNX takes about a second."""


class Resources:
    """The per-application holder of opened resources (thread-safe lazy opening)."""

    def __init__(self, settings: Settings, provided: dict[str, Any]) -> None:
        self.settings = settings
        self._provided = provided
        self._opened: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._per_thread = threading.local()
        self.answers = AnswerCache()
        self.warmup = Warmup()
        self._derived: dict[str, tuple[str | None, Any]] = {}

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


class Warmup:
    """Where this process's search warm-up stands: ``cold`` (not asked for: search opens on
    first use, as in tests), ``warming``, ``ready`` or ``failed`` (the error is kept and logged;
    searches then go ahead and meet it themselves)."""

    def __init__(self) -> None:
        self.state = "cold"
        self.error: str | None = None
        self.seconds: float | None = None
        self._started = 0.0

    @property
    def warming(self) -> bool:
        """Whether a warm-up is in progress (searches are then answered "warming up")."""
        return self.state == "warming"

    def start(self) -> None:
        """Mark the warm-up begun."""
        self.state, self.error, self._started = "warming", None, time.perf_counter()

    def finish(self, error: str | None = None) -> None:
        """Mark the warm-up done, or failed with ``error``."""
        self.seconds = time.perf_counter() - self._started
        self.error = error
        self.state = "failed" if error else "ready"


def warm_search(app: Flask) -> Warmup:
    """Open the search index of ``app`` and load what its first search needs (the sentence
    encoder, the index state, the keyword postings) by running one query, now.

    ``councilkg serve`` calls this before it reports ready. A data dir with no index yet is
    left alone (opening the index would create it); any other failure is logged and kept on
    the returned :class:`Warmup`, and searches then report it themselves.
    """
    resources: Resources = app.extensions[_EXTENSION]
    warmup = resources.warmup
    warmup.start()
    try:
        if "search" not in resources._provided:
            from search.index import index_exists

            if not index_exists(resources.settings):
                warmup.finish()
                return warmup
        index = resources.get("search", _open_search_index)
        warm = getattr(getattr(index, "encoder", None), "warm", None)
        if callable(warm):
            warm()
        index.search(WARM_QUERY, k=1)
    except Exception as exc:  # noqa: BLE001 - a failed warm-up must not stop the server
        log.warning("search warm-up failed: %s", exc)
        warmup.finish(str(exc) or type(exc).__name__)
    else:
        warmup.finish()
    return warmup


def warmup_of(app: Flask) -> Warmup:
    """The warm-up state of ``app``'s search."""
    return app.extensions[_EXTENSION].warmup


def search_warming() -> bool:
    """Whether the running app's search models are still warming up."""
    return _resources().warmup.warming


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
    from corpus.store import CorpusStore, corpus_exists

    if not corpus_exists(settings):
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


class AnswerCache:
    """Recent /sparql answers, valid while the graph is unchanged.

    The explorer is read-only, so the same query on the same graph gives the same bytes;
    people and clients re-run the same example queries. Entries are keyed by the query text
    and media type and dropped as soon as the store's change stamp moves (a build wrote it).
    Bounded in entries and in answer size, least recently used first out.
    """

    def __init__(self, entries: int = 256, max_bytes: int = 4 * 1024 * 1024) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._stamp: str | None = None
        self._answers: OrderedDict[tuple[str, str], tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, stamp: str | None, key: tuple[str, str]) -> tuple[bytes, str] | None:
        """The cached answer for ``key`` if the graph still has change stamp ``stamp``."""
        if stamp is None:
            return None
        with self._lock:
            if stamp != self._stamp:
                self._answers.clear()
                self._stamp = stamp
                return None
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, stamp: str | None, key: tuple[str, str], answer: tuple[bytes, str]) -> None:
        """Remember ``answer`` (if small enough) for graph stamp ``stamp``."""
        if stamp is None or self.entries <= 0 or len(answer[0]) > self.max_bytes:
            return
        with self._lock:
            if stamp != self._stamp:
                self._answers.clear()
                self._stamp = stamp
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.entries:
                self._answers.popitem(last=False)


def graph_stamp(store: Any) -> str | None:
    """The store's change stamp (rewritten by every write), or None when it has none."""
    path = getattr(store, "stamp_path", None)
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="utf-8") or "unstamped"
    except OSError:
        return "unstamped"


def derived(name: str, compute: Callable[[Any], Any]) -> Any:
    """``compute(graph_store)``, remembered until the graph changes (stores without a change
    stamp are asked every time). For small lists every page needs: authorities, paper titles."""
    resources = _resources()
    store = get_graph_store()
    stamp = graph_stamp(store)
    kept = resources._derived.get(name)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    value = compute(store)
    resources._derived[name] = (stamp, value)
    return value


def run_sparql(query: str, media_type: str) -> tuple[bytes, str, bool]:
    """Run a protocol query safely through the kg layer, in the lane its client is due
    (``web.security.QueryLanes``: one query at a time per lane, bounded waits).

    Returns the answer, its media type and whether it came from the answer cache.
    """
    from kg.query import canonical_text, query_weight
    from web.security import client_key, query_lanes
    from web.sparql_protocol import run

    resources = _resources()
    store = get_graph_store()
    key = (query, media_type)
    stamp = graph_stamp(store)
    cached = resources.answers.get(stamp, key)
    if cached is not None:
        return cached[0], cached[1], True
    body, answered = query_lanes().run(
        client_key(),
        lambda lane, timeout_s, cpu_s: run(store, query, media_type, lane, timeout_s, cpu_s),
        float(resources.settings.query_timeout_s),
        query_weight(canonical_text(query)),
    )
    resources.answers.put(stamp, key, (body, answered))
    return body, answered, False
