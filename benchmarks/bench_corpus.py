"""Corpus stage: loading papers (text, PDF, DOCX) and storing them, against the bare libraries.

The measurements live in :mod:`corpus.bench` (also runnable as ``python -m corpus.bench``);
this module is the suite's entry point for them.
"""

from __future__ import annotations

from typing import Any


def run(quick: bool) -> dict[str, Any]:
    """Benchmark stage entry point: see :func:`corpus.bench.run`."""
    from corpus.bench import run as run_corpus

    return run_corpus(quick)
