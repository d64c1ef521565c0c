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


class ExactVectors:
    """All vectors in one float32 matrix; a query is one matrix-vector product.

    Above ``ann_threshold`` vectors an hnswlib graph answers unfiltered queries (and filtered
    ones by over-fetching); below it exact search is both fast enough and exact.
    """

    def __init__(self, ann_threshold: int = 250_000, ann_path: Path | None = None) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 0), dtype=np.float32)
        self.ann_threshold = ann_threshold
        self.ann_path = ann_path
        self._ann: object | None = None

    def load(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Hold exactly these vectors."""
        order = np.argsort(ids)
        self.ids = np.ascontiguousarray(ids[order], dtype=np.int64)
        self.matrix = np.ascontiguousarray(vectors[order], dtype=np.float32)
        self._ann = None

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Insert or replace vectors."""
        keep = ~np.isin(self.ids, ids)
        base = self.matrix[keep] if self.matrix.size else np.zeros((0, vectors.shape[1]), np.float32)
        self.load(np.concatenate([self.ids[keep], ids]), np.concatenate([base, vectors]))

    def remove(self, ids: np.ndarray) -> None:
        """Delete vectors by id."""
        keep = ~np.isin(self.ids, ids)
        self.ids, self.matrix = self.ids[keep], self.matrix[keep]
        self._ann = None

    def count(self) -> int:
        """Number of vectors held."""
        return int(self.ids.shape[0])

    def search(
        self, query: np.ndarray, n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosine top-n (vectors are unit length), or ANN above the threshold."""
        if not self.count():
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self.count() >= self.ann_threshold:
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

        if allowed is not None and allowed.shape[0] <= 50_000:
            # A narrow filter: exact search on the few allowed rows is cheaper than the graph.
            rows = np.searchsorted(self.ids, np.intersect1d(allowed, self.ids))
            scores = self.matrix[rows] @ query
            best = top_n(scores, n)
            return self.ids[rows[best]], scores[best]
        if self._ann is None:
            self._ann = HnswIndex.build_or_load(self.ids, self.matrix, self.ann_path)
        ann: HnswIndex = self._ann  # type: ignore[assignment]
        fetch = n if allowed is None else min(self.count(), n * 8)
        ids, scores = ann.search(query, fetch)
        if allowed is not None:
            keep = np.isin(ids, allowed)
            ids, scores = ids[keep][:n], scores[keep][:n]
        return ids, scores


def open_vector_backend(uri: str, data_path: Path, dimension_hint: int | None = None) -> VectorBackend:
    """The backend for the ``vector_store`` setting: empty → embedded; ``milvus://…``/``http…`` → Milvus."""
    uri = uri.strip()
    if not uri:
        return ExactVectors(ann_path=data_path / "vectors.hnsw")
    if uri.startswith(("milvus://", "http://", "https://", "tcp://")) or uri.endswith(".db"):
        from search.milvus_store import MilvusVectors

        return MilvusVectors(uri)
    raise CouncilKGError(
        f"vector_store {uri!r} is not understood (use milvus:///path/x.db or http://host:port)"
    )
