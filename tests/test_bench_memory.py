"""Memory stays flat under volume: processing paper after paper must not grow RSS per paper."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.bench_build import MemoryTrace, trace_memory, traced_mb
from benchmarks.synth_papers import generate_paper

corpus = pytest.importorskip("corpus")


def test_growth_fit_is_the_slope_after_warmup() -> None:
    trace = MemoryTrace(samples=[(10, 500.0), (20, 100.0), (30, 101.0), (40, 102.0)], warmup=20)
    assert trace.growth_kb_per_item() == pytest.approx(0.1 * 1024)
    assert trace.growth_mb() == pytest.approx(2.0)
    assert MemoryTrace(samples=[(5, 1.0)], warmup=0).growth_kb_per_item() == 0.0


@pytest.fixture
def tracing() -> Iterator[None]:
    """Trace Python allocations for one test (RSS would hide a leak in already-free heap)."""
    tracemalloc.start()
    yield
    tracemalloc.stop()


def test_the_measurement_sees_a_leak(tracing: None) -> None:
    kept: list[bytes] = []
    # Each step keeps 100 KB alive: the trace must show it, whatever the heap held before.
    trace = trace_memory(
        lambda i: kept.append(bytes(100_000)), 60, sample_every=10, warmup=10, measure=traced_mb
    )
    assert 90 < trace.growth_kb_per_item() < 110
    flat = trace_memory(lambda i: bytes(100_000), 60, sample_every=10, warmup=10, measure=traced_mb)
    assert abs(flat.growth_kb_per_item()) < 5


@pytest.mark.slow
def test_ingesting_150_papers_keeps_memory_flat(tmp_path: Path, tracing: None) -> None:
    store_module = pytest.importorskip("corpus.store")
    store = store_module.CorpusStore(tmp_path / "corpus.sqlite")
    folder = tmp_path / "papers"
    folder.mkdir()

    def ingest_one(i: int) -> None:
        paper = generate_paper(i, seed=19)
        path = folder / paper.file_name
        path.write_text(paper.text, encoding="utf-8")
        store.ingest([path])

    trace = trace_memory(ingest_one, 150, sample_every=15, warmup=45, measure=traced_mb)
    # Keeping each stored Document alive would be ~100 KB per paper; caches must stay bounded.
    assert trace.growth_kb_per_item() < 10, trace.samples
    assert trace.growth_mb() < 2, trace.samples


@pytest.mark.slow
def test_writing_150_papers_into_the_graph_store_keeps_memory_flat(tmp_path: Path, tracing: None) -> None:
    """Per-paper IRIs must not pile up in caches, and the store's unflushed writes must not pile up in RSS."""
    from benchmarks.bench_build import light_extraction, rss_mb
    from councilkg.settings import Settings
    from kg.store import open_graph_store

    load_document = corpus.load_document
    folder = tmp_path / "papers"
    folder.mkdir()
    settings = Settings.load({"data_dir": str(tmp_path / "data")}, environ={})
    store = open_graph_store(settings)
    rss: list[tuple[int, float]] = []

    def write_one(i: int) -> None:
        paper = generate_paper(i, seed=37)
        path = folder / paper.file_name
        path.write_text(paper.text, encoding="utf-8")
        doc = load_document(path)
        store.replace_paper(doc, light_extraction(doc, settings))
        if (i + 1) % 15 == 0:
            rss.append((i + 1, rss_mb()))

    try:
        # Warm-up: the bounded IRI cache (kg.rdf.node) fills within about 100 papers, then stays.
        trace = trace_memory(write_one, 150, sample_every=15, warmup=100, measure=traced_mb)
    finally:
        store.close()
    # Python objects: an unbounded IRI cache was ~20-50 KB per paper, for ever.
    assert trace.growth_kb_per_item() < 5, trace.samples
    # Native memory: unflushed RocksDB writes were ~1,100 KB per paper; flushed, ~150.
    native = MemoryTrace(samples=rss, warmup=45)
    assert native.growth_kb_per_item() < 500, rss


def test_store_probe_reports_memory_while_writing_into_an_existing_store(tmp_path: Path) -> None:
    from benchmarks.bench_build import store_probe
    from benchmarks.synth_papers import write_corpus

    corpus_dir = tmp_path / "papers"
    write_corpus(corpus_dir, 3, seed=5, catalogue=False)
    first = store_probe(corpus_dir, tmp_path / "data", writes=3, every=2)
    assert [n for n, _ in first["rss_after_writes_mb"]] == [2, 3]
    assert first["store_mb_on_disk"] > 0
    again = store_probe(corpus_dir, tmp_path / "data", writes=3, every=2)  # rewrites the same papers
    assert again["store_mb_on_disk"] > 0 and all(mb > 0 for _, mb in again["rss_after_writes_mb"])
