"""The competency questions as named SPARQL files (``kg/queries/*.rq``), for tests, the CLI and the web UI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
_PAGE_LIMIT = re.compile(r"\bLIMIT (\d+) \}")


@dataclass(frozen=True)
class CompetencyQuery:
    """One named query: its file stem, the question it answers (from its header) and its text."""

    name: str
    question: str
    sparql: str

    def page(self, number: int) -> str | None:
        """The query for page ``number`` (0 = as written) of a question that answers a page at a
        time (its inner SELECT ends ``LIMIT n }``); None for a question that answers in full."""
        match = _PAGE_LIMIT.search(self.sparql)
        if match is None:
            return None
        if number == 0:
            return self.sparql
        size = int(match.group(1))
        before, after = self.sparql[: match.start()], self.sparql[match.end():]
        return f"{before}LIMIT {size} OFFSET {number * size} }}{after}"


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
