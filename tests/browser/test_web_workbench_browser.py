"""The SPARQL workbench (YASGUI) and the relationship graph in a real browser, drawn from the
libraries packaged in web/static/vendor/ (nothing is fetched from node_modules or the network).

Screenshots go to ``test-artifacts/`` for a person to look at.
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
from layout_support import DESKTOP, LAYOUT, NEEDS_AXE, PHONE, axe_violations, layout_problems

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_web_support import HOME_CARE, make_app, served  # noqa: E402

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]
QUERIES = Path(__file__).resolve().parents[2] / "kg" / "queries"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The explorer over the fixtures on waitress at a loopback port."""
    with served(make_app(tmp_path_factory.mktemp("workbench"))) as url:
        yield url


@pytest.fixture
def outside(page: Any, base_url: str) -> list[str]:
    """Requests the page makes to any host but the explorer (there must be none)."""
    seen: list[str] = []
    page.on("request", lambda req: req.url.startswith(("http://", "https://"))
            and not req.url.startswith(base_url) and seen.append(req.url))
    return seen


def _editor_text(page: Any, text: str) -> None:
    """Replace the current tab's query through YASQE (CodeMirror) itself."""
    page.evaluate("t => { const y = window.councilkgYasgui.getTab().getYasqe(); y.setValue(t);"
                  " y.focus(); y.setCursor(y.lineCount(), 0); }", text)


