"""Search evaluation: success@k and MRR for the project's search and its single-retriever baselines.

Scoring follows ``tests/data/eval/README.md``: a question is answered at rank k when one of
the top-k passages contains one of its phrases verbatim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from councilkg.errors import InputError
from search.index import SearchIndex

MODES = ("hybrid", "keyword", "dense")
CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class EvalQuestion:
    """A question and the phrases any of which in a passage answers it."""

    q: str
    any: tuple[str, ...]


@dataclass
class EvalScores:
    """success@1/@5/@10 and MRR (over the top 10) of one retriever, with per-question ranks."""

    mode: str
    success: dict[int, float]
    mrr: float
    ranks: list[int | None]

    def to_json(self) -> dict[str, object]:
        """A JSON-ready summary."""
        out: dict[str, object] = {f"success@{k}": round(v, 4) for k, v in self.success.items()}
        out["mrr"] = round(self.mrr, 4)
        out["ranks"] = self.ranks
        return out


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from a JSON list of ``{"q": ..., "any": [...]}`` objects."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        questions = [EvalQuestion(str(item["q"]), tuple(str(a) for a in item["any"])) for item in raw]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a list of {{'q', 'any'}} questions ({exc})") from None
    if not questions:
        raise InputError(f"{path}: no questions")
    return questions


def answer_rank(texts: list[str], phrases: tuple[str, ...]) -> int | None:
    """1-based rank of the first text containing one of ``phrases`` verbatim, or None."""
    for rank, text in enumerate(texts, start=1):
        if any(phrase in text for phrase in phrases):
            return rank
    return None


def evaluate(
    index: SearchIndex, questions: list[EvalQuestion], modes: tuple[str, ...] = MODES
) -> list[EvalScores]:
    """Score each retrieval mode on ``questions`` over the same passages."""
    depth = max(CUTOFFS)
    scores = []
    for mode in modes:
        ranks = [
            answer_rank([r.text for r in index.search(q.q, k=depth, mode=mode)], q.any) for q in questions
        ]
        n = len(questions)
        success = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in CUTOFFS}
        mrr = sum(1.0 / r for r in ranks if r is not None) / n
        scores.append(EvalScores(mode, success, mrr, ranks))
    return scores


def format_scores(scores: list[EvalScores]) -> str:
    """A small text table of the scores."""
    lines = [f"{'retriever':<10} {'s@1':>6} {'s@5':>6} {'s@10':>6} {'MRR':>6}"]
    for s in scores:
        name = {"hybrid": "councilkg", "keyword": "keyword", "dense": "dense"}[s.mode]
        lines.append(
            f"{name:<10} {s.success[1]:>6.3f} {s.success[5]:>6.3f} {s.success[10]:>6.3f} {s.mrr:>6.3f}"
        )
    return "\n".join(lines)


def index_paper_folder(index: SearchIndex, folder: Path) -> int:
    """Load every paper in ``folder`` (with its ``catalogue.csv`` when present) into ``index``.

    Returns the number of papers loaded; a paper that cannot be read is an :class:`InputError`.
    """
    from corpus import load_document, read_catalogue

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of papers")
    catalogue_path = folder / "catalogue.csv"
    catalogue = read_catalogue(catalogue_path) if catalogue_path.is_file() else {}
    paths = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PAPER_SUFFIXES)
    documents = [load_document(p, catalogue.get(p.name.lower()), index.settings) for p in paths]
    index.update(documents)
    return len(documents)


PAPER_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")


def evaluate_search(index: SearchIndex, queries: Path, papers: Path | None = None) -> list[EvalScores]:
    """Evaluate ``index`` on the questions in ``queries`` (indexing ``papers`` first if given)."""
    questions = load_questions(queries)
    if papers is not None:
        index_paper_folder(index, papers)
    if not len(index):
        raise InputError("the search index is empty: build it first (or pass --papers DIR)")
    return evaluate(index, questions)
