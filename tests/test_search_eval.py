"""Search quality on the samples (dev questions and our own officer-style paraphrases) and the
Milvus vector store giving the same answers as the embedded index. Real encoder: slow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from councilkg.settings import Settings
from search.evaluation import evaluate, index_paper_folder, load_questions
from search.index import SearchIndex
from search.milvus_store import MilvusVectors, checksums

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "data" / "samples"
EVAL = ROOT / "tests" / "data" / "eval"
# (tests/conftest.py has the same paths; "conftest" is not importable by name: tests/browser
# has a conftest module of its own)
OFFICER_QUESTIONS = ROOT / "tests" / "data" / "search" / "officer_questions.json"


@pytest.fixture(scope="module")
def samples_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    data = tmp_path_factory.mktemp("samples-search")
    index = SearchIndex(Settings.load({"data_dir": str(data)}))
    index_paper_folder(index, SAMPLES)
    yield index
    index.close()


@pytest.mark.slow
@pytest.mark.parametrize("questions", [EVAL / "queries_dev.json", OFFICER_QUESTIONS], ids=["dev", "officer"])
def test_hybrid_search_is_ahead_of_both_baselines(samples_index: SearchIndex, questions: Path) -> None:
    scores = {s.mode: s for s in evaluate(samples_index, load_questions(questions))}
    hybrid, keyword, dense = scores["hybrid"], scores["keyword"], scores["dense"]
    assert hybrid.mrr > max(keyword.mrr, dense.mrr)
    assert hybrid.success[5] >= max(keyword.success[5], dense.success[5])
    if questions.name == "queries_dev.json":
        assert hybrid.success[1] >= 0.85 and hybrid.success[5] == 1.0


@pytest.mark.slow
def test_milvus_gives_the_same_top_results_as_the_embedded_index(
    samples_index: SearchIndex, tmp_path: Path
) -> None:
    # Same data dir (passages and embedding cache), vectors served by milvus-lite instead.
    settings = samples_index.settings.with_overrides(vector_store=f"milvus://{tmp_path / 'vectors.db'}")
    remote = SearchIndex(settings, encoder=samples_index.encoder)
    try:
        for question in load_questions(EVAL / "queries_dev.json"):
            for mode in ("dense", "hybrid"):
                want = [(r.doc_id, r.start) for r in samples_index.search(question.q, k=5, mode=mode)]
                got = [(r.doc_id, r.start) for r in remote.search(question.q, k=5, mode=mode)]
                assert got == want, (question.q, mode)
        assert remote._backend is not None and remote._backend.count() == len(samples_index)
    finally:
        remote.close()


def _unit(n: int, dim: int = 8, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_milvus_sync_sends_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = MilvusVectors(str(tmp_path / "v.db"))
    vectors, ids = _unit(50), np.arange(100, 150)
    store.load(ids, vectors)
    assert store.count() == 50
    sent: list[int] = []
    real_upsert = store._upsert
    monkeypatch.setattr(store, "_upsert", lambda i, v, s: (sent.append(len(i)), real_upsert(i, v, s)))
    changed = vectors.copy()
    changed[7] = _unit(1, seed=9)[0]
    store.load(ids[:40], changed[:40])  # ten removed, one changed
    assert sent == [1] and store.count() == 40
    got, scores = store.search(changed[7], 3)
    assert got[0] == ids[7] and scores[0] == pytest.approx(1.0, abs=1e-5)
    allowed = np.asarray([101, 120, 130], dtype=np.int64)
    assert set(store.search(vectors[0], 5, allowed)[0].tolist()) == {101, 120, 130}
    store.remove(ids[:40])
    assert store.count() == 0
    store.close()


def test_checksums_tell_changed_vectors_apart() -> None:
    a = _unit(3)
    b = a.copy()
    b[1, 0] += 1e-6
    assert checksums(a)[0] == checksums(b)[0] and checksums(a)[1] != checksums(b)[1]
