"""An ONNX Runtime build of the installed sentence-transformers encoder, for a fast cold start.

Importing torch and sentence-transformers and loading the model take most of the 10-25 s
of a cold ``councilkg search``; ONNX Runtime and the ``tokenizers`` library load the same
weights in well under a second. The ONNX file is exported from the installed weights (never
downloaded) the first time the torch model is loaded on a machine with onnxruntime, into a
per-user cache keyed by the weights file, and reused by every later process. It holds only
the transformer; tokenisation (same ``tokenizer.json``, truncation at the model's
``max_seq_length``), mean pooling over the attention mask and L2 normalisation are done
here exactly as sentence-transformers does them, so the vectors agree with the torch ones
to float rounding (cosine >= 0.9999, see BENCHMARKS.md "Cold start") and are stored under
the same model name.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

ONNX_FILE = "model.onnx"
EXPORT_FORMAT = 1
"""Bumped when the exported graph changes shape, so older cached files are not reused."""

SMALL_BATCH = 8
"""Batches up to this size (a query) run on a one-thread session (as for torch, see
``search.encoder.SMALL_BATCH``): a few short texts gain nothing from intra-op threads."""


def onnxruntime_available() -> bool:
    """Whether onnxruntime and tokenizers can be imported (without importing them)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tokenizers"))


def cache_root() -> Path:
    """Where exported ONNX encoders live: ``$COUNCILKG_CACHE_DIR``, else the user cache folder."""
    explicit = os.environ.get("COUNCILKG_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "councilkg"


def export_dir(folder: Path) -> Path:
    """The cache folder of the ONNX export of the model in ``folder``.

    Keyed by the resolved folder and the weights file's size and modification time, so a
    reinstalled or different model never reuses a stale export.
    """
    folder = folder.resolve()
    parts = [str(folder), f"format{EXPORT_FORMAT}"]
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("pytorch_model.bin")):
        stat = weights.stat()
        parts.append(f"{weights.name}:{stat.st_size}:{int(stat.st_mtime)}")
    key = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
    return cache_root() / "onnx" / f"{folder.name}-{key}"


def exported_file(folder: Path) -> Path | None:
    """The exported ONNX file of the model in ``folder``, or None when not exported yet."""
    path = export_dir(folder) / ONNX_FILE
    return path if path.is_file() else None


def max_seq_length(folder: Path) -> int:
    """Tokens per text the sentence-transformers model keeps (its ``max_seq_length``)."""
    limit = 512
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        limit = int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length") or limit)
    tokenizer_config = folder / "tokenizer_config.json"
    if tokenizer_config.is_file():
        model_max = json.loads(tokenizer_config.read_text(encoding="utf-8")).get("model_max_length")
        if isinstance(model_max, int) and model_max > 0:
            limit = min(limit, model_max)
    return limit


def supported(folder: Path) -> bool:
    """Whether ``folder`` holds a model this module reproduces: a transformer, mean pooling,
    then normalisation (the sentence-transformers layout of all-MiniLM-L6-v2 and kin)."""
    modules_file = folder / "modules.json"
    pooling_file = folder / "1_Pooling" / "config.json"
    if not (modules_file.is_file() and pooling_file.is_file() and (folder / "tokenizer.json").is_file()):
        return False
    modules = json.loads(modules_file.read_text(encoding="utf-8"))
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    pooling = json.loads(pooling_file.read_text(encoding="utf-8"))
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    st_config = folder / "sentence_bert_config.json"
    lower = st_config.is_file() and json.loads(st_config.read_text(encoding="utf-8")).get("do_lower_case")
    return (
        kinds == ["Transformer", "Pooling", "Normalize"]
        and modes == ["pooling_mode_mean_tokens"]
        and not lower
    )


