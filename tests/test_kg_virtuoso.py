"""Virtuoso Open Source as a ``graph_store``: the same quads and answers as the embedded store.

A session fixture starts ``virtuoso-t`` (Debian package ``virtuoso-opensource``) on loopback with
a fresh database and a ``virtuoso.ini`` from ``kg.virtuoso`` in a temporary directory; councilkg
writes through the digest-authenticated ``/sparql-auth`` as a user with the SPARQL_UPDATE role.
Skipped, with the reason, where the binaries are missing.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from click.testing import CliRunner
from test_kg_competency import made_up_corpus
from test_kg_samples import built  # noqa: F401  (fixture: the samples built embedded)
from test_kg_store import make_paper

from councilkg.errors import CouncilKGError
from councilkg.settings import Settings
from kg.competency import competency_queries, competency_query
from kg.store import GRAPH_PREFIX, RemoteGraphStore, open_graph_store
from kg.virtuoso import running_virtuoso, virtuoso_available

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not virtuoso_available(),
                       reason="virtuoso-t / isql-vt not installed (Debian package virtuoso-opensource)"),
]
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    """A Virtuoso on free loopback ports; its anonymous ``/sparql`` stays read-only."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), buffers=10000) as server:
        yield server


def emptied(server, tmp_path) -> str:
    """The server's URL after dropping every councilkg graph earlier tests wrote there."""
    with open_graph_store(settings_for(tmp_path, server.url, "empty")) as store:
        graphs = store.select(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                              f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}')
        if graphs:
            store.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for (g,) in graphs))
        assert store.count_quads() == 0
    return server.url


def settings_for(tmp_path, url: str, name: str) -> Settings:
    return Settings.load({"data_dir": str(tmp_path / name), "graph_store": url}, environ={})


def answers(store) -> dict[str, list[str]]:
    """Every competency question's rows, GROUP_CONCAT parts sorted (their order is the engine's)."""
    out = {}
    for q in competency_queries():
        body, _ = store.query(q.sparql, "json")
        rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]
        out[q.name] = sorted(json.dumps({k: unordered(v) for k, v in r.items()}, sort_keys=True)
                             for r in rows)
    return out


def unordered(value: str) -> str:
    """A GROUP_CONCAT value with its parts sorted (joined by "; " or ", ")."""
    for separator in ("; ", ", "):
        value = separator.join(sorted(value.split(separator)))
    return value


def big_paper(members: int):
    """One made-up paper listing ``members`` partners (~20 triples each)."""
    names = [f"Felpersham Partner Number {i} Limited" for i in range(members)]
    text = "The Felpersham Big Partnership brings together " + ", ".join(names) + "."
    return make_paper("big-paper", text, names, "Felpersham Big Partnership")


def comparable(quads) -> set[tuple[str, ...]]:
    """Quads as strings; an xsd:decimal by value to 25 significant digits (Virtuoso keeps ~31)."""
    out = set()
    for q in quads:
        o = q.object
        if getattr(o, "datatype", None) is not None and o.datatype.value == XSD_DECIMAL:
            obj = f"{Decimal(o.value):.25g}^^decimal"
        else:
            obj = str(o)
        out.add((str(q.subject), str(q.predicate), obj, str(q.graph_name)))
    return out


@pytest.fixture(scope="module")
def pair(virtuoso, tmp_path_factory):
    """The made-up corpus written paper by paper into the embedded store and into Virtuoso."""
    tmp = tmp_path_factory.mktemp("pair")
    stores = [open_graph_store(settings_for(tmp, url, name)) for name, url in
              (("embedded", ""), ("virtuoso", emptied(virtuoso, tmp)))]
    for store in stores:
        for doc, extraction in made_up_corpus():
            store.replace_paper(doc, extraction)
    yield stores
    for store in stores:
        store.close()


def test_the_setting_selects_virtuoso_by_its_server_header(pair):
    _, remote = pair
    assert isinstance(remote, RemoteGraphStore) and remote.virtuoso is True
    assert "councilkg@" not in remote.url  # the password never shows in messages


def test_same_quads_named_graphs_and_hashes_as_embedded(pair):
    embedded, remote = pair
    assert comparable(remote.quads()) == comparable(embedded.quads())
    assert remote.count_quads() == embedded.count_quads()
    assert remote.paper_hashes() == embedded.paper_hashes() and len(remote.paper_hashes()) == 3
    graphs = {q.graph_name.value for q in remote.quads()}
    assert {g for g in graphs if "/graph/paper/" in g} == {
        f"https://w3id.org/councilkg/id/graph/paper/paper-{y}" for y in (2015, 2017, 2019)}


def test_same_competency_answers_as_embedded(pair):
    embedded, remote = pair
    expected = answers(embedded)
    assert all(expected[q.name] for q in competency_queries())  # every question answers something
    assert answers(remote) == expected


def test_booleans_come_back_canonical(pair):
    _, remote = pair
    rows = remote.select("SELECT DISTINCT ?j WHERE { ?f <https://w3id.org/councilkg/ontology#isJoint> ?j }")
    assert {r[0].value for r in rows} <= {"true", "false"} and rows


