"""Extraction in worker processes: each worker loads the spaCy pipeline once and keeps it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from typing import Any

from corpus.models import Document
from councilkg.settings import Settings
from nlp.models import Extraction


@lru_cache(maxsize=1)
def _worker_extractor(values: tuple[tuple[str, Any], ...]) -> Any:
    from nlp.extractor import Extractor

    return Extractor(Settings(dict(values)))


def _extract_one(args: tuple[tuple[tuple[str, Any], ...], Document]) -> Extraction:
    values, doc = args
    return _worker_extractor(values).extract(doc)


def extract_in_processes(docs: Iterable[Document], settings: Settings, workers: int) -> Iterator[Extraction]:
    """Extract papers in ``workers`` processes, yielding results in input order."""
    values = tuple(sorted(settings.values.items()))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_extract_one, ((values, d) for d in docs), chunksize=1)
