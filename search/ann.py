"""Approximate nearest-neighbour search with hnswlib, for indexes too large for a matrix product.

hnswlib was chosen by measurement (``benchmarks/bench_search.py`` compares it with faiss's
HNSW on the same vectors): at the same degree and search depth both gave the same recall and
p95 latency, and hnswlib also hands stored vectors back (narrow filters are scored exactly with
no second copy of the vectors), takes a per-query id filter and updates vectors in place.

The graph is saved beside the search index with a fingerprint of the vectors it holds, so
reopening an unchanged index does not rebuild it, and with a checksum per vector, so an
incremental rebuild patches the saved graph (deletes marked, new and changed vectors added)
instead of rebuilding a million-node graph for one paper.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from councilkg.errors import CouncilKGError

M = 32
"""Graph degree: 32 links a node (64 on the bottom layer). At a million vectors the sparser
default (16, with efConstruction 64) capped recall@10 at 0.92 whatever the search depth."""

EF_CONSTRUCTION = 200
"""Candidate list while building: a denser, better-connected graph for about three times the
build time of (16, 64); see BENCHMARKS.md for the million-vector figures."""

EF_SEARCH = 400
"""Candidate list while searching (raised to ``n`` when more results are asked for). Measured at
1,000,000 synthetic vectors with (M 32, efConstruction 200): recall@10 0.9975 at 100, 1.0 at 200
and 400 (p95 1.6 ms); 400 leaves room for filtered searches, which skip disallowed answers."""


PATCH_SHARE = 0.2
"""An incremental rebuild patches the saved graph while changed plus deleted vectors stay under
this share of the index; beyond it a fresh build gives a cleaner graph for little more time."""


def row_checksums(matrix: np.ndarray) -> np.ndarray:
    """A 63-bit checksum of each row's bytes (tells a changed vector from a kept one)."""
    if not matrix.shape[0]:
        return np.zeros(0, dtype=np.int64)
    words = np.ascontiguousarray(matrix, dtype=np.float32).view(np.uint32).astype(np.uint64)
    weights = (np.arange(words.shape[1], dtype=np.uint64) * np.uint64(2654435761)) | np.uint64(1)
    mixed = (words * weights).sum(axis=1, dtype=np.uint64)
    return (mixed & np.uint64(0x7FFFFFFFFFFFFFFF)).astype(np.int64)


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
        """The graph saved at ``path``: reopened when built from these vectors, patched in
        place when few changed (an incremental rebuild), else built anew; saved either way.

        ``ids`` must be sorted (as :class:`~search.vectors.ExactVectors` keeps them).
        """
        if path is None:
            return cls.build(ids, matrix)
        stamp = fingerprint(ids, matrix)
        meta_path = path.with_suffix(path.suffix + ".json")
        state_path = path.with_suffix(path.suffix + ".state.npz")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        if meta.get("fingerprint") == stamp and path.is_file():
            try:
                return cls.load(path, matrix.shape[1], ids.shape[0])
            except (RuntimeError, OSError):  # a damaged file: rebuild it below
                pass
        sums = row_checksums(matrix)
        deleted = int(meta.get("deleted", 0))
        graph = None
        if path.is_file() and state_path.is_file():
            try:
                with np.load(state_path) as saved:
                    old_ids, old_sums = saved["ids"], saved["sums"]
                graph, deleted = cls._patched(path, old_ids, old_sums, ids, sums, matrix, deleted)
            except (RuntimeError, OSError, ValueError, KeyError):
                graph = None
        if graph is None:
            graph, deleted = cls.build(ids, matrix), 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            graph.save(path)
            np.savez(state_path, ids=ids, sums=sums)
            meta = {"fingerprint": stamp, "count": int(ids.shape[0]), "deleted": deleted}
            meta_path.write_text(json.dumps(meta), "utf-8")
        except OSError as exc:
            raise CouncilKGError(f"{path}: cannot save the ANN index ({exc})") from None
        return graph

    @classmethod
    def _patched(
        cls,
        path: Path,
        old_ids: np.ndarray,
        old_sums: np.ndarray,
        ids: np.ndarray,
        sums: np.ndarray,
        matrix: np.ndarray,
        deleted: int,
    ) -> tuple[HnswIndex | None, int]:
        """The saved graph with removed ids marked deleted and new or changed vectors added,
        or ``None`` when so much changed (or so many dead slots piled up) that a fresh build
        is better."""
        import hnswlib

        removed = np.setdiff1d(old_ids, ids, assume_unique=True)
        pos = np.clip(np.searchsorted(old_ids, ids), 0, max(old_ids.shape[0] - 1, 0))
        known = (old_ids[pos] == ids) if old_ids.shape[0] else np.zeros(ids.shape[0], dtype=bool)
        fresh = ~(known & (old_sums[pos] == sums)) if old_ids.shape[0] else ~known
        deleted += int(removed.shape[0])
        if deleted + int(fresh.sum()) > PATCH_SHARE * max(ids.shape[0], 1):
            return None, deleted
        index = hnswlib.Index(space="ip", dim=matrix.shape[1])
        slots = old_ids.shape[0] + int(deleted) + int((fresh & ~known).sum())
        index.load_index(str(path), max_elements=max(slots, 1))
        index.set_num_threads(os.cpu_count() or 1)
        for label in removed.tolist():
            index.mark_deleted(int(label))
        if fresh.any():
            # An id already in the graph is updated in place; a new one takes a new slot.
            vectors = np.ascontiguousarray(matrix[fresh], dtype=np.float32)
            index.add_items(vectors, ids[fresh].astype(np.int64))
        index.set_ef(EF_SEARCH)
        return cls(index, int(ids.shape[0])), deleted

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

    def search(
        self, query: np.ndarray, n: int, ef: int | None = None, allowed: set[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ids and inner-product scores of the (approximately) ``n`` nearest vectors, best first;
        with ``allowed``, only those ids are visited as answers (hnswlib's filtered search)."""
        n = min(n, self._count if allowed is None else len(allowed))
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        index = self._index
        index.set_ef(max(ef or EF_SEARCH, n))  # type: ignore[attr-defined]
        keep = None if allowed is None else allowed.__contains__
        try:
            labels, distances = index.knn_query(query.reshape(1, -1), k=n, filter=keep)  # type: ignore[attr-defined]
        except RuntimeError:  # fewer reachable answers than asked for: ask for what there is
            return self._search_fewer(query, n, keep)
        return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)

    def _search_fewer(self, query: np.ndarray, n: int, keep: object) -> tuple[np.ndarray, np.ndarray]:
        index = self._index
        while n > 1:
            n //= 2
            try:
                labels, distances = index.knn_query(query.reshape(1, -1), k=n, filter=keep)  # type: ignore[attr-defined]
                return labels[0].astype(np.int64), (1.0 - distances[0]).astype(np.float32)
            except RuntimeError:
                continue
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (all must be held)."""
        if not ids.shape[0]:
            return np.zeros((0, self._index.dim), dtype=np.float32)  # type: ignore[attr-defined]
        items = self._index.get_items(ids.astype(np.int64).tolist(), return_type="numpy")  # type: ignore[attr-defined]
        return np.asarray(items, dtype=np.float32)
