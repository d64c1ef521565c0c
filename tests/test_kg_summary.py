"""Answer rows (kg/summary.py) are written, replaced and removed with their paper, on every backend.

The heavy competency questions read rows the build stores in each paper's graph; a row left over
from an earlier version of a paper, or from a removed paper, would be a wrong answer. The same
tests run on the embedded store and on ``oxigraph serve`` (marked ``server``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_kg_competency import made_up_corpus, oxigraph_server  # noqa: F401  (fixture)

from councilkg.settings import Settings
from kg import iris
from kg.competency import competency_query
from kg.rdf import paper_quads
from kg.store import open_graph_store
from kg.summary import FACT_ORDER, ROW_KINDS, date_order, list_order

CK = iris.CK


@pytest.fixture(params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def store(request, tmp_path):
    url = request.getfixturevalue("oxigraph_server") if request.param == "remote" else ""
    with open_graph_store(Settings.load({"data_dir": str(tmp_path / "data"), "graph_store": url},
                                        environ={})) as s:
        for doc, extraction in made_up_corpus():
            s.replace_paper(doc, extraction)
        yield s


def rows_of(store, doc_id: str) -> set[tuple[str, str, str]]:
    """(row, predicate, value) of every answer row computed from the paper, read from the whole store."""
    found = store.select(
        f"SELECT ?row ?p ?o WHERE {{ ?row <{CK}rowPaper> <{iris.paper_iri(doc_id)}> ; ?p ?o }}")
    return {(str(r), str(p), str(o)) for r, p, o in found}


def trace(store) -> list[dict[str, str]]:
    body, _ = store.query(competency_query("04").sparql, "json")
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def edited_2019():
    """paper-2019 re-extracted: the status row now says 'review' and the funding figure is £1.7m."""
    doc, ex = made_up_corpus()[2]
    relations = []
    for rel in ex.relations:
        if rel.type == "service_status":
            rel = replace(rel, attrs={**rel.attrs, "status": "review"})
        elif rel.type == "funds":
            rel = replace(rel, attrs={**rel.attrs, "amount": 1_700_000.0, "amount_text": "£1.7m"})
        relations.append(rel)
    return doc, replace(ex, relations=relations)


def test_every_row_kind_is_written_into_its_papers_graph(store):
    kinds = store.select(f"SELECT DISTINCT ?g ?c WHERE {{ GRAPH ?g {{ ?row <{CK}rowPaper> ?p ; a ?c }} }}")
    by_kind: dict[str, set[str]] = {}
    for graph, cls in kinds:
        by_kind.setdefault(cls.value.removeprefix(CK), set()).add(graph.value)
    assert set(by_kind) == {kind.cls for kind in ROW_KINDS}
    papers = {iris.paper_graph(doc.doc_id) for doc, _ in made_up_corpus()}
    assert set().union(*by_kind.values()) <= papers


def test_rebuilding_a_paper_replaces_its_rows_and_leaves_none_stale(store):
    before = rows_of(store, "paper-2019")
    others = rows_of(store, "paper-2015") | rows_of(store, "paper-2017")
    assert before
    doc, ex = edited_2019()
    store.replace_paper(doc, ex)
    after = rows_of(store, "paper-2019")
    assert after != before
    # Exactly the rows the new version yields: nothing left over from the old one.
    expected = {(str(q.subject), str(q.predicate), str(q.object)) for q in paper_quads(doc, ex).summary}
    assert after == expected
    assert rows_of(store, "paper-2015") | rows_of(store, "paper-2017") == others
    rows_2019 = [r for r in trace(store) if r["year"] == "2019"]
    statuses = {s for r in rows_2019 for s in r.get("status", "").split("; ") if s}
    assert statuses == {"review"}
    funded = [r for r in rows_2019 if r.get("fundingLabel") == "Better Care Fund"]
    assert [(float(r["amount"]), r["amountText"]) for r in funded] == [(1_700_000.0, "£1.7m")]
    body, _ = store.query(competency_query("06").sparql, "json")
    amounts = sorted(float(b["amount"]["value"]) for b in json.loads(body)["results"]["bindings"])
    assert amounts == [1_200_000.0, 1_700_000.0, 2_500_000.0]


def test_a_fact_dropped_from_a_paper_takes_its_row_with_it(store):
    doc, ex = made_up_corpus()[1]  # paper-2017: its funding sentence is read no more
    store.replace_paper(doc, replace(ex, relations=[r for r in ex.relations if r.type != "funds"]))
    body, _ = store.query(competency_query("03").sparql, "json")
    bindings = json.loads(body)["results"]["bindings"]
    found = {(b["serviceLabel"]["value"], b["year"]["value"]) for b in bindings}
    assert found == {("Home Care", "2015"), ("Home Care", "2019")}


def test_removing_a_paper_removes_its_rows(store):
    assert rows_of(store, "paper-2017")
    store.remove_paper("paper-2017")
    assert rows_of(store, "paper-2017") == set()
    assert {r["year"] for r in trace(store)} == {"2015", "2019"}
    for doc_id in ("paper-2015", "paper-2019"):
        assert rows_of(store, doc_id)


def test_list_order_is_chronological_then_by_place_in_the_text():
    doc, ex = made_up_corpus()[0]
    assert date_order("2015-03-30", 2015) == 20150330
    assert date_order("2017-11", 2017) == 20171100
    assert date_order(None, 2019) == 20190000 and date_order(None, None) == 0
    later = made_up_corpus()[1][0]
    assert list_order(doc, 10, "b") < list_order(doc, 11, "a") < list_order(later, 0)
    assert list_order(doc, 10, "b") < 2**63 - 1
    assert list_order(doc, 10, "a") != list_order(doc, 10, "b")  # same paper and place: no tie
    fact_orders = {
        str(q.subject): int(q.object.value)
        for q in paper_quads(doc, ex).paper if q.predicate.value == FACT_ORDER
    }
    assert len(fact_orders) == len(ex.relations)
    assert all(value // 10**11 == 20150330 for value in fact_orders.values())


def test_a_relation_without_money_or_service_gives_no_row():
    doc, ex = made_up_corpus()[0]
    members = [r for r in ex.relations if r.type == "member_of"][:1]
    only = replace(ex, relations=members)
    classes = {q.object.value.removeprefix(CK) for q in paper_quads(doc, only).summary
               if q.predicate.value.endswith("#type")}
    assert classes == {"ArrangementRow", "ServiceTraceRow"}  # the membership, and Home Care's mention


PAPER = (
    "Wendlebury Borough Council\n\nCABINET\n\nDate: 14 March 2018\n\n1. Decision\n\n"
    "RESOLVED: That Wendlebury Borough Council approves the Befriending service contract with the Hollow "
    "Lane Care Trust at £2,300,000, funded by the Improved Better Care Fund.\n\n"
    "Home Care\tNew\tBetter Care Fund\t£1.2m\n"
)


@pytest.mark.slow
def test_councilkg_remove_takes_the_papers_rows_out_of_the_graph(tmp_path: Path) -> None:
    from corpus.loading import doc_id_for
    from councilkg.cli import cli

    data, folder = tmp_path / "data", tmp_path / "papers"
    folder.mkdir()
    path = folder / "befriending.txt"
    path.write_text(PAPER, encoding="utf-8")
    other = folder / "other.txt"
    other.write_text(PAPER.replace("Wendlebury", "Ashcombe").replace("Befriending", "Handyperson"),
                     encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["--data-dir", str(data), "build", str(folder)]).exit_code == 0
    doc_id = doc_id_for(path)

    def count(paper: str) -> int:
        query = (f"SELECT (COUNT(*) AS ?n) WHERE {{ ?row <{CK}rowPaper> <{iris.paper_iri(paper)}> }}")
        result = runner.invoke(cli, ["--data-dir", str(data), "sparql", query])
        assert result.exit_code == 0, result.output
        return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])

    assert count(doc_id) > 0 and count(doc_id_for(other)) > 0
    result = runner.invoke(cli, ["--data-dir", str(data), "remove", doc_id])
    assert result.exit_code == 0, result.output
    assert count(doc_id) == 0
    assert count(doc_id_for(other)) > 0


BEFORE = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "competency_before"


def _unordered(value: str) -> str:
    for separator in ("; ", ", "):
        value = separator.join(sorted(value.split(separator)))
    return value


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory):
    """24 papers shaped like the benchmark's (hundreds of facts: several pages per question)."""
    from benchmarks.bench_graph import synthetic_paper

    data = tmp_path_factory.mktemp("synthetic")
    with open_graph_store(Settings.load({"data_dir": str(data), "query_max_results": "100000"},
                                        environ={})) as s:
        for i in range(24):
            s.replace_paper(*synthetic_paper(i))
        yield s


