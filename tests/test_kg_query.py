"""Safe querying: time limit that really stops the work, result cap, refusals, result formats."""

from __future__ import annotations

import csv
import io
import json
import os
import time
import xml.etree.ElementTree as ET

import pytest
from rdflib import Graph

from corpus.models import example_document
from councilkg.errors import QueryError, QueryTimeout
from councilkg.settings import Settings
from kg.query import check_query, run_query, run_update
from kg.store import open_graph_store
from nlp.models import example_extraction

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
LABELS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?l WHERE { ?s rdfs:label ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    settings = Settings.load({"data_dir": str(tmp_path_factory.mktemp("data")), "query_timeout_s": "1.5"})
    with open_graph_store(settings) as s:
        s.replace_paper(example_document(), example_extraction())
        yield s


def test_slow_query_is_stopped_within_the_limit_and_the_worker_is_killed(store):
    run_query(store, "ASK { ?s ?p ?o }")  # start the worker
    worker = store._workers["main"]._process
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit of 1.5 s"):
        run_query(store, CROSS_JOIN)
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 4.0
    assert worker.poll() is not None  # the process doing the work is gone, not left running
    with pytest.raises(ProcessLookupError):
        os.kill(worker.pid, 0)
    body, _ = run_query(store, "ASK { ?s ?p ?o }")  # a fresh worker answers the next query
    assert json.loads(body)["boolean"] is True


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service   <http://example.org/sparql> { ?s ?p ?o } }",
    "LOAD <http://example.org/data.ttl>",
    "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR GRAPH <https://w3id.org/councilkg/id/graph/entities>",
    "PREFIX x: <http://x/> WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_refused_requests(store, query):
    with pytest.raises(QueryError):
        run_query(store, query)
    assert store.paper_hash("example-paper")  # nothing was changed


@pytest.mark.parametrize("query", [
    'SELECT ?service WHERE { ?service <http://www.w3.org/2000/01/rdf-schema#label> "SERVICE LOAD INSERT" }',
    "PREFIX ck: <https://w3id.org/councilkg/ontology#> SELECT ?s WHERE { ?s ck:service ?o } # DROP ALL",
    "SELECT ?s WHERE { ?s ?p <http://example.org/delete#insert> }",
    "SELECT * FROM <https://w3id.org/councilkg/id/graph/entities> WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT ?from WHERE { ?from ?p ?o } LIMIT 1",
])
def test_keywords_inside_strings_iris_comments_and_names_are_not_refused(query):
    assert not check_query(query).is_update


def test_updates_only_on_the_admin_path_when_enabled(store):
    update = "INSERT DATA { GRAPH <https://w3id.org/councilkg/id/graph/admin> { <http://a> <http://b> 'c' } }"
    with pytest.raises(QueryError, match="allow_updates"):
        run_update(store, update)
    enabled = store.settings.with_overrides(allow_updates=True)
    run_update(store, update, enabled)
    body, _ = run_query(store, "ASK { <http://a> <http://b> 'c' }")
    assert json.loads(body)["boolean"] is True
    with pytest.raises(QueryError):
        run_query(store, update, settings=enabled)  # the query path refuses updates whatever the setting


def test_result_cap(store):
    capped = store.settings.with_overrides(query_max_results=3)
    with pytest.raises(QueryError, match="more than 3 results"):
        run_query(store, LABELS, "json", capped)
    body, _ = run_query(store, LABELS + " LIMIT 3", "json", capped)
    assert len(json.loads(body)["results"]["bindings"]) == 3


def test_syntax_error_is_one_line(store):
    with pytest.raises(QueryError) as info:
        run_query(store, "SELECT ?s WHERE { ?s ?p }")
    assert "syntax" in info.value.message and "\n" not in info.value.message


def test_json_results(store):
    query = LABELS.replace("?l }", '?l FILTER(?l = "Home Care") }')
    body, media = run_query(store, query, "json")
    assert media == "application/sparql-results+json"
    data = json.loads(body)
    assert data["head"]["vars"] == ["s", "l"]
    (row,) = data["results"]["bindings"]
    assert row["s"] == {"type": "uri", "value": "https://w3id.org/councilkg/id/service/home-care"}
    assert row["l"] == {"type": "literal", "value": "Home Care"}


def test_typed_literals_in_json(store):
    query = "PREFIX oa: <http://www.w3.org/ns/oa#> SELECT ?s WHERE { ?x oa:start ?s } LIMIT 1"
    body, _ = run_query(store, query)
    (row,) = json.loads(body)["results"]["bindings"]
    assert row["s"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_xml_results(store):
    body, media = run_query(store, LABELS, "application/sparql-results+xml")
    assert media == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(body)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "l"]
    assert "Home Care" in [e.text for e in root.iter("{http://www.w3.org/2005/sparql-results#}literal")]


def test_csv_and_tsv_results(store):
    body, media = run_query(store, LABELS, "csv")
    assert media == "text/csv"
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == ["s", "l"] and ["https://w3id.org/councilkg/id/service/home-care", "Home Care"] in rows
    body, media = run_query(store, LABELS, "tsv")
    assert media == "text/tab-separated-values"
    lines = body.decode().splitlines()
    assert lines[0] == "?s\t?l"
    assert '<https://w3id.org/councilkg/id/service/home-care>\t"Home Care"' in lines


def test_ask_results(store):
    body, _ = run_query(store, "ASK { ?s a <https://w3id.org/councilkg/ontology#Paper> }", "xml")
    assert b"<boolean>true</boolean>" in body


@pytest.mark.parametrize("fmt,rdflib_format", [
    ("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("text/turtle", "turtle"),
])
def test_construct_results_as_rdf(store, fmt, rdflib_format):
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l }")
    body, media = run_query(store, query, fmt)
    graph = Graph().parse(data=body.decode(), format=rdflib_format)
    assert len(graph) > 5
    assert media in {"text/turtle", "application/n-triples", "application/ld+json"}


def test_unknown_format_is_refused(store):
    with pytest.raises(QueryError, match="unknown result format"):
        run_query(store, LABELS, "yaml")


# -- the same limits on a remote store (oxigraph serve on loopback) ---------------------------------

SERVER_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    from test_kg_competency import running_oxigraph

    # councilkg gives up at query_timeout_s; stopping the evaluation is the server's business (its
    # --timeout-s; measured with oxigraph 0.5: it does not interrupt a running aggregate).
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph"), "--timeout-s", str(SERVER_TIMEOUT_S)) as (
        url, process,
    ):
        settings = Settings.load({"data_dir": str(tmp_path_factory.mktemp("data")), "graph_store": url,
                                  "query_timeout_s": "1.5"}, environ={})
        with open_graph_store(settings) as s:
            s.replace_paper(example_document(), example_extraction())
            yield s, process