def test_workbench_loads_completes_a_ck_term_and_draws_a_table(page: Any, base_url: str,
                                                               outside: list[str]) -> None:
    page.goto(base_url + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()
    assert page.locator("#plain-editor").is_hidden()
    assert page.locator("#workbench-failed").is_hidden()
    assert page.locator("#pivot-failed").is_hidden()
    assert page.locator("#workbench .cm-keyword").count() >= 2  # highlighting
    # Accessible as the explorer's other pages: the tab list holds only tabs, every field a label.
    assert page.locator("#workbench .tabsList button").count() == 0
    assert page.locator("#workbench .add-tab button.addTab").count() == 1
    assert page.locator("#workbench input.autocomplete").get_attribute("aria-label") == "SPARQL endpoint"
    assert page.locator("#workbench .CodeMirror textarea").get_attribute("aria-label") == "SPARQL query"
    _editor_text(page, "PREFIX ck: <https://w3id.org/councilkg/ontology#>\nSELECT ?p WHERE {\n  ?p a ")
    page.keyboard.type("ck:Pa")
    page.keyboard.press("Control+Space")
    hints = page.locator(".CodeMirror-hints li")
    hints.first.wait_for()
    offered = hints.all_inner_texts()
    assert "ck:Paper" in offered, offered
    screenshot(page, "workbench-autocomplete")
    page.keyboard.press("Escape")
    _editor_text(page, "PREFIX ck: <https://w3id.org/councilkg/ontology#>\nSELECT ?p WHERE {\n  ?p ")
    page.keyboard.type("ck:inPa")  # a property of ours
    page.keyboard.press("Control+Space")
    hints.first.wait_for()
    assert "ck:inPaper" in hints.all_inner_texts()
    page.keyboard.press("Escape")
    _editor_text(page, "")
    page.keyboard.type("PREFIX dcter")  # a prefix the ontology uses
    page.keyboard.press("Control+Space")
    hints.first.wait_for()
    assert any(h.startswith("dcterms: <http://purl.org/dc/terms/>") for h in hints.all_inner_texts())
    page.keyboard.press("Escape")
    _editor_text(page, "PREFIX ck: <https://w3id.org/councilkg/ontology#>\n"
                       "SELECT ?paper WHERE { ?paper a ck:Paper } ORDER BY ?paper")
    page.locator("#workbench .yasqe_queryButton").click()
    rows = page.locator("#workbench .yasr table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert page.locator('#workbench .yasr a[href="/id/paper/city-2017"]').count() == 1
    screenshot(page, "workbench-table")
    assert outside == []
    assert page.console_errors == []


def test_workbench_marks_a_syntax_error_and_runs_an_example(page: Any, base_url: str) -> None:
    page.goto(base_url + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()
    _editor_text(page, "SELECT ?x WHERE { ?x ?y }")
    page.locator("#workbench .parseErrorIcon").first.wait_for()
    page.locator("a.example").first.click()
    page.locator("#workbench .yasr table tbody tr").first.wait_for()
    assert page.locator("#workbench .tab").count() >= 2  # the example opened in its own tab
    page.locator("#workbench .add-tab button.addTab").click()  # new tabs still join the list
    assert page.locator("#workbench .tabsList .tab").count() >= 3
    assert page.locator("#workbench .CodeMirror textarea:not([aria-label])").count() == 0
    screenshot(page, "workbench-example")
    assert page.console_errors == []


def test_workbench_share_link_brings_the_query_back(browser: Any, page: Any, base_url: str) -> None:
    page.goto(base_url + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/councilkg/ontology#Service> } # shared"
    _editor_text(page, query)
    page.locator("#workbench .yasqe_share").click()
    link = page.locator("#workbench .yasqe_sharePopup input").input_value()
    assert link.startswith((base_url + "/query?", base_url + "/query#")) and "shared" in link
    fresh = browser.new_context()  # another person, with nothing kept from this session
    other = fresh.new_page()
    other.goto(link)
    other.locator("#workbench .yasqe .CodeMirror").wait_for()
    assert other.evaluate("() => window.councilkgYasgui.getTab().getYasqe().getValue()") == query
    fresh.close()


def _select(base_url: str, query: str) -> list[dict[str, str]]:
    """The endpoint's own answer to ``query``: each row's values by variable name."""
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(base_url + "/sparql", data=body,
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request) as answer:
        bindings = json.load(answer)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in bindings]


def test_workbench_pivots_a_competency_query(page: Any, base_url: str, outside: list[str]) -> None:
    """The pivot view of 'counts by authority and year': authorities down the side, years across,
    the sum of papers in each cell and in the totals, as the endpoint's rows add up."""
    query = (QUERIES / "07_counts_by_authority_year.rq").read_text(encoding="utf-8")
    rows = _select(base_url, query)
    authorities = sorted({r["authorityLabel"] for r in rows})
    years = sorted({r.get("year", "(no value)") for r in rows})  # the fixtures' papers have no ck:year
    assert len(authorities) >= 2
    page.goto(base_url + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()
    _editor_text(page, query)
    page.locator("#workbench .yasqe_queryButton").click()
    page.locator("#workbench .yasr table tbody tr").first.wait_for()
    page.locator("#workbench .yasr .select_pivot").click()
    pivot = page.locator("#workbench .yasr-pivot table.pvtTable")
    pivot.wait_for()
    box = page.locator("#workbench .yasr-pivot")
    assert box.get_attribute("data-rows") == "authorityLabel"
    assert box.get_attribute("data-cols") == "year"
    assert page.locator("#workbench select.pvtAggregator").input_value() == "Integer Sum"
    assert page.locator("#workbench select.pvtAttrDropdown").first.input_value() == "papers"
    assert pivot.locator("th.pvtRowLabel").all_inner_texts() == authorities
    assert pivot.locator("th.pvtColLabel").all_inner_texts() == years
    for i, authority in enumerate(authorities):  # each row's total is the sum of its papers
        total = sum(int(r["papers"]) for r in rows if r["authorityLabel"] == authority)
        assert pivot.locator(f"td.pvtTotal.rowTotal[data-for='row{i}']").inner_text() == str(total)
    grand = sum(int(r["papers"]) for r in rows)
    assert pivot.locator("td.pvtGrandTotal").inner_text() == str(grand)
    screenshot(page, "workbench-pivot")
    # Without a mouse: Enter on a column name moves it on (columns -> out -> rows).
    year = page.locator("#workbench .yasr-pivot li[data-attr='year']")
    assert year.get_attribute("aria-label") == "year, in the columns; Enter moves it to out of the pivot"
    year.focus()
    page.keyboard.press("Enter")
    page.locator("#workbench .yasr-pivot[data-cols='']").wait_for(state="attached")
    assert page.evaluate("() => document.activeElement.dataset.attr") == "year"
    page.keyboard.press("Enter")
    page.locator("#workbench .yasr-pivot[data-rows='authorityLabel,year']").wait_for(state="attached")
    page.locator("#workbench .yasr-pivot li[data-attr='year']").press("Enter")
    page.locator("#workbench .yasr-pivot[data-cols='year']").wait_for(state="attached")
    assert page.locator("#workbench .yasr-pivot").get_attribute("data-rows") == "authorityLabel"
    # With a mouse: a column name dragged (jQuery UI) into the rows joins them.
    start = page.locator("#workbench .yasr-pivot li[data-attr='services']").bounding_box()
    rows_box = page.locator("#workbench .yasr-pivot td.pvtRows").bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + start["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(start["x"] + 10 + (rows_box["x"] + 40 - start["x"] - 10) * step / 10,
                        start["y"] + (rows_box["y"] + rows_box["height"] - 20 - start["y"]) * step / 10)
    page.mouse.up()
    page.locator("#workbench .yasr-pivot[data-rows='authorityLabel,services']").wait_for(state="attached")
    page.locator("#workbench .yasr-pivot li[data-attr='services']").press("Enter")  # rows -> columns
    page.locator("#workbench .yasr-pivot li[data-attr='services']").press("Enter")  # columns -> out
    page.locator("#workbench .yasr-pivot[data-rows='authorityLabel'][data-cols='year']").wait_for(
        state="attached")
    # Another of its renderers (a heatmap) draws the same cells coloured.
    page.locator("#workbench select.pvtRenderer").select_option("Heatmap")
    page.locator("#workbench .yasr-pivot table.pvtTable td.pvtVal[style*='background']").first.wait_for(
        timeout=15_000)
    # The arrangement stays with the tab: the table view and back keep it.
    page.locator("#workbench select.pvtRenderer").select_option("Table")
    page.locator("#workbench .yasr .select_table").click()
    page.locator("#workbench .yasr .select_pivot").click()
    page.locator("#workbench .yasr-pivot table.pvtTable").wait_for()
    assert page.locator("#workbench select.pvtRenderer").input_value() == "Table"
    with page.expect_download(timeout=15_000) as download:
        page.locator("#workbench .yasr_downloadIcon").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert "year" in lines[0].split("\t")
    cells = [line.split("\t") for line in lines]
    assert [c[0] for c in cells if c[0] in authorities] == authorities
    assert cells[-1][0] == "Totals" and cells[-1][-1] == str(grand)
    assert len({len(c) for c in cells}) == 1  # spanned header cells keep the columns in line
    assert outside == []
    assert page.console_errors == []


def _open_pivot(page: Any, base_url: str, query: str) -> None:
    page.goto(base_url + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()
    _editor_text(page, query)
    page.locator("#workbench .yasqe_queryButton").click()
    page.locator("#workbench .yasr table tbody tr").first.wait_for()
    page.locator("#workbench .yasr .select_pivot").click()
    page.locator("#workbench .yasr-pivot table.pvtTable").wait_for()


@NEEDS_AXE
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_workbench_pivot_fits_the_screen_with_no_axe_violations(browser: Any, base_url: str,
                                                                size: str) -> None:
    context = browser.new_context(viewport=PHONE if size == "phone" else DESKTOP)
    context.set_default_timeout(60_000)
    page = context.new_page()
    _open_pivot(page, base_url, (QUERIES / "07_counts_by_authority_year.rq").read_text(encoding="utf-8"))
    assert layout_problems(f"pivot at {size}", page.evaluate(LAYOUT)) == []
    screenshot(page, f"workbench-pivot-{size}")
    # A value filter box open too: its search field and check boxes are checked as well.
    triangle = page.locator("#workbench .yasr-pivot .pvtAttr .pvtTriangle").first
    assert triangle.get_attribute("role") == "button"  # reachable by keyboard, named
    triangle.focus()
    page.keyboard.press("Enter")
    box = page.locator(".pvtFilterBox:visible")
    box.locator("input.pvtFilter").first.wait_for()
    screenshot(page, f"workbench-pivot-filter-{size}")
    violations = axe_violations(page)
    box.locator("button", has_text="Cancel").click()
    assert box.count() == 0
    context.close()
    assert violations == [], "; ".join(violations)


def test_workbench_without_the_pivot_library_keeps_its_other_views(page: Any, base_url: str) -> None:
    page.route("**/assets/vendor/pivot.min.js", lambda route: route.fulfill(status=404, body=""))
    page.goto(base_url + "/query")
    page.locator("#workbench .yasqe .CodeMirror").wait_for()
    page.locator("#workbench .yasqe_queryButton").click()
    page.locator("#workbench .yasr table tbody tr").first.wait_for()
    assert page.locator("#workbench .yasr .select_pivot").count() == 0
    assert page.locator("#workbench .yasr .select_table").count() == 1
    assert page.locator("#pivot-failed").is_visible()  # and the page says why


def test_workbench_says_so_when_its_library_fails(page: Any, base_url: str) -> None:
    page.route("**/assets/vendor/yasgui.min.js", lambda route: route.fulfill(status=404, body=""))
    page.goto(base_url + "/query")
    assert page.locator("#workbench-failed").is_visible()
    assert page.locator("#plain-editor #query").is_visible()


def test_graph_draws_from_packaged_assets_with_fcose_and_filters(page: Any, base_url: str,
                                                                 outside: list[str]) -> None:
    loaded: list[str] = []
    page.on("response", lambda r: "/assets/vendor/" in r.url and r.status == 200 and loaded.append(r.url))
    page.goto(base_url + f"/graph?iri={HOME_CARE}")
    page.locator("#graph[data-nodes]").wait_for(state="attached")
    assert page.get_attribute("#graph", "data-layout") == "fcose"
    assert {u.rsplit("/", 1)[-1] for u in loaded} >= {"cytoscape.min.js", "cytoscape-fcose.js"}
    drawn = int(page.get_attribute("#graph", "data-visible-nodes"))
    assert drawn >= 5 and page.locator("#graph-fallback").count() == 0
    screenshot(page, "workbench-graph")
    boxes = page.locator("#relation-filter input[type=checkbox]")
    assert boxes.count() >= 2
    page.locator("#relation-filter").get_by_label("commissioning").uncheck()
    assert int(page.get_attribute("#graph", "data-visible-nodes")) < drawn
    assert page.locator("table.neighbours tbody tr:visible").count() < drawn
    screenshot(page, "workbench-graph-filtered")
    assert outside == []
    assert page.console_errors == []


def _graph_counts(page: Any) -> tuple[int, int, int]:
    """Nodes and edges the drawing shows, and the table rows shown."""
    nodes = int(page.get_attribute("#graph", "data-visible-nodes"))
    edges = int(page.get_attribute("#graph", "data-visible-edges"))
    return nodes, edges, page.locator("table.neighbours tbody tr:visible").count()


def _visible_labels(page: Any) -> set[str]:
    return set(page.evaluate("() => document.getElementById('graph').cytoscape.nodes(':visible')"
                             ".map(n => n.data('label'))"))


def test_graph_filters_by_year_and_relation_without_a_reload(page: Any, base_url: str) -> None:
    """The year range and relation boxes hide the nodes, edges and table rows the API's years
    and labels say they should, and the layout runs again; the page is never reloaded."""
    data = json.load(urllib.request.urlopen(base_url + f"/api/graph?iri={HOME_CARE}"))
    names = {n["id"]: n["label"] for n in data["nodes"]}
    years = sorted({y for e in data["edges"] for y in e["years"]})
    assert len(years) >= 2
    last = years[-1]

    def expected(ticked: set[str], year: int | None) -> set[str]:
        keep = {names[data["center"]]}
        for e in data["edges"]:
            if any(lbl in ticked and (year is None or year in e["years_by_label"][lbl])
                   for lbl in e["labels"]):
                keep |= {names[e["source"]], names[e["target"]]}
        return keep

    every = {lbl for e in data["edges"] for lbl in e["labels"]}
    page.goto(base_url + f"/graph?iri={HOME_CARE}")
    page.locator("#graph[data-nodes]").wait_for(state="attached")
    page.evaluate("() => { window.notReloaded = true; }")
    drawn = _graph_counts(page)
    assert drawn == (len(data["nodes"]), len(data["edges"]), len(data["nodes"]) - 1)
    assert page.locator("#years-from option").all_inner_texts() == [str(y) for y in years]
    runs = int(page.get_attribute("#graph", "data-layout-runs"))
    page.get_by_label("from", exact=True).select_option(str(last))
    assert page.get_attribute("#graph", "data-years") == f"{last}-{last}"
    assert _visible_labels(page) == expected(every, last)
    nodes, edges, rows = _graph_counts(page)
    assert nodes == len(expected(every, last)) < drawn[0] and rows == nodes - 1 and edges < drawn[1]
    assert int(page.get_attribute("#graph", "data-layout-runs")) > runs  # laid out again
    assert f"in {last}" in page.locator("#graph-status").inner_text()
    assert page.locator("#nb-count").inner_text() == f"{rows} of {drawn[2]} shown"
    shown_rows = page.locator("table.neighbours tbody tr:visible td:nth-child(4)").all_inner_texts()
    assert all(str(last) in cell for cell in shown_rows)
    screenshot(page, "graph-year-filtered")
    # A relation unticked as well: only neighbours with another ticked relation in that year stay.
    label = sorted(lbl for e in data["edges"] if last in e["years"] for lbl in e["labels"])[0]
    page.locator("#relation-filter").get_by_label(label, exact=True).uncheck()
    assert _visible_labels(page) == expected(every - {label}, last)
    assert _graph_counts(page)[2] == len(expected(every - {label}, last)) - 1
    # Every year again, the relation ticked again: the whole neighbourhood is back.
    page.get_by_label("from", exact=True).select_option(str(years[0]))
    page.locator("#relation-filter").get_by_label(label, exact=True).check()
    assert page.get_attribute("#graph", "data-years") == ""
    assert _graph_counts(page) == drawn
    # A 'to' before 'from' moves 'from' back to it rather than showing nothing.
    page.get_by_label("from", exact=True).select_option(str(last))
    page.get_by_label("to", exact=True).select_option(str(years[0]))
    assert page.get_by_label("from", exact=True).input_value() == str(years[0])
    assert _visible_labels(page) == expected(every, years[0])
    assert page.evaluate("() => window.notReloaded") is True
    assert page.console_errors == []


@NEEDS_AXE
def test_graph_filtered_at_400_px_fits_with_no_axe_violations(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(base_url + f"/graph?iri={HOME_CARE}")
    page.locator("#graph[data-nodes]").wait_for(state="attached")
    options = page.locator("#years-to option").all_inner_texts()
    page.get_by_label("to", exact=True).select_option(options[0])
    assert layout_problems("graph at 400 px", page.evaluate(LAYOUT)) == []
    screenshot(page, "graph-year-filtered-400")
    violations = axe_violations(page)
    context.close()
    assert violations == [], "; ".join(violations)


def test_graph_says_so_when_its_library_fails(page: Any, base_url: str) -> None:
    page.route("**/assets/vendor/cytoscape.min.js", lambda route: route.fulfill(status=404, body=""))
    page.goto(base_url + f"/graph?iri={HOME_CARE}")
    assert page.locator("#graph-fallback").is_visible()
    assert "did not load" in page.locator("#graph-status").inner_text()
