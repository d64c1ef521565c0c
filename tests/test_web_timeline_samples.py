"""Service timelines over a real build of the bundled samples: every row of every service's
timeline quotes one passage, and everything the row shows was read from inside that passage.

Subjects are found through the graph, never named, so the checks hold for any corpus."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from test_web_support import samples_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from samples_app(tmp_path_factory)


@pytest.fixture(scope="module")
def timelines(app: Any) -> list[Any]:
    """Every service's timeline as the page reads it."""
    from kg import browse
    from web.resources import get_graph_store
    from web.views.timeline import read_timeline

    with app.test_request_context("/"):
        services = browse.find_entities(get_graph_store(), "", "service", 10_000)
        return [read_timeline(s["iri"]) for s in services]


def _table_row(doc: Any, offset: int) -> tuple[int, int] | None:
    """The table row of ``doc`` holding ``offset`` (None outside tables)."""
    for block in doc.blocks:
        if block.kind == "table_row" and block.start <= offset < block.end:
            return block.start, block.end
    return None


def test_every_row_shows_only_what_its_own_passage_says(app: Any, timelines: list[Any]) -> None:
    from kg.browse import _evidence
    from web.resources import get_corpus_store, get_graph_store

    rows = figures = qualified = 0
    with app.test_request_context("/"):
        corpus, store = get_corpus_store(), get_graph_store()
        docs: dict[str, Any] = {}
        for timeline in timelines:
            evidence = _evidence(store, [f for r in timeline.rows for f in r.facts])
            for row in timeline.rows:
                rows += 1
                doc = docs.setdefault(row.doc_id, corpus.get(row.doc_id))
                (quote,) = row.quotes
                where = f"{timeline.label}: {row.doc_id} {row.start}-{row.end}"
                assert doc.text[row.start:row.end] == quote.quote, where
                quoted_row = {_table_row(doc, o) for o in range(row.start, row.end)} - {None}
                for fact in row.facts:  # status, sponsor, funding and dates come from these facts
                    for ev in evidence[fact]:
                        assert ev.doc_id == row.doc_id, (where, fact)
                        assert row.start <= ev.start <= ev.end <= row.end, (where, fact)
                        if _table_row(doc, ev.start) is not None:
                            assert quoted_row == {_table_row(doc, ev.start)}, (where, fact)
                for figure in row.figures:
                    figures += 1
                    if figure.start is None:  # a fact's own figure: its fact's evidence is the passage
                        continue
                    assert row.start <= figure.start <= figure.end <= row.end, (where, figure)
                    assert doc.text[figure.start:figure.end] == figure.text, (where, figure)
                    if _table_row(doc, figure.start) is not None:
                        assert quoted_row == {_table_row(doc, figure.start)}, (where, figure)
                    qualified += bool(figure.qualifier)
    assert rows > 50 and figures > 10 and qualified > 0


def test_qualifiers_stay_with_their_figures(timelines: list[Any]) -> None:
    with_words = [f for t in timelines for r in t.rows for f in r.figures if f.qualifier and f.text]
    assert with_words
    for figure in with_words:
        first = figure.qualifier.split(";")[0].strip()
        if first in {"circa", "up to", "approximately"}:
            assert first in figure.text.lower() or "c" in figure.text.lower()[:3], figure
        if "pa" in figure.qualifier.split("; ") or "per annum" in figure.qualifier:
            assert figure.basis.endswith("per year"), figure


def test_money_changes_compare_one_basis_only(timelines: list[Any]) -> None:
    for timeline in timelines:
        for track in timeline.tracks:
            if not track.field.startswith("money"):
                continue
            basis = track.field[len("money ("):-1]
            for year, values in track.by_year.items():
                stated = {f"{f.value:.0f}" + (f"-{f.value_max:.0f}" if f.value_max else "")
                          for r in timeline.rows if r.year == year for f in r.figures if f.basis == basis}
                assert set(values) == stated, (timeline.label, track.field, year)


def test_chart_marks_every_year_from_first_to_last(app: Any, timelines: list[Any]) -> None:
    longest = max(timelines, key=lambda t: len(t.years))
    assert len(longest.years) >= 2
    client = app.test_client()
    html = client.get("/timeline", query_string={"iri": longest.iri}).get_data(as_text=True)
    years = range(longest.years[0].year, longest.years[-1].year + 1)
    assert html.count('<g class="presence">') == len(longest.years)
    assert html.count('<g class="absence">') == len(years) - len(longest.years)
    assert html.count('class="timeline-row"') == len(longest.rows)


def test_csv_has_one_line_per_figure_absolute_links_and_the_quote(app: Any, timelines: list[Any]) -> None:
    timeline = max(timelines, key=lambda t: sum(len(r.figures) for r in t.rows))
    client = app.test_client()
    text = client.get("/timeline.csv", query_string={"iri": timeline.iri}).get_data(as_text=True)
    lines = list(csv.DictReader(io.StringIO(text)))
    assert len(lines) == sum(max(1, len(r.figures)) for r in timeline.rows)
    assert all(line["link"].startswith("http://localhost/papers/") for line in lines)
    assert all("#o-" in line["link"] for line in lines)
    assert all(line["quote"] for line in lines)
    money = [line for line in lines if line["money_gbp"]]
    assert money and all(";" not in line["money_gbp"] and line["money_gbp"].isdigit() for line in money)
    assert all(line["basis"] and line["figure"] for line in money)
    assert all(line["figure_link"].startswith("http://localhost/papers/") for line in money
               if line["figure_link"])


def test_comparison_shows_services_and_authorities_side_by_side(app: Any, timelines: list[Any]) -> None:
    many = sorted(timelines, key=lambda t: -len(t.years))[:2]
    client = app.test_client()
    page = client.get("/timeline/compare", query_string=[("iri", t.iri) for t in many])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<table class="compare">' in html
    for timeline in many:
        assert f">{timeline.label}</a></th>" in html
    years = sorted({y.year for t in many for y in t.years})
    assert html.count('<tr><th scope="row">') == len(years)
    spread = next((t for t in timelines if len(t.authorities) >= 2), None)
    if spread is not None:
        query = [("iri", spread.iri)] + [("authority", a) for a in spread.authorities]
        html = client.get("/timeline/compare", query_string=query).get_data(as_text=True)
        for authority in spread.authorities:
            assert f"in {authority}" in html.replace("&#39;", "'")
    assert client.get("/timeline/compare", query_string={"iri": many[0].iri, "authority": "Nowhere"}
                      ).status_code == 400



def test_authorities_alone_list_the_services_their_papers_speak_of(app: Any, timelines: list[Any]) -> None:
    authorities = sorted({a for t in timelines for a in t.authorities})
    assert len(authorities) >= 2
    client = app.test_client()
    html = client.get("/timeline/compare", query_string=[("authority", a) for a in authorities]).get_data(
        as_text=True)
    assert '<table class="compare authorities">' in html
    for timeline in timelines:
        if any(r.kinds != ["money figure"] for r in timeline.rows if r.authority in authorities):
            assert f">{timeline.label}</a>" in html.replace("&#39;", "'"), timeline.label
