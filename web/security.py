"""Secure headers, per-client rate and concurrency limits, and the JSON/HTML error pages.

No view ever shows a traceback: every error becomes a one-line message, as JSON for API and
SPARQL clients and as a small page for people.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from councilkg.errors import CouncilKGError, QueryTimeout

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class RateLimiter:
    """A sliding one-minute window per client key; ``check`` returns seconds to wait or 0."""

    def __init__(self, per_minute: int, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> int:
        """Record one request from ``key``; 0 when allowed, else the Retry-After seconds."""
        if self.per_minute <= 0:
            return 0
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window_s:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, math.ceil(self.window_s - (now - hits[0])))
            hits.append(now)
            if len(self._hits) > 10000:  # forget idle clients so memory stays bounded
                for k in [k for k, v in self._hits.items() if not v or now - v[-1] >= self.window_s]:
                    del self._hits[k]
            return 0


class Busy(CouncilKGError):
    """A request refused for load: 429 when its client already has too many in progress, 503
    when the whole server is at capacity; either way with a Retry-After."""

    def __init__(self, message: str, *, status: int, retry_after: int) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class ConcurrencyLimiter:
    """How many requests of one group of expensive routes may run at once.

    Each client (key) may have ``per_client`` in progress, counting those still waiting; one
    more is refused at once with 429. Across all clients at most ``total`` run and at most
    ``queue`` wait, each up to ``wait_s``, for a free one; a request finding the queue full,
    or still waiting at ``wait_s``, gets 503. Both carry a Retry-After. So the group never
    holds more than ``total + queue`` server threads (:attr:`threads`), one client cannot
    occupy them all, and the pages outside the group keep answering however many clients
    send heavy requests.
    """

    def __init__(self, name: str, per_client: int, total: int, queue: int | None = None,
                 wait_s: float = 2.0, priority: Callable[[str], int] | None = None) -> None:
        self.name = name
        # Lower first; waiters of equal priority in order of arrival.
        self.priority = priority
        self.per_client = per_client
        self.total = max(1, total)
        self.queue = self.total if queue is None else max(0, queue)
        self.wait_s = wait_s
        self._by_client: dict[str, int] = {}
        self._running = 0
        self._waiters: list[tuple[int, int, str]] = []
        self._arrivals = itertools.count()
        self._cond = threading.Condition()

    @property
    def threads(self) -> int:
        """The most server threads this group can hold at once (running and waiting)."""
        return self.total + self.queue

    def in_progress(self, key: str) -> int:
        """Requests of ``key`` in progress or waiting (for tests and the benchmark)."""
        with self._cond:
            return self._by_client.get(key, 0)

    @contextmanager
    def slot(self, key: str, priority: int | None = None) -> Iterator[None]:
        """Hold one of this group's slots for the ``with`` block, or raise :class:`Busy`.

        ``priority`` (lower first) overrides the group's priority function for this request."""
        with self._cond:
            if self.per_client > 0 and self._by_client.get(key, 0) >= self.per_client:
                raise Busy(f"too many {self.name} requests in progress from this client "
                           f"(at most {self.per_client}); try again when one has finished",
                           status=429, retry_after=1)
            waiting = sum(self._by_client.values()) - self._running
            if self._running >= self.total and waiting >= self.queue:
                raise Busy(f"the server is busy with other {self.name} requests; try again shortly",
                           status=503, retry_after=max(1, math.ceil(self.wait_s)))
            self._by_client[key] = self._by_client.get(key, 0) + 1
            rank = priority if priority is not None else (self.priority(key) if self.priority else 0)
            entry = (rank, next(self._arrivals), key)
            self._waiters.append(entry)
            try:
                deadline = time.monotonic() + self.wait_s
                while self._running >= self.total or min(self._waiters) != entry:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Busy(f"the server is busy with other {self.name} requests; try again shortly",
                                   status=503, retry_after=max(1, math.ceil(self.wait_s)))
                    self._cond.wait(left)
                self._running += 1
            except BaseException:
                self._leave(key)
                raise
            finally:
                self._waiters.remove(entry)
                self._cond.notify_all()  # the next waiter in line may be able to go now
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._leave(key)
                self._cond.notify_all()

    def _leave(self, key: str) -> None:
        left = self._by_client.get(key, 0) - 1
        if left > 0:
            self._by_client[key] = left
        else:
            self._by_client.pop(key, None)


T = TypeVar("T")

STARVED_CPU_FRACTION = 0.2
"""A query stopped at the quick lane's wall cap having used less than this fraction of the lane's
CPU limit was starved by a busy machine (a trivial query needs ~1% of it), not costly."""


