"""Corpus layer: documents in, clean text with structured blocks and metadata out.

Public entry points (imported lazily so ``import corpus`` stays light):

* :func:`load_document` — one file to a :class:`~corpus.models.Document`;
* :class:`CorpusStore` — the SQLite store of papers, versions, blocks and tables;
* :func:`read_catalogue` — a catalogue CSV keyed by file name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpus.loading import load_document
    from corpus.metadata import read_catalogue
    from corpus.store import CorpusStore

__all__ = ["CorpusStore", "load_document", "read_catalogue"]

_LAZY = {
    "load_document": "corpus.loading",
    "read_catalogue": "corpus.metadata",
    "CorpusStore": "corpus.store",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'corpus' has no attribute {name!r}")
