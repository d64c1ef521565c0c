"""The SPARQL endpoint, linked data and JSON API over a real build of the bundled samples
(the embedded Oxigraph store with its query worker, the real search index).

Subjects are found through the API, never named, so the checks hold for any corpus."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from test_web_support import built_samples

from councilkg.settings import Settings

pytestmark = pytest.mark.slow
QUERIES = Path(__file__).resolve().parents[1] / "kg" / "queries"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from web import close_app, create_app

    data = built_samples(tmp_path_factory)
    app = create_app({"TESTING": True, "SETTINGS": Settings.load({"data_dir": str(data)}, environ={})})
    yield app.test_client()
    close_app(app)


def test_every_competency_query_answers_in_every_select_format(client) -> None:
    for path in sorted(QUERIES.glob("*.rq")):
        query = path.read_text(encoding="utf-8")
        as_json = client.post("/sparql", data=query, content_type="application/sparql-query")
        assert as_json.status_code == 200, (path.name, as_json.get_data(as_text=True)[:200])
        rows = as_json.get_json()["results"]["bindings"]
        as_csv = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
        assert len(list(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))) == len(rows) + 1, path.name
        as_xml = client.post("/sparql", data={"query": query, "format": "xml"})
        assert as_xml.mimetype == "application/sparql-results+xml", path.name


def test_repeated_query_is_served_from_the_cache_with_the_same_bytes(client) -> None:
    query = (QUERIES / sorted(p.name for p in QUERIES.glob("*.rq"))[0]).read_text(encoding="utf-8")
    first = client.post("/sparql", data=query, content_type="application/sparql-query")
    second = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert second.headers["X-Cache"] == "hit" and first.get_data() == second.get_data()


def test_the_real_store_refuses_service_updates_and_endless_results(client) -> None:
    service = client.get("/sparql", query_string={
        "query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert service.status_code in (400, 403) and "SERVICE" in service.get_json()["error"]
    update = client.post("/sparql", data="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                         content_type="application/sparql-update")
    assert update.status_code == 403
    everything = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert everything.status_code in (200, 400, 413)  # capped: never the whole store unbounded
    if everything.status_code == 200:
        assert len(everything.get_json()["results"]["bindings"]) <= int(Settings.load(environ={})
                                                                          .query_max_results)


def test_entity_iris_answer_turtle_jsonld_and_html(client) -> None:
    top = client.get("/api/overview").get_json()["most_connected"][0]
    path = top["iri"].replace("https://w3id.org/councilkg/id/", "/id/")
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert (rdflib.URIRef(top["iri"]), rdflib.RDFS.label, rdflib.Literal(top["label"])) in graph
    jsonld = client.get(path, headers={"Accept": "application/ld+json"})
    assert len(rdflib.Graph().parse(data=jsonld.get_data(as_text=True), format="json-ld")) == len(graph)
    html = client.get(path, headers={"Accept": "text/html,application/xhtml+xml"}).get_data(as_text=True)
    assert f"<h1>{top['label']}</h1>" in html


def test_search_api_filters_by_entity_name_and_by_year(client) -> None:
    top = client.get("/api/overview").get_json()["most_connected"][0]
    found = client.get("/api/search", query_string={"q": top["label"], "entity": top["label"]}).get_json()
    assert found["results"], "the most connected entity is named in some passage"
    years = sorted({r["year"] for r in client.get("/api/overview").get_json()["papers_by_authority_year"]})
    later = client.get("/api/search", query_string={"q": top["label"], "from_year": years[-1]}).get_json()
    assert all((r["date"] or "")[:4] >= years[-1] for r in later["results"])


def test_every_page_renders_for_the_sample_build(client) -> None:
    top = client.get("/api/overview").get_json()["most_connected"][0]
    papers = client.get("/api/papers").get_json()["papers"]
    service = client.get("/api/entities", query_string={"kind": "service"}).get_json()["entities"][0]
    pages = ["/", "/search?q=care", "/papers", "/entities", "/timeline", "/query", "/ontology",
             f"/papers/{papers[0]['doc_id']}", f"/graph?iri={top['iri']}", f"/timeline?iri={service['iri']}",
             top["iri"].replace("https://w3id.org/councilkg/id/", "/id/")]
    for page in pages:
        response = client.get(page, headers={"Accept": "text/html"})
        assert response.status_code == 200, page
        assert "Content-Security-Policy" in response.headers


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see the workers")
def test_serve_with_two_processes_answers_and_stops_cleanly(tmp_path_factory: pytest.TempPathFactory) -> None:
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    data = built_samples(tmp_path_factory)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cli = Path(sys.executable).parent / "councilkg"
    command = [str(cli), "--data-dir", str(data), "serve", "--port", str(port), "--processes", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/papers", timeout=30) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, proc.stderr.read().decode()[-500:]
                time.sleep(0.3)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len(children) == 2
        for _ in range(6):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/papers", timeout=30) as response:
                assert response.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    time.sleep(0.5)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
