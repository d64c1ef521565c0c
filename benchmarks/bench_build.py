"""Build-stage benchmark: loader throughput, memory flatness, parallel and incremental builds.

Measured on synthetic papers (:mod:`benchmarks.synth_papers`):

* loading: words/s of ``corpus.load_document`` beside the bare baseline of reading and
  splitting the same files, and RSS growth per paper over a long run (flat means no leak);
* when ``councilkg.pipeline.build`` exists: a full build with 1 and N workers, a rebuild
  after editing one paper (the target is at most 2% of the full build's time at 1,000
  papers), a rebuild with nothing changed, and a build interrupted with SIGINT half-way
  and then resumed (it must finish, redoing only what was not stored).

``python -m benchmarks.bench_build [--quick]`` prints the result as JSON; the suite runner
calls :func:`run`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from benchmarks.synth_papers import rewrite_paper, write_corpus

ROOT = Path(__file__).resolve().parent.parent


def rss_mb() -> float:
    """Current resident memory of this process in MB (from /proc; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class MemoryTrace:
    """RSS samples taken while processing items one by one, and the fitted growth per item."""

    samples: list[tuple[int, float]] = field(default_factory=list)
    warmup: int = 0

    def growth_kb_per_item(self) -> float:
        """Least-squares slope of RSS over items processed, after the warm-up, in KB per item."""
        points = [(n, mb) for n, mb in self.samples if n >= self.warmup]
        if len(points) < 2:
            return 0.0
        mean_n = sum(n for n, _ in points) / len(points)
        mean_mb = sum(mb for _, mb in points) / len(points)
        var = sum((n - mean_n) ** 2 for n, _ in points)
        if not var:
            return 0.0
        slope_mb = sum((n - mean_n) * (mb - mean_mb) for n, mb in points) / var
        return slope_mb * 1024

    def growth_mb(self) -> float:
        """RSS at the last sample minus RSS at the end of the warm-up, in MB."""
        after = [mb for n, mb in self.samples if n >= self.warmup]
        return after[-1] - after[0] if len(after) >= 2 else 0.0


def traced_mb() -> float:
    """Python heap memory currently traced by :mod:`tracemalloc`, in MB (start tracing first).

    Unlike RSS, this is not hidden by free memory the allocator already holds, so a test
    can see a leak of Python objects exactly; RSS also sees native (C) allocations.
    """
    return tracemalloc.get_traced_memory()[0] / 1024**2


def trace_memory(
    step: Callable[[int], Any],
    count: int,
    sample_every: int,
    warmup: int,
    measure: Callable[[], float] = rss_mb,
) -> MemoryTrace:
    """Call ``step(i)`` for ``i`` in ``range(count)``, sampling ``measure()`` (after a GC) every few items."""
    trace = MemoryTrace(warmup=warmup)
    for i in range(count):
        step(i)
        done = i + 1
        if done % sample_every == 0 or done == count:
            gc.collect()
            trace.samples.append((done, measure()))
    return trace


def bench_loading(folder: Path, paths: list[Path]) -> list[dict[str, Any]]:
    """Words/s of ``load_document`` against reading and splitting the same files, and RSS growth."""
    from corpus import load_document

    began = time.perf_counter()
    words = 0
    for path in paths:
        words += len(path.read_text(encoding="utf-8").split())
    bare_s = time.perf_counter() - began

    began = time.perf_counter()
    for path in paths:
        load_document(path)
    load_s = time.perf_counter() - began

    # Memory: load the corpus three times over so warm-up caches are full before measuring.
    rounds = 3
    trace = trace_memory(
        lambda i: load_document(paths[i % len(paths)]),
        len(paths) * rounds,
        sample_every=max(len(paths) // 10, 1),
        warmup=len(paths),
    )
    return [
        {
            "metric": "load_document words/s",
            "value": words / load_s,
            "unit": "words/s",
            "baseline": words / bare_s,
            "baseline_name": "read_text + split",
        },
        {
            "metric": "load_document RSS growth",
            "value": trace.growth_kb_per_item(),
            "unit": "KB/paper",
            "target": "~0 (flat)",
        },
    ]


# ----------------------------------------------------------------------------- stages for builds
# Until the lead wires ``councilkg.pipeline.STAGES``, builds here use these stand-ins built
# from the layers' documented entry points: extraction in the workers (prepare), the graph
# written by the parent (commit), then the search index updated in batches.


@lru_cache(maxsize=2)
def _extractor(spacy_model: str) -> Any:
    from councilkg.settings import Settings
    from nlp.extractor import Extractor

    return Extractor(Settings.load({"spacy_model": spacy_model}))


@lru_cache(maxsize=2)
def _graph_store(data_dir: str) -> Any:
    from councilkg.settings import Settings
    from kg.store import open_graph_store

    return open_graph_store(Settings.load({"data_dir": data_dir}))


@lru_cache(maxsize=2)
def _search_index(data_dir: str) -> Any:
    from councilkg.settings import Settings
    from search.index import SearchIndex

    return SearchIndex(Settings.load({"data_dir": data_dir}))


_GRAPH_REBUILT: set[str] = set()
"""Papers whose graph this process rebuilt: their passages are refreshed too."""


def graph_is_stale(doc_id: str, content_hash: str, settings: Any) -> bool:
    """The paper's graph is missing or was built from other bytes."""
    return _graph_store(str(settings.data_path)).paper_hash(doc_id) != content_hash


def extract_paper(doc: Any, settings: Any) -> Any:
    """Worker side: extract one paper (the spaCy pipeline loads once per process)."""
    return _extractor(settings.spacy_model).extract(doc)


def commit_graph(doc: Any, extraction: Any, settings: Any) -> None:
    """Parent side: replace the paper's graph."""
    _graph_store(str(settings.data_path)).replace_paper(doc, extraction)
    _GRAPH_REBUILT.add(doc.doc_id)


@lru_cache(maxsize=2)
def _indexed_ids(data_dir: str) -> frozenset[str]:
    return frozenset(_search_index(data_dir).paper_ids())


def passages_are_stale(doc_id: str, content_hash: str, settings: Any) -> bool:
    """The paper is not indexed yet, or its graph was just rebuilt (so its text changed)."""
    return doc_id in _GRAPH_REBUILT or doc_id not in _indexed_ids(str(settings.data_path))


def index_passages(documents: list[Any], settings: Any) -> dict[str, str]:
    """Parent side: (re)index a batch of papers' passages and embed the new ones."""
    _search_index(str(settings.data_path)).update(documents)
    return {}


def build_stages() -> tuple[list[Any], str]:
    """The pipeline's wired stages, or the stand-ins above; and which ones were used."""
    from councilkg import pipeline

    if pipeline.STAGES:
        return list(pipeline.STAGES), "councilkg.pipeline.STAGES"
    stages = [
        pipeline.Stage("extract+graph", graph_is_stale, prepare=extract_paper, commit=commit_graph),
        pipeline.Stage("search", passages_are_stale, index_passages),
    ]
    return stages, "benchmark stand-in stages (extract in workers, graph, search index)"


def build_once(corpus: Path, data_dir: Path, workers: int) -> dict[str, Any]:
    """One build in this process, as ``councilkg build --workers N`` would run it."""
    from councilkg.pipeline import build
    from councilkg.settings import Settings

    settings = Settings.load({"data_dir": str(data_dir), "workers": workers})
    stages, which = build_stages()
    began = time.perf_counter()
    report = build([corpus], settings, stages=stages)
    for opened in (_graph_store, _search_index):
        if opened.cache_info().currsize:
            opened(str(settings.data_path)).close()
    return {
        "seconds": time.perf_counter() - began,
        "stages": {name: len(ids) for name, ids in report.stages.items()},
        "failed": len(report.failed),
        "stages_used": which,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _build_process(corpus: Path, data_dir: Path, workers: int) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_build",
        "build-once",
        str(corpus),
        str(data_dir),
        "--workers",
        str(workers),
    ]
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def timed_build(corpus: Path, data_dir: Path, workers: int) -> dict[str, Any]:
    """One build in a fresh process (model loading included, as a user sees it); its figures."""
    began = time.perf_counter()
    process = _build_process(corpus, data_dir, workers)
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"build failed: {stderr.strip()[-400:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - began
    return result


def interrupted_build(corpus: Path, data_dir: Path, workers: int, after_s: float) -> int | None:
    """Start a build, send it SIGINT (Ctrl-C) after ``after_s`` seconds; return its exit status."""
    process = _build_process(corpus, data_dir, workers)
    try:
        process.wait(timeout=after_s)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=300)
    return process.returncode


def bench_builds(folder: Path, count: int, workers: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Full, parallel, no-change, one-paper and resumed builds, each in a fresh process."""
    corpus = folder / "papers"
    rows: list[dict[str, Any]] = []
    full = timed_build(corpus, folder / "data-1", 1)
    full_s = full["wall_s"]
    notes = [f"builds use {full['stages_used']}; full build processed {full['stages']}"]
    rows.append({"metric": f"full build, {count} papers, 1 worker", "value": full_s, "unit": "s"})
    rows.append({"metric": "full build peak RSS, 1 worker", "value": full["peak_rss_mb"], "unit": "MB"})
    if workers > 1:
        parallel = timed_build(corpus, folder / f"data-{workers}", workers)
        rows.append(
            {
                "metric": f"full build, {count} papers, {workers} workers",
                "value": parallel["wall_s"],
                "unit": "s",
                "baseline": full_s,
                "baseline_name": "1 worker",
                "target": f"< 1 (machine has {os.cpu_count()} cpus)",
            }
        )
    unchanged = timed_build(corpus, folder / "data-1", 1)
    rows.append(
        {
            "metric": "rebuild, nothing changed",
            "value": unchanged["wall_s"],
            "unit": "s",
            "baseline": full_s,
            "baseline_name": "full build",
            "target": "small",
        }
    )
    rewrite_paper(corpus, count // 2, seed=0, revision=1)
    one = timed_build(corpus, folder / "data-1", 1)
    rows.append(
        {
            "metric": f"rebuild after editing 1 of {count} papers",
            "value": one["wall_s"],
            "unit": "s",
            "baseline": full_s,
            "baseline_name": "full build",
            "target": "<= 0.02 at 1,000 papers",
        }
    )
    notes.append(f"one-paper rebuild processed {one['stages']}")
    status = interrupted_build(corpus, folder / "data-resume", workers, after_s=full_s / 2)
    resumed = timed_build(corpus, folder / "data-resume", workers)
    rows.append(
        {
            "metric": f"resume after Ctrl-C half-way, {workers} worker(s)",
            "value": resumed["wall_s"],
            "unit": "s",
            "baseline": full_s,
            "baseline_name": "full build, 1 worker",
            "target": "finishes; redoes only the rest",
        }
    )
    notes.append(
        f"interrupted build exited with status {status}; the resumed build processed {resumed['stages']}"
    )
    return rows, notes


def run(quick: bool) -> dict[str, Any]:
    """Benchmark stage entry point (see the module docstring)."""
    count = 24 if quick else 1000
    workers = min(4, os.cpu_count() or 1)
    rows: list[dict[str, Any]] = []
    notes = [f"{count} synthetic papers (seed 0); machine has {os.cpu_count()} cpus"]
    with tempfile.TemporaryDirectory(prefix="councilkg-bench-build-") as tmp:
        folder = Path(tmp)
        paths = write_corpus(folder / "papers", count, seed=0)
        rows += bench_loading(folder, paths)
        build_rows, build_notes = bench_builds(folder, count, workers)
        rows += build_rows
        notes += build_notes
    return {"metrics": rows, "notes": notes}


def main(argv: list[str] | None = None) -> None:
    """``[--quick]``: run the stage; ``build-once CORPUS DATA_DIR --workers N``: one timed build."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_build")
    parser.add_argument("--quick", action="store_true")
    sub = parser.add_subparsers(dest="command")
    once = sub.add_parser("build-once", help="one build in this process; prints its figures as JSON")
    once.add_argument("corpus", type=Path)
    once.add_argument("data_dir", type=Path)
    once.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "build-once":
        print(json.dumps(build_once(args.corpus, args.data_dir, args.workers)))
        return
    print(json.dumps(run(args.quick), indent=2, default=str))


if __name__ == "__main__":
    main()
