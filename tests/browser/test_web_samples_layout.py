"""The explorer's pages over a real build of the bundled samples at 400 px (Playwright).

Real papers have long titles, wide tables and many facts, which the small fixtures do not: so
every page kind is checked here too, each found through the API (every paper, the most
connected entity, a service that has a timeline), never by name: nothing wider than the
viewport, no table row taller than the screen, one h1, zero axe-core violations. The build is
shared with ``test_web_samples_browser.py`` when both run in one session.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import NEEDS_CHROMIUM, screenshot
from layout_support import DESKTOP, NEEDS_AXE, PHONE, axe_violations, layout, layout_problems

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_web_support import built_samples, served  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, NEEDS_CHROMIUM, NEEDS_AXE]

KNOWN: dict[str, str] = {}
"""Page kinds of other work in progress that still fail a check (strict: a fix shows)."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The explorer over the sample build on waitress at a loopback port."""
    from councilkg.settings import Settings
    from web import close_app, create_app

    settings = Settings.load({"data_dir": str(built_samples(tmp_path_factory)), "search_rate_limit": 0},
                             environ={})
    app = create_app({"SETTINGS": settings})
    with served(app) as url:
        yield url
    close_app(app)


def api(site: str, path: str) -> Any:
    with urllib.request.urlopen(site + path, timeout=300) as response:
        return json.loads(response.read())


def sample_pages(site: str) -> dict[str, list[str]]:
    """Each page kind's URLs on this build, found through the API."""
    papers = [p["doc_id"] for p in api(site, "/api/papers")["papers"]]
    top = api(site, "/api/overview")["most_connected"][0]["iri"]
    services = api(site, "/api/entities?kind=service")["entities"]
    with_rows = next(s for s in services
                     if api(site, "/api/timeline?iri=" + urllib.parse.quote(s["iri"]))["rows"])
    quoted = urllib.parse.quote(top)
    return {
        "home": ["/"], "papers": ["/papers"], "paper": [f"/papers/{d}" for d in papers],
        "search": ["/search?q=who+pays+for+home+care"], "entities": ["/entities"],
        "entity": [with_rows["url"], "/id/" + top.split("/id/", 1)[1]],
        "timeline": ["/timeline?iri=" + urllib.parse.quote(with_rows["iri"])],
        "graph": [f"/graph?iri={quoted}"], "ontology": ["/ontology"], "api": ["/api"],
    }


@pytest.fixture(scope="module")
def pages(site: str) -> dict[str, list[str]]:
    return sample_pages(site)


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(180_000)  # the first search loads the encoder
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("kind", [
    pytest.param(k, marks=pytest.mark.xfail(reason=KNOWN[k], strict=True)) if k in KNOWN else k
    for k in ("home", "papers", "paper", "search", "entities", "entity", "timeline", "graph", "ontology",
              "api")
])
def test_sample_pages_fit_a_phone_with_no_axe_violations(phone: Any, site: str, pages: dict[str, list[str]],
                                                         kind: str) -> None:
    problems = []
    for path in pages[kind]:
        problems += layout_problems(path, layout(phone, site + path))
        problems += [f"{path}: {v}" for v in axe_violations(phone)]
    if kind in {"home", "papers", "paper", "search", "ontology"}:
        screenshot(phone, f"samples-layout-{kind}-400", full_page_below=8000)
    assert problems == []


def test_sample_pages_at_desktop_width(browser: Any, site: str, pages: dict[str, list[str]]) -> None:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(180_000)
    page = context.new_page()
    try:
        for kind in ("home", "papers", "paper", "search", "ontology"):
            assert layout_problems(kind, layout(page, site + pages[kind][0])) == []
            screenshot(page, f"samples-layout-{kind}-1280", full_page_below=8000)
    finally:
        context.close()
