"""The embedded vector index: exact below the ``ann_threshold`` setting, an hnswlib graph above it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_search_index import CountingEncoder, papers

from councilkg.settings import Settings
from search.ann import HnswIndex
from search.index import SearchIndex
from search.models import SearchFilters
from search.vectors import ExactVectors, open_vector_backend


def unit_vectors(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    x = centres[rng.integers(0, 20, n)] + rng.normal(scale=0.6, size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def exact_ids(ids: np.ndarray, matrix: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return ids[np.argsort(-(matrix @ query), kind="stable")[:k]].tolist()



def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the size of every fresh graph build from now on (the list fills as builds happen)."""
    builds: list[int] = []
    real_build = HnswIndex.build.__func__  # type: ignore[attr-defined]

    def counting_build(cls, ids, matrix, threads=None):  # type: ignore[no-untyped-def]
        builds.append(len(ids))
        return real_build(cls, ids, matrix, threads)

    monkeypatch.setattr(HnswIndex, "build", classmethod(counting_build))
    return builds

def test_below_the_threshold_search_is_exact_and_builds_no_graph(tmp_path: Path) -> None:
    vectors, ids = unit_vectors(500), np.arange(10, 510)
    backend = ExactVectors(ann_threshold=501, ann_path=tmp_path / "v.hnsw")
    backend.load(ids, vectors)
    assert not backend.uses_ann and not (tmp_path / "v.hnsw").exists()
    for q in vectors[:20]:
        assert backend.search(q, 10)[0].tolist() == exact_ids(ids, vectors, q, 10)


def test_above_the_threshold_the_graph_answers_with_high_recall(tmp_path: Path) -> None:
    drawn = unit_vectors(3050)  # queries come from the same topics as the passages
    vectors, queries, ids = drawn[:3000], drawn[3000:], np.arange(1, 3001) * 7
    backend = ExactVectors(ann_threshold=3000, ann_path=tmp_path / "v.hnsw")
    backend.load(ids, vectors)
    assert backend.uses_ann and (tmp_path / "v.hnsw").is_file()
    assert backend.matrix.shape[0] == 0, "in ANN mode the vectors live only in the graph"
    overlaps = [set(backend.search(q, 10)[0].tolist()) & set(exact_ids(ids, vectors, q, 10)) for q in queries]
    recall = np.mean([len(o) / 10 for o in overlaps])
    assert recall >= 0.95
    got_ids, scores = backend.search(queries[0], 5)
    np.testing.assert_allclose(scores, vectors[np.searchsorted(ids, got_ids)] @ queries[0], atol=1e-5)
    assert list(scores) == sorted(scores, reverse=True)


def test_filters_in_ann_mode_return_only_allowed_ids(tmp_path: Path) -> None:
    vectors, ids = unit_vectors(2000), np.arange(2000)
    backend = ExactVectors(ann_threshold=100, ann_path=tmp_path / "v.hnsw")
    backend.load(ids, vectors)
    narrow = np.arange(0, 2000, 97)
    got, _ = backend.search(vectors[5], 5, allowed=narrow)
    assert got.tolist() == exact_ids(narrow, vectors[narrow], vectors[5], 5)
    broad = np.arange(0, 2000, 2)
    got, _ = backend.search(vectors[6], 10, allowed=broad)
    assert len(got) == 10 and set(got.tolist()) <= set(broad.tolist())
    assert got[0] == 6


def test_an_unchanged_graph_is_reopened_and_a_changed_one_updated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vectors, ids = unit_vectors(400), np.arange(400)
    path = tmp_path / "v.hnsw"
    ExactVectors(ann_threshold=1, ann_path=path).load(ids, vectors)
    builds = count_builds(monkeypatch)
    again = ExactVectors(ann_threshold=1, ann_path=path)
    again.load(ids, vectors)
    assert builds == [] and again.search(vectors[3], 1)[0].tolist() == [3]
    changed = vectors.copy()
    changed[3] = -changed[3]
    again.load(ids, changed)
    assert builds == []  # one changed vector: patched in place
    assert again.search(vectors[3], 1)[0].tolist() != [3]
    assert again.search(changed[3], 1)[0].tolist() == [3]


