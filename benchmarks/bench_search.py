"""Search benchmark: indexing throughput, query latency and memory, and ANN at a million vectors.

Three measurements, each beside its bare-library baseline taken in the same run:

1. **Indexing throughput** (real encoding): ``SearchIndex.update`` on synthetic papers
   (``benchmarks/synth_papers.py``) — cutting passages, SQLite/FTS5, embedding — against bare
   ``SentenceTransformer.encode`` of the same passages' texts.
2. **Query latency and index memory at 100,000 passages**: real passages cut from synthetic
   papers, with *synthetic* passage vectors (clustered unit vectors; encoding 100k passages on
   two shared cores takes hours) and the real encoder for the queries. Latency is the whole
   hybrid ``search()`` (query encoding, FTS5, vectors, fusion, snippets); the baseline is bare
   ``encode`` of the query plus a numpy matrix product and top-k over the same vectors.
3. **ANN at 1,000,000 synthetic vectors** (``search.ann`` through ``ExactVectors`` above its
   threshold): recall@10 against exact search, p50/p95 latency, resident memory of the index;
   and hnswlib against faiss's HNSW on a smaller set, the measurement behind the choice.

``python -m benchmarks --stages search [--quick] --no-write``.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

DIM = 384

QUERIES = (
    "how many care homes are there in the city",
    "joint budget for children's mental health between council and CCG",
    "clean syringes for people who inject drugs",
    "gritting icy roads in winter",
    "funding from the better care fund for home care",
    "savings from reviewing residential placements",
    "support for unpaid carers",
    "partnership board membership and governance",
    "when does the contract end",
    "mental health accommodation pathway",
    "extra care housing for older people",
    "public health grant allocation 2019/20",
    "reducing hospital admissions for frail older people",
    "learning disability employment",
    "domestic abuse refuges",
    "school transport eligibility",
    "sexual health services procurement",
    "integrated commissioning across health and social care",
    "how much money is in the pooled budget",
    "who chairs the health and wellbeing board",
)


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def clustered_vectors(n: int, seed: int, clusters: int = 1000, dim: int = DIM) -> np.ndarray:
    """Unit vectors drawn around ``clusters`` random topics (cosine ≈ 0.5 inside a topic).

    Real sentence embeddings cluster by topic; uniform random vectors would make ANN search
    both unrealistically hard (no structure) and its recall meaningless. Generated in chunks
    so a million vectors never need more than their own 1.5 GB.
    """
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(12345).normal(size=(clusters, dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        noise = rng.normal(scale=1.0 / np.sqrt(dim), size=(stop - start, dim)).astype(np.float32)
        out[start:stop] = centres[rng.integers(0, clusters, stop - start)] + noise
        out[start:stop] /= np.linalg.norm(out[start:stop], axis=1, keepdims=True)
    return out


def exact_top(matrix: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k row indices for each query (chunked matrix products)."""
    out = np.empty((queries.shape[0], k), dtype=np.int64)
    for i in range(0, queries.shape[0], 50):
        scores = queries[i : i + 50] @ matrix.T
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        rows = np.take_along_axis(scores, part, axis=1)
        out[i : i + 50] = np.take_along_axis(part, np.argsort(-rows, axis=1), axis=1)
    return out


def synthetic_documents(count: int, folder: Path, start: int = 0) -> list:
    """``count`` synthetic papers written to ``folder`` and loaded as corpus Documents."""
    from benchmarks.synth_papers import generate_paper
    from corpus import load_document
    from corpus.metadata import CatalogueRow
    from councilkg.settings import Settings

    settings = Settings.load()
    docs = []
    for i in range(start, start + count):
        paper = generate_paper(i)
        path = folder / paper.file_name
        path.write_text(paper.text, encoding="utf-8")
        docs.append(load_document(path, CatalogueRow(**paper.catalogue), settings))
    return docs


def _settings(folder: Path, **extra: object):
    from councilkg.settings import Settings

    return Settings.load({"data_dir": str(folder), **extra})


