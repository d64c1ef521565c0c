"""The full build: ingestion, then extraction into the graph, then the search index, incrementally."""

from __future__ import annotations

from pathlib import Path

import pytest

from councilkg.errors import CouncilKGError
from councilkg.pipeline import Stage, build
from councilkg.settings import Settings
from councilkg.stages import close_stores, default_stages, graph_store, search_index

PAPER_A = """Bassetshire County Council
Adult Social Care and Health Committee
12 March 2018

HOME CARE RECOMMISSIONING

1. Purpose of the report
The Council and NHS Wellow Vale Clinical Commissioning Group (the CCG) jointly commission the
Home Care service. It is funded by the Better Care Fund (BCF), which contributes £2.1m in 2018/19.

2. Information
Older residents who need help to get up, wash and dress at home are supported by the service, and
the BCF also pays for the Assistive Technology service in the county.
"""

PAPER_B = """Wellow Vale Borough Council
Health Scrutiny Panel
4 June 2019

1. Summary
The Kingsmoor Hospitals NHS Foundation Trust provides the Community Falls Service. Funding of
£350,000 per annum comes from the Public Health Grant for 2019/20.
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "a.txt").write_text(PAPER_A, encoding="utf-8")
    (folder / "b.txt").write_text(PAPER_B, encoding="utf-8")
    return folder


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings.load({"data_dir": str(tmp_path / "data")}, environ={})


def _graph_of(settings: Settings, doc_id: str) -> set[str]:
    from kg import iris

    rows = graph_store(settings).select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iris.paper_graph(doc_id)}> {{ ?s ?p ?o }} }}"
    )
    close_stores()
    return {" ".join(str(t) for t in row) for row in rows}


@pytest.mark.slow
def test_build_extracts_loads_and_indexes_then_redoes_only_what_changed(
    corpus: Path, settings: Settings
) -> None:
    first = build([corpus], settings)
    assert first.ok, first.failed
    ids = sorted(first.changed_ids)
    assert len(ids) == 2
    assert sorted(first.stages["graph"]) == ids and sorted(first.stages["search"]) == ids

    store = graph_store(settings)
    hashes = store.paper_hashes()
    rows = store.select(
        "SELECT DISTINCT ?l WHERE { GRAPH ?g { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l } }"
    )
    labels = {r[0].value for r in rows}
    close_stores()
    assert set(hashes) == set(ids)
    assert "Better Care Fund" in labels and "Public Health Grant" in labels

    index = search_index(settings)
    assert sorted(index.paper_ids()) == ids
    passages_before = len(index)
    close_stores()

    again = build([corpus], settings)
    assert again.unchanged and again.stages == {"graph": [], "search": []}

    doc_b = next(d for d in ids if "Kingsmoor" in " ".join(_graph_of(settings, d)))
    doc_a = next(d for d in ids if d != doc_b)
    graph_a, graph_b = _graph_of(settings, doc_a), _graph_of(settings, doc_b)
    (corpus / "b.txt").write_text(PAPER_B.replace("£350,000", "£420,000"), encoding="utf-8")
    changed = build([corpus], settings)
    assert changed.changed_ids == [doc_b] and len(changed.updated) == 1
    assert changed.stages == {"graph": [doc_b], "search": [doc_b]}
    assert _graph_of(settings, doc_a) == graph_a  # the other paper's graph is untouched
    new_b = _graph_of(settings, doc_b)
    assert new_b != graph_b, sorted(new_b - graph_b)
    new_hash = graph_store(settings).paper_hash(doc_b)
    close_stores()
    assert any(new_hash in triple for triple in new_b - graph_b)
    index = search_index(settings)
    assert len(index) == passages_before
    close_stores()


@pytest.mark.slow
def test_search_filters_by_an_entity_named_in_the_graph(corpus: Path, settings: Settings) -> None:
    assert build([corpus], settings).ok
    index = search_index(settings)
    try:
        from search.models import SearchFilters

        # The acronym and the full name both select the passages that mention the fund.
        for name in ("Better Care Fund", "bcf"):
            hits = index.search("help at home", k=10, filters=SearchFilters(entity=name))
            assert hits, name
            assert all(h.file_name == "a.txt" for h in hits)
            assert all("BCF" in h.text or "Better Care Fund" in h.text for h in hits)
        assert index.search("help at home", k=10, filters=SearchFilters(entity="no such body")) == []
    finally:
        close_stores()


def test_a_stage_that_cannot_start_fails_the_build_but_keeps_the_papers(
    corpus: Path, settings: Settings
) -> None:
    def unavailable(hashes: object, settings: Settings) -> list[str]:
        raise CouncilKGError("graph store is locked by another build")

    seen: list[str] = []

    def later(docs: list, settings: Settings) -> dict[str, str]:
        seen.extend(d.doc_id for d in docs)
        return {}

    broken = Stage("graph", None, run=later, stale_ids=unavailable)
    after = Stage("search", lambda *_: True, run=later)
    report = build([corpus], settings, stages=[broken, after])
    assert len(report.added) == 2
    assert ("stage graph", "graph store is locked by another build") in report.failed
    assert not report.ok
    assert sorted(seen) == sorted(report.changed_ids)  # the next stage still ran


def test_default_stages_run_graph_before_search() -> None:
    assert [s.name for s in default_stages()] == ["graph", "search"]