def export(folder: Path, model: Any | None = None) -> Path:
    """Export the transformer of the model in ``folder`` to ONNX in its cache folder.

    ``model`` is the loaded SentenceTransformer when there is one (its first module's
    ``auto_model`` is exported); otherwise the weights are loaded with transformers. The file
    is written under a temporary name and renamed, so a concurrent reader never sees half.
    """
    import torch

    if model is not None:
        auto_model = model[0].auto_model
    else:
        from transformers import AutoModel

        auto_model = AutoModel.from_pretrained(str(folder))
    auto_model.eval()

    class _TokenEmbeddings(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out[0]

    target_dir = export_dir(folder)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / ONNX_FILE
    partial = target_dir / f".{ONNX_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    types = torch.zeros_like(ids)
    import warnings

    # The eager attention traces to plain ONNX ops; the fused SDPA kernel does not export.
    # The live model gets its own attention back afterwards.
    attention = getattr(auto_model.config, "_attn_implementation", None)
    _set_attention(auto_model, "eager")
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _TokenEmbeddings(auto_model),
                (ids, mask, types),
                str(partial),
                dynamo=False,
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["token_embeddings"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "token_type_ids": {0: "batch", 1: "sequence"},
                    "token_embeddings": {0: "batch", 1: "sequence"},
                },
                opset_version=17,
                do_constant_folding=True,
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
        if attention:
            _set_attention(auto_model, attention)
    return target


def _set_attention(auto_model: Any, implementation: str) -> None:
    if hasattr(auto_model, "set_attn_implementation"):
        auto_model.set_attn_implementation(implementation)
    else:  # pragma: no cover - older transformers
        auto_model.config._attn_implementation = implementation


def mean_pool_normalise(token_embeddings: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Sentence vectors as sentence-transformers makes them: the mean of the token vectors
    under the attention mask (count clamped at 1e-9), then L2-normalised (norm clamped at 1e-12).
    """
    mask = attention_mask.astype(np.float32)[:, :, None]
    summed = (token_embeddings.astype(np.float32) * mask).sum(axis=1)
    counts = np.clip(mask.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return (pooled / norms).astype(np.float32)


class OnnxSentenceEncoder:
    """The exported transformer under ONNX Runtime, tokenised with ``tokenizers``.

    :meth:`encode` gives the same unit vectors as ``SentenceTransformer.encode(...,
    normalize_embeddings=True)`` of the model it was exported from.
    """

    def __init__(self, folder: Path, onnx_file: Path) -> None:
        from tokenizers import Tokenizer

        self.folder = folder
        self.onnx_file = onnx_file
        self.max_seq_length = max_seq_length(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad_id = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
        self._sessions: dict[int, Any] = {}
        self._lock = threading.Lock()
        self._dimension: int | None = None
        self.session(1)  # fail here, not mid-search, when the file does not load

    def session(self, threads: int) -> Any:
        """The inference session using ``threads`` intra-op threads (0: ONNX Runtime's default)."""
        session = self._sessions.get(threads)
        if session is not None:
            return session
        with self._lock:
            if threads not in self._sessions:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                self._sessions[threads] = ort.InferenceSession(
                    str(self.onnx_file), sess_options=options, providers=["CPUExecutionProvider"]
                )
        return self._sessions[threads]

    @property
    def dimension(self) -> int:
        """Length of one vector."""
        if self._dimension is None:
            pooling = json.loads((self.folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
            self._dimension = int(pooling["word_embedding_dimension"])
        return self._dimension

    def encode(self, texts: list[str], batch_size: int = 64, threads: int = 0) -> np.ndarray:
        """Unit vectors of ``texts`` as an (n, dimension) float32 array, in the texts' order.

        ``threads`` caps the intra-op threads of large batches (0: ONNX Runtime's default, one per
        core); a process that is one of several workers on the machine wants 1.
        """
        texts = [str(t).strip() for t in texts]  # sentence-transformers strips before tokenising
        session = self.session(1 if len(texts) <= SMALL_BATCH else threads)
        # Longest first, as sentence-transformers batches, so each batch pads little.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: np.ndarray | None = None
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in chunk])
            ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
            types = np.asarray([e.type_ids for e in encodings], dtype=np.int64)
            (tokens,) = session.run(
                ["token_embeddings"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            vectors = mean_pool_normalise(tokens, mask)
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[chunk] = vectors
        return out if out is not None else np.zeros((0, self.dimension), dtype=np.float32)


@functools.lru_cache(maxsize=2)
def load_onnx_encoder(folder: Path) -> OnnxSentenceEncoder | None:
    """The ONNX encoder of the model in ``folder`` when onnxruntime is installed and the
    export exists and loads; None otherwise (the caller falls back to torch)."""
    if not onnxruntime_available() or not supported(folder):
        return None
    onnx_file = exported_file(folder)
    if onnx_file is None:
        return None
    try:
        return OnnxSentenceEncoder(folder, onnx_file)
    except Exception as exc:  # noqa: BLE001 - a broken cache file means torch, not a failed search
        log.warning("ONNX encoder %s did not load (%s); using torch", onnx_file, exc)
        return None
