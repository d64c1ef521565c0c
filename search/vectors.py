"""Dense vector search behind one small interface: exact (numpy), approximate (hnswlib), remote (Milvus).

The search index keeps passages, metadata and the embedding cache in SQLite; a vector
backend only answers "which passage ids are nearest this query vector", optionally among
allowed ids. :func:`open_vector_backend` picks one from the ``vector_store`` setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from councilkg.errors import CouncilKGError


class VectorBackend(Protocol):
    """Nearest-neighbour search over passage vectors keyed by passage id."""

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Insert (or replace) vectors."""

    def remove(self, ids: np.ndarray) -> None:
        """Delete vectors by id (unknown ids are ignored)."""

    def load(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Replace the whole content (used on open and to repair drift)."""

    def count(self) -> int:
        """Number of vectors held."""

    def search(
        self, query: np.ndarray, n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosine scores of the ``n`` nearest vectors, best first; ``allowed`` (sorted
        ids) restricts the answer."""


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest scores, best first (argpartition, then a small sort)."""
    n = min(n, scores.shape[0])
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, n - 1)[:n] if n < scores.shape[0] else np.arange(scores.shape[0])
    return part[np.argsort(-scores[part], kind="stable")]


ANN_THRESHOLD = 50_000
"""Default number of vectors from which the embedded index answers through an ANN graph."""

EXACT_FILTER = 2_000
"""Filters allowing at most this many passages are scored exactly, even in ANN mode."""

BROAD_FILTER = 0.5
"""Filters allowing at least this share of passages over-fetch from the graph and drop the rest;
narrower ones walk the graph accepting only allowed ids."""


class ExactVectors:
    """The embedded vector index: exact below ``ann_threshold`` vectors, an hnswlib graph above.

    Below the threshold all vectors sit in one float32 matrix and a query is one
    matrix-vector product, exact and fast enough. From the threshold on, the vectors live
    only inside the graph (no second copy, so a million passages fit in the memory budget);
    unfiltered and broadly filtered queries walk the graph, narrowly filtered ones score the
    allowed rows exactly from the vectors the graph hands back.
    """

    def __init__(self, ann_threshold: int = ANN_THRESHOLD, ann_path: Path | None = None) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.ann_threshold = ann_threshold
        self.ann_path = ann_path
        self._ann: object | None = None

    @property
    def uses_ann(self) -> bool:
        """True when queries go through the approximate graph."""
        return self._ann is not None

    def load(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Hold exactly these vectors (building or reopening the graph above the threshold)."""
        order = np.argsort(ids, kind="stable")
        self.ids = np.ascontiguousarray(ids[order], dtype=np.int64)
        matrix = np.ascontiguousarray(vectors[order], dtype=np.float32)
        self._ann = None
        if self.ids.shape[0] and self.ids.shape[0] >= self.ann_threshold:
            from search.ann import HnswIndex

            self._ann = HnswIndex.build_or_load(self.ids, matrix, self.ann_path)
            self.matrix = np.zeros((0, matrix.shape[1]), dtype=np.float32)
        else:
            self.matrix = matrix

    def _all_vectors(self) -> np.ndarray:
        if self._ann is None:
            return self.matrix
        return self._ann.vectors(self.ids)  # type: ignore[attr-defined]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Insert or replace vectors."""
        keep = ~np.isin(self.ids, ids)
        current = self._all_vectors()
        base = current[keep] if current.size else np.zeros((0, vectors.shape[1]), np.float32)
        self.load(np.concatenate([self.ids[keep], ids]), np.concatenate([base, vectors]))

    def remove(self, ids: np.ndarray) -> None:
        """Delete vectors by id."""
        keep = ~np.isin(self.ids, ids)
        current = self._all_vectors()
        self.load(self.ids[keep], current[keep] if current.size else current)

    def count(self) -> int:
        """Number of vectors held."""
        return int(self.ids.shape[0])

    def search(
        self, query: np.ndarray, n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosine top-n (vectors are unit length), or ANN above the threshold."""
        if not self.count():
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self._ann is not None:
            return self._ann_search(query, n, allowed)
        if allowed is not None:
            rows = np.searchsorted(self.ids, np.intersect1d(allowed, self.ids))
            scores = self.matrix[rows] @ query
            best = top_n(scores, n)
            return self.ids[rows[best]], scores[best]
        scores = self.matrix @ query
        best = top_n(scores, n)
        return self.ids[best], scores[best]

    def _ann_search(
        self, query: np.ndarray, n: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        from search.ann import HnswIndex

        ann: HnswIndex = self._ann  # type: ignore[assignment]
        if allowed is not None:
            allowed = np.intersect1d(allowed, self.ids)
            if allowed.shape[0] <= EXACT_FILTER:
                # A narrow filter: exact scores of the few allowed rows beat walking the graph.
                scores = ann.vectors(allowed) @ query
                best = top_n(scores, n)
                return allowed[best], scores[best]
            share = allowed.shape[0] / self.count()
            if share < BROAD_FILTER:
                # The graph walk only accepts allowed ids as answers.
                return ann.search(query, n, allowed=set(allowed.tolist()))
            # A broad filter: over-fetch in proportion to how much it removes, then keep allowed.
            fetch = min(self.count(), int(n / share * 2) + n)
            ids, scores = ann.search(query, fetch)
            keep = np.isin(ids, allowed)
            return ids[keep][:n], scores[keep][:n]
        return ann.search(query, n)


def open_vector_backend(uri: str, data_path: Path, ann_threshold: int = ANN_THRESHOLD) -> VectorBackend:
    """The backend for the ``vector_store`` setting: empty → embedded (exact below
    ``ann_threshold`` vectors, hnswlib above); ``milvus://…``, ``http…`` or a ``.db`` file → Milvus."""
    uri = uri.strip()
    if not uri:
        return ExactVectors(ann_threshold=ann_threshold, ann_path=data_path / "vectors.hnsw")
    if uri.startswith(("milvus://", "http://", "https://", "tcp://")) or uri.endswith(".db"):
        from search.milvus_store import MilvusVectors

        return MilvusVectors(uri)
    raise CouncilKGError(
        f"vector_store {uri!r} is not understood (use milvus:///path/x.db or http://host:port)"
    )
