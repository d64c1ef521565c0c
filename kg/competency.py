"""The competency questions as named SPARQL files (``kg/queries/*.rq``), for tests, the CLI and the web UI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent / "queries"


@dataclass(frozen=True)
class CompetencyQuery:
    """One named query: its file stem, the question it answers (from its header) and its text."""

    name: str
    question: str
    sparql: str


def competency_queries() -> list[CompetencyQuery]:
    """Every query in ``kg/queries``, in file-name order."""
    out = []
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
        questions = [h.removeprefix("Question:").strip() for h in header if h.startswith("Question:")]
        question = questions[0] if questions else ""
        out.append(CompetencyQuery(path.stem, question, text))
    return out


def competency_query(name: str) -> CompetencyQuery:
    """The query whose file stem is ``name`` (or starts with ``name``, e.g. ``"01"``)."""
    from councilkg.errors import NotFound

    for query in competency_queries():
        if query.name == name or query.name.startswith(name + "_"):
            return query
    raise NotFound(f"no competency query named {name!r}")
