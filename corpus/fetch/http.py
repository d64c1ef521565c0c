"""A polite HTTP client: robots.txt, one request at a time, delay, retries, conditional GETs."""

from __future__ import annotations

import email.utils
import http.client
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from councilkg import __version__
from councilkg.errors import InputError

USER_AGENT = f"councilkg/{__version__} (+https://github.com/councilkg/councilkg)"

_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
"""Reserved characters and ``%`` kept as they are: only spaces and other unsafe bytes are escaped."""


def request_url(url: str) -> str:
    """``url`` with spaces and other unsafe characters percent-encoded, existing escapes kept.

    Modern.gov document addresses carry spaces (``…/Printed minutes 05th-Mar-2024.pdf``),
    which ``http.client`` refuses as they are.
    """
    return quote(url.strip(), safe=_URL_SAFE)


@dataclass
class Response:
    """One HTTP answer: ``status`` 304 means the cached copy is current."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class PoliteClient:
    """Fetches URLs one at a time per client, honouring robots.txt, with backoff on 429/5xx."""

    def __init__(
        self, delay: float = 1.0, timeout: float = 30.0, retries: int = 3, user_agent: str = USER_AGENT
    ) -> None:
        self.delay = delay
        self.timeout = timeout
        self.retries = retries
        self.user_agent = user_agent
        self.requests = 0
        self._lock = threading.Lock()
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last = 0.0

    def allowed(self, url: str) -> bool:
        """Whether robots.txt of ``url``'s site lets this user agent fetch it."""
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            parser = urllib.robotparser.RobotFileParser(root + "/robots.txt")
            try:
                resp = self._get(root + "/robots.txt", {})
                parser.parse(resp.body.decode("utf-8", "replace").splitlines() if resp.status == 200 else [])
            except InputError:
                parser.parse([])
            self._robots[root] = parser
        robots = self._robots[root]
        return robots is None or robots.can_fetch(self.user_agent, url)

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url`` (conditionally when ``etag``/``last_modified`` are given).

        Raises :class:`InputError` with one line on robots refusal, 4xx, timeout or exhausted retries.
        """
        if not self.allowed(url):
            raise InputError(f"{url}: disallowed by robots.txt")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers)

    def _get(self, url: str, headers: dict[str, str]) -> Response:
        attempt = 0
        while True:
            with self._lock:  # one request in flight per client (= per site)
                wait = self._last + self.delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    result = self._once(url, headers)
                finally:
                    self._last = time.monotonic()
            if isinstance(result, Response):
                return result
            status, retry_after = result
            if attempt >= self.retries:
                raise InputError(f"{url}: HTTP {status} after {attempt + 1} attempts")
            time.sleep(
                retry_after if retry_after is not None else min(0.5 * 2**attempt, 30) * (self.delay > 0)
            )
            attempt += 1

    def _once(self, url: str, headers: dict[str, str]) -> Response | tuple[int, float | None]:
        self.requests += 1
        try:
            headers = {"User-Agent": self.user_agent, **headers}
            request = urllib.request.Request(request_url(url), headers=headers)
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 (http/https only)
                return Response(url, resp.status, resp.read(), dict(resp.headers.items()))
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(url, 304, b"", dict(exc.headers.items()))
            if exc.code == 429 or exc.code >= 500:
                return exc.code, _retry_after(exc.headers.get("Retry-After"))
            raise InputError(f"{url}: HTTP {exc.code}") from None
        except TimeoutError:
            raise InputError(f"{url}: timed out after {self.timeout:g} s") from None
        except (http.client.HTTPException, ValueError) as exc:
            raise InputError(f"{url}: bad address or answer ({exc.__class__.__name__})") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise InputError(f"{url}: timed out after {self.timeout:g} s") from None
            raise InputError(f"{url}: cannot connect ({exc.reason})") from None
        except OSError as exc:  # a connection reset while reading the body
            raise InputError(f"{url}: connection lost ({exc.__class__.__name__})") from None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped at 60."""
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value), 60.0)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when - time.time(), 60.0))
