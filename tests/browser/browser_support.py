"""Pieces the explorer's Playwright tests share: Debian's Chromium, its flags, and screenshots.

Wait with locators (``locator(...).wait_for()``), not ``page.wait_for_function``: a string
predicate that is not true at once is polled through ``eval``, which the explorer's
Content-Security-Policy forbids, so such a wait fails whenever the page is slow.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh)"
)


def screenshot(page: Any, name: str, full_page_below: int | None = None) -> None:
    """Keep a screenshot of ``page`` in test-artifacts/ (full page unless taller than the limit)."""
    ARTIFACTS.mkdir(exist_ok=True)
    full = full_page_below is None or page.evaluate("document.body.scrollHeight") < full_page_below
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve the WSGI ``app`` with waitress on a free loopback port; yields its base URL."""
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)
