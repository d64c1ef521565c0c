"""The search page and its exports over a real build of the samples: totals, facets that narrow,
sorting, near-duplicates, "no good match", respelling, read-out table rows and the CSV.

Values are read from the API's own answers, never named, so the checks hold for any corpus."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_web_support import samples_app

from search.furniture import CHECKED, UNCHECKED
from web.exports import FORMULA_STARTS, spreadsheet_cell

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    for app in samples_app(tmp_path_factory):
        yield app.test_client()


def _api(client: Any, query: str) -> dict[str, Any]:
    response = client.get("/api/search?" + query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_page_says_how_many_passages_answer_and_facet_links_narrow_them(client) -> None:
    answer = _api(client, "q=home+care+providers&per_page=5")
    assert answer["good_match"] and answer["total"] > len(answer["results"]) == 5
    authorities = answer["facets"]["authority"]
    assert len(authorities) >= 2 and sum(f["count"] for f in authorities) == answer["total"]
    page = client.get("/search?q=home+care+providers").get_data(as_text=True)
    assert re.search(r"About [\d,]+\+? passages answer", page)
    links = [
        html_lib.unescape(h)
        for h in re.findall(r'<aside class="facets".*?</aside>', page, re.S)[0].split('href="')[1:]
    ]
    narrowed = next(h.split('"')[0] for h in links if "authority=" in h)
    chosen = re.search(r"authority=([^&]+)", narrowed).group(1).replace("+", " ")
    from urllib.parse import unquote

    inside = client.get(narrowed.replace("/search?", "/api/search?")).get_json()
    assert inside["results"] and {r["authority"] for r in inside["results"]} == {unquote(chosen)}
    assert "authority" not in inside["facets"] or len(inside["facets"]["authority"]) == 1


def test_sort_by_date_gives_newest_first_and_bad_sorts_keep_the_form(client) -> None:
    dates = [r["date"] or "" for r in _api(client, "q=care+homes&sort=date&per_page=20")["results"]]
    assert dates == sorted(dates, reverse=True)
    bad = client.get("/search?q=care+homes+typed+by+me&sort=size")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "sorted by relevance or date" in text and 'value="care homes typed by me"' in text


def test_nonsense_is_no_good_match_and_a_misspelling_is_respelled(client) -> None:
    answer = _api(client, "q=xyzzyplugh+frobnicate+quux")
    assert answer["good_match"] is False and answer["respelled"] == ""
    assert "No good match" in client.get("/search?q=xyzzyplugh+frobnicate+quux").get_data(as_text=True)
    typo = _api(client, "q=reablment")
    assert typo["respelled"] == "reablement" and typo["good_match"]
    assert "Showing results for" in client.get("/search?q=reablment").get_data(as_text=True)
    assert _api(client, "q=home+care")["good_match"]


def test_results_read_out_boxes_and_show_no_scraps(client) -> None:
    seen = 0
    for query in ("key decision", "equality impact assessment", "home care budget", "wards affected"):
        for r in _api(client, f"q={query.replace(' ', '+')}&per_page=20")["results"]:
            shown = r["rendered"] or r["text"]
            assert CHECKED not in shown and UNCHECKED not in shown, shown
            assert len(shown.strip()) >= 40, shown
            for start, end in r["rendered_highlights"]:
                assert 0 <= start < end <= len(r["rendered"])
            seen += 1
    assert seen > 20


def test_csv_export_quotes_each_passage_with_an_absolute_link(client) -> None:
    response = client.get("/search.csv?q=pooled+budget")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) > 10 and [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    first = rows[0]
    text = client.get(f"/api/papers/{first['doc_id']}").get_json()["text"]
    quote = first["quote"]
    if quote[:1] == "'" and quote[1:2] in FORMULA_STARTS:  # a spreadsheet must not run it
        quote = quote[1:]
    assert text[int(first["start"]) : int(first["end"])] == quote
    assert first["link"].startswith("http://") and f"at={first['start']}-{first['end']}" in first["link"]
    assert client.get("/search.csv?q=").status_code == 400


def test_page_links_export_and_permalink_keep_the_filters(client) -> None:
    page = html_lib.unescape(client.get("/search?q=carers&from_year=2015&sort=date").get_data(as_text=True))
    for marker in ("/search.csv?", "/api/search?", "Link to this search"):
        assert marker in page
    export = re.search(r'href="(/search\.csv\?[^"]+)"', page).group(1)
    assert "from_year=2015" in export and "sort=date" in export


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("-£5m", "'-£5m"), ("Home care", "Home care"), (12, 12), ("", "")],
)
def test_export_cells_never_run_as_formulas(value: object, cell: object) -> None:
    assert spreadsheet_cell(value) == cell
