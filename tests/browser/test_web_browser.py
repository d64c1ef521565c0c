"""The explorer in a real browser (Playwright driving Debian's Chromium) over the fixtures.

Screenshots of every page go to ``test-artifacts/`` (gitignored) so a person can look at them.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import NEEDS_CHROMIUM, screenshot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_web_support import HOME_CARE, make_app, served  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The explorer over the fixtures on waitress at a loopback port."""
    with served(make_app(tmp_path_factory.mktemp("browser"))) as url:
        yield url


def shot(page: Any, name: str) -> None:
    screenshot(page, f"web-{name}")


def test_overview_and_ontology_pages(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.locator("h1").inner_text() == "Council papers knowledge graph"
    shot(page, "overview")
    page.goto(base_url + "/ontology")
    shot(page, "ontology")
    assert page.console_errors == []


def test_search_with_filters_then_open_the_paper(page: Any, base_url: str) -> None:
    page.goto(base_url + "/search")
    page.get_by_label("Words or a question").fill("home care funding")
    page.get_by_label("Authority").fill("County")
    page.get_by_role("button", name="Search").click()
    results = page.locator("li.result")
    results.first.wait_for()
    assert results.count() >= 1
    assert all("Nottinghamshire County Council" in t for t in results.all_inner_texts())
    assert page.locator("mark.hit").count() >= 1
    shot(page, "search")
    results.first.locator("a.paper-link").click()
    page.wait_for_url("**/papers/county-2019**")
    target = page.locator("article.paper mark.target")
    assert "re-procured" in target.first.inner_text()
    shot(page, "paper")
    assert page.console_errors == []


def test_paper_page_keeps_html_fragments_as_text(page: Any, base_url: str) -> None:
    page.goto(base_url + "/papers/city-2017")
    assert "<script>alert(1)</script>" in page.locator("article.paper").inner_text()
    assert page.locator("article.paper table td").first.is_visible()
    assert page.locator("article.paper b").count() == 0
    mention = page.locator("article.paper a.mention").first
    assert mention.get_attribute("href") == "/id/org/nottingham-city-council"


def test_entity_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/id/org/nottingham-city-council")
    assert page.locator("h1").inner_text() == "Nottingham City Council"
    assert "E06000018" in page.content()
    page.get_by_role("link", name="City Integrated Care Partnership").first.click()
    page.wait_for_url("**/id/partnership/city-integrated-care-partnership")
    assert "Members of City Integrated Care Partnership (2)" in page.locator("main").inner_text()
    shot(page, "entity")
    assert page.console_errors == []


def test_graph_draws_nodes_and_expands_on_click(page: Any, base_url: str) -> None:
    page.goto(base_url + f"/graph?iri={HOME_CARE}")
    page.locator("#graph[data-nodes]").wait_for(state="attached")
    assert page.evaluate("Number(document.getElementById('graph').dataset.nodes)") >= 5
    assert page.locator("#graph canvas").count() >= 1
    shot(page, "graph")
    page.goto(base_url + f"/graph?iri={HOME_CARE}&year=2019")
    page.locator("#graph[data-nodes]").wait_for(state="attached")
    assert page.evaluate("Number(document.getElementById('graph').dataset.nodes)") == 2
    assert page.console_errors == []


def test_timeline_and_its_csv(page: Any, base_url: str) -> None:
    page.goto(base_url + f"/timeline?iri={HOME_CARE}")
    rows = page.locator("li.timeline-row")  # one per passage: two in 2017, one in 2019
    assert rows.count() == 3
    assert page.locator("li.timeline-row dd.changed").count() == 2  # status and money, like with like
    assert page.locator("svg.chart rect.bar").count() == 2  # the stated sums of 2017 and 2019
    assert page.locator("svg.chart g.presence").count() == 2  # 2017 and 2019, and 2018 between:
    assert page.locator("svg.chart g.absence").count() == 1
    shot(page, "timeline")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [r["date"] for r in lines] == ["2017-03-14", "2017-03-14", "2019-07-09"]
    assert all(r["link"].startswith(base_url + "/papers/") for r in lines)
    assert page.console_errors == []


def test_sparql_page_runs_an_example(page: Any, base_url: str) -> None:
    # The plain editor, as it runs when the YASGUI workbench cannot load (the workbench has
    # its own tests in test_web_workbench_browser.py).
    page.route("**/assets/vendor/yasgui.min.js", lambda route: route.fulfill(status=404, body=""))
    page.goto(base_url + "/query")
    assert page.locator("#query-highlight .tok-kw").count() >= 2  # the highlighter ran
    page.locator("a.example").first.click()
    page.locator("#results table tbody tr").first.wait_for()
    assert page.locator("#results table tbody tr").count() == 2
    assert "2 rows" in page.locator("#status").inner_text()
    shot(page, "sparql")
    assert [e for e in page.console_errors if "404 (Not Found)" not in e] == []  # the blocked library
