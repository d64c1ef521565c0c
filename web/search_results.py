"""Reading search requests and shaping search results for pages and the API.

No ranking here: the search layer ranks; this module turns request parameters into
:class:`search.models.SearchFilters`, asks for one page and marks the highlighted words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from web.paper_render import Span, render_text
from web.params import choice_param, int_param, text_param, year_param

PAGE_SIZE = 10
MAX_PAGE = 50
MAX_PER_PAGE = 50
SORTS = ("relevance", "date")
"""Orders a results list can take: best first, or newest first among the passages that answer."""
MAX_QUERY_CHARS = 500
"""The longest search a person or client may send (the search box's ``maxlength``)."""


@dataclass(frozen=True)
class SearchRequest:
    """A search as the user asked it: the words, the filters and the page."""

    query: str
    authority: str | None = None
    from_year: int | None = None
    to_year: int | None = None
    committee: str | None = None
    document_type: str | None = None
    entity: str | None = None
    page: int = 1
    per_page: int = PAGE_SIZE
    sort: str = "relevance"

    def filters(self) -> Any:
        """The search layer's filter record (None when nothing is filtered)."""
        from search.models import SearchFilters

        filters = SearchFilters(
            authority=self.authority, from_year=self.from_year, to_year=self.to_year,
            committee=self.committee, document_type=self.document_type, entity=entity_key(self.entity),
        )
        return None if filters.is_empty() else filters

    def params(self, **changes: Any) -> dict[str, Any]:
        """URL parameters of this search (for pagination links), with ``changes`` applied."""
        values = {
            "q": self.query, "authority": self.authority, "from_year": self.from_year,
            "to_year": self.to_year, "committee": self.committee, "type": self.document_type,
            "entity": self.entity, "page": self.page,
            "sort": None if self.sort == "relevance" else self.sort,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


ID_BASE = "https://w3id.org/councilkg/id/"


def entity_key(value: str | None) -> str | None:
    """The search index's key for an entity a person named: its IRI (from a full IRI or an
    ``/id/…`` path), else the name in lower case with single spaces (names and aliases are
    indexed that way)."""
    if not value:
        return None
    value = value.strip()
    if value.startswith(ID_BASE):
        return value
    if value.startswith("/id/"):
        return ID_BASE + value[len("/id/"):]
    return " ".join(value.lower().split()) or None


def read_search_request(args: Mapping[str, str]) -> SearchRequest:
    """Parse and check the search parameters (a one-line error for bad ones)."""
    return SearchRequest(
        query=text_param(args, "q", MAX_QUERY_CHARS) or "",
        authority=text_param(args, "authority"),
        from_year=year_param(args, "from_year"),
        to_year=year_param(args, "to_year"),
        committee=text_param(args, "committee"),
        document_type=text_param(args, "type"),
        entity=text_param(args, "entity"),
        page=int_param(args, "page", 1, MAX_PAGE, default=1) or 1,
        per_page=int_param(args, "per_page", 1, MAX_PER_PAGE, default=PAGE_SIZE) or PAGE_SIZE,
        sort=choice_param(args, "sort", SORTS) or "relevance",
    )


def run_search(index: Any, req: SearchRequest) -> Any:
    """One :class:`search.models.SearchPage` (an empty query gives an empty page, not an error)."""
    from search.models import SearchPage

    if not req.query:
        return SearchPage(query="")
    return index.search_page(
        req.query, k=req.per_page, filters=req.filters(), offset=(req.page - 1) * req.per_page, sort=req.sort
    )


def result_json(result: Any) -> dict[str, Any]:
    """The API form of one result (the search layer's own JSON form)."""
    return result.to_json()


def shown_html(result: Any) -> Markup:
    """What a results list shows of a passage: its read-out form (a table row with its column
    headers, tick boxes as words) with its highlights, else the quote itself."""
    if not getattr(result, "rendered", ""):
        return snippet_html(result)
    spans = [Span(s, e, "hit") for s, e in result.rendered_highlights]
    return render_text(result.rendered, 0, spans)


def snippet_html(result: Any) -> Markup:
    """The result's text with its highlighted words in ``<mark>``, everything escaped."""
    spans = []
    for start, end in getattr(result, "highlights", []) or []:
        if result.start <= start and end <= result.end:  # document offsets
            spans.append(Span(start, end, "hit"))
        else:
            spans.append(Span(result.start + start, result.start + end, "hit"))
    return render_text(result.text, result.start, spans)
