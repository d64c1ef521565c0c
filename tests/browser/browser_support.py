"""Pieces the explorer's Playwright tests share: Debian's Chromium, its flags, and screenshots.

Wait with locators (``locator(...).wait_for()``), not ``page.wait_for_function``: a string
predicate that is not true at once is polled through ``eval``, which the explorer's
Content-Security-Policy forbids, so such a wait fails whenever the page is slow.
"""

from __future__ import annotations

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

