"""Paper ids unique per source, and the migration of data dirs built with the old ids (issue #12 item 5).

Old ids were the file name's slug alone (``minutes`` for every ``minutes.txt``). A data dir
built that way is simulated here by building with the old id function and marking the
corpus store as schema version 1; the new code must then give every paper its new id in
the corpus store, and the next build must leave the graph and the search index with no
trace of the old ids and nothing lost.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import corpus.loading
import corpus.store
from corpus.loading import doc_id_for, name_slug
from corpus.store import STORE_FILE, CorpusStore
from councilkg.cli import cli
from councilkg.settings import Settings

PAPER = (
    "{council}\n\nADULT CARE COMMITTEE\n\nDate: 4 March 2016\n\n1. Summary\n\n"
    "{council} and the Ashby Vale CCG will jointly commission the {service} service, funded by the "
    "Better Care Fund with £{amount} in 2016/17.\n"
)


def _papers(root: Path) -> list[Path]:
    """Two papers of one file name in two folders, and a paper whose name has no Latin letters."""
    paths = []
    for folder, council, service, amount in (
        ("2019", "Ashby Vale Borough Council", "home care", "1.2m"),
        ("2020", "Ashby Vale Borough Council", "reablement", "800,000"),
    ):
        (root / folder).mkdir(parents=True)
        path = root / folder / "minutes.txt"
        path.write_text(PAPER.format(council=council, service=service, amount=amount), encoding="utf-8")
        paths.append(path)
    other = root / "議事録.txt"
    text = PAPER.format(council="Kestrel County Council", service="respite", amount="90,000")
    other.write_text(text, encoding="utf-8")
    paths.append(other)
    return paths


def _legacy_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ingestion use the old ids: the file name's slug alone."""
    monkeypatch.setattr(corpus.loading, "doc_id_for", lambda path: name_slug(path))
    monkeypatch.setattr(corpus.store, "doc_id_for_source", lambda source: name_slug(source))


def _mark_schema_1(data: Path) -> None:
    with sqlite3.connect(data / STORE_FILE) as db:
        db.execute("UPDATE store_info SET value = '1' WHERE key = 'schema_version'")
        db.execute("DROP TABLE id_renames")  # the version-1 schema had neither of these
        db.execute("DROP TABLE stage_failures")


def _rows(data: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(data / STORE_FILE) as db:
        return {
            table: sorted(db.execute(f"SELECT * FROM {table}").fetchall())  # noqa: S608 - fixed names
            for table in ("papers", "versions", "blocks", "tables")
        }


def test_a_version_1_store_gets_per_source_ids_when_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    first, second, other = _papers(tmp_path / "papers")
    with monkeypatch.context() as patch:
        _legacy_ids(patch)
        with CorpusStore(data / STORE_FILE) as store:
            # The old behaviour: the 2020 minutes replace the 2019 ones under one id.
            store.ingest([first])
            assert store.ingest([second]).updated == [str(second)]
            store.ingest([other])
            assert store.ids() == ["minutes", "paper"]
    _mark_schema_1(data)
    before = _rows(data)

    with CorpusStore(data / STORE_FILE) as store:
        new_ids = {doc_id_for(second), doc_id_for(other)}
        assert set(store.ids()) == new_ids  # each stored paper once, with its new id
        assert store.renamed_ids() == {"minutes": doc_id_for(second), "paper": doc_id_for(other)}
        assert "reablement" in store.get("minutes").text  # old ids still resolve (links, habits)
        assert len(store.history(doc_id_for(second))) == 2  # history moved with the paper
        assert store.check_integrity() == []
    after = _rows(data)
    for table, rows in before.items():  # nothing lost: the same rows, only the ids differ
        assert len(after[table]) == len(rows), table
        strip = [row[1:] for row in rows]
        assert sorted(strip) == sorted(row[1:] for row in after[table]), table

    with CorpusStore(data / STORE_FILE) as store:  # opening again changes nothing (idempotent)
        assert set(store.ids()) == new_ids
        report = store.ingest([first, second, other])
        assert report.added == [str(first)]  # the 2019 minutes, lost before, are a paper of their own
        assert sorted(report.unchanged) == sorted([str(second), str(other)])


@pytest.mark.slow
def test_the_next_build_rewrites_the_graph_and_the_index_under_the_new_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from councilkg.pipeline import build
    from councilkg.stages import close_stores, graph_store, search_index

    data = tmp_path / "data"
    settings = Settings.load({"data_dir": str(data)}, environ={})
    papers = _papers(tmp_path / "papers")
    _, second, other = papers
    with monkeypatch.context() as patch:
        _legacy_ids(patch)
        old = build([second, other], settings)
        assert old.ok, old.failed
    assert set(graph_store(settings).paper_hashes()) == {"minutes", "paper"}
    assert set(search_index(settings).paper_ids()) == {"minutes", "paper"}
    close_stores()
    _mark_schema_1(data)

    report = build(papers, settings)
    assert report.ok, report.failed
    new_ids = {doc_id_for(p) for p in papers}
    assert len(new_ids) == 3 and report.added == [str(papers[0])]
    assert sorted(report.pruned["graph"]) == sorted(report.pruned["search"]) == ["minutes", "paper"]
    try:
        graph = graph_store(settings)
        assert set(graph.paper_hashes()) == new_ids
        old_iris = graph.select(
            "SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?s), '/paper/minutes') "
            "&& !CONTAINS(STR(?s), '/paper/minutes-')) } LIMIT 1"
        )
        assert old_iris == []
        index = search_index(settings)
        assert set(index.paper_ids()) == new_ids
        assert {r[0] for r in index.conn.execute("SELECT doc_id FROM built_from")} == new_ids
        assert {r[0] for r in index.conn.execute("SELECT DISTINCT doc_id FROM mentions")} <= new_ids
        hits = index.search("reablement", k=3, mode="keyword")
        assert hits and hits[0].doc_id == doc_id_for(second)
    finally:
        close_stores()
    docs = CliRunner().invoke(cli, ["--data-dir", str(data), "docs", "--json"])
    assert docs.exit_code == 0 and sorted(d["id"] for d in json.loads(docs.stdout)) == sorted(new_ids)