@pytest.mark.server
def test_remote_slow_query_stops_waiting_at_the_limit(remote):
    store, _ = remote
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="1.5 s"):
        run_query(store, CROSS_JOIN)
    assert time.monotonic() - started < 4.0
    body, _ = run_query(store, "ASK { ?s ?p ?o }")  # the store still answers the next query
    assert json.loads(body)["boolean"] is True


@pytest.mark.server
@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "LOAD <http://example.org/data.ttl>",
    "SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }",
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DROP ALL",
])
def test_remote_refusals(remote, query):
    store, _ = remote
    with pytest.raises(QueryError):
        run_query(store, query)
    assert store.paper_hash("example-paper")


@pytest.mark.server
def test_remote_result_cap_and_updates_only_when_enabled(remote):
    store, _ = remote
    capped = store.settings.with_overrides(query_max_results=3)
    with pytest.raises(QueryError, match="more than 3 results"):
        run_query(store, LABELS, "json", capped)
    update = "INSERT DATA { GRAPH <https://w3id.org/councilkg/id/graph/admin> { <http://r> <http://b> 'c' } }"
    with pytest.raises(QueryError, match="allow_updates"):
        run_update(store, update)
    run_update(store, update, store.settings.with_overrides(allow_updates=True))
    body, _ = run_query(store, "ASK { <http://r> <http://b> 'c' }")
    assert json.loads(body)["boolean"] is True