class QueryLanes:
    """Two SPARQL lanes, so that a short query never waits behind a long one.

    The embedded store's query workers each carry one query at a time, and a query's cost is
    only known by running it. So every query first runs in the **quick** lane under a short
    limit (``quick_s`` of the worker's CPU time, at most ``quick_wall_s`` of wall time, and the
    quick worker's smaller memory cap: on a busy machine a trivial query can take a second of
    wall time, and must not count as long for it); one that overruns it is
    run again in the **main** lane with the full ``query_timeout_s`` and memory cap, and (when
    it had used real CPU time or memory, not merely waited for a busy machine) its client is
    sent straight to the main lane for ``remember_s`` afterwards. Long queries thus
    queue only behind each other: however many clients send them, the quick lane is busy for at
    most ``quick_wall_s`` per such client per ``remember_s`` (a client whose main-lane queries
    keep running out of time stays there), and a trivial query answers within about that. Each lane has one
    running query and a bounded wait (``queue`` waiters, each up to ``wait_s``; beyond it 503
    with Retry-After), as :class:`ConcurrencyLimiter` gives. In the quick lane's wait, clients
    whose queries recently finished there go first, so a new client's first (perhaps long) query
    holds up a known light client for at most the one running.
    """

    def __init__(self, quick_s: float = 0.5, remember_s: float = 60.0, quick_queue: int = 8,
                 main_queue: int = 2, wait_s: float = 2.0, quick_wall_s: float = 1.5) -> None:
        self.quick_s = quick_s
        self.quick_wall_s = max(quick_s, quick_wall_s)
        self.remember_s = remember_s
        self.quick = ConcurrencyLimiter("SPARQL", per_client=0, total=1, queue=quick_queue, wait_s=wait_s,
                                        priority=self._quick_priority)
        self.main = ConcurrencyLimiter("long SPARQL", per_client=0, total=1, queue=main_queue, wait_s=wait_s)
        self._long_since: dict[str, float] = {}
        self._light_since: dict[str, float] = {}
        self._lock = threading.Lock()

    def _quick_priority(self, key: str) -> int:
        """0 for a client whose query finished in the quick lane within ``remember_s``, else 1."""
        since = self._light_since.get(key)
        return 0 if since is not None and time.monotonic() - since < self.remember_s else 1

    @staticmethod
    def _remember(table: dict[str, float], key: str, now: float, keep_s: float) -> None:
        table[key] = now
        if len(table) > 10000:  # forget old entries so memory stays bounded
            for k in [k for k, t in table.items() if now - t >= keep_s]:
                del table[k]

    @property
    def threads(self) -> int:
        """The most server threads both lanes hold at once (running and waiting)."""
        return self.quick.threads + self.main.threads

    def lane_for(self, key: str, now: float | None = None) -> str:
        """``main`` for a client whose query overran the quick lane within ``remember_s``, else ``quick``."""
        now = time.monotonic() if now is None else now
        with self._lock:
            since = self._long_since.get(key)
            if since is not None and now - since < self.remember_s:
                return "main"
            self._long_since.pop(key, None)
            return "quick"

    def overran(self, key: str, now: float | None = None) -> None:
        """Remember that ``key``'s query needed more than the quick lane allows."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._remember(self._long_since, key, now, self.remember_s)
            self._light_since.pop(key, None)

    def run(self, key: str, call: Callable[[str, float | None, float | None], T], limit_s: float,
            weight: str = "normal") -> T:
        """``call(lane, timeout_s, cpu_limit_s)`` in the right lane for client ``key`` (see the
        class docstring); the main lane's call has no limits of its own (``None, None``).

        ``limit_s`` is the full time limit; when it is no longer than ``quick_wall_s`` the query
        runs once, in the main lane. ``weight`` is the query's static cost guess
        (:func:`kg.query.query_weight`): a ``heavy`` one (a cross product, a ``*`` path, a sort
        over several patterns) goes straight to the main lane instead of holding the quick lane
        for its first try, and a ``light`` one waits at the front of the quick lane. Raises
        :class:`Busy` when a lane's wait is full or too long."""
        from kg.query_process import QueryOverCPU, QueryOverMemory

        if limit_s > self.quick_wall_s and weight != "heavy" and self.lane_for(key) == "quick":
            try:
                with self.quick.slot(key, priority=-1 if weight == "light" else None):
                    result = call("quick", self.quick_wall_s, self.quick_s)
                with self._lock:
                    self._remember(self._light_since, key, time.monotonic(), self.remember_s)
                return result
            except (QueryOverCPU, QueryOverMemory):
                self.overran(key)  # costly: this client's queries go to the main lane for a while
            except QueryTimeout as exc:
                # Past the wall cap: costly if it had used real CPU time (or none could be read);
                # a query merely starved by a busy machine is run in the main lane, not held against
                # its client.
                cpu_s = getattr(exc, "cpu_s", None)
                if cpu_s is None or cpu_s >= self.quick_s * STARVED_CPU_FRACTION:
                    self.overran(key)
        with self.main.slot(key):
            try:
                return call("main", None, None)
            except (QueryTimeout, QueryOverMemory):
                self.overran(key)  # still sending long queries: keep it out of the quick lane
                raise


