"""Secure headers, a per-client rate limiter and the JSON/HTML error pages.

No view ever shows a traceback: every error becomes a one-line message, as JSON for API and
SPARQL clients and as a small page for people.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from councilkg.errors import CouncilKGError

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


def wants_json() -> bool:
    """Whether the current request is from a machine client (API, SPARQL, JSON accept)."""
    if request.path.startswith(("/api/", "/sparql", "/openapi.json")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(status: int, message: str, retry_after: int | None = None) -> Response:
    """A JSON or HTML error answer with a one-line message."""
    if wants_json():
        response = jsonify({"error": message, "status": status})
        response.status_code = status
    else:
        response = Response(
            render_template("error.html", status=status, message=message), status=status, mimetype="text/html"
        )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def install(app: Flask) -> None:
    """Register headers, size limit, rate-limit hook and error handlers on ``app``."""
    limiter: RateLimiter = app.extensions["councilkg_rate_limiter"]

    @app.before_request
    def _rate_limit() -> Response | None:
        if request.endpoint in app.config["RATE_LIMITED_ENDPOINTS"]:
            wait = limiter.check(request.remote_addr or "unknown")
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
        return error_response(exc.status, exc.message)

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