def test_add_and_remove_keep_working_in_ann_mode(tmp_path: Path) -> None:
    vectors, ids = unit_vectors(300), np.arange(300)
    backend = ExactVectors(ann_threshold=250, ann_path=tmp_path / "v.hnsw")
    backend.load(ids, vectors)
    backend.remove(np.arange(0, 100))
    assert backend.count() == 200 and not backend.uses_ann  # fell below the threshold: exact again
    backend.add(np.arange(0, 100), vectors[:100])
    assert backend.count() == 300 and backend.uses_ann
    assert backend.search(vectors[42], 1)[0].tolist() == [42]


def test_the_setting_switches_the_search_index_to_ann(data_dir: Path) -> None:
    exact = SearchIndex(Settings.load({"data_dir": str(data_dir / "a")}), encoder=CountingEncoder())
    ann = SearchIndex(
        Settings.load({"data_dir": str(data_dir / "b"), "ann_threshold": "2"}), encoder=CountingEncoder()
    )
    for idx in (exact, ann):
        idx.update(papers())
    for query in ("home care", "needle exchange", "school nursing"):
        for filters in (None, SearchFilters(from_year=2014)):
            want = [(r.doc_id, r.start) for r in exact.search(query, k=3, filters=filters, mode="dense")]
            got = [(r.doc_id, r.start) for r in ann.search(query, k=3, filters=filters, mode="dense")]
            assert got == want
    assert ann._backend is not None and ann._backend.uses_ann  # type: ignore[attr-defined]
    assert exact._backend is not None and not exact._backend.uses_ann  # type: ignore[attr-defined]
    assert (data_dir / "b" / "search" / "vectors.hnsw").is_file()


def test_an_unknown_vector_store_is_a_clear_error(tmp_path: Path) -> None:
    from councilkg.errors import CouncilKGError

    with pytest.raises(CouncilKGError, match="vector_store"):
        open_vector_backend("redis://nowhere", tmp_path)


def test_an_incremental_change_patches_the_saved_graph_instead_of_rebuilding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vectors, ids = unit_vectors(1000), np.arange(1000)
    path = tmp_path / "v.hnsw"
    HnswIndex.build_or_load(ids, vectors, path)
    builds = count_builds(monkeypatch)
    # One "paper" changes: 20 passages go, 10 are re-embedded, 30 new ones arrive.
    keep = np.ones(1000, dtype=bool)
    keep[100:120] = False
    new_ids = np.concatenate([ids[keep], np.arange(5000, 5030)])
    new_vectors = np.concatenate([vectors[keep], unit_vectors(30, seed=3)])
    new_vectors[:10] = unit_vectors(10, seed=4)
    graph = HnswIndex.build_or_load(new_ids, new_vectors, path)
    assert builds == [] and len(graph) == 1010
    for row in [*range(10), *range(1000, 1010)]:
        assert graph.search(new_vectors[row], 1)[0].tolist() == [new_ids[row]]
    assert not set(range(100, 120)) & set(graph.search(vectors[105], 50)[0].tolist())
    # A removed passage that comes back is found again; a wholesale change rebuilds.
    unsorted_ids = np.concatenate([new_ids, [105]])
    back_ids = np.sort(unsorted_ids)
    back_vectors = np.concatenate([new_vectors, vectors[105:106]])[np.argsort(unsorted_ids)]
    assert HnswIndex.build_or_load(back_ids, back_vectors, path).search(vectors[105], 1)[0].tolist() == [105]
    assert builds == []
    HnswIndex.build_or_load(back_ids, unit_vectors(back_ids.shape[0], seed=5), path)
    assert builds == [1011]


def test_a_middling_filter_walks_the_graph_accepting_only_allowed_ids(tmp_path: Path) -> None:
    drawn = unit_vectors(6010)
    vectors, queries, ids = drawn[:6000], drawn[6000:], np.arange(6000)
    backend = ExactVectors(ann_threshold=100, ann_path=tmp_path / "v.hnsw")
    backend.load(ids, vectors)
    allowed = np.arange(0, 6000, 2)  # 3,000 ids: too many to score one by one, too few to over-fetch
    hits = 0
    for q in queries:
        got, scores = backend.search(q, 10, allowed=allowed)
        assert len(got) == 10 and set(got.tolist()) <= set(allowed.tolist())
        assert list(scores) == sorted(scores, reverse=True)
        hits += len(set(got.tolist()) & set(exact_ids(allowed, vectors[allowed], q, 10)))
    assert hits / (10 * len(queries)) >= 0.95
