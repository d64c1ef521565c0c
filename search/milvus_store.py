"""Passage vectors in Milvus (a server, or milvus-lite's local ``.db`` file) through pymilvus.

Chosen by the ``vector_store`` setting (``milvus:///path/vectors.db``, a ``.db`` path, or
``http://host:19530``). SQLite stays the source of truth for passages and the embedding
cache; Milvus holds one row per passage id with its vector and a checksum of that vector, and
:meth:`MilvusVectors.load` sends only what differs, so syncing after an incremental rebuild
moves only the changed passages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from councilkg.errors import CouncilKGError
from search.ann import row_checksums

COLLECTION = "councilkg_passages"
BATCH = 2000
MAX_LIMIT = 16384
"""Milvus answers at most this many rows a search."""

IN_FILTER_MAX = 20_000
"""Allowed-id lists up to this size are sent to Milvus as a filter; larger ones over-fetch."""


def client_uri(uri: str) -> str:
    """The pymilvus URI for a ``vector_store`` setting (``milvus:///x.db`` → ``/x.db``)."""
    if uri.startswith("milvus://"):
        rest = uri[len("milvus://") :]
        return rest if rest.endswith(".db") else "http://" + rest
    if uri.startswith("tcp://"):
        return "http://" + uri[len("tcp://") :]
    return uri


def checksums(vectors: np.ndarray) -> np.ndarray:
    """A 63-bit checksum of each vector's bytes (tells a changed vector from a kept one)."""
    return row_checksums(vectors)


class MilvusVectors:
    """The :class:`~search.vectors.VectorBackend` protocol on a Milvus collection (inner product)."""

    def __init__(self, uri: str, collection: str = COLLECTION) -> None:
        self.uri = uri
        self.collection = collection
        self._client: Any = None
        self._dim: int | None = None

    @property
    def client(self) -> Any:
        """The pymilvus client (connects on first use)."""
        if self._client is None:
            target = client_uri(self.uri)
            if target.endswith(".db"):
                Path(target).expanduser().parent.mkdir(parents=True, exist_ok=True)
            try:
                from pymilvus import MilvusClient

                # milvus-lite cannot give the iterator a server timestamp; pymilvus warns each sync.
                logging.getLogger("pymilvus").setLevel(logging.ERROR)
                self._client = MilvusClient(target)
            except Exception as exc:  # pymilvus raises many types; the user needs one line
                raise CouncilKGError(f"vector_store {self.uri}: cannot connect ({exc})") from None
        return self._client

    def _ensure(self, dim: int) -> None:
        client = self.client
        if client.has_collection(self.collection):
            if self._dim is None:
                info = client.describe_collection(self.collection)
                for f in info.get("fields", []):
                    if f.get("name") == "vector":
                        self._dim = int(f.get("params", {}).get("dim", dim))
            if self._dim is not None and self._dim != dim:
                client.drop_collection(self.collection)  # another model: its vectors are useless
            else:
                return
        from pymilvus import DataType

        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("checksum", DataType.INT64)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        params = client.prepare_index_params()
        params.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        client.create_collection(self.collection, schema=schema, index_params=params)
        self._dim = dim

    def _existing(self) -> dict[int, int]:
        if not self.client.has_collection(self.collection):
            return {}
        found: dict[int, int] = {}
        iterator = self.client.query_iterator(
            self.collection, batch_size=BATCH, filter="id >= 0", output_fields=["id", "checksum"]
        )
        while True:
            rows = iterator.next()
            if not rows:
                iterator.close()
                break
            found.update((int(r["id"]), int(r["checksum"])) for r in rows)
        return found

    def load(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Make the collection hold exactly these vectors, sending only the differences."""
        if not ids.shape[0]:
            if self.client.has_collection(self.collection):
                self.client.drop_collection(self.collection)
            return
        self._ensure(int(vectors.shape[1]))
        existing = self._existing()
        sums = checksums(vectors)
        wanted = dict(zip(ids.tolist(), sums.tolist(), strict=True))
        stale = [i for i in existing if i not in wanted]
        changed = np.asarray([existing.get(i) != s for i, s in wanted.items()], dtype=bool)
        if stale:
            self.remove(np.asarray(stale, dtype=np.int64))
        if changed.any():
            self._upsert(ids[changed], vectors[changed], sums[changed])

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Insert or replace vectors."""
        if ids.shape[0]:
            self._ensure(int(vectors.shape[1]))
            self._upsert(ids, vectors, checksums(vectors))

    def _upsert(self, ids: np.ndarray, vectors: np.ndarray, sums: np.ndarray) -> None:
        for i in range(0, ids.shape[0], BATCH):
            part = slice(i, i + BATCH)
            rows = [
                {"id": int(pid), "checksum": int(s), "vector": v.astype(np.float32).tolist()}
                for pid, s, v in zip(ids[part], sums[part], vectors[part], strict=True)
            ]
            self.client.upsert(self.collection, rows)

    def remove(self, ids: np.ndarray) -> None:
        """Delete vectors by id."""
        if not ids.shape[0] or not self.client.has_collection(self.collection):
            return
        for i in range(0, ids.shape[0], BATCH):
            self.client.delete(self.collection, ids=[int(x) for x in ids[i : i + BATCH]])

    def count(self) -> int:
        """Number of vectors held."""
        if not self.client.has_collection(self.collection):
            return 0
        rows = self.client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def search(
        self, query: np.ndarray, n: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Ids and inner-product scores of the ``n`` nearest vectors, best first."""
        empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if n <= 0 or not self.client.has_collection(self.collection):
            return empty
        limit, expr = min(n, MAX_LIMIT), ""
        if allowed is not None:
            if not allowed.shape[0]:
                return empty
            if allowed.shape[0] <= IN_FILTER_MAX:
                expr = f"id in [{','.join(str(int(x)) for x in allowed)}]"
            else:
                limit = MAX_LIMIT
        hits = self.client.search(
            self.collection,
            data=[query.astype(np.float32).tolist()],
            limit=limit,
            filter=expr,
            search_params={"metric_type": "IP"},
            output_fields=["id"],
        )[0]
        ids = np.asarray([int(h["id"]) for h in hits], dtype=np.int64)
        scores = np.asarray([float(h["distance"]) for h in hits], dtype=np.float32)
        if allowed is not None and not expr:
            keep = np.isin(ids, allowed)
            ids, scores = ids[keep], scores[keep]
        return ids[:n], scores[:n]

    def close(self) -> None:
        """Close the connection."""
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None
