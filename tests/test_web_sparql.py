"""The SPARQL 1.1 Protocol endpoint, with the test client and with real clients (SPARQLWrapper,
rdflib's SPARQLStore) against the app served by waitress on a loopback port."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from test_web_support import HOME_CARE, make_app, served

PREFIX = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
LABELS = PREFIX + (
    "SELECT ?s ?label WHERE { ?s a <https://w3id.org/councilkg/ontology#Service> ; rdfs:label ?label } "
    "ORDER BY ?label"
)
CONSTRUCT = PREFIX + f"CONSTRUCT {{ <{HOME_CARE}> rdfs:label ?l }} WHERE {{ <{HOME_CARE}> rdfs:label ?l }}"


@pytest.fixture
def client(tmp_path: Path) -> Any:
    """A test client of the explorer over the fixtures."""
    return make_app(tmp_path).test_client()



@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    """The app on waitress at a free loopback port; yields the /sparql URL."""
    with served(make_app(tmp_path)) as url:
        yield url + "/sparql"


def test_get_form_post_and_direct_post_agree(client) -> None:
    by_get = client.get("/sparql?query=" + quote(LABELS)).get_json()
    by_form = client.post("/sparql", data={"query": LABELS}).get_json()
    direct = client.post("/sparql", data=LABELS, content_type="application/sparql-query").get_json()
    labels = [b["label"]["value"] for b in by_get["results"]["bindings"]]
    assert labels == ["Home Care", "Reablement"]
    assert by_get == by_form == direct


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_select_result_formats_by_accept(client, accept: str, media: str) -> None:
    response = client.get("/sparql?query=" + quote(LABELS), headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media
    assert "Reablement" in response.get_data(as_text=True)


def test_csv_download_parameter(client) -> None:
    response = client.post("/sparql", data={"query": LABELS, "format": "csv", "download": "1"})
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["label"] for r in rows] == ["Home Care", "Reablement"]


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
])
def test_construct_by_content_negotiation(client, accept: str, fmt: str) -> None:
    response = client.get("/sparql?query=" + quote(CONSTRUCT), headers={"Accept": accept})
    assert response.mimetype == accept
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format=fmt)
    assert list(graph) == [(rdflib.URIRef(HOME_CARE), rdflib.RDFS.label, rdflib.Literal("Home Care"))]


def test_service_description_cors_and_preflight(client) -> None:
    described = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=described.get_data(as_text=True), format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, rdflib.RDF.type, sd.Service) in graph
    assert described.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert client.get("/sparql", headers={"Accept": "text/html"}).mimetype == "text/html"  # the editor


@pytest.mark.parametrize(("request_kwargs", "status"), [
    ({"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, 403),
    ({"data": "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "content_type": "application/sparql-update"}, 403),
    ({"data": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
      "content_type": "application/sparql-query"}, 400),
    ({"data": "SELEC nonsense", "content_type": "application/sparql-query"}, 400),
    ({"data": "SELECT * WHERE { ?s ?p ?o }", "content_type": "text/plain"}, 415),
])
def test_refusals_are_one_line_json_errors(client, request_kwargs: dict, status: int) -> None:
    response = client.post("/sparql", **request_kwargs)
    assert response.status_code == status
    body = json.loads(response.get_data())
    assert body["status"] == status and "\n" not in body["error"] and "Traceback" not in body["error"]


def test_store_is_unchanged_after_update_attempts(client) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = client.get("/sparql?query=" + quote(count)).get_json()
    client.post("/sparql", data={"update": "CLEAR ALL"})
    client.post("/sparql", data={"query": "DELETE WHERE { ?s ?p ?o }"})
    assert client.get("/sparql?query=" + quote(count)).get_json() == before


def test_result_cap_applies(tmp_path: Path) -> None:
    app_client = make_app(tmp_path, query_max_results=5).test_client()
    response = app_client.get("/sparql?query=" + quote("SELECT * WHERE { ?s ?p ?o }"))
    assert response.status_code == 400 and "5" in response.get_json()["error"]


def test_sparqlwrapper_select_construct_and_csv(endpoint: str) -> None:
    app_client = SPARQLWrapper(endpoint)
    app_client.setQuery(LABELS)
    app_client.setReturnFormat(JSON)
    labels = [b["label"]["value"] for b in app_client.query().convert()["results"]["bindings"]]
    assert labels == ["Home Care", "Reablement"]
    app_client.setMethod(POST)
    app_client.setRequestMethod(URLENCODED)
    app_client.setReturnFormat(CSV)
    assert b"Reablement" in app_client.query().convert()
    app_client.setQuery(CONSTRUCT)
    app_client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=app_client.query().convert(), format="turtle")
    assert (rdflib.URIRef(HOME_CARE), rdflib.RDFS.label, rdflib.Literal("Home Care")) in graph


def test_rdflib_sparqlstore_reads_the_graph(endpoint: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="xml"))
    labels = sorted(str(row.label) for row in graph.query(LABELS))
    assert labels == ["Home Care", "Reablement"]
    assert (rdflib.URIRef(HOME_CARE), rdflib.RDFS.label, rdflib.Literal("Home Care")) in graph
    graph.close()
