"""`councilkg remove`, and stage failures that do not stick to every later build (issue #12 item 7)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus.loading import doc_id_for
from corpus.models import Document
from corpus.store import CorpusStore
from councilkg.cli import cli
from councilkg.errors import CouncilKGError
from councilkg.pipeline import Stage
from councilkg.settings import Settings

PAPER = (
    "{council}\n\nCABINET\n\nDate: 9 November 2017\n\n1. Decision\n\n"
    "{council} will commission the {service} service from the Brackley Care Trust, funded by the "
    "Improved Better Care Fund with £{amount} in 2017/18.\n"
)


def run(data: Path, *args: str):
    return CliRunner().invoke(cli, ["--data-dir", str(data), *args])


def _write(folder: Path, name: str, council: str, service: str, amount: str = "400,000") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(PAPER.format(council=council, service=service, amount=amount), encoding="utf-8")
    return path


@pytest.fixture
def stages_of(monkeypatch: pytest.MonkeyPatch):
    """Set the stages `councilkg build` and `remove` run (none: ingestion only)."""
    import councilkg.pipeline as pipeline
    import councilkg.stages as stages

    def use(chosen: list[Stage]) -> None:
        monkeypatch.setattr(stages, "default_stages", lambda: list(chosen))
        monkeypatch.setattr(pipeline, "STAGES", list(chosen))

    use([])
    return use


# ----------------------------------------------------------------------------- remove


def test_unknown_papers_are_one_error_line_and_nothing_is_removed(tmp_path: Path, stages_of) -> None:
    data = tmp_path / "data"
    paper = _write(tmp_path / "papers", "cabinet.txt", "Brackley Borough Council", "night sitting")
    assert run(data, "build", str(paper)).exit_code == 0
    result = run(data, "remove", doc_id_for(paper), "no-such-paper", "missing.txt")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: no paper 'no-such-paper', 'missing.txt' in {data} (see `councilkg docs`); nothing removed"
    ]
    with CorpusStore.open(Settings.load({"data_dir": str(data)}, environ={})) as store:
        assert store.ids() == [doc_id_for(paper)]


def test_remove_on_a_missing_data_dir_says_so_and_creates_nothing(tmp_path: Path) -> None:
    result = run(tmp_path / "data", "remove", "anything")
    assert result.exit_code == 1 and result.output.startswith("error: no papers in ")
    assert not (tmp_path / "data").exists()


def test_remove_by_id_file_name_or_path_takes_the_paper_and_its_history(tmp_path: Path, stages_of) -> None:
    data = tmp_path / "data"
    folder = tmp_path / "papers"
    one = _write(folder, "one.txt", "Brackley Borough Council", "night sitting")
    _write(folder, "two.txt", "Brackley Borough Council", "day care")
    three = _write(folder, "three.txt", "Brackley Borough Council", "meals at home")
    keep = _write(folder, "keep.txt", "Brackley Borough Council", "handyperson")
    assert run(data, "build", str(folder)).exit_code == 0
    _write(folder, "one.txt", "Brackley Borough Council", "night sitting", amount="450,000")
    assert run(data, "build", str(folder)).exit_code == 0  # one.txt now has two versions

    result = run(data, "remove", doc_id_for(one), "two.txt", str(three))
    assert result.exit_code == 0, result.output
    assert f"removed {doc_id_for(one)} (one.txt)" in result.stdout
    assert "removed 3 paper(s)" in result.output
    docs = json.loads(run(data, "docs", "--json").stdout)
    assert [d["id"] for d in docs] == [doc_id_for(keep)]
    again = run(data, "remove", doc_id_for(one))
    assert again.exit_code == 1 and "no paper" in again.output
    # Building the file again brings it back as a new paper (no stale history under its id).
    rebuilt = run(data, "build", str(one))
    assert "added 1" in rebuilt.output
    with CorpusStore.open(Settings.load({"data_dir": str(data)}, environ={})) as store:
        assert len(store.history(doc_id_for(one))) == 1
        assert store.check_integrity() == []


@pytest.mark.slow
def test_remove_drops_the_graph_and_the_passages_and_a_rerun_finishes_a_half_done_removal(
    tmp_path: Path,
) -> None:
    from councilkg.stages import close_stores, graph_store, search_index

    data = tmp_path / "data"
    settings = Settings.load({"data_dir": str(data)}, environ={})
    folder = tmp_path / "papers"
    gone = _write(folder, "gone.txt", "Brackley Borough Council", "night sitting")
    half = _write(folder, "half.txt", "Kestrel District Council", "falls response")
    keep = _write(folder, "keep.txt", "Wellow Vale Council", "handyperson")
    assert run(data, "build", str(folder)).exit_code == 0
    gone_id, half_id, keep_id = doc_id_for(gone), doc_id_for(half), doc_id_for(keep)

    result = run(data, "remove", gone_id)
    assert result.exit_code == 0, result.output
    try:
        assert set(graph_store(settings).paper_hashes()) == {half_id, keep_id}
        index = search_index(settings)
        assert set(index.paper_ids()) == {half_id, keep_id}
        assert index.search("night sitting", k=5, mode="keyword") == []
        assert not index.conn.execute("SELECT 1 FROM mentions WHERE doc_id = ?", (gone_id,)).fetchone()
    finally:
        close_stores()
    count = run(data, "sparql", f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(CONTAINS(STR(?g), '{gone_id}')) }}")
    assert json.loads(count.stdout)["boolean"] is False

    # A removal stopped after the corpus store let go: the graph and the index still hold the
    # paper. Running the removal again finishes it.
    with CorpusStore.open(settings) as store:
        store.remove_papers([half_id])
    again = run(data, "remove", half_id)
    assert again.exit_code == 0, again.output
    try:
        assert set(graph_store(settings).paper_hashes()) == {keep_id}
        assert set(search_index(settings).paper_ids()) == {keep_id}
    finally:
        close_stores()


# ----------------------------------------------------------------------------- non-sticky stage failures


def _fragile(doc: Document, settings: Settings) -> str:
    if "night sitting" in doc.text:
        raise CouncilKGError("the paragraph is too long for the extractor")
    return doc.doc_id


def test_a_paper_whose_stage_fails_is_reported_once_then_skipped_with_a_note_until_it_changes(
    tmp_path: Path, stages_of
) -> None:
    # Before: every later build re-ran the failing paper and exited 1 with the same line.
    committed: list[str] = []
    done: dict[str, str] = {}

    def commit(doc: Document, value: str, settings: Settings) -> None:
        committed.append(value)
        done[doc.doc_id] = doc.content_hash

    stages_of([Stage("graph", lambda d, digest, s: done.get(d) != digest, prepare=_fragile, commit=commit)])
    data = tmp_path / "data"
    folder = tmp_path / "papers"
    bad = _write(folder, "bad.txt", "Brackley Borough Council", "night sitting")
    first = run(data, "build", str(bad))
    assert first.exit_code == 1
    assert f"failed: {doc_id_for(bad)} (graph): the paragraph is too long for the extractor" in first.output

    good = _write(folder, "good.txt", "Brackley Borough Council", "day care")
    second = run(data, "build", str(good))
    assert second.exit_code == 0, second.output  # another paper's build is not failed by the old one
    assert "failed:" not in second.output
    (note,) = [line for line in second.output.splitlines() if line.startswith("note: ")]
    assert note.startswith(f"note: {doc_id_for(bad)} (graph): not retried") and "too long" in note
    assert committed == [doc_id_for(good)]

    # Editing the paper retries it: it passes now.
    _write(folder, "bad.txt", "Brackley Borough Council", "evening sitting")
    third = run(data, "build", str(bad))
    assert third.exit_code == 0 and "note:" not in third.output, third.output
    assert committed == [doc_id_for(good), doc_id_for(bad)]
    fourth = run(data, "build", str(folder))
    assert fourth.exit_code == 0 and "note:" not in fourth.output


def test_a_failure_writing_the_result_is_retried_on_the_next_build(tmp_path: Path, stages_of) -> None:
    attempts: list[str] = []

    def commit(doc: Document, value: str, settings: Settings) -> None:
        attempts.append(doc.doc_id)
        if len(attempts) == 1:
            raise CouncilKGError("graph store is busy")

    stages_of([Stage("graph", lambda *_: True, prepare=lambda d, s: d.doc_id, commit=commit)])
    data = tmp_path / "data"
    paper = _write(tmp_path / "papers", "p.txt", "Brackley Borough Council", "day care")
    assert run(data, "build", str(paper)).exit_code == 1
    retry = run(data, "build", str(paper))
    assert retry.exit_code == 0 and "note:" not in retry.output
    assert attempts == [doc_id_for(paper)] * 2


@pytest.mark.slow
def test_a_paper_indexed_while_its_graph_failed_gets_its_entity_filter_once_the_graph_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import councilkg
    from councilkg.pipeline import build
    from councilkg.stages import GRAPH_STAGE, SEARCH_STAGE, close_stores, extract_paper, search_index
    from search.models import SearchFilters

    data = tmp_path / "data"
    settings = Settings.load({"data_dir": str(data)}, environ={})
    paper = _write(tmp_path / "papers", "p.txt", "Brackley Borough Council", "night sitting")
    broken = replace(GRAPH_STAGE, prepare=_fragile)
    first = build([paper], settings, stages=[broken, SEARCH_STAGE])
    assert not first.ok and first.stages["search"] == [doc_id_for(paper)]
    entity = SearchFilters(entity="Brackley Care Trust")
    try:
        assert search_index(settings).search("care service", k=5, filters=entity) == []
    finally:
        close_stores()
    # The graph stage works after an upgrade (which retries failed papers): the search stage
    # must pick the paper up again for its mentions.
    monkeypatch.setattr(councilkg, "__version__", councilkg.__version__ + "+fixed")
    fixed = build([paper], settings, stages=[replace(GRAPH_STAGE, prepare=extract_paper), SEARCH_STAGE])
    assert fixed.stages["search"] == [doc_id_for(paper)], fixed
    try:
        assert search_index(settings).search("care service", k=5, filters=entity)
    finally:
        close_stores()