def indexing_throughput(work: Path, papers: int) -> list[dict]:
    """Passages/s of ``SearchIndex.update`` vs bare ``SentenceTransformer.encode``, real model."""
    from search.encoder import Encoder
    from search.index import SearchIndex
    from search.passages import build_passages

    folder = work / "papers"
    folder.mkdir()
    docs = synthetic_documents(papers, folder)
    texts = [p.embedding_text for d in docs for p in build_passages(d)]
    encoder = Encoder(_settings(work).embedding_model)
    model = encoder.model
    model.encode(texts[:64])  # warm-up: first calls allocate
    bare_times, ours_times, embedded = [], [], 0
    for attempt in range(2):  # alternate to spread the drift of a shared machine over both
        began = time.perf_counter()
        model.encode(texts)
        bare_times.append(time.perf_counter() - began)
        index = SearchIndex(_settings(work / f"index{attempt}"), encoder=Encoder(encoder.model_name))
        began = time.perf_counter()
        report = index.update(docs)
        ours_times.append(time.perf_counter() - began)
        embedded = report.passages_embedded
        index.close()
    bare = len(texts) / min(bare_times)
    ours = len(texts) / min(ours_times)
    return [
        {
            "metric": f"indexing throughput ({len(texts)} passages, real encoding)",
            "value": round(ours, 1),
            "unit": "passages/s",
            "baseline": round(bare, 1),
            "baseline_name": "bare SentenceTransformer.encode",
            "ratio": round(ours / bare, 3),
            "target": ">= 0.8",
            "note": f"{embedded} distinct passage texts embedded (identical texts share one vector)",
        }
    ]


class _SyntheticPassageEncoder:
    """The real encoder for queries; clustered synthetic vectors for passages while ``bulk``."""

    def __init__(self, real) -> None:
        self.real = real
        self.model_name = real.model_name
        self.texts_encoded = 0
        self.bulk = True
        self._drawn = 0

    @property
    def dimension(self) -> int:
        return DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        if not self.bulk:
            return self.real.encode(texts)
        vectors = clustered_vectors(len(texts), seed=1000 + self._drawn)
        self._drawn += 1
        return vectors


_MEMORY_PROBE = """
import json, os, sys
from benchmarks.bench_search import rss_mb
from councilkg.settings import Settings
from search.encoder import Encoder
from search.index import SearchIndex
settings = Settings.load({"data_dir": sys.argv[1]})
encoder = Encoder(settings.embedding_model)
encoder.encode(["load the model first: it is not part of the index"])
before = rss_mb()
index = SearchIndex(settings, encoder=encoder)
index.search("how many care homes are there in the city", k=10)
print(json.dumps(rss_mb() - before))
"""


