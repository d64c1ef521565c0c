"""Service timelines, the comparison view and entity pages over the sample build, in Chromium.

Each test finds its subject through the API (the service seen in the most years, the entity with
the most relations) and checks the page against the API's own answer. Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import NEEDS_CHROMIUM, screenshot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_web_support import built_samples, served  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow, NEEDS_CHROMIUM]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The explorer over the sample build on waitress at a loopback port."""
    from councilkg.settings import Settings
    from web import close_app, create_app

    data = built_samples(tmp_path_factory)
    app = create_app({"SETTINGS": Settings.load({"data_dir": str(data), "search_rate_limit": 0}, environ={})})
    with served(app) as url:
        yield url
    close_app(app)


def api(site: str, path: str, **params: Any) -> Any:
    with urllib.request.urlopen(site + path + "?" + urllib.parse.urlencode(params), timeout=120) as answer:
        return json.loads(answer.read())


def services_by_years(site: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every service with its timeline, those seen in the most years first."""
    found = [(s, api(site, "/api/timeline", iri=s["iri"]))
             for s in api(site, "/api/entities", kind="service")["entities"]]
    return sorted(found, key=lambda st: (-len(st[1]["years"]), st[0]["label"]))


def test_timeline_rows_chart_changes_and_csv(page: Any, site: str) -> None:
    service, timeline = services_by_years(site)[0]
    assert len(timeline["years"]) >= 2
    page.goto(site + "/timeline")
    page.get_by_role("link", name=service["label"], exact=True).first.click()
    page.locator("h1", has_text=service["label"]).wait_for()
    assert page.locator("li.timeline-row").count() == len(timeline["rows"])
    assert page.locator("li.timeline-row figure.quote").count() == len(timeline["rows"])  # one quote each
    years = [y["year"] for y in timeline["years"]]
    assert page.locator("svg.chart g.presence").count() == len(years)
    assert page.locator("svg.chart g.absence").count() == years[-1] - years[0] + 1 - len(years)
    changed = sum(len(r["changes"]) for r in timeline["rows"])
    assert page.locator("li.timeline-row dd.changed").count() == changed
    assert page.locator("table.tracks tbody tr").count() == len(timeline["tracks"])
    screenshot(page, "timeline-rows")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert len(lines) == sum(max(1, len(r["figures"])) for r in timeline["rows"])
    assert all(r["quote"] and r["link"].startswith(site + "/papers/") for r in lines)
    assert page.console_errors == []


def test_timeline_at_400_px(browser: Any, site: str) -> None:
    service, _ = services_by_years(site)[0]
    context = browser.new_context(viewport={"width": 400, "height": 900})
    narrow = context.new_page()
    narrow.goto(site + "/timeline?" + urllib.parse.urlencode({"iri": service["iri"]}))
    screenshot(narrow, "timeline-400", full_page_below=20_000)
    tallest = narrow.evaluate(
        "Math.max(...[...document.querySelectorAll('li.timeline-row')].map(e => e.offsetHeight))")
    assert tallest < 1600  # a row is a short block, not a 1,000-pixel table row per cell
    context.close()


def test_comparison_of_two_services_side_by_side(page: Any, site: str) -> None:
    (first, one), (second, two) = services_by_years(site)[:2]
    page.goto(site + "/timeline/compare")
    page.get_by_label(first["label"], exact=True).check()
    page.get_by_label(second["label"], exact=True).check()
    page.get_by_role("button", name="Compare").click()
    page.locator("table.compare").wait_for()
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert headers == ["Year", *sorted([first["label"], second["label"]])]  # in the list's order
    years = {y["year"] for y in one["years"]} | {y["year"] for y in two["years"]}
    assert page.locator("table.compare tbody tr").count() == len(years)
    screenshot(page, "timeline-compare")
    assert page.console_errors == []


def test_entity_page_reads_relations_as_sentences_by_year(page: Any, site: str) -> None:
    top = api(site, "/api/overview")["most_connected"][0]
    page.goto(site + "/id/" + top["iri"].split("/id/", 1)[1])
    headings = page.locator("section.fact-group h3").all_inner_texts()
    years = [h.split(" ")[0] for h in headings]
    assert years and years == sorted(years, reverse=True)
    lines = page.locator("li.fact p.fact-line").all_inner_texts()
    assert lines and all(" · " not in line for line in lines)  # sentences, not "A · member of · B"
    assert page.locator("li.fact figure.quote").count() >= len(lines)
    screenshot(page, "entity-by-year", full_page_below=20_000)
    assert page.console_errors == []
