"""Read models of pages remembered until the graph changes (an entity's neighbourhood).

The explorer is read-only between builds, so a page's read model computed from the graph is
valid until a build rewrites the store's change stamp. Keeping the most recent ones makes a
repeated request (a person going back, many people opening a popular entity) cost nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, current_app

from web.resources import get_graph_store, graph_stamp

_EXTENSION = "councilkg_view_cache"


class ViewCache:
    """At most ``entries`` values by key, all dropped as soon as the graph's stamp moves."""

    def __init__(self, entries: int = 128) -> None:
        self.entries = entries
        self._stamp: str | None = None
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, stamp: str | None, key: Hashable) -> Any | None:
        """The value kept for ``key`` while the graph has stamp ``stamp`` (None when not kept)."""
        if stamp is None:
            return None
        with self._lock:
            if stamp != self._stamp:
                self._values.clear()
                self._stamp = stamp
                return None
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, stamp: str | None, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key`` under graph stamp ``stamp`` (stores without stamps: never)."""
        if stamp is None or self.entries <= 0:
            return
        with self._lock:
            if stamp != self._stamp:
                self._values.clear()
                self._stamp = stamp
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)


def init_app(app: Flask, entries: int = 128) -> None:
    """Register an empty cache on ``app``."""
    app.extensions[_EXTENSION] = ViewCache(entries)


def cached_view(key: Hashable, compute: Callable[[Any], Any]) -> Any:
    """``compute(graph_store)``, remembered per ``key`` until the graph changes."""
    cache: ViewCache = current_app.extensions[_EXTENSION]
    store = get_graph_store()
    stamp = graph_stamp(store)
    value = cache.get(stamp, key)
    if value is None:
        value = compute(store)
        cache.put(stamp, key, value)
    return value