def test_replacing_and_removing_a_paper_is_the_same_as_embedded(pair):
    embedded, remote = pair
    doc, extraction = made_up_corpus()[1]
    fewer = type(extraction)(extraction.doc_id, extraction.entities, extraction.mentions,
                             extraction.relations[:1], extraction.software)
    for store in pair:
        store.replace_paper(doc, fewer)
    assert comparable(remote.quads()) == comparable(embedded.quads())
    assert answers(remote) == answers(embedded)
    for store in pair:
        store.remove_paper(doc.doc_id)
    assert comparable(remote.quads()) == comparable(embedded.quads())
    assert doc.doc_id not in remote.paper_hashes()
    for store in pair:
        store.replace_paper(doc, extraction)
    assert comparable(remote.quads()) == comparable(embedded.quads())


def test_a_reader_never_sees_half_a_paper(virtuoso, tmp_path):
    """A paper of ~12,000 triples replaced while another client counts its graph: before or after."""
    store = open_graph_store(settings_for(tmp_path, virtuoso.url, "v"))
    doc, small = big_paper(40)
    large_doc, large = big_paper(600)
    store.replace_paper(doc, small)
    graph = f"https://w3id.org/councilkg/id/graph/paper/{doc.doc_id}"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    before = int(store.select(count)[0][0].value)
    seen: set[int] = set()
    done = threading.Event()

    def read() -> None:
        reader = open_graph_store(settings_for(tmp_path, virtuoso.url, "r"))
        while not done.is_set():
            seen.add(int(reader.select(count)[0][0].value))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        store.replace_paper(large_doc, large)
    finally:
        done.set()
        thread.join()
    after = int(store.select(count)[0][0].value)
    assert after > 10_000 > before
    assert seen <= {before, after}, sorted(seen)
    store.remove_paper(doc.doc_id)


def test_sparql_cli_runs_on_virtuoso(pair, virtuoso, tmp_path):
    from councilkg.cli import cli

    embedded, _ = pair
    query = competency_query("01")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "--set", f"graph_store={virtuoso.url}",
                                      "sparql", query.sparql])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)["results"]["bindings"]
    body, _ = embedded.query(query.sparql, "json")
    assert len(got) == len(json.loads(body)["results"]["bindings"]) > 0


@pytest.mark.parametrize("make_url,message", [
    (lambda v: f"http://127.0.0.1:{v.http_port}/sparql", "SPARQL_UPDATE"),  # anonymous: read-only
    (lambda v: f"http://councilkg:wrong@127.0.0.1:{v.http_port}/sparql-auth", "refused the credentials"),
    (lambda v: "http://127.0.0.1:9/sparql", "is unreachable"),  # nothing listens on the discard port
])
def test_bad_urls_are_one_error_line_naming_the_setting(virtuoso, tmp_path, make_url, message):
    from councilkg.cli import cli

    url = make_url(virtuoso)
    doc, extraction = made_up_corpus()[0]
    with pytest.raises(CouncilKGError, match=message) as caught, \
            open_graph_store(settings_for(tmp_path, url, "bad")) as store:
        store.replace_paper(doc, extraction)
    assert "graph_store" in str(caught.value) and "wrong" not in str(caught.value)
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "--set", f"graph_store={url}",
                                      "sparql", "ASK { ?s ?p ?o }"])
    if "SPARQL_UPDATE" not in message:  # reading needs no grant
        assert result.exit_code == 1
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
        assert "graph_store" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_the_sample_build_gives_the_embedded_quads_and_answers(virtuoso, built, tmp_path):  # noqa: F811
    """``councilkg build`` of the real samples into Virtuoso, beside the embedded build."""
    from test_kg_samples import build_samples

    settings = settings_for(tmp_path, emptied(virtuoso, tmp_path), "samples")
    build_samples(settings)
    with open_graph_store(built) as embedded, open_graph_store(settings) as remote:
        assert remote.paper_hashes() == embedded.paper_hashes()
        assert comparable(remote.quads()) == comparable(embedded.quads())
        assert answers(remote) == answers(embedded)


def test_a_query_past_the_time_limit_is_stopped_by_the_server_and_refused(pair, virtuoso, tmp_path):
    from councilkg.errors import QueryTimeout

    settings = Settings.load({"data_dir": str(tmp_path / "t"), "graph_store": virtuoso.url,
                              "query_timeout_s": "2"}, environ={})
    with open_graph_store(settings) as store, pytest.raises(QueryTimeout, match="time limit"):
        store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "json")


@pytest.mark.parametrize("headers,message", [
    ({"X-SQL-State": "S1TAT"}, "time limit"),  # Virtuoso's partial "anytime" answer
    ({"X-SPARQL-MaxRows": "10000"}, "ResultSetMaxRows"),  # cut at the row cap
])
def test_an_answer_virtuoso_cut_short_is_an_error_not_a_short_answer(tmp_path, headers, message):
    from councilkg.errors import QueryError

    store = RemoteGraphStore(settings_for(tmp_path, "", "h"), "http://127.0.0.1:9/sparql")
    with pytest.raises(QueryError, match=message):
        store._check_complete(headers, 1.0)
    store._check_complete({}, 1.0)  # a complete answer passes
