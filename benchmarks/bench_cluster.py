"""Cluster benchmark: ``councilkg build --cluster local:2`` against ``--workers 2``, and a killed worker.

On the same papers (the shipped samples plus synthetic papers from :mod:`benchmarks.synth_papers`),
in the same run, each build in a fresh process as a user runs it (imports, cluster start-up and
model loading included), the two modes alternating so that a change in the machine's load
weighs on both:

* throughput of ``--cluster local:2`` (a Dask LocalCluster of two worker processes) as a ratio
  of ``--workers 2`` (papers per second; target ≥ 0.9×), wall and CPU seconds (workers included);
* a killed worker: a ``--cluster local:2`` build in which one worker is SIGKILLed in the middle
  of a paper once a third of the graphs are stored. It must complete with every paper, and redo
  only the papers in flight on that worker (target: no stored paper redone, at most one paper
  per worker thread redone).

Sizes: ``COUNCILKG_BENCH_CLUSTER_PAPERS`` synthetic papers (default 40; 6 with ``--quick``) and
``COUNCILKG_BENCH_CLUSTER_ROUNDS`` builds per mode (default 2; 1 with ``--quick``).

``python -m benchmarks.bench_cluster [--quick]`` prints the result as JSON; the suite runner calls
:func:`run`; ``logged-build`` runs one logged cluster build in this process (internal).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.synth_papers import write_corpus

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "data" / "samples"
LOG_NAME = "cluster-events.log"


def _size(variable: str, quick: bool, quick_default: int, default: int) -> int:
    raw = os.environ.get(variable, "")
    return max(1, int(raw)) if raw.strip() else (quick_default if quick else default)


def _child_env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}


def timed_cli_build(corpus: Path, data_dir: Path, mode: list[str]) -> dict[str, Any]:
    """``councilkg build CORPUS MODE…`` in a fresh process: wall seconds, and CPU seconds and peak RSS
    of the build and every process under it (workers started by a forkserver or a Dask nanny too)."""
    from benchmarks.bench_build import TreeMonitor

    command = [
        sys.executable, "-c", "from councilkg.cli import main; main()",
        "--data-dir", str(data_dir), "build", str(corpus), *mode,
    ]  # fmt: skip
    began = time.perf_counter()
    with TreeMonitor() as tree:
        done = subprocess.run(
            command, cwd=ROOT, env=_child_env(), capture_output=True, text=True, check=False
        )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"build {' '.join(mode)} failed: {(done.stdout + done.stderr).strip()[-400:]}")
    return {"wall_s": wall, "cpu_s": tree.cpu_s, "peak_rss_mb": tree.peak_rss_mb,
            "summary": done.stdout.strip().splitlines()[:3]}  # fmt: skip


# -- the killed-worker build -----------------------------------------------------------------------


def _log(settings: Any, line: str) -> None:
    with (Path(settings.data_dir) / LOG_NAME).open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def logged_extract(doc: Any, settings: Any) -> Any:
    """The real extraction, logged before (``prepare ID PID``) and after (``prepared ID``); on a worker."""
    from councilkg.stages import extract_paper

    _log(settings, f"prepare {doc.doc_id} {os.getpid()}")
    extraction = extract_paper(doc, settings)
    _log(settings, f"prepared {doc.doc_id}")
    return extraction


def logged_commit(doc: Any, extraction: Any, settings: Any) -> None:
    """The real graph commit, logging ``commit ID`` once stored (runs in the building process)."""
    from councilkg.stages import commit_graph

    commit_graph(doc, extraction, settings)
    _log(settings, f"commit {doc.doc_id}")


def logged_build(corpus: Path, data_dir: Path, cluster: str) -> dict[str, Any]:
    """One ``--cluster`` build in this process with the graph stage's work and writes logged."""
    from councilkg.pipeline import build
    from councilkg.settings import Settings
    from councilkg.stages import GRAPH_STAGE, SEARCH_STAGE

    settings = Settings.load({"data_dir": str(data_dir), "cluster": cluster})
    stages = [dataclasses.replace(GRAPH_STAGE, prepare=logged_extract, commit=logged_commit), SEARCH_STAGE]
    report = build([corpus], settings, stages=stages)
    return {
        "stages": {k: len(v) for k, v in report.stages.items()},
        "failed": [list(f) for f in report.failed],
    }