def index_memory_mb(data_dir: Path) -> float:
    """Resident memory an opened, searched index adds to a fresh process whose model is loaded."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def latency_and_memory(work: Path, passages: int, repeats: int) -> tuple[list[dict], list[str]]:
    """Hybrid query latency and index memory at ``passages`` passages (synthetic vectors)."""
    from search.encoder import Encoder
    from search.index import SearchIndex
    from search.models import SearchFilters
    from search.passages import build_passages

    folder = work / "papers100k"
    folder.mkdir()
    real = Encoder(_settings(work).embedding_model)
    real.encode(["warm up the model"])
    encoder = _SyntheticPassageEncoder(real)
    settings = _settings(work / "index100k")
    index = SearchIndex(settings, encoder=encoder)  # type: ignore[arg-type]
    began = time.perf_counter()
    batch, start = 200, 0
    while len(index) < passages:
        docs = synthetic_documents(batch, folder, start)
        start += batch
        index.update(docs)
        for doc in docs:
            (folder / doc.file_name).unlink()
    build_s = time.perf_counter() - began
    held = len(index)
    encoder.bulk = False
    index.close()
    gc.collect()

    memory = index_memory_mb(settings.data_path)
    index = SearchIndex(settings, encoder=encoder)  # type: ignore[arg-type]
    index.search(QUERIES[0], k=10)  # loads passages' metadata, vectors and expansions
    disk = sum(f.stat().st_size for f in (settings.data_path / "search").glob("*")) / 2**20

    times: list[float] = []
    for _ in range(repeats):
        for query in QUERIES:
            began = time.perf_counter()
            index.search(query, k=10)
            times.append(time.perf_counter() - began)
    filtered: list[float] = []
    for query in QUERIES:
        began = time.perf_counter()
        index.search(query, k=10, filters=SearchFilters(from_year=2015, to_year=2018))
        filtered.append(time.perf_counter() - began)

    ids, matrix = index._vectors_for(None)
    model = real.model
    bare: list[float] = []
    for _ in range(repeats):
        for query in QUERIES:
            began = time.perf_counter()
            qvec = model.encode([query], normalize_embeddings=True)[0]
            scores = matrix @ qvec
            best = np.argpartition(-scores, 10)[:10]
            _ = ids[best[np.argsort(-scores[best])]]
            bare.append(time.perf_counter() - began)
    index.close()
    p50, p95 = percentile(times, 50) * 1e3, percentile(times, 95) * 1e3
    b50, b95 = percentile(bare, 50) * 1e3, percentile(bare, 95) * 1e3
    metrics = [
        {
            "metric": f"hybrid query latency p50 ({held:,} passages)",
            "value": round(p50, 1),
            "unit": "ms",
            "baseline": round(b50, 1),
            "baseline_name": "bare encode + numpy top-k",
            "target": "<= 30 ms",
        },
        {
            "metric": f"hybrid query latency p95 ({held:,} passages)",
            "value": round(p95, 1),
            "unit": "ms",
            "baseline": round(b95, 1),
            "baseline_name": "bare encode + numpy top-k",
            "target": "<= 100 ms",
        },
        {
            "metric": "filtered query latency p95 (years 2015-2018)",
            "value": round(percentile(filtered, 95) * 1e3, 1),
            "unit": "ms",
        },
        {
            "metric": f"index memory in process ({held:,} passages, model excluded)",
            "value": round(memory, 1),
            "unit": "MB",
            "target": "<= 1024 MB",
        },
        {"metric": "index size on disk", "value": round(disk, 1), "unit": "MB"},
    ]
    notes = [
        f"{held:,} real passages cut from {start:,} synthetic papers in {build_s:.0f} s; their vectors "
        "are synthetic (clustered unit vectors), queries are encoded by the real model",
        f"{len(times)} timed hybrid queries ({len(QUERIES)} distinct, {repeats} rounds) after one warm-up",
    ]
    _ = build_passages  # cutting is exercised through update()
    return metrics, notes


def ann_at_scale(count: int, queries: int = 200) -> tuple[list[dict], list[str]]:
    """Recall@10, latency and memory of the embedded index in ANN mode at ``count`` vectors."""
    from search.vectors import ExactVectors

    vectors = clustered_vectors(count, seed=7)
    query_vectors = clustered_vectors(queries, seed=8)
    ids = np.arange(1, count + 1, dtype=np.int64)
    truth = ids[exact_top(vectors, query_vectors, 10)]
    exact_times = []
    for q in query_vectors[:50]:
        began = time.perf_counter()
        scores = vectors @ q
        np.argpartition(-scores, 10)[:10]
        exact_times.append(time.perf_counter() - began)

    work = Path(tempfile.mkdtemp(prefix="bench-ann-"))
    try:
        gc.collect()
        before = rss_mb()
        began = time.perf_counter()
        backend = ExactVectors(ann_threshold=1, ann_path=work / "vectors.hnsw")
        backend.load(ids, vectors)
        build_s = time.perf_counter() - began
        gc.collect()
        memory = rss_mb() - before
        assert backend.uses_ann
        times, recall = [], 0.0
        for q, expected in zip(query_vectors, truth, strict=True):
            began = time.perf_counter()
            got, _ = backend.search(q, 10)
            times.append(time.perf_counter() - began)
            recall += len(set(got.tolist()) & set(expected.tolist())) / 10
        recall /= queries
        began = time.perf_counter()
        reopened = ExactVectors(ann_threshold=1, ann_path=work / "vectors.hnsw")
        reopened.load(ids, vectors)
        reopen_s = time.perf_counter() - began
        del reopened, backend
    finally:
        shutil.rmtree(work, ignore_errors=True)
    p50, p95 = percentile(times, 50) * 1e3, percentile(times, 95) * 1e3
    e95 = percentile(exact_times, 95) * 1e3
    metrics = [
        {
            "metric": f"ANN recall@10 vs exact ({count:,} vectors)",
            "value": round(recall, 4),
            "target": ">= 0.95",
        },
        {
            "metric": f"ANN query latency p50 ({count:,} vectors)",
            "value": round(p50, 2),
            "unit": "ms",
            "baseline": round(percentile(exact_times, 50) * 1e3, 1),
            "baseline_name": "exact numpy top-k",
        },
        {
            "metric": f"ANN query latency p95 ({count:,} vectors)",
            "value": round(p95, 2),
            "unit": "ms",
            "baseline": round(e95, 1),
            "baseline_name": "exact numpy top-k",
            "target": "<= 100 ms",
        },
        {
            "metric": f"ANN index memory ({count:,} vectors)",
            "value": round(memory, 1),
            "unit": "MB",
            "baseline": round(vectors.nbytes / 2**20, 1),
            "baseline_name": "the float32 vectors alone",
            "target": "<= 2048 MB",
        },
        {"metric": f"ANN build ({count:,} vectors)", "value": round(build_s, 1), "unit": "s"},
        {"metric": "ANN reopen from disk (fingerprint checked)", "value": round(reopen_s, 1), "unit": "s"},
    ]
    notes = [f"ANN: {count:,} synthetic clustered 384-d unit vectors, {queries} queries drawn the same way"]
    return metrics, notes


def compare_ann_libraries(count: int, queries: int = 200) -> tuple[list[dict], list[str]]:
    """hnswlib against faiss IndexHNSWFlat at the same degree and search depth."""
    import faiss
    import hnswlib

    from search.ann import EF_CONSTRUCTION, EF_SEARCH, M

    vectors = clustered_vectors(count, seed=17)
    query_vectors = clustered_vectors(queries, seed=18)
    truth = exact_top(vectors, query_vectors, 10)
    threads = os.cpu_count() or 1
    results = {}

    h = hnswlib.Index(space="ip", dim=DIM)
    h.init_index(max_elements=count, ef_construction=EF_CONSTRUCTION, M=M)
    h.set_num_threads(threads)
    began = time.perf_counter()
    h.add_items(vectors, np.arange(count))
    h_build = time.perf_counter() - began
    h.set_ef(EF_SEARCH)

    def h_search(q: np.ndarray) -> np.ndarray:
        return h.knn_query(q.reshape(1, -1), k=10)[0][0]

    faiss.omp_set_num_threads(threads)
    f = faiss.IndexHNSWFlat(DIM, M, faiss.METRIC_INNER_PRODUCT)
    f.hnsw.efConstruction = EF_CONSTRUCTION
    began = time.perf_counter()
    f.add(vectors)
    f_build = time.perf_counter() - began
    f.hnsw.efSearch = EF_SEARCH

    def f_search(q: np.ndarray) -> np.ndarray:
        return f.search(q.reshape(1, -1), 10)[1][0]

    for name, fn, build in (("hnswlib", h_search, h_build), ("faiss HNSWFlat", f_search, f_build)):
        times, recall = [], 0.0
        for q, expected in zip(query_vectors, truth, strict=True):
            began = time.perf_counter()
            got = fn(q)
            times.append(time.perf_counter() - began)
            recall += len(set(got.tolist()) & set(expected.tolist())) / 10
        results[name] = (recall / queries, percentile(times, 95) * 1e3, build)
    metrics = [
        {
            "metric": f"{name} at {count:,}: recall@10 / p95 ms / build s",
            "value": f"{r:.3f} / {p:.2f} / {b:.0f}",
        }
        for name, (r, p, b) in results.items()
    ]
    return metrics, [f"library comparison: M={M}, efConstruction={EF_CONSTRUCTION}, efSearch={EF_SEARCH}"]


def _progress(metrics: list[dict]) -> None:
    """Print figures to stderr as soon as they are measured (a long run killed early keeps them)."""
    import json
    import sys

    for metric in metrics:
        print("[bench-search] " + json.dumps(metric), file=sys.stderr, flush=True)


def run(quick: bool) -> dict:
    """Benchmark stage ``search`` (see the module docstring)."""
    papers = 15 if quick else 80
    passages = 5_000 if quick else 100_000
    repeats = 2 if quick else 5
    # BENCH_SEARCH_ANN_COUNT=0 leaves the (long) million-vector ANN run to its own process:
    # ``python -c "from benchmarks.bench_search import ann_at_scale; print(ann_at_scale(1_000_000))"``.
    ann_count = int(os.environ.get("BENCH_SEARCH_ANN_COUNT", 50_000 if quick else 1_000_000))
    compare_count = 20_000 if quick else 50_000
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    metrics: list[dict] = []
    notes: list[str] = []
    try:
        m = indexing_throughput(work, papers)
        _progress(m)
        metrics += m
        m, n = latency_and_memory(work, passages, repeats)
        _progress(m)
        metrics += m
        notes += n
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for measure, size in ((compare_ann_libraries, compare_count), (ann_at_scale, ann_count)):
        if not size:
            continue
        gc.collect()
        m, n = measure(size)
        _progress(m)
        metrics += m
        notes += n
    notes.append(f"machine: {os.cpu_count()} cores shared with other agents' work; ratios are what count")
    return {"metrics": metrics, "notes": notes}


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick=True), indent=2))