@pytest.mark.parametrize("name", ["02", "03", "04", "06", "10"])
def test_the_pages_together_give_the_answers_of_the_query_before_answer_rows(synthetic_store, name):
    query = competency_query(name)
    before = (BEFORE / f"{query.name}.rq").read_text(encoding="utf-8")
    body, _ = synthetic_store.query(before, "json")
    expected = sorted(json.dumps({k: _unordered(v["value"]) for k, v in b.items()}, sort_keys=True)
                      for b in json.loads(body)["results"]["bindings"])
    pages, number = [], 0
    while True:
        body, _ = synthetic_store.query(query.page(number), "json")
        rows = json.loads(body)["results"]["bindings"]
        if not rows:
            break
        assert len(rows) <= 100
        pages.append(rows)
        number += 1
    assert len(pages) > 1  # the question really is answered a page at a time here
    got = sorted(json.dumps({k: _unordered(v["value"]) for k, v in b.items()}, sort_keys=True)
                 for rows in pages for b in rows)
    if name == "02":  # SELECT DISTINCT is per page: a row two pages share is listed on both
        got = sorted(set(got))
    assert got == expected


def test_the_first_page_of_fact_provenance_is_the_earliest_facts(synthetic_store):
    body, _ = synthetic_store.query(competency_query("10").sparql, "json")
    shown = {b["fact"]["value"] for b in json.loads(body)["results"]["bindings"]}
    orders = synthetic_store.select(
        f"SELECT ?f ?o WHERE {{ ?f a <{CK}Fact> ; <{FACT_ORDER}> ?o }}")
    ranked = sorted((int(o.value), f.value) for f, o in orders)
    assert len(ranked) > 100
    assert shown == {fact for _, fact in ranked[:100]}


def test_a_paper_written_before_answer_rows_is_stale_for_the_next_build(store):
    from kg.build import stale_papers

    hashes = {doc.doc_id: doc.content_hash for doc, _ in made_up_corpus()}
    assert stale_papers(store, hashes) == []
    # A graph as an older builder wrote it: no ck:graphVersion (and no answer rows).
    graph = iris.paper_graph("paper-2015")
    store.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?p <{CK}graphVersion> ?v }} }}")
    assert stale_papers(store, hashes) == ["paper-2015"]
    doc, ex = made_up_corpus()[0]
    store.replace_paper(doc, ex)
    assert stale_papers(store, hashes) == []