LANES = "councilkg_query_lanes"
LIMITERS = "councilkg_concurrency"
View = TypeVar("View", bound=Callable[..., Any])


def query_lanes() -> QueryLanes:
    """The app's SPARQL lanes (made on first use)."""
    lanes = current_app.extensions.get(LANES)
    if lanes is None:
        lanes = current_app.extensions.setdefault(LANES, QueryLanes())
    return lanes


def client_key() -> str:
    """The key by which requests are counted per client: the peer address."""
    return request.remote_addr or "unknown"


@contextmanager
def slot(group: str) -> Iterator[None]:
    """Run the ``with`` block inside a slot of the app's ``group`` limiter (raises :class:`Busy`).

    For a view of which only one branch is expensive; whole views use :func:`limited`."""
    limiter: ConcurrencyLimiter | None = current_app.extensions.get(LIMITERS, {}).get(group)
    if limiter is None:
        yield
        return
    with limiter.slot(client_key()):
        yield


def limited(group: str) -> Callable[[View], View]:
    """Decorate a view so that it runs inside a slot of the app's ``group`` limiter.

    ``group`` is one of the limiters :func:`web.create_app` registers (``graph``, ``search``,
    ``sparql``); a request over the limits gets the JSON/HTML error shape with Retry-After.
    """

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def limited_view(*args: Any, **kwargs: Any) -> Any:
            with slot(group):
                return view(*args, **kwargs)

        return limited_view  # type: ignore[return-value]

    return wrap


def wants_json() -> bool:
    """Whether the current request is from a machine client (API, SPARQL, JSON accept)."""
    if request.path.startswith(("/api/", "/sparql", "/openapi.json")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


UNAVAILABLE_RETRY_AFTER_S = 5
"""Retry-After of a 503 that does not name its own."""


def error_response(status: int, message: str, retry_after: int | None = None) -> Response:
    """A JSON or HTML error answer with a one-line message."""
    if wants_json():
        response = jsonify({"error": message, "status": status})
        response.status_code = status
    else:
        response = Response(
            render_template("error.html", status=status, message=message), status=status, mimetype="text/html"
        )
    if retry_after is None and status == 503:
        # Every 503 says when to come back (a query past its time limit, no papers built yet…).
        retry_after = UNAVAILABLE_RETRY_AFTER_S
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def install(app: Flask) -> None:
    """Register headers, size limit, rate-limit hook and error handlers on ``app``."""
    limiter: RateLimiter = app.extensions["councilkg_rate_limiter"]

    @app.before_request
    def _size_limits() -> Response | None:
        # The app's own limits, below waitress's (see web.server.create_server), so that a
        # request over them gets this app's error shape rather than the server's plain text.
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            return error_response(413, "request too large")
        uri = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or request.full_path
        max_url = int(app.config["MAX_URL_BYTES"])
        if len(uri.encode("utf-8", "surrogateescape")) > max_url:
            return error_response(414, f"URL too long (at most {max_url} bytes); send long queries by POST")
        headers = sum(len(name) + len(value) + 4 for name, value in request.headers.items())
        if headers > int(app.config["MAX_HEADER_BYTES"]):
            return error_response(431, "request headers too large")
        return None

    @app.before_request
    def _rate_limit() -> Response | None:
        if request.endpoint in app.config["RATE_LIMITED_ENDPOINTS"]:
            wait = limiter.check(client_key())
            if wait:
                return error_response(429, "too many requests; try again later", retry_after=wait)
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        return response

    @app.errorhandler(CouncilKGError)
    def _project_error(exc: CouncilKGError) -> Response:
        retry_after = getattr(exc, "retry_after", None)
        return error_response(exc.status, exc.message, retry_after=int(retry_after) if retry_after else None)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        message = {413: "request too large"}.get(code, (exc.description or exc.name).splitlines()[0])
        response = error_response(code, message)
        if code == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.path)
        return error_response(500, "internal error; the administrator can find details in the server log")
