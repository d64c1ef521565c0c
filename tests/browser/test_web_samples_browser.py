"""The explorer over a real build of the bundled samples, in Chromium (Playwright).

The session fixture builds ``corpus/data/samples`` exactly as ``councilkg demo`` does (ingest,
extraction, graph, search index) and serves it on waitress. Nothing here names a sample paper or
entity: each test finds its subject through the API (the most connected entity, a service that
appears in several papers, an authority of the catalogue) and checks the page against the API's
own answer, so the tests hold for any corpus. Screenshots go to ``test-artifacts/``.

``COUNCILKG_WEB_SAMPLES_DATA`` may name a data dir already built from the samples (to iterate
quickly); otherwise a fresh one is built once per session.
"""

from __future__ import annotations

import csv
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

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "corpus" / "data" / "samples"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@pytest.fixture(scope="session")
def samples_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the built samples (built once per session unless one is given)."""
    return built_samples(tmp_path_factory)


@pytest.fixture(scope="session")
def site(samples_data: Path) -> Iterator[str]:
    """The explorer over the sample build on waitress at a loopback port."""
    from councilkg.settings import Settings
    from web import close_app, create_app

    settings = Settings.load({"data_dir": str(samples_data), "search_rate_limit": 0}, environ={})
    app = create_app({"SETTINGS": settings})
    with served(app) as url:
        yield url
    close_app(app)


def api(site: str, path: str, **params: Any) -> Any:
    url = site + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=300) as response:
        return json.loads(response.read())


def shot(page: Any, name: str) -> None:
    screenshot(page, f"web-samples-{name}", full_page_below=12000)


def catalogue_authorities() -> set[str]:
    with (SAMPLES / "catalogue.csv").open(encoding="utf-8") as f:
        return {row["authority"] for row in csv.DictReader(f) if row.get("authority")}


def unlabelled_fields(page: Any) -> list[str]:
    """Visible form fields with no label a screen reader would announce."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('input, select, textarea'))
        .filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length)
                      && !el.getAttribute('aria-label'))
        .map(el => el.name || el.id)""")


def test_overview_counts_every_paper_and_authority(page: Any, site: str) -> None:
    page.goto(site + "/")
    overview = api(site, "/api/overview")
    assert overview["papers"] == len(list(SAMPLES.glob("*.txt")))
    table = page.locator("#papers-h ~ .table-wrap table").inner_text()
    assert all(authority in table for authority in catalogue_authorities())
    links = page.locator("ol.connected > li > a:first-child")
    assert links.count() == len(overview["most_connected"]) >= 1
    assert unlabelled_fields(page) == []
    shot(page, "overview")
    assert page.console_errors == []


def test_search_with_an_authority_filter_then_open_the_passage(page: Any, site: str) -> None:
    question = json.loads((ROOT / "tests/data/eval/queries_dev.json").read_text(encoding="utf-8"))[0]["q"]
    authority = sorted(catalogue_authorities())[0]
    page.goto(site + "/search")
    page.get_by_label("Words or a question").fill(question)
    page.get_by_label("Authority").fill(authority)
    page.get_by_label("Words or a question").press("Enter")  # the keyboard submits the form
    results = page.locator("li.result")
    results.first.wait_for()
    expected = api(site, "/api/search", q=question, authority=authority)["results"]
    assert results.count() == len(expected) >= 1
    assert all(authority in meta for meta in page.locator("li.result .meta").all_inner_texts())
    assert page.locator("mark.hit").count() >= 1
    assert unlabelled_fields(page) == []
    shot(page, "search")
    first = expected[0]
    results.first.locator("a.paper-link").click()
    page.wait_for_url(f"**/papers/{first['doc_id']}**")
    target = page.locator("article.paper mark.target")
    assert target.count() >= 1
    shown = " ".join(" ".join(target.all_inner_texts()).split())
    assert " ".join(first["text"].split())[:40] in shown  # the page marks the very passage found
    shot(page, "paper")
    assert page.console_errors == []


def test_paper_page_draws_tables_and_links_mentions(page: Any, site: str) -> None:
    papers = api(site, "/api/papers")["papers"]
    with_table = next(p for p in papers if api(site, f"/api/papers/{p['doc_id']}")["tables"])
    page.goto(site + f"/papers/{with_table['doc_id']}")
    assert page.locator("article.paper table td").count() >= 2
    mention = page.locator("article.paper a.mention").first
    href = mention.get_attribute("href")
    assert href.startswith("/id/")
    mention.click()
    page.wait_for_url("**" + href)
    assert page.locator("h1").inner_text().strip()
    assert page.console_errors == []


def test_entity_page_of_the_most_connected_entity(page: Any, site: str) -> None:
    top = api(site, "/api/overview")["most_connected"][0]
    data = api(site, "/api/entity", iri=top["iri"])
    page.goto(site + "/")
    page.get_by_role("link", name=top["label"], exact=True).first.click()
    assert page.locator("h1").inner_text() == data["label"]
    main = page.locator("main").inner_text()
    assert f"Named in\n{len(data['mentions'])} paper" in main or f"{len(data['mentions'])} paper" in main
    facts = page.locator("li.fact")  # one line per statement, however many passages say it
    assert 1 <= facts.count() <= len(data["facts"])
    passages = {(e["doc_id"], e["start"], e["end"]) for f in data["facts"] for e in f["evidence"]}
    assert page.locator("li.fact figure.quote").count() >= min(len(passages), facts.count())
    quote_link = page.locator("figure.quote figcaption a").first
    if quote_link.count():
        href = quote_link.get_attribute("href")
        assert "/papers/" in href and "at=" in href
    assert page.locator("a", has_text="extraction run").count() == 0  # provenance is not a party
    shot(page, "entity")
    assert page.console_errors == []


def test_graph_draws_the_neighbourhood_and_expands_on_click(page: Any, site: str) -> None:
    top = api(site, "/api/overview")["most_connected"][0]
    graph = api(site, "/api/graph", iri=top["iri"])
    page.goto(site + "/graph?" + urllib.parse.urlencode({"iri": top["iri"]}))
    page.locator("#graph[data-nodes]").wait_for(state="attached")
    assert page.evaluate("Number(document.getElementById('graph').dataset.nodes)") == len(graph["nodes"])
    assert page.locator("table.neighbours tbody tr").count() == len(graph["nodes"]) - 1
    shot(page, "graph")
    # A real mouse click on the canvas, on the first neighbour.
    neighbour = graph["nodes"][1]
    box = page.locator("#graph").bounding_box()
    pos = page.evaluate(
        "(id) => document.getElementById('graph').cytoscape.getElementById(id).renderedPosition()",
        neighbour["id"],
    )
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.locator("#graph-status", has_text="neighbours of").wait_for(state="attached")
    assert neighbour["label"] in page.locator("#graph-status").inner_text()
    after = page.evaluate("Number(document.getElementById('graph').dataset.nodes)")
    expected = {n["id"] for n in graph["nodes"]} | {n["id"] for n in api(site, "/api/graph",
                                                                          iri=neighbour["id"])["nodes"]}
    assert after == len(expected)
    assert page.console_errors == []


def test_graph_year_filter_keeps_only_that_years_relationships(page: Any, site: str) -> None:
    top = api(site, "/api/overview")["most_connected"][0]
    years = sorted({r["year"] for r in api(site, "/api/overview")["papers_by_authority_year"]})
    page.goto(site + "/graph?" + urllib.parse.urlencode({"iri": top["iri"]}))
    page.get_by_label("Year").fill(years[0])
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**year={years[0]}**")
    expected = api(site, "/api/graph", iri=top["iri"], year=years[0])
    assert page.locator("table.neighbours tbody tr").count() == len(expected["nodes"]) - 1
    assert page.console_errors == []


def test_graph_year_range_in_the_page_matches_the_servers_year_filter(page: Any, site: str) -> None:
    """Choosing one year in the page (no reload) shows the entities and table rows the server's
    own year filter gives for the most connected entity, for every year it has."""
    top = api(site, "/api/overview")["most_connected"][0]
    full = api(site, "/api/graph", iri=top["iri"])
    years = sorted({y for e in full["edges"] for y in e["years"]})
    assert len(years) >= 2
    page.goto(site + "/graph?" + urllib.parse.urlencode({"iri": top["iri"]}))
    page.locator("#graph[data-nodes]").wait_for(state="attached")
    for year in years:
        page.get_by_label("from", exact=True).select_option(str(year))
        page.get_by_label("to", exact=True).select_option(str(year))
        shown = set(page.evaluate("() => document.getElementById('graph').cytoscape.nodes(':visible')"
                                  ".map(n => n.id())"))
        expected = api(site, "/api/graph", iri=top["iri"], year=year)
        if full["note"] is None and expected["note"] is None:  # neither view cut to its most connected
            assert shown == {n["id"] for n in expected["nodes"]}, year
        rows = page.locator("table.neighbours tbody tr:visible")
        assert rows.count() == len(shown) - 1
    shot(page, "graph-one-year")
    assert page.console_errors == []


def test_sparql_pivot_of_counts_by_authority_and_year(page: Any, site: str) -> None:
    """The competency question 'counts by authority and year' as a pivot: every authority down
    the side, every year across, each cell the endpoint's count of papers."""
    query = (ROOT / "kg" / "queries" / "07_counts_by_authority_year.rq").read_text(encoding="utf-8")
    rows = [{k: v["value"] for k, v in r.items()}
            for r in api(site, "/sparql", query=query)["results"]["bindings"]]
    years = sorted({r["year"] for r in rows if "year" in r})
    authorities = sorted({r["authorityLabel"] for r in rows})
    assert len(years) >= 2
    page.goto(site + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()
    page.evaluate("t => window.councilkgYasgui.getTab().getYasqe().setValue(t)", query)
    page.locator("#workbench .tabPanel.active .yasqe_queryButton").click()
    page.locator("#workbench .tabPanel.active .yasr_response_chip", has_text="result").wait_for()
    page.locator("#workbench .tabPanel.active .yasr_btnGroup .select_pivot").click()
    pivot = page.locator("#workbench .tabPanel.active .yasr-pivot table.pvtTable")
    pivot.wait_for()
    assert pivot.locator("th.pvtColLabel").all_inner_texts() == years
    assert sorted(pivot.locator("th.pvtRowLabel").all_inner_texts()) == authorities
    labels = pivot.locator("th.pvtRowLabel").all_inner_texts()
    for r in rows:
        if "year" not in r:
            continue
        i, j = labels.index(r["authorityLabel"]), years.index(r["year"])
        cell = pivot.locator(f"td.pvtVal.row{i}.col{j}")
        assert cell.inner_text() == r["papers"], (r["authorityLabel"], r["year"])
    shot(page, "sparql-pivot")
    page.locator("#workbench .tabPanel.active select.pvtRenderer").select_option("Heatmap")
    page.locator("#workbench .tabPanel.active td.pvtVal[style*='background']").first.wait_for()
    shot(page, "sparql-pivot-heatmap")
    assert page.console_errors == []


def test_sparql_page_runs_a_competency_example(page: Any, site: str) -> None:
    page.goto(site + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()  # the YASGUI workbench loaded
    examples = page.locator("a.example")
    assert examples.count() == len(list((ROOT / "kg" / "queries").glob("*.rq")))
    name = examples.first.get_attribute("data-name")
    query = (ROOT / "kg" / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    expected = api(site, "/sparql", query=query)["results"]["bindings"]
    examples.first.click()
    chip = page.locator("#workbench .tabPanel.active .yasr_response_chip", has_text="result")
    chip.wait_for()
    assert chip.inner_text().startswith(f"{len(expected)} result")
    rows = page.locator("#workbench .tabPanel.active .yasr table tbody tr:not(:has(.dataTables_empty))")
    assert rows.count() == min(len(expected), 50)  # the table's first page
    shot(page, "sparql")
    counts = ("SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n) ?type "
              "LIMIT 12")
    page.evaluate("t => window.councilkgYasgui.getTab().getYasqe().setValue(t)", counts)
    page.locator("#workbench .tabPanel.active .yasqe_queryButton").click()
    page.locator("#workbench .tabPanel.active .yasr_response_chip", has_text="12 results").wait_for()
    page.locator("#workbench .tabPanel.active .yasr_btnGroup .select_chart").click()
    bars = page.locator("#workbench .tabPanel.active svg.yasr-chart rect")
    bars.first.wait_for()
    assert bars.count() == 12
    shot(page, "sparql-chart")
    assert page.console_errors == []


def test_pages_work_without_javascript_and_by_keyboard(browser: Any, site: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)
    pg = context.new_page()
    pg.goto(site + "/")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.textContent") == "Skip to content"
    pg.goto(site + "/query")
    assert pg.locator("#query").is_visible() and pg.locator("#query").input_value().strip()
    pg.get_by_role("button", name="Run").click()
    pg.wait_for_load_state()
    assert pg.locator("#results table tbody tr").count() >= 1
    shot(pg, "sparql-no-js")
    context.close()
