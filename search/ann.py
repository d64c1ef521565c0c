"""Approximate nearest-neighbour search with hnswlib, for indexes too large for a matrix product.

hnswlib was chosen by measurement (``benchmarks/bench_search.py`` compares it with faiss's
HNSW on the same vectors): at the same graph degree it gave the same recall at a lower p95 and
needs no second copy of the vectors, because it can hand stored vectors back (filtered search
scores the allowed rows exactly from them). The graph is saved beside the search index with a
fingerprint of the vectors it holds, so reopening an unchanged index does not rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from councilkg.errors import CouncilKGError

M = 16
"""Graph degree: 16 links a node (32 on the bottom layer) is hnswlib's recommended default."""

EF_CONSTRUCTION = 64
"""Candidate list while building: low enough to build a million vectors on two cores in tens of
minutes; the recall it costs is won back by :data:`EF_SEARCH` (see the benchmark)."""

EF_SEARCH = 96
"""Candidate list while searching (raised to ``n`` when more results are asked for)."""


def fingerprint(ids: np.ndarray, matrix: np.ndarray) -> str:
    """A hash of the ids and vectors a graph was built from."""
    h = hashlib.blake2b(digest_size=16)
    h.update(np.ascontiguousarray(ids, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(matrix, dtype=np.float32).tobytes())
    return h.hexdigest()


class HnswIndex:
    """An hnswlib inner-product graph over unit vectors keyed by passage id."""

    def __init__(self, index: object, count: int) -> None:
        self._index = index
        self._count = count

    @classmethod
    def build(cls, ids: np.ndarray, matrix: np.ndarray, threads: int | None = None) -> HnswIndex:
        """Build a graph over ``matrix`` (rows keyed by ``ids``)."""
        import hnswlib

        count, dim = matrix.shape
        index = hnswlib.Index(space="ip", dim=dim)
        index.init_index(max_elements=max(count, 1), ef_construction=EF_CONSTRUCTION, M=M)
        index.set_num_threads(threads or os.cpu_count() or 1)
        if count:
            index.add_items(np.ascontiguousarray(matrix, dtype=np.float32), ids.astype(np.int64))
        index.set_ef(EF_SEARCH)
        return cls(index, count)

    @classmethod
    def build_or_load(cls, ids: np.ndarray, matrix: np.ndarray, path: Path | None) -> HnswIndex:
        """The graph saved at ``path`` if it was built from these vectors, else a new one (saved)."""
        if path is None:
            return cls.build(ids, matrix)
        stamp = fingerprint(ids, matrix)
        meta_path = path.with_suffix(path.suffix + ".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if meta.get("fingerprint") == stamp and path.is_file():
            try:
                return cls.load(path, matrix.shape[1], ids.shape[0])
            except (RuntimeError, OSError):  # a damaged file: rebuild it below
                pass
        built = cls.build(ids, matrix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            built.save(path)
            meta_path.write_text(json.dumps({"fingerprint": stamp, "count": int(ids.shape[0])}), "utf-8")
        except OSError as exc:
            raise CouncilKGError(f"{path}: cannot save the ANN index ({exc})") from None
        return built

    @classmethod
    def load(cls, path: Path, dim: int, count: int) -> HnswIndex:
        """A graph saved by :meth:`save`."""
        import hnswlib

        index = hnswlib.Index(space="ip", dim=dim)
        index.load_index(str(path), max_elements=max(count, 1))
        index.set_ef(EF_SEARCH)
        return cls(index, count)

    def save(self, path: Path) -> None:
        """Write the graph to ``path``."""
        self._index.save_index(str(path))  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return self._count

    def search(self, query: np.ndarray, n: int, ef: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ids and inner-product scores of the (approximately) ``n`` nearest vectors, best first."""
        n = min(n, self._count)
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        index = self._index
        index.set_ef(max(ef or EF_SEARCH, n))  # type: ignore[attr-defined]
        labels, distances = index.knn_query(query.reshape(1, -1), k=n)  # type: ignore[attr-defined]
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (all must be held)."""
        if not ids.shape[0]:
            return np.zeros((0, self._index.dim), dtype=np.float32)  # type: ignore[attr-defined]
        items = self._index.get_items(ids.astype(np.int64).tolist(), return_type="numpy")  # type: ignore[attr-defined]
        return np.asarray(items, dtype=np.float32)
