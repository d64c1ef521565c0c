"""Web layer: the Flask explorer, the SPARQL 1.1 endpoint and the JSON API.

:func:`create_app` builds the application; nothing heavy (store, index, models) is opened
here, only on first use inside a request (see :mod:`web.resources`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, request

from councilkg.settings import Settings

RATE_LIMITED_ENDPOINTS = frozenset(
    {"sparql.endpoint", "sparql.run_in_page", "search.search_page", "api.search"}
)


WARMING_ENDPOINTS = frozenset({"search.search_page", "api.search"})
"""Routes that need the search models: answered "warming up" (503) while they load."""

WARMING_MESSAGE = "search is warming up (loading its models); try again in a few seconds"

MAX_HEADER_BYTES = 32 * 1024
"""Largest block of request headers (besides the request line) the app accepts."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The councilkg explorer.

    ``config`` may hold ``SETTINGS`` (a :class:`Settings`, default from the environment),
    ready objects for ``GRAPH_STORE``, ``SEARCH_INDEX`` and ``CORPUS_STORE``, and any Flask
    setting.
    """
    from web import resources, security, view_cache
    from web.views import api, assets, entities, graph, linked_data, pages, papers, search, sparql, timeline

    app = Flask(__name__)
    app.config.update(config or {})
    settings: Settings = app.config.get("SETTINGS") or Settings.load()
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = int(settings.max_request_kb) * 1024
    app.config["MAX_FORM_MEMORY_SIZE"] = int(settings.max_request_kb) * 1024
    app.config.setdefault("RATE_LIMITED_ENDPOINTS", RATE_LIMITED_ENDPOINTS)
    app.config.setdefault("MAX_QUERY_CHARS", int(settings.max_request_kb) * 1024)
    # A GET query travels in the URL: as long a URL as a body is accepted; other headers are small.
    app.config.setdefault("MAX_URL_BYTES", int(settings.max_request_kb) * 1024)
    app.config.setdefault("MAX_HEADER_BYTES", MAX_HEADER_BYTES)
    app.json.sort_keys = False
    app.extensions["councilkg_rate_limiter"] = security.RateLimiter(int(settings.search_rate_limit))
    app.extensions.setdefault(security.LIMITERS, concurrency_limiters(settings))
    resources.init_app(app, settings)
    view_cache.init_app(app)
    security.install(app)

    @app.before_request
    def _warming() -> Any:
        # A question asked before `serve`'s warm-up is done gets a quick 503, not a 20 s wait.
        if request.endpoint in WARMING_ENDPOINTS and request.args.get("q") and resources.search_warming():
            return warming_response(str(request.endpoint))
        return None

    for module in (pages, search, papers, entities, graph, timeline, sparql, api, linked_data, assets):
        app.register_blueprint(module.bp)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        # Resources live for the app's lifetime; they are closed by close_app(), not per request.
        return None

    app.jinja_env.filters["money"] = _money
    app.jinja_env.globals["entity_url"] = _entity_url
    app.jinja_env.globals["clip"] = _clip
    return app


def warming_response(endpoint: str) -> Any:
    """The 503 answer (with Retry-After) of a search asked while the models warm up: the
    JSON error shape for the API, a short page that retries by itself for the explorer."""
    from flask import Response, render_template

    from web.resources import WARMING_RETRY_AFTER_S
    from web.security import error_response

    if endpoint.startswith("api."):
        return error_response(503, WARMING_MESSAGE, retry_after=WARMING_RETRY_AFTER_S)
    body = render_template("warming.html", message=WARMING_MESSAGE, retry_after=WARMING_RETRY_AFTER_S,
                           query=request.args.get("q", ""))
    response = Response(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(WARMING_RETRY_AFTER_S)
    response.headers["Refresh"] = str(WARMING_RETRY_AFTER_S)  # browsers reload the page by themselves
    return response


def concurrency_limiters(settings: Settings, cores: int | None = None) -> dict[str, Any]:
    """The per-client and server-wide concurrency limits of the expensive route groups.

    Graph and search pages compute in this process, so about one at a time per core runs and
    as many wait; SPARQL runs in the query workers, whose lanes order and bound the waits
    (``web.security.QueryLanes``), so this limit only holds as many threads as the lanes use.
    Each client may have ``client_concurrency`` of each.
    """
    from web.security import ConcurrencyLimiter, QueryLanes

    per_client = int(settings.client_concurrency)
    cores = max(2, cores or os.cpu_count() or 1)
    return {
        "graph": ConcurrencyLimiter("graph", per_client, total=cores),
        "search": ConcurrencyLimiter("search", per_client, total=cores),
        "sparql": ConcurrencyLimiter("SPARQL", per_client, total=QueryLanes().threads, queue=0),
    }


def limiter_threads(app: Flask) -> int:
    """Server threads the app's concurrency limits may hold at most (for sizing the server)."""
    from web.security import LIMITERS

    return sum(limiter.threads for limiter in app.extensions.get(LIMITERS, {}).values())


def close_app(app: Flask) -> None:
    """Close the store, index and corpus the app opened (at server shutdown)."""
    from web.resources import _EXTENSION

    app.extensions[_EXTENSION].close()


def _money(value: float) -> str:
    from web.charts import money_label

    return money_label(float(value))


def _clip(text: str, limit: int) -> tuple[str, bool]:
    from web.entity_view import clip

    return clip(text, limit)


def _entity_url(iri: str) -> str:
    from web.views.linked_data import local_path

    return local_path(iri)
