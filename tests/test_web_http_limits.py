"""Requests over the size limits get the app's JSON error shape from the real server
(waitress), not waitress's plain text (issue #12 item 12)."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest
from test_web_support import make_app

from web.server import WAITRESS_MARGIN, create_server


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The explorer with a 1 KB request limit, served by :func:`web.server.create_server`."""
    app = make_app(tmp_path_factory.mktemp("limits"), max_request_kb=1)
    server = create_server(app, threads=2, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.close()
        thread.join(timeout=5)


def ask(port: int, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, str, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        raw = response.read()
        assert "json" in response.getheader("Content-Type", ""), raw[:200]
        return response.status, response.getheader("Content-Type", ""), json.loads(raw)
    finally:
        conn.close()


SPARQL = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}


def test_a_body_just_over_the_app_limit_is_a_json_413(port: int) -> None:
    status, _, data = ask(port, "POST", "/sparql", b"ASK {} #" + b"x" * 4000, SPARQL)
    assert (status, data) == (413, {"error": "request too large", "status": 413})


def test_a_body_over_the_servers_own_limit_is_a_json_413(port: int) -> None:
    body = b"ASK {} #" + b"x" * (2048 + 2 * WAITRESS_MARGIN)
    status, _, data = ask(port, "POST", "/sparql", body, SPARQL)
    assert (status, data) == (413, {"error": "request too large", "status": 413})


def test_a_long_url_is_a_json_414_naming_the_limit(port: int) -> None:
    status, _, data = ask(port, "GET", "/api/search?q=" + "care+" * 1000,
                          headers={"Accept": "application/json"})
    assert status == 414 and "URL too long" in data["error"] and data["status"] == 414


def test_a_url_over_the_servers_own_header_limit_is_a_json_431(port: int) -> None:
    status, _, data = ask(port, "GET", "/?x=" + "a" * (300 * 1024))
    assert (status, data) == (431, {"error": "request headers too large", "status": 431})


def test_large_headers_are_a_json_431(port: int) -> None:
    status, _, data = ask(port, "GET", "/api/overview", headers={"X-Padding": "p" * (40 * 1024)})
    assert (status, data) == (431, {"error": "request headers too large", "status": 431})


def test_requests_within_the_limits_are_answered(port: int) -> None:
    status, _, data = ask(port, "POST", "/sparql", b"ASK { ?s ?p ?o }", SPARQL)
    assert status == 200 and data["boolean"] is True
