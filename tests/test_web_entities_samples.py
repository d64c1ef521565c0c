"""Entity pages and lists over a real build of the bundled samples: relations as sentences with
their evidence, grouped by year, and bodies of an authority labelled with it everywhere.

Subjects are found through the graph, never named, so the checks hold for any corpus."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from test_web_support import samples_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from samples_app(tmp_path_factory)


def _memberships(app: Any) -> list[dict[str, str]]:
    from kg import browse
    from web.resources import get_graph_store

    with app.test_request_context("/"):
        return browse.select(get_graph_store(), """SELECT ?org ?member (COUNT(DISTINCT ?f) AS ?n) WHERE {
            ?f a org:Membership ; org:organization ?org ; org:member ?member } GROUP BY ?org ?member""")


def test_every_membership_reads_as_a_sentence_with_its_quote(app: Any) -> None:
    rows = _memberships(app)
    by_org: dict[str, set[str]] = {}
    for r in rows:
        by_org.setdefault(r["org"], set()).add(r["member"])
    org = max(by_org, key=lambda o: len(by_org[o]))
    assert len(by_org[org]) > 5
    client = app.test_client()
    answer = client.get(org.replace("https://w3id.org/councilkg/id/", "/id/"))
    page = html_lib.unescape(answer.get_data(as_text=True))
    title = re.search(r"<h1>(.*?)</h1>", page).group(1)
    facts = re.findall(r'<li class="fact">\s*<p class="fact-line">(.*?)</p>(.*?)</li>', page, re.S)
    said = [re.sub(r"<[^>]+>", "", line) for line, _ in facts]
    for member in by_org[org]:
        path = member.replace("https://w3id.org/councilkg/id/", "/id/")
        line = next((s for (raw, _), s in zip(facts, said, strict=True) if f'href="{path}"' in raw), None)
        assert line is not None, member
        assert f" is a member of {title}" in line, line
    assert all("<blockquote>" in quote for _, quote in facts)  # every statement with its words


def test_statements_are_grouped_by_year_newest_first(app: Any) -> None:
    from kg import browse
    from web.resources import get_graph_store

    with app.test_request_context("/"):
        top = browse.most_connected(get_graph_store(), 1)[0]
    client = app.test_client()
    page = client.get(top["iri"].replace("https://w3id.org/councilkg/id/", "/id/")).get_data(as_text=True)
    years = re.findall(r'<h3 id="facts-(\d{4}|undated)">', page)
    assert years and years == sorted(years, key=lambda y: (y != "undated", y), reverse=True)
    assert len(set(years)) == len(years)


def test_bodies_of_an_authority_show_it_in_lists_and_pages(app: Any) -> None:
    from kg import browse
    from web.resources import get_graph_store

    with app.test_request_context("/"):
        store = get_graph_store()
        everything = browse.find_entities(store, "", None, 10_000)
        owned = [e for e in everything if browse.owning_authority_iri(e["iri"])]
        names = {e["iri"]: e["label"] for e in everything}
        assert owned
        for e in owned:
            authority = browse.label(store, browse.owning_authority_iri(e["iri"]))
            assert authority.casefold() in e["label"].casefold(), e
    labels = [e["label"] for e in everything]
    assert len(labels) == len(set(labels)), "two entities look the same"
    client = app.test_client()
    body = owned[0]
    listed = client.get("/entities", query_string={"q": body["label"].split(" (")[0]}).get_data(as_text=True)
    assert html_lib.escape(names[body["iri"]], quote=False) in listed
    page = client.get(body["iri"].replace("https://w3id.org/councilkg/id/", "/id/")).get_data(as_text=True)
    assert f"<h1>{html_lib.escape(body['label'], quote=False)}</h1>" in page
