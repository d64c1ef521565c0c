"""The sentence encoder, loaded lazily from an installed package, never the network.

It runs on ONNX Runtime when the model has been exported (:mod:`search.onnx_encoder`: a cold
process then never imports torch), else on sentence-transformers, which exports it for next time.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import logging
import os
import threading
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


ONNX_BATCH = 16
"""Largest batch handed to ONNX Runtime: on two cores batches of 16 encoded 1.2-1.3× faster than
batches of 64 (BENCHMARKS.md, "Search quality and the results page"); the vectors are the same."""

BACKENDS = ("auto", "onnx", "torch")
"""How an :class:`Encoder` runs its model: ``onnx`` (ONNX Runtime, see :mod:`search.onnx_encoder`),
``torch`` (sentence-transformers) or ``auto``: ONNX when onnxruntime is installed and the model
has been exported, else torch (which exports it for the next process)."""

log = logging.getLogger(__name__)


class Encoder:
    """Turns texts into L2-normalised float32 vectors; counts the texts it has encoded.

    The ONNX and torch backends give the same vectors (cosine >= 0.9999), so vectors are
    stored under the one ``model_name`` whichever made them.
    """

    def __init__(
        self, model_name: str, batch_size: int = 64, backend: str = "auto", threads: int = 0
    ) -> None:
        if backend not in BACKENDS:
            raise CouncilKGError(f"encoder backend {backend!r} is not one of {', '.join(BACKENDS)}")
        self.model_name = model_name
        self.batch_size = batch_size
        self.threads = threads
        """Intra-op threads of large batches: 0 lets the runtime use every core; 1 suits a process
        that is one of several workers (a Dask worker thread), so they do not spin on each other."""
        self.requested_backend = backend
        self.texts_encoded = 0
        self._dimension: int | None = None
        self._onnx: Any = None
        self._chosen: str | None = None
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        """The backend this encoder runs on, ``"onnx"`` or ``"torch"`` (chosen on first use)."""
        if self._chosen is None:
            with self._lock:
                if self._chosen is None:
                    self._chosen = self._choose()
        return self._chosen

    def _choose(self) -> str:
        if self.requested_backend == "torch":
            return "torch"
        from search.onnx_encoder import load_onnx_encoder

        self._onnx = load_onnx_encoder(model_folder(self.model_name))
        if self._onnx is not None:
            return "onnx"
        if self.requested_backend == "onnx":
            raise CouncilKGError(
                f"no ONNX build of embedding model {self.model_name!r}: install onnxruntime and "
                "load the model once with torch (e.g. `councilkg build`) to export it"
            )
        return "torch"

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer (loads it on first use, whatever the backend)."""
        model = load_encoder(self.model_name)
        if self.requested_backend == "auto":
            export_for_next_time(self.model_name, model)
        return model

    def warm(self) -> None:
        """Load the model now and run it once, so that the first real encode is quick."""
        self.encode(["warming up the encoder"])
        self.texts_encoded -= 1

    @property
    def dimension(self) -> int:
        """Length of one vector."""
        if self._dimension is None:
            if self.backend == "onnx":
                self._dimension = self._onnx.dimension
            else:
                model = self.model
                getter = (
                    getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
                )
                self._dimension = int(getter())
        return self._dimension

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts`` as an (n, dimension) float32 array, unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.texts_encoded += len(texts)
        if self.backend == "onnx":
            return self._onnx.encode(texts, batch_size=min(self.batch_size, ONNX_BATCH), threads=self.threads)
        model = self.model
        with single_thread() if len(texts) <= SMALL_BATCH or self.threads == 1 else contextlib.nullcontext():
            vectors = model.encode(
                texts,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=4)
def export_for_next_time(name: str, model: Any) -> Path | None:
    """Export the loaded torch ``model`` to ONNX once, when onnxruntime is installed and no
    export exists yet, so the next process starts without torch. A failed export is logged
    and changes nothing: this process goes on with torch."""
    from search import onnx_encoder

    folder = model_folder(name)
    if not onnx_encoder.onnxruntime_available() or not onnx_encoder.supported(folder):
        return None
    existing = onnx_encoder.exported_file(folder)
    if existing is not None:
        return existing
    try:
        path = onnx_encoder.export(folder, model)
    except Exception as exc:  # noqa: BLE001 - the export is an optimisation, never a failure
        log.warning("could not export %s to ONNX (%s); searches keep using torch", name, exc)
        return None
    onnx_encoder.load_onnx_encoder.cache_clear()  # a later Encoder in this process may use it
    return path


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
