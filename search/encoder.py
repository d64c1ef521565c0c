"""The sentence-transformers encoder, loaded lazily from an installed package, never the network."""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

from councilkg.errors import CouncilKGError

SMALL_BATCH = 8
"""Batches up to this size (a query) are encoded on one thread.

A few short texts gain nothing from intra-op parallelism, and on a busy machine torch's
spinning worker threads make a one-query encode ten times slower than a single thread."""


def model_folder(name: str) -> Path:
    """The folder of the embedding model named by the ``embedding_model`` setting.

    ``name`` is a local folder, or an installed package (dashes read as underscores) that
    ships its model in a ``model/`` folder beside its ``__init__.py``.
    """
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    module_name = name.replace("-", "_")
    if importlib.util.find_spec(module_name) is None:
        raise CouncilKGError(f"embedding model {name!r} is neither a folder nor an installed package")
    module = importlib.import_module(module_name)
    folder = Path(module.__file__ or "").parent / "model"
    if not folder.is_dir():
        raise CouncilKGError(f"embedding model package {module_name!r} has no model/ folder")
    return folder


@functools.lru_cache(maxsize=2)
def load_encoder(name: str) -> Any:
    """The SentenceTransformer for ``name`` on CPU, offline; loaded once per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    try:  # the weight-loading progress bar is noise on a CLI's stderr
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
        pass
    return SentenceTransformer(str(model_folder(name)), device="cpu")


class Encoder:
    """Turns texts into L2-normalised float32 vectors; counts the texts it has encoded."""

    def __init__(self, model_name: str, batch_size: int = 64) -> None:
        self.model_name = model_name
        self.batch_size = batch_size
        self.texts_encoded = 0
        self._dimension: int | None = None

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer (loads it on first use)."""
        return load_encoder(self.model_name)

    @property
    def dimension(self) -> int:
        """Length of one vector."""
        if self._dimension is None:
            model = self.model
            getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dimension = int(getter())
        return self._dimension

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts`` as an (n, dimension) float32 array, unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.texts_encoded += len(texts)
        model = self.model
        with single_thread() if len(texts) <= SMALL_BATCH else contextlib.nullcontext():
            vectors = model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


@contextlib.contextmanager
def single_thread() -> Any:
    """Run torch on one intra-op thread inside the block (restored afterwards)."""
    import torch

    before = torch.get_num_threads()
    if before == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
