"""The graph stage of ``councilkg build``: which papers need loading, and loading them paper by paper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from corpus.models import Document
from councilkg.errors import CouncilKGError
from kg.store import GraphStore
from nlp.models import Extraction


def stale_papers(store: GraphStore, content_hashes: Mapping[str, str]) -> list[str]:
    """The ids among ``content_hashes`` (doc_id -> hash) whose graph is missing or built from another hash."""
    built = store.paper_hashes()
    return [doc_id for doc_id, digest in content_hashes.items() if built.get(doc_id) != digest]


def load_extractions(store: GraphStore, pairs: Iterable[tuple[Document, Extraction]]) -> dict[str, str]:
    """Replace each paper's graph; returns ``doc_id -> one-line reason`` for papers that failed.

    A failing paper leaves its previous graph untouched and does not stop the others.
    """
    failed: dict[str, str] = {}
    for doc, extraction in pairs:
        try:
            store.replace_paper(doc, extraction)
        except CouncilKGError as exc:
            failed[doc.doc_id] = exc.message
    return failed


def remove_missing(store: GraphStore, present: Iterable[str]) -> list[str]:
    """Drop the graphs of papers no longer in the corpus; returns their ids."""
    keep = set(present)
    gone = [doc_id for doc_id in store.paper_hashes() if doc_id not in keep]
    for doc_id in gone:
        store.remove_paper(doc_id)
    return gone
