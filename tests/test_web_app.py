"""The explorer's pages, API, linked data and safety, over the fixture graph and papers."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import rdflib
from test_web_support import HOME_CARE, ID, make_app

CITY_COUNCIL = ID + "org/nottingham-city-council"
PARTNERSHIP = ID + "partnership/city-integrated-care-partnership"


@pytest.fixture
def client(tmp_path: Path) -> Any:
    """A test client of the explorer over the fixtures."""
    return make_app(tmp_path).test_client()



def test_no_heavy_imports_when_app_is_built(tmp_path: Path) -> None:
    heavy = ("torch", "spacy", "sentence_transformers")
    before = {m for m in heavy if m in sys.modules}
    make_app(tmp_path)
    assert {m for m in heavy if m in sys.modules} == before


def test_overview_counts_and_most_connected(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Nottingham City Council" in page and "Nottinghamshire County Council" in page
    assert "2017" in page and "2019" in page
    assert 'href="/id/service/home-care"' in page  # most connected links to the entity page


def test_search_highlights_words_and_links_into_paper(client) -> None:
    html = client.get("/search?q=home+care+procured").get_data(as_text=True)
    assert "<mark class=\"hit\">procured</mark>" in html
    assert "/papers/county-2019?at=200-254#o-200" in html
    # a chip for an entity named in the passage (the mention of the City Council at 14-26)
    html = client.get("/search?q=jointly+commission").get_data(as_text=True)
    assert 'class="chip kind-organisation" href="/id/org/nottingham-city-council"' in html


def test_search_filters_narrow_results(client) -> None:
    everything = client.get("/api/search?q=home+care").get_json()["results"]
    assert {r["doc_id"] for r in everything} == {"city-2017", "county-2019"}
    only_2019 = client.get("/api/search?q=home+care&from_year=2019").get_json()["results"]
    assert {r["doc_id"] for r in only_2019} == {"county-2019"}
    by_authority = client.get("/search?q=home+care&authority=County").get_data(as_text=True)
    assert "county-2019" in by_authority and "city-2017.txt" not in by_authority


def test_search_pagination(client) -> None:
    first = client.get("/api/search?q=home+care&per_page=1").get_json()["results"]
    second = client.get("/api/search?q=home+care&per_page=1&page=2").get_json()["results"]
    assert len(first) == len(second) == 1 and first[0] != second[0]
    html = client.get("/search?q=home+care&per_page=1").get_data(as_text=True)
    assert 'rel="next"' in html and "page=2" in html


def test_bad_search_parameters_are_one_line_errors(client) -> None:
    response = client.get("/api/search?q=x&from_year=soon")
    assert response.status_code == 400
    assert response.get_json()["error"] == "parameter 'from_year' must be a whole number from 1900 to 2100"
    response = client.get("/search?q=x&page=0", headers={"Accept": "text/html"})
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)


def test_paper_page_escapes_text_and_draws_tables(client) -> None:
    html = client.get("/papers/city-2017?at=120-170").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;continuing&lt;/b&gt;" in html and "<b>continuing</b>" not in html
    assert '<th scope="col">Funding Source</th>' in html
    assert '<mark class="target"' in html
    assert '<a class="mention" href="/id/org/nottingham-city-council"' in html


def test_unknown_paper_and_traversal_are_404(client) -> None:
    for path in ("/papers/nope", "/papers/..%2F..%2Fetc%2Fpasswd", "/id/../../etc/passwd", "/id/org/%2e%2e",
                 "/assets/vendor/..%2Fpackage.json", "/static/../web/__init__.py"):
        response = client.get(path)
        assert response.status_code == 404, path


def test_entity_page_shows_names_members_facts_and_evidence(client) -> None:
    html = client.get("/id/org/nottingham-city-council").get_data(as_text=True)
    assert "NCC" in html and "the City Council" in html  # aliases
    assert "E06000018" in html  # GSS code
    assert 'href="/id/partnership/city-integrated-care-partnership"' in html  # membership
    assert "The City Council and the CCG jointly commission Home Care." in html
    assert "/papers/city-2017?at=10-68#o-10" in html
    partnership = client.get("/id/partnership/city-integrated-care-partnership").get_data(as_text=True)
    assert "Members of City Integrated Care Partnership (2)" in partnership
    assert "NHS Nottingham City CCG" in partnership


def test_linked_data_content_negotiation(client) -> None:
    turtle = client.get("/id/service/home-care", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert (rdflib.URIRef(HOME_CARE), rdflib.RDFS.label, rdflib.Literal("Home Care")) in graph
    jsonld = client.get("/id/service/home-care", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(rdflib.Graph().parse(data=jsonld.get_data(as_text=True), format="json-ld")) == len(graph)
    html = client.get("/id/service/home-care", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and "<h1>Home Care</h1>" in html.get_data(as_text=True)
    assert client.get("/id/service/nothing-here", headers={"Accept": "text/turtle"}).status_code == 404


def test_graph_json_and_filters(client) -> None:
    full = client.get(f"/api/graph?iri={HOME_CARE}").get_json()
    labels = {n["label"] for n in full["nodes"]}
    assert {"Home Care", "Better Care Fund", "Nottingham City Council", "Jane Smith"} <= labels
    assert all(n["url"].startswith("/id/") for n in full["nodes"])
    only_2019 = client.get(f"/api/graph?iri={HOME_CARE}&year=2019").get_json()
    assert {n["label"] for n in only_2019["nodes"]} == {"Home Care", "Better Care Fund"}
    # Each edge carries the years of its papers, so the page can filter by year without a
    # reload: the neighbours the 2019 filter keeps are those whose edges name 2019.
    names = {n["id"]: n["label"] for n in full["nodes"]}
    in_2019 = {names[e["source"]] for e in full["edges"] if 2019 in e["years"]} | {
        names[e["target"]] for e in full["edges"] if 2019 in e["years"]}
    assert in_2019 == {"Home Care", "Better Care Fund"}
    assert all(e["years"] == [2019] for e in only_2019["edges"])
    assert all(e["years"] == sorted(set().union(*map(set, e["years_by_label"].values())))
               for e in full["edges"])
    page = client.get("/graph?iri=/id/partnership/city-integrated-care-partnership").get_data(as_text=True)
    assert 'id="graph"' in page and "NHS Nottingham City CCG" in page
    page = client.get(f"/graph?iri={HOME_CARE}").get_data(as_text=True)
    assert 'id="year-filter"' in page and 'data-years="2017, 2019"' in page  # table rows carry years


def test_timeline_rows_changes_chart_and_csv(client) -> None:
    data = client.get(f"/api/timeline?iri={HOME_CARE}").get_json()
    assert [r["year"] for r in data["rows"]] == [2017, 2017, 2019]  # one row per passage
    # like with like: 2019 states no sponsor, so the sponsor did not change
    assert data["rows"][2]["changes"] == ["status", "amount"]
    assert data["money_by_year"] == {"2017": 1200000.0, "2019": 1500000.0}
    html = client.get(f"/timeline?iri={HOME_CARE}").get_data(as_text=True)
    assert '<svg class="chart' in html and "£1.5m" in html and 'class="changed"' in html
    response = client.get(f"/timeline.csv?iri={HOME_CARE}")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["authority"] for r in rows] == ["Nottingham City Council"] * 2 + [
        "Nottinghamshire County Council"]
    assert rows[2]["money_gbp"] == "1500000" and rows[2]["status"] == "Procurement"


def test_sparql_page_lists_examples_and_ontology_page(client) -> None:
    html = client.get("/query").get_data(as_text=True)
    assert "Papers and their dates" in html and "SELECT ?paper ?date" in html
    assert client.get("/ontology").status_code == 200


def test_openapi_document_lists_the_api(client) -> None:
    doc = client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/search", "/api/papers/{doc_id}", "/api/entity", "/api/timeline"} <= set(doc["paths"])


def test_api_papers_and_entities(client) -> None:
    papers = client.get("/api/papers").get_json()["papers"]
    assert {p["doc_id"] for p in papers} == {"city-2017", "county-2019"}
    paper = client.get("/api/papers/city-2017").get_json()
    assert paper["metadata"]["authority"] == "Nottingham City Council"
    found = client.get("/api/entities?q=care&kind=service").get_json()["entities"]
    assert [e["label"] for e in found] == ["Home Care"]
    assert client.get("/api/entities?kind=planet").status_code == 400
    assert client.get("/api/entity?iri=" + CITY_COUNCIL).get_json()["identifiers"] == ["E06000018"]


def test_secure_headers(client) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    app_client = make_app(tmp_path, search_rate_limit=3).test_client()
    codes = [app_client.get("/api/search?q=care").status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    limited = app_client.get("/api/search?q=care")
    assert int(limited.headers["Retry-After"]) >= 1
    assert app_client.get("/").status_code == 200  # pages other than search are not limited


def test_request_size_limit(tmp_path: Path) -> None:
    app_client = make_app(tmp_path, max_request_kb=1).test_client()
    response = app_client.post("/sparql", data="SELECT * WHERE { ?s ?p ?o } #" + "x" * 4000,
                           content_type="application/sparql-query")
    assert response.status_code == 413
    assert json.loads(response.get_data())["error"] == "request too large"


def test_unexpected_errors_hide_the_traceback(tmp_path: Path) -> None:
    app = make_app(tmp_path)

    class Broken:
        def query(self, *_a, **_k):
            raise RuntimeError("secret internal detail")

    app.extensions["councilkg_resources"]._opened["graph"] = Broken()
    response = app.test_client().get("/", headers={"Accept": "text/html"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret internal detail" not in body and "Traceback" not in body


def test_user_text_cannot_break_out_of_a_query(client) -> None:
    for text in ('\\u0022) } SELECT', '" } ; DROP', "é ünïcode"):
        response = client.get("/api/entities", query_string={"q": text})
        assert response.status_code == 200, text
        assert response.get_json()["entities"] == []
    assert client.get("/api/entities", query_string={"q": "\\"}).status_code == 200


def test_paper_iri_leads_people_to_the_paper_page(client) -> None:
    response = client.get("/id/paper/city-2017", headers={"Accept": "text/html"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/papers/city-2017")
