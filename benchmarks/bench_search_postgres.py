"""Hybrid search on PostgreSQL beside SQLite, at 100,000 passages, in the same run.

The same synthetic papers (``benchmarks/synth_papers.py``, cut into real passages) are indexed
into an SQLite index and into a PostgreSQL one (a throwaway server started here, or
``BENCH_DATABASE=postgresql://...``); passage vectors are synthetic but the same on both (drawn
from a hash of each passage's text), queries are encoded by the real model. Both answer the
same queries, interleaved, and the benchmark reports p50/p95 of the whole ``search()`` on each,
and how many queries got the same ten results on both.

The dense side is exact (``ann_threshold`` above the index size) on both, so the two indexes'
answers are comparable: an hnswlib graph built twice need not be the same graph. ``BENCH_ANN=1``
keeps the default (the hnswlib graph above 50,000 passages, built once per index folder).

``python -m benchmarks.bench_search_postgres [PASSAGES] [ROUNDS]`` (default 100000 5). With
``BENCH_WORK=DIR`` and ``BENCH_DATABASE=URL`` the indexes are kept (in DIR and in that
database) and a second run with the same two only times the queries.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_search import DIM, QUERIES, percentile, synthetic_documents

ROOT = Path(__file__).resolve().parent.parent


class HashedPassageEncoder:
    """The real encoder for queries; for passages (while ``bulk``) a unit vector drawn from a
    hash of the text around one of 1,000 topics, so both indexes get the same vectors."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.model_name = real.model_name  # type: ignore[attr-defined]
        self.bulk = True
        rng = np.random.default_rng(12345)
        self.centres = rng.normal(size=(1000, DIM)).astype(np.float32)
        self.centres /= np.linalg.norm(self.centres, axis=1, keepdims=True)

    @property
    def dimension(self) -> int:
        return DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        if not self.bulk:
            return self.real.encode(texts)  # type: ignore[attr-defined]
        out = np.empty((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
            rng = np.random.default_rng(seed)
            out[i] = self.centres[seed % 1000] + rng.normal(scale=1.0 / np.sqrt(DIM), size=DIM)
            out[i] /= np.linalg.norm(out[i])
        return out


def _server() -> tuple[str, object | None]:
    """A database URL: ``BENCH_DATABASE``, or a database on a server started for this run."""
    url = os.environ.get("BENCH_DATABASE", "")
    if url:
        return url, None
    sys.path.insert(0, str(ROOT / "tests"))  # the test suite's throwaway-server helper
    from pg_server import PostgresServer, postgres_bin

    bin_dir = postgres_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), and no BENCH_DATABASE")
    server = PostgresServer(bin_dir)
    server.start()
    return server.create_database(), server


def run(passages: int = 100_000, rounds: int = 5) -> dict:
    """Build both indexes, time the same queries on each, compare their answers."""
    from councilkg.settings import Settings
    from search.encoder import Encoder
    from search.index import SearchIndex

    kept = os.environ.get("BENCH_WORK", "")
    work = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="bench-pg-"))
    url, server = _server()
    load_before = os.getloadavg()
    try:
        real = Encoder(Settings.load().embedding_model)
        real.encode(["warm up the model"])
        encoder = HashedPassageEncoder(real)
        # exact dense search unless BENCH_ANN=1 (then the default: hnswlib above 50,000)
        common = {} if os.environ.get("BENCH_ANN") == "1" else {"ann_threshold": 10**9}
        lite = SearchIndex(Settings.load({"data_dir": str(work / "lite"), **common}), encoder=encoder)  # type: ignore[arg-type]
        pg = SearchIndex(
            Settings.load({"data_dir": str(work / "pg"), "database": url, **common}),
            encoder=encoder,  # type: ignore[arg-type]
        )
        spent = work / "build_s.json"  # build seconds so far (a kept run resumes)
        build = json.loads(spent.read_text()) if spent.exists() else {"sqlite": 0.0, "postgres": 0.0}
        folder = work / "papers"
        folder.mkdir(exist_ok=True)
        start = int((work / "papers.txt").read_text()) if (work / "papers.txt").exists() else 0
        while len(lite) < passages:
            docs = synthetic_documents(200, folder, start)
            start += 200
            for name, index in (("sqlite", lite), ("postgres", pg)):
                began = time.perf_counter()
                index.update(docs)
                build[name] += time.perf_counter() - began
            for doc in docs:
                (folder / doc.file_name).unlink()
            (work / "papers.txt").write_text(str(start))
            spent.write_text(json.dumps(build))
        held = len(lite), len(pg)
        encoder.bulk = False
        opened = {}
        for name, index in (("sqlite", lite), ("postgres", pg)):
            index.close()
            began = time.perf_counter()
            index.search(QUERIES[0], k=10)  # loads metadata, vectors, postings
            opened[name] = time.perf_counter() - began
        times: dict[str, list[float]] = {"sqlite": [], "postgres": []}
        same = 0
        for r in range(rounds):
            for query in QUERIES:
                answers = []
                for name, index in (("sqlite", lite), ("postgres", pg)):
                    began = time.perf_counter()
                    found = index.search(query, k=10)
                    times[name].append(time.perf_counter() - began)
                    answers.append([(x.doc_id, x.start, round(x.score, 9)) for x in found])
                if r == 0:
                    same += answers[0] == answers[1]
        lite.close()
        pg.close()
    finally:
        load_after = os.getloadavg()
        if server is not None:
            server.stop()  # type: ignore[attr-defined]
        if not kept:
            shutil.rmtree(work, ignore_errors=True)
    return {
        "passages": {"sqlite": held[0], "postgres": held[1]},
        "papers": start,
        "build_s": {k: round(v, 1) for k, v in build.items()},
        "first_query_after_open_s": {k: round(v, 2) for k, v in opened.items()},
        "p50_ms": {k: round(percentile(v, 50) * 1e3, 1) for k, v in times.items()},
        "p95_ms": {k: round(percentile(v, 95) * 1e3, 1) for k, v in times.items()},
        "queries_timed": len(times["sqlite"]),
        "same_top10": f"{same}/{len(QUERIES)}",
        "dense": "hnswlib (default)" if common == {} else "exact",
        "target": "postgres p95 <= 150 ms",
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in load_after],
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(run(*args), indent=2))
