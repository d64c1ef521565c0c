"""SPARQL 1.1 Protocol datasets (default-graph-uri, named-graph-uri) on /sparql, and entities
served in every RDF format we offer (Turtle with prefixes and grouped subjects, N-Triples,
RDF/XML, JSON-LD), with 406 for the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from test_web_support import ID, make_app

from web.sparql_protocol import Dataset, readable_turtle, with_dataset

CITY = ID + "graph/paper/city-2017"
COUNTY = ID + "graph/paper/county-2019"
PAPERS = "PREFIX ck: <https://w3id.org/councilkg/ontology#>\nSELECT ?p WHERE { ?p a ck:Paper } ORDER BY ?p"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
ENTITY = "/id/org/nottingham-city-council"


@pytest.fixture
def client(tmp_path: Path) -> Any:
    return make_app(tmp_path).test_client()


def _column(response: Any, name: str) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [b[name]["value"] for b in response.get_json()["results"]["bindings"] if name in b]


def test_without_a_dataset_the_default_graph_is_every_paper(client) -> None:
    papers = _column(client.get("/sparql", query_string={"query": PAPERS}), "p")
    assert papers == [ID + "paper/city-2017", ID + "paper/county-2019"]


def test_default_graph_uri_makes_the_default_graph(client) -> None:
    one = client.get("/sparql", query_string={"query": PAPERS, "default-graph-uri": CITY})
    assert _column(one, "p") == [ID + "paper/city-2017"]
    both = client.get("/sparql", query_string=[("query", PAPERS), ("default-graph-uri", CITY),
                                               ("default-graph-uri", COUNTY)])
    assert _column(both, "p") == [ID + "paper/city-2017", ID + "paper/county-2019"]


def test_default_graph_uri_overrides_the_querys_from(client) -> None:
    query = PAPERS.replace("SELECT ?p WHERE", f"SELECT ?p FROM <{COUNTY}> WHERE")
    assert _column(client.get("/sparql", query_string={"query": query}), "p") == [ID + "paper/county-2019"]
    overridden = client.get("/sparql", query_string={"query": query, "default-graph-uri": CITY})
    assert _column(overridden, "p") == [ID + "paper/city-2017"]


def test_named_graph_uri_names_the_graphs_and_leaves_the_default_graph_empty(client) -> None:
    named = client.get("/sparql", query_string={"query": GRAPHS, "named-graph-uri": COUNTY})
    assert _column(named, "g") == [COUNTY]
    nothing = client.get("/sparql", query_string={"query": PAPERS, "named-graph-uri": COUNTY})
    assert _column(nothing, "p") == []


def test_dataset_in_form_posts_and_in_the_url_of_a_direct_post(client) -> None:
    form = client.post("/sparql", data={"query": PAPERS, "default-graph-uri": COUNTY})
    assert _column(form, "p") == [ID + "paper/county-2019"]
    direct = client.post("/sparql", query_string={"default-graph-uri": CITY}, data=PAPERS,
                         content_type="application/sparql-query")
    assert _column(direct, "p") == [ID + "paper/city-2017"]


def test_dataset_graphs_must_be_ours_and_iris(client) -> None:
    foreign = client.get("/sparql", query_string={"query": PAPERS, "default-graph-uri": "http://example.org/g"})
    assert foreign.status_code == 400 and "refused" in foreign.get_json()["error"]
    junk = client.get("/sparql", query_string={"query": PAPERS, "named-graph-uri": "not an iri"})
    assert junk.status_code == 400 and "not an absolute IRI" in junk.get_json()["error"]


def test_with_dataset_leaves_strings_comments_and_subqueries_alone() -> None:
    dataset = Dataset((CITY,), (COUNTY,))
    query = ("PREFIX ck: <https://w3id.org/councilkg/ontology#> # from <x> {\n"
             "SELECT ?s FROM <http://old> FROM NAMED <http://older> WHERE {\n"
             "  ?s ck:note \"from { brace\" . { SELECT ?s WHERE { ?s ?p ?o } } }")
    rewritten = with_dataset(query, dataset)
    assert "http://old" not in rewritten and "http://older" not in rewritten
    assert f"FROM <{CITY}>\nFROM NAMED <{COUNTY}>\nWHERE {{" in rewritten
    assert "# from <x> {" in rewritten and '"from { brace"' in rewritten
    template = with_dataset("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset)
    assert template.startswith("CONSTRUCT { ?s ?p ?o } FROM <")
    assert with_dataset("DESCRIBE <http://a>", Dataset((CITY,))).endswith(f"FROM <{CITY}>\n")
    assert with_dataset(query, Dataset()) == query


def test_entity_in_every_rdf_format_says_the_same(client) -> None:
    nt = client.get(ENTITY, headers={"Accept": "application/n-triples"})
    assert nt.status_code == 200 and nt.mimetype == "application/n-triples"
    reference = Graph().parse(data=nt.get_data(as_text=True), format="nt")
    assert len(reference) >= 5
    for accept, rdflib_format in (("application/rdf+xml", "xml"), ("text/turtle", "turtle"),
                                  ("application/ld+json", "json-ld")):
        response = client.get(ENTITY, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == accept
        assert response.headers["Vary"] == "Accept"
        parsed = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
        assert isomorphic(parsed, reference), accept
    assert client.get(ENTITY + "?format=rdf").mimetype == "application/rdf+xml"
    assert client.get(ENTITY + "?format=nt").mimetype == "application/n-triples"


def test_entity_turtle_declares_prefixes_and_writes_each_subject_once(client) -> None:
    text = client.get(ENTITY, headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "@prefix org: <http://www.w3.org/ns/org#> ." in text
    assert "\\/" not in text  # no escaped slashes in prefixed names
    subject_lines = [line for line in text.splitlines() if line.startswith(f"<https://w3id.org/councilkg{ENTITY}>")]
    assert len(subject_lines) == 1
    assert " ;\n" in text  # its predicates grouped under it


def test_entity_406_for_types_we_do_not_serve_and_html_for_browsers(client) -> None:
    refused = client.get(ENTITY, headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert "application/rdf+xml" in refused.get_data(as_text=True)
    browser = client.get(ENTITY, headers={
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 200 and browser.mimetype == "text/html"
    assert client.get(ENTITY, headers={"Accept": "*/*"}).mimetype == "text/html"
    assert client.get(ENTITY).mimetype == "text/html"
    link = client.get(ENTITY).headers["Link"]
    assert 'type="application/rdf+xml"' in link and 'type="application/n-triples"' in link


def test_sparql_construct_turtle_is_grouped_and_rdf_xml_is_offered(client) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . FILTER(isIRI(?s)) } LIMIT 40"
    turtle = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
    nt = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/n-triples"})
    body = turtle.get_data(as_text=True)
    assert body.startswith("@prefix") and "\\/" not in body
    assert isomorphic(Graph().parse(data=body, format="turtle"),
                      Graph().parse(data=nt.get_data(as_text=True), format="nt"))
    xml = client.get("/sparql", query_string={"query": query, "format": "rdfxml"})
    assert xml.status_code == 200 and xml.mimetype == "application/rdf+xml"


def test_readable_turtle_keeps_big_answers_as_they_are() -> None:
    body = b"<http://a> <http://b> <http://c> .\n"
    assert readable_turtle(body, max_bytes=10) == body
    assert isomorphic(Graph().parse(data=readable_turtle(body).decode(), format="turtle"),
                      Graph().parse(data=body.decode(), format="nt"))