def _events(data_dir: Path) -> list[list[str]]:
    path = data_dir / LOG_NAME
    if not path.exists():
        return []
    return [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def killed_worker_build(corpus: Path, data_dir: Path, papers: int) -> dict[str, Any]:
    """A ``--cluster local:2`` build whose busy worker is SIGKILLed once a third of the graphs are stored."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "benchmarks.bench_cluster", "logged-build", str(corpus), str(data_dir)]
    began = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=_child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    killed: tuple[str, int] | None = None
    committed_before: set[str] = set()
    while process.poll() is None and killed is None:
        events = _events(data_dir)
        committed = {e[1] for e in events if e[0] == "commit"}
        finished = {e[1] for e in events if e[0] == "prepared"}
        if len(committed) >= max(1, papers // 3):
            # A paper a worker is extracting right now: killed in the middle of it.
            running = [(e[1], int(e[2])) for e in events if e[0] == "prepare" and e[1] not in finished]
            if running:
                killed, committed_before = running[-1], committed
                try:
                    os.kill(killed[1], signal.SIGKILL)
                except ProcessLookupError:  # it finished that paper just now: try the next one
                    killed = None
                    continue
                _log_line = f"killed {killed[0]} {killed[1]}"
                with (data_dir / LOG_NAME).open("a", encoding="utf-8") as out:
                    out.write(_log_line + "\n")
        time.sleep(0.05)
    stdout, stderr = process.communicate(timeout=3600)
    wall = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError(f"killed-worker build failed: {stderr.strip()[-400:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    events = _events(data_dir)
    prepared: dict[str, int] = {}
    for e in events:
        if e[0] == "prepare":
            prepared[e[1]] = prepared.get(e[1], 0) + 1
    redone = sorted(d for d, n in prepared.items() if n > 1)
    return {
        "wall_s": wall,
        "killed": killed,
        "stored_before_kill": len(committed_before),
        "redone": redone,
        "stored_redone": sorted(set(redone) & committed_before),
        "graphs": result["stages"].get("graph", 0),
        "failed": result["failed"],
    }


def _row(metric: str, value: Any, unit: str = "", **extra: Any) -> dict[str, Any]:
    """A table row; with ``hit`` (the target met or not) the target says so."""
    if "hit" in extra and extra.get("target"):
        extra["target"] = f"{extra['target']}: {'hit' if extra['hit'] else 'missed'}"
    return {"metric": metric, "value": value, "unit": unit, **extra}


def run(quick: bool) -> dict[str, Any]:
    """Benchmark stage entry point (see the module docstring)."""
    synthetic = _size("COUNCILKG_BENCH_CLUSTER_PAPERS", quick, 6, 40)
    rounds = _size("COUNCILKG_BENCH_CLUSTER_ROUNDS", quick, 1, 2)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="councilkg-bench-cluster-") as tmp:
        folder = Path(tmp)
        corpus = folder / "papers"
        write_corpus(corpus, synthetic, seed=0, catalogue=False)
        samples = sorted(p for p in SAMPLES.glob("*.txt"))
        for path in samples:
            shutil.copy(path, corpus / f"sample-{path.name}")
        papers = synthetic + len(samples)
        modes = {"workers": ["--workers", "2"], "cluster": ["--cluster", "local:2"]}
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in modes}
        for at in range(rounds):
            # Alternate which mode goes first, so neither always meets the same load.
            order = list(modes) if at % 2 == 0 else list(reversed(modes))
            for name in order:
                runs[name].append(timed_cli_build(corpus, folder / f"data-{name}-{at}", modes[name]))
        killed = killed_worker_build(corpus, folder / "data-killed", papers)
    load_after = os.getloadavg()[0]

    wall = {name: statistics.median(r["wall_s"] for r in rs) for name, rs in runs.items()}
    cpu = {name: statistics.median(r["cpu_s"] for r in rs) for name, rs in runs.items()}
    ratio = wall["workers"] / wall["cluster"]  # throughput ratio: papers/s cluster over papers/s workers
    rows = [
        _row(f"full build, {papers} papers, --workers 2 (median of {rounds})", wall["workers"], "s"),
        _row(f"full build, {papers} papers, --cluster local:2 (median of {rounds})", wall["cluster"], "s"),
        _row(
            "--cluster local:2 throughput over --workers 2 (wall)",
            round(ratio, 3),
            "×",
            target="≥ 0.9",
            hit=ratio >= 0.9,
        ),
        _row(
            "--cluster local:2 CPU over --workers 2 CPU (workers included)",
            round(cpu["cluster"] / cpu["workers"], 3),
            "×",
            target="~1 (same work)",
        ),
        _row("largest process RSS, --workers 2", max(r["peak_rss_mb"] for r in runs["workers"]), "MB"),
        _row("largest process RSS, --cluster local:2", max(r["peak_rss_mb"] for r in runs["cluster"]), "MB"),
        _row(
            "killed worker: papers redone (a worker SIGKILLed mid-paper)",
            len(killed["redone"]),
            "papers",
            target="≤ 1 per worker thread (the papers in flight)",
            hit=len(killed["redone"]) <= 2,
        ),
        _row(
            "killed worker: stored papers redone",
            len(killed["stored_redone"]),
            "papers",
            target="0",
            hit=not killed["stored_redone"],
        ),
        _row(
            "killed worker: build completed, graphs stored",
            killed["graphs"],
            f"of {papers}",
            target=str(papers),
            hit=killed["graphs"] == papers and not killed["failed"],
        ),
        _row(
            "killed worker build (wall)",
            killed["wall_s"],
            "s",
            baseline=wall["cluster"],
            baseline_name="cluster build",
        ),
    ]
    notes = [
        f"{synthetic} synthetic papers (seed 0) + {len(samples)} samples; each build a fresh "
        f"`councilkg build` process; modes alternated over {rounds} round(s); load average "
        f"{load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cpus",
        "walls: "
        + "; ".join(f"{n} " + ", ".join(f"{r['wall_s']:.1f}" for r in rs) + " s" for n, rs in runs.items()),
        "CPU s: " + "; ".join(f"{n} " + ", ".join(f"{r['cpu_s']:.1f}" for r in rs) for n, rs in runs.items()),
        f"killed worker: pid {killed['killed'][1] if killed['killed'] else '-'} on "
        f"{killed['killed'][0] if killed['killed'] else '-'} after {killed['stored_before_kill']} stored; "
        f"redone {killed['redone']}",
    ]
    return {"metrics": rows, "notes": notes}


def main(argv: list[str] | None = None) -> None:
    """``[--quick]``: run the stage; ``logged-build CORPUS DATA``: one logged cluster build (JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_cluster")
    parser.add_argument("--quick", action="store_true")
    sub = parser.add_subparsers(dest="command")
    once = sub.add_parser("logged-build", help="one --cluster build with the graph stage logged, as JSON")
    once.add_argument("corpus", type=Path)
    once.add_argument("data_dir", type=Path)
    once.add_argument("--cluster", default="local:2")
    args = parser.parse_args(argv)
    if args.command == "logged-build":
        print(json.dumps(logged_build(args.corpus, args.data_dir, args.cluster)))
        return
    print(json.dumps(run(args.quick), indent=2, default=str))


if __name__ == "__main__":
    main()
