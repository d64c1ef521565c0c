"""The graph stage of ``councilkg build``: which papers need loading, and loading them paper by paper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from corpus.models import Document
from councilkg.errors import CouncilKGError
from kg import iris
from kg.rdf import CK, GRAPH_VERSION
from kg.store import GraphStore
from nlp.models import Extraction


def stale_papers(store: GraphStore, content_hashes: Mapping[str, str]) -> list[str]:
    """The ids among ``content_hashes`` (doc_id -> hash) whose graph is missing, built from another
    hash, or written by another :data:`~kg.rdf.GRAPH_VERSION` (e.g. before answer rows existed)."""
    built = store.paper_hashes()
    current = paper_graph_versions(store)
    return [doc_id for doc_id, digest in content_hashes.items()
            if built.get(doc_id) != digest or current.get(doc_id) != GRAPH_VERSION]


def paper_graph_versions(store: GraphStore) -> dict[str, int]:
    """``doc_id -> ck:graphVersion`` of every paper whose graph states one."""
    rows = store.select(
        f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ ?p a <{CK}Paper> ; <{CK}graphVersion> ?v }} }}")
    out: dict[str, int] = {}
    for graph, version in rows:
        doc_id = iris.doc_id_of_graph(graph.value)
        if doc_id is not None and version is not None and version.value.isdigit():
            out[doc_id] = int(version.value)
    return out


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
