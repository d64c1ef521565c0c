"""Graph load and competency-query latency on Virtuoso beside the embedded store, in one run.

Both stores get the very same papers through ``GraphStore.replace_paper`` (one atomic write
per paper) and answer the same ``kg/queries`` through ``GraphStore.query`` (councilkg's safety
checks, the time limit, the result cap, JSON serialisation): the embedded store in its worker
process, Virtuoso (started here on loopback by ``kg.virtuoso``) over HTTP.

- ``--set samples``: the real sample corpus (``corpus/data/samples``), extracted once with spaCy;
- ``--set synthetic --papers N``: ``benchmarks.bench_graph.synthetic_paper`` papers.

``python -m benchmarks.bench_virtuoso [--set samples|synthetic] [--papers N] [--repeats R]``
prints a Markdown table for BENCHMARKS.md (``### Virtuoso`` under ``## Graph``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.bench_graph import percentile, synthetic_paper

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "data" / "samples"


def sample_papers(work: Path) -> list:
    """(Document, Extraction) of every sample paper: ingested with the catalogue, extracted once."""
    from corpus.store import CorpusStore
    from councilkg.pipeline import build
    from councilkg.settings import Settings
    from nlp.extractor import Extractor

    settings = Settings.load({"data_dir": str(work / "corpus")}, environ={})
    build([SAMPLES], settings, catalogue=SAMPLES / "catalogue.csv", stages=[])
    extractor = Extractor(settings)
    with CorpusStore.open(settings) as corpus:
        docs = [corpus.get(r.id) for r in corpus.list()]
    return [(doc, extractor.extract(doc)) for doc in docs]


def measure(store, papers: list, repeats: int) -> dict:
    """Load ``papers`` into ``store`` and time every competency query; seconds."""
    from kg.competency import competency_queries

    began = time.perf_counter()
    for doc, extraction in papers:
        store.replace_paper(doc, extraction)
    load_s = time.perf_counter() - began
    out = {"load_s": load_s, "quads": store.count_quads(), "queries": {}, "rows": {}}
    for query in competency_queries():
        body, _ = store.query(query.sparql, "json")  # warm-up, and the answer's size
        out["rows"][query.name] = len(json.loads(body)["results"]["bindings"])
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            store.query(query.sparql, "json")
            times.append(time.perf_counter() - t)
        out["queries"][query.name] = (percentile(times, 50), percentile(times, 95))
    return out


def run(which: str, papers_n: int, repeats: int) -> tuple[dict, dict, int]:
    """Measure embedded and Virtuoso on the same papers; (embedded, virtuoso, papers)."""
    from councilkg.settings import Settings
    from kg.store import open_graph_store
    from kg.virtuoso import running_virtuoso

    work = Path(tempfile.mkdtemp(prefix="bench-virtuoso-"))
    try:
        papers = sample_papers(work) if which == "samples" else [synthetic_paper(i) for i in range(papers_n)]
        options = {"query_max_results": "10000000", "query_timeout_s": "300"}
        with open_graph_store(Settings.load({"data_dir": str(work / "emb"), **options}, environ={})) as emb:
            embedded = measure(emb, papers, repeats)
        with running_virtuoso(work / "virtuoso") as server, open_graph_store(Settings.load(
                {"data_dir": str(work / "v"), "graph_store": server.url, **options}, environ={})) as remote:
            virtuoso = measure(remote, papers, repeats)
        return embedded, virtuoso, len(papers)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render(embedded: dict, virtuoso: dict, papers: int, which: str, repeats: int) -> str:
    """A Markdown table: Virtuoso beside embedded, ratio = Virtuoso / embedded."""
    lines = [
        f"{which}: {papers} papers, {embedded['quads']:,} quads embedded / {virtuoso['quads']:,} on "
        f"Virtuoso; "
        f"p50/p95 over {repeats} runs after a warm-up",
        "",
        "| metric | Virtuoso | embedded (same run) | ratio |",
        "|---|---|---|---|",
        f"| load (replace_paper per paper) | {virtuoso['load_s']:.2f} s | {embedded['load_s']:.2f} s | "
        f"{virtuoso['load_s'] / embedded['load_s']:.2f} |",
    ]
    for name, (p50, p95) in embedded["queries"].items():
        v50, v95 = virtuoso["queries"][name]
        rows = "" if virtuoso["rows"][name] == embedded["rows"][name] else " (**rows differ**)"
        lines.append(f"| {name} p50 / p95 ({embedded['rows'][name]} rows){rows} | {v50 * 1000:,.0f} / "
                     f"{v95 * 1000:,.0f} ms | {p50 * 1000:,.0f} / {p95 * 1000:,.0f} ms | "
                     f"{v50 / p50:.2f} / {v95 / p95:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Command line: print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_virtuoso")
    parser.add_argument("--set", dest="which", choices=["samples", "synthetic"], default="samples")
    parser.add_argument("--papers", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    embedded, virtuoso, papers = run(args.which, args.papers, args.repeats)
    print(render(embedded, virtuoso, papers, args.which, args.repeats))


if __name__ == "__main__":
    main()
