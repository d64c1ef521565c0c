"""Typed records of the search layer: passages, filters and results."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Passage:
    """A unit of retrieval cut from one paper.

    ``text`` is the paper's own words, ``doc.text[start:end]``, shown as the snippet.
    ``context`` is what the passage means in its place (its section heading, a table's column
    headers and the row's first cell, a table group) and ``rendered`` is the passage as a reader
    would say it (a table row as "Header: value; Header: value"); both feed ranking only.
    """

    doc_id: str
    file_name: str
    start: int
    end: int
    text: str
    kind: str
    section: str = ""
    context: str = ""
    rendered: str = ""
    authority: str | None = None
    date: str | None = None
    committee: str | None = None
    document_type: str | None = None

    @property
    def ranking_text(self) -> str:
        """What is embedded and keyword-indexed: section, context, then the passage itself."""
        return ranking_text(self.section, self.context, self.rendered or self.text)

    @property
    def embedding_text(self) -> str:
        """What is embedded: the passage with its local context (row identity, table group)."""
        return embedding_text(self.section, self.context, self.rendered or self.text)

    @property
    def content_hash(self) -> str:
        """Hash of :attr:`embedding_text`: the key of the embedding cache."""
        return hashlib.sha256(self.embedding_text.encode("utf-8")).hexdigest()

    @property
    def year(self) -> int | None:
        """The year of :attr:`date`, if known."""
        return int(self.date[:4]) if self.date and self.date[:4].isdigit() else None


def ranking_text(section: str | None, context: str | None, body: str) -> str:
    """The text keyword search indexes for a passage (see :attr:`Passage.ranking_text`)."""
    parts = [p for p in (section, context, body) if p]
    return " | ".join(" ".join(p.split()) for p in parts)


def embedding_text(section: str | None, context: str | None, body: str) -> str:
    """The text the encoder reads for a passage (see :attr:`Passage.embedding_text`)."""
    parts = [p for p in (EMBED_SECTION and section, context, body) if p]
    return " | ".join(" ".join(p.split()) for p in parts)


EMBED_SECTION = False


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search. Every field left ``None`` does not filter.

    ``authority``, ``committee`` and ``document_type`` match case-insensitively, as a
    substring (an officer types "Derby", not "Derby City Council"). ``entity`` keeps passages
    whose span contains a mention of that entity key (mentions given to
    :meth:`search.index.SearchIndex.set_mentions`).
    """

    authority: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    committee: str | None = None
    document_type: str | None = None
    entity: str | None = None
    doc_ids: tuple[str, ...] | None = None

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return all(getattr(self, name) is None for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class SearchResult:
    """One ranked passage with everything needed to show and cite it."""

    text: str
    score: float
    doc_id: str
    file_name: str
    authority: str | None
    date: str | None
    start: int
    end: int
    section: str
    committee: str | None = None
    document_type: str | None = None
    kind: str = "paragraph"
    highlights: list[tuple[int, int]] = field(default_factory=list)
    rendered: str = ""
    """The passage as a reader says it (a table row with its column headers, tick boxes read
    out), shown instead of the raw quote when set; ``text`` stays the paper's own words."""
    rendered_highlights: list[tuple[int, int]] = field(default_factory=list)
    """Highlights as offsets into :attr:`rendered`."""
    more_like_this: int = 0
    """Near-duplicate passages collapsed into this one."""

    @property
    def shown(self) -> str:
        """What a results list shows: :attr:`rendered` if set, else the quote."""
        return self.rendered or self.text

    def to_json(self) -> dict[str, object]:
        """The result as the CLI and web API give it (``paper`` is the file name)."""
        return {
            "text": self.text,
            "score": round(self.score, 4),
            "paper": self.file_name,
            "doc_id": self.doc_id,
            "authority": self.authority,
            "date": self.date,
            "committee": self.committee,
            "type": self.document_type,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "highlights": [list(h) for h in self.highlights],
            "rendered": self.rendered,
            "rendered_highlights": [list(h) for h in self.rendered_highlights],
            "more_like_this": self.more_like_this,
        }


@dataclass(frozen=True)
class SearchPage:
    """One page of results and what a results page shows around it."""

    query: str
    results: list[SearchResult] = field(default_factory=list)
    total: int = 0
    """Passages (near-duplicates counted once) scoring at least half of the best one."""
    total_capped: bool = False
    """Every candidate of a full pool answered: more passages may answer than ``total`` says."""
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """Per facet (authority, year, committee, type): (value, passages) over the ``total``."""
    good_match: bool = True
    """False when no passage answers well: the encoder found nothing close and the keyword
    side did not find the query's words (see ``search.index.GOOD_DENSE``)."""
    suggestions: list[str] = field(default_factory=list)
    """The query respelled with words the index knows, when it has unknown ones."""
    respelled: str = ""
    """When set, the results are this respelling's: the query as typed found nothing close."""
    best_dense: float = 0.0
    keyword_confidence: float = 0.0

    def to_json(self) -> dict[str, object]:
        """The page as the API gives it."""
        return {
            "query": self.query,
            "total": self.total,
            "total_capped": self.total_capped,
            "good_match": self.good_match,
            "suggestions": self.suggestions,
            "respelled": self.respelled,
            "facets": {
                name: [{"value": v, "count": n} for v, n in values] for name, values in self.facets.items()
            },
            "results": [r.to_json() for r in self.results],
        }
