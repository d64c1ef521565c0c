"""Long-paper benchmark (issue #12): a paper of 32,000 short paragraphs against the same words
in 1,000 paragraphs, built in the same run.

Made-up council text (a fixed vocabulary, seeded) is cut into ``--paragraphs`` paragraphs and,
the same words, into ``--baseline-paragraphs``; each paper is a ``.txt`` file with blank lines
between paragraphs. Each is built with ``councilkg.pipeline.build`` into a fresh data dir through
ingestion (loading, structure, corpus store) and the graph stage (spaCy extraction, relations,
graph store), in one process after a warm-up build has loaded the model, so neither pays for it.
Wall and CPU seconds are given per phase; the target is 32,000 paragraphs ≤ 3× the time of 1,000.

``python -m benchmarks.bench_longpaper [--words 96000] [--rounds 1]`` prints the table;
``run(quick)`` serves the suite.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 3.0

SUBJECTS = ("The Council", "The Cabinet", "The Board", "The Trust", "The Partnership", "The Committee",
            "Officers", "Members", "The Director", "The Panel")
VERBS = ("noted", "agreed", "approved", "reviewed", "deferred", "endorsed", "considered", "welcomed")
OBJECTS = ("the report", "the budget", "the plan", "the contract", "the minutes", "the strategy",
           "the proposal", "the update", "the review", "the scheme", "home care", "respite services",
           "the pooled fund", "the grant", "the tender")
TAILS = ("today", "in full", "with changes", "for 2019", "for consultation", "again", "in part",
         "without debate", "by vote", "for the year")


def made_up_words(total: int, seed: int = 11) -> list[str]:
    """``total`` words of council-style sentences, reproducibly."""
    rng = random.Random(seed)
    words: list[str] = []
    while len(words) < total:
        sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
        words.extend(sentence.split())
    return words[:total]


def paper_text(words: list[str], paragraphs: int, title: str) -> str:
    """``words`` cut into ``paragraphs`` paragraphs of near-equal length, each ending in a full stop."""
    n = len(words)
    cuts = [round(i * n / paragraphs) for i in range(paragraphs + 1)]
    body = [" ".join(words[a:b]).rstrip(".") + "." for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    return title + "\n\n" + "\n\n".join(body) + "\n"


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def build_one(path: Path, data_dir: Path) -> dict[str, Any]:
    """Build ``path`` into an empty ``data_dir`` (ingestion and the graph stage); wall, CPU,
    blocks, phases.

    ``data_dir`` is emptied first and is the same path for every build of a run, so the
    settings, and with them this process's cached spaCy pipeline, stay the same: no build pays
    for loading the model."""
    from benchmarks.bench_build import BuildProbe, probed_stages
    from corpus.store import CorpusStore
    from councilkg.pipeline import build
    from councilkg.settings import Settings
    from councilkg.stages import close_stores, default_stages

    settings = Settings.load({"data_dir": str(data_dir), "workers": 1})
    close_stores(settings)
    shutil.rmtree(data_dir, ignore_errors=True)
    stages = [s for s in default_stages() if s.name == "graph"]
    probe = BuildProbe()
    began, began_cpu = time.perf_counter(), cpu_seconds()
    report = build([path], settings, stages=probed_stages(stages, probe))
    seconds, cpu = time.perf_counter() - began, cpu_seconds() - began_cpu
    if report.failed:
        raise RuntimeError(f"build failed: {report.failed[:1]}")
    store = CorpusStore.open(settings)
    try:
        blocks = len(store.get(store.ids()[0]).blocks)
    finally:
        store.close()
        close_stores(settings)
    return {"seconds": seconds, "cpu_s": cpu, "blocks": blocks, "phases": probe.phases()}


def measure(words: int, paragraphs: int, baseline_paragraphs: int, rounds: int) -> dict[str, Any]:
    """Warm up, then build both papers ``rounds`` times, alternating; the best of each."""
    text_words = made_up_words(words)
    scratch = Path(tempfile.mkdtemp(prefix="councilkg-bench-longpaper-"))
    try:
        papers = {}
        for label, count in (("long", paragraphs), ("baseline", baseline_paragraphs)):
            folder = scratch / label
            folder.mkdir()
            path = folder / f"{label}_paper.txt"
            text = paper_text(text_words, count, f"Minutes of the meeting ({label})")
            path.write_text(text, encoding="utf-8")
            papers[label] = path
        warm = scratch / "warm"
        warm.mkdir()
        warm_text = paper_text(text_words[:400], 20, "Warm-up minutes")
        (warm / "warm_paper.txt").write_text(warm_text, encoding="utf-8")
        build_one(warm / "warm_paper.txt", scratch / "data")
        runs: dict[str, list[dict[str, Any]]] = {"long": [], "baseline": []}
        for r in range(rounds):
            for label in ("baseline", "long") if r % 2 == 0 else ("long", "baseline"):
                runs[label].append(build_one(papers[label], scratch / "data"))
                seconds = runs[label][-1]["seconds"]
                print(f"[longpaper] round {r + 1} {label}: {seconds:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    best = {label: min(items, key=lambda x: x["seconds"]) for label, items in runs.items()}
    best_cpu = {label: min(x["cpu_s"] for x in items) for label, items in runs.items()}
    ratio = best["long"]["seconds"] / best["baseline"]["seconds"]
    cpu_ratio = best_cpu["long"] / best_cpu["baseline"]
    return {
        "words": words, "paragraphs": paragraphs, "baseline_paragraphs": baseline_paragraphs,
        "rounds": rounds, "runs": runs, "best": best, "ratio": ratio, "cpu_ratio": cpu_ratio,
        "hit": ratio <= TARGET_RATIO,
    }


def render(result: dict[str, Any]) -> str:
    """The result as a Markdown table and a verdict line."""
    lines = [
        f"{result['words']:,} made-up words; best of {result['rounds']} round(s) each, alternating",
        "",
        "| paper | blocks | wall s (all rounds) | CPU s | ingest s | graph stage s |",
        "|---|---|---|---|---|---|",
    ]
    for label, count in (("long", result["paragraphs"]), ("baseline", result["baseline_paragraphs"])):
        b = result["best"][label]
        walls = ", ".join(f"{x['seconds']:.1f}" for x in result["runs"][label])
        phases = b["phases"]
        lines.append(f"| {count:,} paragraphs | {b['blocks']} | {walls} | {b['cpu_s']:.1f} | "
                     f"{phases.get('ingest', {}).get('s', float('nan')):.1f} | "
                     f"{phases.get('graph', {}).get('s', float('nan')):.1f} |")
    verdict = "hit" if result["hit"] else "MISSED"
    lines += ["", f"ratio {result['paragraphs']:,} / {result['baseline_paragraphs']:,} paragraphs: "
              f"{result['ratio']:.2f} wall, {result['cpu_ratio']:.2f} CPU "
              f"(target <= {TARGET_RATIO:g}): {verdict}"]
    return "\n".join(lines)


def run(quick: bool) -> dict[str, Any]:
    """The suite's entry point."""
    result = measure(8000 if quick else 96000, 2000 if quick else 32000, 100 if quick else 1000, 1)
    metric = {"metric": f"build a {result['paragraphs']:,}-paragraph paper (ingest + graph)",
              "value": round(result["best"]["long"]["seconds"], 1), "unit": "s",
              "baseline": round(result["best"]["baseline"]["seconds"], 1),
              "baseline_name": f"same words in {result['baseline_paragraphs']:,} paragraphs",
              "ratio": round(result["ratio"], 2), "target": f"ratio <= {TARGET_RATIO:g}"}
    return {"metrics": [metric], "notes": render(result).splitlines()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line of ``python -m benchmarks.bench_longpaper``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_longpaper",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=96000, help="words in each paper (default 96,000)")
    parser.add_argument("--paragraphs", type=int, default=32000, help="paragraphs of the long paper")
    parser.add_argument("--baseline-paragraphs", type=int, default=1000, help="paragraphs of the baseline")
    parser.add_argument("--rounds", type=int, default=1, help="builds of each paper (best is kept)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    if min(args.words, args.paragraphs, args.baseline_paragraphs, args.rounds) < 1:
        parser.error("--words, --paragraphs, --baseline-paragraphs and --rounds must be at least 1")
    if args.paragraphs > args.words or args.baseline_paragraphs > args.words:
        parser.error("a paragraph needs at least one word: --paragraphs must not exceed --words")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; exit 1 when the target is missed."""
    args = parse_args(argv)
    result = measure(args.words, args.paragraphs, args.baseline_paragraphs, args.rounds)
    print(render(result))
    if args.json:
        print(json.dumps(result, default=str))
    return 0 if result["hit"] else 1


if __name__ == "__main__":
    sys.exit(main())
