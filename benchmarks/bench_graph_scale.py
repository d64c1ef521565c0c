"""Competency questions at scale (issue #14 item 4): all 10 queries at 1,000-10,000 synthetic papers.

Measured in one run, on the same data:

- ours: each competency query as it is now (``kg/queries``, reading the answer rows of
  ``kg/summary.py`` where it needs them) through ``kg.query.run_query`` (safety checks, killable worker
  process, SPARQL JSON), on the embedded store and on ``oxigraph serve-read-only`` through
  :class:`~kg.store.RemoteGraphStore`;
- bare: pyoxigraph in-process running the queries as they were before the answer rows (kept in
  ``benchmarks/data/competency_before``) on a read-only view of the same store, results iterated;
- the one-paper rebuild: ``replace_paper`` of one changed paper beside the full graph load of every
  paper with ``replace_paper`` (what ``councilkg build`` does), on a second store.

The papers are ``bench_graph.synthetic_paper`` extractions (the graph layer alone is measured, not
spaCy); the query store is loaded with ``Store.bulk_load`` of our quads (answer rows included) for
speed, as the bare baseline loads. ``nice -n 10 python -m benchmarks.bench_graph_scale --papers 1000``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.bench_graph import percentile, synthetic_paper

ROOT = Path(__file__).resolve().parent.parent
BEFORE_DIR = Path(__file__).resolve().parent / "data" / "competency_before"
P95_TARGET_MS = 1000.0
BARE_BUDGET_S = 60.0
"""Stop repeating a bare query once its runs have taken this long (the old 04 takes minutes at 10k)."""


def _timings(fn, repeats: int, budget_s: float | None = None) -> list[float]:
    fn()  # warm-up, untimed
    times: list[float] = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
        if budget_s is not None and sum(times) > budget_s:
            break
    return times


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_read_only(location: Path):
    """``oxigraph serve-read-only`` of ``location`` on a free loopback port; yields its URL."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = _free_port()
    process = subprocess.Popen(
        ["nice", "-n", "10", exe, "serve-read-only", "--location", str(location), "--bind",
         f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _row_count(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def run(papers: int, repeats: int, bare_repeats: int, rebuild_papers: int | None,
        server: bool = True) -> dict:
    """Load ``papers`` synthetic papers and time every competency query three ways; returns figures."""
    import pyoxigraph as ox

    from councilkg.errors import CouncilKGError
    from councilkg.settings import Settings
    from kg.competency import competency_queries
    from kg.query import run_query
    from kg.rdf import paper_quads
    from kg.store import EmbeddedGraphStore, RemoteGraphStore

    work = Path(tempfile.mkdtemp(prefix="bench-graph-scale-"))
    out: dict = {"papers": papers, "queries": {}, "notes": []}
    try:
        began = time.perf_counter()
        path = work / "nquads"
        summary_quads = 0
        with open(path, "wb") as handle:
            for i in range(papers):
                built = paper_quads(*synthetic_paper(i))
                summary_quads += len(built.summary)
                handle.write(ox.serialize(built.all(), format=ox.RdfFormat.N_QUADS) or b"")
        out["generate_s"] = time.perf_counter() - began
        settings = Settings.load({"data_dir": str(work / "kg"), "query_max_results": "10000000",
                                  "query_timeout_s": "600"}, environ={})
        store = EmbeddedGraphStore(settings)
        began = time.perf_counter()
        store._writer().bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        store._writer().flush()
        store._changed()
        out["bulk_load_s"] = time.perf_counter() - began
        path.unlink()
        out["quads"] = store.count_quads()
        out["summary_quads"] = summary_quads
        run_query(store, "ASK { ?s ?p ?o }")  # start the worker before timing
        store.release()
        reader = ox.Store.read_only(str(store.path))
        queries = competency_queries()
        for query in queries:
            before = (BEFORE_DIR / f"{query.name}.rq").read_text(encoding="utf-8")
            try:
                rows = _row_count(run_query(store, query.sparql, "json")[0])
                ours = _timings(lambda q=query: run_query(store, q.sparql, "json"), repeats)
            except CouncilKGError as exc:  # recorded, not fatal: the other questions still count
                rows, ours = -1, []
                out["notes"].append(f"{query.name} (ours, embedded): {exc.message}")
            bare_new = _timings(
                lambda q=query: list(reader.query(q.sparql, use_default_graph_as_union=True)), repeats)
            bare_rows, bare_old = -1, []
            if bare_repeats:  # 0: skip the queries as they were (minutes each at 10,000 papers)
                bare_rows = len(list(reader.query(before, use_default_graph_as_union=True)))
                bare_old = _timings(lambda b=before: list(reader.query(b, use_default_graph_as_union=True)),
                                    bare_repeats, BARE_BUDGET_S)
            out["queries"][query.name] = {
                "rows": rows, "rows_before": bare_rows,
                "ours_ms": [t * 1000 for t in ours], "bare_new_ms": [t * 1000 for t in bare_new],
                "bare_before_ms": [t * 1000 for t in bare_old], "same_query": before == query.sparql,
            }
            ours_p95 = percentile(ours or [float("nan")], 95) * 1000
            before_p95 = percentile(bare_old or [float("nan")], 95) * 1000
            print(f"{query.name}: ours p95 {ours_p95:.0f} ms ({rows} rows), "
                  f"bare-before p95 {before_p95:.0f} ms ({bare_rows} rows)", file=sys.stderr, flush=True)
        reader = None  # close the read-only view before the server opens the store
        with serve_read_only(store.path) if server else contextlib.nullcontext() as url:
            remote = RemoteGraphStore(settings, url) if url else None
            for query in queries if remote else []:
                try:
                    server = _timings(lambda q=query: run_query(remote, q.sparql, "json"), repeats)
                except CouncilKGError as exc:
                    server = []
                    out["notes"].append(f"{query.name} (ours, server): {exc.message}")
                out["queries"][query.name]["server_ms"] = [t * 1000 for t in server]
                print(f"{query.name}: server p95 {percentile(server or [float('nan')], 95) * 1000:.0f} ms",
                      file=sys.stderr, flush=True)
        store.close()
        shutil.rmtree(store.path, ignore_errors=True)

        if rebuild_papers:
            out["rebuild"] = rebuild(work / "rebuild", rebuild_papers)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out["load_average"] = os.getloadavg()
    return out


def rebuild(folder: Path, papers: int) -> dict:
    """Full graph load of ``papers`` with ``replace_paper``, then one changed paper replaced again."""
    from councilkg.settings import Settings
    from kg.store import EmbeddedGraphStore

    store = EmbeddedGraphStore(Settings.load({"data_dir": str(folder)}, environ={}))
    began = time.perf_counter()
    for i in range(papers):
        store.replace_paper(*synthetic_paper(i))
    full_s = time.perf_counter() - began
    singles = []
    for i in (papers // 2, papers // 3, papers - 1):
        doc, ex = synthetic_paper(i)  # the same paper re-extracted with fewer relations
        ex.relations = ex.relations[: len(ex.relations) // 2]
        began = time.perf_counter()
        store.replace_paper(doc, ex)
        singles.append(time.perf_counter() - began)
    store.close()
    print(f"rebuild: full {full_s:.1f} s, one paper {[round(s * 1000) for s in singles]} ms",
          file=sys.stderr, flush=True)
    return {"papers": papers, "full_s": full_s, "one_paper_s": singles}


def render(result: dict) -> str:
    """A Markdown table of the figures (p50 / p95 in ms, target p95 <= 1,000 ms)."""
    lines = [
        f"{result['papers']:,} synthetic papers, {result['quads']:,} quads "
        f"({result['summary_quads']:,} of them answer rows); generated in {result['generate_s']:.0f} s, "
        f"bulk-loaded in {result['bulk_load_s']:.0f} s; load average after the run "
        + " / ".join(f"{x:.1f}" for x in result["load_average"]),
        "",
        "| query | rows (before) | ours embedded p50 / p95 | ours server p50 / p95 "
        "| bare, same query p50 / p95 | bare, query before p50 / p95 | p95 ≤ 1,000 ms (embedded / server) |",
        "|---|---|---|---|---|---|---|",
    ]

    def pair(values: list[float]) -> str:
        return f"{percentile(values, 50):,.0f} / {percentile(values, 95):,.0f}" if values else "n/a"

    for name, q in result["queries"].items():
        hit = ["n/a" if v is None else "hit" if v and percentile(v, 95) <= P95_TARGET_MS else "**missed**"
               for v in (q["ours_ms"], q.get("server_ms"))]
        lines.append(
            f"| {name} | {q['rows']:,} ({q['rows_before']:,}) | {pair(q['ours_ms'])} "
            f"| {pair(q.get('server_ms', []))} | {pair(q['bare_new_ms'])} "
            f"| {pair(q['bare_before_ms'])} ({len(q['bare_before_ms'])} runs) "
            f"| {hit[0]} / {hit[1]} |"
        )
    if "rebuild" in result:
        r = result["rebuild"]
        worst = max(r["one_paper_s"])
        singles = ", ".join(f"{s * 1000:,.0f}" for s in r["one_paper_s"])
        lines += ["", f"One-paper rebuild at {r['papers']:,} papers: {singles} ms "
                  f"beside a full graph load of {r['full_s']:,.0f} s: worst ratio {worst / r['full_s']:.4f} "
                  f"(target ≤ 0.02: {'hit' if worst / r['full_s'] <= 0.02 else 'missed'})"]
    lines += [f"- {note}" for note in result.get("notes", [])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command line: run, print the table, and write the raw figures as JSON with ``--json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_graph_scale")
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--bare-repeats", type=int, default=5)
    parser.add_argument("--rebuild-papers", type=int, default=0,
                        help="also time a one-paper rebuild against a full load of this many papers")
    parser.add_argument("--no-server", action="store_true", help="skip the oxigraph serve-read-only runs")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    args = parser.parse_args(argv)
    result = run(args.papers, args.repeats, args.bare_repeats, args.rebuild_papers, not args.no_server)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    sys.stdout.write(render(result))


if __name__ == "__main__":
    main()
