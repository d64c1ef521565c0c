"""Extraction benchmark: words per second of the whole extraction stage against bare spaCy.

Measured in the same run, on the same machine and on the same text:

- **ours**: ``nlp.Extractor.extract_many`` over the loaded papers (the whole stage: spaCy
  pipeline from ``nlp/pipeline.cfg`` over prose blocks and table cells, candidate rules,
  acronyms, resolution, money and periods, tables and relations), in one process and in two
  worker processes (``workers=2``, process start and model load included);
- **baseline**: the bare installed model (``spacy.load(model)``, every component it ships)
  running ``nlp.pipe`` over the full text of the very same papers.

The papers are the five bundled samples, plus synthetic papers from
:mod:`benchmarks.synth_papers` when not quick. Each timing is the best of ``repeats`` runs,
interleaved, because other processes share the machine. Words are whitespace-separated words
of each paper's canonical text.

``python -m benchmarks --stages extraction [--quick] --no-write`` prints the figures.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpus" / "data" / "samples"


def load_papers(synthetic: int) -> list[Any]:
    """The five samples and ``synthetic`` generated papers as :class:`corpus.models.Document`."""
    from corpus import load_document, read_catalogue

    docs = []
    catalogue = read_catalogue(SAMPLES / "catalogue.csv")
    for path in sorted(SAMPLES.glob("*.txt")):
        docs.append(load_document(path, catalogue.get(path.name.lower())))
    if synthetic:
        from benchmarks.synth_papers import write_corpus

        with tempfile.TemporaryDirectory() as tmp:
            paths = write_corpus(Path(tmp), synthetic, seed=7)
            cat = read_catalogue(Path(tmp) / "catalogue.csv")
            docs.extend(load_document(p, cat.get(p.name.lower())) for p in paths)
    return docs


def _best_of(repeats: int, *fns: Callable[[], None]) -> list[float]:
    """Best wall time of each function over ``repeats`` interleaved rounds."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            began = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - began)
    return best


def run(quick: bool) -> dict:
    """Benchmark stage: extraction words/s (1 and 2 processes) against bare ``nlp.pipe``."""
    import spacy

    from councilkg.settings import Settings
    from nlp.extractor import Extractor
    from nlp.pipeline import resolve_model_name

    settings = Settings.load()
    docs = load_papers(0 if quick else 40)
    texts = [d.text for d in docs]
    words = sum(len(t.split()) for t in texts)
    model = resolve_model_name(settings.spacy_model)

    extractor = Extractor(settings)
    bare = spacy.load(model)
    # Warm both (model load, lazy tables, first-call allocations) outside the timings.
    extractor.extract(docs[0])
    list(bare.pipe(texts[:1]))

    def ours() -> None:
        for _ in extractor.extract_many(docs):
            pass

    def baseline() -> None:
        for _ in bare.pipe(texts):
            pass

    def ours_two_processes() -> None:
        for _ in extractor.extract_many(docs, workers=2):
            pass

    repeats = 1 if quick else 2
    t_ours, t_base = _best_of(repeats, ours, baseline)
    (t_two,) = _best_of(1, ours_two_processes)
    base_wps = words / t_base
    metrics = [
        {"metric": "extraction words/s (1 process)", "value": round(words / t_ours, 1), "unit": "words/s",
         "baseline": round(base_wps, 1), "baseline_name": f"bare {model} nlp.pipe",
         "ratio": round(t_base / t_ours, 3), "target": ">= 1.0"},
        {"metric": "extraction words/s (2 processes)", "value": round(words / t_two, 1), "unit": "words/s",
         "baseline": round(base_wps, 1), "baseline_name": f"bare {model} nlp.pipe",
         "ratio": round(t_base / t_two, 3), "target": ">= 1.0"},
        {"metric": "extraction seconds per 1,000 words", "value": round(1000 * t_ours / words, 3),
         "unit": "s"},
    ]
    notes = [
        f"{len(docs)} papers ({'5 samples' if quick else '5 samples + 40 synthetic'}), {words:,} words; "
        f"best of {repeats}; bare pipeline: {', '.join(bare.pipe_names)}; "
        f"ours: {', '.join(extractor.nlp.pipe_names)}",
        "2-process figure includes starting the workers and loading the model in each",
    ]
    return {"metrics": metrics, "notes": notes}


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run("--quick" in sys.argv), indent=2))
